module example.com/consumer/gotest-badchain

go 1.16

require example.com/badchain/a v1.1.0
