// Package extra only exists from v1.2.0 on.
package extra

import "example.com/hello"

// Greeting comes from a requirement that older versions do not have.
func Greeting() string { return hello.Hello() }
