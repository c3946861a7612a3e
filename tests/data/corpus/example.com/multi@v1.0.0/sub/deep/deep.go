// Package deep is a nested package.
package deep

import "example.com/multi/internal/ver"

// Level reports the version through an internal package.
func Level() string { return "deep@" + ver.V }
