// Package big ships a large data file (generated at test time, see generated.txt) so that its
// zip is larger than one download shard.
package big

// DataFile is the large file, relative to the module root.
const DataFile = "data/blob.bin"
