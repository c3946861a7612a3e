module example.com/multi

go 1.17

require example.com/hello v1.0.0
