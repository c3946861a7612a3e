module example.com/consumer/gotest-incompat

go 1.16

require (
	example.com/incompatiblewithsub v2.0.0+incompatible
	gopkg.in/dummy.v2-unstable v2.0.0
	rsc.io/breaker v2.0.0+incompatible
)
