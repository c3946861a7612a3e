module example.com/local

go 1.17

require (
	example.com/c v1.0.0
	example.com/multi v1.0.0
)
