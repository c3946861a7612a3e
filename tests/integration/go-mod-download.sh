#!/bin/sh
# Stand-in for gmfetch used by `e2e.py --self-check`: stock `go mod download` with the same
# arguments. go 1.19 has no -C flag, so a leading `-C dir` is applied here.
# E2E_SABOTAGE=1 appends a byte to every cached .info after the download, so the self-check
# can prove that the comparison catches a wrong cache.
if [ "$1" = "-C" ]; then
    cd "$2" || exit 1
    shift 2
fi
if [ -z "$E2E_SABOTAGE" ]; then
    exec go mod download "$@"
fi
go mod download "$@"
rc=$?
find "$GOMODCACHE/cache/download" -name '*.info' -exec sh -c 'printf x >> "$1"' sh {} \; 2>/dev/null
exit $rc
