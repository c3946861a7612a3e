// Command mkcorpus turns a manifest of module source trees into a static GOPROXY tree, for the
// benchmark (bench/corpus.py writes the manifest). It is adapted from tests/tools/mkproxy:
// same zip rules (golang.org/x/mod/zip), escaping and .info format, but the module contents
// come from arbitrary directories (Debian's /usr/share/gocode/src trees) with the go.mod
// replaced, nested module roots excluded, and optional large pseudo-random files added.
//
// Usage: mkcorpus -manifest FILE -out DIR [-j N]
//
// Manifest: one JSON object per line:
//
//	{"path": "...", "version": "v1.2.3", "dir": "/src/tree", "exclude": ["sub/dir"],
//	 "gomod": "module ...\n", "time": "2022-01-02T03:04:05Z", "modonly": false,
//	 "gen": [{"file": "blob.bin", "size": 1048576, "seed": 1}]}
//
// modonly versions get .info and .mod only (a version that only appears in go.mod files).
// Output, per version under <out>/<escaped path>/@v/: .info, .mod, .zip (unless modonly),
// and list; <out>/h1sums.txt (go.sum lines) and <out>/sizes.tsv (path version zip-bytes).
//
// Build in GOPATH mode: GO111MODULE=off GOPATH=/usr/share/gocode go build -o mkcorpus .
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

type genFile struct {
	File string `json:"file"`
	Size int64  `json:"size"`
	Seed uint64 `json:"seed"`
}

type entry struct {
	Path    string    `json:"path"`
	Version string    `json:"version"`
	Dir     string    `json:"dir"`
	Exclude []string  `json:"exclude"`
	GoMod   string    `json:"gomod"`
	Time    string    `json:"time"`
	ModOnly bool      `json:"modonly"`
	Gen     []genFile `json:"gen"`

	sums []string
	size int64
	err  error
}

func main() {
	manifest := flag.String("manifest", "", "manifest file (JSON lines)")
	out := flag.String("out", "", "output GOPROXY directory (must not exist)")
	jobs := flag.Int("j", runtime.NumCPU(), "zips built at once")
	check := flag.Bool("check", false, "print the entries the zip rules refuse, write nothing")
	flag.Parse()
	if *manifest == "" || (*out == "") == !*check || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: mkcorpus -manifest FILE (-out DIR [-j N] | -check)")
		os.Exit(2)
	}
	var err error
	if *check {
		err = checkAll(*manifest)
	} else {
		err = run(*manifest, *out, *jobs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkcorpus:", err)
		os.Exit(1)
	}
}

func run(manifest, out string, jobs int) error {
	entries, err := readManifest(manifest)
	if err != nil {
		return err
	}
	if err := os.Mkdir(out, 0o777); err != nil {
		return err
	}
	byPath := map[string][]*entry{}
	for _, e := range entries {
		byPath[e.Path] = append(byPath[e.Path], e)
	}
	for path, vs := range byPath {
		sort.Slice(vs, func(i, j int) bool { return semver.Compare(vs[i].Version, vs[j].Version) < 0 })
		var list strings.Builder
		for _, e := range vs {
			list.WriteString(e.Version + "\n")
		}
		vdir, err := versionDir(out, path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(vdir, 0o777); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(vdir, "list"), []byte(list.String()), 0o666); err != nil {
			return err
		}
	}

	work := make(chan *entry)
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				e.err = writeVersion(out, e)
			}
		}()
	}
	for _, e := range entries {
		work <- e
	}
	close(work)
	wg.Wait()

	var sums, sizes []string
	for _, e := range entries {
		if e.err != nil {
			return fmt.Errorf("%s@%s: %v", e.Path, e.Version, e.err)
		}
		sums = append(sums, e.sums...)
		if !e.ModOnly {
			sizes = append(sizes, fmt.Sprintf("%s\t%s\t%d\n", e.Path, e.Version, e.size))
		}
	}
	sort.Strings(sums)
	sort.Strings(sizes)
	if err := os.WriteFile(filepath.Join(out, "h1sums.txt"), []byte(strings.Join(sums, "")), 0o666); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "sizes.tsv"), []byte(strings.Join(sizes, "")), 0o666)
}

// checkAll prints "<path>@<version>\t<reason>" for every entry that module.Check or the zip
// file rules (modzip.CheckFiles) refuse.
func checkAll(manifest string) error {
	entries, err := readManifestLoose(manifest)
	if err != nil {
		return err
	}
	for _, e := range entries {
		why := ""
		if err := module.Check(e.Path, e.Version); err != nil {
			why = err.Error()
		} else if module.CanonicalVersion(e.Version) != e.Version {
			why = "version is not canonical"
		} else if !e.ModOnly {
			files, err := listFiles(e)
			if err == nil {
				var cf modzip.CheckedFiles
				cf, err = modzip.CheckFiles(files)
				if err == nil {
					err = cf.Err()
				}
			}
			if err != nil {
				why = strings.ReplaceAll(err.Error(), "\n", "; ")
			}
		}
		if why != "" {
			fmt.Printf("%s@%s\t%s\n", e.Path, e.Version, why)
		}
	}
	return nil
}

func readManifestLoose(name string) ([]*entry, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []*entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		e := &entry{}
		if err := json.Unmarshal(sc.Bytes(), e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		entries = append(entries, e)
	}
	return entries, sc.Err()
}

func readManifest(name string) ([]*entry, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []*entry
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		e := &entry{}
		if err := json.Unmarshal(sc.Bytes(), e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		if err := module.Check(e.Path, e.Version); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		if module.CanonicalVersion(e.Version) != e.Version {
			return nil, fmt.Errorf("%s:%d: version %s is not canonical", name, n, e.Version)
		}
		key := e.Path + "@" + e.Version
		if seen[key] {
			return nil, fmt.Errorf("%s:%d: %s listed twice", name, n, key)
		}
		seen[key] = true
		entries = append(entries, e)
	}
	return entries, sc.Err()
}

func versionDir(out, path string) (string, error) {
	ep, err := module.EscapePath(path)
	if err != nil {
		return "", err
	}
	return filepath.Join(out, filepath.FromSlash(ep), "@v"), nil
}

func writeVersion(out string, e *entry) error {
	vdir, err := versionDir(out, e.Path)
	if err != nil {
		return err
	}
	ev, err := module.EscapeVersion(e.Version)
	if err != nil {
		return err
	}
	base := filepath.Join(vdir, ev)
	t, err := time.Parse(time.RFC3339, e.Time)
	if err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{e.Version, t})
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".info", info, 0o666); err != nil {
		return err
	}
	if err := os.WriteFile(base+".mod", []byte(e.GoMod), 0o666); err != nil {
		return err
	}
	mh, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(e.GoMod)), nil
	})
	if err != nil {
		return err
	}
	e.sums = append(e.sums, fmt.Sprintf("%s %s/go.mod %s\n", e.Path, e.Version, mh))
	if e.ModOnly {
		return nil
	}

	files, err := listFiles(e)
	if err != nil {
		return err
	}
	zf, err := os.Create(base + ".zip")
	if err != nil {
		return err
	}
	if err := modzip.Create(zf, module.Version{Path: e.Path, Version: e.Version}, files); err != nil {
		zf.Close()
		return err
	}
	if err := zf.Close(); err != nil {
		return err
	}
	st, err := os.Stat(base + ".zip")
	if err != nil {
		return err
	}
	e.size = st.Size()
	zh, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return err
	}
	e.sums = append(e.sums, fmt.Sprintf("%s %s %s\n", e.Path, e.Version, zh))
	return nil
}

// zipFile is one file of a module: on disk, in memory (go.mod) or generated (seeded PRNG).
type zipFile struct {
	path string
	disk string
	data []byte
	gen  *genFile
	info os.FileInfo
}

func (f zipFile) Path() string                { return f.path }
func (f zipFile) Lstat() (os.FileInfo, error) { return f.info, nil }
func (f zipFile) Open() (io.ReadCloser, error) {
	switch {
	case f.gen != nil:
		return io.NopCloser(io.LimitReader(&splitmix{state: f.gen.Seed}, f.gen.Size)), nil
	case f.data != nil:
		return io.NopCloser(strings.NewReader(string(f.data))), nil
	default:
		return os.Open(f.disk)
	}
}

// memInfo is the FileInfo of a file that is not on disk: modzip.Create only needs a regular
// mode and the size.
type memInfo struct {
	name string
	size int64
}

func (m memInfo) Name() string       { return m.name }
func (m memInfo) Size() int64        { return m.size }
func (m memInfo) Mode() os.FileMode  { return 0o644 }
func (m memInfo) ModTime() time.Time { return time.Time{} }
func (m memInfo) IsDir() bool        { return false }
func (m memInfo) Sys() interface{}   { return nil }

// listFiles applies CreateFromDir's directory rules (VCS dirs, nested go.mod dirs, vendored
// packages, irregular files are left out) plus the manifest's excludes, drops the tree's own
// go.mod/go.sum and adds the manifest's go.mod and generated files.
func listFiles(e *entry) ([]modzip.File, error) {
	excl := map[string]bool{}
	for _, x := range e.Exclude {
		excl[x] = true
	}
	var files []modzip.File
	if e.Dir != "" {
		err := filepath.Walk(e.Dir, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(e.Dir, p)
			if err != nil {
				return err
			}
			slash := filepath.ToSlash(rel)
			if info.IsDir() {
				if p == e.Dir {
					return nil
				}
				if excl[slash] {
					return filepath.SkipDir
				}
				switch info.Name() {
				case ".bzr", ".git", ".hg", ".svn":
					return filepath.SkipDir
				}
				if st, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil && !st.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if isVendored(slash) || !info.Mode().IsRegular() {
				return nil
			}
			if slash == "go.mod" || slash == "go.sum" {
				return nil
			}
			files = append(files, zipFile{path: slash, disk: p, info: info})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	files = append(files, zipFile{path: "go.mod", data: []byte(e.GoMod),
		info: memInfo{"go.mod", int64(len(e.GoMod))}})
	for i := range e.Gen {
		g := &e.Gen[i]
		files = append(files, zipFile{path: g.File, gen: g, info: memInfo{filepath.Base(g.File), g.Size}})
	}
	return files, nil
}

// isVendored mirrors x/mod/zip's rule (including golang.org/issue/31562): files in vendor/
// subdirectories are left out, vendor/modules.txt and files directly in vendor/ are kept.
func isVendored(name string) bool {
	var i int
	if strings.HasPrefix(name, "vendor/") {
		i += len("vendor/")
	} else if j := strings.Index(name, "/vendor/"); j >= 0 {
		i += j + len("/vendor/")
	} else {
		return false
	}
	return strings.Contains(name[i:], "/")
}

// splitmix produces the same incompressible stream as mkproxy's writeRandom.
type splitmix struct {
	state uint64
	buf   [8]byte
	n     int
}

func (s *splitmix) Read(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		if s.n == 0 {
			s.state += 0x9e3779b97f4a7c15
			z := s.state
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
			z = (z ^ (z >> 27)) * 0x94d049bb133111eb
			z ^= z >> 31
			binary.LittleEndian.PutUint64(s.buf[:], z)
			s.n = 8
		}
		c := copy(p[done:], s.buf[8-s.n:])
		s.n -= c
		done += c
	}
	return done, nil
}
