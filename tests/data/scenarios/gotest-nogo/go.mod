module example.com/consumer/gotest-nogo

require rsc.io/quote v1.5.2
