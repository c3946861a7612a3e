module example.com/m
go 1.21.0
toolchain go1.21.3
godebug default=go1.21
require example.com/a v1.0.0
