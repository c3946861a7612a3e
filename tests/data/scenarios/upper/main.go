// Command upper depends only on a module whose path and version have upper-case letters
// (escaped as !x in URLs and cache paths).
package main

import (
	"fmt"

	_ "github.com/Example/Mixed/v2"
	_ "github.com/Example/Mixed/v2/sub"
)

func main() { fmt.Println("upper") }
