// Package local is a directory replacement: never downloaded, its requirements join the graph.
package local

import (
	"example.com/c"
	"example.com/multi"
)

// Describe names local and what it uses.
func Describe() string { return "local(" + c.Describe() + ",multi " + multi.Version + ")" }
