// Package c is a go 1.17 (pruned) module.
package c

import "example.com/e"

// Describe names c and e.
func Describe() string { return "c(" + e.Name + ")" }
