/* Fuzz target: HTTP Content-Range parsing (gmf_transfer_parse_content_range, the only header
 * parser transfer.h exposes; status lines, ETag/Last-Modified and .netrc are parsed by
 * static functions of transfer.c, reached only through the integration tests).
 *
 * Input: a header value (cut at the first NUL, as curl hands over C strings).  The parser is
 * compared with an independent reading of RFC 9110 section 14.4 as gmfetch restricts it:
 * "bytes" (any case) SP first "-" last "/" (complete-length | "*"), digits only, no
 * overflow, first <= last, and last < complete-length; a numeric UINT64_MAX is refused
 * because it would read as "*".  Accepted values are printed back and must parse to the
 * same numbers.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "gmfetch/transfer.h"

static bool digits(const char **p, uint64_t *ret)
{
    const char *s = *p;
    uint64_t v = 0;
    size_t n = 0;

    while (s[n] >= '0' && s[n] <= '9') {
        uint64_t d = (uint64_t)(s[n] - '0');

        if (v > UINT64_MAX / 10 || v * 10 > UINT64_MAX - d)
            return false;
        v = v * 10 + d;
        n++;
    }
    if (n == 0)
        return false;
    *p = s + n;
    *ret = v;
    return true;
}

static bool model(const char *s, uint64_t *f, uint64_t *l, uint64_t *t)
{
    const char *p = s;

    if (strlen(p) < 6 || strncasecmp(p, "bytes", 5) != 0 || p[5] != ' ')
        return false;
    p += 6;
    if (!digits(&p, f) || *p != '-')
        return false;
    p++;
    if (!digits(&p, l) || *p != '/')
        return false;
    p++;
    if (strcmp(p, "*") == 0) {
        *t = UINT64_MAX;
    } else {
        if (!digits(&p, t) || *p != '\0' || *t == UINT64_MAX || *l >= *t)
            return false;
    }
    return *f <= *l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_piece(data, size, 0);
    uint64_t f = 1, l = 2, t = 3, mf, ml, mt;
    bool ok = gmf_transfer_parse_content_range(s, &f, &l, &t) == GMF_OK;
    bool want = model(s, &mf, &ml, &mt);

    FUZZ_CHECK(ok == want, "\"%s\": parser says %d, model %d", s, ok, want);
    if (!ok) {
        FUZZ_CHECK(f == 1 && l == 2 && t == 3, "out-params written on failure");
    } else {
        char again[128];
        uint64_t f2, l2, t2;

        FUZZ_CHECK(f == mf && l == ml && t == mt, "\"%s\": numbers differ", s);
        if (t == UINT64_MAX)
            (void)snprintf(again, sizeof(again), "bytes %" PRIu64 "-%" PRIu64 "/*", f, l);
        else
            (void)snprintf(again, sizeof(again), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, f,
                           l, t);
        FUZZ_CHECK(gmf_transfer_parse_content_range(again, &f2, &l2, &t2) == GMF_OK &&
                       f2 == f && l2 == l && t2 == t,
                   "printed form %s does not parse back", again);
    }
    free(s);
    return 0;
}
