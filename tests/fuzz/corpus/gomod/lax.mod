module example.com/dep
go 1.12
require example.com/x v1.2
require example.com/y v1.0.0+incompatible
unknowndirective foo
replace example.com/x => example.com/y v1.0.0
retract [v1.0.0, v1.0.1]
retract v0.9.0
