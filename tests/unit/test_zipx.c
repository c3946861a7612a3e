#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "gmfetch/zipx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <time.h>
#include <zip.h>

#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

/* Provenance of every expected value below.
 *
 * The zips in tests/data/zips/ are written by tests/tools/mkzips.go (see the README there),
 * which also prints what stock go makes of each: golang.org/x/mod/sumdb/dirhash.HashZip
 * ("hash:") and golang.org/x/mod/zip.Unzip into a fresh directory ("unzip:", its error
 * without the "unzip <file>: " wrapper, or the files it wrote with their modes).  Those
 * printed strings are pasted here verbatim.  Download-time messages ("zip for ... has
 * unexpected file ...", and data errors go reports while hashing) were taken from stock
 * `go mod download -json` run by tests/tools/godownload.sh against a file:// proxy holding
 * the fixture.  Cases marked GMFETCH are deliberate deviations (stricter than go), with
 * gmfetch's own text. */

#define BIG_PATTERN "0123456789abcdef" /* big.txt is this, 20000 times */
#define BIG_SIZE (16 * 20000)

static char *data_path(const char *file)
{
    const char *root = getenv("GMFETCH_TEST_DATA");

    cr_assert_not_null(root, "GMFETCH_TEST_DATA must point at tests/data");
    return gmf_xasprintf("%s/zips/%s", root, file);
}

/* Hostile fixtures written by tests/fuzz/mkseeds.go (also seeds of the zipx fuzzer). */
static char *hostile_path(const char *file)
{
    const char *root = getenv("GMFETCH_TEST_DATA");

    cr_assert_not_null(root, "GMFETCH_TEST_DATA must point at tests/data");
    return gmf_xasprintf("%s/../fuzz/corpus/zipx/%s", root, file);
}

static char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    char *p = gmf_xasprintf("%s/test_zipx.XXXXXX", t && *t ? t : "/tmp");

    cr_assert_not_null(mkdtemp(p), "mkdtemp: %s", strerror(errno));
    return p;
}

static void rm_tree(char *p)
{
    cr_assert_eq(gmf_fs_remove_all(p, NULL), GMF_OK);
    free(p);
}

static void setup(void)
{
    /* go creates files 0444 and directories 0777 through the umask; fix it for the test. */
    umask(022);
}

TestSuite(zipx, .init = setup);

/* ---- listing an extracted tree ---- */

struct listing {
    char **files; /* "rel" */
    size_t nfiles, cap_f;
    char **dirs;
    size_t ndirs, cap_d;
};

static void walk(const char *root, const char *rel, struct listing *l)
{
    char *dir = rel[0] ? gmf_xasprintf("%s/%s", root, rel) : gmf_xstrdup(root);
    DIR *d = opendir(dir);
    struct dirent *de;

    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        char *child, *full;
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        child = rel[0] ? gmf_xasprintf("%s/%s", rel, de->d_name) : gmf_xstrdup(de->d_name);
        full = gmf_xasprintf("%s/%s", root, child);
        cr_assert_eq(lstat(full, &st), 0, "lstat %s", full);
        if (S_ISDIR(st.st_mode)) {
            GMF_GROW(l->dirs, l->cap_d, l->ndirs + 1);
            l->dirs[l->ndirs++] = gmf_xstrdup(child);
            walk(root, child, l);
        } else {
            cr_assert(S_ISREG(st.st_mode), "%s is not a regular file (mode %o)", child,
                      (unsigned)st.st_mode);
            cr_assert_eq(st.st_mode & 07777, 0444, "%s has mode %o, want 0444", child,
                         (unsigned)(st.st_mode & 07777));
            GMF_GROW(l->files, l->cap_f, l->nfiles + 1);
            l->files[l->nfiles++] = gmf_xstrdup(child);
        }
        free(full);
        free(child);
    }
    closedir(d);
    free(dir);
}

static void listing_free(struct listing *l)
{
    size_t i;

    for (i = 0; i < l->nfiles; i++)
        free(l->files[i]);
    for (i = 0; i < l->ndirs; i++)
        free(l->dirs[i]);
    free(l->files);
    free(l->dirs);
}

static bool in_list(char **list, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

static char *read_all(const char *path, size_t *ret_len)
{
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    cr_assert_eq(gmf_fs_read_file(path, GMF_BUF_UNLIMITED, &b, NULL), GMF_OK, "read %s", path);
    return gmf_buf_detach(&b, ret_len);
}

/* ---- zips go accepts: hash and extracted tree ---- */

struct good_case {
    const char *file;
    const char *path;
    const char *version;
    const char *h1;          /* dirhash.HashZip */
    const char *const *files; /* rel, content, rel, content, ..., NULL (from Unzip) */
    const char *const *dirs;  /* NULL-terminated */
    bool hostile;             /* in tests/fuzz/corpus/zipx, not tests/data/zips */
};

static const char *const hello_files[] = {
    "LICENSE", "Public domain.\n",
    "go.mod", "module example.com/hello\n\ngo 1.17\n",
    "hello.go", "package hello\n\nfunc Hello() string { return \"hello\" }\n",
    NULL};
static const char *const no_dirs[] = {NULL};
static const char *const mixed_files[] = {
    "README", "",
    "Z.go", "package mixed\n",
    "a.go", "package mixed\n",
    "go.mod", "module github.com/Example/Mixed/v2\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n",
    "sub.go", "package mixed\n\nimport _ \"github.com/Example/Mixed/v2/sub\"\n",
    "sub/x.go", "package sub\n",
    NULL};
static const char *const mixed_dirs[] = {"sub", NULL};
/* The symlink entry "link" becomes a regular file holding the link text; the exec bits of
 * x/exec.sh are ignored; the directory entry "empty/" creates nothing. */
static const char *const tree_files[] = {
    "a/b/c.go", "package c\n",
    "a/d.go", "package a\n",
    "big.txt", NULL, /* BIG_PATTERN x 20000 */
    "go.mod", "module example.com/m\n",
    "link", "../../../etc/passwd",
    "x/exec.sh", "#!/bin/sh\n",
    "été.go", "package m\n",
    NULL};
static const char *const tree_dirs[] = {"a", "a/b", "x", NULL};
static const char *const store_deflate_files[] = {
    "deflated.txt", "same bytes\n", "deflated_desc.txt", "same bytes\n",
    "stored.txt", "same bytes\n", "stored_desc.txt", "same bytes\n", NULL};
static const char *const zip64_files[] = {
    "go.mod", "module example.com/m\n", "x.go", "package m\n", NULL};
static const char *const dup_dirs_files[] = {"d/x.go", "package d\n", NULL};
static const char *const dup_dirs_dirs[] = {"d", NULL};
static const char *const no_files[] = {NULL};
static const char *const special_modes_files[] = {
    "abslink", "/etc/passwd", "blk", "block device", "dev", "char device",
    "dirmode", "a file whose mode says directory", "fifo", "named pipe",
    "go.mod", "module example.com/m\n", "sock", "socket", "suid", "#!/bin/sh\n", NULL};
static const char *const x_go_files[] = {"x.go", "package m\n", NULL};
static const char *const overlap_files[] = {"a.go", "package m\n", "b.go", "package m\n", NULL};

static const struct good_case accepts_cases[] = {
    /* zip.CreateFromDir; h1 also equals docs reference §5.1 vector 2 / vector 3. */
    {"hello.zip", "example.com/hello", "v1.0.0",
     "h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=", hello_files, no_dirs},
    {"mixed.zip", "github.com/Example/Mixed/v2", "v2.1.0-RC.1",
     "h1:YiYfwKKOA0ev4Y8Y/nN9jnXJhVJ93jTr1DLu8ultUUs=", mixed_files, mixed_dirs},
    /* Vector 2 plus a directory entry for the prefix: hashed, never extracted. */
    {"hello_dirent.zip", "example.com/hello", "v1.0.0",
     "h1:05W5ktJY8i+2m4TRvxPoBeixkx7UD9+Vz2cdItwM6dU=", hello_files, no_dirs},
    {"tree.zip", "example.com/m", "v1.0.0", "h1:4I8YcH1eKRADJQwrN+r2XDGWbkKsuKMUJaF64HzEONg=",
     tree_files, tree_dirs},
    {"store_deflate.zip", "example.com/m", "v1.0.0",
     "h1:Ejz/MLABGVzPg8zU7/Wb3okrh/GN4BsICn8agkVWy5I=", store_deflate_files, no_dirs},
    {"zip64.zip", "example.com/m", "v1.0.0", "h1:KuhXAuMhG+bA3tH3UuuvUVsCTDd7TE7vJc5U3+UsouM=",
     zip64_files, no_dirs},
    /* No entries at all: the hash of an empty summary, and an empty target directory. */
    {"empty.zip", "example.com/m", "v1.0.0", "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
     no_files, no_dirs},
    /* "d/" twice and the bare prefix twice, each with content: HashZip hashes the last
     * entry of a name for every occurrence. */
    {"dup_dirs.zip", "example.com/m", "v1.0.0", "h1:3Q3k6x7gMcKczcvhWWvI+KSfuYYY/3uiP3oFh4aT7LE=",
     dup_dirs_files, dup_dirs_dirs},
    /* Hostile fixtures of tests/fuzz/mkseeds.go that go accepts; hash and files from its
     * output (HashZip, Unzip).  Entry modes are ignored: device, fifo, socket, setuid,
     * symlink (absolute target) and directory-mode entries all become 0444 regular files
     * holding the entry's bytes, as go writes them. */
    {"special_modes.zip", "example.com/m", "v1.0.0",
     "h1:6ug81ykkgFLjBA5xdDDPuEVdxhm+JeesIIw6tzc7t2Q=", special_modes_files, no_dirs, true},
    /* go reads names and sizes from the central directory only: local headers claiming
     * 2 GiB, or another name ("example.com/m@v1.0.0/..//"), change nothing. */
    {"local_size_lie.zip", "example.com/m", "v1.0.0",
     "h1:Xm/jW+HX3hAxytMcefeSsn5Cbj1MjRAFteXefWeldtw=", x_go_files, no_dirs, true},
    {"local_name_lie.zip", "example.com/m", "v1.0.0",
     "h1:Xm/jW+HX3hAxytMcefeSsn5Cbj1MjRAFteXefWeldtw=", x_go_files, no_dirs, true},
    /* Two central entries sharing one local header and body (the overlapping-file bomb
     * layout): go reads the body once per name. */
    {"overlap.zip", "example.com/m", "v1.0.0", "h1:kRs0XAwt89ol3Ly8p5VKQ4PIDUXhgz9NiNN3ozGtv8w=",
     overlap_files, no_dirs, true},
};

#define N_ACCEPTS (sizeof(accepts_cases) / sizeof(accepts_cases[0]))

/* Criterion re-executes the binary for each parameter and copies the bytes of the
 * parameter over, so parameters are indices into the table, never pointers. */
ParameterizedTestParameters(zipx, accepts)
{
    static size_t idx[N_ACCEPTS];
    size_t i;

    for (i = 0; i < N_ACCEPTS; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, N_ACCEPTS);
}

static void check_tree(const char *dest, const struct good_case *c)
{
    struct listing l = {0};
    size_t i, nexpect = 0;

    walk(dest, "", &l);
    for (i = 0; c->files[i]; i += 2) {
        char *full = gmf_xasprintf("%s/%s", dest, c->files[i]);
        size_t len;
        char *got;

        nexpect++;
        cr_assert(in_list(l.files, l.nfiles, c->files[i]), "%s: %s not extracted", c->file,
                  c->files[i]);
        got = read_all(full, &len);
        if (c->files[i + 1]) {
            cr_assert_eq(len, strlen(c->files[i + 1]), "%s: %s size", c->file, c->files[i]);
            cr_assert_str_eq(got, c->files[i + 1], "%s: %s content", c->file, c->files[i]);
        } else {
            size_t k;

            cr_assert_eq(len, BIG_SIZE, "%s: %s size %zu", c->file, c->files[i], len);
            for (k = 0; k < len; k += 16)
                cr_assert(memcmp(got + k, BIG_PATTERN, 16) == 0, "%s: %s differs at %zu",
                          c->file, c->files[i], k);
        }
        free(got);
        free(full);
    }
    cr_assert_eq(l.nfiles, nexpect, "%s: %zu files extracted, want %zu", c->file, l.nfiles,
                 nexpect);
    for (i = 0; c->dirs[i]; i++)
        cr_assert(in_list(l.dirs, l.ndirs, c->dirs[i]), "%s: dir %s missing", c->file,
                  c->dirs[i]);
    cr_assert_eq(l.ndirs, i, "%s: %zu dirs, want %zu (empty dirs must not be created)", c->file,
                 l.ndirs, i);
    listing_free(&l);
}

ParameterizedTest(size_t *ci, zipx, accepts)
{
    const struct good_case *c = &accepts_cases[*ci];
    char *zp = c->hostile ? hostile_path(c->file) : data_path(c->file);
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/cache/%s@%s", tmp, c->path, c->version);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z = NULL;
    struct listing l = {0};

    gmf_diag_init(&diag);
    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s: open: %s", c->file, diag.msg);
    cr_assert_eq(gmf_zipx_check(z, c->path, c->version, &diag), GMF_OK, "%s: check: %s",
                 c->file, diag.msg);
    /* Hash only. */
    cr_assert_eq(gmf_zipx_process(z, NULL, h1, &diag), GMF_OK, "%s: hash: %s", c->file,
                 diag.msg);
    cr_assert_str_eq(h1, c->h1, "%s: hash", c->file);
    /* Hash and extract into a directory that does not exist yet (parents neither). */
    memset(h1, 0, sizeof(h1));
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_OK, "%s: extract: %s", c->file,
                 diag.msg);
    cr_assert_str_eq(h1, c->h1, "%s: hash while extracting", c->file);
    gmf_zipx_close(z);
    check_tree(dest, c);
    /* Nothing was written beside dest: every file under tmp is below dest. */
    walk(tmp, "", &l);
    {
        char *inside = gmf_xasprintf("cache/%s@%s/", c->path, c->version);
        size_t i;

        for (i = 0; i < l.nfiles; i++)
            cr_assert(strncmp(l.files[i], inside, strlen(inside)) == 0,
                      "%s: %s written outside dest", c->file, l.files[i]);
        free(inside);
    }
    listing_free(&l);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, many_files)
{
    /* 200 files in 20 directories (zip.CreateFromDir); hash from HashZip. */
    char *zp = data_path("many.zip");
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/d", tmp);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct listing l = {0};
    int i;

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/many", "v0.1.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_str_eq(h1, "h1:4gC3RxItf7t+lsLAiTvacPiWz9bLaYVWeLA0HInjsFY=");
    gmf_zipx_close(z);
    walk(dest, "", &l);
    cr_assert_eq(l.nfiles, 201);
    cr_assert_eq(l.ndirs, 20);
    for (i = 0; i < 200; i++) {
        char *f = gmf_xasprintf("%s/d%02d/f%03d.go", dest, i % 20, i);
        char *want = gmf_xasprintf("package d%02d // %03d\n", i % 20, i);
        char *got = read_all(f, NULL);

        cr_assert_str_eq(got, want, "%s", f);
        free(f);
        free(want);
        free(got);
    }
    listing_free(&l);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

/* ---- zips go rejects ---- */

enum stage { AT_OPEN, AT_CHECK, AT_PROCESS };

struct bad_case {
    const char *file;
    enum stage stage;
    enum gmf_err code;
    const char *msg;
    bool hostile; /* in tests/fuzz/corpus/zipx, not tests/data/zips */
};

#define M "example.com/m@v1.0.0/"

static const struct bad_case rejects_cases[] = {
    /* go mod download (fetch.go downloadZip): the first entry without the prefix. */
    {"absolute.zip", AT_CHECK, GMF_EZIP,
     "zip for example.com/m@v1.0.0 has unexpected file /etc/evil"},
    {"prefix.zip", AT_CHECK, GMF_EZIP,
     "zip for example.com/m@v1.0.0 has unexpected file example.com/other@v1.0.0/x.go"},
    {"hello_dirent.zip", AT_CHECK, GMF_EZIP,
     "zip for example.com/m@v1.0.0 has unexpected file example.com/hello@v1.0.0/"},
    /* zip.Unzip (checkZip): one "<entry>: <reason>" line per bad entry. */
    {"slip.zip", AT_CHECK, GMF_EZIP,
     M "../evil.go: malformed file path \"../evil.go\": invalid path element \"..\""},
    {"slip_inner.zip", AT_CHECK, GMF_EZIP, M "a/../../evil.go: file path is not clean"},
    {"double_slash.zip", AT_CHECK, GMF_EZIP,
     M "a//b.go: file path is not clean\n" M
       "/abs.go: malformed file path \"/abs.go\": empty path element"},
    {"backslash.zip", AT_CHECK, GMF_EZIP,
     M "a\\..\\..\\evil.go: malformed file path \"a\\\\..\\\\..\\\\evil.go\": invalid char "
       "'\\\\'"},
    {"dot_entries.zip", AT_CHECK, GMF_EZIP,
     M "./x.go: file path is not clean\n" M "a/.: file path is not clean\n" M
       "..: malformed file path \"..\": invalid path element \"..\""},
    {"duplicate.zip", AT_CHECK, GMF_EZIP, M "x.go: multiple entries for file \"x.go\""},
    {"casefold.zip", AT_CHECK, GMF_EZIP,
     M "readme: case-insensitive file name collision: \"README\" and \"readme\""},
    {"casefold_dir.zip", AT_CHECK, GMF_EZIP,
     M "a/y.go: case-insensitive file name collision: \"A\" and \"a\""},
    /* U+212A KELVIN SIGN folds to k. */
    {"casefold_kelvin.zip", AT_CHECK, GMF_EZIP,
     M "\u212a.go: case-insensitive file name collision: \"k.go\" and \"\u212a.go\""},
    /* É/é collide; U+0130 and i do not (no simple folding between them). */
    {"casefold_unicode.zip", AT_CHECK, GMF_EZIP,
     M "\u00e9.go: case-insensitive file name collision: \"\u00c9.go\" and \"\u00e9.go\""},
    {"file_and_dir.zip", AT_CHECK, GMF_EZIP,
     M "a/b.go: entry \"a\" is both a file and a directory"},
    {"dir_and_file.zip", AT_CHECK, GMF_EZIP, M "a: entry \"a\" is both a file and a directory"},
    {"gomod_subdir.zip", AT_CHECK, GMF_EZIP,
     M "sub/go.mod: go.mod file not in module root directory\n" M
       "sub/GO.MOD: case-insensitive file name collision: \"sub/go.mod\" and \"sub/GO.MOD\""},
    {"gomod_upper.zip", AT_CHECK, GMF_EZIP,
     M "GO.MOD: go.mod files must have lowercase names\n" M
       "Go.Mod: case-insensitive file name collision: \"GO.MOD\" and \"Go.Mod\""},
    {"bad_names.zip", AT_CHECK, GMF_EZIP,
     M "a:b.go: malformed file path \"a:b.go\": invalid char ':'\n" M
       "con.go: malformed file path \"con.go\": \"con\" disallowed as path element component "
       "on Windows\n" M "x\x01.go: malformed file path \"x\\x01.go\": invalid char '\\x01'\n" M
       "trailing.: malformed file path \"trailing.\": trailing dot in path element"},
    /* go's HashZip would fail first ("dirhash: filenames with newlines are not
     * supported"); gmfetch checks names before hashing and reports Unzip's line. */
    {"newline_name.zip", AT_CHECK, GMF_EZIP,
     M "a\nb.go: malformed file path \"a\\nb.go\": invalid char '\\n'"},
    {"gomod_size.zip", AT_CHECK, GMF_EZIP,
     M "go.mod: go.mod file too large (max size is 16777216 bytes)"},
    /* Only the root LICENSE is limited. */
    {"license_size.zip", AT_CHECK, GMF_EZIP,
     M "LICENSE: LICENSE file too large (max size is 16777216 bytes)"},
    /* The size error replaces the list (CheckedFiles.Err), even with a bad name present. */
    {"total_size.zip", AT_CHECK, GMF_ETOOBIG,
     "total uncompressed size of module contents too large (max size is 524288000 bytes)"},
    /* archive/zip while reading (HashZip at download, Unzip at extraction). */
    /* Both have compressed bytes, so this is libzip's own CRC check (ZIP_ER_CRC) at work. */
    {"bad_crc.zip", AT_PROCESS, GMF_EZIP, "zip: checksum error"},
    {"bad_crc_deflate.zip", AT_PROCESS, GMF_EZIP, "zip: checksum error"},
    {"bad_desc_crc.zip", AT_PROCESS, GMF_EZIP, "zip: checksum error"},
    {"empty_bad_crc.zip", AT_PROCESS, GMF_EZIP, "zip: checksum error"},
    {"size_larger.zip", AT_PROCESS, GMF_EZIP, "zip: not a valid zip file"},
    {"size_larger_store.zip", AT_PROCESS, GMF_EZIP, "zip: not a valid zip file"},
    {"size_smaller.zip", AT_PROCESS, GMF_EZIP, "unexpected EOF"},
    {"size_smaller_store.zip", AT_PROCESS, GMF_EZIP, "unexpected EOF"},
    {"empty_deflate.zip", AT_PROCESS, GMF_EZIP, "unexpected EOF"},
    {"method_bzip2.zip", AT_PROCESS, GMF_EZIP, "zip: unsupported compression algorithm"},
    /* zip.NewReader. */
    {"not_a_zip.zip", AT_OPEN, GMF_EZIP, "zip: not a valid zip file"},
    {"truncated.zip", AT_OPEN, GMF_EZIP, "zip: not a valid zip file"},
    /* GMFETCH: go says "flate: corrupt input before offset 1"; libzip cannot tell the
     * offset, so the message is libzip's (prefix checked only, see below). */
    {"corrupt_deflate.zip", AT_PROCESS, GMF_EZIP, NULL},
    /* GMFETCH: go accepts a stored entry whose CRC field is 0 without checking it (hash
     * h1:Xm/jW+HX3hAxytMcefeSsn5Cbj1MjRAFteXefWeldtw=); libzip always checks. */
    {"crc_zero.zip", AT_PROCESS, GMF_EZIP, "zip: checksum error"},
    /* GMFETCH: go accepts these two (hash h1:Xm/jW+HX3hAxytMcefeSsn5Cbj1MjRAFteXefWeldtw=)
     * but libzip would read them differently, so they are refused. */
    {"prepended.zip", AT_OPEN, GMF_EZIP, "zip: data before the first entry is not supported"},
    {"two_ends.zip", AT_OPEN, GMF_EZIP, "zip: ambiguous end of central directory"},
    /* GMFETCH: go's Unzip says `malformed file path "a\x00b.go": invalid char '\x00'`;
     * libzip names are C strings, so the zip is refused when opened. */
    {"nul_name.zip", AT_OPEN, GMF_EZIP, "zip: file name contains NUL byte"},
    /* Hostile fixtures of tests/fuzz/mkseeds.go; messages from its output (Unzip, and
     * HashZip for the data errors). */
    /* A symlink entry "link" -> /tmp, then "link/evil.go": never followed, refused. */
    {"symlink_parent.zip", AT_CHECK, GMF_EZIP,
     M "link/evil.go: entry \"link\" is both a file and a directory", true},
    /* "\u00e9.go" and "e\u0301.go": no normalisation; the combining mark is refused. */
    {"nfc_nfd.zip", AT_CHECK, GMF_EZIP,
     M "e\u0301.go: malformed file path \"e\u0301.go\": invalid char '\u0301'", true},
    /* Declared 1 KiB, a deflate stream of 64 MiB zeros: stops after the declared size. */
    {"bomb_lie.zip", AT_PROCESS, GMF_EZIP, "zip: not a valid zip file", true},
    /* go.mod declared 1 KiB (passes the 16 MiB check), inflating to 16 MiB + 1. */
    {"gomod_lie.zip", AT_PROCESS, GMF_EZIP, "zip: not a valid zip file", true},
    /* go.mod of 16 MiB + 1 real bytes (16 KB deflated). */
    {"gomod_big.zip", AT_CHECK, GMF_EZIP,
     M "go.mod: go.mod file too large (max size is 16777216 bytes)", true},
    /* 5 x 100 MiB declared = MaxZipFile exactly passes the size checks; each holds 1 byte. */
    {"limit_exact.zip", AT_PROCESS, GMF_EZIP, "unexpected EOF", true},
    /* The end record counts 3 entries, the directory holds 2: zip.OpenReader fails. */
    {"count_lie.zip", AT_OPEN, GMF_EZIP, "unexpected EOF", true},
};

#define N_REJECTS (sizeof(rejects_cases) / sizeof(rejects_cases[0]))

/* Criterion re-executes the binary for each parameter and copies the bytes of the
 * parameter over, so parameters are indices into the table, never pointers. */
ParameterizedTestParameters(zipx, rejects)
{
    static size_t idx[N_REJECTS];
    size_t i;

    for (i = 0; i < N_REJECTS; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, N_REJECTS);
}

ParameterizedTest(size_t *ci, zipx, rejects)
{
    const struct bad_case *c = &rejects_cases[*ci];
    char *zp = c->hostile ? hostile_path(c->file) : data_path(c->file);
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/dest", tmp);
    char h1[GMF_H1_LEN + 1] = "untouched";
    struct gmf_diag diag;
    struct gmf_zipx *z = NULL;
    enum gmf_err r;
    int pass;

    gmf_diag_init(&diag);
    r = gmf_zipx_open(zp, &z, &diag);
    if (c->stage == AT_OPEN) {
        cr_assert_eq(r, c->code, "%s: open returned %s: %s", c->file, gmf_err_name(r), diag.msg);
        cr_assert_str_eq(diag.msg, c->msg, "%s", c->file);
        cr_assert_null(z, "%s: ret must stay unwritten", c->file);
        goto out;
    }
    cr_assert_eq(r, GMF_OK, "%s: open: %s", c->file, diag.msg);
    r = gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag);
    if (c->stage == AT_CHECK) {
        cr_assert_eq(r, c->code, "%s: check returned %s: %s", c->file, gmf_err_name(r),
                     diag.msg);
        cr_assert_str_eq(diag.msg, c->msg, "%s", c->file);
        /* Without a successful check there is no processing. */
        cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_EINVAL);
        cr_assert(!gmf_fs_exists(dest), "%s: dest created", c->file);
        goto out;
    }
    cr_assert_eq(r, GMF_OK, "%s: check: %s", c->file, diag.msg);
    /* The data errors must show both when only hashing and when extracting. */
    for (pass = 0; pass < 2; pass++) {
        gmf_diag_init(&diag);
        r = gmf_zipx_process(z, pass ? dest : NULL, h1, &diag);
        cr_assert_eq(r, c->code, "%s: process returned %s: %s", c->file, gmf_err_name(r),
                     diag.msg);
        if (c->msg)
            cr_assert_str_eq(diag.msg, c->msg, "%s", c->file);
        else
            cr_assert(strncmp(diag.msg, "zip: ", 5) == 0, "%s: %s", c->file, diag.msg);
        cr_assert_str_eq(h1, "untouched", "%s: ret_h1 written on failure", c->file);
    }
    /* Whatever the failed extraction left is inside dest (the caller removes it). */
    {
        struct listing l = {0};
        size_t i;

        walk(tmp, "", &l);
        for (i = 0; i < l.nfiles; i++)
            cr_assert(strncmp(l.files[i], "dest/", 5) == 0, "%s: %s written outside dest",
                      c->file, l.files[i]);
        for (i = 0; i < l.ndirs; i++)
            cr_assert(strcmp(l.dirs[i], "dest") == 0 || strncmp(l.dirs[i], "dest/", 5) == 0,
                      "%s: directory %s outside dest", c->file, l.dirs[i]);
        listing_free(&l);
    }
out:
    gmf_zipx_close(z);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

/* ---- module version checks (checkZip, before any entry) ---- */

struct version_case {
    const char *path;
    const char *version;
    const char *msg; /* zip.Unzip of hello.zip as path@version */
};

static const struct version_case module_checks_cases[] = {
    {"example.com/hello", "v1.0", "version \"v1.0\" is not canonical (should be \"v1.0.0\")"},
    {"example.com/hello", "master", "version \"master\" is not canonical (should be \"\")"},
    {"example.com/hello/v2", "v1.0.0",
     "example.com/hello/v2@v1.0.0: invalid version: should be v2, not v1"},
    {"Example.com/hello", "v1.0.0",
     "malformed module path \"Example.com/hello\": invalid char 'E' in first path element"},
};

#define N_MODULE_CHECKS (sizeof(module_checks_cases) / sizeof(module_checks_cases[0]))

/* Criterion re-executes the binary for each parameter and copies the bytes of the
 * parameter over, so parameters are indices into the table, never pointers. */
ParameterizedTestParameters(zipx, module_checks)
{
    static size_t idx[N_MODULE_CHECKS];
    size_t i;

    for (i = 0; i < N_MODULE_CHECKS; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, N_MODULE_CHECKS);
}

ParameterizedTest(size_t *ci, zipx, module_checks)
{
    const struct version_case *c = &module_checks_cases[*ci];
    char *zp = data_path("hello.zip");
    struct gmf_diag diag;
    struct gmf_zipx *z;

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    gmf_diag_init(&diag);
    cr_assert_neq(gmf_zipx_check(z, c->path, c->version, &diag), GMF_OK);
    cr_assert_str_eq(diag.msg, c->msg, "%s@%s", c->path, c->version);
    gmf_zipx_close(z);
    free(zp);
}

/* ---- extraction target rules ---- */

Test(zipx, dest_not_empty)
{
    char *zp = data_path("hello.zip");
    char *tmp = tmp_dir();
    char *junk = gmf_xasprintf("%s/junk", tmp);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    char *want;

    cr_assert_eq(gmf_fs_write_atomic(junk, "x", 1, NULL), GMF_OK);
    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/hello", "v1.0.0", &diag), GMF_OK);
    cr_assert_neq(gmf_zipx_process(z, tmp, h1, &diag), GMF_OK);
    /* zip.Unzip: "target directory %v exists and is not empty". */
    want = gmf_xasprintf("target directory %s exists and is not empty", tmp);
    cr_assert_str_eq(diag.msg, want);
    free(want);
    cr_assert(gmf_fs_exists(junk));
    {
        char *lic = gmf_xasprintf("%s/LICENSE", tmp);

        cr_assert(!gmf_fs_exists(lic), "nothing may be extracted into a non-empty target");
        free(lic);
    }
    gmf_zipx_close(z);
    free(junk);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, dest_empty_existing_ok)
{
    char *zp = data_path("hello.zip");
    char *tmp = tmp_dir();
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/hello", "v1.0.0", &diag), GMF_OK);
    cr_assert_eq(gmf_zipx_process(z, tmp, h1, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_str_eq(h1, "h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=");
    /* A second extraction into the same place must fail: the files are created O_EXCL and
     * the target is no longer empty. */
    cr_assert_neq(gmf_zipx_process(z, tmp, h1, &diag), GMF_OK);
    gmf_zipx_close(z);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, symlink_entry_is_regular_file)
{
    /* tree.zip's "link" entry has mode ModeSymlink|0777 and content "../../../etc/passwd". */
    char *zp = data_path("tree.zip");
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/m@v1.0.0", tmp);
    char *link = gmf_xasprintf("%s/link", dest);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct stat st;
    char *got;

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0444);
    got = read_all(link, NULL);
    cr_assert_str_eq(got, "../../../etc/passwd");
    free(got);
    gmf_zipx_close(z);
    free(link);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, failed_process_leaves_partial_tree_inside_dest)
{
    /* bad_crc.zip: the bytes are written as they are inflated, and the CRC mismatch shows
     * at the end; what was created stays inside dest for the caller to remove. */
    char *zp = data_path("bad_crc.zip");
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/dest", tmp);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct listing l = {0};

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_EZIP);
    walk(tmp, "", &l);
    cr_assert_eq(l.ndirs, 1);
    cr_assert_str_eq(l.dirs[0], "dest");
    cr_assert(l.nfiles <= 1);
    if (l.nfiles)
        cr_assert_str_eq(l.files[0], "dest/x.go");
    listing_free(&l);
    gmf_zipx_close(z);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, dest_through_symlink_component_refused)
{
    /* If something planted a symlink where a parent directory goes, extraction must not
     * follow it.  Here dest/a is a symlink to a directory outside dest before tree.zip
     * (which has a/b/c.go) is extracted: the empty-target rule already refuses it. */
    char *zp = data_path("tree.zip");
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/dest", tmp);
    char *outside = gmf_xasprintf("%s/outside", tmp);
    char *a = gmf_xasprintf("%s/a", dest);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct listing l = {0};

    cr_assert_eq(mkdir(dest, 0777), 0);
    cr_assert_eq(mkdir(outside, 0777), 0);
    cr_assert_eq(symlink(outside, a), 0);
    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_neq(gmf_zipx_process(z, dest, h1, &diag), GMF_OK);
    walk(outside, "", &l);
    cr_assert_eq(l.nfiles + l.ndirs, 0, "something was written through the symlink");
    listing_free(&l);
    gmf_zipx_close(z);
    free(a);
    free(outside);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

/* ---- API edges ---- */

Test(zipx, process_requires_check)
{
    char *zp = data_path("hello.zip");
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, NULL, h1, &diag), GMF_EINVAL);
    /* A failed check does not leave an earlier success behind. */
    cr_assert_eq(gmf_zipx_check(z, "example.com/hello", "v1.0.0", &diag), GMF_OK);
    cr_assert_neq(gmf_zipx_check(z, "example.com/other", "v1.0.0", &diag), GMF_OK);
    cr_assert_eq(gmf_zipx_process(z, NULL, h1, &diag), GMF_EINVAL);
    gmf_zipx_close(z);
    gmf_zipx_close(NULL);
    free(zp);
}

Test(zipx, open_missing_file)
{
    struct gmf_diag diag;
    struct gmf_zipx *z = NULL;

    cr_assert_eq(gmf_zipx_open("/nonexistent/x.zip", &z, &diag), GMF_ENOTFOUND);
    cr_assert_null(z);
    cr_assert_eq(gmf_zipx_open("/", &z, &diag), GMF_EZIP);
    cr_assert_null(z);
}

Test(zipx, open_does_not_leak_descriptors)
{
    char *zp = data_path("hello.zip");
    struct gmf_diag diag;
    struct gmf_zipx *z;
    int before, after, i;

    before = dup(0);
    close(before);
    for (i = 0; i < 50; i++) {
        cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
        gmf_zipx_close(z);
    }
    after = dup(0);
    close(after);
    cr_assert_eq(before, after, "descriptors leaked");
    free(zp);
}

/* ---- a zip over MaxZipFile, built sparse ---- */

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

Test(zipx, zip_file_too_large)
{
    /* The same layout mkzips.go writes with archive/zip CreateRaw: one stored entry of
     * 500 MiB + 1 zero bytes; go's Unzip said "module zip file is too large (524288147
     * bytes; limit is 524288000 bytes)". */
    static const char name[] = M "big";
    const uint32_t n = (500u << 20) + 1;
    const size_t nl = sizeof(name) - 1;
    unsigned char lh[30] = {0}, cd[46] = {0}, end[22] = {0};
    char *tmp = tmp_dir();
    char *zp = gmf_xasprintf("%s/big.zip", tmp);
    struct gmf_diag diag;
    struct gmf_zipx *z;
    off_t off;
    int fd;

    /* CRC-32 of 500 MiB + 1 zero bytes does not matter: only the directory is read. */
    put32(lh, 0x04034b50);
    put16(lh + 4, 20);
    put32(lh + 18, n);
    put32(lh + 22, n);
    put16(lh + 26, (unsigned)nl);
    put32(cd, 0x02014b50);
    put16(cd + 4, 20);
    put16(cd + 6, 20);
    put32(cd + 20, n);
    put32(cd + 24, n);
    put16(cd + 28, (unsigned)nl);
    put32(end, 0x06054b50);
    put16(end + 8, 1);
    put16(end + 10, 1);
    put32(end + 12, (uint32_t)(46 + nl));
    off = (off_t)(30 + nl + n);
    put32(end + 16, (uint32_t)off);
    fd = open(zp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, lh, 30, 0), 30);
    cr_assert_eq(pwrite(fd, name, nl, 30), (ssize_t)nl);
    cr_assert_eq(pwrite(fd, cd, 46, off), 46);
    cr_assert_eq(pwrite(fd, name, nl, off + 46), (ssize_t)nl);
    cr_assert_eq(pwrite(fd, end, 22, off + 46 + (off_t)nl), 22);
    close(fd);

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_ETOOBIG, "%s",
                 diag.msg);
    cr_assert_str_eq(diag.msg,
                     "module zip file is too large (524288147 bytes; limit is 524288000 bytes)");
    gmf_zipx_close(z);
    free(zp);
    rm_tree(tmp);
}

/* ---- bombs and counts (hostile fixtures of tests/fuzz/mkseeds.go) ---- */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(zipx, bomb_stops_at_declared_size)
{
    /* bomb_lie.zip: one entry declaring 1 KiB whose 64 KB deflate stream inflates to 64 MiB
     * of zeros.  go: "zip: not a valid zip file" (mkseeds.go).  Inflation must stop right
     * after the declared size: at most 1024 bytes reach the disk, in well under a second
     * (a generous 10 s bound keeps slow sanitizer builds green). */
    char *zp = hostile_path("bomb_lie.zip");
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/dest", tmp);
    char *bomb = gmf_xasprintf("%s/bomb", dest);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct stat st;
    double t0 = now_s();

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_EZIP);
    cr_assert_str_eq(diag.msg, "zip: not a valid zip file");
    cr_assert_lt(now_s() - t0, 10.0, "the bomb was inflated");
    if (lstat(bomb, &st) == 0)
        cr_assert_leq(st.st_size, 1024, "%lld bytes written", (long long)st.st_size);
    gmf_zipx_close(z);
    free(bomb);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, gomod_exactly_16_mib)
{
    /* gomod_16m.zip: a go.mod of exactly MaxGoMod bytes (16 KB deflated, ratio ~1000:1) is
     * accepted and extracted whole, as go does (mkseeds.go: Unzip ok, 16777216 bytes). */
    char *zp = hostile_path("gomod_16m.zip");
    char *tmp = tmp_dir();
    char *dest = gmf_xasprintf("%s/dest", tmp);
    char *gomod = gmf_xasprintf("%s/go.mod", dest);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct stat st;

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_str_eq(h1, "h1:A7ZxGNN3xV83ec79bKZC8NFif6a5EhUeJbB5/4VlETs=");
    cr_assert_eq(lstat(gomod, &st), 0);
    cr_assert_eq(st.st_size, 16 << 20);
    gmf_zipx_close(z);
    free(gomod);
    free(dest);
    rm_tree(tmp);
    free(zp);
}

Test(zipx, seventy_thousand_entries, .timeout = 300)
{
    /* golang.org/x/mod/zip has no limit on the number of files: 70000 empty entries (more
     * than a 16-bit end record can count, so the zip is zip64) are accepted.  go's verdict
     * for the same entries, built with archive/zip (`go run tests/fuzz/mkseeds.go -many`):
     * HashZip h1:ZikKrEqimIGj4s5iArOP/oaSJIumfeZ92sXFJsixbVs=, Unzip ok, 70000 files.  Built
     * here with libzip, which writes the same names and contents (the hash covers only
     * those). */
    enum { N = 70000 };
    char *tmp = tmp_dir();
    char *zp = gmf_xasprintf("%s/many.zip", tmp);
    char *dest = gmf_xasprintf("%s/dest", tmp);
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag diag;
    struct gmf_zipx *z;
    struct listing l = {0};
    zip_t *za;
    int zerr = 0, i;

    za = zip_open(zp, ZIP_CREATE | ZIP_EXCL, &zerr);
    cr_assert_not_null(za, "zip_open: %d", zerr);
    for (i = 0; i < N; i++) {
        char name[64];
        zip_source_t *src = zip_source_buffer(za, NULL, 0, 0);
        zip_int64_t idx;

        (void)snprintf(name, sizeof(name), "example.com/m@v1.0.0/f%05d", i);
        cr_assert_not_null(src);
        idx = zip_file_add(za, name, src, ZIP_FL_ENC_RAW);
        cr_assert_geq(idx, 0, "%s", zip_strerror(za));
        cr_assert_eq(zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
    }
    cr_assert_eq(zip_close(za), 0, "zip_close: %s", zip_strerror(za));

    cr_assert_eq(gmf_zipx_open(zp, &z, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_check(z, "example.com/m", "v1.0.0", &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(gmf_zipx_process(z, dest, h1, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_str_eq(h1, "h1:ZikKrEqimIGj4s5iArOP/oaSJIumfeZ92sXFJsixbVs=");
    gmf_zipx_close(z);
    walk(dest, "", &l);
    cr_assert_eq(l.nfiles, N);
    cr_assert_eq(l.ndirs, 0);
    listing_free(&l);
    free(dest);
    free(zp);
    rm_tree(tmp);
}
