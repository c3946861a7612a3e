/* Fuzz target: the go.sum reader and writer (gosum.h).
 *
 * Input: go.sum text.  Invariants:
 *   - a failed parse (EPARSE) keeps exactly the lines before the bad one, EUNSUPPORTED
 *     (a NUL byte) keeps none;
 *   - every line read is found again by gmf_gosum_check: MATCH, or MISMATCH for an "h1:"
 *     hash behind a different earlier "h1:" hash of the same key; never MISSING for h1;
 *   - gmf_gosum_format output parses cleanly (GMF_OK) and formatting that again gives the
 *     same bytes (the writer's output is a fixed point of read + write);
 *   - gmf_gosum_add of a line already present changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gmfetch/buf.h"
#include "gmfetch/gosum.h"

static void format_all(const struct gmf_gosum *s, struct gmf_buf *out)
{
    gmf_buf_init(out, GMF_BUF_UNLIMITED);
    FUZZ_CHECK(gmf_gosum_format(s, NULL, NULL, out) == GMF_OK, "format failed");
    (void)gmf_buf_putc(out, '\0'); /* for messages; not part of the text */
    out->len--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gmf_gosum s, s2;
    struct gmf_diag diag;
    struct gmf_buf out1, out2;
    enum gmf_err r;
    size_t i, n;

    gmf_gosum_init(&s);
    gmf_diag_init(&diag);
    r = gmf_gosum_parse(&s, (const char *)data, size, "go.sum", &diag);
    FUZZ_CHECK(r == GMF_OK || r == GMF_EPARSE || r == GMF_EUNSUPPORTED, "code %d", (int)r);
    if (r == GMF_EUNSUPPORTED)
        FUZZ_CHECK(s.nlines == 0, "lines kept after EUNSUPPORTED");
    if (r != GMF_OK)
        FUZZ_CHECK(diag.msg[0] != '\0', "failure without a message");
    FUZZ_CHECK(memchr(data, '\0', size) == NULL || r == GMF_EUNSUPPORTED,
               "NUL byte accepted");

    n = s.nlines;
    for (i = 0; i < n; i++) {
        const struct gmf_sum_line *l = &s.lines[i];
        const char *rec = NULL;
        enum gmf_sum_status st;

        FUZZ_CHECK(!l->added, "line read from a file marked added");
        st = gmf_gosum_check(&s, l->path, l->version, l->gomod, l->hash, &rec);
        if (strncmp(l->hash, "h1:", 3) == 0) {
            FUZZ_CHECK(st != GMF_SUM_MISSING, "line %zu not found", i);
            if (st == GMF_SUM_MISMATCH)
                FUZZ_CHECK(rec && strncmp(rec, "h1:", 3) == 0 && strcmp(rec, l->hash) != 0,
                           "mismatch without a different recorded h1 hash");
        }
    }
    format_all(&s, &out1);
    /* Re-adding what is there is a no-op. */
    for (i = 0; i < n; i++)
        gmf_gosum_add(&s, s.lines[i].path, s.lines[i].version, s.lines[i].gomod,
                      s.lines[i].hash);
    FUZZ_CHECK(s.nlines == n, "add of an existing line appended (%zu -> %zu)", n, s.nlines);

    gmf_gosum_init(&s2);
    gmf_diag_init(&diag);
    r = gmf_gosum_parse(&s2, out1.data, out1.len, "go.sum", &diag);
    FUZZ_CHECK(r == GMF_OK, "formatted go.sum does not parse: %s\n%s", diag.msg, out1.data);
    format_all(&s2, &out2);
    FUZZ_CHECK(out1.len == out2.len && memcmp(out1.data, out2.data, out1.len) == 0,
               "format not idempotent:\n%s\n---\n%s", out1.data, out2.data);

    gmf_buf_release(&out1);
    gmf_buf_release(&out2);
    gmf_gosum_release(&s2);
    gmf_gosum_release(&s);
    return 0;
}
