module "example.com/\u00e9t\xc3\xa9"
go 1.17
require (
	example.com/a v1.0.0 // indirect
)
