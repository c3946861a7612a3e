module example.com/consumer/gotest-exclude

go 1.16

require (
	rsc.io/quote v1.5.2
	rsc.io/sampler v1.99.99 // indirect
)

exclude rsc.io/sampler v1.3.0
