// Command badsum depends on one module; the tests corrupt its go.sum lines.
package main

import (
	"fmt"

	"example.com/hello"
)

func main() { fmt.Println(hello.Hello()) }
