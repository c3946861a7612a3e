module m

go 1.16

require (
	not-rsc.io/quote/v3 v3.0.0
	rsc.io/quote/v3 v3.0.0
)

replace not-rsc.io/quote/v3 v3.0.0 => rsc.io/quote/v3 v3.0.0
