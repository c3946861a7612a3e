#include <criterion/criterion.h>

#include "gmfetch/cache.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

/* Every test gets a fresh GOMODCACHE under /tmp and a fixed umask, so modes are predictable
 * (go applies the umask to the 0666 / 0777 it asks for, as we do). */
static char root[64];
static struct gmf_cache cache;

static void setup(void)
{
    umask(022);
    snprintf(root, sizeof(root), "/tmp/gmf-test-cache-XXXXXX");
    cr_assert_not_null(mkdtemp(root), "mkdtemp: %s", strerror(errno));
    gmf_cache_init(&cache, root, false);
}

static void teardown(void)
{
    gmf_cache_release(&cache);
    (void)gmf_fs_remove_all(root, NULL);
}

/* No criterion .timeout: with criterion 2.4.1 it leaks a runner allocation that LSan
 * reports; meson's per-test timeout bounds the suite, alarm() the one test that blocks. */
TestSuite(cache, .init = setup, .fini = teardown);

/* --- helpers ------------------------------------------------------------------------------ */

struct entry {
    const char *name;
    const char *data;
};

/* Reference §5.1 vector 2: example.com/hello v1.0.0, no directory entries. */
static const struct entry hello_files[] = {
    {"example.com/hello@v1.0.0/go.mod", "module example.com/hello\n\ngo 1.17\n"},
    {"example.com/hello@v1.0.0/hello.go",
     "package hello\n\nfunc Hello() string { return \"hello\" }\n"},
    {"example.com/hello@v1.0.0/LICENSE", "Public domain.\n"},
};
#define HELLO_H1 "h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU="

/* Reference §5.1 vector 3: github.com/Example/Mixed/v2 v2.1.0-RC.1 (has a sub/ directory). */
#define MIXED_PREFIX "github.com/Example/Mixed/v2@v2.1.0-RC.1/"
static const struct entry mixed_files[] = {
    {MIXED_PREFIX "README", ""},
    {MIXED_PREFIX "Z.go", "package mixed\n"},
    {MIXED_PREFIX "a.go", "package mixed\n"},
    {MIXED_PREFIX "go.mod",
     "module github.com/Example/Mixed/v2\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n"},
    {MIXED_PREFIX "sub.go", "package mixed\n\nimport _ \"github.com/Example/Mixed/v2/sub\"\n"},
    {MIXED_PREFIX "sub/x.go", "package sub\n"},
};
#define MIXED_H1 "h1:YiYfwKKOA0ev4Y8Y/nN9jnXJhVJ93jTr1DLu8ultUUs="

/* Build a zip with libzip (no directory entries, as golang.org/x/mod/zip writes them) and
 * return its bytes. */
static char *make_zip(const struct entry *e, size_t n, size_t *ret_len)
{
    char *path = gmf_xasprintf("%s/fixture.zip", root);
    struct gmf_buf b;
    zip_t *za;
    int err;

    za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    cr_assert_not_null(za, "zip_open %s: %d", path, err);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, e[i].data, strlen(e[i].data), 0);
        cr_assert_not_null(src);
        cr_assert_geq(zip_file_add(za, e[i].name, src, 0), 0, "zip_file_add %s", e[i].name);
    }
    cr_assert_eq(zip_close(za), 0, "zip_close");
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    cr_assert_eq(gmf_fs_read_file(path, GMF_BUF_UNLIMITED, &b, NULL), GMF_OK);
    unlink(path);
    free(path);
    return gmf_buf_detach(&b, ret_len);
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

    cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, data, len), (ssize_t)len, "write %s", path);
    close(fd);
}

static char *read_all(const char *path, size_t *ret_len)
{
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    cr_assert_eq(gmf_fs_read_file(path, GMF_BUF_UNLIMITED, &b, NULL), GMF_OK, "read %s", path);
    return gmf_buf_detach(&b, ret_len);
}

static mode_t mode_of(const char *path)
{
    struct stat st;

    cr_assert_eq(lstat(path, &st), 0, "stat %s: %s", path, strerror(errno));
    return st.st_mode;
}

/* Sorted, space-separated names in dir ("." and ".." excluded). */
static char *dir_listing(const char *dir)
{
    struct dirent **names;
    struct gmf_buf b;
    int n;

    n = scandir(dir, &names, NULL, alphasort);
    cr_assert_geq(n, 0, "scandir %s: %s", dir, strerror(errno));
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            if (b.len)
                (void)gmf_buf_putc(&b, ' ');
            (void)gmf_buf_puts(&b, names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    return gmf_buf_detach(&b, NULL);
}

static void get_paths(const char *path, const char *version, struct gmf_cache_paths *p)
{
    struct gmf_diag d;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_cache_paths(&cache, path, version, p, &d), GMF_OK, "paths %s@%s: %s",
                 path, version, d.msg);
}

struct verify_ctx {
    const char *want;
    int calls;
    char got[GMF_H1_LEN + 1];
};

/* Stands in for the go.sum check: accept exactly ctx->want. */
static enum gmf_err verify_eq(void *vctx, const char *h1, struct gmf_diag *diag)
{
    struct verify_ctx *ctx = vctx;

    ctx->calls++;
    snprintf(ctx->got, sizeof(ctx->got), "%s", h1);
    if (strcmp(h1, ctx->want) != 0)
        return gmf_diag_set(diag, GMF_ECHECKSUM, "verifying module: checksum mismatch");
    return GMF_OK;
}

/* begin, write the zip bytes into the temp file, commit. */
static enum gmf_err download(const struct gmf_cache_paths *p, const struct entry *e, size_t n,
                             struct verify_ctx *vctx, char h1[GMF_H1_LEN + 1],
                             struct gmf_diag *d)
{
    struct gmf_cache_zip z;
    size_t len;
    char *bytes = make_zip(e, n, &len);
    enum gmf_err r;

    r = gmf_cache_zip_begin(&cache, p, &z, d);
    cr_assert_eq(r, GMF_OK, "begin: %s", d->msg);
    cr_assert(!z.already_complete);
    cr_assert_geq(z.fd, 0);
    cr_assert_eq(gmf_fs_pwrite_all(z.fd, bytes, len, 0, d), GMF_OK);
    free(bytes);
    r = gmf_cache_zip_commit(&cache, p, &z, vctx ? verify_eq : NULL, vctx, h1, d);
    cr_assert_eq(z.fd, -1, "commit releases z");
    cr_assert_eq(z.lock_fd, -1, "commit unlocks");
    cr_assert_null(z.tmp_path);
    return r;
}

/* Every directory under (and including) dir has mode want, every file 0444. */
static void assert_tree_modes(const char *dir, mode_t want_dir)
{
    struct dirent *e;
    DIR *d;

    cr_assert_eq(mode_of(dir) & 07777, want_dir, "dir %s mode %o", dir, mode_of(dir) & 07777);
    d = opendir(dir);
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        char *sub;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        sub = gmf_xasprintf("%s/%s", dir, e->d_name);
        if (S_ISDIR(mode_of(sub)))
            assert_tree_modes(sub, want_dir);
        else
            cr_assert_eq(mode_of(sub), S_IFREG | 0444, "file %s mode %o", sub, mode_of(sub));
        free(sub);
    }
    closedir(d);
}

/* --- paths -------------------------------------------------------------------------------- */

/* Expected names from reference §5.1 vector 3 ([observed] cache after go mod download). */
Test(cache, paths_upper_case_module)
{
    struct gmf_cache_paths p;
    char *vdir = gmf_xasprintf("%s/cache/download/github.com/!example/!mixed/v2/@v", root);
    char *s;

    get_paths("github.com/Example/Mixed/v2", "v2.1.0-RC.1", &p);
    cr_assert_str_eq(p.path, "github.com/Example/Mixed/v2");
    cr_assert_str_eq(p.version, "v2.1.0-RC.1");
    cr_assert_str_eq(p.esc_path, "github.com/!example/!mixed/v2");
    cr_assert_str_eq(p.esc_version, "v2.1.0-!r!c.1");
    cr_assert_str_eq(p.vdir, vdir);
#define CHECK_SUFFIX(field, suffix)                                                            \
    s = gmf_xasprintf("%s/%s", vdir, suffix);                                                  \
    cr_assert_str_eq(p.field, s);                                                              \
    free(s)
    CHECK_SUFFIX(info, "v2.1.0-!r!c.1.info");
    CHECK_SUFFIX(mod, "v2.1.0-!r!c.1.mod");
    CHECK_SUFFIX(zip, "v2.1.0-!r!c.1.zip");
    CHECK_SUFFIX(ziphash, "v2.1.0-!r!c.1.ziphash");
    CHECK_SUFFIX(lock, "v2.1.0-!r!c.1.lock");
    CHECK_SUFFIX(partial, "v2.1.0-!r!c.1.partial");
    CHECK_SUFFIX(list, "list");
#undef CHECK_SUFFIX
    s = gmf_xasprintf("%s/github.com/!example/!mixed/v2@v2.1.0-!r!c.1", root);
    cr_assert_str_eq(p.dir, s);
    free(s);
    free(vdir);
    gmf_cache_paths_release(&p);
    cr_assert_null(p.dir);
    cr_assert_null(p.path);
}

/* A trailing slash on GOMODCACHE is cleaned away, as filepath.Join does. */
Test(cache, paths_root_trailing_slash)
{
    struct gmf_cache c2;
    struct gmf_cache_paths p;
    char *r2 = gmf_xasprintf("%s//", root);
    char *want = gmf_xasprintf("%s/example.com/hello@v1.0.0", root);

    gmf_cache_init(&c2, r2, true);
    cr_assert_eq(gmf_cache_paths(&c2, "example.com/hello", "v1.0.0", &p, NULL), GMF_OK);
    cr_assert_str_eq(p.dir, want);
    gmf_cache_paths_release(&p);
    gmf_cache_release(&c2);
    free(r2);
    free(want);
}

/* Messages of CachePath in cmd/go/internal/modfetch/cache.go (go 1.19). */
Test(cache, paths_reject_bad_versions)
{
    struct gmf_cache_paths p;
    struct gmf_diag d;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_cache_paths(&cache, "example.com/hello", "v1.2", &p, &d), GMF_EINVAL);
    cr_assert_str_eq(d.msg, "non-canonical module version \"v1.2\"");
    cr_assert_eq(gmf_cache_paths(&cache, "example.com/hello", "master", &p, &d), GMF_EINVAL);
    cr_assert_str_eq(d.msg, "non-semver module version \"master\"");
    cr_assert_eq(gmf_cache_paths(&cache, "example.com/hello", "v1.0.0+meta", &p, &d),
                 GMF_EINVAL);
    cr_assert_str_eq(d.msg, "non-canonical module version \"v1.0.0+meta\"");
    cr_assert_neq(gmf_cache_paths(&cache, "bad/path", "v1.0.0", &p, &d), GMF_OK);
    cr_assert(strstr(d.msg, "malformed module path \"bad/path\"") != NULL, "%s", d.msg);
}

/* --- .info, .mod, list -------------------------------------------------------------------- */

Test(cache, write_info_and_mod)
{
    struct gmf_cache_paths p;
    const char info[] = "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}";
    const char *mod = hello_files[0].data;
    size_t len;
    char *s;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_cache_write_info(&p, info, strlen(info), NULL), GMF_OK);
    cr_assert_eq(gmf_cache_write_mod(&p, mod, strlen(mod), NULL), GMF_OK);
    s = read_all(p.info, &len);
    cr_assert_str_eq(s, info);
    free(s);
    s = read_all(p.mod, &len);
    cr_assert_str_eq(s, mod);
    free(s);
    cr_assert_eq(mode_of(p.info), S_IFREG | 0644);
    cr_assert_eq(mode_of(p.mod), S_IFREG | 0644);
    s = read_all(p.list, &len);
    cr_assert_str_eq(s, "v1.0.0\n");
    free(s);
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "list v1.0.0.info v1.0.0.mod", "no temp files left: %s", s);
    free(s);
    gmf_cache_paths_release(&p);
}

/* Expected order and membership from go itself: a GO111MODULE=off program over
 * golang.org/x/mod in /usr/share/gocode that keeps the names with v != "" &&
 * module.CanonicalVersion(v) == v and calls semver.Sort, which is what rewriteVersionList in
 * cache.go does with the "<v>.mod" stems. */
Test(cache, list_canonical_semver_order)
{
    static const char *stray[] = {"v1.10.0", "v1.2.0", "v1.0.0-pre",
                                  "v1.0.0-20200101000000-abcdefabcdef",
                                  "v0.0.0-20191109021931-daa7c04131f5", "v2.0.0+incompatible",
                                  "v1.2", "v1.0.0-alpha.10", "v1.0.0-alpha.9",
                                  "v1.0.0-alpha.beta", "v1.0.0+meta", ""};
    struct gmf_cache_paths p;
    size_t len;
    char *s;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    for (size_t i = 0; i < sizeof(stray) / sizeof(stray[0]); i++) {
        char *f = gmf_xasprintf("%s/%s.mod", p.vdir, stray[i]);
        write_file(f, "x", 1);
        free(f);
    }
    /* Not .mod files: never listed. */
    s = gmf_xasprintf("%s/v3.0.0.info", p.vdir);
    write_file(s, "{}", 2);
    free(s);
    s = gmf_xasprintf("%s/v3.0.0.mod123.tmp", p.vdir);
    write_file(s, "", 0);
    free(s);
    cr_assert_eq(gmf_cache_write_mod(&p, "module x\n", 9, NULL), GMF_OK);
    s = read_all(p.list, &len);
    cr_assert_str_eq(s, "v0.0.0-20191109021931-daa7c04131f5\n"
                        "v1.0.0-20200101000000-abcdefabcdef\n"
                        "v1.0.0-alpha.9\n"
                        "v1.0.0-alpha.10\n"
                        "v1.0.0-alpha.beta\n"
                        "v1.0.0-pre\n"
                        "v1.0.0\n"
                        "v1.2.0\n"
                        "v1.10.0\n"
                        "v2.0.0+incompatible\n");
    free(s);
    gmf_cache_paths_release(&p);
}

/* Reference §5.1 vector 3 [observed]: the list for v2.1.0-RC.1 is 0 bytes, because the stem
 * "v2.1.0-!r!c.1" is not a canonical version. */
Test(cache, list_never_has_upper_case_versions)
{
    struct gmf_cache_paths p;
    size_t len;
    char *s;

    get_paths("github.com/Example/Mixed/v2", "v2.1.0-RC.1", &p);
    cr_assert_eq(gmf_cache_write_mod(&p, mixed_files[3].data, strlen(mixed_files[3].data),
                                     NULL),
                 GMF_OK);
    cr_assert(gmf_fs_exists(p.mod));
    s = read_all(p.list, &len);
    cr_assert_eq(len, 0, "list: \"%s\"", s);
    free(s);
    gmf_cache_paths_release(&p);
}

/* rewriteVersionList writes only when the content changes; otherwise list is untouched. */
Test(cache, list_rewritten_only_when_changed)
{
    struct gmf_cache_paths p1, p2;
    const struct timespec old[2] = {{946684800, 0}, {946684800, 0}}; /* 2000-01-01 */
    struct stat st;
    size_t len;
    char *s;

    get_paths("example.com/hello", "v1.0.0", &p1);
    get_paths("example.com/hello", "v1.1.0", &p2);
    cr_assert_eq(gmf_cache_write_mod(&p1, "module m\n", 9, NULL), GMF_OK);
    cr_assert_eq(utimensat(AT_FDCWD, p1.list, old, 0), 0);
    cr_assert_eq(gmf_cache_write_mod(&p1, "module m\n", 9, NULL), GMF_OK);
    cr_assert_eq(stat(p1.list, &st), 0);
    cr_assert_eq(st.st_mtim.tv_sec, 946684800, "unchanged list must not be rewritten");

    cr_assert_eq(gmf_cache_write_mod(&p2, "module m\n", 9, NULL), GMF_OK);
    cr_assert_eq(stat(p1.list, &st), 0);
    cr_assert_neq(st.st_mtim.tv_sec, 946684800, "changed list must be rewritten");
    s = read_all(p1.list, &len);
    cr_assert_str_eq(s, "v1.0.0\nv1.1.0\n");
    free(s);

    /* Same length, different bytes: rewritten in place. */
    write_file(p1.list, "v9.9.9\nv9.9.9\n", 14);
    cr_assert_eq(gmf_cache_write_mod(&p1, "module m\n", 9, NULL), GMF_OK);
    s = read_all(p1.list, &len);
    cr_assert_str_eq(s, "v1.0.0\nv1.1.0\n");
    free(s);
    /* Longer garbage: truncated to the new content. */
    write_file(p1.list, "v1.0.0\nv1.1.0\nv1.2.0\nzzz\n", 25);
    cr_assert_eq(gmf_cache_write_mod(&p1, "module m\n", 9, NULL), GMF_OK);
    s = read_all(p1.list, &len);
    cr_assert_str_eq(s, "v1.0.0\nv1.1.0\n");
    free(s);
    gmf_cache_paths_release(&p1);
    gmf_cache_paths_release(&p2);
}

/* --- ziphash ------------------------------------------------------------------------------ */

struct zh_case {
    const char *content;
    size_t len;
    bool valid;
};

/* Rules of checkMod in fetch.go: bytes.TrimSpace (unicode.IsSpace, so U+00A0, U+0085,
 * U+3000 count), then isValidSum: no NUL and exactly 47 bytes. */
Test(cache, read_ziphash_rules)
{
#define ZH(s, v) {s, sizeof(s) - 1, v}
    static const struct zh_case cases[] = {
        ZH(HELLO_H1, true),
        ZH(HELLO_H1 "\n", true),
        ZH("  \t" HELLO_H1 "\r\n\n", true),
        ZH("\xc2\xa0" HELLO_H1 "\xe3\x80\x80\xc2\x85", true),
        ZH("h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU", false),   /* 46 */
        ZH(HELLO_H1 "=", false),                                         /* 48 */
        ZH("h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70al\0U=", false),  /* NUL */
        ZH("", false),
        ZH("\n\n", false),
        ZH(HELLO_H1 "\xc2", false), /* a lone lead byte is not space */
    };
#undef ZH
    struct gmf_cache_paths p;
    char h[GMF_H1_LEN + 1];

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_cache_read_ziphash(&p, h, NULL), GMF_ENOTFOUND, "absent file");
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum gmf_err r;

        write_file(p.ziphash, cases[i].content, cases[i].len);
        memset(h, 'x', sizeof(h));
        r = gmf_cache_read_ziphash(&p, h, NULL);
        if (cases[i].valid) {
            cr_assert_eq(r, GMF_OK, "case %zu", i);
            cr_assert_str_eq(h, HELLO_H1, "case %zu", i);
        } else {
            cr_assert_eq(r, GMF_ENOTFOUND, "case %zu", i);
            cr_assert_eq(h[0], 'x', "case %zu: ret untouched on failure", i);
        }
    }
    gmf_cache_paths_release(&p);
}

/* DownloadDir in cache.go: dir exists, no .partial, ziphash exists. */
Test(cache, completeness_predicates)
{
    struct gmf_cache_paths p;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert(!gmf_cache_zip_complete(&p));
    cr_assert(!gmf_cache_dir_complete(&p));
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_mkdir_p(p.dir, 0777, NULL), GMF_OK);
    cr_assert(!gmf_cache_dir_complete(&p), "no ziphash");
    write_file(p.ziphash, HELLO_H1, GMF_H1_LEN);
    cr_assert(gmf_cache_dir_complete(&p));
    cr_assert(!gmf_cache_zip_complete(&p), "no zip");
    write_file(p.partial, "", 0);
    cr_assert(!gmf_cache_dir_complete(&p), ".partial present");
    unlink(p.partial);
    write_file(p.zip, "", 0);
    cr_assert(gmf_cache_zip_complete(&p));
    cr_assert(gmf_cache_dir_complete(&p));
    gmf_cache_paths_release(&p);
}

/* --- the zip protocol --------------------------------------------------------------------- */

/* Reference §5.1 vector 2 h1; §3.2/3.3 for layout and modes. */
Test(cache, commit_full_cycle)
{
    struct verify_ctx v = {HELLO_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1], h2[GMF_H1_LEN + 1];
    struct gmf_diag d;
    size_t len;
    char *s, *f;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(download(&p, hello_files, 3, &v, h1, &d), GMF_OK, "commit: %s", d.msg);
    cr_assert_str_eq(h1, HELLO_H1);
    cr_assert_eq(v.calls, 1);

    s = read_all(p.ziphash, &len);
    cr_assert_eq(len, GMF_H1_LEN, "ziphash is 47 bytes, no newline");
    cr_assert_str_eq(s, HELLO_H1);
    free(s);
    cr_assert_eq(gmf_cache_read_ziphash(&p, h2, NULL), GMF_OK);
    cr_assert_str_eq(h2, HELLO_H1);
    cr_assert_eq(mode_of(p.zip), S_IFREG | 0644, "zip 0666 &^ umask");
    cr_assert_eq(mode_of(p.ziphash), S_IFREG | 0644);

    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock v1.0.0.zip v1.0.0.ziphash", "vdir: %s", s);
    free(s);
    s = dir_listing(p.dir);
    cr_assert_str_eq(s, "LICENSE go.mod hello.go");
    free(s);
    f = gmf_xasprintf("%s/hello.go", p.dir);
    s = read_all(f, &len);
    cr_assert_str_eq(s, hello_files[1].data);
    free(s);
    free(f);
    assert_tree_modes(p.dir, 0555);
    cr_assert(gmf_cache_zip_complete(&p));
    cr_assert(gmf_cache_dir_complete(&p));
    gmf_cache_paths_release(&p);
}

/* Reference §5.1 vector 3 [observed]: escaped names, sub/ 0555, files 0444. */
Test(cache, commit_upper_case_module)
{
    struct verify_ctx v = {MIXED_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;
    char *s;

    gmf_diag_init(&d);
    get_paths("github.com/Example/Mixed/v2", "v2.1.0-RC.1", &p);
    cr_assert_eq(download(&p, mixed_files, 6, &v, h1, &d), GMF_OK, "commit: %s", d.msg);
    cr_assert_str_eq(h1, MIXED_H1);
    s = dir_listing(p.dir);
    cr_assert_str_eq(s, "README Z.go a.go go.mod sub sub.go");
    free(s);
    assert_tree_modes(p.dir, 0555);
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v2.1.0-!r!c.1.lock v2.1.0-!r!c.1.zip v2.1.0-!r!c.1.ziphash");
    free(s);
    gmf_cache_paths_release(&p);
}

/* -modcacherw: directories keep their write bits (0777 &^ umask), files stay 0444. */
Test(cache, commit_rw_leaves_dirs_writable)
{
    struct verify_ctx v = {MIXED_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;

    cache.rw = true;
    gmf_diag_init(&d);
    get_paths("github.com/Example/Mixed/v2", "v2.1.0-RC.1", &p);
    cr_assert_eq(download(&p, mixed_files, 6, &v, h1, &d), GMF_OK, "commit: %s", d.msg);
    assert_tree_modes(p.dir, 0755);
    gmf_cache_paths_release(&p);
}

/* A refused hash leaves nothing go would trust: no zip, ziphash, tree, .partial or temp. */
Test(cache, commit_verify_reject_leaves_only_lock)
{
    struct verify_ctx v = {"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1] = "untouched";
    struct gmf_diag d;
    char *s;

    gmf_diag_init(&d);
    get_paths("github.com/Example/Mixed/v2", "v2.1.0-RC.1", &p);
    cr_assert_eq(download(&p, mixed_files, 6, &v, h1, &d), GMF_ECHECKSUM);
    cr_assert_str_eq(d.msg, "verifying module: checksum mismatch");
    cr_assert_eq(v.calls, 1);
    cr_assert_str_eq(v.got, MIXED_H1, "verify saw the real hash");
    cr_assert_str_eq(h1, "untouched");
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v2.1.0-!r!c.1.lock", "vdir: %s", s);
    free(s);
    cr_assert(!gmf_fs_exists(p.dir));
    gmf_cache_paths_release(&p);
}

/* A zip with a file outside "<path>@<version>/" fails the checks: nothing extracted. */
Test(cache, commit_bad_zip_leaves_only_lock)
{
    static const struct entry bad[] = {
        {"example.com/hello@v1.0.0/go.mod", "module example.com/hello\n"},
        {"example.com/other@v1.0.0/x.go", "package x\n"},
    };
    struct verify_ctx v = {HELLO_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;
    char *s;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_neq(download(&p, bad, 2, &v, h1, &d), GMF_OK);
    cr_assert_eq(v.calls, 0, "verify is not asked about an invalid zip");
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock", "vdir: %s", s);
    free(s);
    cr_assert(!gmf_fs_exists(p.dir));
    gmf_cache_paths_release(&p);
}

Test(cache, abort_removes_temp)
{
    struct gmf_cache_paths p;
    struct gmf_cache_zip z;
    char *tmp, *s;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_cache_zip_begin(&cache, &p, &z, NULL), GMF_OK);
    cr_assert(!z.already_complete);
    cr_assert_not_null(z.tmp_path);
    tmp = gmf_xstrdup(z.tmp_path);
    /* go's tempFile name: "<final><decimal digits>.tmp". */
    cr_assert_eq(strncmp(tmp, p.zip, strlen(p.zip)), 0, "%s", tmp);
    cr_assert(strlen(tmp) > strlen(p.zip) + 4);
    cr_assert_str_eq(tmp + strlen(tmp) - 4, ".tmp");
    for (const char *c = tmp + strlen(p.zip); c < tmp + strlen(tmp) - 4; c++)
        cr_assert(*c >= '0' && *c <= '9', "%s", tmp);
    cr_assert(gmf_fs_exists(tmp));
    (void)write(z.fd, "partial", 7);
    gmf_cache_zip_abort(&z);
    cr_assert_eq(z.fd, -1);
    cr_assert_eq(z.lock_fd, -1);
    cr_assert_null(z.tmp_path);
    cr_assert(!gmf_fs_exists(tmp));
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock");
    free(s);
    free(tmp);
    gmf_cache_paths_release(&p);
}

/* downloadZip deletes "<ev>.zip*.tmp" under the lock, and nothing else. */
Test(cache, begin_removes_stale_temps)
{
    struct gmf_cache_paths p;
    struct gmf_cache_zip z;
    char *stale1, *stale2, *other, *s;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    stale1 = gmf_xasprintf("%s123456.tmp", p.zip);
    stale2 = gmf_xasprintf("%s.tmp", p.zip);
    other = gmf_xasprintf("%s/v1.0.0.mod42.tmp", p.vdir);
    write_file(stale1, "x", 1);
    write_file(stale2, "x", 1);
    write_file(other, "x", 1);
    cr_assert_eq(gmf_cache_zip_begin(&cache, &p, &z, NULL), GMF_OK);
    cr_assert(!gmf_fs_exists(stale1));
    cr_assert(!gmf_fs_exists(stale2));
    cr_assert(gmf_fs_exists(other), "a .mod temp is not the zip's");
    gmf_cache_zip_abort(&z);
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock v1.0.0.mod42.tmp");
    free(s);
    free(stale1);
    free(stale2);
    free(other);
    gmf_cache_paths_release(&p);
}

/* A leftover read-only tree with .partial (a killed extraction) is replaced. */
Test(cache, commit_replaces_stale_partial_tree)
{
    struct verify_ctx v = {MIXED_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;
    char *junk, *sub, *old, *s;

    gmf_diag_init(&d);
    get_paths("github.com/Example/Mixed/v2", "v2.1.0-RC.1", &p);
    sub = gmf_xasprintf("%s/sub", p.dir);
    junk = gmf_xasprintf("%s/junk.go", sub);
    old = gmf_xasprintf("%s.tmp-12345", p.dir);
    cr_assert_eq(gmf_fs_mkdir_p(sub, 0777, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_mkdir_p(old, 0777, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    write_file(junk, "package junk\n", 13);
    write_file(p.partial, "", 0);
    chmod(junk, 0444);
    chmod(sub, 0555);
    chmod(p.dir, 0555);
    cr_assert_eq(download(&p, mixed_files, 6, &v, h1, &d), GMF_OK, "commit: %s", d.msg);
    s = dir_listing(p.dir);
    cr_assert_str_eq(s, "README Z.go a.go go.mod sub sub.go");
    free(s);
    s = dir_listing(sub);
    cr_assert_str_eq(s, "x.go");
    free(s);
    cr_assert(!gmf_fs_exists(p.partial));
    cr_assert(!gmf_fs_exists(old), "pre-1.16 temp dirs are swept");
    assert_tree_modes(p.dir, 0555);
    free(sub);
    free(junk);
    free(old);
    gmf_cache_paths_release(&p);
}

/* fetch.go downloadZip: zip present, ziphash lost -> re-hash, verify, write the ziphash. */
Test(cache, repair_missing_ziphash)
{
    struct verify_ctx v = {HELLO_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;
    size_t len;
    char *bytes, *s;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    bytes = make_zip(hello_files, 3, &len);
    write_file(p.zip, bytes, len);
    free(bytes);
    cr_assert(!gmf_cache_zip_complete(&p));
    cr_assert_eq(gmf_cache_zip_repair(&cache, &p, verify_eq, &v, h1, &d), GMF_OK, "%s",
                 d.msg);
    cr_assert_str_eq(h1, HELLO_H1);
    cr_assert_eq(v.calls, 1);
    s = read_all(p.ziphash, &len);
    cr_assert_eq(len, GMF_H1_LEN);
    cr_assert_str_eq(s, HELLO_H1);
    free(s);
    cr_assert(gmf_cache_zip_complete(&p));
    cr_assert(gmf_cache_dir_complete(&p));
    assert_tree_modes(p.dir, 0555);
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock v1.0.0.zip v1.0.0.ziphash");
    free(s);
    gmf_cache_paths_release(&p);
}

/* A malformed ziphash next to a good zip (what a kill inside go's in-place hashZip write
 * leaves) is replaced by a renamed temp, never truncated in place: an fd opened on the old
 * file before the repair still reads the old bytes, and no temp is left over. */
Test(cache, repair_replaces_bad_ziphash_atomically)
{
    struct verify_ctx v = {HELLO_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1], old[8] = {0};
    struct gmf_diag d;
    size_t len;
    char *bytes, *s;
    int fd;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    bytes = make_zip(hello_files, 3, &len);
    write_file(p.zip, bytes, len);
    free(bytes);
    write_file(p.ziphash, "h1:junk", 7);
    fd = open(p.ziphash, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(gmf_cache_zip_repair(&cache, &p, verify_eq, &v, h1, &d), GMF_OK, "%s",
                 d.msg);
    cr_assert_str_eq(h1, HELLO_H1);
    cr_assert_eq(pread(fd, old, sizeof(old) - 1, 0), 7, "the old file was truncated in place");
    cr_assert_str_eq(old, "h1:junk");
    close(fd);
    s = read_all(p.ziphash, &len);
    cr_assert_eq(len, GMF_H1_LEN);
    cr_assert_str_eq(s, HELLO_H1);
    free(s);
    cr_assert_eq(mode_of(p.ziphash), S_IFREG | 0644, "0666 &^ umask, as go creates it");
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock v1.0.0.zip v1.0.0.ziphash");
    free(s);
    gmf_cache_paths_release(&p);
}

/* Killed after the zip rename, before .partial went: repair re-extracts from the zip (the
 * junk file of the stale tree disappears) and leaves the matching ziphash alone. */
Test(cache, repair_stale_partial_tree)
{
    struct verify_ctx v = {HELLO_H1, 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;
    struct stat st1, st2;
    char *junk, *s;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(download(&p, hello_files, 3, &v, h1, &d), GMF_OK, "commit: %s", d.msg);
    cr_assert_eq(stat(p.ziphash, &st1), 0);
    write_file(p.partial, "", 0);
    chmod(p.dir, 0755);
    junk = gmf_xasprintf("%s/junk.go", p.dir);
    write_file(junk, "package junk\n", 13);
    cr_assert(!gmf_cache_dir_complete(&p));
    cr_assert_eq(gmf_cache_zip_repair(&cache, &p, verify_eq, &v, h1, &d), GMF_OK, "%s", d.msg);
    cr_assert_str_eq(h1, HELLO_H1);
    cr_assert(!gmf_fs_exists(junk));
    cr_assert(gmf_cache_dir_complete(&p));
    s = dir_listing(p.dir);
    cr_assert_str_eq(s, "LICENSE go.mod hello.go");
    free(s);
    assert_tree_modes(p.dir, 0555);
    cr_assert_eq(stat(p.ziphash, &st2), 0);
    cr_assert_eq(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec, "ziphash not rewritten");
    free(junk);
    gmf_cache_paths_release(&p);
}

/* A refused repair writes no ziphash and leaves no tree; the zip (not ours) stays. */
Test(cache, repair_verify_reject)
{
    struct verify_ctx v = {"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0, ""};
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    size_t len;
    char *bytes, *s;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    bytes = make_zip(hello_files, 3, &len);
    write_file(p.zip, bytes, len);
    free(bytes);
    cr_assert_eq(gmf_cache_zip_repair(&cache, &p, verify_eq, &v, h1, NULL), GMF_ECHECKSUM);
    s = dir_listing(p.vdir);
    cr_assert_str_eq(s, "v1.0.0.lock v1.0.0.zip");
    free(s);
    cr_assert(!gmf_fs_exists(p.dir));
    gmf_cache_paths_release(&p);
}

/* go released the lock between its zip and its extraction: begin finds zip + ziphash but no
 * tree, extracts it and reports already_complete. */
Test(cache, begin_extracts_when_only_tree_missing)
{
    struct gmf_cache_paths p;
    struct gmf_cache_zip z;
    struct gmf_diag d;
    size_t len;
    char *bytes;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    bytes = make_zip(hello_files, 3, &len);
    write_file(p.zip, bytes, len);
    free(bytes);
    write_file(p.ziphash, HELLO_H1, GMF_H1_LEN);
    cr_assert_eq(gmf_cache_zip_begin(&cache, &p, &z, &d), GMF_OK, "%s", d.msg);
    cr_assert(z.already_complete);
    cr_assert_eq(z.fd, -1);
    cr_assert_eq(z.lock_fd, -1);
    cr_assert(gmf_cache_dir_complete(&p));
    assert_tree_modes(p.dir, 0555);
    gmf_cache_paths_release(&p);
}

/* Same, but the zip does not hash to its ziphash: no tree is published. */
Test(cache, begin_refuses_modified_zip)
{
    struct gmf_cache_paths p;
    struct gmf_cache_zip z;
    struct gmf_diag d;
    size_t len;
    char *bytes;

    gmf_diag_init(&d);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    bytes = make_zip(hello_files, 2, &len);
    write_file(p.zip, bytes, len);
    free(bytes);
    write_file(p.ziphash, HELLO_H1, GMF_H1_LEN);
    cr_assert_eq(gmf_cache_zip_begin(&cache, &p, &z, &d), GMF_ECHECKSUM);
    cr_assert(strstr(d.msg, "zip has been modified") != NULL, "%s", d.msg);
    cr_assert(!gmf_fs_exists(p.dir));
    cr_assert(!gmf_fs_exists(p.partial));
    gmf_cache_paths_release(&p);
}

/* Everything already there: begin returns at once with the lock released. */
Test(cache, begin_after_commit_is_complete)
{
    struct verify_ctx v = {HELLO_H1, 0, ""};
    struct gmf_cache_paths p;
    struct gmf_cache_zip z;
    char h1[GMF_H1_LEN + 1];
    int fd;

    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(download(&p, hello_files, 3, &v, h1, NULL), GMF_OK);
    cr_assert_eq(gmf_cache_zip_begin(&cache, &p, &z, NULL), GMF_OK);
    cr_assert(z.already_complete);
    /* The lock is free again. */
    fd = open(p.lock, O_RDWR | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    close(fd);
    gmf_cache_paths_release(&p);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* flock(2) on <ev>.lock, as go's lockedfile: a child (standing in for go) holding it makes
 * begin wait until it lets go; then begin holds it and the child cannot take it. */
Test(cache, begin_waits_for_lock)
{
    struct gmf_cache_paths p;
    struct gmf_cache_zip z;
    int ready[2], status;
    double t0, waited;
    pid_t pid;
    char c;
    int fd;

    /* If begin ever blocked for good, SIGALRM kills this test (reported as a crash). The
     * child exits after 0.8 s whatever happens, and its exit drops the lock. */
    alarm(10);
    get_paths("example.com/hello", "v1.0.0", &p);
    cr_assert_eq(gmf_fs_mkdir_p(p.vdir, 0777, NULL), GMF_OK);
    cr_assert_eq(pipe(ready), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int lfd = open(p.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

        if (lfd < 0 || flock(lfd, LOCK_EX) != 0)
            _exit(1);
        (void)write(ready[1], "x", 1);
        usleep(800 * 1000);
        _exit(0); /* exiting drops the lock, as a finished go would */
    }
    close(ready[1]);
    cr_assert_eq(read(ready[0], &c, 1), 1, "child took the lock");
    close(ready[0]);
    t0 = now();
    cr_assert_eq(gmf_cache_zip_begin(&cache, &p, &z, NULL), GMF_OK);
    waited = now() - t0;
    cr_assert_geq(waited, 0.5, "begin did not wait for the lock (%.3fs)", waited);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    fd = open(p.lock, O_RDWR | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), -1, "begin holds the lock");
    cr_assert_eq(errno, EWOULDBLOCK);
    gmf_cache_zip_abort(&z);
    cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0, "abort released the lock");
    close(fd);
    gmf_cache_paths_release(&p);
}

/* --- extraction order, mkdir -p, the sync barrier ----------------------------------------- */

/* Entries that leave and re-enter directories at every depth (zips need not be sorted): the
 * extractor keeps the open directories of the previous path and must never reuse one that is
 * not a whole-component prefix ("a/b" is not a prefix of "a/bb"). */
Test(cache, commit_extracts_interleaved_directories)
{
    static const struct entry files[] = {
        {"example.com/deep@v1.0.0/go.mod", "module example.com/deep\n"},
        {"example.com/deep@v1.0.0/a/b/c/one.go", "1"},
        {"example.com/deep@v1.0.0/a/bb/two.go", "2"},
        {"example.com/deep@v1.0.0/a/b/three.go", "3"},
        {"example.com/deep@v1.0.0/a/b/c/d/four.go", "4"},
        {"example.com/deep@v1.0.0/x.go", "5"},
        {"example.com/deep@v1.0.0/a/b/c/five.go", "6"},
        {"example.com/deep@v1.0.0/ab/six.go", "7"},
        {"example.com/deep@v1.0.0/a/seven.go", "8"},
    };
    static const char *const listings[][2] = {
        {"", "a ab go.mod x.go"},   {"a", "b bb seven.go"}, {"a/b", "c three.go"},
        {"a/b/c", "d five.go one.go"}, {"a/b/c/d", "four.go"}, {"a/bb", "two.go"},
        {"ab", "six.go"},
    };
    struct gmf_cache_paths p;
    char h1[GMF_H1_LEN + 1];
    struct gmf_diag d;
    size_t len, n = sizeof(files) / sizeof(files[0]);
    char *s, *f;

    gmf_diag_init(&d);
    get_paths("example.com/deep", "v1.0.0", &p);
    /* No verify: the h1 is whatever the zip hashes to, this test is about the tree. */
    cr_assert_eq(download(&p, files, n, NULL, h1, &d), GMF_OK, "commit: %s", d.msg);
    for (size_t i = 0; i < sizeof(listings) / sizeof(listings[0]); i++) {
        f = gmf_xasprintf("%s/%s", p.dir, listings[i][0]);
        s = dir_listing(f);
        cr_assert_str_eq(s, listings[i][1], "%s: %s", listings[i][0], s);
        free(s);
        free(f);
    }
    for (size_t i = 0; i < n; i++) {
        f = gmf_xasprintf("%s/%s", p.dir, files[i].name + strlen("example.com/deep@v1.0.0/"));
        s = read_all(f, &len);
        cr_assert_str_eq(s, files[i].data, "%s", f);
        free(s);
        free(f);
    }
    assert_tree_modes(p.dir, 0555);
    gmf_cache_paths_release(&p);
}

Test(cache, mkdir_p_creates_walks_up_and_reports)
{
    char *deep = gmf_xasprintf("%s/m/n//o/p/", root), *file = gmf_xasprintf("%s/f", root);
    char *under = gmf_xasprintf("%s/f/g/h", root);
    struct gmf_diag d;
    struct stat st;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_fs_mkdir_p(deep, 0777, &d), GMF_OK, "%s", d.msg);
    cr_assert_eq(stat(deep, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0755, "0777 &^ umask 022");
    cr_assert_eq(gmf_fs_mkdir_p(deep, 0777, &d), GMF_OK, "an existing directory is fine");
    write_file(file, "x", 1);
    cr_assert_eq(gmf_fs_mkdir_p(under, 0777, &d), GMF_EIO, "a file in the way");
    cr_assert(strstr(d.msg, "mkdir") && strstr(d.msg, "/f/g"), "%s", d.msg);
    free(deep);
    free(file);
    free(under);
}

struct barrier_arg {
    struct gmf_fs_barrier *b;
    const char *dir;
    int id;
    int failures;
};

static void *barrier_thread(void *p)
{
    struct barrier_arg *a = p;

    for (int i = 0; i < 20; i++) {
        char *f = gmf_xasprintf("%s/t%d-%d", a->dir, a->id, i);
        int fd;

        write_file(f, "data", 4);
        fd = open(f, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || gmf_fs_barrier_wait(a->b, fd, NULL) != GMF_OK)
            a->failures++;
        if (fd >= 0)
            close(fd);
        free(f);
    }
    return NULL;
}

/* Eight threads committing at once all get through (bounded by alarm: a lost wake-up would
 * hang), on the barrier's filesystem and on another one (/dev/shm, tmpfs). */
Test(cache, barrier_concurrent_waiters)
{
    struct barrier_arg args[8];
    pthread_t th[8];
    struct gmf_fs_barrier *b = gmf_fs_barrier_new();
    char shm[] = "/dev/shm/gmfetch-barrier-XXXXXX";
    bool have_shm = mkdtemp(shm) != NULL;

    alarm(60);
    for (int i = 0; i < 8; i++) {
        args[i] = (struct barrier_arg){b, (i % 4 == 3 && have_shm) ? shm : root, i, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, barrier_thread, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].failures, 0, "thread %d", i);
    }
    alarm(0);
    if (have_shm)
        (void)gmf_fs_remove_all(shm, NULL);
    gmf_fs_barrier_free(b);
}

Test(cache, barrier_bad_fd_is_an_error)
{
    struct gmf_fs_barrier *b = gmf_fs_barrier_new();
    struct gmf_diag d;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_fs_barrier_wait(b, -1, &d), GMF_EIO);
    cr_assert(strstr(d.msg, "sync"), "%s", d.msg);
    gmf_fs_barrier_free(b);
}
