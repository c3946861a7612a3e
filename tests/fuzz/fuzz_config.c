/* Fuzz target: the YAML configuration loader (config.h), libyaml underneath.
 *
 * Input: a config file's bytes.  Invariants:
 *   - on failure the config holds no entries and the diag has a message;
 *   - on success keys are unique, a value is present exactly for GMF_CONFIG_SCALAR, and
 *     every position is 1-based;
 *   - printing the entries back as YAML (explicit "? key" / ": value" pairs, every key and
 *     scalar double-quoted with YAML escapes, null as `null`, sequences as [], mappings as
 *     {}) and parsing that, into the
 *     same config object (parse replaces earlier entries), gives the same keys, kinds and
 *     values in the same order (plain is not compared: quoting makes every scalar
 *     non-plain).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gmfetch/buf.h"
#include "gmfetch/config.h"
#include "gmfetch/modpath.h"

/* YAML double-quoted scalar: printable ASCII as is, everything else escaped. */
static void put_dq(struct gmf_buf *b, const char *s)
{
    size_t n = strlen(s), off = 0;

    (void)gmf_buf_putc(b, '"');
    while (off < n) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(s + off, n - off, &r);

        if (r == '"' || r == '\\')
            (void)gmf_buf_printf(b, "\\%c", (char)r);
        else if (r >= 0x20 && r < 0x7f)
            (void)gmf_buf_putc(b, (char)r);
        else if (w == 1 && r == 0xfffd)
            fuzz_fail("libyaml returned invalid UTF-8 in %s", s);
        else if (r <= 0xffff)
            (void)gmf_buf_printf(b, "\\u%04x", (unsigned)r);
        else
            (void)gmf_buf_printf(b, "\\U%08x", (unsigned)r);
        off += w;
    }
    (void)gmf_buf_putc(b, '"');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gmf_config c, c2;
    struct gmf_diag diag;
    struct gmf_buf text;
    size_t i, j;

    gmf_config_init(&c);
    gmf_diag_init(&diag);
    if (gmf_config_parse(&c, (const char *)data, size, "gmfetch.yaml", &diag) != GMF_OK) {
        FUZZ_CHECK(c.n == 0, "entries kept after a failure");
        FUZZ_CHECK(diag.msg[0] != '\0', "failure without a message");
        gmf_config_release(&c);
        return 0;
    }
    gmf_buf_init(&text, GMF_BUF_UNLIMITED);
    (void)gmf_buf_puts(&text, "");
    for (i = 0; i < c.n; i++) {
        const struct gmf_config_entry *e = &c.entries[i];

        FUZZ_CHECK(e->key != NULL, "NULL key");
        FUZZ_CHECK((e->kind == GMF_CONFIG_SCALAR) == (e->value != NULL), "value vs kind %d",
                   (int)e->kind);
        FUZZ_CHECK(e->key_line >= 1 && e->key_column >= 1 && e->line >= 1 && e->column >= 1,
                   "position not 1-based");
        for (j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(c.entries[j].key, e->key) != 0, "key %s twice", e->key);
        /* Explicit keys ("? key" / ": value"): an implicit key may not exceed 1024
         * characters (YAML 1.2 section 7.4.2), and an escaped key can grow past that. */
        (void)gmf_buf_puts(&text, "? ");
        put_dq(&text, e->key);
        (void)gmf_buf_puts(&text, "\n: ");
        switch (e->kind) {
        case GMF_CONFIG_SCALAR:
            put_dq(&text, e->value);
            break;
        case GMF_CONFIG_NULL:
            (void)gmf_buf_puts(&text, "null");
            break;
        case GMF_CONFIG_SEQUENCE:
            (void)gmf_buf_puts(&text, "[]");
            break;
        case GMF_CONFIG_MAPPING:
            (void)gmf_buf_puts(&text, "{}");
            break;
        }
        (void)gmf_buf_putc(&text, '\n');
    }
    /* Parse something else first: the real parse below must replace it. */
    gmf_config_init(&c2);
    (void)gmf_config_parse(&c2, "x: 1\ny: [2]\n", 12, "first", NULL);
    gmf_diag_init(&diag);
    FUZZ_CHECK(gmf_config_parse(&c2, text.data, text.len, "again", &diag) == GMF_OK,
               "printed config does not parse: %s\n%s", diag.msg, text.data);
    FUZZ_CHECK(c2.n == c.n, "%zu entries became %zu:\n%s", c.n, c2.n, text.data);
    for (i = 0; i < c.n; i++) {
        const struct gmf_config_entry *a = &c.entries[i], *b = &c2.entries[i];

        FUZZ_CHECK(strcmp(a->key, b->key) == 0, "key %s became %s", a->key, b->key);
        FUZZ_CHECK(a->kind == b->kind, "kind of %s: %d became %d", a->key, (int)a->kind,
                   (int)b->kind);
        if (a->value)
            FUZZ_CHECK(strcmp(a->value, b->value) == 0, "value %s became %s", a->value,
                       b->value);
        FUZZ_CHECK(b->key_line == 2 * i + 1 && b->key_column == 3 && b->line == 2 * i + 2 &&
                       b->column == 3,
                   "position of printed entry %zu: key %u:%u, value %u:%u", i, b->key_line,
                   b->key_column, b->line, b->column);
    }
    gmf_buf_release(&text);
    gmf_config_release(&c2);
    gmf_config_release(&c);
    return 0;
}
