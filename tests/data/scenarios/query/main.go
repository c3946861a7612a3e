// Command query requires example.com/multi at "v1.1", which is not a canonical version:
// stock go resolves it with a query (to v1.1.0) and rewrites go.mod while downloading.
package main

import (
	"fmt"

	"example.com/multi"
)

func main() { fmt.Println(multi.Version) }
