module example.com/consumer/gotest-quote

go 1.16

require (
	rsc.io/quote v1.5.2
	rsc.io/testonly v1.0.0 // indirect
)
