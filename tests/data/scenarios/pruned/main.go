// Command pruned is a go 1.17 main module: its go.mod lists every module that provides a
// package (module graph pruning).
package main

import (
	"fmt"

	"example.com/a"
	"example.com/a/sub/deep"
	"example.com/multi"
	_ "github.com/Example/Mixed/v2"
)

func main() {
	fmt.Println(deep.Wrap("main", a.Describe()), multi.Version)
}
