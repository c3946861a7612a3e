module github.com/Example/Mixed/v2

go 1.16

require example.com/hello v1.0.0
