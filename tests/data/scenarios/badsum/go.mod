module example.com/consumer/badsum

go 1.17

require example.com/hello v1.0.0
