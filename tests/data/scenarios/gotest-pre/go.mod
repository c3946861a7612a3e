module m

go 1.19

require rsc.io/quote v1.5.3-pre1
