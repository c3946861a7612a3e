// Command gotest-deprecated requires a version whose go.mod says it is deprecated
// (deprecated/a v1.9.0, undeprecated v1.0.0) and one whose latest version is deprecated
// (deprecated/b v1.0.0).
package main

import (
	_ "example.com/deprecated/a"
	_ "example.com/deprecated/b"
	_ "example.com/undeprecated"
)

func main() {}
