module example.com/consumer/gotest-misc

go 1.16

require (
	example.com/dotgo.go v1.0.0
	example.com/latemigrate/v2 v2.0.1
	example.com/nest v1.1.0
	example.com/nest/sub v1.0.0
	example.com/split/subpkg v1.1.0
	example.com/stack v1.0.1
	example.com/version v1.1.0
	golang.org/x/internal v0.1.0 // indirect
	golang.org/x/useinternal v0.1.0
)
