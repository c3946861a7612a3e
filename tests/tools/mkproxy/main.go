// Command mkproxy turns the e2e corpus into a static GOPROXY tree.
//
// Usage: mkproxy -corpus tests/data/corpus -out DIR
//
// Every directory <corpus>/<module path>@<version>/ is one module version. For each one
// mkproxy writes, under <out>/<escaped path>/@v/:
//
//	<escaped version>.mod   the module's go.mod, or "module <path>\n" when it has none
//	<escaped version>.zip   made by golang.org/x/mod/zip.CreateFromDir (never zip -r)
//	<escaped version>.info  {"Version":...,"Time":...}; the time is fixed per version
//	list                    every version of the module, semver-sorted
//
// A sibling file <corpus>/<module path>@<version>.info replaces the generated .info bytes
// verbatim (used to test how clients re-encode .info). <corpus>/generated.txt lists large
// pseudo-random files that are added to a module's zip at build time, so that nothing big is
// committed. <out>/h1sums.txt gets the h1: hashes of every zip and .mod, go.sum style.
//
// Build in GOPATH mode: GO111MODULE=off GOPATH=/usr/share/gocode go build -o mkproxy .
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// genFile is one line of generated.txt: "<path>@<version> <file> <size> <seed>".
type genFile struct {
	rel  string
	size int64
	seed uint64
}

type modVersion struct {
	path, version, dir string
	gen                []genFile
}

func main() {
	corpus := flag.String("corpus", "", "corpus directory")
	out := flag.String("out", "", "output GOPROXY directory (must not exist)")
	flag.Parse()
	if *corpus == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: mkproxy -corpus DIR -out DIR")
		os.Exit(2)
	}
	if err := run(*corpus, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkproxy:", err)
		os.Exit(1)
	}
}

func run(corpus, out string) error {
	mods, err := findModules(corpus)
	if err != nil {
		return err
	}
	if err := readGenerated(corpus, mods); err != nil {
		return err
	}
	if err := os.Mkdir(out, 0o777); err != nil {
		return err
	}
	byPath := map[string][]*modVersion{}
	for _, m := range mods {
		byPath[m.path] = append(byPath[m.path], m)
	}
	var sums []string
	for path, vs := range byPath {
		sort.Slice(vs, func(i, j int) bool { return semver.Compare(vs[i].version, vs[j].version) < 0 })
		ep, err := module.EscapePath(path)
		if err != nil {
			return err
		}
		vdir := filepath.Join(out, filepath.FromSlash(ep), "@v")
		if err := os.MkdirAll(vdir, 0o777); err != nil {
			return err
		}
		var list strings.Builder
		for i, m := range vs {
			list.WriteString(m.version + "\n")
			s, err := writeVersion(corpus, vdir, m, i)
			if err != nil {
				return fmt.Errorf("%s@%s: %v", m.path, m.version, err)
			}
			sums = append(sums, s...)
		}
		if err := os.WriteFile(filepath.Join(vdir, "list"), []byte(list.String()), 0o666); err != nil {
			return err
		}
	}
	sort.Strings(sums)
	return os.WriteFile(filepath.Join(out, "h1sums.txt"), []byte(strings.Join(sums, "")), 0o666)
}

// findModules returns every <path>@<version> directory below corpus.
func findModules(corpus string) ([]*modVersion, error) {
	var mods []*modVersion
	err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || !strings.Contains(d.Name(), "@") {
			return nil
		}
		rel, err := filepath.Rel(corpus, p)
		if err != nil {
			return err
		}
		at := strings.LastIndex(rel, "@")
		path, version := filepath.ToSlash(rel[:at]), rel[at+1:]
		if err := module.Check(path, version); err != nil {
			return err
		}
		if module.CanonicalVersion(version) != version {
			return fmt.Errorf("%s: version is not canonical", p)
		}
		mods = append(mods, &modVersion{path: path, version: version, dir: p})
		return filepath.SkipDir
	})
	return mods, err
}

func readGenerated(corpus string, mods []*modVersion) error {
	f, err := os.Open(filepath.Join(corpus, "generated.txt"))
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 {
			return fmt.Errorf("generated.txt:%d: want 4 fields", n)
		}
		size, err1 := strconv.ParseInt(fields[2], 10, 64)
		seed, err2 := strconv.ParseUint(fields[3], 10, 64)
		if err1 != nil || err2 != nil || size < 0 {
			return fmt.Errorf("generated.txt:%d: bad size or seed", n)
		}
		found := false
		for _, m := range mods {
			if m.path+"@"+m.version == fields[0] {
				m.gen = append(m.gen, genFile{rel: fields[1], size: size, seed: seed})
				found = true
			}
		}
		if !found {
			return fmt.Errorf("generated.txt:%d: no module %s in corpus", n, fields[0])
		}
	}
	return sc.Err()
}

func writeVersion(corpus, vdir string, m *modVersion, index int) ([]string, error) {
	ev, err := module.EscapeVersion(m.version)
	if err != nil {
		return nil, err
	}
	base := filepath.Join(vdir, ev)

	info, err := os.ReadFile(m.dir + ".info")
	if os.IsNotExist(err) {
		// Fixed time per version: one day apart in semver order, so runs are reproducible.
		t := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(index) * 24 * time.Hour)
		info, err = json.Marshal(struct {
			Version string
			Time    time.Time
		}{m.version, t})
	}
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".info", info, 0o666); err != nil {
		return nil, err
	}

	gomod, err := os.ReadFile(filepath.Join(m.dir, "go.mod"))
	if os.IsNotExist(err) {
		// What proxy.golang.org serves for a module without go.mod.
		gomod, err = []byte("module "+m.path+"\n"), nil
	}
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o666); err != nil {
		return nil, err
	}

	src := m.dir
	if len(m.gen) > 0 {
		stage, err := os.MkdirTemp("", "mkproxy-stage-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(stage)
		if err := copyTree(m.dir, stage); err != nil {
			return nil, err
		}
		for _, g := range m.gen {
			if err := writeRandom(filepath.Join(stage, filepath.FromSlash(g.rel)), g.size, g.seed); err != nil {
				return nil, err
			}
		}
		src = stage
	}
	zf, err := os.Create(base + ".zip")
	if err != nil {
		return nil, err
	}
	if err := modzip.CreateFromDir(zf, module.Version{Path: m.path, Version: m.version}, src); err != nil {
		zf.Close()
		return nil, err
	}
	if err := zf.Close(); err != nil {
		return nil, err
	}

	zh, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return nil, err
	}
	mh, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(string(gomod))), nil
	})
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("%s %s %s\n", m.path, m.version, zh),
		fmt.Sprintf("%s %s/go.mod %s\n", m.path, m.version, mh),
	}, nil
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o777)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o666)
	})
}

// writeRandom writes size bytes of splitmix64 output seeded with seed: incompressible,
// reproducible, and cheap to regenerate in any language.
func writeRandom(name string, size int64, seed uint64) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o777); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	state := seed
	var word [8]byte
	for left := size; left > 0; left -= 8 {
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		binary.LittleEndian.PutUint64(word[:], z)
		n := int64(8)
		if left < n {
			n = left
		}
		if _, err := w.Write(word[:n]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
