// Package incompat has no go.mod and a major version above 1: +incompatible.
package incompat

// Major is the major version.
const Major = 2
