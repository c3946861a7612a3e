#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmfetch/fsutil.h"
#include "gmfetch/goenv.h"
#include "gmfetch/xalloc.h"

/* Provenance: expected values come from go 1.19 itself, run with `env -i` and the same
 * variables: `go env -json GOPATH GOMODCACHE GOPROXY ...` for resolved values, and
 * `go mod download [-x] example.com/hello@v1.0.0` against a file:// or closed http://
 * proxy for error texts (printed by go after "go: " or "go: <module>@<version>: ") and for
 * the request URLs a GOPROXY entry produces (the "# get" lines of -x). */

/* ---- fake environment -------------------------------------------------------------- */

struct kv {
    const char *k, *v;
};

static const char *fake_getenv(const char *name, void *ctx)
{
    for (const struct kv *e = ctx; e->k; e++)
        if (strcmp(e->k, name) == 0)
            return e->v;
    return NULL;
}

static char tmpdir[64];

static char *tmp_path(const char *rel)
{
    return gmf_xasprintf("%s/%s", tmpdir, rel);
}

static void write_file(const char *rel, const char *content)
{
    char *p = tmp_path(rel);
    char *dir = gmf_xstrdup(p);

    *strrchr(dir, '/') = '\0';
    cr_assert_eq(gmf_fs_mkdir_p(dir, 0777, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_write_atomic(p, content, strlen(content), NULL), GMF_OK);
    free(dir);
    free(p);
}

static void setup(void)
{
    (void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/gmf-goenv-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    (void)gmf_fs_remove_all(tmpdir, NULL);
}

TestSuite(goenv, .init = setup, .fini = teardown);

static void load_ok(struct gmf_goenv *g, const struct kv *env)
{
    struct gmf_diag diag;

    gmf_diag_init(&diag);
    cr_assert_eq(gmf_goenv_load(g, fake_getenv, (void *)env, &diag), GMF_OK, "%s", diag.msg);
}

static void load_fails(const struct kv *env, enum gmf_err code, const char *msg)
{
    struct gmf_goenv g;
    struct gmf_diag diag;

    memset(&g, 0x5a, sizeof(g));
    gmf_diag_init(&diag);
    cr_assert_eq(gmf_goenv_load(&g, fake_getenv, (void *)env, &diag), code, "got %s", diag.msg);
    cr_assert_str_eq(diag.msg, msg);
    cr_assert_eq(g.gopath, (char *)0x5a5a5a5a5a5a5a5aull, "ret written on failure");
}

/* ---- resolution -------------------------------------------------------------------- */

Test(goenv, defaults)
{
    char *home = tmp_path("h");
    struct kv env[] = {{"HOME", home}, {NULL, NULL}};
    struct gmf_goenv g;
    char *want;

    load_ok(&g, env);
    want = gmf_xasprintf("%s/go", home);
    cr_assert_str_eq(g.gopath, want);
    free(want);
    want = gmf_xasprintf("%s/go/pkg/mod", home);
    cr_assert_str_eq(g.gomodcache, want);
    free(want);
    cr_assert_str_eq(g.goproxy, "https://proxy.golang.org,direct");
    cr_assert_str_eq(g.gosumdb, "sum.golang.org");
    cr_assert_str_eq(g.goprivate, "");
    cr_assert_str_eq(g.gonoproxy, "");
    cr_assert_str_eq(g.gonosumdb, "");
    cr_assert_str_eq(g.goinsecure, "");
    cr_assert_str_eq(g.goflags, "");
    cr_assert_str_eq(g.gowork, "");
    cr_assert(!g.modcacherw);
    cr_assert_eq(g.nproxies, 2);
    cr_assert_eq(g.proxies[0].kind, GMF_PROXY_URL);
    cr_assert_str_eq(g.proxies[0].url, "https://proxy.golang.org");
    cr_assert(!g.proxies[0].fallback_any);
    cr_assert_eq(g.proxies[1].kind, GMF_PROXY_DIRECT);
    cr_assert_null(g.proxies[1].url);
    gmf_goenv_release(&g);
    cr_assert_null(g.gopath);
    cr_assert_null(g.proxies);
    cr_assert_eq(g.nproxies, 0);
    free(home);
}

/* The file go env -w maintains; the values go 1.19 reported for it are asserted. */
static const char xdg_env_file[] = "GOPROXY=https://file.example/p\n"
                                   "lowercase=x\n"
                                   "GOPRIVATE=*.corp.com,rsc.io/private\n"
                                   " GOSUMDB=bad\n"
                                   "GOFLAGS=-modcacherw\r\n"
                                   "NOEQUALS\n"
                                   "GOINSECURE=one\n"
                                   "GOINSECURE=two\n"
                                   "\n"
                                   "GOWORK=off";

Test(goenv, xdg_env_file)
{
    char *xdg = tmp_path("xdg"), *home = tmp_path("home2");
    struct kv env[] = {{"HOME", home},
                       {"XDG_CONFIG_HOME", xdg},
                       {"GOPROXY", ""},
                       {"GONOSUMDB", "x.io"},
                       {NULL, NULL}};
    struct gmf_goenv g;
    char *want;

    write_file("xdg/go/env", xdg_env_file);
    write_file("home2/.config/go/env", "GOPROXY=https://home.example\n");
    load_ok(&g, env);
    /* an empty environment value does not hide the file's */
    cr_assert_str_eq(g.goproxy, "https://file.example/p");
    cr_assert_str_eq(g.goprivate, "*.corp.com,rsc.io/private");
    cr_assert_str_eq(g.gonoproxy, "*.corp.com,rsc.io/private");
    cr_assert_str_eq(g.gonosumdb, "x.io");
    cr_assert_str_eq(g.gosumdb, "sum.golang.org");
    cr_assert_str_eq(g.goinsecure, "two");
    cr_assert_str_eq(g.goflags, "-modcacherw\r");
    cr_assert(g.modcacherw);
    cr_assert_str_eq(g.gowork, "off");
    want = gmf_xasprintf("%s/go/pkg/mod", home);
    cr_assert_str_eq(g.gomodcache, want);
    free(want);
    /* GONOPROXY (from GOPRIVATE) puts the implicit noproxy entry first */
    cr_assert_eq(g.nproxies, 2);
    cr_assert_eq(g.proxies[0].kind, GMF_PROXY_NOPROXY);
    cr_assert_str_eq(g.proxies[1].url, "https://file.example/p");
    gmf_goenv_release(&g);
    free(xdg);
    free(home);
}

Test(goenv, home_config_file)
{
    char *home = tmp_path("home2");
    struct kv env[] = {{"HOME", home}, {"XDG_CONFIG_HOME", ""}, {NULL, NULL}};
    struct gmf_goenv g;

    write_file("home2/.config/go/env", "GOPROXY=https://home.example\n");
    load_ok(&g, env);
    cr_assert_str_eq(g.goproxy, "https://home.example");
    gmf_goenv_release(&g);
    free(home);
}

Test(goenv, goenv_off_and_explicit)
{
    char *home = tmp_path("home2"), *file = tmp_path("xdg/go/env");
    struct kv off[] = {{"HOME", home}, {"GOENV", "off"}, {NULL, NULL}};
    struct kv explicit[] = {
        {"HOME", home}, {"GOENV", file}, {"GOPROXY", "https://env.example"}, {NULL, NULL}};
    struct kv missing[] = {{"HOME", home}, {"GOENV", "/nonexistent/env"}, {NULL, NULL}};
    struct gmf_goenv g;

    write_file("home2/.config/go/env", "GOPROXY=https://home.example\n");
    write_file("xdg/go/env", xdg_env_file);
    load_ok(&g, off);
    cr_assert_str_eq(g.goproxy, "https://proxy.golang.org,direct");
    gmf_goenv_release(&g);
    load_ok(&g, explicit);
    cr_assert_str_eq(g.goproxy, "https://env.example"); /* the environment wins */
    cr_assert_str_eq(g.goinsecure, "two");              /* the file fills the rest */
    gmf_goenv_release(&g);
    load_ok(&g, missing); /* a missing file is no error, as in go */
    cr_assert_str_eq(g.goproxy, "https://proxy.golang.org,direct");
    gmf_goenv_release(&g);
    free(home);
    free(file);
}

Test(goenv, gopath_and_modcache_forms)
{
    struct kv list[] = {
        {"HOME", "/h"}, {"GOENV", "off"}, {"GOPATH", "/a//b/../c/:/d"}, {NULL, NULL}};
    struct kv slash_home[] = {{"HOME", "/h/"}, {"GOENV", "off"}, {NULL, NULL}};
    struct kv modcache[] = {
        {"HOME", "/h"}, {"GOENV", "off"}, {"GOMODCACHE", "/x//y/"}, {NULL, NULL}};
    struct kv rel_home[] = {
        {"HOME", "relhome"}, {"GOENV", "off"}, {"GOMODCACHE", "/mc"}, {NULL, NULL}};
    struct kv empty_mc[] = {
        {"HOME", "/h"}, {"GOENV", "off"}, {"GOPATH", "/gp"}, {"GOMODCACHE", ""}, {NULL, NULL}};
    struct gmf_goenv g;

    load_ok(&g, list); /* go env: GOMODCACHE "/a/c/pkg/mod" */
    cr_assert_str_eq(g.gopath, "/a/c");
    cr_assert_str_eq(g.gomodcache, "/a/c/pkg/mod");
    gmf_goenv_release(&g);
    load_ok(&g, slash_home); /* go env: GOPATH "/h/go" */
    cr_assert_str_eq(g.gopath, "/h/go");
    cr_assert_str_eq(g.gomodcache, "/h/go/pkg/mod");
    gmf_goenv_release(&g);
    /* go env prints "/x//y/"; every cache path go builds is joined, hence cleaned */
    load_ok(&g, modcache);
    cr_assert_str_eq(g.gomodcache, "/x/y");
    gmf_goenv_release(&g);
    /* an inferred relative GOPATH is dropped silently (cmd/go/main.go) */
    load_ok(&g, rel_home);
    cr_assert_str_eq(g.gopath, "");
    cr_assert_str_eq(g.gomodcache, "/mc");
    gmf_goenv_release(&g);
    load_ok(&g, empty_mc);
    cr_assert_str_eq(g.gomodcache, "/gp/pkg/mod");
    gmf_goenv_release(&g);
}

Test(goenv, gopath_errors)
{
    struct kv rel[] = {{"HOME", "/h"}, {"GOENV", "off"}, {"GOPATH", "rel"}, {NULL, NULL}};
    struct kv tilde[] = {{"HOME", "/h"}, {"GOENV", "off"}, {"GOPATH", "~/x"}, {NULL, NULL}};
    struct kv second[] = {{"HOME", "/h"}, {"GOENV", "off"}, {"GOPATH", "/abs:rel"}, {NULL, NULL}};
    struct kv first_empty[] = {{"HOME", "/h"}, {"GOENV", "off"}, {"GOPATH", ":/gp"}, {NULL, NULL}};
    struct kv mc_rel[] = {{"HOME", "/h"}, {"GOENV", "off"}, {"GOMODCACHE", "rel"}, {NULL, NULL}};
    struct kv home_rel[] = {{"HOME", "relhome"}, {"GOENV", "off"}, {NULL, NULL}};
    struct kv no_home[] = {{"HOME", ""}, {"GOENV", "off"}, {NULL, NULL}};

    load_fails(rel, GMF_EUSAGE,
               "GOPATH entry is relative; must be absolute path: \"rel\".\n"
               "For more details see: 'go help gopath'");
    load_fails(tilde, GMF_EUSAGE,
               "GOPATH entry cannot start with shell metacharacter '~': \"~/x\"");
    load_fails(second, GMF_EUSAGE,
               "GOPATH entry is relative; must be absolute path: \"rel\".\n"
               "For more details see: 'go help gopath'");
    load_fails(first_empty, GMF_EINVAL,
               "module cache not found: neither GOMODCACHE nor GOPATH is set");
    /* go's text ends in ".\n"; the diag drops the newline */
    load_fails(mc_rel, GMF_EINVAL, "GOMODCACHE entry is relative; must be absolute path: \"rel\".");
    load_fails(home_rel, GMF_EINVAL,
               "GOMODCACHE entry is relative; must be absolute path: \"relhome/go/pkg/mod\".");
    load_fails(no_home, GMF_EINVAL, "module cache not found: neither GOMODCACHE nor GOPATH is set");
}

Test(goenv, goflags)
{
    static const struct {
        const char *flags;
        enum gmf_err code;
        bool rw;
        const char *msg;
    } cases[] = {
        {"-modcacherw", GMF_OK, true, ""},
        {"--modcacherw=F", GMF_OK, false, ""},
        {"-modcacherw=1", GMF_OK, true, ""},
        {"-modcacherw -modcacherw=false", GMF_OK, false, ""},
        {"  -mod=mod\t-x -modcacherw=True ", GMF_OK, true, ""},
        {"-ldflags=-w", GMF_OK, false, ""},
        {"bogus", GMF_EINVAL, false, "parsing $GOFLAGS: non-flag \"bogus\""},
        {"-=x", GMF_EINVAL, false, "parsing $GOFLAGS: non-flag \"-=x\""},
        {"---x", GMF_EINVAL, false, "parsing $GOFLAGS: non-flag \"---x\""},
        {"-modcacherw=maybe", GMF_EUSAGE, false,
         "invalid boolean value \"maybe\" for flag -modcacherw (from $GOFLAGS): parse error"},
        {"-modcacherw=", GMF_EUSAGE, false,
         "invalid boolean value \"\" for flag -modcacherw (from $GOFLAGS): parse error"},
        /* every word is checked before any value: the non-flag wins */
        {"-modcacherw=x bad", GMF_EINVAL, false, "parsing $GOFLAGS: non-flag \"bad\""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kv env[] = {
            {"HOME", "/h"}, {"GOENV", "off"}, {"GOFLAGS", cases[i].flags}, {NULL, NULL}};
        struct gmf_goenv g;
        struct gmf_diag diag;
        enum gmf_err r;

        gmf_diag_init(&diag);
        r = gmf_goenv_load(&g, fake_getenv, env, &diag);
        cr_expect_eq(r, cases[i].code, "GOFLAGS=%s: %s", cases[i].flags, diag.msg);
        cr_expect_str_eq(diag.msg, cases[i].msg, "GOFLAGS=%s", cases[i].flags);
        if (r == GMF_OK) {
            cr_expect_eq(g.modcacherw, cases[i].rw, "GOFLAGS=%s", cases[i].flags);
            gmf_goenv_release(&g);
        }
    }
}

/* go's order: GOPATH, GOFLAGS, GOPROXY (first lookup), then the cache directory. */
Test(goenv, error_order)
{
    struct kv flags_first[] = {{"HOME", "/h"},         {"GOENV", "off"},      {"GOFLAGS", "bad"},
                               {"GOPROXY", "ftp://x"}, {"GOMODCACHE", "rel"}, {NULL, NULL}};
    struct kv proxy_first[] = {{"HOME", "/h"},
                               {"GOENV", "off"},
                               {"GOPROXY", "ftp://x"},
                               {"GOMODCACHE", "rel"},
                               {NULL, NULL}};

    load_fails(flags_first, GMF_EINVAL, "parsing $GOFLAGS: non-flag \"bad\"");
    load_fails(proxy_first, GMF_EINVAL,
               "invalid proxy URL scheme (must be https, http, file): ftp://x");
}

/* The real environment is used when no lookup function is given. */
Test(goenv, real_environment)
{
    struct gmf_goenv g;

    cr_assert_eq(setenv("GOENV", "off", 1), 0);
    cr_assert_eq(setenv("GOMODCACHE", "/real/mc/", 1), 0);
    cr_assert_eq(setenv("GOPROXY", "off", 1), 0);
    cr_assert_eq(setenv("GOFLAGS", "-modcacherw", 1), 0);
    cr_assert_eq(gmf_goenv_load(&g, NULL, NULL, NULL), GMF_OK);
    cr_assert_str_eq(g.gomodcache, "/real/mc");
    cr_assert_eq(g.nproxies, 1);
    cr_assert_eq(g.proxies[0].kind, GMF_PROXY_OFF);
    cr_assert(g.modcacherw);
    gmf_goenv_release(&g);
}

/* ---- GOPROXY ----------------------------------------------------------------------- */

Test(goenv, proxy_errors)
{
    static const struct {
        const char *goproxy, *msg;
    } cases[] = {
        {",", "GOPROXY list is not the empty string, but contains no entries"},
        {" , |", "GOPROXY list is not the empty string, but contains no entries"},
        {"foo", "invalid proxy URL missing scheme: foo"},
        {"Direct", "invalid proxy URL missing scheme: Direct"},
        {"/srv/proxy", "invalid proxy URL missing scheme: /srv/proxy"},
        {"ftp://x", "invalid proxy URL scheme (must be https, http, file): ftp://x"},
        {"https://x.invalid,ftp://bad",
         "invalid proxy URL scheme (must be https, http, file): ftp://bad"},
        {"file://host/x", "invalid file:// proxy URL with non-path elements: file://host/x"},
        {"file:///x?q", "invalid file:// proxy URL with non-path elements: file:///x?q"},
        {"file:///x#f", "invalid file:// proxy URL with non-path elements: file:///x#f"},
        {"file:/x", "invalid file:// proxy URL with non-path elements: file:/x"},
        {"file://@/x", "invalid file:// proxy URL with non-path elements: file://@/x"},
        {"file:///x?", "invalid file:// proxy URL with non-path elements: file:///x?"},
        {"file:x", "parse \"https://file:x\": invalid port \":x\" after host"},
        {"ftp://u:pw@x/p",
         "invalid proxy URL scheme (must be https, http, file): ftp://u:xxxxx@x/p"},
        {"ftp://u%41:p%3a@x/a%2Fb",
         "invalid proxy URL scheme (must be https, http, file): ftp://uA:xxxxx@x/a%2Fb"},
        {"ftp://u:p@x@y/",
         "invalid proxy URL scheme (must be https, http, file): ftp://u:xxxxx@y/"},
        {"ftp:/x", "invalid proxy URL scheme (must be https, http, file): ftp:/x"},
        {"ftp:x", "parse \"https://ftp:x\": invalid port \":x\" after host"},
        {"ftp://a/ b", "invalid proxy URL scheme (must be https, http, file): ftp://a/%20b"},
        {"ftp://a/\"", "invalid proxy URL scheme (must be https, http, file): ftp://a/%22"},
        {"ftp://a/\xc3\xa9",
         "invalid proxy URL scheme (must be https, http, file): ftp://a/%C3%A9"},
        {"ftp://\xc3\xa9/", "invalid proxy URL scheme (must be https, http, file): ftp://%C3%A9/"},
        {"ftp://a/b#c%20d",
         "invalid proxy URL scheme (must be https, http, file): ftp://a/b#c%20d"},
        {"ftp://a/b#c d", "invalid proxy URL scheme (must be https, http, file): ftp://a/b#c%20d"},
        {"ftp://[::1%25en0]:80/x",
         "invalid proxy URL scheme (must be https, http, file): ftp://[::1%25en0]:80/x"},
        {"ftp://[::1]x", "parse \"ftp://[::1]x\": invalid port \"x\" after host"},
        {"http://[::1", "parse \"http://[::1\": missing ']' in host"},
        {"https://:foo", "parse \"https://:foo\": invalid port \":foo\" after host"},
        {"a:b", "parse \"https://a:b\": invalid port \":b\" after host"},
        {"1a:/b", "parse \"1a:/b\": first path segment in URL cannot contain colon"},
        {"http://a b", "parse \"http://a b\": invalid character \" \" in host name"},
        {"http://a%zz", "parse \"http://a%zz\": invalid URL escape \"%zz\""},
        {"ftp://a/%zz", "parse \"ftp://a/%zz\": invalid URL escape \"%zz\""},
        {"ftp://u p@x/", "parse \"ftp://u p@x/\": net/url: invalid userinfo"},
        {"http://a\tb", "parse \"http://a\\tb\": net/url: invalid control character in URL"},
        {"http://x/\x01", "parse \"http://x/\\x01\": net/url: invalid control character in URL"},
        {"*", "invalid proxy URL missing scheme: *"},
        {"ftp://x/*?a=%zz#%41",
         "invalid proxy URL scheme (must be https, http, file): ftp://x/*?a=%zz#%41"},
        {"ftp://h:/p", "invalid proxy URL scheme (must be https, http, file): ftp://h:/p"},
        {"ftp://[::1%25%41]/",
         "invalid proxy URL scheme (must be https, http, file): ftp://[::1%25A]/"},
        {"ftp://[::1%25%2F]/", "parse \"ftp://[::1%25%2F]/\": invalid URL escape \"%2F\""},
        {"ftp://x/a:b", "invalid proxy URL scheme (must be https, http, file): ftp://x/a:b"},
        {"ftp://%41/", "parse \"ftp://%41/\": invalid URL escape \"%41\""},
        {"ftp://%C3%A9/", "invalid proxy URL scheme (must be https, http, file): ftp://%C3%A9/"},
        {"ftp://a%2525b/", "invalid proxy URL scheme (must be https, http, file): ftp://a%2525b/"},
        {"ftp://u@h/", "invalid proxy URL scheme (must be https, http, file): ftp://u@h/"},
        {"ftp://:p@h/", "invalid proxy URL scheme (must be https, http, file): ftp://:xxxxx@h/"},
        {"ftp://u%zz@h/", "parse \"ftp://u%zz@h/\": invalid URL escape \"%zz\""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gmf_proxy *p = (struct gmf_proxy *)1;
        size_t n = 77;
        struct gmf_diag diag;

        gmf_diag_init(&diag);
        cr_expect_eq(gmf_goenv_parse_proxy(cases[i].goproxy, "", &p, &n, &diag), GMF_EINVAL,
                     "GOPROXY=%s", cases[i].goproxy);
        cr_expect_str_eq(diag.msg, cases[i].msg, "GOPROXY=%s", cases[i].goproxy);
        cr_expect_eq(p, (struct gmf_proxy *)1, "GOPROXY=%s: ret written", cases[i].goproxy);
        cr_expect_eq(n, 77);
    }
}

struct want_proxy {
    enum gmf_proxy_kind kind;
    const char *url;
    bool fallback_any;
};

static void expect_list(const char *goproxy, const char *gonoproxy, const struct want_proxy *w,
                        size_t nw)
{
    struct gmf_proxy *p = NULL;
    size_t n = 0;
    struct gmf_diag diag;

    gmf_diag_init(&diag);
    cr_assert_eq(gmf_goenv_parse_proxy(goproxy, gonoproxy, &p, &n, &diag), GMF_OK, "GOPROXY=%s: %s",
                 goproxy, diag.msg);
    cr_assert_eq(n, nw, "GOPROXY=%s", goproxy);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(p[i].kind, w[i].kind, "GOPROXY=%s [%zu]", goproxy, i);
        if (w[i].url)
            cr_expect_str_eq(p[i].url ? p[i].url : "(null)", w[i].url, "GOPROXY=%s [%zu]", goproxy,
                             i);
        else
            cr_expect_null(p[i].url, "GOPROXY=%s [%zu]", goproxy, i);
        cr_expect_eq(p[i].fallback_any, w[i].fallback_any, "GOPROXY=%s [%zu]", goproxy, i);
    }
    gmf_goenv_free_proxies(p, n);
}

Test(goenv, proxy_lists)
{
    /* "# get" lines of go -x: http://127.0.0.1:1/b/example.com/%21hello/@v/v1.0.0.info for
     * the first entry, http://u:xxxxx@127.0.0.1:1/c/d/... for the second */
    const struct want_proxy a[] = {
        {GMF_PROXY_URL, "http://127.0.0.1:1/b", true},
        {GMF_PROXY_URL, "http://u:p@127.0.0.1:1/c/d", false},
        {GMF_PROXY_URL, "http://127.0.0.1:1/%7e/x%2Fy", false},
    };
    /* "direct" ends the list: the bad entry after it is never looked at */
    const struct want_proxy b[] = {{GMF_PROXY_DIRECT, NULL, false}};
    const struct want_proxy c[] = {{GMF_PROXY_OFF, NULL, false}};
    /* -x: https://127.0.0.1:1/example.com/hello/@v/v1.0.0.info */
    const struct want_proxy d[] = {{GMF_PROXY_URL, "https://127.0.0.1:1", false}};
    /* Unicode white space is trimmed: http://127.0.0.1:1/p/example.com/... */
    const struct want_proxy e[] = {{GMF_PROXY_URL, "http://127.0.0.1:1/p", false}};
    /* -x: http://h/%41/example.com/... and http://h/a%2fb/example.com/... */
    const struct want_proxy f[] = {{GMF_PROXY_URL, "http://h/%41", false},
                                   {GMF_PROXY_URL, "http://h/a%2fb", true},
                                   {GMF_PROXY_URL, "file:///srv/my%20proxy", false}};
    const struct want_proxy g[] = {{GMF_PROXY_NOPROXY, NULL, false},
                                   {GMF_PROXY_URL, "https://proxy.golang.org", false},
                                   {GMF_PROXY_DIRECT, NULL, false}};
    const struct want_proxy h[] = {{GMF_PROXY_NOPROXY, NULL, false}, {GMF_PROXY_OFF, NULL, false}};
    const struct want_proxy star[] = {{GMF_PROXY_URL, "https://h/*", false}};
    const struct want_proxy colon[] = {{GMF_PROXY_URL, "https://a.b/c:d", false}};

    expect_list("HTTP://127.0.0.1:1/a/../b/|http://u:p@127.0.0.1:1//c/./d/,"
                "http://127.0.0.1:1/%7e/x%2Fy/",
                "", a, 3);
    expect_list(" direct ,ftp://bad", "", b, 1);
    expect_list("off,ftp://bad", "", c, 1);
    expect_list("127.0.0.1:1", "", d, 1);
    expect_list("\xc2\xa0http://127.0.0.1:1/p\xe2\x80\x83", "", e, 1);
    expect_list("http://h/%41,http://h/a%2fb|file:///srv/my proxy/", "", f, 3);
    expect_list("https://proxy.golang.org,direct", "*.corp", g, 3);
    expect_list("off", "*.corp", h, 2);
    /* GOPROXY=direct exactly: no noproxy entry */
    expect_list("direct", "*.corp", b, 1);
    /* go requests https://h/<star>/example.com/... and https://a.b/c:d/example.com/... */
    expect_list("https://h/*", "", star, 1);
    expect_list("a.b/c:d", "", colon, 1);
}

Test(goenv, proxy_unsupported)
{
    static const char *const cases[] = {"https://h/p?token=1", "https://h/p#x", "https:a/b:/c",
                                        "https:/nohost"};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gmf_proxy *p = NULL;
        size_t n = 0;

        cr_expect_eq(gmf_goenv_parse_proxy(cases[i], "", &p, &n, NULL), GMF_EUNSUPPORTED,
                     "GOPROXY=%s", cases[i]);
    }
}

/* ---- pattern decisions ------------------------------------------------------------- */

Test(goenv, nosumdb_and_noproxy)
{
    struct kv priv[] = {
        {"HOME", "/h"}, {"GOENV", "off"}, {"GOPRIVATE", "*.corp.com,rsc.io/private"}, {NULL, NULL}};
    struct kv own[] = {{"HOME", "/h"},
                       {"GOENV", "off"},
                       {"GOPRIVATE", "*.corp.com"},
                       {"GONOSUMDB", "example.com"},
                       {"GONOPROXY", "none"},
                       {NULL, NULL}};
    struct kv off[] = {{"HOME", "/h"}, {"GOENV", "off"}, {"GOSUMDB", "off"}, {NULL, NULL}};
    struct gmf_goenv g;

    load_ok(&g, priv);
    cr_assert(gmf_goenv_nosumdb(&g, "git.corp.com/a/b"));
    cr_assert(gmf_goenv_nosumdb(&g, "rsc.io/private/quux"));
    cr_assert(!gmf_goenv_nosumdb(&g, "rsc.io/quote"));
    cr_assert(gmf_goenv_noproxy(&g, "git.corp.com/a"));
    cr_assert(!gmf_goenv_noproxy(&g, "golang.org/x/mod"));
    gmf_goenv_release(&g);

    load_ok(&g, own); /* explicit GONOSUMDB/GONOPROXY replace GOPRIVATE */
    cr_assert(!gmf_goenv_nosumdb(&g, "git.corp.com/a"));
    cr_assert(gmf_goenv_nosumdb(&g, "example.com/x"));
    cr_assert(!gmf_goenv_noproxy(&g, "git.corp.com/a"));
    gmf_goenv_release(&g);

    load_ok(&g, off);
    cr_assert(gmf_goenv_nosumdb(&g, "golang.org/x/mod"));
    cr_assert(!gmf_goenv_noproxy(&g, "golang.org/x/mod"));
    gmf_goenv_release(&g);
}
