module example.com/consumer/gotest-deprecated

go 1.17

require (
	example.com/deprecated/a v1.9.0
	example.com/deprecated/b v1.0.0
	example.com/undeprecated v1.0.0
)
