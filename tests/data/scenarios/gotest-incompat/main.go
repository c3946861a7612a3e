// Command gotest-incompat uses +incompatible versions (v2 without /v2 path and without
// go.mod) and a gopkg.in path whose major version is in the last element.
package main

import (
	"fmt"

	_ "example.com/incompatiblewithsub/sub"
	_ "gopkg.in/dummy.v2-unstable"
	"rsc.io/breaker"
)

func main() {
	fmt.Println(breaker.XX)
}
