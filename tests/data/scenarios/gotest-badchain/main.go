// Command gotest-badchain requires example.com/badchain/a v1.1.0, whose requirement chain
// ends in a go.mod that declares another module path: loading the graph fails.
package main

import _ "example.com/badchain/a"

func main() {}
