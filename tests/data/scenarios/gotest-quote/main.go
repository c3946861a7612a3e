// Command gotest-quote uses rsc.io/quote v1.5.2 from the go command's test modules: its
// go.mod and rsc.io/sampler's use old-style quoted module lines and have no go line, so they
// are unpruned; sampler brings golang.org/x/text at a pseudo-version.
package main

import (
	"fmt"

	"rsc.io/quote"
)

func main() {
	fmt.Println(quote.Hello())
}
