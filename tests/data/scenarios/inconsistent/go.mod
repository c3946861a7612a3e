module example.com/consumer/inconsistent

go 1.17

require (
	example.com/d v1.0.0
	example.com/multi v1.0.0
)
