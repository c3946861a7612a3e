// Command gotest-replace uses rsc.io/quote at two versions (v1.5.1 replaced by v1.5.2) and
// rsc.io/quote/v3, which is replaced by not-rsc.io/quote; rsc.io/sampler is replaced at every
// version and rsc.io/testonly by a directory.
package main

import (
	"fmt"

	"rsc.io/quote"
	quote3 "rsc.io/quote/v3"
	_ "rsc.io/testonly"
)

func main() {
	fmt.Println(quote.Hello(), quote3.Glass())
}
