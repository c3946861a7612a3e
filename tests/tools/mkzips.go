// mkzips writes the module zip fixtures of tests/data/zips/ and prints, for every one of
// them, what stock go makes of it: dirhash.HashZip (the h1 go records in go.sum and in the
// .ziphash file) and zip.Unzip (the checks and extraction go runs when filling the module
// cache), both from golang.org/x/mod as installed with go 1.19.  tests/unit/test_zipx.c
// records these outputs as its expected values.
//
// Good zips come from zip.CreateFromDir over a scratch tree, as a proxy builds them.
// Hostile ones are written with archive/zip (CreateRaw where sizes, CRCs or methods must
// lie) and, where archive/zip cannot express the defect, by patching the bytes afterwards.
// Everything is deterministic: running the tool again rewrites identical files.
//
// Run from the repository root:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run tests/tools/mkzips.go tests/data/zips
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
	"golang.org/x/mod/sumdb/dirhash"
)

const helloMod = "module example.com/hello\n\ngo 1.17\n"
const helloGo = "package hello\n\nfunc Hello() string { return \"hello\" }\n"

// fromDir builds a zip with zip.CreateFromDir over files (name -> content).
func fromDir(path, version string, files map[string]string) []byte {
	dir, err := os.MkdirTemp("", "mkzips")
	check(err)
	defer os.RemoveAll(dir)
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		check(os.MkdirAll(filepath.Dir(p), 0o777))
		check(os.WriteFile(p, []byte(content), 0o644))
	}
	var buf bytes.Buffer
	check(modzip.CreateFromDir(&buf, module.Version{Path: path, Version: version}, dir))
	return buf.Bytes()
}

// ent describes one entry written with CreateRaw so that every header field is ours.
type ent struct {
	name     string
	data     string
	method   uint16 // zip.Store or zip.Deflate (or anything, written as stored bytes)
	size     int64  // declared uncompressed size; -1 = real size
	crc      int64  // declared CRC-32; -1 = real CRC
	desc     bool   // write a data descriptor (flag 0x8)
	mode     fs.FileMode
	rawBytes []byte // compressed bytes to store verbatim (overrides data for method 8)
	realName string // archive/zip refuses data for names ending in "/": write under name,
	// then patch every occurrence of name into realName (same length)
}

func deflate(s string) []byte {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	check(err)
	_, err = w.Write([]byte(s))
	check(err)
	check(w.Close())
	return b.Bytes()
}

func raw(entries ...ent) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		comp := []byte(e.data)
		if e.method == zip.Deflate {
			comp = deflate(e.data)
		}
		if e.rawBytes != nil {
			comp = e.rawBytes
		}
		fh := &zip.FileHeader{
			Name:               e.name,
			Method:             e.method,
			CRC32:              crc32.ChecksumIEEE([]byte(e.data)),
			CompressedSize64:   uint64(len(comp)),
			UncompressedSize64: uint64(len(e.data)),
		}
		if e.size >= 0 {
			fh.UncompressedSize64 = uint64(e.size)
		}
		if e.crc >= 0 {
			fh.CRC32 = uint32(e.crc)
		}
		if e.desc {
			fh.Flags |= 0x8
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
	out := buf.Bytes()
	for _, e := range entries {
		if e.realName != "" {
			if len(e.realName) != len(e.name) || bytes.Count(out, []byte(e.name)) != 2 {
				panic("bad rename of " + e.name)
			}
			out = bytes.ReplaceAll(out, []byte(e.name), []byte(e.realName))
		}
	}
	return out
}

func e(name, data string) ent {
	return ent{name: name, data: data, method: zip.Deflate, size: -1, crc: -1, desc: true}
}

// eocd returns the offset of the (comment-less) end record of a zip written above.
func eocd(z []byte) int {
	p := len(z) - 22
	if binary.LittleEndian.Uint32(z[p:]) != 0x06054b50 {
		panic("no end record")
	}
	return p
}

// toZip64 rewrites the end of a zip written by archive/zip so that the directory is found
// through a zip64 end record and locator, with saturated 32-bit fields.
func toZip64(z []byte) []byte {
	p := eocd(z)
	n := uint64(binary.LittleEndian.Uint16(z[p+10:]))
	size := uint64(binary.LittleEndian.Uint32(z[p+12:]))
	off := uint64(binary.LittleEndian.Uint32(z[p+16:]))
	out := append([]byte(nil), z[:p]...)
	e64 := uint64(len(out))
	le := binary.LittleEndian
	rec := make([]byte, 56)
	le.PutUint32(rec[0:], 0x06064b50)
	le.PutUint64(rec[4:], 44)
	le.PutUint16(rec[12:], 45)
	le.PutUint16(rec[14:], 45)
	le.PutUint64(rec[24:], n)
	le.PutUint64(rec[32:], n)
	le.PutUint64(rec[40:], size)
	le.PutUint64(rec[48:], off)
	out = append(out, rec...)
	loc := make([]byte, 20)
	le.PutUint32(loc[0:], 0x07064b50)
	le.PutUint64(loc[8:], e64)
	le.PutUint32(loc[16:], 1)
	out = append(out, loc...)
	end := make([]byte, 22)
	le.PutUint32(end[0:], 0x06054b50)
	le.PutUint16(end[8:], 0xffff)
	le.PutUint16(end[10:], 0xffff)
	le.PutUint32(end[12:], 0xffffffff)
	le.PutUint32(end[16:], 0xffffffff)
	return append(out, end...)
}

// twoEnds appends a second copy of the central directory and a second end record after
// the first end record, whose comment is stretched to cover them: go reads the last end
// record, libzip may take either.
func twoEnds(z []byte) []byte {
	p := eocd(z)
	size := binary.LittleEndian.Uint32(z[p+12:])
	off := binary.LittleEndian.Uint32(z[p+16:])
	cd := z[off : off+size]
	out := append([]byte(nil), z[:p+22]...)
	binary.LittleEndian.PutUint16(out[p+20:], uint16(len(cd)+22))
	start := uint32(len(out))
	out = append(out, cd...)
	end := append([]byte(nil), z[p:p+22]...)
	binary.LittleEndian.PutUint32(end[16:], start)
	return append(out, end...)
}

// corruptDescriptorCRC flips a bit in the CRC of the first data descriptor.
func corruptDescriptorCRC(z []byte) []byte {
	out := append([]byte(nil), z...)
	i := bytes.Index(out, []byte("PK\x07\x08"))
	if i < 0 {
		panic("no data descriptor")
	}
	out[i+4] ^= 1
	return out
}

func corruptDeflate(z []byte, payload string) []byte {
	out := append([]byte(nil), z...)
	d := deflate(payload)
	i := bytes.Index(out, d)
	if i < 0 {
		panic("payload not found")
	}
	// BTYPE=11 (reserved) in the first block header: an invalid deflate stream.
	out[i] |= 0x06
	return out
}

// many is 200 small files in 20 directories, to exercise tables that grow.
func many() map[string]string {
	files := map[string]string{"go.mod": "module example.com/many\n"}
	for i := 0; i < 200; i++ {
		files[fmt.Sprintf("d%02d/f%03d.go", i%20, i)] = fmt.Sprintf("package d%02d // %03d\n", i%20, i)
	}
	return files
}

type fixture struct {
	file          string
	path, version string
	data          []byte
}

func main() {
	outDir := os.Args[1]
	check(os.MkdirAll(outDir, 0o777))
	const m, v = "example.com/m", "v1.0.0"
	p := m + "@" + v + "/"
	big := strings.Repeat("0123456789abcdef", 20000) // 320000 bytes, deflates to little

	fixtures := []fixture{
		{"hello.zip", "example.com/hello", "v1.0.0", fromDir("example.com/hello", "v1.0.0",
			map[string]string{"go.mod": helloMod, "hello.go": helloGo, "LICENSE": "Public domain.\n"})},
		{"mixed.zip", "github.com/Example/Mixed/v2", "v2.1.0-RC.1", fromDir("github.com/Example/Mixed/v2", "v2.1.0-RC.1",
			map[string]string{
				"README": "", "Z.go": "package mixed\n", "a.go": "package mixed\n",
				"go.mod": "module github.com/Example/Mixed/v2\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n",
				"sub.go": "package mixed\n\nimport _ \"github.com/Example/Mixed/v2/sub\"\n",
				"sub/x.go": "package sub\n",
			})},
		{"many.zip", "example.com/many", "v0.1.0", fromDir("example.com/many", "v0.1.0", many())},
		{"hello_dirent.zip", "example.com/hello", "v1.0.0", raw(
			ent{name: "example.com/hello@v1.0.0/", method: zip.Store, size: -1, crc: -1},
			e("example.com/hello@v1.0.0/LICENSE", "Public domain.\n"),
			e("example.com/hello@v1.0.0/go.mod", helloMod),
			e("example.com/hello@v1.0.0/hello.go", helloGo))},
		{"tree.zip", m, v, raw(
			e(p+"go.mod", "module example.com/m\n"),
			ent{name: p + "empty/", method: zip.Store, size: -1, crc: -1},
			ent{name: p + "a/", method: zip.Store, size: -1, crc: -1},
			e(p+"a/b/c.go", "package c\n"),
			e(p+"a/d.go", "package a\n"),
			ent{name: p + "link", data: "../../../etc/passwd", method: zip.Store, size: -1, crc: -1, mode: fs.ModeSymlink | 0o777},
			ent{name: p + "x/exec.sh", data: "#!/bin/sh\n", method: zip.Store, size: -1, crc: -1, mode: 0o755},
			e(p+"\u00e9t\u00e9.go", "package m\n"),
			e(p+"big.txt", big))},
		{"store_deflate.zip", m, v, raw(
			ent{name: p + "stored.txt", data: "same bytes\n", method: zip.Store, size: -1, crc: -1},
			ent{name: p + "deflated.txt", data: "same bytes\n", method: zip.Deflate, size: -1, crc: -1},
			e(p+"deflated_desc.txt", "same bytes\n"),
			ent{name: p + "stored_desc.txt", data: "same bytes\n", method: zip.Store, size: -1, crc: -1, desc: true})},
		{"zip64.zip", m, v, toZip64(raw(e(p+"go.mod", "module example.com/m\n"), e(p+"x.go", "package m\n")))},
		{"empty.zip", m, v, raw()},
		{"dup_dirs.zip", m, v, raw(
			ent{name: p + "d#", realName: p + "d/", data: "first", method: zip.Store, size: -1, crc: -1},
			e(p+"d/x.go", "package d\n"),
			ent{name: p + "d%", realName: p + "d/", data: "second", method: zip.Store, size: -1, crc: -1},
			ent{name: m + "@" + v + "#", realName: p, data: "p1", method: zip.Store, size: -1, crc: -1},
			ent{name: m + "@" + v + "%", realName: p, data: "p2", method: zip.Store, size: -1, crc: -1})},
		// Name checks (checkZip).
		{"slip.zip", m, v, raw(e(p+"../evil.go", "package evil\n"))},
		{"slip_inner.zip", m, v, raw(e(p+"a/../../evil.go", "package evil\n"))},
		{"absolute.zip", m, v, raw(e("/etc/evil", "x"))},
		{"double_slash.zip", m, v, raw(e(p+"a//b.go", "package a\n"), e(p+"/abs.go", "package a\n"))},
		{"backslash.zip", m, v, raw(e(p+"a\\..\\..\\evil.go", "package evil\n"))},
		{"dot_entries.zip", m, v, raw(e(p+"./x.go", "x"), e(p+"a/.", "x"), e(p+"..", "x"))},
		{"duplicate.zip", m, v, raw(e(p+"x.go", "package m\n"), e(p+"x.go", "package evil\n"))},
		{"casefold.zip", m, v, raw(e(p+"README", "a"), e(p+"readme", "b"))},
		{"casefold_dir.zip", m, v, raw(e(p+"A/x.go", "a"), e(p+"a/y.go", "b"))},
		{"casefold_kelvin.zip", m, v, raw(e(p+"k.go", "a"), e(p+"\u212a.go", "b"))},
		{"casefold_unicode.zip", m, v, raw(e(p+"\u00c9.go", "a"), e(p+"\u00e9.go", "b"), e(p+"\u0130.go", "c"), e(p+"i.go", "d"))},
		{"file_and_dir.zip", m, v, raw(e(p+"a", "file"), e(p+"a/b.go", "package b\n"))},
		{"dir_and_file.zip", m, v, raw(ent{name: p + "a/", method: zip.Store, size: -1, crc: -1}, e(p+"a", "file"))},
		{"gomod_subdir.zip", m, v, raw(e(p+"go.mod", "module example.com/m\n"), e(p+"sub/go.mod", "module example.com/m/sub\n"), e(p+"sub/GO.MOD", "x"))},
		{"gomod_upper.zip", m, v, raw(e(p+"GO.MOD", "module example.com/m\n"), e(p+"Go.Mod", "x"))},
		{"prefix.zip", m, v, raw(e(p+"go.mod", "module example.com/m\n"), e("example.com/other@v1.0.0/x.go", "package x\n"))},
		{"prefix_version.zip", m, v, raw(e("example.com/m@v1.0.1/x.go", "package x\n"))},
		{"bad_names.zip", m, v, raw(e(p+"a:b.go", "x"), e(p+"con.go", "x"), e(p+"x\x01.go", "x"), e(p+"trailing.", "x"))},
		{"nul_name.zip", m, v, raw(e(p+"a\x00b.go", "x"))},
		{"newline_name.zip", m, v, raw(e(p+"a\nb.go", "x"))},
		// Size limits (checkZip reads only the declared sizes).
		{"gomod_size.zip", m, v, raw(ent{name: p + "go.mod", data: "module example.com/m\n", method: zip.Store, size: 16<<20 + 1, crc: -1})},
		{"license_size.zip", m, v, raw(ent{name: p + "LICENSE", data: "x", method: zip.Store, size: 16<<20 + 1, crc: -1}, ent{name: p + "sub/LICENSE", data: "x", method: zip.Store, size: 16<<20 + 1, crc: -1})},
		{"total_size.zip", m, v, raw(ent{name: p + "a", data: "x", method: zip.Store, size: 300 << 20, crc: -1}, ent{name: p + "b", data: "x", method: zip.Store, size: 300 << 20, crc: -1}, e(p+"c/../d", "x"))},
		// Data checks (archive/zip while reading).
		{"bad_crc.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Store, size: -1, crc: 0x12345678})},
		{"bad_crc_deflate.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Deflate, size: -1, crc: 0x12345678})},
		{"bad_desc_crc.zip", m, v, corruptDescriptorCRC(raw(e(p+"x.go", "package m\n")))},
		{"size_larger.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Deflate, size: 4, crc: -1})},
		{"size_larger_store.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Store, size: 4, crc: -1})},
		{"size_smaller.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Deflate, size: 100, crc: -1})},
		{"size_smaller_store.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Store, size: 100, crc: -1})},
		{"method_bzip2.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: 12, size: -1, crc: -1})},
		{"empty_deflate.zip", m, v, raw(ent{name: p + "x.go", data: "", method: zip.Deflate, size: -1, crc: -1, rawBytes: []byte{}})},
		{"empty_bad_crc.zip", m, v, raw(ent{name: p + "x.go", data: "", method: zip.Store, size: -1, crc: 7})},
		{"crc_zero.zip", m, v, raw(ent{name: p + "x.go", data: "package m\n", method: zip.Store, size: -1, crc: 0})},
		{"corrupt_deflate.zip", m, v, corruptDeflate(raw(ent{name: p + "x.go", data: "package m\n", method: zip.Deflate, size: -1, crc: -1}), "package m\n")},
		// Layouts go reads but gmfetch refuses because libzip could read them differently.
		{"prepended.zip", m, v, append([]byte("#!/bin/sh\nexit 0\n"), raw(e(p+"x.go", "package m\n"))...)},
		{"two_ends.zip", m, v, twoEnds(raw(e(p+"x.go", "package m\n")))},
		{"not_a_zip.zip", m, v, []byte("this is not a zip file at all, just some text\n")},
		{"truncated.zip", m, v, raw(e(p+"x.go", "package m\n"))[:40]},
	}

	for _, f := range fixtures {
		name := filepath.Join(outDir, f.file)
		check(os.WriteFile(name, f.data, 0o644))
		if len(f.data) >= 50<<10 {
			panic(f.file + " is too large for a fixture")
		}
		fmt.Printf("== %s (%s@%s, %d bytes)\n", f.file, f.path, f.version, len(f.data))
		report(name, f.path, f.version)
	}

	// Unzip's module checks, before any entry is looked at.
	hello := filepath.Join(outDir, "hello.zip")
	for _, mv := range [][2]string{{"example.com/hello", "v1.0"}, {"example.com/hello", "master"},
		{"example.com/hello/v2", "v1.0.0"}, {"Example.com/hello", "v1.0.0"}} {
		fmt.Printf("== hello.zip as %s@%s\n", mv[0], mv[1])
		report(hello, mv[0], mv[1])
	}

	// A zip over the size limit, not kept as a fixture: one stored entry of 500 MiB + 1
	// zero bytes, which the unit test rebuilds byte-for-byte as a sparse file.
	tmp, err := os.MkdirTemp("", "mkzips-big")
	check(err)
	defer os.RemoveAll(tmp)
	bigZip := filepath.Join(tmp, "big.zip")
	f, err := os.Create(bigZip)
	check(err)
	zw := zip.NewWriter(f)
	const n = 500<<20 + 1
	w, err := zw.CreateRaw(&zip.FileHeader{Name: p + "big", Method: zip.Store,
		CompressedSize64: n, UncompressedSize64: n})
	check(err)
	zero := make([]byte, 1<<20)
	for left := n; left > 0; {
		k := len(zero)
		if left < k {
			k = left
		}
		_, err = w.Write(zero[:k])
		check(err)
		left -= k
	}
	check(zw.Close())
	check(f.Close())
	fmt.Printf("== oversized zip (%s, sparse in the test)\n", p+"big")
	report(bigZip, m, v)
}

// report prints HashZip and the outcome of Unzip into a fresh directory (error text
// without the "unzip <file>: " wrapper, or the extracted files with modes and contents).
func report(zipFile, path, version string) {
	h, err := dirhash.HashZip(zipFile, dirhash.Hash1)
	if err != nil {
		fmt.Printf("hash:  error: %v\n", err)
	} else {
		fmt.Printf("hash:  %s\n", h)
	}
	dir, err := os.MkdirTemp("", "mkzips-unzip")
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
	filepath.Walk(target, func(p string, info fs.FileInfo, err error) error {
		check(err)
		rel, _ := filepath.Rel(target, p)
		if info.IsDir() {
			lines = append(lines, fmt.Sprintf("  dir  %s", rel))
			return nil
		}
		b, err := os.ReadFile(p)
		check(err)
		c := string(b)
		if len(c) > 40 {
			c = c[:40] + "..."
		}
		lines = append(lines, fmt.Sprintf("  %v %s %q", info.Mode(), rel, c))
		return nil
	})
	sort.Strings(lines)
	fmt.Println("unzip: ok")
	for _, l := range lines {
		fmt.Println(l)
	}
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
