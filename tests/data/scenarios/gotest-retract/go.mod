module example.com/consumer/gotest-retract

go 1.17

require (
	example.com/retract v1.0.0-bad
	example.com/retract/incompatible v2.0.0+incompatible
	example.com/retract/rationale v1.0.0-empty
	example.com/retract/self/prev v1.9.0
)
