/* Fuzz target: .info JSON handling and the -json writer (json.h).
 *
 * Input: the bytes of a proxy's .info response.  Invariants:
 *   - gmf_json_info_reencode either fails with a message and returns nothing, or returns a
 *     version and the cached form; decoding the cached form again gives the same version
 *     and the same bytes (go's cache form is a fixed point), unless go itself could not
 *     read it back (a Time go 1.19 writes but cannot parse, e.g. an offset of 99:99
 *     printed as +100:39: then only a time error is allowed);
 *   - gmf_json_put_string of any C string, wrapped as {"Version":...}, decodes back to the
 *     same string with each invalid UTF-8 byte turned into U+FFFD (encoding/json's rule);
 *   - gmf_json_module output (fields taken from the NUL-separated pieces of the input, the
 *     whole input as origin_info) is valid JSON whose Version decodes back the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gmfetch/buf.h"
#include "gmfetch/json.h"
#include "gmfetch/modpath.h"

/* s with each byte that does not start a valid UTF-8 sequence replaced by U+FFFD. */
static char *sanitize_utf8(const char *s)
{
    struct gmf_buf b;
    size_t n = strlen(s), off = 0;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_puts(&b, "");
    while (off < n) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(s + off, n - off, &r);

        if (w == 1 && r == 0xfffd)
            (void)gmf_buf_puts(&b, "\xef\xbf\xbd");
        else
            (void)gmf_buf_append(&b, s + off, w);
        off += w;
    }
    return gmf_buf_detach(&b, NULL);
}

static void reencode(const uint8_t *data, size_t size)
{
    struct gmf_buf out, out2;
    struct gmf_diag diag;
    char *version = (char *)"untouched", *version2 = NULL;
    enum gmf_err r;

    gmf_buf_init(&out, 1 << 20);
    gmf_diag_init(&diag);
    r = gmf_json_info_reencode((const char *)data, size, &version, &out, &diag);
    if (r != GMF_OK) {
        FUZZ_CHECK(r == GMF_EPARSE || r == GMF_ETOOBIG, "code %d", (int)r);
        FUZZ_CHECK(strcmp(version, "untouched") == 0, "version written on failure");
        FUZZ_CHECK(diag.msg[0] != '\0', "failure without a message");
        gmf_buf_release(&out);
        return;
    }
    FUZZ_CHECK(version != NULL, "NULL version");
    (void)gmf_buf_puts(&out, ""); /* data non-NULL even when empty */
    gmf_buf_init(&out2, 1 << 20);
    gmf_diag_init(&diag);
    r = gmf_json_info_reencode(out.data, out.len, &version2, &out2, &diag);
    if (r == GMF_OK) {
        FUZZ_CHECK(strcmp(version, version2) == 0, "version %s became %s", version, version2);
        FUZZ_CHECK(out.len == out2.len && memcmp(out.data, out2.data, out.len) == 0,
                   "cache form not a fixed point:\n%s\n%s", out.data, out2.data);
        free(version2);
    } else {
        FUZZ_CHECK(strncmp(diag.msg, "parsing time ", 13) == 0,
                   "cache form %s does not decode: %s", out.data, diag.msg);
    }
    gmf_buf_release(&out2);
    gmf_buf_release(&out);
    free(version);
}

static void check_version_json(const struct gmf_buf *b, const char *want_raw)
{
    struct gmf_buf out;
    struct gmf_diag diag;
    char *version = NULL, *want = sanitize_utf8(want_raw);

    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    FUZZ_CHECK(gmf_json_info_reencode(b->data, b->len, &version, &out, &diag) == GMF_OK,
               "written JSON does not decode: %s\n%s", diag.msg, b->data);
    FUZZ_CHECK(strcmp(version, want) == 0, "Version %s decoded as %s", want, version);
    free(version);
    free(want);
    gmf_buf_release(&out);
}

static void put_string(const char *s)
{
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_puts(&b, "{\"Version\":");
    gmf_json_put_string(&b, s);
    (void)gmf_buf_puts(&b, "}");
    check_version_json(&b, s);
    gmf_buf_release(&b);
}

static void module(const uint8_t *data, size_t size)
{
    char *p[11];
    struct gmf_json_module m;
    struct gmf_buf b;
    unsigned i;

    for (i = 0; i < 11; i++)
        p[i] = fuzz_piece(data, size, i);
    m.path = p[0];
    m.version = p[1];
    m.query = p[2];
    m.error = p[3];
    m.info = p[4];
    m.gomod = p[5];
    m.zip = p[6];
    m.dir = p[7];
    m.sum = p[8];
    m.gomodsum = p[9];
    m.origin_info = (const char *)data;
    m.origin_info_len = size;
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    gmf_json_module(&b, &m);
    FUZZ_CHECK(b.len >= 3 && b.data[b.len - 1] == '\n', "no trailing newline");
    check_version_json(&b, p[1]);
    gmf_buf_release(&b);
    for (i = 0; i < 11; i++)
        free(p[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_piece(data, size, 0);

    reencode(data, size);
    put_string(s);
    module(data, size);
    free(s);
    return 0;
}
