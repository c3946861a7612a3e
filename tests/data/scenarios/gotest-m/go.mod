module m

go 1.19
