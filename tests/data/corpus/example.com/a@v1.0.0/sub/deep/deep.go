// Package deep is a nested package of module a.
package deep

// Wrap returns name(inner).
func Wrap(name, inner string) string { return name + "(" + inner + ")" }
