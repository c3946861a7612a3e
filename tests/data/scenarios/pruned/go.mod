module example.com/consumer/pruned

go 1.17

require (
	example.com/a v1.0.0
	example.com/multi v1.2.0
	github.com/Example/Mixed/v2 v2.1.0-RC.1
)

require (
	example.com/b v1.0.0 // indirect
	example.com/c v1.0.0 // indirect
	example.com/d v1.0.0 // indirect
	example.com/e v1.0.0 // indirect
)
