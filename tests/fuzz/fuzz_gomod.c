/* Fuzz target: the go.mod parser (gomod.h), in both modes.
 *
 * Input: go.mod text.  Invariants checked on every input that parses:
 *   - printing the records back as canonical go.mod text (every string quoted as
 *     strconv.Quote does, "// indirect" kept) and parsing that again, in the same mode,
 *     succeeds and yields the same records (module, go, toolchain, require, exclude,
 *     replace, retract);
 *   - in main mode every require/exclude/replace version is canonical semver;
 *   - gmf_gomod_compare_go is reflexive on the go version and "" sorts lowest;
 *   - a failed parse leaves *ret zeroed and sets a message.
 * Deprecation comments are not printed, so `deprecated` is not compared.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gmfetch/buf.h"
#include "gmfetch/gomod.h"
#include "gmfetch/modpath.h"

static void put_q(struct gmf_buf *b, const char *s)
{
    char *q = gmf_modpath_quote(s, strlen(s));

    (void)gmf_buf_puts(b, q);
    free(q);
}

static void print_gomod(const struct gmf_gomod *m, struct gmf_buf *b)
{
    size_t i;

    if (*m->module) {
        (void)gmf_buf_puts(b, "module ");
        put_q(b, m->module);
        (void)gmf_buf_putc(b, '\n');
    }
    /* go and toolchain are bare tokens in go.mod (modfile does not unquote them). */
    if (*m->go)
        (void)gmf_buf_printf(b, "go %s\n", m->go);
    if (*m->toolchain)
        (void)gmf_buf_printf(b, "toolchain %s\n", m->toolchain);
    for (i = 0; i < m->nrequire; i++) {
        (void)gmf_buf_puts(b, "require ");
        put_q(b, m->require[i].path);
        (void)gmf_buf_putc(b, ' ');
        put_q(b, m->require[i].version);
        (void)gmf_buf_puts(b, m->require[i].indirect ? " // indirect\n" : "\n");
    }
    for (i = 0; i < m->nexclude; i++) {
        (void)gmf_buf_puts(b, "exclude ");
        put_q(b, m->exclude[i].path);
        (void)gmf_buf_putc(b, ' ');
        put_q(b, m->exclude[i].version);
        (void)gmf_buf_putc(b, '\n');
    }
    for (i = 0; i < m->nreplace; i++) {
        const struct gmf_replace *r = &m->replace[i];

        (void)gmf_buf_puts(b, "replace ");
        put_q(b, r->old_path);
        if (*r->old_version) {
            (void)gmf_buf_putc(b, ' ');
            put_q(b, r->old_version);
        }
        (void)gmf_buf_puts(b, " => ");
        put_q(b, r->new_path);
        if (*r->new_version) {
            (void)gmf_buf_putc(b, ' ');
            put_q(b, r->new_version);
        }
        (void)gmf_buf_putc(b, '\n');
    }
    for (i = 0; i < m->nretract; i++) {
        (void)gmf_buf_puts(b, "retract [");
        put_q(b, m->retract[i].low);
        (void)gmf_buf_puts(b, ", ");
        put_q(b, m->retract[i].high);
        (void)gmf_buf_puts(b, "]\n");
    }
}

#define SAME_STR(a, b, what) FUZZ_CHECK(strcmp((a), (b)) == 0, "%s: %s != %s", what, a, b)

static void compare(const struct gmf_gomod *a, const struct gmf_gomod *b, const char *text)
{
    size_t i;

    SAME_STR(a->module, b->module, "module");
    SAME_STR(a->go, b->go, "go");
    SAME_STR(a->toolchain, b->toolchain, "toolchain");
    FUZZ_CHECK(a->nrequire == b->nrequire, "%zu != %zu requires in\n%s", a->nrequire,
               b->nrequire, text);
    for (i = 0; i < a->nrequire; i++) {
        SAME_STR(a->require[i].path, b->require[i].path, "require path");
        SAME_STR(a->require[i].version, b->require[i].version, "require version");
        FUZZ_CHECK(a->require[i].indirect == b->require[i].indirect, "indirect");
    }
    FUZZ_CHECK(a->nexclude == b->nexclude, "%zu != %zu excludes", a->nexclude, b->nexclude);
    for (i = 0; i < a->nexclude; i++) {
        SAME_STR(a->exclude[i].path, b->exclude[i].path, "exclude path");
        SAME_STR(a->exclude[i].version, b->exclude[i].version, "exclude version");
    }
    FUZZ_CHECK(a->nreplace == b->nreplace, "%zu != %zu replaces", a->nreplace, b->nreplace);
    for (i = 0; i < a->nreplace; i++) {
        SAME_STR(a->replace[i].old_path, b->replace[i].old_path, "replace old path");
        SAME_STR(a->replace[i].old_version, b->replace[i].old_version, "replace old version");
        SAME_STR(a->replace[i].new_path, b->replace[i].new_path, "replace new path");
        SAME_STR(a->replace[i].new_version, b->replace[i].new_version, "replace new version");
    }
    FUZZ_CHECK(a->nretract == b->nretract, "%zu != %zu retracts in\n%s", a->nretract,
               b->nretract, text);
    for (i = 0; i < a->nretract; i++) {
        SAME_STR(a->retract[i].low, b->retract[i].low, "retract low");
        SAME_STR(a->retract[i].high, b->retract[i].high, "retract high");
    }
}

static void canonical(const char *v, const char *what)
{
    char *c;

    if (!*v)
        return;
    c = gmf_semver_canonical(v);
    FUZZ_CHECK(c && strcmp(c, v) == 0, "%s version %s not canonical", what, v);
    free(c);
}

static void one_mode(const char *data, size_t size, unsigned flags)
{
    struct gmf_gomod m, m2;
    struct gmf_diag diag;
    struct gmf_buf text;
    size_t i;

    gmf_diag_init(&diag);
    memset(&m, 0xa5, sizeof(m)); /* must be zeroed on failure, written on success */
    if (gmf_gomod_parse(&m, data, size, "go.mod", flags, &diag) != GMF_OK) {
        static const struct gmf_gomod zero;

        FUZZ_CHECK(memcmp(&m, &zero, sizeof(m)) == 0, "*ret not zeroed on failure");
        FUZZ_CHECK(diag.msg[0] != '\0', "failure without a message");
        return;
    }
    FUZZ_CHECK(m.module && m.go && m.toolchain, "NULL strings");
    FUZZ_CHECK(gmf_gomod_compare_go(m.go, m.go) == 0, "compare_go not reflexive: %s", m.go);
    /* Not "< 0": a go version gover cannot parse ("1.17abc1", which modern x/mod's
     * GoVersionRE lets through) compares equal to "", as in go. */
    FUZZ_CHECK(gmf_gomod_compare_go("", m.go) <= 0, "\"\" must not sort above %s", m.go);
    if (flags & GMF_GOMOD_MAIN) {
        for (i = 0; i < m.nrequire; i++)
            canonical(m.require[i].version, "require");
        for (i = 0; i < m.nexclude; i++)
            canonical(m.exclude[i].version, "exclude");
        for (i = 0; i < m.nreplace; i++) {
            canonical(m.replace[i].old_version, "replace old");
            canonical(m.replace[i].new_version, "replace new");
        }
    }
    for (i = 0; i < m.nrequire; i++)
        (void)gmf_gomod_find_replace(&m, m.require[i].path, m.require[i].version);
    for (i = 0; i < m.nreplace; i++)
        (void)gmf_gomod_is_dir_path(m.replace[i].new_path);

    gmf_buf_init(&text, GMF_BUF_UNLIMITED);
    print_gomod(&m, &text);
    (void)gmf_buf_putc(&text, '\0');
    gmf_diag_init(&diag);
    FUZZ_CHECK(gmf_gomod_parse(&m2, text.data, text.len - 1, "go.mod", flags, &diag) == GMF_OK,
               "canonical print does not parse (flags %u): %s\n%s", flags, diag.msg, text.data);
    compare(&m, &m2, text.data);
    gmf_gomod_release(&m2);
    gmf_buf_release(&text);
    gmf_gomod_release(&m);
    FUZZ_CHECK(m.module == NULL && m.nrequire == 0, "release must zero the struct");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_mode((const char *)data, size, 0);
    one_mode((const char *)data, size, GMF_GOMOD_MAIN);
    return 0;
}
