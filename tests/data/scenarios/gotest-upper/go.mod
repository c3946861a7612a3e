module example.com/consumer/gotest-upper

go 1.16

require (
	rsc.io/QUOTE v1.5.3-PRE
	rsc.io/quote v1.5.2
	rsc.io/testonly v1.0.0 // indirect
)
