module example.com/consumer/gotest-exclude-required

go 1.17

require rsc.io/sampler v1.3.0

exclude rsc.io/sampler v1.3.0
