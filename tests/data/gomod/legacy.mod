module github.com/legacy/thing

go 1.12

require (
	github.com/old/dep v1.2
	github.com/other/dep v2.0.0+incompatible
	gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405
)

replace github.com/old/dep => github.com/fork/dep v1.2.1

weird future directive

retract [v0.1.0, v0.2.0] extra-tokens-from-the-future
