// mkseeds writes the hostile module zips of tests/fuzz/corpus/zipx/ (seeds of the zipx fuzz
// target and fixtures of tests/unit/test_zipx.c) and prints, for each, what stock go 1.19
// with golang.org/x/mod makes of it: dirhash.HashZip ("hash:"), zip.Unzip into a fresh
// directory ("unzip:", the error without the "unzip <file>: " wrapper, or the files written
// with their modes) and, for a "path=" line, the module.  test_zipx.c pastes these as its
// expected values.  Output is deterministic: running it again rewrites identical files.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run tests/fuzz/mkseeds.go tests/fuzz/corpus/zipx
//
// With -many it writes nothing and reports on a zip of 70000 empty entries (built in
// memory; test_zipx.c builds the same entries with libzip at run time).  With -xmod DIR it
// turns golang.org/x/mod's zip test cases (DIR/unzip/*.txt, DIR/check_zip/*.txt, txtar
// files whose file names are zip entry names) into zips in the output directory, for the
// fuzzer's seed corpus only (scripts/fuzz does this in its work dir; they are not in git).
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

const prefix = "example.com/m@v1.0.0/"

// entry is one zip entry written with CreateRaw, so that every header field is ours.
type entry struct {
	name   string
	data   []byte
	method uint16
	size   int64 // declared uncompressed size, -1 = real
	mode   fs.FileMode
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, err := flate.NewWriter(&out, flate.BestCompression)
	check(err)
	_, err = w.Write(b)
	check(err)
	check(w.Close())
	return out.Bytes()
}

func build(entries ...entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		comp := e.data
		if e.method == zip.Deflate {
			comp = deflate(e.data)
		}
		fh := &zip.FileHeader{
			Name:               e.name,
			Method:             e.method,
			CRC32:              crc32.ChecksumIEEE(e.data),
			CompressedSize64:   uint64(len(comp)),
			UncompressedSize64: uint64(len(e.data)),
		}
		if e.size >= 0 {
			fh.UncompressedSize64 = uint64(e.size)
		}
		if e.mode != 0 {
			fh.SetMode(e.mode)
		}
		w, err := zw.CreateRaw(fh)
		check(err)
		_, err = w.Write(comp)
		check(err)
	}
	check(zw.Close())
	return buf.Bytes()
}

func file(name, data string) entry {
	return entry{name: prefix + name, data: []byte(data), method: zip.Deflate, size: -1}
}

func moded(name, data string, mode fs.FileMode) entry {
	e := file(name, data)
	e.mode = mode
	return e
}

var le = binary.LittleEndian

// localHeaders returns the offsets of the local file headers, in order.
func localHeaders(z []byte) []int {
	var offs []int
	for i := 0; i+4 <= len(z); {
		j := bytes.Index(z[i:], []byte("PK\x03\x04"))
		if j < 0 {
			break
		}
		offs = append(offs, i+j)
		i += j + 4
	}
	return offs
}

// centralHeaders returns the offsets of the central directory headers, in order.
func centralHeaders(z []byte) []int {
	var offs []int
	for i := 0; ; {
		j := bytes.Index(z[i:], []byte("PK\x01\x02"))
		if j < 0 {
			return offs
		}
		offs = append(offs, i+j)
		i += j + 4
	}
}

// setLocalSizes overwrites the compressed and uncompressed sizes of local header n.
func setLocalSizes(z []byte, n int, comp, uncomp uint32) []byte {
	out := append([]byte(nil), z...)
	p := localHeaders(out)[n]
	le.PutUint32(out[p+18:], comp)
	le.PutUint32(out[p+22:], uncomp)
	return out
}

// overlap returns a zip whose second central entry points at the first local header (the
// "better zip bomb" layout: one stored body, two names).
func overlap() []byte {
	z := build(file("a.go", "package m\n"), file("b.go", "package m\n"))
	out := append([]byte(nil), z...)
	c := centralHeaders(out)
	le.PutUint32(out[c[1]+42:], le.Uint32(out[c[0]+42:]))
	return out
}

// countLie says 3 entries in the end record where the directory holds 2.
func countLie() []byte {
	z := build(file("a.go", "package m\n"), file("b.go", "package m\n"))
	out := append([]byte(nil), z...)
	p := len(out) - 22
	le.PutUint16(out[p+8:], 3)
	le.PutUint16(out[p+10:], 3)
	return out
}

// renameLocal gives local header n another name of the same length (central unchanged).
func renameLocal(z []byte, n int, name string) []byte {
	out := append([]byte(nil), z...)
	p := localHeaders(out)[n]
	nl := int(le.Uint16(out[p+26:]))
	if nl != len(name) {
		panic("renameLocal: length")
	}
	copy(out[p+30:], name)
	return out
}

type fixture struct {
	file string
	data []byte
	note string
}

func fixtures() []fixture {
	zeros := func(n int) []byte { return make([]byte, n) }
	big := make([]byte, 16<<20)
	for i := range big {
		big[i] = ' '
	}
	copy(big, "module example.com/m\n//")
	bigPlus := append(append([]byte(nil), big...), '\n')
	return []fixture{
		{"special_modes.zip", build(
			moded("dev", "char device", fs.ModeDevice|fs.ModeCharDevice|0o666),
			moded("blk", "block device", fs.ModeDevice|0o660),
			moded("fifo", "named pipe", fs.ModeNamedPipe|0o644),
			moded("sock", "socket", fs.ModeSocket|0o755),
			moded("suid", "#!/bin/sh\n", fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky|0o4777),
			moded("abslink", "/etc/passwd", fs.ModeSymlink|0o777),
			moded("dirmode", "a file whose mode says directory", fs.ModeDir|0o755),
			file("go.mod", "module example.com/m\n"),
		), "device, fifo, socket, setuid, absolute symlink and dir-mode entries"},
		{"symlink_parent.zip", build(
			moded("link", "/tmp", fs.ModeSymlink|0o777),
			file("link/evil.go", "package evil\n"),
		), "a symlink entry, then a file below it"},
		{"nfc_nfd.zip", build(
			file("\u00e9.go", "package m\n"),
			file("e\u0301.go", "package m\n"),
		), "é precomposed and decomposed (no Unicode normalisation in go)"},
		{"local_size_lie.zip", setLocalSizes(build(file("x.go", "package m\n")), 0,
			0x7fffffff, 0x7fffffff), "local header sizes 2 GiB, central ones true"},
		{"local_name_lie.zip", renameLocal(build(file("x.go", "package m\n")), 0,
			"example.com/m@v1.0.0/..//"), "local header name ../, central x.go"},
		{"bomb_lie.zip", build(entry{name: prefix + "bomb", data: zeros(64 << 20),
			method: zip.Deflate, size: 1024}), "declares 1 KiB, inflates to 64 MiB"},
		{"gomod_lie.zip", build(entry{name: prefix + "go.mod", data: bigPlus,
			method: zip.Deflate, size: 1024}), "go.mod declared 1 KiB, 16 MiB + 1 inflated"},
		{"gomod_big.zip", build(entry{name: prefix + "go.mod", data: bigPlus,
			method: zip.Deflate, size: -1}), "go.mod of 16 MiB + 1 bytes, declared truly"},
		{"gomod_16m.zip", build(entry{name: prefix + "go.mod", data: big,
			method: zip.Deflate, size: -1}), "go.mod of exactly 16 MiB (ratio ~1000:1)"},
		{"limit_exact.zip", build(
			entry{name: prefix + "a", data: []byte("a"), method: zip.Store, size: 100 << 20},
			entry{name: prefix + "b", data: []byte("b"), method: zip.Store, size: 100 << 20},
			entry{name: prefix + "c", data: []byte("c"), method: zip.Store, size: 100 << 20},
			entry{name: prefix + "d", data: []byte("d"), method: zip.Store, size: 100 << 20},
			entry{name: prefix + "e", data: []byte("e"), method: zip.Store, size: 100 << 20},
		), "5 x 100 MiB declared (= MaxZipFile), 1 byte each stored"},
		{"overlap.zip", overlap(), "two central entries sharing one local header and body"},
		{"count_lie.zip", countLie(), "end record counts 3 entries, directory has 2"},
	}
}

func main() {
	many := flag.Bool("many", false, "report on 70000 empty entries")
	xmod := flag.String("xmod", "", "x/mod zip testdata directory to convert")
	flag.Parse()
	if *many {
		var es []entry
		for i := 0; i < 70000; i++ {
			es = append(es, entry{name: fmt.Sprintf("%sf%05d", prefix, i), method: zip.Store,
				size: -1})
		}
		f, err := os.CreateTemp("", "mkseeds-many*.zip")
		check(err)
		defer os.Remove(f.Name())
		_, err = f.Write(build(es...))
		check(err)
		check(f.Close())
		fmt.Println("== 70000 empty stored entries f00000..f69999")
		report(f.Name(), "example.com/m", "v1.0.0", true)
		return
	}
	outDir := flag.Arg(0)
	check(os.MkdirAll(outDir, 0o777))
	if *xmod != "" {
		convert(*xmod, outDir)
		return
	}
	for _, fx := range fixtures() {
		p := filepath.Join(outDir, fx.file)
		check(os.WriteFile(p, fx.data, 0o644))
		fmt.Printf("== %s (%s)\n", fx.file, fx.note)
		report(p, "example.com/m", "v1.0.0", false)
	}
}

// convert writes one zip per txtar test case: entries are the txtar's files, in order.
func convert(dir, outDir string) {
	for _, sub := range []string{"unzip", "check_zip"} {
		names, _ := filepath.Glob(filepath.Join(dir, sub, "*.txt"))
		for _, n := range names {
			b, err := os.ReadFile(n)
			check(err)
			var es []entry
			for _, f := range parseTxtar(b) {
				es = append(es, entry{name: f[0], data: []byte(f[1]), method: zip.Deflate,
					size: -1})
			}
			out := filepath.Join(outDir, "xmod_"+sub+"_"+strings.TrimSuffix(filepath.Base(n),
				".txt")+".zip")
			check(os.WriteFile(out, build(es...), 0o644))
		}
	}
}

// parseTxtar returns (name, content) pairs of a txtar archive ("-- name --" lines).
func parseTxtar(b []byte) [][2]string {
	var files [][2]string
	cur := -1
	for _, line := range strings.SplitAfter(string(b), "\n") {
		t := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) >= 6 {
			files = append(files, [2]string{strings.TrimSpace(t[3 : len(t)-3]), ""})
			cur = len(files) - 1
			continue
		}
		if cur >= 0 {
			files[cur][1] += line
		}
	}
	return files
}

// report prints HashZip and the outcome of Unzip into a fresh directory.
func report(zipFile, path, version string, summary bool) {
	h, err := dirhash.HashZip(zipFile, dirhash.Hash1)
	if err != nil {
		fmt.Printf("hash:  error: %v\n", err)
	} else {
		fmt.Printf("hash:  %s\n", h)
	}
	dir, err := os.MkdirTemp("", "mkseeds-unzip")
	check(err)
	defer os.RemoveAll(dir)
	target := filepath.Join(dir, "t")
	err = modzip.Unzip(target, module.Version{Path: path, Version: version}, zipFile)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		fmt.Printf("unzip: error: %q\n", err.Error())
		return
	}
	var lines []string
	nfiles := 0
	check(filepath.Walk(target, func(p string, info fs.FileInfo, err error) error {
		check(err)
		rel, _ := filepath.Rel(target, p)
		if info.IsDir() {
			lines = append(lines, fmt.Sprintf("  dir  %s", rel))
			return nil
		}
		nfiles++
		b, err := os.ReadFile(p)
		check(err)
		c := string(b)
		if len(c) > 40 {
			c = c[:40] + "..."
		}
		lines = append(lines, fmt.Sprintf("  %v %s %q (%d bytes)", info.Mode(), rel, c, len(b)))
		return nil
	}))
	fmt.Println("unzip: ok")
	if summary {
		fmt.Printf("  %d files\n", nfiles)
		return
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
