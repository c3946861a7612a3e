// Command gotest-upper requires rsc.io/QUOTE v1.5.3-PRE: upper case in both the module path
// and the version ("!"-escaped in URLs and cache paths); it requires rsc.io/quote v1.5.2.
// rsc.io/QUOTE/QUOTE does not compile (it calls quote.GLASS), so only upper.go, which the
// build never selects, imports it: go mod tidy still counts it.
package main

import (
	"fmt"

	"rsc.io/quote"
)

func main() {
	fmt.Println(quote.Hello())
}
