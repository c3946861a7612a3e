module example.com/consumer/big

go 1.17

require example.com/big v1.0.0
