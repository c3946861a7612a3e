module m

go 1.19

require rsc.io/quote v1.5.1

replace rsc.io/quote v1.5.1 => rsc.io/quote v1.5.2
