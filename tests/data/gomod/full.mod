// Deprecated: use example.com/full/v2 instead.
module example.com/full

go 1.21.0

toolchain go1.21.3

godebug (
	default=go1.21
	panicnil=1
)

require (
	github.com/Example/Mixed/v2 v2.1.0-RC.1
	"golang.org/x/mod" v0.14.0
	golang.org/x/text v0.3.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect; pulled in by tests
	rsc.io/quote v1.5.2 // indirectly used, not the marker
)

require github.com/pkg/errors v0.9.1

exclude golang.org/x/net v0.0.0-20190101000000-abcdefabcdef

replace (
	golang.org/x/net => golang.org/x/net v0.17.0
	rsc.io/quote v1.5.2 => ../quote
)

replace "example.com/spaced" => "./dir with space"

retract (
	// Published by mistake.
	v1.0.0
	[v1.1.0, v1.1.9] // broken builds
)

retract v0.9.0

tool golang.org/x/tools/cmd/stringer

ignore ./node_modules
