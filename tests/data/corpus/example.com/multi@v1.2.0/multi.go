// Package multi has several versions; which one is selected is decided by MVS.
package multi

// Version is the module version this file was published in.
const Version = "v1.2.0"
