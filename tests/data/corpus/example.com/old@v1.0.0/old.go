// Package old is replaced by example.com/fork in the replace scenario.
package old

// Name says which module provided the package.
func Name() string { return "old" }
