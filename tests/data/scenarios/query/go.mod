module example.com/consumer/query

go 1.17

require example.com/multi v1.1
