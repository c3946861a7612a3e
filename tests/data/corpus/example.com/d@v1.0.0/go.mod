module example.com/d

go 1.16

require example.com/multi v1.1.0
