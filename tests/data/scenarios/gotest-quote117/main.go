// Command gotest-quote117 is the go 1.17 (pruned) twin of gotest-quote: go.mod lists
// rsc.io/sampler and golang.org/x/text as indirect requirements, and `go mod download`
// without arguments fetches exactly the go.mod requirements.
package main

import (
	"fmt"

	"rsc.io/quote"
)

func main() {
	fmt.Println(quote.Hello())
}
