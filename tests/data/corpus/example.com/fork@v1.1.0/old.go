// Package old, as provided by the fork that replaces example.com/old.
package old

// Name says which module provided the package.
func Name() string { return "fork" }
