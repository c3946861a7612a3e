// Command gotest-nogo requires rsc.io/quote v1.5.2 from a go.mod without a go line, as the
// go command's own mod_download script test does (go 1.19 reads a missing go line as go
// 1.16: unpruned graph, and no arguments means all).
package main

import (
	"fmt"

	"rsc.io/quote"
)

func main() {
	fmt.Println(quote.Hello())
}
