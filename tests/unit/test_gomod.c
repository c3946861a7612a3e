/* Unit tests for gomod: go.mod text to records, modfile's error wording, IsDirectoryPath and
 * go version ordering.
 *
 * Provenance: every expected value was printed by golang.org/x/mod/modfile itself, at
 * golang/mod fe2ec04 (2026; built with Go 1.19 after replacing its few slices/cmp calls),
 * through a throwaway program: ParseLax(name, data, nil) for lax mode and
 * Parse(name, data, fix) for GMF_GOMOD_MAIN, where fix is cmd/go's fixVersion
 * (modload/init.go) with its network query replaced by the "not canonical" error that
 * gomod.c documents.  Go-version ordering rows come from go's internal/gover (Compare),
 * IsDirectoryPath rows from the same modfile.  tests/data/gomod/README says which file
 * exercises what.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/gomod.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* Read tests/data/gomod/<name> whole.  Tests may do I/O; the parser never does. */
static char *read_fixture(const char *name, size_t *ret_len)
{
    const char *dir = getenv("GMFETCH_TEST_DATA");
    char path[4096];
    char *data;
    long n;
    FILE *f;

    cr_assert_not_null(dir, "GMFETCH_TEST_DATA is not set");
    (void)snprintf(path, sizeof(path), "%s/gomod/%s", dir, name);
    f = fopen(path, "rbe");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    cr_assert_geq(n, 0);
    rewind(f);
    data = malloc((size_t)n + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    (void)fclose(f);
    data[n] = '\0';
    *ret_len = (size_t)n;
    return data;
}

static enum gmf_err parse_fixture(const char *name, unsigned flags, struct gmf_gomod *m,
                                  struct gmf_diag *d)
{
    size_t len;
    char *data = read_fixture(name, &len);
    enum gmf_err r;

    gmf_diag_init(d);
    r = gmf_gomod_parse(m, data, len, "go.mod", flags, d);
    /* Nothing in the result may point into the caller's bytes. */
    memset(data, 'x', len);
    free(data);
    return r;
}

static void expect_require(const struct gmf_gomod *m, size_t i, const char *path,
                           const char *version, bool indirect)
{
    cr_assert_lt(i, m->nrequire, "require[%zu] missing", i);
    cr_assert_str_eq(m->require[i].path, path, "require[%zu].path", i);
    cr_assert_str_eq(m->require[i].version, version, "require[%zu].version", i);
    cr_assert_eq(m->require[i].indirect, indirect, "require[%zu].indirect (%s)", i, path);
}

static void expect_replace(const struct gmf_gomod *m, size_t i, const char *old_path,
                           const char *old_version, const char *new_path,
                           const char *new_version)
{
    cr_assert_lt(i, m->nreplace, "replace[%zu] missing", i);
    cr_assert_str_eq(m->replace[i].old_path, old_path, "replace[%zu].old_path", i);
    cr_assert_str_eq(m->replace[i].old_version, old_version, "replace[%zu].old_version", i);
    cr_assert_str_eq(m->replace[i].new_path, new_path, "replace[%zu].new_path", i);
    cr_assert_str_eq(m->replace[i].new_version, new_version, "replace[%zu].new_version", i);
}

static void expect_retract(const struct gmf_gomod *m, size_t i, const char *low,
                           const char *high)
{
    cr_assert_lt(i, m->nretract, "retract[%zu] missing", i);
    cr_assert_str_eq(m->retract[i].low, low, "retract[%zu].low", i);
    cr_assert_str_eq(m->retract[i].high, high, "retract[%zu].high", i);
}

static void expect_released(const struct gmf_gomod *m)
{
    cr_assert_null(m->module);
    cr_assert_null(m->require);
    cr_assert_eq(m->nrequire, 0);
    cr_assert_null(m->replace);
    cr_assert_eq(m->nreplace, 0);
    cr_assert_null(m->retract);
    cr_assert_null(m->arena_);
}

/* The main module form of full.mod: every directive go knows, block and line forms, quoted
 * paths, comments, both kinds of replace, exclude, retract intervals and the newer
 * toolchain/godebug/tool/ignore directives. */
Test(gomod, full_main)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_fixture("full.mod", GMF_GOMOD_MAIN, &m, &d), GMF_OK, "%s", d.msg);
    cr_assert_str_eq(m.module, "example.com/full");
    cr_assert(m.deprecated);
    cr_assert_str_eq(m.go, "1.21.0");
    cr_assert_str_eq(m.toolchain, "go1.21.3");
    cr_assert_eq(m.nrequire, 6);
    expect_require(&m, 0, "github.com/Example/Mixed/v2", "v2.1.0-RC.1", false);
    expect_require(&m, 1, "golang.org/x/mod", "v0.14.0", false);
    expect_require(&m, 2, "golang.org/x/text", "v0.3.0", true);
    expect_require(&m, 3, "gopkg.in/yaml.v3", "v3.0.1", true);
    expect_require(&m, 4, "rsc.io/quote", "v1.5.2", false);
    expect_require(&m, 5, "github.com/pkg/errors", "v0.9.1", false);
    cr_assert_eq(m.nexclude, 1);
    cr_assert_str_eq(m.exclude[0].path, "golang.org/x/net");
    cr_assert_str_eq(m.exclude[0].version, "v0.0.0-20190101000000-abcdefabcdef");
    cr_assert_eq(m.nreplace, 3);
    expect_replace(&m, 0, "golang.org/x/net", "", "golang.org/x/net", "v0.17.0");
    expect_replace(&m, 1, "rsc.io/quote", "v1.5.2", "../quote", "");
    expect_replace(&m, 2, "example.com/spaced", "", "./dir with space", "");
    cr_assert_eq(m.nretract, 3);
    expect_retract(&m, 0, "v1.0.0", "v1.0.0");
    expect_retract(&m, 1, "v1.1.0", "v1.1.9");
    expect_retract(&m, 2, "v0.9.0", "v0.9.0");
    gmf_gomod_release(&m);
    expect_released(&m);
}

/* A dependency reads only module, go, require and retract (and checks ignore). */
Test(gomod, full_lax)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_fixture("full.mod", 0, &m, &d), GMF_OK, "%s", d.msg);
    cr_assert_str_eq(m.module, "example.com/full");
    cr_assert(m.deprecated);
    cr_assert_str_eq(m.go, "1.21.0");
    cr_assert_str_eq(m.toolchain, "");
    cr_assert_eq(m.nrequire, 6);
    expect_require(&m, 3, "gopkg.in/yaml.v3", "v3.0.1", true);
    cr_assert_eq(m.nexclude, 0);
    cr_assert_eq(m.nreplace, 0);
    cr_assert_eq(m.nretract, 3);
    expect_retract(&m, 1, "v1.1.0", "v1.1.9");
    gmf_gomod_release(&m);
    expect_released(&m);
}

/* Lax mode canonicalises v1.2, keeps +incompatible and the gopkg.in v0.0.0 pseudo-version,
 * skips unknown directives and future retract syntax. */
Test(gomod, legacy_lax)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_fixture("legacy.mod", 0, &m, &d), GMF_OK, "%s", d.msg);
    cr_assert_str_eq(m.module, "github.com/legacy/thing");
    cr_assert(!m.deprecated);
    cr_assert_str_eq(m.go, "1.12");
    cr_assert_eq(m.nrequire, 3);
    expect_require(&m, 0, "github.com/old/dep", "v1.2.0", false);
    expect_require(&m, 1, "github.com/other/dep", "v2.0.0+incompatible", false);
    expect_require(&m, 2, "gopkg.in/check.v1", "v0.0.0-20161208181325-20d25e280405", false);
    cr_assert_eq(m.nreplace, 0);
    cr_assert_eq(m.nretract, 1);
    expect_retract(&m, 0, "v0.1.0", "v0.2.0");
    gmf_gomod_release(&m);
}

/* The same file as a main module: every problem is reported, one per line, in file order. */
Test(gomod, legacy_main_errors)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_fixture("legacy.mod", GMF_GOMOD_MAIN, &m, &d), GMF_EPARSE);
    cr_assert_str_eq(d.msg,
                     "go.mod:6:2: require github.com/old/dep: version \"v1.2\" invalid: not "
                     "canonical (go would resolve it with a query and update go.mod)\n"
                     "go.mod:13: unknown directive: weird\n"
                     "go.mod:15: unexpected token after version: "
                     "\"extra-tokens-from-the-future\"");
    expect_released(&m);
    cr_assert_eq(m.nrequire, 0);
}

/* "Deprecated:" paragraph spread over two comment lines above a module block. */
Test(gomod, deprecated_block)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_fixture("deprecated_block.mod", GMF_GOMOD_MAIN, &m, &d), GMF_OK, "%s",
                 d.msg);
    cr_assert_str_eq(m.module, "example.com/old");
    cr_assert(m.deprecated);
    cr_assert_str_eq(m.go, "1.17");
    gmf_gomod_release(&m);
}

/* CRLF line ends: "\r" is blank and the comment loses its "\r\n". */
Test(gomod, crlf)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_fixture("crlf.mod", 0, &m, &d), GMF_OK, "%s", d.msg);
    cr_assert_str_eq(m.module, "example.com/crlf");
    cr_assert_eq(m.nrequire, 2);
    expect_require(&m, 0, "example.com/a", "v1.0.0", true);
    expect_require(&m, 1, "example.com/b", "v1.1.0", false);
    gmf_gomod_release(&m);
}

static enum gmf_err parse_str(const char *text, unsigned flags, struct gmf_gomod *m,
                              struct gmf_diag *d)
{
    gmf_diag_init(d);
    return gmf_gomod_parse(m, text, strlen(text), "go.mod", flags, d);
}

/* Lax go directive fixes from laxGoVersionRE; modfile keeps "1.21.0" as written. */
Test(gomod, go_versions)
{
    static const struct {
        const char *text, *want;
        unsigned flags;
    } cases[] = {
        {"module m\ngo 1.21beta\n", "1.21", 0},
        {"module m\ngo 1.21.0-rc1\n", "1.21", 0},
        {"module m\ngo 1.21rc1\n", "1.21rc1", GMF_GOMOD_MAIN},
        {"module m\ngo 1.21.0\n", "1.21.0", GMF_GOMOD_MAIN},
        {"module m\n", "", GMF_GOMOD_MAIN},
    };
    size_t i;

    for (i = 0; i < N_(cases); i++) {
        struct gmf_gomod m;
        struct gmf_diag d;

        cr_assert_eq(parse_str(cases[i].text, cases[i].flags, &m, &d), GMF_OK, "%s: %s",
                     cases[i].text, d.msg);
        cr_assert_str_eq(m.go, cases[i].want, "%s", cases[i].text);
        gmf_gomod_release(&m);
    }
}

/* Accepted inputs that look odd: empty file, empty blocks, comments only, the lax mode's
 * silence about dependency-only problems. */
Test(gomod, accepted_oddities)
{
    static const struct {
        const char *text;
        unsigned flags;
        size_t nrequire, nretract;
    } cases[] = {
        {"", GMF_GOMOD_MAIN, 0, 0},
        {"// only a comment", GMF_GOMOD_MAIN, 0, 0},
        {"module m\n// Deprecated: x\n\nrequire ()\nrequire ( )\n", GMF_GOMOD_MAIN, 0, 0},
        {"module m\nfoo bar\n", 0, 0, 0},
        {"module example.com/m\nretract [v1.0.0\n", 0, 0, 0},
        {"module example.com/m\nretract v1.0.0 junk\n", 0, 0, 1},
        {"module m\nrequire example.com/a v1.2\n", 0, 1, 0},
        {"module m\nreplace x => y\nexclude a b c\ntoolchain 1\n", 0, 0, 0},
    };
    size_t i;

    for (i = 0; i < N_(cases); i++) {
        struct gmf_gomod m;
        struct gmf_diag d;

        cr_assert_eq(parse_str(cases[i].text, cases[i].flags, &m, &d), GMF_OK, "%s: %s",
                     cases[i].text, d.msg);
        cr_assert_eq(m.nrequire, cases[i].nrequire, "%s", cases[i].text);
        cr_assert_eq(m.nretract, cases[i].nretract, "%s", cases[i].text);
        cr_assert(!m.deprecated, "%s", cases[i].text);
        gmf_gomod_release(&m);
    }
}

/* "// indirect" is the whole comment or its first word followed by ';'. */
Test(gomod, indirect_marker)
{
    static const struct {
        const char *comment;
        bool want;
    } cases[] = {
        {"// indirect", true},   {"//indirect", true},          {"//\tindirect  ", true},
        {"// indirect; x", true}, {"// indirect x", false},     {"// indirectly", false},
        {"// x indirect", false}, {"// indirect;", false},      {"//", false},
        {"// Indirect", false},  {"// indirect;x y", false},
    };
    size_t i;

    for (i = 0; i < N_(cases); i++) {
        char text[256];
        struct gmf_gomod m;
        struct gmf_diag d;

        (void)snprintf(text, sizeof(text), "module m\nrequire example.com/a v1.0.0 %s\n",
                       cases[i].comment);
        cr_assert_eq(parse_str(text, 0, &m, &d), GMF_OK, "%s", d.msg);
        cr_assert_eq(m.nrequire, 1);
        cr_assert_eq(m.require[0].indirect, cases[i].want, "comment \"%s\"", cases[i].comment);
        gmf_gomod_release(&m);
    }
}

/* Deprecation: a paragraph beginning "Deprecated:" with a non-empty message, in the comments
 * directly above or after the module line (facts from modfile's moduleDeprecatedTests). */
Test(gomod, deprecation)
{
    static const struct {
        const char *text;
        bool want;
    } cases[] = {
        {"// Deprecated: in example\nmodule m\n", true},
        {"module m // Deprecated: in comment\n", true},
        {"// Deprecated: blank line\n\nmodule m\n", false},
        {"// Deprecated:\nmodule m\n", false},
        {"// deprecated: lower case\nmodule m\n", false},
        {"// Not Deprecated: here\nmodule m\n", false},
        {"// Intro.\n//\n// Deprecated: second paragraph\nmodule m\n", true},
        {"// Intro.\n// Deprecated: same paragraph\nmodule m\n", false},
        {"module ( // Deprecated: on the paren\n\tm\n)\n", false},
        {"// Deprecated: on the block\nmodule (\n\tm\n)\n", true},
        {"// Deprecated: on the block\nmodule (\n\t// line comment wins\n\tm\n)\n", false},
    };
    size_t i;

    for (i = 0; i < N_(cases); i++) {
        struct gmf_gomod m;
        struct gmf_diag d;

        cr_assert_eq(parse_str(cases[i].text, GMF_GOMOD_MAIN, &m, &d), GMF_OK, "%s: %s",
                     cases[i].text, d.msg);
        cr_assert_eq(m.deprecated, cases[i].want, "%s", cases[i].text);
        gmf_gomod_release(&m);
    }
}

/* Quoted strings are Go string literals. */
Test(gomod, quoted_strings)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_str("module \"example.com/\\x6d\\u006f\\144\"\n"
                           "require \"example.com/\\u00e9\" \"v1.0.0\"\n",
                           0, &m, &d),
                 GMF_OK, "%s", d.msg);
    cr_assert_str_eq(m.module, "example.com/mod");
    cr_assert_str_eq(m.require[0].path, "example.com/\303\251");
    gmf_gomod_release(&m);
}

/* Deviation from go, by design: a string holding NUL cannot become a C string. */
Test(gomod, nul_in_quoted_string)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_str("module \"a\\x00b\"\n", 0, &m, &d), GMF_EPARSE);
    cr_assert_str_eq(d.msg, "go.mod:1: invalid quoted string: NUL byte in string");
    expect_released(&m);
}

/* Raw NUL in the text is go's own lexer error, and the length is honoured. */
Test(gomod, raw_nul_and_length)
{
    static const char text[] = "module m\nrequire a\0 v1.0.0\n";
    struct gmf_gomod m;
    struct gmf_diag d;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_gomod_parse(&m, text, sizeof(text) - 1, "x/go.mod", 0, &d), GMF_EPARSE);
    cr_assert_str_eq(d.msg, "x/go.mod:2:10: unexpected input character '\\x00'");
    gmf_diag_init(&d);
    cr_assert_eq(gmf_gomod_parse(&m, text, 8, "go.mod", GMF_GOMOD_MAIN, &d), GMF_OK, "%s",
                 d.msg);
    cr_assert_str_eq(m.module, "m");
    gmf_gomod_release(&m);
}

struct err_case {
    bool strict;
    const char *text;
    const char *want;
};

/* Input and the exact text modfile reported for it. */
static const struct err_case err_cases[] = {
    {true, "module m\ngo 1.21\nrequire example.com/a",
     "go.mod:3: usage: require module/path v1.2.3"},
    {true, "module m\nrequire example.com/a master",
     "go.mod:2: require example.com/a: version \"master\" invalid: must be of the form v1.2"
     ".3"},
    {false, "module m\nrequire example.com/a master",
     "go.mod:2: require example.com/a: version \"master\" invalid: must be of the form v1.2"
     ".3"},
    {true, "module m\nrequire example.com/a/v2 v1.0.0",
     "go.mod:2: require example.com/a/v2: version \"v1.0.0\" invalid: should be v2, not v1"},
    {false, "module m\nrequire example.com/a v2.0.0",
     "go.mod:2: require example.com/a: version \"v2.0.0\" invalid: should be v0 or v1, not "
     "v2"},
    {false, "module m\nrequire example.com/a/v1 v1.0.0",
     "go.mod:2: invalid module path"},
    {true, "module m\nrequire example.com/a/v1 v1.0.0",
     "go.mod:2: require example.com/a/v1: version \"v1.0.0\" invalid: malformed module path"
     " \"example.com/a/v1\""},
    {true, "module m\nfoo bar",
     "go.mod:2: unknown directive: foo"},
    {true, "module m\nfoo (\n\tbar\n)",
     "go.mod:2: unknown block type: foo"},
    {true, "module m\nrequire x y (\n\tbar\n)",
     "go.mod:2: unknown block type: require x y"},
    {true, "module m\nrequire (\n\texample.com/a v1.0.0\n",
     "go.mod:4: syntax error (unterminated block started at go.mod:2:1)"},
    {true, "module m\nrequire (\n\texample.com/a v1.0.0\n) x",
     "go.mod:4:4: syntax error (expected newline after closing paren)"},
    {true, "module m /* c */",
     "go.mod:1:10: mod files must use // comments (not /* */ comments)"},
    {true, "module \"m\ngo 1.21",
     "go.mod:1:10: unexpected newline in string"},
    {true, "module \"m",
     "go.mod:1:8: unexpected EOF in string"},
    {true, "module m\n\tgo \001",
     "go.mod:2:5: unexpected input character '\\x01'"},
    {true, "module m\ngo 1.21\ngo 1.22",
     "go.mod:3: repeated go statement"},
    {true, "module m\nmodule n",
     "go.mod:2: repeated module statement"},
    {true, "module m\ngo v1.21",
     "go.mod:2: invalid go version 'v1.21': must match format 1.23.0"},
    {false, "module m\ngo v1.21",
     "go.mod:2: invalid go version 'v1.21': must match format 1.23.0"},
    {true, "module m\ngo 1.21.0-rc1",
     "go.mod:2: invalid go version '1.21.0-rc1': must match format 1.23.0"},
    {true, "module m\ngo",
     "go.mod:2: go directive expects exactly one argument"},
    {true, "module m\ntoolchain 1.21",
     "go.mod:2: invalid toolchain version '1.21': must match format go1.23.0 or default"},
    {true, "module m\ntoolchain go1.21.0\ntoolchain go1.22.0",
     "go.mod:3: repeated toolchain statement"},
    {true, "module 'm'",
     "go.mod:1: invalid quoted string: unquoted string cannot contain quote"},
    {true, "module \"m\\q\"",
     "go.mod:1: invalid quoted string: invalid syntax"},
    {true, "module m\nrequire \"example.com/a v1.0.0",
     "go.mod:2:9: unexpected EOF in string"},
    {true, "module m\nrequire example.com/a \"v1.0.0",
     "go.mod:2:23: unexpected EOF in string"},
    {true, "module m\nrequire example.com/a v1.0.0\"",
     "go.mod:2: require example.com/a: version \"v1.0.0\\\"\" invalid: unquoted string cann"
     "ot contain quote"},
    {true, "module m\nreplace example.com/a",
     "go.mod:2: usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace mod"
     "ule/path [v1.2.3] => ../local/directory"},
    {true, "module m\nreplace example.com/a => example.com/b",
     "go.mod:2: replacement module without version must be directory path (rooted or starti"
     "ng with . or ..)"},
    {true, "module m\nreplace example.com/a => example.com/b@v1.0.0",
     "go.mod:2: replacement module must match format 'path version', not 'path@version'"},
    {true, "module m\nreplace example.com/a => .\\win",
     "go.mod:2: replacement directory appears to be Windows path (on a non-windows system)"},
    {true, "module m\nreplace example.com/a => ./dir v1.0.0",
     "go.mod:2: replacement module directory path \"./dir\" cannot have version"},
    {true, "module m\nreplace example.com/a/v1 => ./dir",
     "go.mod:2: replace example.com/a/v1: invalid module path"},
    {true, "module m\nreplace example.com/a v2.0.0 => ./dir",
     "go.mod:2: replace example.com/a: version \"v2.0.0\" invalid: should be v0 or v1, not "
     "v2"},
    {true, "module m\nreplace example.com/a => example.com/b/v2 v1.0.0",
     "go.mod:2: replace example.com/b/v2: version \"v1.0.0\" invalid: should be v2, not v1"},
    {true, "module m\nretract",
     "go.mod:2: expected '[' or version"},
    {true, "module m\nretract [v1.0.0",
     "go.mod:2: expected ',' after version"},
    {true, "module m\nretract [v1.0.0,",
     "go.mod:2: expected version after ','"},
    {true, "module m\nretract [v1.0.0, v1.1.0",
     "go.mod:2: expected ']' after version"},
    {true, "module m\nretract (v1.0.0)",
     "go.mod:2: expected '[' or version"},
    {true, "retract v1.0.0",
     "go.mod:1: no module directive found, so retract cannot be used"},
    {true, "module example.com/m\nretract v2.0.0",
     "go.mod:2: retract example.com/m: version \"v2.0.0\" invalid: should be v0 or v1, not "
     "v2"},
    {true, "module example.com/m\nretract \"v1.0.0",
     "go.mod:2:9: unexpected EOF in string"},
    {true, "module example.com/m\ngodebug foo",
     "go.mod:2: usage: godebug key=value"},
    {true, "module example.com/m\ngodebug \"a=b\"",
     "go.mod:2: usage: godebug key=value"},
    {true, "module example.com/m\ntool a b",
     "go.mod:2: tool directive expects exactly one argument"},
    {true, "module example.com/m\nignore 'x'",
     "go.mod:2: invalid quoted string: unquoted string cannot contain quote"},
    {false, "module example.com/m\nignore 'x'",
     "go.mod:2: invalid quoted string: unquoted string cannot contain quote"},
    {true, "module m\nrequire example.com/a v1.0.0 v2",
     "go.mod:2: usage: require module/path v1.2.3"},
    {true, "module m\nexclude example.com/a",
     "go.mod:2: usage: exclude module/path v1.2.3"},
    {true, "module m\nrequire example.com/a master\nexclude example.com/b v1\nfoo",
     "go.mod:2: require example.com/a: version \"master\" invalid: must be of the form v1.2"
     ".3\ngo.mod:3: exclude example.com/b: version \"v1\" invalid: not canonical (go would "
     "resolve it with a query and update go.mod)\ngo.mod:4: unknown directive: foo"},
    {true, "module m\nrequire\302\240x",
     "go.mod:2:8: unexpected input character '\\u00a0'"},
    {true, "module m\n\t\t\302\240",
     "go.mod:2:3: unexpected input character '\\u00a0'"},
    {true, " module m\n  require example.com/a/v2 v1.0.0",
     "go.mod:2:3: require example.com/a/v2: version \"v1.0.0\" invalid: should be v2, not v"
     "1"},
    {true, "module m\nrequire ( ) x",
     "go.mod:2: usage: require module/path v1.2.3"},
};

/* Whether every line of an expected error text is a version go would resolve by query. */
static bool only_query_errors(const char *want)
{
    for (const char *line = want; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[512];

        (void)snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
        if (!strstr(buf, "invalid: not canonical") &&
            !strstr(buf, "invalid: must be of the form"))
            return false;
        line += len + (nl ? 1 : 0);
    }
    return true;
}

Test(gomod, errors)
{
    size_t i;

    for (i = 0; i < N_(err_cases); i++) {
        const struct err_case *c = &err_cases[i];
        struct gmf_gomod m;
        struct gmf_diag d;
        enum gmf_err r = parse_str(c->text, c->strict ? GMF_GOMOD_MAIN : 0, &m, &d);
        /* A main module whose only errors are versions go would resolve with a network
         * query is "unsupported" (the caller delegates to go); anything else is a parse
         * error (legacy_main_errors mixes both). */
        bool query = c->strict && only_query_errors(c->want);

        cr_assert_eq(r, query ? GMF_EUNSUPPORTED : GMF_EPARSE, "%s mode, code %d:\n%s",
                     c->strict ? "main" : "lax", r, c->text);
        cr_assert_str_eq(d.msg, c->want, "%s mode, input:\n%s", c->strict ? "main" : "lax",
                         c->text);
        expect_released(&m);
    }
}

Test(gomod, is_dir_path)
{
    static const struct {
        const char *p;
        bool want;
    } cases[] = {
        {".", true},       {"..", true},    {"./a", true},   {"../a", true},
        {".\\a", true},    {"..\\a", true}, {"/a", true},    {"\\a", true},
        {"C:x", true},     {"c:\\x", true}, {"./", true},    {"1:x", false},
        {"a", false},      {".a", false},   {"..a", false},  {"example.com/x", false},
        {"", false},       {":", false},
    };
    size_t i;

    for (i = 0; i < N_(cases); i++)
        cr_assert_eq(gmf_gomod_is_dir_path(cases[i].p), cases[i].want, "\"%s\"", cases[i].p);
}

/* Ascending per internal/gover.Compare; "" and malformed ("x", "1.021") are lowest and
 * equal to each other. */
Test(gomod, compare_go)
{
    static const char *const order[][3] = {
        {"", "x", "1.021"},
        {"1", "1.0", "1.0.0"},
        {"1.2", NULL, NULL},
        {"1.16", NULL, NULL},
        {"1.17", NULL, NULL},
        {"1.20", "1.20.0", NULL},
        {"1.21", NULL, NULL},
        {"1.21alpha", NULL, NULL},
        {"1.21beta1", NULL, NULL},
        {"1.21rc1", NULL, NULL},
        {"1.21rc2", NULL, NULL},
        {"1.21.0", NULL, NULL},
        {"1.21.3rc1", NULL, NULL},
        {"1.21.3", NULL, NULL},
        {"1.22", NULL, NULL},
        {"1.100", NULL, NULL},
        {"2", NULL, NULL},
    };
    size_t i, j, k, l;

    for (i = 0; i < N_(order); i++) {
        for (j = 0; j < N_(order); j++) {
            for (k = 0; k < 3 && order[i][k]; k++) {
                for (l = 0; l < 3 && order[j][l]; l++) {
                    int want = i < j ? -1 : i > j ? 1 : 0;
                    int got = gmf_gomod_compare_go(order[i][k], order[j][l]);

                    got = got < 0 ? -1 : got > 0;
                    cr_assert_eq(got, want, "compare_go(\"%s\", \"%s\")", order[i][k],
                                 order[j][l]);
                }
            }
        }
    }
}

Test(gomod, release_is_idempotent)
{
    struct gmf_gomod m;
    struct gmf_diag d;

    cr_assert_eq(parse_str("module m\nrequire example.com/a v1.0.0\n", 0, &m, &d), GMF_OK);
    gmf_gomod_release(&m);
    expect_released(&m);
    gmf_gomod_release(&m);
    gmf_gomod_release(NULL);
}
