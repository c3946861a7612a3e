// Package a joins b and c.
package a

import (
	"example.com/a/sub/deep"
	"example.com/b"
	"example.com/c"
)

// Describe names a and everything below it.
func Describe() string { return deep.Wrap("a", b.Describe()+","+c.Describe()) }
