module example.com/consumer/gotest-replace

go 1.16

require (
	rsc.io/quote v1.5.1
	rsc.io/quote/v3 v3.0.0
	rsc.io/testonly v1.0.0
)

// one version replaced by another version of the same module (followed without arguments)
replace rsc.io/quote v1.5.1 => rsc.io/quote v1.5.2

// every version, by a version of another module whose go.mod has a quoted module line
replace rsc.io/quote/v3 => not-rsc.io/quote v0.1.0-nomod

// every version of a dependency's requirement, by another version
replace rsc.io/sampler => rsc.io/sampler v1.3.1

// a version nothing requires: never fetched
replace rsc.io/quote v1.0.0 => rsc.io/quote v1.2.0

// a directory: never fetched
replace rsc.io/testonly => ./testonly
