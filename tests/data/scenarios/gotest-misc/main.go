// Command gotest-misc uses more of the go command's test modules: a path ending in ".go",
// nested modules (example.com/nest and example.com/nest/sub, no requirement between them), a
// package split into a nested module whose parent version has an empty zip, a module that
// migrated to /v2 late (requires an old rsc.io/quote), an internal package of another module.
package main

import (
	"fmt"

	_ "example.com/dotgo.go"
	_ "example.com/latemigrate/v2"
	_ "example.com/nest/sub/x"
	_ "example.com/nest/sub/y"
	_ "example.com/split/subpkg"
	"example.com/stack"
	"example.com/version"
	_ "golang.org/x/useinternal"
)

func main() {
	fmt.Println(version.V, stack.TopFile())
}
