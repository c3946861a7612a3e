// Package d needs a newer multi than b asks for, so MVS selects above b's requirement.
package d

import "example.com/multi/sub/deep"

// Describe names d.
func Describe() string { return "d(" + deep.Level() + ")" }
