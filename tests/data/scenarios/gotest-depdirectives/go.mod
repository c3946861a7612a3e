module m

go 1.16

require (
	example.com/cmd v1.0.0-exclude
	rsc.io/quote v1.5.2
)
