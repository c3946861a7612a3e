module example.com/b

go 1.16

require (
	example.com/d v1.0.0
	example.com/multi v1.0.0
)
