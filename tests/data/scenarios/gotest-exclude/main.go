// Command gotest-exclude uses rsc.io/quote v1.5.2 but excludes the rsc.io/sampler v1.3.0 it
// requires, so the next version (v1.3.1) is selected instead.
package main

import (
	"fmt"

	"rsc.io/quote"
)

func main() {
	fmt.Println(quote.Hello())
}
