// Command gotest-retract requires versions that later versions retract (example.com/retract
// v1.0.0-bad, rationale v1.0.0-empty, incompatible v2.0.0+incompatible) and one that retracts
// itself (self/prev v1.9.0). `go mod download` fetches them without warnings.
package main

import (
	_ "example.com/retract"
	_ "example.com/retract/incompatible"
	_ "example.com/retract/rationale"
	_ "example.com/retract/self/prev"
)

func main() {}
