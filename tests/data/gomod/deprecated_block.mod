// Module comment paragraph.
//
// Deprecated: moved to
// example.com/newer.
module (
	example.com/old
)

go 1.17
