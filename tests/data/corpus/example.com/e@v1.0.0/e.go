// Package e is a leaf module.
package e

// Name is e's name.
const Name = "e"
