module example.com/a

go 1.17

require (
	example.com/b v1.0.0
	example.com/c v1.0.0
)
