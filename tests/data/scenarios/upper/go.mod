module example.com/consumer/upper

go 1.17

require github.com/Example/Mixed/v2 v2.1.0-RC.1
