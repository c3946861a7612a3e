module example.com/c

go 1.17

require example.com/e v1.0.0
