module rsc.io/testonly
