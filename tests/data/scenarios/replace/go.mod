module example.com/consumer/replace

go 1.17

require (
	example.com/local v0.0.0
	example.com/old v1.0.0
)

require (
	example.com/c v1.0.0 // indirect
	example.com/e v1.0.0 // indirect
	example.com/multi v1.2.0 // indirect
)

replace example.com/old => example.com/fork v1.1.0

replace example.com/local => ./localdep

exclude example.com/multi v1.0.0
