// h1vectors prints the h1 vectors used by tests/unit/test_h1.c, computed with
// golang.org/x/mod/sumdb/dirhash.Hash1 (the same code path as go.sum lines and HashZip).
//
// Run: GO111MODULE=off GOPATH=/usr/share/gocode go run tests/tools/h1vectors.go
package main

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

func hash(files map[string]string) string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	h, err := dirhash.Hash1(names, func(n string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(files[n])), nil
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return h
}

func main() {
	gomod := "module example.com/hello\n\ngo 1.17\n"
	fmt.Println("gomod vector1:", hash(map[string]string{"go.mod": gomod}))
	fmt.Println("gomod empty:  ", hash(map[string]string{"go.mod": ""}))
	fmt.Println("gomod quote:  ", hash(map[string]string{"go.mod": "module \"rsc.io/quote\"\n\nrequire \"rsc.io/sampler\" v1.3.0\n"}))
	p := "example.com/hello@v1.0.0/"
	v2 := map[string]string{
		p + "go.mod":   gomod,
		p + "hello.go": "package hello\n\nfunc Hello() string { return \"hello\" }\n",
		p + "LICENSE":  "Public domain.\n",
	}
	fmt.Println("vector2:      ", hash(v2))
	v2[p] = ""
	fmt.Println("vector2+dir:  ", hash(v2))
	q := "github.com/Example/Mixed/v2@v2.1.0-RC.1/"
	mixedMod := "module github.com/Example/Mixed/v2\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n"
	v3 := map[string]string{
		q + "README":   "",
		q + "Z.go":     "package mixed\n",
		q + "a.go":     "package mixed\n",
		q + "go.mod":   mixedMod,
		q + "sub.go":   "package mixed\n\nimport _ \"github.com/Example/Mixed/v2/sub\"\n",
		q + "sub/x.go": "package sub\n",
	}
	fmt.Println("vector3:      ", hash(v3))
	fmt.Println("vector3 gomod:", hash(map[string]string{"go.mod": mixedMod}))
	fmt.Println("empty set:    ", hash(map[string]string{}))
	fmt.Println("newline:      ", hash(map[string]string{"a": "", "b\nc": ""}))
}
