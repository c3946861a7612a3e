/* Unit tests for modpath: module.CheckPath & co., escaping, semver, path.Match and
 * MatchPrefixPatterns.
 *
 * Provenance of expected values: every row in the tables below was printed by Go itself,
 * golang.org/x/mod v0.7.0 (module, semver; /usr/share/gocode) plus Go 1.19's path.Match and
 * strconv.Quote, from a throwaway program run with GO111MODULE=off
 * GOPATH=/usr/share/gocode.  x/mod's module and semver packages are unchanged in meaning up
 * to golang/mod fe2ec04 (2026), so the rows also hold for current go.  The escaping rows
 * include the reference doc's vector 3 (github.com/Example/Mixed/v2, v2.1.0-RC.1).  The
 * compare and canonical inputs restate facts from x/mod's semver_test.go.
 * Non-ASCII and invalid UTF-8 inputs are written as octal escapes.
 */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/modpath.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

struct checkpath_case {
    const char *path;
    const char *want; /* NULL: valid; else go's exact message */
};
#define checkimport_case checkpath_case
#define checkfile_case checkpath_case

struct check_case {
    const char *path, *version, *want;
};

struct escpath_case {
    const char *in, *want, *err;
};
#define escver_case escpath_case

struct valid_case {
    const char *v;
    bool want;
};
#define pseudo_case valid_case

struct canon_case {
    const char *v, *want; /* NULL: invalid */
};

struct cmp_case {
    const char *a, *b;
    int want;
};

struct match_case {
    const char *pattern, *name;
    bool want;
};
#define glob_case match_case

struct quote_case {
    const char *in, *want;
};

struct split_case {
    const char *path;
    bool ok;
    size_t prefix_len;
};

static const struct checkpath_case checkpath_cases[] = {
    {"github.com/Example/Mixed/v2", NULL},
    {"rsc.io/quote", NULL},
    {"gopkg.in/yaml.v2", NULL},
    {"gopkg.in/check.v1-unstable", NULL},
    {"x.com/a~b", NULL},
    {"bad/path", "malformed module path \"bad/path\": missing dot in first path element"},
    {"..", "malformed module path \"..\": invalid path element \"..\""},
    {"", "malformed module path \"\": empty string"},
    {"-x.com/y", "malformed module path \"-x.com/y\": leading dash"},
    {"x.com//y", "malformed module path \"x.com//y\": double slash"},
    {"x.com/y/", "malformed module path \"x.com/y/\": trailing slash"},
    {"x.com/.y", "malformed module path \"x.com/.y\": leading dot in path element"},
    {"x.com/y.", "malformed module path \"x.com/y.\": trailing dot in path element"},
    {"x.com/PROGRA~1",
     "malformed module path \"x.com/PROGRA~1\": trailing tilde "
     "and digits in path element"},
    {"x.com/con.txt",
     "malformed module path \"x.com/con.txt\": \"con\" disallowed "
     "as path element component on Windows"},
    {"x.com/Aux",
     "malformed module path \"x.com/Aux\": \"Aux\" disallowed "
     "as path element component on Windows"},
    {"example.com/pkg/v1", "malformed module path \"example.com/pkg/v1\": invalid version"},
    {"example.com/pkg/v0", "malformed module path \"example.com/pkg/v0\": invalid version"},
    {"example.com/pkg/v2.1", "malformed module path \"example.com/pkg/v2.1\": invalid version"},
    {"example.com/pkg/v02", "malformed module path \"example.com/pkg/v02\": invalid version"},
    {"gopkg.in/yaml", "malformed module path \"gopkg.in/yaml\": invalid version"},
    {"Example.com/x",
     "malformed module path \"Example.com/x\": invalid char 'E' "
     "in first path element"},
    {"exa_mple.com/x",
     "malformed module path \"exa_mple.com/x\": invalid char "
     "'_' in first path element"},
    {"x.com/a+b", "malformed module path \"x.com/a+b\": invalid char '+'"},
    {"x.com/a b", "malformed module path \"x.com/a b\": invalid char ' '"},
    {"x.com/\303\251", "malformed module path \"x.com/\303\251\": invalid char '\303\251'"},
    {"x.com/\377", "malformed module path \"x.com/\\xff\": invalid UTF-8"},
    {"x.com/...", "malformed module path \"x.com/...\": invalid path element \"...\""},
    {"/x.com", "malformed module path \"/x.com\": empty path element"},
    {"x.com/a@b", "malformed module path \"x.com/a@b\": invalid char '@'"},
    {"x.com/\302\240", "malformed module path \"x.com/\\u00a0\": invalid char '\\u00a0'"},
    {"x.com/\177", "malformed module path \"x.com/\\x7f\": invalid char '\\x7f'"},
    {"x.com/\342\204\252",
     "malformed module path \"x.com/\342\204\252\": invalid char "
     "'\342\204\252'"},
};
static const struct checkimport_case checkimport_cases[] = {
    {"x.com/a+b", NULL},
    {"x.com/.y", NULL},
    {"..", "malformed import path \"..\": invalid path element \"..\""},
    {"x.com/a@b", "malformed import path \"x.com/a@b\": invalid char '@'"},
    {"fmt", NULL},
    {"-x", "malformed import path \"-x\": leading dash"},
    {"x.com/PROGRA~1",
     "malformed import path \"x.com/PROGRA~1\": trailing tilde "
     "and digits in path element"},
};
static const struct checkfile_case checkfile_cases[] = {
    {"a/b.go", NULL},
    {"a/\303\251.go", NULL},
    {"-a", NULL},
    {"a/PROGRA~1", NULL},
    {"a b/c!#$%&()+,-.=@[]^_{}~", NULL},
    {"..", "malformed file path \"..\": invalid path element \"..\""},
    {"a/../b", "malformed file path \"a/../b\": invalid path element \"..\""},
    {"a/b:c", "malformed file path \"a/b:c\": invalid char ':'"},
    {"a/COM1.txt",
     "malformed file path \"a/COM1.txt\": \"COM1\" disallowed "
     "as path element component on Windows"},
    {"a/\302\240", "malformed file path \"a/\\u00a0\": invalid char '\\u00a0'"},
    {"a/\307\205", NULL},
    {"a/\377", "malformed file path \"a/\\xff\": invalid UTF-8"},
    {"a/b\\c", "malformed file path \"a/b\\\\c\": invalid char '\\\\'"},
    {"a/*", "malformed file path \"a/*\": invalid char '*'"},
    {"a/`x`", "malformed file path \"a/`x`\": invalid char '`'"},
    {".git/config", NULL},
    {"a/\331\243", "malformed file path \"a/\331\243\": invalid char '\331\243'"},
};
static const struct check_case check_cases[] = {
    {"x.com/m/v2", "v1.0.0", "x.com/m/v2@v1.0.0: invalid version: should be v2, not v1"},
    {"x.com/m", "v2.0.0", "x.com/m@v2.0.0: invalid version: should be v0 or v1, not v2"},
    {"x.com/m", "v2.0.0+incompatible", NULL},
    {"x.com/m", "master", "x.com/m@master: invalid version: not a semantic version"},
    {"gopkg.in/yaml.v2", "v2.4.0", NULL},
    {"gopkg.in/yaml.v2",
     "v3.0.0",
     "gopkg.in/yaml.v2@v3.0.0: invalid version: should be v2, not v3"},
    {"gopkg.in/check.v1", "v0.0.0-20161208181325-20d25e280405", NULL},
    {"x.com/m", "v1.2", NULL},
    {"bad/path", "v1.0.0", "malformed module path \"bad/path\": missing dot in first path element"},
    {"x.com/m/v3", "v3.0.0-rc.1", NULL},
    {"gopkg.in/x.v2-unstable", "v2.0.0", NULL},
};
static const struct escpath_case escpath_cases[] = {
    {"github.com/Example/Mixed/v2", "github.com/!example/!mixed/v2", NULL},
    {"github.com/Azure/azure-sdk-for-go", "github.com/!azure/azure-sdk-for-go", NULL},
    {"github.com/GoogleCloudPlatform/cloudsql-proxy",
     "github.com/!google!cloud!platform/cloudsql-proxy",
     NULL},
    {"rsc.io/quote", "rsc.io/quote", NULL},
    {"github.com/Sirupsen/logrus", "github.com/!sirupsen/logrus", NULL},
    {"Bad.com/x",
     NULL,
     "malformed module path \"Bad.com/x\": invalid char 'B' in "
     "first path element"},
};
static const struct escver_case escver_cases[] = {
    {"v2.1.0-RC.1", "v2.1.0-!r!c.1", NULL},
    {"v1.0.0", "v1.0.0", NULL},
    {"v1.0.0-Beta+Meta", "v1.0.0-!beta+!meta", NULL},
    {"master", "master", NULL},
    {"v1!", NULL, "version \"v1!\" invalid: disallowed version string"},
    {"v1/x", NULL, "version \"v1/x\" invalid: disallowed version string"},
    {"..", NULL, "version \"..\" invalid: disallowed version string"},
    {"v1\303\251", NULL, "internal error: inconsistency in EscapePath"},
    {"", NULL, "version \"\" invalid: disallowed version string"},
};
static const struct valid_case valid_cases[] = {
    {"v1", true},
    {"v1.2", true},
    {"v1.2.3", true},
    {"v1.2.3-pre", true},
    {"v1.2.3+meta", true},
    {"v1.2.3-pre+meta", true},
    {"v2.0.0+incompatible", true},
    {"v1.2.3+incompatible.x", true},
    {"1.2.3", false},
    {"v1.2.3.4", false},
    {"v01.2.3", false},
    {"v1.02.3", false},
    {"v1.2.03", false},
    {"v1.2.3-01", false},
    {"v1.2.3-0", true},
    {"v1.2.3-", false},
    {"v1.2.3+", false},
    {"v1.2+meta", false},
    {"v1.2-pre", false},
    {"v", false},
    {"", false},
    {"vx", false},
    {"v1.2.3-a..b", false},
    {"v1.2.3-a.b-c.d", true},
    {"v1.2.3-Ab9", true},
};
static const struct canon_case canon_cases[] = {
    {"v1", "v1.0.0"},
    {"v1.2", "v1.2.0"},
    {"v1.2.3", "v1.2.3"},
    {"v1.2.3-pre", "v1.2.3-pre"},
    {"v1.2.3+meta", "v1.2.3"},
    {"v1.2.3-pre+meta", "v1.2.3-pre"},
    {"v2.0.0+incompatible", "v2.0.0+incompatible"},
    {"v1.2.3+incompatible.x", "v1.2.3"},
    {"1.2.3", NULL},
    {"v1.2.3.4", NULL},
    {"v01.2.3", NULL},
    {"v1.02.3", NULL},
    {"v1.2.03", NULL},
    {"v1.2.3-01", NULL},
    {"v1.2.3-0", "v1.2.3-0"},
    {"v1.2.3-", NULL},
    {"v1.2.3+", NULL},
    {"v1.2+meta", NULL},
    {"v1.2-pre", NULL},
    {"v", NULL},
    {"", NULL},
    {"vx", NULL},
    {"v1.2.3-a..b", NULL},
    {"v1.2.3-a.b-c.d", "v1.2.3-a.b-c.d"},
    {"v1.2.3-Ab9", "v1.2.3-Ab9"},
};
static const struct cmp_case cmp_cases[] = {
    {"v0.0.0", "v0.0.0", 0},
    {"v0.0.0", "v0.0.1", -1},
    {"v0.0.0", "v0.1.0", -1},
    {"v0.0.1", "v0.0.0", 1},
    {"v0.0.1", "v0.0.1", 0},
    {"v0.0.1", "v0.1.0", -1},
    {"v0.0.1", "v1.0.0-alpha", -1},
    {"v0.1.0", "v0.0.0", 1},
    {"v0.1.0", "v0.0.1", 1},
    {"v0.1.0", "v0.1.0", 0},
    {"v0.1.0", "v1.0.0-alpha", -1},
    {"v0.1.0", "v1.0.0-alpha.1", -1},
    {"v1.0.0-alpha", "v0.0.1", 1},
    {"v1.0.0-alpha", "v0.1.0", 1},
    {"v1.0.0-alpha", "v1.0.0-alpha", 0},
    {"v1.0.0-alpha", "v1.0.0-alpha.1", -1},
    {"v1.0.0-alpha", "v1.0.0-alpha.beta", -1},
    {"v1.0.0-alpha.1", "v0.1.0", 1},
    {"v1.0.0-alpha.1", "v1.0.0-alpha", 1},
    {"v1.0.0-alpha.1", "v1.0.0-alpha.1", 0},
    {"v1.0.0-alpha.1", "v1.0.0-alpha.beta", -1},
    {"v1.0.0-alpha.1", "v1.0.0-beta", -1},
    {"v1.0.0-alpha.beta", "v1.0.0-alpha", 1},
    {"v1.0.0-alpha.beta", "v1.0.0-alpha.1", 1},
    {"v1.0.0-alpha.beta", "v1.0.0-alpha.beta", 0},
    {"v1.0.0-alpha.beta", "v1.0.0-beta", -1},
    {"v1.0.0-alpha.beta", "v1.0.0-beta.2", -1},
    {"v1.0.0-beta", "v1.0.0-alpha.1", 1},
    {"v1.0.0-beta", "v1.0.0-alpha.beta", 1},
    {"v1.0.0-beta", "v1.0.0-beta", 0},
    {"v1.0.0-beta", "v1.0.0-beta.2", -1},
    {"v1.0.0-beta", "v1.0.0-beta.11", -1},
    {"v1.0.0-beta.2", "v1.0.0-alpha.beta", 1},
    {"v1.0.0-beta.2", "v1.0.0-beta", 1},
    {"v1.0.0-beta.2", "v1.0.0-beta.2", 0},
    {"v1.0.0-beta.2", "v1.0.0-beta.11", -1},
    {"v1.0.0-beta.2", "v1.0.0-rc.1", -1},
    {"v1.0.0-beta.11", "v1.0.0-beta", 1},
    {"v1.0.0-beta.11", "v1.0.0-beta.2", 1},
    {"v1.0.0-beta.11", "v1.0.0-beta.11", 0},
    {"v1.0.0-beta.11", "v1.0.0-rc.1", -1},
    {"v1.0.0-beta.11", "v1", -1},
    {"v1.0.0-rc.1", "v1.0.0-beta.2", 1},
    {"v1.0.0-rc.1", "v1.0.0-beta.11", 1},
    {"v1.0.0-rc.1", "v1.0.0-rc.1", 0},
    {"v1.0.0-rc.1", "v1", -1},
    {"v1.0.0-rc.1", "v1.0", -1},
    {"v1", "v1.0.0-beta.11", 1},
    {"v1", "v1.0.0-rc.1", 1},
    {"v1", "v1", 0},
    {"v1", "v1.0", 0},
    {"v1", "v1.0.0", 0},
    {"v1.0", "v1.0.0-rc.1", 1},
    {"v1.0", "v1", 0},
    {"v1.0", "v1.0", 0},
    {"v1.0", "v1.0.0", 0},
    {"v1.0", "v1.2", -1},
    {"v1.0.0", "v1", 0},
    {"v1.0.0", "v1.0", 0},
    {"v1.0.0", "v1.0.0", 0},
    {"v1.0.0", "v1.2", -1},
    {"v1.0.0", "v1.2.0", -1},
    {"v1.2", "v1.0", 1},
    {"v1.2", "v1.0.0", 1},
    {"v1.2", "v1.2", 0},
    {"v1.2", "v1.2.0", 0},
    {"v1.2", "v1.2.3-456", -1},
    {"v1.2.0", "v1.0.0", 1},
    {"v1.2.0", "v1.2", 0},
    {"v1.2.0", "v1.2.0", 0},
    {"v1.2.0", "v1.2.3-456", -1},
    {"v1.2.0", "v1.2.3-456.789", -1},
    {"v1.2.3-456", "v1.2", 1},
    {"v1.2.3-456", "v1.2.0", 1},
    {"v1.2.3-456", "v1.2.3-456", 0},
    {"v1.2.3-456", "v1.2.3-456.789", -1},
    {"v1.2.3-456", "v1.2.3-456-789", -1},
    {"v1.2.3-456.789", "v1.2.0", 1},
    {"v1.2.3-456.789", "v1.2.3-456", 1},
    {"v1.2.3-456.789", "v1.2.3-456.789", 0},
    {"v1.2.3-456.789", "v1.2.3-456-789", -1},
    {"v1.2.3-456.789", "v1.2.3-456a", -1},
    {"v1.2.3-456-789", "v1.2.3-456", 1},
    {"v1.2.3-456-789", "v1.2.3-456.789", 1},
    {"v1.2.3-456-789", "v1.2.3-456-789", 0},
    {"v1.2.3-456-789", "v1.2.3-456a", -1},
    {"v1.2.3-456-789", "v1.2.3-pre", -1},
    {"v1.2.3-456a", "v1.2.3-456.789", 1},
    {"v1.2.3-456a", "v1.2.3-456-789", 1},
    {"v1.2.3-456a", "v1.2.3-456a", 0},
    {"v1.2.3-456a", "v1.2.3-pre", -1},
    {"v1.2.3-456a", "v1.2.3-pre+meta", -1},
    {"v1.2.3-pre", "v1.2.3-456-789", 1},
    {"v1.2.3-pre", "v1.2.3-456a", 1},
    {"v1.2.3-pre", "v1.2.3-pre", 0},
    {"v1.2.3-pre", "v1.2.3-pre+meta", 0},
    {"v1.2.3-pre", "v1.2.3-pre.1", -1},
    {"v1.2.3-pre+meta", "v1.2.3-456a", 1},
    {"v1.2.3-pre+meta", "v1.2.3-pre", 0},
    {"v1.2.3-pre+meta", "v1.2.3-pre+meta", 0},
    {"v1.2.3-pre+meta", "v1.2.3-pre.1", -1},
    {"v1.2.3-pre+meta", "v1.2.3-zzz", -1},
    {"v1.2.3-pre.1", "v1.2.3-pre", 1},
    {"v1.2.3-pre.1", "v1.2.3-pre+meta", 1},
    {"v1.2.3-pre.1", "v1.2.3-pre.1", 0},
    {"v1.2.3-pre.1", "v1.2.3-zzz", -1},
    {"v1.2.3-pre.1", "v1.2.3", -1},
    {"v1.2.3-zzz", "v1.2.3-pre+meta", 1},
    {"v1.2.3-zzz", "v1.2.3-pre.1", 1},
    {"v1.2.3-zzz", "v1.2.3-zzz", 0},
    {"v1.2.3-zzz", "v1.2.3", -1},
    {"v1.2.3-zzz", "v1.2.3+meta", -1},
    {"v1.2.3", "v1.2.3-pre.1", 1},
    {"v1.2.3", "v1.2.3-zzz", 1},
    {"v1.2.3", "v1.2.3", 0},
    {"v1.2.3", "v1.2.3+meta", 0},
    {"v1.2.3", "v1.2.3+meta-pre", 0},
    {"v1.2.3+meta", "v1.2.3-zzz", 1},
    {"v1.2.3+meta", "v1.2.3", 0},
    {"v1.2.3+meta", "v1.2.3+meta", 0},
    {"v1.2.3+meta", "v1.2.3+meta-pre", 0},
    {"v1.2.3+meta", "v1.2.3+meta-pre.sha.256a", 0},
    {"v1.2.3+meta-pre", "v1.2.3", 0},
    {"v1.2.3+meta-pre", "v1.2.3+meta", 0},
    {"v1.2.3+meta-pre", "v1.2.3+meta-pre", 0},
    {"v1.2.3+meta-pre", "v1.2.3+meta-pre.sha.256a", 0},
    {"v1.2.3+meta-pre", "v1.10.0", -1},
    {"v1.2.3+meta-pre.sha.256a", "v1.2.3+meta", 0},
    {"v1.2.3+meta-pre.sha.256a", "v1.2.3+meta-pre", 0},
    {"v1.2.3+meta-pre.sha.256a", "v1.2.3+meta-pre.sha.256a", 0},
    {"v1.2.3+meta-pre.sha.256a", "v1.10.0", -1},
    {"v1.2.3+meta-pre.sha.256a", "v2.0.0", -1},
    {"v1.10.0", "v1.2.3+meta-pre", 1},
    {"v1.10.0", "v1.2.3+meta-pre.sha.256a", 1},
    {"v1.10.0", "v1.10.0", 0},
    {"v1.10.0", "v2.0.0", -1},
    {"v1.10.0", "v10.0.0", -1},
    {"v2.0.0", "v1.2.3+meta-pre.sha.256a", 1},
    {"v2.0.0", "v1.10.0", 1},
    {"v2.0.0", "v2.0.0", 0},
    {"v2.0.0", "v10.0.0", -1},
    {"v2.0.0", "bad", 1},
    {"v10.0.0", "v1.10.0", 1},
    {"v10.0.0", "v2.0.0", 1},
    {"v10.0.0", "v10.0.0", 0},
    {"v10.0.0", "bad", 1},
    {"v10.0.0", "v1.2.3.4", 1},
    {"bad", "v2.0.0", -1},
    {"bad", "v10.0.0", -1},
    {"bad", "bad", 0},
    {"bad", "v1.2.3.4", 0},
    {"bad", "v1.2.3-01", 0},
    {"v1.2.3.4", "v10.0.0", -1},
    {"v1.2.3.4", "bad", 0},
    {"v1.2.3.4", "v1.2.3.4", 0},
    {"v1.2.3.4", "v1.2.3-01", 0},
    {"v1.2.3-01", "bad", 0},
    {"v1.2.3-01", "v1.2.3.4", 0},
    {"v1.2.3-01", "v1.2.3-01", 0},
};
static const struct pseudo_case pseudo_cases[] = {
    {"v0.0.0-20190101000000-abcdefabcdef", true},
    {"v1.2.4-0.20190101000000-abcdefabcdef", true},
    {"v1.2.4-0.20190101000000-abcdefabcdef+incompatible", true},
    {"v1.2.3-pre.0.20190101000000-abcdefabcdef", true},
    {"v1.2.3-x.y.0.20190101000000-abcdefabcdef", true},
    {"v1.0.0", false},
    {"v1.2.3-rc.1", false},
    {"v0.0.0-2019010100000-abcdefabcdef", false},
    {"v0.0.0-20190101000000-", false},
    {"v1.0.0-20190101000000-abcdefabcdef", true},
    {"v2.0.0-20190101000000-abcdefabcdef", true},
    {"v1.2.3-pre.0.20190101000000-abc+a..b", false},
    {"v1.2.3-0.20190101000000-abcdef123456", true},
};
static const struct match_case match_cases[] = {
    {"*.corp.example.com", "git.corp.example.com/x", true},
    {"*.corp.example.com", "corp.example.com/x", false},
    {"rsc.io/private", "rsc.io/private/quux", true},
    {"rsc.io/private", "rsc.io/privatex", false},
    {"rsc.io/private/", "rsc.io/private", true},
    {"github.com/*/secret", "github.com/acme/secret/v2", true},
    {"github.com/*/secret", "github.com/acme", false},
    {",,rsc.io/x,", "rsc.io/x/y", true},
    {"", "rsc.io/x", false},
    {"[", "x", false},
    {"rsc.io/[a-c]*", "rsc.io/bob/x", true},
    {"rsc.io/\\*", "rsc.io/*", true},
    {"rsc.io/?", "rsc.io/a/b", true},
    {"*", "anything.com/at/all", true},
    {"a/b/c", "a/b", false},
    {"example.com/[^x]", "example.com/y", true},
    {"example.com/[", "example.com/x", false},
    {"bad[,example.com", "example.com/z", true},
};
static const struct glob_case glob_cases[] = {
    {"abc", "abc", true},
    {"*", "abc", true},
    {"*c", "abc", true},
    {"a*", "a", true},
    {"a*", "abc", true},
    {"a*", "ab/c", false},
    {"a*/b", "abc/b", true},
    {"a*/b", "a/c/b", false},
    {"a*b*c*d*e*/f", "axbxcxdxe/f", true},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true},
    {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false},
    {"a*b?c*x", "abxbbxdbxebxczzx", true},
    {"a*b?c*x", "abxbbxdbxebxczzy", false},
    {"ab[c]", "abc", true},
    {"ab[b-d]", "abc", true},
    {"ab[e-g]", "abc", false},
    {"ab[^c]", "abc", false},
    {"ab[^b-d]", "abc", false},
    {"ab[^e-g]", "abc", true},
    {"a\\*b", "a*b", true},
    {"a\\*b", "ab", false},
    {"a?b", "a\342\230\272b", true},
    {"a[^a]b", "a\342\230\272b", true},
    {"a???b", "a\342\230\272b", false},
    {"a[^a][^a][^a]b", "a\342\230\272b", false},
    {"[a-\316\266]*", "\316\261", true},
    {"*[a-\316\266]", "A", false},
    {"a?b", "a/b", false},
    {"a*b", "a/b", false},
    {"[\\]a]", "]", true},
    {"[\\-]", "-", true},
    {"[x\\-]", "x", true},
    {"[x\\-]", "-", true},
    {"[x\\-]", "z", false},
    {"[\\-x]", "x", true},
    {"[\\-x]", "-", true},
    {"[\\-x]", "a", false},
    {"[]a]", "]", false},
    {"[-]", "-", false},
    {"[x-]", "x", false},
    {"[x-]", "-", false},
    {"[x-]", "z", false},
    {"[-x]", "x", false},
    {"[-x]", "-", false},
    {"[-x]", "a", false},
    {"\\", "a", false},
    {"[a-b-c]", "a", false},
    {"[", "a", false},
    {"[^", "a", false},
    {"[^bc", "a", false},
    {"a[", "a", false},
    {"a[", "ab", false},
    {"a[", "x", false},
    {"a/b[", "x", false},
    {"*x", "xxx", true},
};
static const struct quote_case quote_cases[] = {
    {"a\001b", "\"a\\x01b\""},
    {"\177", "\"\\x7f\""},
    {"\303\251", "\"\303\251\""},
    {"\302\240", "\"\\u00a0\""},
    {"\302\255", "\"\\u00ad\""},
    {"\357\273\277", "\"\\ufeff\""},
    {"\360\237\230\200", "\"\360\237\230\200\""},
    {"\363\240\200\201", "\"\\U000e0001\""},
    {"\\\"", "\"\\\\\\\"\""},
    {"a", "\"a\""},
    {"\377\376", "\"\\xff\\xfe\""},
    {"x", "\"x\""},
};
static const struct split_case split_cases[] = {
    {"example.com/m", true, 13},
    {"example.com/m/v2", true, 13},
    {"example.com/m/v1", false, 0},
    {"example.com/m/v0", false, 0},
    {"example.com/m/v2.0", false, 0},
    {"example.com/m/v02", false, 0},
    {"gopkg.in/yaml.v2", true, 13},
    {"gopkg.in/yaml.v0", true, 13},
    {"gopkg.in/yaml.v01", false, 0},
    {"gopkg.in/yaml", false, 0},
    {"gopkg.in/yaml.v3-unstable", true, 13},
    {"v2", true, 2},
    {"/v2", true, 0},
    {"x/v", true, 3},
    {"x/v10", true, 1},
};

/* The tables are walked in one Test each rather than as ParameterizedTests: Criterion
 * forks a worker per parameter, which made 400 rows take minutes under ASan on a small box.
 * Each assertion names its input instead. */

/* One helper for the three check functions: valid inputs leave the diag alone, invalid ones
 * carry go's message. */
static void expect_check(enum gmf_err (*fn)(const char *, struct gmf_diag *), const char *what,
                         const struct checkpath_case *c)
{
    struct gmf_diag d;
    enum gmf_err r;

    gmf_diag_init(&d);
    r = fn(c->path, &d);
    if (!c->want) {
        cr_assert_eq(r, GMF_OK, "%s(\"%s\") failed: %s", what, c->path, d.msg);
        cr_assert_str_empty(d.msg, "%s(\"%s\") wrote a message", what, c->path);
    } else {
        cr_assert_eq(r, GMF_EINVAL, "%s(\"%s\") should fail", what, c->path);
        cr_assert_str_eq(d.msg, c->want, "%s(\"%s\")", what, c->path);
    }
}

Test(modpath, check_path)
{
    size_t i;

    for (i = 0; i < N_(checkpath_cases); i++) {
        const struct checkpath_case *c = &checkpath_cases[i];

        expect_check(gmf_modpath_check, "check", c);
    }
}

Test(modpath, check_import)
{
    size_t i;

    for (i = 0; i < N_(checkimport_cases); i++) {
        const struct checkpath_case *c = &checkimport_cases[i];

        expect_check(gmf_modpath_check_import, "check_import", c);
    }
}

Test(modpath, check_file)
{
    size_t i;

    for (i = 0; i < N_(checkfile_cases); i++) {
        const struct checkpath_case *c = &checkfile_cases[i];

        expect_check(gmf_modpath_check_file, "check_file", c);
    }
}

Test(modpath, check_version)
{
    size_t i;

    for (i = 0; i < N_(check_cases); i++) {
        const struct check_case *c = &check_cases[i];
        struct gmf_diag d;
        enum gmf_err r;

        gmf_diag_init(&d);
        r = gmf_modpath_check_version(c->path, c->version, &d);
        if (!c->want) {
            cr_assert_eq(r, GMF_OK, "%s@%s: %s", c->path, c->version, d.msg);
        } else {
            cr_assert_neq(r, GMF_OK, "%s@%s should fail", c->path, c->version);
            cr_assert_str_eq(d.msg, c->want, "%s@%s", c->path, c->version);
        }
    }
}

static void expect_escape(enum gmf_err (*fn)(const char *, char **, struct gmf_diag *),
                          const struct escpath_case *c)
{
    struct gmf_diag d;
    char *out = NULL;
    enum gmf_err r;

    gmf_diag_init(&d);
    r = fn(c->in, &out, &d);
    if (c->want) {
        cr_assert_eq(r, GMF_OK, "escape(\"%s\"): %s", c->in, d.msg);
        cr_assert_str_eq(out, c->want, "escape(\"%s\")", c->in);
        free(out);
    } else {
        cr_assert_neq(r, GMF_OK, "escape(\"%s\") should fail", c->in);
        cr_assert_null(out, "escape(\"%s\") wrote *ret on failure", c->in);
        cr_assert_str_eq(d.msg, c->err, "escape(\"%s\")", c->in);
    }
}

Test(modpath, escape_path)
{
    size_t i;

    for (i = 0; i < N_(escpath_cases); i++) {
        const struct escpath_case *c = &escpath_cases[i];

        expect_escape(gmf_modpath_escape_path, c);
    }
}

Test(modpath, escape_version)
{
    size_t i;

    for (i = 0; i < N_(escver_cases); i++) {
        const struct escpath_case *c = &escver_cases[i];

        expect_escape(gmf_modpath_escape_version, c);
    }
}

/* Every successful escape must unescape to its input (module.UnescapePath's contract). */
Test(modpath, escape_round_trips)
{
    size_t i;

    for (i = 0; i < N_(escpath_cases) + N_(escver_cases); i++) {
        const struct escpath_case *c =
            i < N_(escpath_cases) ? &escpath_cases[i] : &escver_cases[i - N_(escpath_cases)];
        char *back = NULL;
        struct gmf_diag d;

        if (!c->want)
            continue;
        gmf_diag_init(&d);
        cr_assert_eq(gmf_modpath_unescape(c->want, &back, &d), GMF_OK, "unescape(\"%s\"): %s",
                     c->want, d.msg);
        cr_assert_str_eq(back, c->in, "unescape(\"%s\")", c->want);
        free(back);
    }
}

/* Rejections follow module.unescapeString: upper case, non-ASCII, "!" not before a-z. */
Test(modpath, unescape_rejects)
{
    static const char *const bad[] = {"github.com/Example", "a!", "a!B", "a!!b", "a!1",
                                      "caf\303\251", "!"};
    size_t i;

    for (i = 0; i < N_(bad); i++) {
        char *out = NULL;
        struct gmf_diag d;

        gmf_diag_init(&d);
        cr_assert_eq(gmf_modpath_unescape(bad[i], &out, &d), GMF_EINVAL, "unescape(\"%s\")",
                     bad[i]);
        cr_assert_null(out, "unescape(\"%s\") wrote *ret on failure", bad[i]);
        cr_assert_str_not_empty(d.msg);
    }
}

Test(semver, is_valid)
{
    size_t i;

    for (i = 0; i < N_(valid_cases); i++) {
        const struct valid_case *c = &valid_cases[i];

        cr_assert_eq(gmf_semver_is_valid(c->v), c->want, "is_valid(\"%s\")", c->v);
    }
}

/* Canonical is module.CanonicalVersion: semver.Canonical that keeps "+incompatible". */
Test(semver, canonical)
{
    size_t i;

    for (i = 0; i < N_(canon_cases); i++) {
        const struct canon_case *c = &canon_cases[i];
        char *got = gmf_semver_canonical(c->v);

        if (!c->want) {
            cr_assert_null(got, "canonical(\"%s\") should be NULL, got \"%s\"", c->v, got);
        } else {
            cr_assert_not_null(got, "canonical(\"%s\")", c->v);
            cr_assert_str_eq(got, c->want, "canonical(\"%s\")", c->v);
        }
        free(got);
    }
}

Test(semver, compare)
{
    size_t i;

    for (i = 0; i < N_(cmp_cases); i++) {
        const struct cmp_case *c = &cmp_cases[i];

        cr_assert_eq(gmf_semver_compare(c->a, c->b), c->want, "compare(\"%s\", \"%s\")", c->a,
                     c->b);
        cr_assert_eq(gmf_semver_compare(c->b, c->a), -c->want, "compare(\"%s\", \"%s\")",
                     c->b, c->a);
    }
}

Test(semver, is_pseudo)
{
    size_t i;

    for (i = 0; i < N_(pseudo_cases); i++) {
        const struct valid_case *c = &pseudo_cases[i];

        cr_assert_eq(gmf_semver_is_pseudo(c->v), c->want, "is_pseudo(\"%s\")", c->v);
    }
}

Test(modpath, match_patterns)
{
    size_t i;

    for (i = 0; i < N_(match_cases); i++) {
        const struct match_case *c = &match_cases[i];

        cr_assert_eq(gmf_modpath_match_patterns(c->pattern, c->name), c->want,
                     "match_patterns(\"%s\", \"%s\")", c->pattern, c->name);
    }
}

Test(modpath, glob_match)
{
    size_t i;

    for (i = 0; i < N_(glob_cases); i++) {
        const struct match_case *c = &glob_cases[i];

        cr_assert_eq(gmf_modpath_glob_match(c->pattern, c->name), c->want, "glob(\"%s\", \"%s\")",
                     c->pattern, c->name);
    }
}

Test(modpath, quote)
{
    size_t i;

    for (i = 0; i < N_(quote_cases); i++) {
        const struct quote_case *c = &quote_cases[i];
        char *got = gmf_modpath_quote(c->in, strlen(c->in));

        cr_assert_str_eq(got, c->want, "quote(%s)", c->want);
        free(got);
    }
}

Test(modpath, split_version)
{
    size_t i;

    for (i = 0; i < N_(split_cases); i++) {
        const struct split_case *c = &split_cases[i];
        size_t n = 12345;

        cr_assert_eq(gmf_modpath_split_version(c->path, &n), c->ok, "split(\"%s\")", c->path);
        if (c->ok)
            cr_assert_eq(n, c->prefix_len, "split(\"%s\")", c->path);
        else
            cr_assert_eq(n, 12345, "split(\"%s\") wrote the out-param on failure", c->path);
    }
}

/* module.CheckPathMajor's own wording (modfile prints it after "require <path>: "); values
 * from x/mod v0.7.0. */
Test(modpath, check_path_major)
{
    struct gmf_diag d;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_modpath_check_path_major("v2.0.0", "/v2", &d), GMF_OK);
    cr_assert_eq(gmf_modpath_check_path_major("v0.0.0-20161208181325-20d25e280405", ".v1", &d),
                 GMF_OK);
    cr_assert_eq(gmf_modpath_check_path_major("v2.0.0", ".v2-unstable", &d), GMF_OK);
    cr_assert_eq(gmf_modpath_check_path_major("v1.0.0", "/v2", &d), GMF_EINVAL);
    cr_assert_str_eq(d.msg, "version \"v1.0.0\" invalid: should be v2, not v1");
    cr_assert_eq(gmf_modpath_check_path_major("v2.0.0", "", &d), GMF_EINVAL);
    cr_assert_str_eq(d.msg, "version \"v2.0.0\" invalid: should be v0 or v1, not v2");
    cr_assert_eq(gmf_modpath_check_path_major("master", ".v1", &d), GMF_EINVAL);
    cr_assert_str_eq(d.msg, "version \"master\" invalid: should be v1, not ");
}

/* unicode.IsLetter / IsPrint spot checks against Go 1.19 (Unicode 13). */
Test(modpath, unicode_tables)
{
    cr_assert(gmf_modpath_is_letter(0xE9));     /* é */
    cr_assert(gmf_modpath_is_letter(0x1C5));    /* ǅ, title case */
    cr_assert(!gmf_modpath_is_letter(0x663));   /* ARABIC-INDIC DIGIT THREE */
    cr_assert(gmf_modpath_is_letter(0x4E00));   /* CJK */
    cr_assert(!gmf_modpath_is_letter(0x2160));  /* ROMAN NUMERAL ONE is Nl */
    cr_assert(gmf_modpath_is_letter(0x30000));  /* CJK Extension G, new in Unicode 13 */
    cr_assert(!gmf_modpath_is_letter(0x31350)); /* Extension H is Unicode 15 */
    cr_assert(gmf_modpath_is_print(' '));
    cr_assert(!gmf_modpath_is_print(0xA0));     /* NBSP: only U+0020 counts as printable space */
    cr_assert(!gmf_modpath_is_print(0xAD));     /* soft hyphen is Cf */
    cr_assert(gmf_modpath_is_print(0x1F600));
    cr_assert(!gmf_modpath_is_print(0xFEFF));
    cr_assert(!gmf_modpath_is_print(0x110000));
}

/* utf8.DecodeRune: invalid sequences are one byte of U+FFFD. */
Test(modpath, decode_rune)
{
    uint32_t r;

    cr_assert_eq(gmf_modpath_decode_rune("\303\251x", 3, &r), 2);
    cr_assert_eq(r, 0xE9);
    cr_assert_eq(gmf_modpath_decode_rune("\355\240\200", 3, &r), 1); /* surrogate */
    cr_assert_eq(r, 0xFFFD);
    cr_assert_eq(gmf_modpath_decode_rune("\300\257", 2, &r), 1); /* overlong '/' */
    cr_assert_eq(r, 0xFFFD);
    cr_assert_eq(gmf_modpath_decode_rune("\360\237\230", 3, &r), 1); /* truncated */
    cr_assert_eq(gmf_modpath_decode_rune("", 0, &r), 0);
}

Test(modpath, quote_rune)
{
    char *q;

    q = gmf_modpath_quote_rune('\'');
    cr_assert_str_eq(q, "'\\''");
    free(q);
    q = gmf_modpath_quote_rune('"');
    cr_assert_str_eq(q, "'\"'");
    free(q);
    q = gmf_modpath_quote_rune(0xD800);
    cr_assert_str_eq(q, "'\357\277\275'");
    free(q);
    q = gmf_modpath_quote_rune(0);
    cr_assert_str_eq(q, "'\\x00'");
    free(q);
}

/* A NULL diag is allowed and the verdict is unchanged. */
Test(modpath, null_diag)
{
    cr_assert_eq(gmf_modpath_check("bad/path", NULL), GMF_EINVAL);
    cr_assert_eq(gmf_modpath_check("rsc.io/quote", NULL), GMF_OK);
}
