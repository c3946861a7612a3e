// A main module with every directive gmfetch reads.
module example.com/main

go 1.19

require (
	example.com/a v1.2.3
	example.com/b v0.0.0-20220102030405-abcdefabcdef // indirect
	"example.com/q" v1.0.0
	gopkg.in/yaml.v2 v2.4.0
	github.com/Example/Mixed/v2 v2.1.0-RC.1
	example.com/inc v3.0.0+incompatible
)

exclude example.com/a v1.2.2

replace (
	example.com/a v1.2.3 => example.com/fork v1.2.4
	example.com/b => ../b
	example.com/c => "./dir with space"
)

retract (
	v1.0.0 // bad
	[v1.1.0, v1.1.9]
)
