#include "gmfetch/gosum.h"

/* go.sum records.  The object is a flat array of lines in read/add order, which is the order
 * go's map[module.Version][]string keeps per key, and the order check() depends on.  Lookups
 * are linear: go.sum files have thousands of lines at most and a check is a few strcmp()
 * per line, far below the cost of the download it guards.
 *
 * Sorting for output is done on a side array of keys so that module.Sort's version split
 * (at the first '/') is computed once per line, not once per comparison.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"

/* dirhash.Hash1 of a tree holding one empty go.mod (fetch.go emptyGoModHash). */
static const char empty_gomod_hash[] = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";
static const char gomod_suffix[] = "/go.mod";

void gmf_gosum_init(struct gmf_gosum *s)
{
    s->lines = NULL;
    s->nlines = 0;
    s->cap_ = 0;
}

void gmf_gosum_release(struct gmf_gosum *s)
{
    for (size_t i = 0; i < s->nlines; i++) {
        free(s->lines[i].path);
        free(s->lines[i].version);
        free(s->lines[i].hash);
    }
    free(s->lines);
    gmf_gosum_init(s);
}

/* Length of the white-space rune at p (0 if none), per unicode.IsSpace: strings.Fields
 * splits at these.  Multi-byte spaces are matched by their (unique) UTF-8 encodings, which
 * is exactly what utf8.DecodeRune followed by unicode.IsSpace accepts; a byte that starts
 * no space is part of a field, valid UTF-8 or not. */
static size_t space_len(const unsigned char *p, size_t n)
{
    if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2; /* U+0085 NEL, U+00A0 NBSP */
    if (n < 3)
        return 0;
    if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
        return 3; /* U+1680 */
    if (p[0] == 0xE2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
        return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
        return 3; /* U+205F */
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

/* Every byte of a field is either ASCII or part of a (possibly invalid) UTF-8 run; a
 * multi-byte space can only start at a lead byte, and a lead byte inside an invalid
 * sequence is decoded by go on its own (utf8.DecodeRune consumes one byte on error), so
 * testing for a space at every position is exactly go's segmentation. */
struct field {
    const char *p;
    size_t n;
};

static size_t split_fields(const char *line, size_t len, struct field *f, size_t maxf)
{
    const unsigned char *u = (const unsigned char *)line;
    size_t nf = 0, i = 0, sl;

    while (i < len) {
        size_t start;

        while (i < len && (sl = space_len(u + i, len - i)) != 0)
            i += sl;
        if (i >= len)
            break;
        start = i;
        while (i < len && space_len(u + i, len - i) == 0)
            i++;
        if (nf < maxf) {
            f[nf].p = line + start;
            f[nf].n = i - start;
        }
        nf++;
    }
    return nf;
}

static void push_line(struct gmf_gosum *s, char *path, char *version, bool gomod, char *hash,
                      bool added)
{
    struct gmf_sum_line *l;

    GMF_GROW(s->lines, s->cap_, s->nlines + 1);
    l = &s->lines[s->nlines++];
    l->path = path;
    l->version = version;
    l->gomod = gomod;
    l->hash = hash;
    l->added = added;
}

enum gmf_err gmf_gosum_parse(struct gmf_gosum *s, const char *data, size_t len, const char *name,
                             struct gmf_diag *diag)
{
    size_t lineno = 0;

    if (len && memchr(data, '\0', len))
        return gmf_diag_set(diag, GMF_EUNSUPPORTED, "%s: NUL byte in go.sum", name);

    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t llen = nl ? (size_t)(nl - data) : len;
        struct field f[3];
        size_t nf;
        size_t vlen;
        bool gomod;

        lineno++;
        nf = split_fields(data, llen, f, 3);
        data += llen;
        len -= llen;
        if (nl) {
            data++;
            len--;
        }
        if (nf == 0)
            continue;
        if (nf != 3)
            return gmf_diag_set(diag, GMF_EPARSE,
                                "malformed go.sum:\n%s:%zu: wrong number of fields %zu", name,
                                lineno, nf);
        if (f[2].n == sizeof(empty_gomod_hash) - 1 && memcmp(f[2].p, empty_gomod_hash, f[2].n) == 0)
            continue;
        vlen = f[1].n;
        gomod =
            vlen >= sizeof(gomod_suffix) - 1 && memcmp(f[1].p + vlen - (sizeof(gomod_suffix) - 1),
                                                       gomod_suffix, sizeof(gomod_suffix) - 1) == 0;
        if (gomod)
            vlen -= sizeof(gomod_suffix) - 1;
        push_line(s, gmf_xstrndup(f[0].p, f[0].n), gmf_xstrndup(f[1].p, vlen), gomod,
                  gmf_xstrndup(f[2].p, f[2].n), false);
    }
    return GMF_OK;
}

static bool same_key(const struct gmf_sum_line *l, const char *path, const char *version,
                     bool gomod)
{
    return l->gomod == gomod && strcmp(l->path, path) == 0 && strcmp(l->version, version) == 0;
}

enum gmf_sum_status gmf_gosum_check(const struct gmf_gosum *s, const char *path,
                                    const char *version, bool gomod, const char *hash,
                                    const char **ret_recorded)
{
    for (size_t i = 0; i < s->nlines; i++) {
        const struct gmf_sum_line *l = &s->lines[i];

        if (!same_key(l, path, version, gomod))
            continue;
        if (strcmp(l->hash, hash) == 0)
            return GMF_SUM_MATCH;
        if (strncmp(l->hash, "h1:", 3) == 0) {
            if (ret_recorded)
                *ret_recorded = l->hash;
            return GMF_SUM_MISMATCH;
        }
    }
    return GMF_SUM_MISSING;
}

void gmf_gosum_add(struct gmf_gosum *s, const char *path, const char *version, bool gomod,
                   const char *hash)
{
    for (size_t i = 0; i < s->nlines; i++)
        if (same_key(&s->lines[i], path, version, gomod) && strcmp(s->lines[i].hash, hash) == 0)
            return;
    push_line(s, gmf_xstrdup(path), gmf_xstrdup(version), gomod, gmf_xstrdup(hash), true);
}

/* module.Sort's view of a line: version "v" + file part "f", where the full version
 * (with "/go.mod") is split at its first '/'. */
struct sort_key {
    const struct gmf_sum_line *line;
    const char *v;       /* line->version, or own_v when the version has a '/' */
    const char *f;       /* "", "/go.mod", or own_f */
    char *own_v, *own_f; /* NULL unless allocated */
};

static int cmp_key(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    int c;

    c = strcmp(a->line->path, b->line->path);
    if (c)
        return c;
    if (strcmp(a->v, b->v) != 0) {
        c = gmf_semver_compare(a->v, b->v);
        if (c)
            return c;
        /* go's order is undefined here (sort.Slice is not stable and the input comes
         * from a map); bytes make it deterministic. */
        return strcmp(a->v, b->v);
    }
    c = strcmp(a->f, b->f);
    if (c)
        return c;
    c = strcmp(a->line->hash, b->line->hash);
    if (c)
        return c;
    /* Read lines before added duplicates, so a group starts with its file line. */
    return (int)a->line->added - (int)b->line->added;
}

static void make_key(struct sort_key *k, const struct gmf_sum_line *l)
{
    const char *slash = strchr(l->version, '/');

    k->line = l;
    k->own_v = NULL;
    k->own_f = NULL;
    if (!slash) {
        k->v = l->version;
        k->f = l->gomod ? gomod_suffix : "";
        return;
    }
    k->own_v = gmf_xstrndup(l->version, (size_t)(slash - l->version));
    k->own_f = gmf_xasprintf("%s%s", slash, l->gomod ? gomod_suffix : "");
    k->v = k->own_v;
    k->f = k->own_f;
}

static bool same_line(const struct gmf_sum_line *a, const struct gmf_sum_line *b)
{
    return same_key(a, b->path, b->version, b->gomod) && strcmp(a->hash, b->hash) == 0;
}

enum gmf_err gmf_gosum_format(const struct gmf_gosum *s, gmf_gosum_keep_fn keep, void *ctx,
                              struct gmf_buf *out)
{
    struct sort_key *keys;
    enum gmf_err r = GMF_OK;
    size_t i, j;

    if (s->nlines == 0)
        return GMF_OK;
    keys = gmf_xreallocarray(NULL, s->nlines, sizeof(*keys));
    for (i = 0; i < s->nlines; i++)
        make_key(&keys[i], &s->lines[i]);
    qsort(keys, s->nlines, sizeof(*keys), cmp_key);

    for (i = 0; i < s->nlines && r == GMF_OK; i = j) {
        const struct gmf_sum_line *l = keys[i].line;
        bool write = false;

        /* One output line per group of identical lines (str.Uniq). */
        for (j = i; j < s->nlines && same_line(keys[j].line, l); j++)
            if (!write && (!keep || keep(keys[j].line, ctx)))
                write = true;
        if (write)
            r = gmf_buf_printf(out, "%s %s%s %s\n", l->path, l->version,
                               l->gomod ? gomod_suffix : "", l->hash);
    }

    for (i = 0; i < s->nlines; i++) {
        free(keys[i].own_v);
        free(keys[i].own_f);
    }
    free(keys);
    return r;
}
