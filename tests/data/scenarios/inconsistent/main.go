// Command inconsistent lists example.com/multi at v1.0.0, but its requirement example.com/d
// (go 1.16, unpruned) needs v1.1.0: MVS selects a version above the main go.mod line, and
// stock go rewrites go.mod when downloading.
package main

import (
	"fmt"

	"example.com/d"
	"example.com/multi"
)

func main() { fmt.Println(d.Describe(), multi.Version) }
