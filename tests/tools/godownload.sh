#!/bin/sh
# godownload.sh ZIP PATH VERSION: serve ZIP as PATH@VERSION from a file:// GOPROXY and run
# stock `go mod download -json PATH@VERSION` into a scratch GOMODCACHE, printing go's JSON
# (its "Error" field is the message a user sees, its "Sum" the h1 go recorded).  Used to
# derive the download-time messages expected by tests/unit/test_zipx.c.  PATH must be
# lower case (no escaping is done here).
set -eu
zip=$(realpath "$1"); path=$2; version=$3
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proxy/$path/@v"
printf 'module %s\n' "$path" > "$tmp/proxy/$path/@v/$version.mod"
printf '{"Version":"%s","Time":"2020-01-01T00:00:00Z"}' "$version" > "$tmp/proxy/$path/@v/$version.info"
cp "$zip" "$tmp/proxy/$path/@v/$version.zip"
cd "$tmp"
env GOPROXY="file://$tmp/proxy" GOSUMDB=off GOFLAGS= GOMODCACHE="$tmp/cache" GOPATH="$tmp/gopath" \
    GO111MODULE=on HOME="$tmp" go mod download -json "$path@$version" || true
