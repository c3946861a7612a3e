// Command txtar2proxy turns the go command's own test modules (txtar archives, as in
// $GOROOT/src/cmd/go/testdata/mod) into a static GOPROXY tree that serves what go's test proxy
// (cmd/go/proxy_test.go in go 1.19) serves for them.
//
// Usage: txtar2proxy -in $GOROOT/src/cmd/go/testdata/mod -out DIR
//
// An archive is named <escaped path with '/' as '_'>_<escaped version>.txt, e.g.
// rsc.io_!q!u!o!t!e_v1.5.2.txt is rsc.io/QUOTE v1.5.2. Names that do not unescape to a module
// path and version are skipped, as go's proxy skips them. For each archive, under
// <out>/<escaped path>/@v/:
//
//	<escaped version>.info  the "-- .info --" section, byte for byte (absent section: no file)
//	<escaped version>.mod   the "-- .mod --" section, byte for byte (absent section: no file)
//	<escaped version>.zip   every other section, in archive order, as <path>@<version>/<name>;
//	                        made by golang.org/x/mod/zip.Create. A section named "/x" is stored
//	                        as "x" (no prefix). The few archives that x/mod/zip refuses or
//	                        would thin out (bad file names, such a "/x" entry, files it omits)
//	                        are written with archive/zip exactly as go's test proxy writes them,
//	                        since they exist to make the go command fail; they are listed in
//	                        <out>/rawzips.txt with the reason.
//	list                    the versions of the module that are not pseudo-versions and pass
//	                        module.Check, in archive-name order (go's proxy lists them in
//	                        directory order); empty when it has only pseudo-versions
//
// and <out>/<escaped path>/@latest with the .info of the version go's test proxy answers for
// @latest (its selection rule is reproduced as written, see latest below). Requests by commit
// hash (go's proxy maps a hex prefix to a version) are not reproduced: a static tree cannot.
// <out>/h1sums.txt gets the h1: hashes of every zip and .mod, go.sum style.
//
// Build in GOPATH mode: GO111MODULE=off GOPATH=/usr/share/gocode go build -o txtar2proxy .
package main

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

func main() {
	in := flag.String("in", "", "directory of txtar module archives")
	out := flag.String("out", "", "output GOPROXY directory (must not exist)")
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: txtar2proxy -in DIR -out DIR")
		os.Exit(2)
	}
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "txtar2proxy:", err)
		os.Exit(1)
	}
}

// section is one "-- name --" part of a txtar archive.
type section struct {
	name string
	data []byte
}

type archive struct {
	file          string // archive file name, for messages
	path, version string
	escPath       string
	sections      []section
}

func (a *archive) get(name string) ([]byte, bool) {
	for _, s := range a.sections {
		if s.name == name {
			return s.data, true
		}
	}
	return nil, false
}

func run(in, out string) error {
	entries, err := os.ReadDir(in) // sorted by name, like go's proxy reads its module list
	if err != nil {
		return err
	}
	var archives []*archive
	for _, e := range entries {
		a, err := readArchive(in, e.Name())
		if err != nil {
			return err
		}
		if a != nil {
			archives = append(archives, a)
		}
	}
	if err := os.Mkdir(out, 0o777); err != nil {
		return err
	}
	var sums, raw []string
	byPath := map[string][]*archive{}
	var paths []string
	for _, a := range archives {
		if byPath[a.path] == nil {
			paths = append(paths, a.path)
		}
		byPath[a.path] = append(byPath[a.path], a)
		s, why, err := writeVersion(out, a)
		if err != nil {
			return fmt.Errorf("%s: %v", a.file, err)
		}
		sums = append(sums, s...)
		if why != "" {
			raw = append(raw, fmt.Sprintf("%s %s: %s\n", a.path, a.version, why))
		}
	}
	for _, p := range paths {
		if err := writeListAndLatest(out, byPath[p]); err != nil {
			return err
		}
	}
	sort.Strings(sums)
	err = os.WriteFile(filepath.Join(out, "h1sums.txt"), []byte(strings.Join(sums, "")), 0o666)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "rawzips.txt"), []byte(strings.Join(raw, "")), 0o666)
}

// readArchive parses one archive; it returns nil for names go's proxy does not serve (no
// ".txt" suffix, no "_v", or a path or version that does not unescape).
func readArchive(dir, name string) (*archive, error) {
	if !strings.HasSuffix(name, ".txt") {
		return nil, nil
	}
	base := strings.TrimSuffix(name, ".txt")
	i := strings.LastIndex(base, "_v")
	if i < 0 {
		return nil, nil
	}
	escPath := strings.ReplaceAll(base[:i], "_", "/")
	path, err := module.UnescapePath(escPath)
	if err != nil {
		return nil, nil
	}
	version, err := module.UnescapeVersion(base[i+1:])
	if err != nil {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return &archive{file: name, path: path, version: version, escPath: escPath,
		sections: parseTxtar(data)}, nil
}

// parseTxtar splits txtar data into sections. A marker is a whole line "-- NAME --" (NAME
// trimmed of spaces); the text before the first marker is a comment. A section's data runs to
// the newline before the next marker; the last section gets a final newline if it lacks one.
func parseTxtar(data []byte) []section {
	var secs []section
	name, rest, found := "", data, false
	// skip the comment
	for off := 0; ; {
		if n, after, ok := markerAt(rest[off:]); ok {
			name, rest, found = n, after, true
			break
		}
		j := bytes.Index(rest[off:], []byte("\n-- "))
		if j < 0 {
			break
		}
		off += j + 1
	}
	for found {
		found = false
		body := rest
		for off := 0; ; {
			if n, after, ok := markerAt(rest[off:]); ok {
				body = rest[:off]
				secs = append(secs, section{name, body})
				name, rest, found = n, after, true
				break
			}
			j := bytes.Index(rest[off:], []byte("\n-- "))
			if j < 0 {
				if len(body) > 0 && body[len(body)-1] != '\n' {
					body = append(append([]byte(nil), body...), '\n')
				}
				secs = append(secs, section{name, body})
				break
			}
			off += j + 1
		}
	}
	return secs
}

// markerAt reports whether b starts with a marker line and returns its name and what follows.
func markerAt(b []byte) (name string, after []byte, ok bool) {
	if !bytes.HasPrefix(b, []byte("-- ")) {
		return "", nil, false
	}
	line := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line, after = b[:i], b[i+1:]
	}
	if len(line) < 6 || !bytes.HasSuffix(line, []byte(" --")) {
		return "", nil, false
	}
	name = strings.TrimSpace(string(line[3 : len(line)-3]))
	return name, after, name != ""
}

// memFile is a zip member for golang.org/x/mod/zip.Create.
type memFile struct {
	name string
	data []byte
}

func (f memFile) Path() string                { return f.name }
func (f memFile) Lstat() (os.FileInfo, error) { return memInfo{f}, nil }
func (f memFile) Open() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

type memInfo struct{ f memFile }

func (i memInfo) Name() string       { return filepath.Base(i.f.name) }
func (i memInfo) Size() int64        { return int64(len(i.f.data)) }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() interface{}   { return nil }

// writeVersion writes .info, .mod and .zip of one archive and returns their go.sum lines and,
// when the zip had to be written without x/mod/zip, why.
func writeVersion(out string, a *archive) (sums []string, raw string, err error) {
	ev, err := module.EscapeVersion(a.version)
	if err != nil {
		return nil, "", err
	}
	vdir := filepath.Join(out, filepath.FromSlash(a.escPath), "@v")
	if err := os.MkdirAll(vdir, 0o777); err != nil {
		return nil, "", err
	}
	base := filepath.Join(vdir, ev)
	if info, ok := a.get(".info"); ok {
		if err := os.WriteFile(base+".info", info, 0o666); err != nil {
			return nil, "", err
		}
	}
	gomod, haveMod := a.get(".mod")
	if haveMod {
		if err := os.WriteFile(base+".mod", gomod, 0o666); err != nil {
			return nil, "", err
		}
	}

	var files []modzip.File
	for _, s := range a.sections {
		switch {
		case s.name == ".info" || s.name == ".mod" || s.name == ".zip":
			// not zip content in go's proxy
		case strings.HasPrefix(s.name, "/"):
			raw = "entry " + s.name + " is stored without the path@version/ prefix"
		default:
			files = append(files, memFile{s.name, s.data})
		}
	}
	if raw == "" {
		if err := module.Check(a.path, a.version); err != nil {
			raw = "x/mod/zip refuses the module version: " + err.Error()
		}
	}
	if raw == "" {
		cf, _ := modzip.CheckFiles(files)
		if err := cf.Err(); err != nil {
			raw = "x/mod/zip refuses it: " + strings.ReplaceAll(err.Error(), "\n", "; ")
		} else if len(cf.Omitted) > 0 {
			raw = fmt.Sprintf("x/mod/zip would omit %s (%v)", cf.Omitted[0].Path, cf.Omitted[0].Err)
		}
	}
	var zbuf bytes.Buffer
	if raw == "" {
		err = modzip.Create(&zbuf, module.Version{Path: a.path, Version: a.version}, files)
	} else {
		err = rawZip(&zbuf, a)
	}
	if err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(base+".zip", zbuf.Bytes(), 0o666); err != nil {
		return nil, "", err
	}

	zh, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return nil, "", err
	}
	sums = append(sums, fmt.Sprintf("%s %s %s\n", a.path, a.version, zh))
	if haveMod {
		mh, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(gomod)), nil
		})
		if err != nil {
			return nil, "", err
		}
		sums = append(sums, fmt.Sprintf("%s %s/go.mod %s\n", a.path, a.version, mh))
	}
	return sums, raw, nil
}

// rawZip writes the zip the way go's test proxy does: archive/zip, default (deflate) method,
// every non-.info/.mod/.zip section in order, named path@version/NAME or, for "/NAME", NAME.
func rawZip(w io.Writer, a *archive) error {
	zw := zip.NewWriter(w)
	for _, s := range a.sections {
		if s.name == ".info" || s.name == ".mod" || s.name == ".zip" {
			continue
		}
		name := a.path + "@" + a.version + "/" + s.name
		if strings.HasPrefix(s.name, "/") {
			name = s.name[1:]
		}
		fw, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(s.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeListAndLatest writes @v/list and @latest for the archives of one module path (in
// archive-name order).
func writeListAndLatest(out string, as []*archive) error {
	dir := filepath.Join(out, filepath.FromSlash(as[0].escPath))
	var list strings.Builder
	for _, a := range as {
		if !module.IsPseudoVersion(a.version) && module.Check(a.path, a.version) == nil {
			list.WriteString(a.version + "\n")
		}
	}
	err := os.WriteFile(filepath.Join(dir, "@v", "list"), []byte(list.String()), 0o666)
	if err != nil {
		return err
	}
	v := latest(as)
	for _, a := range as {
		if a.version != v {
			continue
		}
		if info, ok := a.get(".info"); ok {
			return os.WriteFile(filepath.Join(dir, "@latest"), info, 0o666)
		}
	}
	return nil
}

// latest reproduces the @latest choice of go 1.19's proxy_test.go as written: a version
// replaces the current pick of its kind when it sorts *below* it, and a pseudo-version that
// does not sort below the current pseudo pick is treated as a prerelease. Releases win over
// prereleases, which win over pseudo-versions.
func latest(as []*archive) string {
	var rel, pre, pseudo string
	for _, a := range as {
		v := a.version
		switch {
		case module.IsPseudoVersion(v) && (pseudo == "" || semver.Compare(pseudo, v) > 0):
			pseudo = v
		case semver.Prerelease(v) != "" && (pre == "" || semver.Compare(pre, v) > 0):
			pre = v
		case rel == "" || semver.Compare(rel, v) > 0:
			rel = v
		}
	}
	switch {
	case rel != "":
		return rel
	case pre != "":
		return pre
	}
	return pseudo
}
