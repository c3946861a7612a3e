module example.com/consumer/gotest-pseudo

go 1.17

require (
	example.com/notags v0.0.0-20190507143103-cc8cbe209b64
	example.com/pseudoupgrade v0.1.1-0.20190429073117-b5426c86b553
	github.com/dmitshur-test/modtest5 v0.5.0-alpha.0.20190619023908-3da23a9deb9e
	rsc.io/quote v0.0.0-20180214005840-23179ee8a569
)

require (
	golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c // indirect
	rsc.io/sampler v1.3.0 // indirect
	rsc.io/testonly v1.0.0 // indirect
)
