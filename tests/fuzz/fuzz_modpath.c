/* Fuzz target: module paths, versions, escaping and semver (modpath.h).
 *
 * Input: up to three NUL-separated strings a, b, c.  Invariants (each one a property of
 * golang.org/x/mod/module and semver that gmfetch must share):
 *   - escape then unescape is the identity, for paths and for versions;
 *   - unescape then escape gives the escaped text back (when the path is valid);
 *   - CheckPath ok => CheckImportPath ok => CheckFilePath ok (each is looser than the one
 *     before); Check(path, version) ok => CheckPath ok and the version is valid semver;
 *   - SplitPathVersion: the prefix is a prefix, and pathMajor is "", "/vN" or ".vN[-unstable]";
 *   - semver: IsValid(v) <=> Canonical(v) != NULL; Canonical is valid, idempotent and
 *     compares equal to v; Compare is reflexive on valid versions, antisymmetric and
 *     transitive over a, b, c; an invalid version sorts below every valid one;
 *   - glob and pattern matching, quoting and DecodeRune do not crash; DecodeRune returns a
 *     width in [1, 4] (<= n) and U+FFFD for width-1 invalid input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gmfetch/modpath.h"

static void escape_round_trip(const char *s)
{
    struct gmf_diag diag;
    char *esc = NULL, *back = NULL;

    if (gmf_modpath_escape_path(s, &esc, &diag) == GMF_OK) {
        FUZZ_CHECK(gmf_modpath_check(s, NULL) == GMF_OK, "escape_path accepted an invalid "
                   "module path %s", s);
        FUZZ_CHECK(gmf_modpath_unescape(esc, &back, &diag) == GMF_OK,
                   "escaped path %s does not unescape: %s", esc, diag.msg);
        FUZZ_CHECK(strcmp(back, s) == 0, "path round trip %s -> %s -> %s", s, esc, back);
        free(back);
        back = NULL;
        free(esc);
        esc = NULL;
    }
    if (gmf_modpath_escape_version(s, &esc, &diag) == GMF_OK) {
        FUZZ_CHECK(gmf_modpath_unescape(esc, &back, &diag) == GMF_OK,
                   "escaped version %s does not unescape: %s", esc, diag.msg);
        FUZZ_CHECK(strcmp(back, s) == 0, "version round trip %s -> %s -> %s", s, esc, back);
        free(back);
        back = NULL;
        free(esc);
        esc = NULL;
    }
    if (gmf_modpath_unescape(s, &back, &diag) == GMF_OK) {
        if (gmf_modpath_escape_path(back, &esc, &diag) == GMF_OK) {
            FUZZ_CHECK(strcmp(esc, s) == 0, "unescape+escape %s -> %s -> %s", s, back, esc);
            free(esc);
        }
        free(back);
    }
}

static void checks(const char *path, const char *version)
{
    size_t plen = (size_t)-1;

    if (gmf_modpath_check(path, NULL) == GMF_OK)
        FUZZ_CHECK(gmf_modpath_check_import(path, NULL) == GMF_OK,
                   "module path %s ok but not as an import path", path);
    if (gmf_modpath_check_import(path, NULL) == GMF_OK)
        FUZZ_CHECK(gmf_modpath_check_file(path, NULL) == GMF_OK,
                   "import path %s ok but not as a file path", path);
    if (gmf_modpath_check_version(path, version, NULL) == GMF_OK) {
        FUZZ_CHECK(gmf_modpath_check(path, NULL) == GMF_OK, "check ok, CheckPath not: %s",
                   path);
        FUZZ_CHECK(gmf_semver_is_valid(version), "check ok with invalid version %s", version);
    }
    if (gmf_modpath_split_version(path, &plen)) {
        const char *major = path + plen;

        FUZZ_CHECK(plen <= strlen(path), "prefix longer than path");
        FUZZ_CHECK(major[0] == '\0' || (major[0] == '/' && major[1] == 'v') ||
                       (major[0] == '.' && major[1] == 'v'),
                   "pathMajor %s of %s", major, path);
        (void)gmf_modpath_check_path_major(version, major, NULL);
    }
}

static void semver_one(const char *v)
{
    bool valid = gmf_semver_is_valid(v);
    char *c = gmf_semver_canonical(v);

    FUZZ_CHECK(valid == (c != NULL), "IsValid(%s)=%d but Canonical %s", v, valid,
               c ? c : "NULL");
    if (c) {
        char *cc = gmf_semver_canonical(c);

        FUZZ_CHECK(gmf_semver_is_valid(c), "canonical %s of %s invalid", c, v);
        FUZZ_CHECK(cc && strcmp(cc, c) == 0, "canonical not idempotent: %s -> %s -> %s", v, c,
                   cc ? cc : "NULL");
        FUZZ_CHECK(gmf_semver_compare(v, c) == 0, "compare(%s, canonical %s) != 0", v, c);
        FUZZ_CHECK(gmf_semver_compare(v, v) == 0, "compare(%s, itself) != 0", v);
        /* is_pseudo implies valid */
        free(cc);
        free(c);
    } else {
        FUZZ_CHECK(!gmf_semver_is_pseudo(v), "pseudo-version %s is not valid semver", v);
        FUZZ_CHECK(gmf_semver_compare(v, "v0.0.0-0") < 0, "invalid %s not lowest", v);
    }
}

static int sgn(int x)
{
    return (x > 0) - (x < 0);
}

static void semver_three(const char *a, const char *b, const char *c)
{
    int ab = gmf_semver_compare(a, b), ba = gmf_semver_compare(b, a);
    int bc = gmf_semver_compare(b, c), ac = gmf_semver_compare(a, c);

    FUZZ_CHECK(ab >= -1 && ab <= 1, "compare out of range: %d", ab);
    FUZZ_CHECK(sgn(ab) == -sgn(ba), "not antisymmetric: %s %s", a, b);
    if (ab <= 0 && bc <= 0)
        FUZZ_CHECK(ac <= 0, "not transitive: %s <= %s <= %s but %s > %s", a, b, c, a, c);
    if (ab == 0 && bc == 0)
        FUZZ_CHECK(ac == 0, "equality not transitive: %s %s %s", a, b, c);
}

static void text_helpers(const char *a, const char *b, const uint8_t *data, size_t size)
{
    char *q = gmf_modpath_quote((const char *)data, size);
    size_t off = 0;

    FUZZ_CHECK(q[0] == '"' && q[strlen(q) - 1] == '"', "quote: %s", q);
    free(q);
    while (off < size) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune((const char *)data + off, size - off, &r);

        FUZZ_CHECK(w >= 1 && w <= 4 && w <= size - off, "decode width %zu", w);
        FUZZ_CHECK(w > 1 || data[off] < 0x80 || r == 0xfffd, "invalid byte decoded as %u",
                   (unsigned)r);
        q = gmf_modpath_quote_rune(r);
        free(q);
        (void)gmf_modpath_is_print(r);
        (void)gmf_modpath_is_letter(r);
        off += w;
    }
    FUZZ_CHECK(gmf_modpath_decode_rune("", 0, &(uint32_t){0}) == 0, "width for n == 0");
    (void)gmf_modpath_glob_match(a, b);
    (void)gmf_modpath_match_patterns(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = fuzz_piece(data, size, 0);
    char *b = fuzz_piece(data, size, 1);
    char *c = fuzz_piece(data, size, 2);

    escape_round_trip(a);
    escape_round_trip(b);
    checks(a, b);
    semver_one(a);
    semver_one(b);
    semver_one(c);
    semver_three(a, b, c);
    semver_three(c, a, b);
    semver_three(b, c, a);
    text_helpers(a, b, data, size);
    free(a);
    free(b);
    free(c);
    return 0;
}
