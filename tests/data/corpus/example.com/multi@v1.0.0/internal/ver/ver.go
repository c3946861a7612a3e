// Package ver is internal to module multi.
package ver

// V is the version.
const V = "v1.0.0"
