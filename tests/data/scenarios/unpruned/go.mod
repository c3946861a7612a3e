module example.com/consumer/unpruned

go 1.16

require (
	example.com/a v1.0.0
	example.com/incompat v2.0.0+incompatible
	github.com/Example/Mixed/v2 v2.1.0-RC.1
)
