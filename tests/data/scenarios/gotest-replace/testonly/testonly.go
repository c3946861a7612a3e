// Package testonly stands in for rsc.io/testonly (replaced by this directory).
package testonly
