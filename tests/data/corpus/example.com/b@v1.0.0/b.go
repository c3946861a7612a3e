// Package b is a go 1.16 (unpruned) module whose requirements are loaded transitively.
package b

import (
	"example.com/d"
	"example.com/multi"
)

// Describe names b and what it uses.
func Describe() string { return "b(" + d.Describe() + ",multi " + multi.Version + ")" }
