#include "gmfetch/json.h"

/* Design.  Decoding is two passes, like encoding/json's Unmarshal: check() runs a
 * byte-at-a-time state machine with the states and messages of encoding/json/scanner.go
 * over the whole input, so the first syntax error is found at the same byte and worded the
 * same; only then does the decoder walk the (now known valid) text and fill a RevInfo,
 * skipping what it does not know.  The checker keeps an explicit stack, never recursion, so
 * hostile nesting costs at most 10000 bytes of state.
 *
 * Strings are length-counted throughout (struct str) because "\u0000" is valid JSON and go
 * carries the NUL through to the re-encoded output.
 *
 * Time is parsed by hand with the one layout go uses here, "\"" + time.RFC3339 + "\""
 * (time/format.go parse), keeping its error texts and its quirks, and printed with
 * time.RFC3339Nano.  The wall clock printed is always the one parsed: go stores the instant
 * in a zone with the parsed offset, so no calendar arithmetic is needed.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"

/* encoding/json maxNestingDepth */
#define MAX_DEPTH 10000

/* ---- UTF-8 ------------------------------------------------------------------------- */

/* utf8.DecodeRune (one shared implementation in modpath). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *ret_r)
{
    return gmf_modpath_decode_rune((const char *)s, n, ret_r);
}

static void utf8_encode(struct gmf_buf *b, uint32_t r)
{
    char e[4];
    size_t n;

    if (r < 0x80) {
        e[0] = (char)r;
        n = 1;
    } else if (r < 0x800) {
        e[0] = (char)(0xC0 | r >> 6);
        e[1] = (char)(0x80 | (r & 0x3F));
        n = 2;
    } else if (r < 0x10000) {
        e[0] = (char)(0xE0 | r >> 12);
        e[1] = (char)(0x80 | (r >> 6 & 0x3F));
        e[2] = (char)(0x80 | (r & 0x3F));
        n = 3;
    } else {
        e[0] = (char)(0xF0 | r >> 18);
        e[1] = (char)(0x80 | (r >> 12 & 0x3F));
        e[2] = (char)(0x80 | (r >> 6 & 0x3F));
        e[3] = (char)(0x80 | (r & 0x3F));
        n = 4;
    }
    (void)gmf_buf_append(b, e, n);
}

/* ---- encoding ---------------------------------------------------------------------- */

/* encodeState.string with escapeHTML (encoding/json/encode.go). */
static void put_string_n(struct gmf_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, start = 0;

    (void)gmf_buf_putc(out, '"');
    while (i < n) {
        unsigned char c = u[i];
        uint32_t r;
        size_t w;

        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                i++;
                continue;
            }
            (void)gmf_buf_append(out, s + start, i - start);
            if (c == '"' || c == '\\') {
                char e[2] = {'\\', (char)c};

                (void)gmf_buf_append(out, e, 2);
            } else if (c == '\n') {
                (void)gmf_buf_puts(out, "\\n");
            } else if (c == '\r') {
                (void)gmf_buf_puts(out, "\\r");
            } else if (c == '\t') {
                (void)gmf_buf_puts(out, "\\t");
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

                (void)gmf_buf_append(out, e, 6);
            }
            start = ++i;
            continue;
        }
        w = utf8_decode(u + i, n - i, &r);
        if ((r == 0xFFFD && w == 1) || r == 0x2028 || r == 0x2029) {
            (void)gmf_buf_append(out, s + start, i - start);
            if (w == 1)
                (void)gmf_buf_puts(out, "\\ufffd");
            else
                (void)gmf_buf_printf(out, "\\u%04x", (unsigned)r);
            start = i + w;
        }
        i += w;
    }
    (void)gmf_buf_append(out, s + start, n - start);
    (void)gmf_buf_putc(out, '"');
}

void gmf_json_put_string(struct gmf_buf *out, const char *s)
{
    put_string_n(out, s, strlen(s));
}

/* ---- syntax check (encoding/json/scanner.go) --------------------------------------- */

enum st {
    S_BEGIN_VALUE_OR_EMPTY,
    S_BEGIN_VALUE,
    S_BEGIN_STRING_OR_EMPTY,
    S_BEGIN_STRING,
    S_END_VALUE,
    S_END_TOP,
    S_IN_STRING,
    S_IN_STRING_ESC,
    S_ESC_U, /* + 0..3: hex digits seen */
    S_ESC_U1,
    S_ESC_U12,
    S_ESC_U123,
    S_NEG,
    S_1,
    S_0,
    S_DOT,
    S_DOT0,
    S_E,
    S_ESIGN,
    S_E0,
    S_LIT, /* inside true/false/null: lit points at the rest expected */
};

enum ps { P_OBJECT_KEY, P_OBJECT_VALUE, P_ARRAY_VALUE };

struct scanner {
    enum st state;
    unsigned char stack[MAX_DEPTH + 1];
    size_t depth;
    const char *lit;      /* S_LIT: remaining letters of the literal */
    const char *lit_name; /* "true", "false", "null" */
    bool end_top;
    char err[96];
};

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* quoteChar: the offending byte as go shows it, strconv.Quote(string(rune(c))) in single
 * quotes: bytes >= 0x80 are shown as the Latin-1 rune of that value. */
static void quote_char(char *dst, size_t n, unsigned char c)
{
    static const char esc[] = "abtnvfr";

    if (c == '\'')
        (void)snprintf(dst, n, "'\\''");
    else if (c == '"')
        (void)snprintf(dst, n, "'\"'");
    else if (c == '\\')
        (void)snprintf(dst, n, "'\\\\'");
    else if (c >= 7 && c <= 13)
        (void)snprintf(dst, n, "'\\%c'", esc[c - 7]);
    else if (c < 0x20 || c == 0x7F)
        (void)snprintf(dst, n, "'\\x%02x'", c);
    else if (c < 0x80)
        (void)snprintf(dst, n, "'%c'", c);
    else if (c <= 0xA0 || c == 0xAD) /* C1 controls, NBSP, soft hyphen: not IsPrint */
        (void)snprintf(dst, n, "'\\u%04x'", c);
    else
        (void)snprintf(dst, n, "'%c%c'", 0xC0 | c >> 6, 0x80 | (c & 0x3F));
}

static bool scan_error(struct scanner *s, unsigned char c, const char *context)
{
    char q[16];

    quote_char(q, sizeof(q), c);
    (void)snprintf(s->err, sizeof(s->err), "invalid character %s %s", q, context);
    return false;
}

static bool push(struct scanner *s, unsigned char c, enum ps p)
{
    s->stack[s->depth++] = (unsigned char)p;
    if (s->depth <= MAX_DEPTH)
        return true;
    return scan_error(s, c, "exceeded max depth");
}

static bool step(struct scanner *s, unsigned char c);

static bool begin_value(struct scanner *s, unsigned char c)
{
    if (is_ws(c))
        return true;
    switch (c) {
    case '{':
        s->state = S_BEGIN_STRING_OR_EMPTY;
        return push(s, c, P_OBJECT_KEY);
    case '[':
        s->state = S_BEGIN_VALUE_OR_EMPTY;
        return push(s, c, P_ARRAY_VALUE);
    case '"':
        s->state = S_IN_STRING;
        return true;
    case '-':
        s->state = S_NEG;
        return true;
    case '0':
        s->state = S_0;
        return true;
    case 't':
        s->state = S_LIT;
        s->lit = "rue";
        s->lit_name = "true";
        return true;
    case 'f':
        s->state = S_LIT;
        s->lit = "alse";
        s->lit_name = "false";
        return true;
    case 'n':
        s->state = S_LIT;
        s->lit = "ull";
        s->lit_name = "null";
        return true;
    }
    if (c >= '1' && c <= '9') {
        s->state = S_1;
        return true;
    }
    return scan_error(s, c, "looking for beginning of value");
}

static bool end_value(struct scanner *s, unsigned char c)
{
    if (s->depth == 0) {
        s->state = S_END_TOP;
        s->end_top = true;
        return step(s, c);
    }
    if (is_ws(c)) {
        s->state = S_END_VALUE;
        return true;
    }
    switch ((enum ps)s->stack[s->depth - 1]) {
    case P_OBJECT_KEY:
        if (c == ':') {
            s->stack[s->depth - 1] = P_OBJECT_VALUE;
            s->state = S_BEGIN_VALUE;
            return true;
        }
        return scan_error(s, c, "after object key");
    case P_OBJECT_VALUE:
        if (c == ',') {
            s->stack[s->depth - 1] = P_OBJECT_KEY;
            s->state = S_BEGIN_STRING;
            return true;
        }
        if (c == '}')
            goto pop;
        return scan_error(s, c, "after object key:value pair");
    case P_ARRAY_VALUE:
        if (c == ',') {
            s->state = S_BEGIN_VALUE;
            return true;
        }
        if (c == ']')
            goto pop;
        return scan_error(s, c, "after array element");
    }
    return false;
pop:
    s->depth--;
    if (s->depth == 0) {
        s->state = S_END_TOP;
        s->end_top = true;
    } else {
        s->state = S_END_VALUE;
    }
    return true;
}

static bool is_hexc(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool step(struct scanner *s, unsigned char c)
{
    bool digit = c >= '0' && c <= '9';

    switch (s->state) {
    case S_BEGIN_VALUE_OR_EMPTY:
        if (is_ws(c))
            return true;
        if (c == ']')
            return end_value(s, c);
        return begin_value(s, c);
    case S_BEGIN_VALUE:
        return begin_value(s, c);
    case S_BEGIN_STRING_OR_EMPTY:
        if (is_ws(c))
            return true;
        if (c == '}') {
            s->stack[s->depth - 1] = P_OBJECT_VALUE;
            return end_value(s, c);
        }
        /* fall through */
    case S_BEGIN_STRING:
        if (is_ws(c))
            return true;
        if (c == '"') {
            s->state = S_IN_STRING;
            return true;
        }
        return scan_error(s, c, "looking for beginning of object key string");
    case S_END_VALUE:
        return end_value(s, c);
    case S_END_TOP:
        if (!is_ws(c))
            return scan_error(s, c, "after top-level value");
        return true;
    case S_IN_STRING:
        if (c == '"') {
            s->state = S_END_VALUE;
            return true;
        }
        if (c == '\\') {
            s->state = S_IN_STRING_ESC;
            return true;
        }
        if (c < 0x20)
            return scan_error(s, c, "in string literal");
        return true;
    case S_IN_STRING_ESC:
        if (c && strchr("bfnrt\\/\"", c)) {
            s->state = S_IN_STRING;
            return true;
        }
        if (c == 'u') {
            s->state = S_ESC_U;
            return true;
        }
        return scan_error(s, c, "in string escape code");
    case S_ESC_U:
    case S_ESC_U1:
    case S_ESC_U12:
    case S_ESC_U123:
        if (!is_hexc(c))
            return scan_error(s, c, "in \\u hexadecimal character escape");
        s->state = s->state == S_ESC_U123 ? S_IN_STRING : (enum st)(s->state + 1);
        return true;
    case S_NEG:
        if (c == '0') {
            s->state = S_0;
            return true;
        }
        if (digit) {
            s->state = S_1;
            return true;
        }
        return scan_error(s, c, "in numeric literal");
    case S_1:
        if (digit)
            return true;
        /* fall through */
    case S_0:
        if (c == '.') {
            s->state = S_DOT;
            return true;
        }
        if (c == 'e' || c == 'E') {
            s->state = S_E;
            return true;
        }
        return end_value(s, c);
    case S_DOT:
        if (digit) {
            s->state = S_DOT0;
            return true;
        }
        return scan_error(s, c, "after decimal point in numeric literal");
    case S_DOT0:
        if (digit)
            return true;
        if (c == 'e' || c == 'E') {
            s->state = S_E;
            return true;
        }
        return end_value(s, c);
    case S_E:
        if (c == '+' || c == '-') {
            s->state = S_ESIGN;
            return true;
        }
        /* fall through */
    case S_ESIGN:
        if (digit) {
            s->state = S_E0;
            return true;
        }
        return scan_error(s, c, "in exponent of numeric literal");
    case S_E0:
        if (digit)
            return true;
        return end_value(s, c);
    case S_LIT:
        if (c == (unsigned char)*s->lit) {
            s->lit++;
            if (!*s->lit)
                s->state = S_END_VALUE;
            return true;
        } else {
            char ctx[48];

            (void)snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", s->lit_name,
                           *s->lit);
            return scan_error(s, c, ctx);
        }
    }
    return false;
}

/* checkValid: GMF_OK or GMF_EPARSE with go's message. */
static enum gmf_err check(const char *data, size_t len, struct gmf_diag *diag)
{
    struct scanner *s = gmf_xcalloc(1, sizeof(*s));
    enum gmf_err r = GMF_OK;

    s->state = S_BEGIN_VALUE;
    for (size_t i = 0; i < len; i++) {
        if (!step(s, (unsigned char)data[i])) {
            r = gmf_diag_set(diag, GMF_EPARSE, "%s", s->err);
            goto out;
        }
    }
    /* scanner.eof: a number may still be open, so go feeds one space; an error that
     * space provokes ("1." gives "invalid character ' ' after decimal point ...") is the
     * one reported. */
    if (!s->end_top) {
        if (!step(s, ' '))
            r = gmf_diag_set(diag, GMF_EPARSE, "%s", s->err);
        else if (!s->end_top)
            r = gmf_diag_set(diag, GMF_EPARSE, "unexpected end of JSON input");
    }
out:
    free(s);
    return r;
}

/* ---- decoding of valid JSON -------------------------------------------------------- */

struct str {
    char *p; /* heap, NUL-terminated for convenience; may hold NULs */
    size_t n;
};

struct dec {
    const char *d;
    size_t n, i;
};

static void skip_ws(struct dec *d)
{
    while (d->i < d->n && is_ws((unsigned char)d->d[d->i]))
        d->i++;
}

/* Skip one value starting at d->i (no leading white space). */
static void skip_value(struct dec *d)
{
    size_t depth = 0;

    do {
        char c = d->d[d->i];

        if (c == '"') {
            for (d->i++; d->d[d->i] != '"'; d->i++)
                if (d->d[d->i] == '\\')
                    d->i++;
            d->i++;
        } else if (c == '{' || c == '[') {
            depth++;
            d->i++;
        } else if (c == '}' || c == ']') {
            depth--;
            d->i++;
        } else if (c == ',' || c == ':' || is_ws((unsigned char)c)) {
            d->i++;
        } else {
            while (d->i < d->n && d->d[d->i] && !strchr(",:]} \t\r\n", d->d[d->i]))
                d->i++;
        }
    } while (depth > 0);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

/* getu4: the \uXXXX at p (len bytes left), or -1. */
static int32_t getu4(const char *p, size_t left)
{
    int32_t r = 0;

    if (left < 6 || p[0] != '\\' || p[1] != 'u')
        return -1;
    for (int k = 2; k < 6; k++) {
        if (!is_hexc((unsigned char)p[k]))
            return -1;
        r = r * 16 + hexval(p[k]);
    }
    return r;
}

/* unquoteBytes of the string token at d->i; advances past it. */
static struct str read_string(struct dec *d)
{
    struct gmf_buf b;
    struct str s;
    size_t len;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_append(&b, "", 0);
    d->i++;
    while (d->d[d->i] != '"') {
        const unsigned char *u = (const unsigned char *)d->d + d->i;
        size_t left = d->n - d->i;

        if (u[0] == '\\') {
            char c = (char)u[1];

            d->i += 2;
            switch (c) {
            case 'b':
                (void)gmf_buf_putc(&b, '\b');
                break;
            case 'f':
                (void)gmf_buf_putc(&b, '\f');
                break;
            case 'n':
                (void)gmf_buf_putc(&b, '\n');
                break;
            case 'r':
                (void)gmf_buf_putc(&b, '\r');
                break;
            case 't':
                (void)gmf_buf_putc(&b, '\t');
                break;
            case 'u': {
                int32_t r = getu4((const char *)u, left);

                d->i += 4;
                if (r >= 0xD800 && r < 0xE000) {
                    int32_t r2 = getu4(d->d + d->i, d->n - d->i);

                    /* utf16.DecodeRune: a high then a low surrogate make one rune;
                     * anything else is U+FFFD and the second escape stays unread. */
                    if (r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000) {
                        r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
                        d->i += 6;
                    } else {
                        r = 0xFFFD;
                    }
                }
                utf8_encode(&b, (uint32_t)r);
                break;
            }
            default:
                (void)gmf_buf_putc(&b, c);
                break; /* " \ / */
            }
        } else if (u[0] < 0x80) {
            (void)gmf_buf_putc(&b, (char)u[0]);
            d->i++;
        } else {
            uint32_t r;
            size_t w = utf8_decode(u, left, &r);

            if (w == 1 && r == 0xFFFD)
                utf8_encode(&b, 0xFFFD);
            else
                (void)gmf_buf_append(&b, u, w);
            d->i += w;
        }
    }
    d->i++;
    s.p = gmf_buf_detach(&b, &len);
    s.n = len;
    return s;
}

/* The JSON kind name go uses in UnmarshalTypeError. */
static const char *kind_name(char c)
{
    switch (c) {
    case '{':
        return "object";
    case '[':
        return "array";
    case '"':
        return "string";
    case 't':
    case 'f':
        return "bool";
    default:
        return "number";
    }
}

/* Field matching (decode.go object + fold.go): exact, else ASCII case-insensitive, where
 * the key may also spell s/S as U+017F and k/K as U+212A. */
static bool fold_equal(const char *name, const struct str *key)
{
    const unsigned char *t = (const unsigned char *)key->p;
    size_t tn = key->n, j = 0;

    for (const char *p = name; *p; p++) {
        unsigned char sb = (unsigned char)*p;

        if (j >= tn)
            return false;
        if (t[j] < 0x80) {
            if (sb != t[j]) {
                unsigned char up = sb & 0xDF;

                if (up < 'A' || up > 'Z' || up != (t[j] & 0xDF))
                    return false;
            }
            j++;
            continue;
        }
        if ((sb == 's' || sb == 'S') && tn - j >= 2 && t[j] == 0xC5 && t[j + 1] == 0xBF) {
            j += 2;
        } else if ((sb == 'k' || sb == 'K') && tn - j >= 3 && t[j] == 0xE2 && t[j + 1] == 0x84 &&
                   t[j + 2] == 0xAA) {
            j += 3;
        } else {
            return false;
        }
    }
    return j == tn;
}

static int match_field(const char *const *names, size_t count, const struct str *key)
{
    for (size_t k = 0; k < count; k++)
        if (strlen(names[k]) == key->n && memcmp(names[k], key->p, key->n) == 0)
            return (int)k;
    for (size_t k = 0; k < count; k++)
        if (fold_equal(names[k], key))
            return (int)k;
    return -1;
}

/* ---- time -------------------------------------------------------------------------- */

struct gtime {
    int year, month, day, hour, min, sec;
    long nsec;
    long offset; /* seconds east of UTC */
};

static const char time_layout[] = "\"2006-01-02T15:04:05Z07:00\"";

/* time.quote (not strconv.Quote): bytes of non-ASCII or control runes as \xNN. */
static void time_quote(struct gmf_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    (void)gmf_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t w = utf8_decode(u + i, n - i, &r);

        if (r >= 0x80 || r < ' ') {
            for (size_t k = 0; k < w; k++)
                (void)gmf_buf_printf(b, "\\x%02x", u[i + k]);
        } else {
            if (r == '"' || r == '\\')
                (void)gmf_buf_putc(b, '\\');
            (void)gmf_buf_putc(b, (char)r);
        }
        i += w;
    }
    (void)gmf_buf_putc(b, '"');
}

/* time.ParseError text; message NULL means "cannot parse <elem> as <layout elem>". */
static char *time_error(const char *v, size_t n, const char *elem, size_t elem_n, const char *lelem,
                        const char *message)
{
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_puts(&b, "parsing time ");
    time_quote(&b, v, n);
    if (message) {
        (void)gmf_buf_puts(&b, message);
    } else {
        (void)gmf_buf_puts(&b, " as ");
        time_quote(&b, time_layout, sizeof(time_layout) - 1);
        (void)gmf_buf_puts(&b, ": cannot parse ");
        time_quote(&b, elem, elem_n);
        (void)gmf_buf_puts(&b, " as ");
        time_quote(&b, lelem, strlen(lelem));
    }
    return gmf_buf_detach(&b, NULL);
}

static bool dig(const char *v, size_t n, size_t i)
{
    return i < n && v[i] >= '0' && v[i] <= '9';
}

/* time.getnum at v[*p]: one or two digits (exactly two if fixed). */
static bool getnum(const char *v, size_t n, size_t *p, bool fixed, int *ret)
{
    if (!dig(v, n, *p))
        return false;
    if (!dig(v, n, *p + 1)) {
        if (fixed)
            return false;
        *ret = v[*p] - '0';
        *p += 1;
        return true;
    }
    *ret = (v[*p] - '0') * 10 + (v[*p + 1] - '0');
    *p += 2;
    return true;
}

/* time.atoi of a two-byte string: optional sign, then digits only. */
static bool atoi2(const char *s, int *ret)
{
    if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') {
        *ret = (s[0] - '0') * 10 + (s[1] - '0');
        return true;
    }
    if ((s[0] == '+' || s[0] == '-') && s[1] >= '0' && s[1] <= '9') {
        *ret = s[0] == '-' ? -(s[1] - '0') : s[1] - '0';
        return true;
    }
    return false;
}

static int days_in(int month, int year)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        return 29;
    return days[month - 1];
}

/* time.Parse("\"" + RFC3339 + "\"", v): NULL on success, else the (heap) error text. */
static char *parse_time(const char *v, size_t n, struct gtime *t)
{
    size_t p = 0;
    bool utc = false;
    int hr = 0, mm = 0;

    memset(t, 0, sizeof(*t));
#define CANNOT(lelem) return time_error(v, n, v + p, n - p, lelem, NULL)
#define LITERAL(ch, lelem)                                                                         \
    do {                                                                                           \
        if (p >= n || v[p] != (ch))                                                                \
            CANNOT(lelem);                                                                         \
        p++;                                                                                       \
    } while (0)

    LITERAL('"', "\"");
    /* stdLongYear: four bytes, the first a digit, all digits for atoi */
    if (n - p < 4 || !dig(v, n, p))
        CANNOT("2006");
    p += 4;
    if (!dig(v, n, p - 3) || !dig(v, n, p - 2) || !dig(v, n, p - 1))
        CANNOT("2006");
    t->year =
        (v[p - 4] - '0') * 1000 + (v[p - 3] - '0') * 100 + (v[p - 2] - '0') * 10 + (v[p - 1] - '0');
    LITERAL('-', "-");
    if (!getnum(v, n, &p, true, &t->month))
        CANNOT("01");
    if (t->month <= 0 || t->month > 12)
        return time_error(v, n, NULL, 0, NULL, ": month out of range");
    LITERAL('-', "-");
    if (!getnum(v, n, &p, true, &t->day))
        CANNOT("02");
    LITERAL('T', "T");
    if (!getnum(v, n, &p, false, &t->hour))
        CANNOT("15");
    if (t->hour >= 24)
        return time_error(v, n, NULL, 0, NULL, ": hour out of range");
    LITERAL(':', ":");
    if (!getnum(v, n, &p, true, &t->min))
        CANNOT("04");
    if (t->min >= 60)
        return time_error(v, n, NULL, 0, NULL, ": minute out of range");
    LITERAL(':', ":");
    {
        /* stdZeroSecond.  go checks for a fraction even when the seconds failed to parse,
         * and a fraction then clears that error: "03:04:.5Z" is 03:04:00.5. */
        bool ok = getnum(v, n, &p, true, &t->sec);

        if (t->sec >= 60)
            return time_error(v, n, NULL, 0, NULL, ": second out of range");
        if (n - p >= 2 && (v[p] == '.' || v[p] == ',') && dig(v, n, p + 1)) {
            size_t k = p + 1, digits;
            long ns = 0;

            while (dig(v, n, k))
                k++;
            digits = k - p - 1;
            /* parseNanoseconds: at most nine digits count, the rest is ignored */
            for (size_t j = 0; j < 9; j++)
                ns = ns * 10 + (j < digits ? v[p + 1 + j] - '0' : 0);
            t->nsec = ns;
            p = k;
            ok = true;
        }
        if (!ok)
            CANNOT("05");
    }
    /* stdISO8601ColonTZ */
    if (p < n && v[p] == 'Z') {
        p++;
        utc = true;
    } else {
        bool ok = true;
        char sign;

        if (n - p < 6 || v[p + 3] != ':')
            CANNOT("Z07:00");
        sign = v[p];
        ok = atoi2(v + p + 1, &hr);
        if (ok)
            ok = atoi2(v + p + 4, &mm);
        p += 6;
        if (sign != '+' && sign != '-')
            ok = false;
        if (!ok)
            CANNOT("Z07:00");
        t->offset = (long)(hr * 60 + mm) * 60;
        if (sign == '-')
            t->offset = -t->offset;
    }
    LITERAL('"', "\"");
    if (p != n) {
        struct gmf_buf b;
        char *msg, *res;

        gmf_buf_init(&b, GMF_BUF_UNLIMITED);
        (void)gmf_buf_puts(&b, ": extra text: ");
        time_quote(&b, v + p, n - p);
        msg = gmf_buf_detach(&b, NULL);
        res = time_error(v, n, NULL, 0, NULL, msg);
        free(msg);
        return res;
    }
    if (t->day < 1 || t->day > days_in(t->month, t->year))
        return time_error(v, n, NULL, 0, NULL, ": day out of range");
    if (utc)
        t->offset = 0;
    return NULL;
#undef LITERAL
#undef CANNOT
}

/* Time.MarshalJSON body: RFC3339Nano. */
static void format_time(struct gmf_buf *b, const struct gtime *t)
{
    (void)gmf_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month, t->day, t->hour,
                         t->min, t->sec);
    if (t->nsec) {
        char frac[10];
        int k;

        (void)snprintf(frac, sizeof(frac), "%09ld", t->nsec);
        for (k = 8; k > 0 && frac[k] == '0'; k--)
            frac[k] = '\0';
        (void)gmf_buf_printf(b, ".%s", frac);
    }
    if (t->offset == 0) {
        (void)gmf_buf_putc(b, 'Z');
    } else {
        long zone = t->offset / 60;
        char sign = '+';

        if (zone < 0) {
            sign = '-';
            zone = -zone;
        }
        (void)gmf_buf_printf(b, "%c%02ld:%02ld", sign, zone / 60, zone % 60);
    }
}

/* ---- RevInfo ----------------------------------------------------------------------- */

enum { O_VCS, O_URL, O_SUBDIR, O_TAGPREFIX, O_TAGSUM, O_REF, O_HASH, O_REPOSUM, O_COUNT };

static const char *const origin_names[O_COUNT] = {
    "VCS", "URL", "Subdir", "TagPrefix", "TagSum", "Ref", "Hash", "RepoSum",
};

struct origin {
    struct str f[O_COUNT]; /* p == NULL: unset (empty) */
};

struct info {
    struct str version;
    struct gtime time;
    bool has_time;
    struct origin *origin;
};

static void str_free(struct str *s)
{
    free(s->p);
    s->p = NULL;
    s->n = 0;
}

static void origin_free(struct origin *o)
{
    if (!o)
        return;
    for (int k = 0; k < O_COUNT; k++)
        str_free(&o->f[k]);
    free(o);
}

static void info_release(struct info *in)
{
    str_free(&in->version);
    origin_free(in->origin);
    in->origin = NULL;
}

struct decode_err {
    char *saved; /* first UnmarshalTypeError */
    char *fatal; /* an error that stopped decoding (time) */
};

static void type_error(struct decode_err *e, char kind, const char *where, const char *type)
{
    if (!e->saved)
        e->saved = gmf_xasprintf("json: cannot unmarshal %s into %s of type %s", kind_name(kind),
                                 where, type);
}

/* Store a string value into *dst (null leaves it), else a type error. */
static void decode_string_field(struct dec *d, struct str *dst, struct decode_err *e,
                                const char *where)
{
    char c = d->d[d->i];

    if (c == '"') {
        str_free(dst);
        *dst = read_string(d);
        return;
    }
    if (c != 'n')
        type_error(e, c, where, "string");
    skip_value(d);
}

/* Step to the next member of an object already known to be well formed (the scanner ran
 * first).  Returns false at the closing '}' (not consumed); otherwise *ret_k is the index of
 * the key in names (encoding/json's case-insensitive match) or -1, and d is at the value. */
static bool next_member(struct dec *d, const char *const *names, size_t n, int *ret_k)
{
    struct str key;

    skip_ws(d);
    if (d->d[d->i] == '}')
        return false;
    if (d->d[d->i] == ',') {
        d->i++;
        skip_ws(d);
    }
    key = read_string(d);
    skip_ws(d);
    d->i++; /* ':' */
    skip_ws(d);
    *ret_k = match_field(names, n, &key);
    str_free(&key);
    return true;
}

static void decode_origin(struct dec *d, struct origin *o, struct decode_err *e)
{
    d->i++; /* '{' */
    for (;;) {
        int k;

        if (!next_member(d, origin_names, O_COUNT, &k))
            break;
        if (k < 0) {
            skip_value(d);
        } else {
            char where[64];

            (void)snprintf(where, sizeof(where), "Go struct field Origin.Origin.%s",
                           origin_names[k]);
            decode_string_field(d, &o->f[k], e, where);
        }
        skip_ws(d);
    }
    d->i++; /* '}' */
}

/* json.Unmarshal(data, &RevInfo{}) on syntactically valid data. */
static void decode_info(struct dec *d, struct info *in, struct decode_err *e)
{
    static const char *const names[] = {"Version", "Time", "Origin"};
    char c;

    skip_ws(d);
    c = d->d[d->i];
    if (c == 'n')
        return;
    if (c != '{') {
        type_error(e, c, "Go value", "modfetch.RevInfo");
        return;
    }
    d->i++;
    for (;;) {
        int k;

        if (!next_member(d, names, 3, &k))
            break;
        c = d->d[d->i];
        if (k == 0) {
            decode_string_field(d, &in->version, e, "Go struct field RevInfo.Version");
        } else if (k == 1) {
            size_t start = d->i;

            skip_value(d);
            /* Time.UnmarshalJSON gets the raw bytes; only the literal null is ignored. */
            if (c != 'n') {
                e->fatal = parse_time(d->d + start, d->i - start, &in->time);
                if (e->fatal)
                    return;
                in->has_time = true;
            }
        } else if (k == 2) {
            if (c == 'n') {
                origin_free(in->origin);
                in->origin = NULL;
                skip_value(d);
            } else if (c == '{') {
                if (!in->origin)
                    in->origin = gmf_xcalloc(1, sizeof(*in->origin));
                decode_origin(d, in->origin, e);
            } else {
                type_error(e, c, "Go struct field RevInfo.Origin", "codehost.Origin");
                skip_value(d);
            }
        } else {
            skip_value(d);
        }
        skip_ws(d);
    }
}

/* Check and decode; on failure *in is released and the go error is in diag. */
static enum gmf_err parse_info(const char *data, size_t len, struct info *in, struct gmf_diag *diag)
{
    struct dec d = {.d = data, .n = len};
    struct decode_err e = {0};
    enum gmf_err r;

    memset(in, 0, sizeof(*in));
    r = check(data, len, diag);
    if (r)
        return r;
    decode_info(&d, in, &e);
    if (e.fatal || e.saved) {
        r = gmf_diag_set(diag, GMF_EPARSE, "%s", e.fatal ? e.fatal : e.saved);
        info_release(in);
    }
    free(e.fatal);
    free(e.saved);
    return r;
}

static void put_time(struct gmf_buf *out, const struct info *in)
{
    static const struct gtime zero = {.year = 1, .month = 1, .day = 1};

    (void)gmf_buf_putc(out, '"');
    format_time(out, in->has_time ? &in->time : &zero);
    (void)gmf_buf_putc(out, '"');
}

enum gmf_err gmf_json_info_reencode(const char *data, size_t len, char **ret_version,
                                    struct gmf_buf *out, struct gmf_diag *diag)
{
    struct info in;
    struct gmf_buf tmp;
    enum gmf_err r;
    const char *version;

    r = parse_info(data, len, &in, diag);
    if (r)
        return r;
    version = in.version.p ? in.version.p : "";
    if (strlen(version) != in.version.n) {
        struct gmf_buf shown;

        gmf_buf_init(&shown, GMF_BUF_UNLIMITED);
        for (size_t i = 0; i < in.version.n; i++) {
            if (version[i])
                (void)gmf_buf_putc(&shown, version[i]);
            else
                (void)gmf_buf_puts(&shown, "\\x00");
        }
        r = gmf_diag_set(diag, GMF_EPARSE,
                         "proxy returned info for version %s instead of requested version",
                         shown.data);
        gmf_buf_release(&shown);
        goto out;
    }

    gmf_buf_init(&tmp, GMF_BUF_UNLIMITED);
    (void)gmf_buf_puts(&tmp, "{\"Version\":");
    put_string_n(&tmp, version, in.version.n);
    (void)gmf_buf_puts(&tmp, ",\"Time\":");
    put_time(&tmp, &in);
    if (in.origin) {
        /* writeDiskStat: tags never matter for a cached semver version, and Ref does not
         * matter for a pseudo-version. */
        bool pseudo = gmf_semver_is_pseudo(version);
        bool first = true;

        (void)gmf_buf_puts(&tmp, ",\"Origin\":{");
        for (int k = 0; k < O_COUNT; k++) {
            const struct str *f = &in.origin->f[k];

            if (!f->n || k == O_TAGPREFIX || k == O_TAGSUM || (k == O_REF && pseudo))
                continue;
            (void)gmf_buf_printf(&tmp, "%s\"%s\":", first ? "" : ",", origin_names[k]);
            put_string_n(&tmp, f->p, f->n);
            first = false;
        }
        (void)gmf_buf_putc(&tmp, '}');
    }
    (void)gmf_buf_putc(&tmp, '}');
    r = gmf_buf_append(out, tmp.data, tmp.len);
    gmf_buf_release(&tmp);
    if (r) {
        r = gmf_diag_set(diag, GMF_ETOOBIG, "re-encoded .info larger than the output buffer");
        goto out;
    }
    *ret_version = gmf_xstrdup(version);
out:
    info_release(&in);
    return r;
}

/* ---- -json objects ----------------------------------------------------------------- */

void gmf_json_module(struct gmf_buf *out, const struct gmf_json_module *m)
{
    const struct {
        const char *name, *value;
    } fields[] = {
        {"Path", m->path}, {"Version", m->version},   {"Query", m->query}, {"Error", m->error},
        {"Info", m->info}, {"GoMod", m->gomod},       {"Zip", m->zip},     {"Dir", m->dir},
        {"Sum", m->sum},   {"GoModSum", m->gomodsum},
    };
    struct info in = {0};
    bool any = false, have_origin = false;

    if (m->origin_info && parse_info(m->origin_info, m->origin_info_len, &in, NULL) == GMF_OK)
        have_origin = in.origin != NULL;

    (void)gmf_buf_putc(out, '{');
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
        if (!fields[k].value || !*fields[k].value)
            continue;
        (void)gmf_buf_printf(out, "%s\n\t\"%s\": ", any ? "," : "", fields[k].name);
        gmf_json_put_string(out, fields[k].value);
        any = true;
    }
    if (have_origin) {
        bool inner = false;

        (void)gmf_buf_printf(out, "%s\n\t\"Origin\": {", any ? "," : "");
        for (int k = 0; k < O_COUNT; k++) {
            const struct str *f = &in.origin->f[k];

            if (!f->n)
                continue;
            (void)gmf_buf_printf(out, "%s\n\t\t\"%s\": ", inner ? "," : "", origin_names[k]);
            put_string_n(out, f->p, f->n);
            inner = true;
        }
        (void)gmf_buf_puts(out, inner ? "\n\t}" : "}");
        any = true;
    }
    (void)gmf_buf_puts(out, any ? "\n}\n" : "}\n");
    info_release(&in);
}
