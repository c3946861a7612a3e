// Command replace uses a module replaced by another module version, a module replaced by a
// directory, and an exclude directive.
package main

import (
	"fmt"

	"example.com/local"
	"example.com/old"
)

func main() {
	fmt.Println(old.Name(), local.Describe())
}
