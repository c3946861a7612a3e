// Command gotest-pseudo requires only pseudo-versions: v0.0.0-<time>-<hash> of a module
// with no tags (empty list), vX.Y.(Z+1)-0.<time>-<hash> after a tag and
// vX.Y.Z-pre.0.<time>-<hash> after a prerelease.
package main

import (
	"fmt"

	_ "example.com/notags"
	_ "example.com/pseudoupgrade"
	_ "github.com/dmitshur-test/modtest5"
	"rsc.io/quote"
)

func main() {
	fmt.Println(quote.Hello())
}
