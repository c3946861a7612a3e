// Command unpruned is a go 1.16 main module: the whole requirement graph is loaded and
// `go mod download` without arguments means `all`.
package main

import (
	"fmt"

	"example.com/a"
	"example.com/incompat"
	_ "github.com/Example/Mixed/v2"
)

func main() {
	fmt.Println(a.Describe(), incompat.Major)
}
