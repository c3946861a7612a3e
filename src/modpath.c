/* modpath: module path and version rules of golang.org/x/mod/module and .../semver.
 *
 * Everything here mirrors Go's module.go, semver.go, pseudo.go and path/match.go rule for
 * rule, including the order in which checks run, because the first failing check decides
 * the message go prints and callers compare those messages with go's.  Checks build their
 * reason as a heap string (NULL = ok) and the exported wrappers add the
 * `malformed <kind> path "<path>": ` frame, as module.InvalidPathError does.
 *
 * Go strings are byte strings that are iterated as UTF-8 runes, with invalid bytes decoding
 * to U+FFFD one byte at a time; gmf_modpath_decode_rune() reproduces utf8.DecodeRune so that ranges,
 * quoting and character classes see the same runes go sees.  The Unicode letter and
 * printable tables at the end of the file come from Go 1.19 (Unicode 13), the go this
 * project is checked against; tests/tools/gen_unicode_tables.go regenerates them.
 */
#include "gmfetch/modpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/buf.h"
#include "gmfetch/xalloc.h"

/* The kinds of path module.checkPath distinguishes. */
enum path_kind {
    KIND_MODULE,
    KIND_IMPORT,
    KIND_FILE,
};

struct urange {
    uint32_t lo, hi;
};

#define RUNE_ERROR 0xFFFDu
#define MAX_RUNE 0x10FFFFu

/* ---- UTF-8 and quoting (unicode/utf8, strconv) ---- */

size_t gmf_modpath_decode_rune(const char *s, size_t n, uint32_t *ret_rune)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t r;
    size_t w, i;

    if (n == 0) {
        *ret_rune = RUNE_ERROR;
        return 0;
    }
    if (p[0] < 0x80) {
        *ret_rune = p[0];
        return 1;
    }
    /* Lead byte ranges and the tighter second-byte ranges are those of utf8.DecodeRune,
     * which rejects overlong forms, surrogates and values above U+10FFFF. */
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        w = 2;
        r = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        w = 3;
        r = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        w = 4;
        r = p[0] & 0x07u;
    } else {
        goto bad;
    }
    if (n < w)
        goto bad;
    {
        unsigned char lo = 0x80, hi = 0xBF;

        if (p[0] == 0xE0)
            lo = 0xA0;
        else if (p[0] == 0xED)
            hi = 0x9F;
        else if (p[0] == 0xF0)
            lo = 0x90;
        else if (p[0] == 0xF4)
            hi = 0x8F;
        if (p[1] < lo || p[1] > hi)
            goto bad;
    }
    for (i = 1; i < w; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            goto bad;
        r = (r << 6) | (p[i] & 0x3Fu);
    }
    *ret_rune = r;
    return w;
bad:
    *ret_rune = RUNE_ERROR;
    return 1;
}

static bool utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t r;

    while (i < n) {
        size_t w = gmf_modpath_decode_rune(s + i, n - i, &r);

        if (r == RUNE_ERROR && w == 1)
            return false;
        i += w;
    }
    return true;
}

static void append_utf8(struct gmf_buf *b, uint32_t r)
{
    char tmp[4];
    size_t n;

    if (r < 0x80) {
        tmp[0] = (char)r;
        n = 1;
    } else if (r < 0x800) {
        tmp[0] = (char)(0xC0 | (r >> 6));
        tmp[1] = (char)(0x80 | (r & 0x3F));
        n = 2;
    } else if (r < 0x10000) {
        tmp[0] = (char)(0xE0 | (r >> 12));
        tmp[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (r & 0x3F));
        n = 3;
    } else {
        tmp[0] = (char)(0xF0 | (r >> 18));
        tmp[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((r >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (r & 0x3F));
        n = 4;
    }
    (void)gmf_buf_append(b, tmp, n);
}

/* strconv.appendEscapedRune: the body of one quoted rune. */
static void append_escaped_rune(struct gmf_buf *b, uint32_t r, char quote)
{
    static const char hex[] = "0123456789abcdef";

    if (r == (unsigned char)quote || r == '\\') {
        (void)gmf_buf_putc(b, '\\');
        (void)gmf_buf_putc(b, (char)r);
        return;
    }
    if (gmf_modpath_is_print(r)) {
        append_utf8(b, r);
        return;
    }
    switch (r) {
    case '\a': (void)gmf_buf_puts(b, "\\a"); return;
    case '\b': (void)gmf_buf_puts(b, "\\b"); return;
    case '\f': (void)gmf_buf_puts(b, "\\f"); return;
    case '\n': (void)gmf_buf_puts(b, "\\n"); return;
    case '\r': (void)gmf_buf_puts(b, "\\r"); return;
    case '\t': (void)gmf_buf_puts(b, "\\t"); return;
    case '\v': (void)gmf_buf_puts(b, "\\v"); return;
    default: break;
    }
    if (r < ' ' || r == 0x7F) {
        (void)gmf_buf_printf(b, "\\x%c%c", hex[r >> 4], hex[r & 0xF]);
    } else if (r > MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF)) {
        (void)gmf_buf_puts(b, "\\ufffd");
    } else if (r < 0x10000) {
        (void)gmf_buf_printf(b, "\\u%04x", (unsigned)r);
    } else {
        (void)gmf_buf_printf(b, "\\U%08x", (unsigned)r);
    }
}

char *gmf_modpath_quote(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    struct gmf_buf b;
    size_t i = 0;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_putc(&b, '"');
    while (i < n) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(s + i, n - i, &r);

        if (w == 1 && r == RUNE_ERROR) {
            unsigned char c = (unsigned char)s[i];

            (void)gmf_buf_printf(&b, "\\x%c%c", hex[c >> 4], hex[c & 0xF]);
        } else {
            append_escaped_rune(&b, r, '"');
        }
        i += w;
    }
    (void)gmf_buf_putc(&b, '"');
    return gmf_buf_detach(&b, NULL);
}

char *gmf_modpath_quote_rune(uint32_t r)
{
    struct gmf_buf b;

    /* strconv.QuoteRune maps runes that cannot be encoded to U+FFFD first. */
    if (r > MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF))
        r = RUNE_ERROR;
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_putc(&b, '\'');
    append_escaped_rune(&b, r, '\'');
    (void)gmf_buf_putc(&b, '\'');
    return gmf_buf_detach(&b, NULL);
}

/* Shorthand for the common "quote a C string" case in messages. */
static char *quote_str(const char *s)
{
    return gmf_modpath_quote(s, strlen(s));
}

/* ---- path checks (module.go) ---- */

static bool first_path_ok(uint32_t r)
{
    return r == '-' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z');
}

static bool mod_path_ok(uint32_t r)
{
    return r == '-' || r == '.' || r == '_' || r == '~' || (r >= '0' && r <= '9') ||
           (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z');
}

static bool import_path_ok(uint32_t r)
{
    return mod_path_ok(r) || r == '+';
}

static bool file_name_ok(uint32_t r)
{
    /* All ASCII punctuation except " ' * < > ? ` | / \ and :, which shells or file systems
     * treat specially; space is allowed. */
    if (r < 0x80) {
        if ((r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z'))
            return true;
        return r != 0 && strchr("!#$%&()+,-.=@[]^_{}~ ", (int)r) != NULL;
    }
    return gmf_modpath_is_letter(r);
}

/* Windows reserves these names, with any extension, in any letter case.  The comparison in
 * go is strings.EqualFold; no non-ASCII rune folds to a letter used here, so ASCII case
 * folding gives the same answer. */
static const char *const bad_windows_names[] = {
    "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

static bool ascii_equal_fold(const char *a, size_t an, const char *b)
{
    size_t i;

    if (an != strlen(b))
        return false;
    for (i = 0; i < an; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

        if (x >= 'a' && x <= 'z')
            x = (unsigned char)(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z')
            y = (unsigned char)(y - 'a' + 'A');
        if (x != y)
            return false;
    }
    return true;
}

/* module.checkElem.  Returns NULL or a heap reason. */
static char *check_elem(const char *elem, size_t n, enum path_kind kind)
{
    size_t i, dots = 0, short_len;
    const char *dot;

    if (n == 0)
        return gmf_xstrdup("empty path element");
    for (i = 0; i < n; i++)
        dots += elem[i] == '.';
    if (dots == n) {
        char *q = gmf_modpath_quote(elem, n);
        char *msg = gmf_xasprintf("invalid path element %s", q);

        free(q);
        return msg;
    }
    if (elem[0] == '.' && kind == KIND_MODULE)
        return gmf_xstrdup("leading dot in path element");
    if (elem[n - 1] == '.')
        return gmf_xstrdup("trailing dot in path element");
    for (i = 0; i < n;) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(elem + i, n - i, &r);
        bool ok;

        switch (kind) {
        case KIND_MODULE: ok = mod_path_ok(r); break;
        case KIND_IMPORT: ok = import_path_ok(r); break;
        default: ok = file_name_ok(r); break;
        }
        if (!ok) {
            char *q = gmf_modpath_quote_rune(r);
            char *msg = gmf_xasprintf("invalid char %s", q);

            free(q);
            return msg;
        }
        i += w;
    }

    dot = memchr(elem, '.', n);
    short_len = dot ? (size_t)(dot - elem) : n;
    for (i = 0; i < sizeof(bad_windows_names) / sizeof(bad_windows_names[0]); i++) {
        if (ascii_equal_fold(elem, short_len, bad_windows_names[i])) {
            char *q = gmf_modpath_quote(elem, short_len);
            char *msg = gmf_xasprintf("%s disallowed as path element component on Windows", q);

            free(q);
            return msg;
        }
    }

    /* Windows short names (PROGRA~1) only matter for import and module paths. */
    if (kind == KIND_FILE)
        return NULL;
    for (i = short_len; i > 0; i--) {
        if (elem[i - 1] == '~')
            break;
    }
    if (i > 0 && i < short_len) {
        size_t j;

        for (j = i; j < short_len; j++) {
            if (elem[j] < '0' || elem[j] > '9')
                break;
        }
        if (j == short_len)
            return gmf_xstrdup("trailing tilde and digits in path element");
    }
    return NULL;
}

/* module.checkPath.  Returns NULL or a heap reason. */
static char *check_path(const char *path, enum path_kind kind)
{
    size_t n = strlen(path), i, start = 0;

    if (!utf8_valid(path, n))
        return gmf_xstrdup("invalid UTF-8");
    if (n == 0)
        return gmf_xstrdup("empty string");
    if (path[0] == '-' && kind != KIND_FILE)
        return gmf_xstrdup("leading dash");
    if (strstr(path, "//"))
        return gmf_xstrdup("double slash");
    if (path[n - 1] == '/')
        return gmf_xstrdup("trailing slash");
    for (i = 0; i <= n; i++) {
        if (i == n || path[i] == '/') {
            char *why = check_elem(path + start, i - start, kind);

            if (why)
                return why;
            start = i + 1;
        }
    }
    return NULL;
}

static enum gmf_err path_error(struct gmf_diag *diag, const char *kind, const char *path,
                               char *why)
{
    char *q = quote_str(path);

    (void)gmf_diag_set(diag, GMF_EINVAL, "malformed %s path %s: %s", kind, q, why);
    free(q);
    free(why);
    return GMF_EINVAL;
}

/* The module-path-only rules of module.CheckPath, after checkPath passed. */
static char *check_module_extra(const char *path)
{
    const char *slash = strchr(path, '/');
    size_t first = slash ? (size_t)(slash - path) : strlen(path);
    size_t i;

    if (first == 0)
        return gmf_xstrdup("leading slash");
    if (!memchr(path, '.', first))
        return gmf_xstrdup("missing dot in first path element");
    if (path[0] == '-')
        return gmf_xstrdup("leading dash in first path element");
    /* checkPath already limited the path to ASCII, so bytes are runes here. */
    for (i = 0; i < first; i++) {
        if (!first_path_ok((unsigned char)path[i])) {
            char *q = gmf_modpath_quote_rune((unsigned char)path[i]);
            char *msg = gmf_xasprintf("invalid char %s in first path element", q);

            free(q);
            return msg;
        }
    }
    if (!gmf_modpath_split_version(path, &i))
        return gmf_xstrdup("invalid version");
    return NULL;
}

enum gmf_err gmf_modpath_check(const char *path, struct gmf_diag *diag)
{
    char *why = check_path(path, KIND_MODULE);

    if (!why)
        why = check_module_extra(path);
    if (why)
        return path_error(diag, "module", path, why);
    return GMF_OK;
}

enum gmf_err gmf_modpath_check_import(const char *path, struct gmf_diag *diag)
{
    char *why = check_path(path, KIND_IMPORT);

    if (why)
        return path_error(diag, "import", path, why);
    return GMF_OK;
}

enum gmf_err gmf_modpath_check_file(const char *fpath, struct gmf_diag *diag)
{
    char *why = check_path(fpath, KIND_FILE);

    if (why)
        return path_error(diag, "file", fpath, why);
    return GMF_OK;
}

/* ---- semver (semver.go) ---- */

/* Offsets into the version string; short is the ".0.0" or ".0" a shorthand lacks. */
struct semver {
    size_t major_off, major_len;
    const char *minor;
    size_t minor_len;
    const char *patch;
    size_t patch_len;
    const char *short_fill;
    const char *pre; /* includes the leading '-'; NULL when absent */
    size_t pre_len;
    const char *build; /* includes the leading '+'; NULL when absent */
    size_t build_len;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
}

/* A numeric identifier with a leading zero, which semver forbids in prereleases. */
static bool is_bad_num(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && is_digit(s[i]))
        i++;
    return i == n && i > 1 && s[0] == '0';
}

static bool is_num(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && is_digit(s[i]))
        i++;
    return i == n;
}

/* semver.parseInt: digits without a leading zero.  Returns the length, 0 if none. */
static size_t parse_int(const char *s)
{
    size_t i = 0;

    if (!is_digit(s[0]))
        return 0;
    while (is_digit(s[i]))
        i++;
    if (s[0] == '0' && i != 1)
        return 0;
    return i;
}

static size_t parse_prerelease(const char *s)
{
    size_t i = 1, start = 1;

    if (s[0] != '-')
        return 0;
    for (; s[i] && s[i] != '+'; i++) {
        if (!is_ident_char(s[i]) && s[i] != '.')
            return 0;
        if (s[i] == '.') {
            if (start == i || is_bad_num(s + start, i - start))
                return 0;
            start = i + 1;
        }
    }
    if (start == i || is_bad_num(s + start, i - start))
        return 0;
    return i;
}

static size_t parse_build(const char *s)
{
    size_t i = 1, start = 1;

    if (s[0] != '+')
        return 0;
    for (; s[i]; i++) {
        if (!is_ident_char(s[i]) && s[i] != '.')
            return 0;
        if (s[i] == '.') {
            if (start == i)
                return 0;
            start = i + 1;
        }
    }
    if (start == i)
        return 0;
    return i;
}

static bool semver_parse(const char *v, struct semver *p)
{
    const char *s;
    size_t n;

    memset(p, 0, sizeof(*p));
    if (!v || v[0] != 'v')
        return false;
    n = parse_int(v + 1);
    if (!n)
        return false;
    p->major_off = 1;
    p->major_len = n;
    s = v + 1 + n;
    if (*s == '\0') {
        p->minor = "0";
        p->minor_len = 1;
        p->patch = "0";
        p->patch_len = 1;
        p->short_fill = ".0.0";
        return true;
    }
    if (*s != '.')
        return false;
    n = parse_int(s + 1);
    if (!n)
        return false;
    p->minor = s + 1;
    p->minor_len = n;
    s += 1 + n;
    if (*s == '\0') {
        p->patch = "0";
        p->patch_len = 1;
        p->short_fill = ".0";
        return true;
    }
    if (*s != '.')
        return false;
    n = parse_int(s + 1);
    if (!n)
        return false;
    p->patch = s + 1;
    p->patch_len = n;
    s += 1 + n;
    if (*s == '-') {
        n = parse_prerelease(s);
        if (!n)
            return false;
        p->pre = s;
        p->pre_len = n;
        s += n;
    }
    if (*s == '+') {
        n = parse_build(s);
        if (!n)
            return false;
        p->build = s;
        p->build_len = n;
        s += n;
    }
    return *s == '\0';
}

bool gmf_semver_is_valid(const char *v)
{
    struct semver p;

    return semver_parse(v, &p);
}

char *gmf_semver_canonical(const char *v)
{
    struct semver p;
    size_t n;

    if (!semver_parse(v, &p))
        return NULL;
    n = strlen(v);
    if (p.build) {
        /* module.CanonicalVersion keeps "+incompatible"; all other build metadata goes. */
        if (p.build_len == strlen("+incompatible") &&
            !memcmp(p.build, "+incompatible", p.build_len))
            return gmf_xstrdup(v);
        return gmf_xstrndup(v, n - p.build_len);
    }
    if (p.short_fill)
        return gmf_xasprintf("%s%s", v, p.short_fill);
    return gmf_xstrdup(v);
}

static int compare_int(const char *x, size_t xn, const char *y, size_t yn)
{
    int c;

    if (xn != yn)
        return xn < yn ? -1 : 1;
    c = memcmp(x, y, xn);
    return c < 0 ? -1 : c > 0;
}

/* Byte-wise string comparison as Go's < on strings. */
static int compare_bytes(const char *x, size_t xn, const char *y, size_t yn)
{
    int c = memcmp(x, y, xn < yn ? xn : yn);

    if (c)
        return c < 0 ? -1 : 1;
    if (xn != yn)
        return xn < yn ? -1 : 1;
    return 0;
}

static int compare_prerelease(const char *x, size_t xn, const char *y, size_t yn)
{
    if (xn == yn && (xn == 0 || !memcmp(x, y, xn)))
        return 0;
    if (xn == 0)
        return 1;
    if (yn == 0)
        return -1;
    while (xn && yn) {
        size_t dxn = 0, dyn = 0;
        const char *dx, *dy;

        /* Skip the '-' or '.' in front of each identifier. */
        x++, xn--;
        y++, yn--;
        dx = x;
        while (dxn < xn && x[dxn] != '.')
            dxn++;
        dy = y;
        while (dyn < yn && y[dyn] != '.')
            dyn++;
        x += dxn, xn -= dxn;
        y += dyn, yn -= dyn;
        if (dxn != dyn || memcmp(dx, dy, dxn)) {
            bool ix = is_num(dx, dxn), iy = is_num(dy, dyn);

            if (ix != iy)
                return ix ? -1 : 1;
            if (ix && dxn != dyn)
                return dxn < dyn ? -1 : 1;
            return compare_bytes(dx, dxn, dy, dyn);
        }
    }
    return xn == 0 ? -1 : 1;
}

int gmf_semver_compare(const char *a, const char *b)
{
    struct semver pa, pb;
    bool oka = semver_parse(a, &pa), okb = semver_parse(b, &pb);
    int c;

    if (!oka && !okb)
        return 0;
    if (!oka)
        return -1;
    if (!okb)
        return 1;
    c = compare_int(a + pa.major_off, pa.major_len, b + pb.major_off, pb.major_len);
    if (!c)
        c = compare_int(pa.minor, pa.minor_len, pb.minor, pb.minor_len);
    if (!c)
        c = compare_int(pa.patch, pa.patch_len, pb.patch, pb.patch_len);
    if (!c)
        c = compare_prerelease(pa.pre, pa.pre_len, pb.pre, pb.pre_len);
    return c;
}

/* The tail of pseudoVersionRE: \d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$ */
static bool pseudo_tail(const char *s)
{
    size_t i;

    for (i = 0; i < 14; i++) {
        if (!is_digit(s[i]))
            return false;
    }
    s += 14;
    if (*s++ != '-')
        return false;
    i = 0;
    while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]))
        i++;
    if (i == 0)
        return false;
    s += i;
    if (*s == '\0')
        return true;
    return parse_build(s) == strlen(s);
}

/* Skip one or more ASCII digits; NULL if there are none. */
static const char *skip_digits(const char *s)
{
    if (!is_digit(*s))
        return NULL;
    while (is_digit(*s))
        s++;
    return s;
}

bool gmf_semver_is_pseudo(const char *v)
{
    const char *s, *r, *t;
    size_t dashes = 0;

    if (!v)
        return false;
    for (s = v; *s; s++)
        dashes += *s == '-';
    if (dashes < 2 || !gmf_semver_is_valid(v))
        return false;
    /* ^v[0-9]+\. then either "0.0-" tail (form 1) or \d+\.\d+-([^+]*\.)?0\. tail. */
    s = skip_digits(v + 1);
    if (!s || *s != '.')
        return false;
    s++;
    if (!strncmp(s, "0.0-", 4) && pseudo_tail(s + 4))
        return true;
    if (!(r = skip_digits(s)) || *r != '.' || !(r = skip_digits(r + 1)) || *r != '-')
        return false;
    r++;
    if (!strncmp(r, "0.", 2) && pseudo_tail(r + 2))
        return true;
    /* ([^+]*\.)0\. : any '+'-free run ending in a dot, then "0.". */
    for (t = r; *t && *t != '+'; t++) {
        if (t[0] == '.' && t[1] == '0' && t[2] == '.' && pseudo_tail(t + 3))
            return true;
    }
    return false;
}

/* semver.Major into buf ("" for invalid), for messages. */
static void semver_major(const char *v, char *buf, size_t cap)
{
    struct semver p;
    size_t n;

    buf[0] = '\0';
    if (!semver_parse(v, &p))
        return;
    n = 1 + p.major_len;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, v, n);
    buf[n] = '\0';
}

static bool semver_build_is(const char *v, const char *build)
{
    struct semver p;

    return semver_parse(v, &p) && p.build && p.build_len == strlen(build) &&
           !memcmp(p.build, build, p.build_len);
}

/* ---- path/version correspondence ---- */

static bool split_gopkg_in(const char *path, size_t *ret_prefix_len)
{
    size_t n = strlen(path), i = n;
    static const char unstable[] = "-unstable";
    const size_t ulen = sizeof(unstable) - 1;

    if (n >= ulen && !memcmp(path + n - ulen, unstable, ulen))
        i -= ulen;
    while (i > 0 && is_digit(path[i - 1]))
        i--;
    /* All gopkg.in paths must end in .vN for some N. */
    if (i <= 1 || path[i - 1] != 'v' || path[i - 2] != '.')
        return false;
    /* pathMajor is path[i-2:]; it needs digits, and ".v0" is the only leading-zero form. */
    if (n - (i - 2) <= 2)
        return false;
    if (path[i] == '0' && strcmp(path + i - 2, ".v0") != 0)
        return false;
    *ret_prefix_len = i - 2;
    return true;
}

bool gmf_modpath_split_version(const char *path, size_t *ret_prefix_len)
{
    size_t n = strlen(path), i = n;
    bool dot = false;

    if (!strncmp(path, "gopkg.in/", 9))
        return split_gopkg_in(path, ret_prefix_len);
    while (i > 0 && (is_digit(path[i - 1]) || path[i - 1] == '.')) {
        if (path[i - 1] == '.')
            dot = true;
        i--;
    }
    if (i <= 1 || i == n || path[i - 1] != 'v' || path[i - 2] != '/') {
        *ret_prefix_len = n;
        return true;
    }
    /* pathMajor = path[i-2:], i.e. "/vN...". */
    if (dot || n - (i - 2) <= 2 || path[i] == '0' || !strcmp(path + i - 2, "/v1"))
        return false;
    *ret_prefix_len = i - 2;
    return true;
}

/* module.CheckPathMajor's reason (NULL when version fits pathMajor); a heap string. */
static char *path_major_reason(const char *version, const char *path_major)
{
    static const char unstable[] = "-unstable";
    const size_t ulen = sizeof(unstable) - 1;
    char m[64], want[64];
    size_t pm_len = strlen(path_major);

    if (pm_len >= sizeof(want))
        pm_len = sizeof(want) - 1;
    memcpy(want, path_major, pm_len);
    want[pm_len] = '\0';
    if (!strncmp(want, ".v", 2) && pm_len >= ulen && !memcmp(want + pm_len - ulen, unstable, ulen))
        want[pm_len - ulen] = '\0';
    /* An old go bug made v0.0.0- pseudo-versions for gopkg.in .v1 paths; go accepts them. */
    if (!strncmp(version, "v0.0.0-", 7) && !strcmp(want, ".v1"))
        return NULL;
    semver_major(version, m, sizeof(m));
    if (want[0] == '\0') {
        if (!strcmp(m, "v0") || !strcmp(m, "v1") || semver_build_is(version, "+incompatible"))
            return NULL;
        return gmf_xasprintf("should be v0 or v1, not %s", m);
    }
    if (want[0] == '/' || want[0] == '.') {
        if (!strcmp(m, want + 1))
            return NULL;
        return gmf_xasprintf("should be %s, not %s", want + 1, m);
    }
    return gmf_xasprintf("should be %s, not %s", want, m);
}

enum gmf_err gmf_modpath_check_path_major(const char *version, const char *path_major,
                                          struct gmf_diag *diag)
{
    char *why = path_major_reason(version, path_major);
    char *q;

    if (!why)
        return GMF_OK;
    /* InvalidVersionError: `version "v2.0.0" invalid: should be v1, not v2`. */
    q = quote_str(version);
    (void)gmf_diag_set(diag, GMF_EINVAL, "version %s invalid: %s", q, why);
    free(q);
    free(why);
    return GMF_EINVAL;
}

enum gmf_err gmf_modpath_check_version(const char *path, const char *version,
                                       struct gmf_diag *diag)
{
    size_t prefix_len;
    enum gmf_err r;
    char *why;

    r = gmf_modpath_check(path, diag);
    if (r)
        return r;
    /* A ModuleError wrapping an InvalidVersionError prints as "path@version: invalid
     * version: reason". */
    if (!gmf_semver_is_valid(version))
        return gmf_diag_set(diag, GMF_EINVAL, "%s@%s: invalid version: not a semantic version",
                            path, version);
    /* CheckPath above already ran SplitPathVersion successfully. */
    if (!gmf_modpath_split_version(path, &prefix_len))
        prefix_len = strlen(path);
    why = path_major_reason(version, path + prefix_len);
    if (why) {
        (void)gmf_diag_set(diag, GMF_EINVAL, "%s@%s: invalid version: %s", path, version, why);
        free(why);
        return GMF_EINVAL;
    }
    return GMF_OK;
}

/* ---- escaping (module.EscapePath and friends) ---- */

/* module.escapeString; the input was checked, so '!' and non-ASCII cannot occur. */
static char *escape_string(const char *s)
{
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            (void)gmf_buf_putc(&b, '!');
            (void)gmf_buf_putc(&b, (char)(*s - 'A' + 'a'));
        } else {
            (void)gmf_buf_putc(&b, *s);
        }
    }
    return gmf_buf_detach(&b, NULL);
}

static bool escape_safe(const char *s)
{
    for (; *s; s++) {
        if (*s == '!' || (unsigned char)*s >= 0x80)
            return false;
    }
    return true;
}

enum gmf_err gmf_modpath_escape_path(const char *path, char **ret, struct gmf_diag *diag)
{
    enum gmf_err r = gmf_modpath_check(path, diag);

    if (r)
        return r;
    if (!escape_safe(path))
        return gmf_diag_set(diag, GMF_EINVAL, "internal error: inconsistency in EscapePath");
    *ret = escape_string(path);
    return GMF_OK;
}

enum gmf_err gmf_modpath_escape_version(const char *version, char **ret, struct gmf_diag *diag)
{
    char *why = check_elem(version, strlen(version), KIND_FILE);

    /* Versions need not be semver here (go escapes queries too), but they must be valid
     * file names without '!'. */
    if (why || strchr(version, '!')) {
        char *q = quote_str(version);

        (void)gmf_diag_set(diag, GMF_EINVAL, "version %s invalid: disallowed version string", q);
        free(q);
        free(why);
        return GMF_EINVAL;
    }
    if (!escape_safe(version))
        return gmf_diag_set(diag, GMF_EINVAL, "internal error: inconsistency in EscapePath");
    *ret = escape_string(version);
    return GMF_OK;
}

enum gmf_err gmf_modpath_unescape(const char *escaped, char **ret, struct gmf_diag *diag)
{
    struct gmf_buf b;
    const char *s;
    bool bang = false;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (s = escaped; *s; s++) {
        char c = *s;

        if ((unsigned char)c >= 0x80)
            goto bad;
        if (bang) {
            bang = false;
            if (c < 'a' || c > 'z')
                goto bad;
            (void)gmf_buf_putc(&b, (char)(c - 'a' + 'A'));
            continue;
        }
        if (c == '!') {
            bang = true;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            goto bad;
        (void)gmf_buf_putc(&b, c);
    }
    if (bang)
        goto bad;
    *ret = gmf_buf_detach(&b, NULL);
    return GMF_OK;
bad:
    gmf_buf_release(&b);
    {
        char *q = quote_str(escaped);

        (void)gmf_diag_set(diag, GMF_EINVAL, "invalid escaped string %s", q);
        free(q);
    }
    return GMF_EINVAL;
}

/* ---- path.Match and module.MatchPrefixPatterns ---- */

enum match_result {
    MATCH_NO,
    MATCH_YES,
    MATCH_BAD, /* path.ErrBadPattern */
};

/* path.scanChunk: an optional run of stars, then the chunk up to the next unbracketed star.
 * pattern[*pos..] is consumed; the chunk is [*chunk, *chunk + *chunk_len). */
static bool scan_chunk(const char *pat, size_t n, size_t *pos, const char **chunk,
                       size_t *chunk_len)
{
    bool star = false, inrange = false;
    size_t i = *pos, start;

    while (i < n && pat[i] == '*') {
        i++;
        star = true;
    }
    start = i;
    for (; i < n; i++) {
        if (pat[i] == '\\') {
            /* A trailing backslash is diagnosed by match_chunk. */
            if (i + 1 < n)
                i++;
        } else if (pat[i] == '[') {
            inrange = true;
        } else if (pat[i] == ']') {
            inrange = false;
        } else if (pat[i] == '*' && !inrange) {
            break;
        }
    }
    *chunk = pat + start;
    *chunk_len = i - start;
    *pos = i;
    return star;
}

/* path.getEsc: one possibly escaped character of a class; false for ErrBadPattern. */
static bool get_esc(const char **chunk, size_t *n, uint32_t *ret_r)
{
    const char *c = *chunk;
    size_t len = *n, w;
    uint32_t r;
    bool ok = true;

    if (len == 0 || c[0] == '-' || c[0] == ']')
        return false;
    if (c[0] == '\\') {
        c++, len--;
        if (len == 0)
            return false;
    }
    w = gmf_modpath_decode_rune(c, len, &r);
    if (r == RUNE_ERROR && w == 1)
        ok = false;
    c += w, len -= w;
    if (len == 0)
        ok = false;
    *chunk = c;
    *n = len;
    *ret_r = r;
    return ok;
}

/* path.matchChunk: does the chunk match a prefix of s?  On MATCH_YES, *rest is the
 * remaining offset into s. */
static enum match_result match_chunk(const char *chunk, size_t cn, const char *s, size_t sn,
                                     size_t *rest)
{
    bool failed = false;
    size_t si = 0;

    while (cn > 0) {
        if (!failed && si == sn)
            failed = true;
        if (chunk[0] == '[') {
            uint32_t r = 0, lo, hi;
            bool negated = false, match = false;
            size_t nrange = 0;

            if (!failed)
                si += gmf_modpath_decode_rune(s + si, sn - si, &r);
            chunk++, cn--;
            if (cn > 0 && chunk[0] == '^') {
                negated = true;
                chunk++, cn--;
            }
            for (;;) {
                if (cn > 0 && chunk[0] == ']' && nrange > 0) {
                    chunk++, cn--;
                    break;
                }
                if (!get_esc(&chunk, &cn, &lo))
                    return MATCH_BAD;
                hi = lo;
                if (chunk[0] == '-') {
                    chunk++, cn--;
                    if (!get_esc(&chunk, &cn, &hi))
                        return MATCH_BAD;
                }
                if (lo <= r && r <= hi)
                    match = true;
                nrange++;
            }
            if (match == negated)
                failed = true;
        } else if (chunk[0] == '?') {
            if (!failed) {
                uint32_t r;

                if (s[si] == '/')
                    failed = true;
                si += gmf_modpath_decode_rune(s + si, sn - si, &r);
            }
            chunk++, cn--;
        } else {
            if (chunk[0] == '\\') {
                chunk++, cn--;
                if (cn == 0)
                    return MATCH_BAD;
            }
            if (!failed) {
                if (chunk[0] != s[si])
                    failed = true;
                si++;
            }
            chunk++, cn--;
        }
    }
    if (failed)
        return MATCH_NO;
    *rest = si;
    return MATCH_YES;
}

static enum match_result glob_match(const char *pat, size_t pn, const char *name, size_t nn)
{
    size_t pos = 0;

    while (pos < pn) {
        const char *chunk;
        size_t cn, rest = 0, i;
        bool star = scan_chunk(pat, pn, &pos, &chunk, &cn);
        enum match_result m;

        if (star && cn == 0)
            /* A trailing star matches the rest unless it holds a slash. */
            return memchr(name, '/', nn) ? MATCH_NO : MATCH_YES;
        m = match_chunk(chunk, cn, name, nn, &rest);
        /* As the last chunk it must consume the whole name; else a later star may still. */
        if (m == MATCH_YES && (rest == nn || pos < pn)) {
            name += rest, nn -= rest;
            continue;
        }
        if (m == MATCH_BAD)
            return MATCH_BAD;
        if (star) {
            bool advanced = false;

            /* Let the star eat i+1 bytes, never a slash. */
            for (i = 0; i < nn && name[i] != '/'; i++) {
                m = match_chunk(chunk, cn, name + i + 1, nn - i - 1, &rest);
                if (m == MATCH_YES) {
                    if (pos == pn && rest < nn - i - 1)
                        continue;
                    name += i + 1 + rest;
                    nn -= i + 1 + rest;
                    advanced = true;
                    break;
                }
                if (m == MATCH_BAD)
                    return MATCH_BAD;
            }
            if (advanced)
                continue;
        }
        /* Before answering no, make sure the rest of the pattern is well formed. */
        while (pos < pn) {
            (void)scan_chunk(pat, pn, &pos, &chunk, &cn);
            if (match_chunk(chunk, cn, "", 0, &rest) == MATCH_BAD)
                return MATCH_BAD;
        }
        return MATCH_NO;
    }
    return nn == 0 ? MATCH_YES : MATCH_NO;
}

bool gmf_modpath_glob_match(const char *pattern, const char *name)
{
    return glob_match(pattern, strlen(pattern), name, strlen(name)) == MATCH_YES;
}

bool gmf_modpath_match_patterns(const char *globs, const char *target)
{
    size_t tn = strlen(target);

    while (*globs) {
        const char *comma = strchr(globs, ',');
        size_t gn = comma ? (size_t)(comma - globs) : strlen(globs);
        const char *glob = globs;
        size_t slashes = 0, i, prefix = tn;

        globs += gn + (comma ? 1 : 0);
        /* One trailing slash is ignored, as strings.TrimSuffix(glob, "/") does. */
        if (gn > 0 && glob[gn - 1] == '/')
            gn--;
        if (gn == 0)
            continue;
        /* A glob with N slashes matches the first N+1 elements of target. */
        for (i = 0; i < gn; i++)
            slashes += glob[i] == '/';
        for (i = 0; i < tn; i++) {
            if (target[i] == '/') {
                if (slashes == 0) {
                    prefix = i;
                    break;
                }
                slashes--;
            }
        }
        if (slashes > 0)
            continue;
        if (glob_match(glob, gn, target, prefix) == MATCH_YES)
            return true;
    }
    return false;
}

/* ---- Unicode tables (unicode.IsLetter, unicode.IsPrint) ---- */

/* Generated by tests/tools/gen_unicode_tables.go under go1.19.8 (Unicode 13.0.0). */
static const struct urange letter_ranges[620] = {
    {0xaa, 0xaa}, {0xb5, 0xb5}, {0xba, 0xba}, {0xc0, 0xd6}, {0xd8, 0xf6}, {0xf8, 0x2c1},
    {0x2c6, 0x2d1}, {0x2e0, 0x2e4}, {0x2ec, 0x2ec}, {0x2ee, 0x2ee}, {0x370, 0x374}, {0x376, 0x377},
    {0x37a, 0x37d}, {0x37f, 0x37f}, {0x386, 0x386}, {0x388, 0x38a}, {0x38c, 0x38c}, {0x38e, 0x3a1},
    {0x3a3, 0x3f5}, {0x3f7, 0x481}, {0x48a, 0x52f}, {0x531, 0x556}, {0x559, 0x559}, {0x560, 0x588},
    {0x5d0, 0x5ea}, {0x5ef, 0x5f2}, {0x620, 0x64a}, {0x66e, 0x66f}, {0x671, 0x6d3}, {0x6d5, 0x6d5},
    {0x6e5, 0x6e6}, {0x6ee, 0x6ef}, {0x6fa, 0x6fc}, {0x6ff, 0x6ff}, {0x710, 0x710}, {0x712, 0x72f},
    {0x74d, 0x7a5}, {0x7b1, 0x7b1}, {0x7ca, 0x7ea}, {0x7f4, 0x7f5}, {0x7fa, 0x7fa}, {0x800, 0x815},
    {0x81a, 0x81a}, {0x824, 0x824}, {0x828, 0x828}, {0x840, 0x858}, {0x860, 0x86a}, {0x8a0, 0x8b4},
    {0x8b6, 0x8c7}, {0x904, 0x939}, {0x93d, 0x93d}, {0x950, 0x950}, {0x958, 0x961}, {0x971, 0x980},
    {0x985, 0x98c}, {0x98f, 0x990}, {0x993, 0x9a8}, {0x9aa, 0x9b0}, {0x9b2, 0x9b2}, {0x9b6, 0x9b9},
    {0x9bd, 0x9bd}, {0x9ce, 0x9ce}, {0x9dc, 0x9dd}, {0x9df, 0x9e1}, {0x9f0, 0x9f1}, {0x9fc, 0x9fc},
    {0xa05, 0xa0a}, {0xa0f, 0xa10}, {0xa13, 0xa28}, {0xa2a, 0xa30}, {0xa32, 0xa33}, {0xa35, 0xa36},
    {0xa38, 0xa39}, {0xa59, 0xa5c}, {0xa5e, 0xa5e}, {0xa72, 0xa74}, {0xa85, 0xa8d}, {0xa8f, 0xa91},
    {0xa93, 0xaa8}, {0xaaa, 0xab0}, {0xab2, 0xab3}, {0xab5, 0xab9}, {0xabd, 0xabd}, {0xad0, 0xad0},
    {0xae0, 0xae1}, {0xaf9, 0xaf9}, {0xb05, 0xb0c}, {0xb0f, 0xb10}, {0xb13, 0xb28}, {0xb2a, 0xb30},
    {0xb32, 0xb33}, {0xb35, 0xb39}, {0xb3d, 0xb3d}, {0xb5c, 0xb5d}, {0xb5f, 0xb61}, {0xb71, 0xb71},
    {0xb83, 0xb83}, {0xb85, 0xb8a}, {0xb8e, 0xb90}, {0xb92, 0xb95}, {0xb99, 0xb9a}, {0xb9c, 0xb9c},
    {0xb9e, 0xb9f}, {0xba3, 0xba4}, {0xba8, 0xbaa}, {0xbae, 0xbb9}, {0xbd0, 0xbd0}, {0xc05, 0xc0c},
    {0xc0e, 0xc10}, {0xc12, 0xc28}, {0xc2a, 0xc39}, {0xc3d, 0xc3d}, {0xc58, 0xc5a}, {0xc60, 0xc61},
    {0xc80, 0xc80}, {0xc85, 0xc8c}, {0xc8e, 0xc90}, {0xc92, 0xca8}, {0xcaa, 0xcb3}, {0xcb5, 0xcb9},
    {0xcbd, 0xcbd}, {0xcde, 0xcde}, {0xce0, 0xce1}, {0xcf1, 0xcf2}, {0xd04, 0xd0c}, {0xd0e, 0xd10},
    {0xd12, 0xd3a}, {0xd3d, 0xd3d}, {0xd4e, 0xd4e}, {0xd54, 0xd56}, {0xd5f, 0xd61}, {0xd7a, 0xd7f},
    {0xd85, 0xd96}, {0xd9a, 0xdb1}, {0xdb3, 0xdbb}, {0xdbd, 0xdbd}, {0xdc0, 0xdc6}, {0xe01, 0xe30},
    {0xe32, 0xe33}, {0xe40, 0xe46}, {0xe81, 0xe82}, {0xe84, 0xe84}, {0xe86, 0xe8a}, {0xe8c, 0xea3},
    {0xea5, 0xea5}, {0xea7, 0xeb0}, {0xeb2, 0xeb3}, {0xebd, 0xebd}, {0xec0, 0xec4}, {0xec6, 0xec6},
    {0xedc, 0xedf}, {0xf00, 0xf00}, {0xf40, 0xf47}, {0xf49, 0xf6c}, {0xf88, 0xf8c},
    {0x1000, 0x102a}, {0x103f, 0x103f}, {0x1050, 0x1055}, {0x105a, 0x105d}, {0x1061, 0x1061},
    {0x1065, 0x1066}, {0x106e, 0x1070}, {0x1075, 0x1081}, {0x108e, 0x108e}, {0x10a0, 0x10c5},
    {0x10c7, 0x10c7}, {0x10cd, 0x10cd}, {0x10d0, 0x10fa}, {0x10fc, 0x1248}, {0x124a, 0x124d},
    {0x1250, 0x1256}, {0x1258, 0x1258}, {0x125a, 0x125d}, {0x1260, 0x1288}, {0x128a, 0x128d},
    {0x1290, 0x12b0}, {0x12b2, 0x12b5}, {0x12b8, 0x12be}, {0x12c0, 0x12c0}, {0x12c2, 0x12c5},
    {0x12c8, 0x12d6}, {0x12d8, 0x1310}, {0x1312, 0x1315}, {0x1318, 0x135a}, {0x1380, 0x138f},
    {0x13a0, 0x13f5}, {0x13f8, 0x13fd}, {0x1401, 0x166c}, {0x166f, 0x167f}, {0x1681, 0x169a},
    {0x16a0, 0x16ea}, {0x16f1, 0x16f8}, {0x1700, 0x170c}, {0x170e, 0x1711}, {0x1720, 0x1731},
    {0x1740, 0x1751}, {0x1760, 0x176c}, {0x176e, 0x1770}, {0x1780, 0x17b3}, {0x17d7, 0x17d7},
    {0x17dc, 0x17dc}, {0x1820, 0x1878}, {0x1880, 0x1884}, {0x1887, 0x18a8}, {0x18aa, 0x18aa},
    {0x18b0, 0x18f5}, {0x1900, 0x191e}, {0x1950, 0x196d}, {0x1970, 0x1974}, {0x1980, 0x19ab},
    {0x19b0, 0x19c9}, {0x1a00, 0x1a16}, {0x1a20, 0x1a54}, {0x1aa7, 0x1aa7}, {0x1b05, 0x1b33},
    {0x1b45, 0x1b4b}, {0x1b83, 0x1ba0}, {0x1bae, 0x1baf}, {0x1bba, 0x1be5}, {0x1c00, 0x1c23},
    {0x1c4d, 0x1c4f}, {0x1c5a, 0x1c7d}, {0x1c80, 0x1c88}, {0x1c90, 0x1cba}, {0x1cbd, 0x1cbf},
    {0x1ce9, 0x1cec}, {0x1cee, 0x1cf3}, {0x1cf5, 0x1cf6}, {0x1cfa, 0x1cfa}, {0x1d00, 0x1dbf},
    {0x1e00, 0x1f15}, {0x1f18, 0x1f1d}, {0x1f20, 0x1f45}, {0x1f48, 0x1f4d}, {0x1f50, 0x1f57},
    {0x1f59, 0x1f59}, {0x1f5b, 0x1f5b}, {0x1f5d, 0x1f5d}, {0x1f5f, 0x1f7d}, {0x1f80, 0x1fb4},
    {0x1fb6, 0x1fbc}, {0x1fbe, 0x1fbe}, {0x1fc2, 0x1fc4}, {0x1fc6, 0x1fcc}, {0x1fd0, 0x1fd3},
    {0x1fd6, 0x1fdb}, {0x1fe0, 0x1fec}, {0x1ff2, 0x1ff4}, {0x1ff6, 0x1ffc}, {0x2071, 0x2071},
    {0x207f, 0x207f}, {0x2090, 0x209c}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210a, 0x2113},
    {0x2115, 0x2115}, {0x2119, 0x211d}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128},
    {0x212a, 0x212d}, {0x212f, 0x2139}, {0x213c, 0x213f}, {0x2145, 0x2149}, {0x214e, 0x214e},
    {0x2183, 0x2184}, {0x2c00, 0x2c2e}, {0x2c30, 0x2c5e}, {0x2c60, 0x2ce4}, {0x2ceb, 0x2cee},
    {0x2cf2, 0x2cf3}, {0x2d00, 0x2d25}, {0x2d27, 0x2d27}, {0x2d2d, 0x2d2d}, {0x2d30, 0x2d67},
    {0x2d6f, 0x2d6f}, {0x2d80, 0x2d96}, {0x2da0, 0x2da6}, {0x2da8, 0x2dae}, {0x2db0, 0x2db6},
    {0x2db8, 0x2dbe}, {0x2dc0, 0x2dc6}, {0x2dc8, 0x2dce}, {0x2dd0, 0x2dd6}, {0x2dd8, 0x2dde},
    {0x2e2f, 0x2e2f}, {0x3005, 0x3006}, {0x3031, 0x3035}, {0x303b, 0x303c}, {0x3041, 0x3096},
    {0x309d, 0x309f}, {0x30a1, 0x30fa}, {0x30fc, 0x30ff}, {0x3105, 0x312f}, {0x3131, 0x318e},
    {0x31a0, 0x31bf}, {0x31f0, 0x31ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9ffc}, {0xa000, 0xa48c},
    {0xa4d0, 0xa4fd}, {0xa500, 0xa60c}, {0xa610, 0xa61f}, {0xa62a, 0xa62b}, {0xa640, 0xa66e},
    {0xa67f, 0xa69d}, {0xa6a0, 0xa6e5}, {0xa717, 0xa71f}, {0xa722, 0xa788}, {0xa78b, 0xa7bf},
    {0xa7c2, 0xa7ca}, {0xa7f5, 0xa801}, {0xa803, 0xa805}, {0xa807, 0xa80a}, {0xa80c, 0xa822},
    {0xa840, 0xa873}, {0xa882, 0xa8b3}, {0xa8f2, 0xa8f7}, {0xa8fb, 0xa8fb}, {0xa8fd, 0xa8fe},
    {0xa90a, 0xa925}, {0xa930, 0xa946}, {0xa960, 0xa97c}, {0xa984, 0xa9b2}, {0xa9cf, 0xa9cf},
    {0xa9e0, 0xa9e4}, {0xa9e6, 0xa9ef}, {0xa9fa, 0xa9fe}, {0xaa00, 0xaa28}, {0xaa40, 0xaa42},
    {0xaa44, 0xaa4b}, {0xaa60, 0xaa76}, {0xaa7a, 0xaa7a}, {0xaa7e, 0xaaaf}, {0xaab1, 0xaab1},
    {0xaab5, 0xaab6}, {0xaab9, 0xaabd}, {0xaac0, 0xaac0}, {0xaac2, 0xaac2}, {0xaadb, 0xaadd},
    {0xaae0, 0xaaea}, {0xaaf2, 0xaaf4}, {0xab01, 0xab06}, {0xab09, 0xab0e}, {0xab11, 0xab16},
    {0xab20, 0xab26}, {0xab28, 0xab2e}, {0xab30, 0xab5a}, {0xab5c, 0xab69}, {0xab70, 0xabe2},
    {0xac00, 0xd7a3}, {0xd7b0, 0xd7c6}, {0xd7cb, 0xd7fb}, {0xf900, 0xfa6d}, {0xfa70, 0xfad9},
    {0xfb00, 0xfb06}, {0xfb13, 0xfb17}, {0xfb1d, 0xfb1d}, {0xfb1f, 0xfb28}, {0xfb2a, 0xfb36},
    {0xfb38, 0xfb3c}, {0xfb3e, 0xfb3e}, {0xfb40, 0xfb41}, {0xfb43, 0xfb44}, {0xfb46, 0xfbb1},
    {0xfbd3, 0xfd3d}, {0xfd50, 0xfd8f}, {0xfd92, 0xfdc7}, {0xfdf0, 0xfdfb}, {0xfe70, 0xfe74},
    {0xfe76, 0xfefc}, {0xff21, 0xff3a}, {0xff41, 0xff5a}, {0xff66, 0xffbe}, {0xffc2, 0xffc7},
    {0xffca, 0xffcf}, {0xffd2, 0xffd7}, {0xffda, 0xffdc}, {0x10000, 0x1000b}, {0x1000d, 0x10026},
    {0x10028, 0x1003a}, {0x1003c, 0x1003d}, {0x1003f, 0x1004d}, {0x10050, 0x1005d},
    {0x10080, 0x100fa}, {0x10280, 0x1029c}, {0x102a0, 0x102d0}, {0x10300, 0x1031f},
    {0x1032d, 0x10340}, {0x10342, 0x10349}, {0x10350, 0x10375}, {0x10380, 0x1039d},
    {0x103a0, 0x103c3}, {0x103c8, 0x103cf}, {0x10400, 0x1049d}, {0x104b0, 0x104d3},
    {0x104d8, 0x104fb}, {0x10500, 0x10527}, {0x10530, 0x10563}, {0x10600, 0x10736},
    {0x10740, 0x10755}, {0x10760, 0x10767}, {0x10800, 0x10805}, {0x10808, 0x10808},
    {0x1080a, 0x10835}, {0x10837, 0x10838}, {0x1083c, 0x1083c}, {0x1083f, 0x10855},
    {0x10860, 0x10876}, {0x10880, 0x1089e}, {0x108e0, 0x108f2}, {0x108f4, 0x108f5},
    {0x10900, 0x10915}, {0x10920, 0x10939}, {0x10980, 0x109b7}, {0x109be, 0x109bf},
    {0x10a00, 0x10a00}, {0x10a10, 0x10a13}, {0x10a15, 0x10a17}, {0x10a19, 0x10a35},
    {0x10a60, 0x10a7c}, {0x10a80, 0x10a9c}, {0x10ac0, 0x10ac7}, {0x10ac9, 0x10ae4},
    {0x10b00, 0x10b35}, {0x10b40, 0x10b55}, {0x10b60, 0x10b72}, {0x10b80, 0x10b91},
    {0x10c00, 0x10c48}, {0x10c80, 0x10cb2}, {0x10cc0, 0x10cf2}, {0x10d00, 0x10d23},
    {0x10e80, 0x10ea9}, {0x10eb0, 0x10eb1}, {0x10f00, 0x10f1c}, {0x10f27, 0x10f27},
    {0x10f30, 0x10f45}, {0x10fb0, 0x10fc4}, {0x10fe0, 0x10ff6}, {0x11003, 0x11037},
    {0x11083, 0x110af}, {0x110d0, 0x110e8}, {0x11103, 0x11126}, {0x11144, 0x11144},
    {0x11147, 0x11147}, {0x11150, 0x11172}, {0x11176, 0x11176}, {0x11183, 0x111b2},
    {0x111c1, 0x111c4}, {0x111da, 0x111da}, {0x111dc, 0x111dc}, {0x11200, 0x11211},
    {0x11213, 0x1122b}, {0x11280, 0x11286}, {0x11288, 0x11288}, {0x1128a, 0x1128d},
    {0x1128f, 0x1129d}, {0x1129f, 0x112a8}, {0x112b0, 0x112de}, {0x11305, 0x1130c},
    {0x1130f, 0x11310}, {0x11313, 0x11328}, {0x1132a, 0x11330}, {0x11332, 0x11333},
    {0x11335, 0x11339}, {0x1133d, 0x1133d}, {0x11350, 0x11350}, {0x1135d, 0x11361},
    {0x11400, 0x11434}, {0x11447, 0x1144a}, {0x1145f, 0x11461}, {0x11480, 0x114af},
    {0x114c4, 0x114c5}, {0x114c7, 0x114c7}, {0x11580, 0x115ae}, {0x115d8, 0x115db},
    {0x11600, 0x1162f}, {0x11644, 0x11644}, {0x11680, 0x116aa}, {0x116b8, 0x116b8},
    {0x11700, 0x1171a}, {0x11800, 0x1182b}, {0x118a0, 0x118df}, {0x118ff, 0x11906},
    {0x11909, 0x11909}, {0x1190c, 0x11913}, {0x11915, 0x11916}, {0x11918, 0x1192f},
    {0x1193f, 0x1193f}, {0x11941, 0x11941}, {0x119a0, 0x119a7}, {0x119aa, 0x119d0},
    {0x119e1, 0x119e1}, {0x119e3, 0x119e3}, {0x11a00, 0x11a00}, {0x11a0b, 0x11a32},
    {0x11a3a, 0x11a3a}, {0x11a50, 0x11a50}, {0x11a5c, 0x11a89}, {0x11a9d, 0x11a9d},
    {0x11ac0, 0x11af8}, {0x11c00, 0x11c08}, {0x11c0a, 0x11c2e}, {0x11c40, 0x11c40},
    {0x11c72, 0x11c8f}, {0x11d00, 0x11d06}, {0x11d08, 0x11d09}, {0x11d0b, 0x11d30},
    {0x11d46, 0x11d46}, {0x11d60, 0x11d65}, {0x11d67, 0x11d68}, {0x11d6a, 0x11d89},
    {0x11d98, 0x11d98}, {0x11ee0, 0x11ef2}, {0x11fb0, 0x11fb0}, {0x12000, 0x12399},
    {0x12480, 0x12543}, {0x13000, 0x1342e}, {0x14400, 0x14646}, {0x16800, 0x16a38},
    {0x16a40, 0x16a5e}, {0x16ad0, 0x16aed}, {0x16b00, 0x16b2f}, {0x16b40, 0x16b43},
    {0x16b63, 0x16b77}, {0x16b7d, 0x16b8f}, {0x16e40, 0x16e7f}, {0x16f00, 0x16f4a},
    {0x16f50, 0x16f50}, {0x16f93, 0x16f9f}, {0x16fe0, 0x16fe1}, {0x16fe3, 0x16fe3},
    {0x17000, 0x187f7}, {0x18800, 0x18cd5}, {0x18d00, 0x18d08}, {0x1b000, 0x1b11e},
    {0x1b150, 0x1b152}, {0x1b164, 0x1b167}, {0x1b170, 0x1b2fb}, {0x1bc00, 0x1bc6a},
    {0x1bc70, 0x1bc7c}, {0x1bc80, 0x1bc88}, {0x1bc90, 0x1bc99}, {0x1d400, 0x1d454},
    {0x1d456, 0x1d49c}, {0x1d49e, 0x1d49f}, {0x1d4a2, 0x1d4a2}, {0x1d4a5, 0x1d4a6},
    {0x1d4a9, 0x1d4ac}, {0x1d4ae, 0x1d4b9}, {0x1d4bb, 0x1d4bb}, {0x1d4bd, 0x1d4c3},
    {0x1d4c5, 0x1d505}, {0x1d507, 0x1d50a}, {0x1d50d, 0x1d514}, {0x1d516, 0x1d51c},
    {0x1d51e, 0x1d539}, {0x1d53b, 0x1d53e}, {0x1d540, 0x1d544}, {0x1d546, 0x1d546},
    {0x1d54a, 0x1d550}, {0x1d552, 0x1d6a5}, {0x1d6a8, 0x1d6c0}, {0x1d6c2, 0x1d6da},
    {0x1d6dc, 0x1d6fa}, {0x1d6fc, 0x1d714}, {0x1d716, 0x1d734}, {0x1d736, 0x1d74e},
    {0x1d750, 0x1d76e}, {0x1d770, 0x1d788}, {0x1d78a, 0x1d7a8}, {0x1d7aa, 0x1d7c2},
    {0x1d7c4, 0x1d7cb}, {0x1e100, 0x1e12c}, {0x1e137, 0x1e13d}, {0x1e14e, 0x1e14e},
    {0x1e2c0, 0x1e2eb}, {0x1e800, 0x1e8c4}, {0x1e900, 0x1e943}, {0x1e94b, 0x1e94b},
    {0x1ee00, 0x1ee03}, {0x1ee05, 0x1ee1f}, {0x1ee21, 0x1ee22}, {0x1ee24, 0x1ee24},
    {0x1ee27, 0x1ee27}, {0x1ee29, 0x1ee32}, {0x1ee34, 0x1ee37}, {0x1ee39, 0x1ee39},
    {0x1ee3b, 0x1ee3b}, {0x1ee42, 0x1ee42}, {0x1ee47, 0x1ee47}, {0x1ee49, 0x1ee49},
    {0x1ee4b, 0x1ee4b}, {0x1ee4d, 0x1ee4f}, {0x1ee51, 0x1ee52}, {0x1ee54, 0x1ee54},
    {0x1ee57, 0x1ee57}, {0x1ee59, 0x1ee59}, {0x1ee5b, 0x1ee5b}, {0x1ee5d, 0x1ee5d},
    {0x1ee5f, 0x1ee5f}, {0x1ee61, 0x1ee62}, {0x1ee64, 0x1ee64}, {0x1ee67, 0x1ee6a},
    {0x1ee6c, 0x1ee72}, {0x1ee74, 0x1ee77}, {0x1ee79, 0x1ee7c}, {0x1ee7e, 0x1ee7e},
    {0x1ee80, 0x1ee89}, {0x1ee8b, 0x1ee9b}, {0x1eea1, 0x1eea3}, {0x1eea5, 0x1eea9},
    {0x1eeab, 0x1eebb}, {0x20000, 0x2a6dd}, {0x2a700, 0x2b734}, {0x2b740, 0x2b81d},
    {0x2b820, 0x2cea1}, {0x2ceb0, 0x2ebe0}, {0x2f800, 0x2fa1d}, {0x30000, 0x3134a},
};
static const struct urange print_ranges[677] = {
    {0xa1, 0xac}, {0xae, 0x377}, {0x37a, 0x37f}, {0x384, 0x38a}, {0x38c, 0x38c}, {0x38e, 0x3a1},
    {0x3a3, 0x52f}, {0x531, 0x556}, {0x559, 0x58a}, {0x58d, 0x58f}, {0x591, 0x5c7}, {0x5d0, 0x5ea},
    {0x5ef, 0x5f4}, {0x606, 0x61b}, {0x61e, 0x6dc}, {0x6de, 0x70d}, {0x710, 0x74a}, {0x74d, 0x7b1},
    {0x7c0, 0x7fa}, {0x7fd, 0x82d}, {0x830, 0x83e}, {0x840, 0x85b}, {0x85e, 0x85e}, {0x860, 0x86a},
    {0x8a0, 0x8b4}, {0x8b6, 0x8c7}, {0x8d3, 0x8e1}, {0x8e3, 0x983}, {0x985, 0x98c}, {0x98f, 0x990},
    {0x993, 0x9a8}, {0x9aa, 0x9b0}, {0x9b2, 0x9b2}, {0x9b6, 0x9b9}, {0x9bc, 0x9c4}, {0x9c7, 0x9c8},
    {0x9cb, 0x9ce}, {0x9d7, 0x9d7}, {0x9dc, 0x9dd}, {0x9df, 0x9e3}, {0x9e6, 0x9fe}, {0xa01, 0xa03},
    {0xa05, 0xa0a}, {0xa0f, 0xa10}, {0xa13, 0xa28}, {0xa2a, 0xa30}, {0xa32, 0xa33}, {0xa35, 0xa36},
    {0xa38, 0xa39}, {0xa3c, 0xa3c}, {0xa3e, 0xa42}, {0xa47, 0xa48}, {0xa4b, 0xa4d}, {0xa51, 0xa51},
    {0xa59, 0xa5c}, {0xa5e, 0xa5e}, {0xa66, 0xa76}, {0xa81, 0xa83}, {0xa85, 0xa8d}, {0xa8f, 0xa91},
    {0xa93, 0xaa8}, {0xaaa, 0xab0}, {0xab2, 0xab3}, {0xab5, 0xab9}, {0xabc, 0xac5}, {0xac7, 0xac9},
    {0xacb, 0xacd}, {0xad0, 0xad0}, {0xae0, 0xae3}, {0xae6, 0xaf1}, {0xaf9, 0xaff}, {0xb01, 0xb03},
    {0xb05, 0xb0c}, {0xb0f, 0xb10}, {0xb13, 0xb28}, {0xb2a, 0xb30}, {0xb32, 0xb33}, {0xb35, 0xb39},
    {0xb3c, 0xb44}, {0xb47, 0xb48}, {0xb4b, 0xb4d}, {0xb55, 0xb57}, {0xb5c, 0xb5d}, {0xb5f, 0xb63},
    {0xb66, 0xb77}, {0xb82, 0xb83}, {0xb85, 0xb8a}, {0xb8e, 0xb90}, {0xb92, 0xb95}, {0xb99, 0xb9a},
    {0xb9c, 0xb9c}, {0xb9e, 0xb9f}, {0xba3, 0xba4}, {0xba8, 0xbaa}, {0xbae, 0xbb9}, {0xbbe, 0xbc2},
    {0xbc6, 0xbc8}, {0xbca, 0xbcd}, {0xbd0, 0xbd0}, {0xbd7, 0xbd7}, {0xbe6, 0xbfa}, {0xc00, 0xc0c},
    {0xc0e, 0xc10}, {0xc12, 0xc28}, {0xc2a, 0xc39}, {0xc3d, 0xc44}, {0xc46, 0xc48}, {0xc4a, 0xc4d},
    {0xc55, 0xc56}, {0xc58, 0xc5a}, {0xc60, 0xc63}, {0xc66, 0xc6f}, {0xc77, 0xc8c}, {0xc8e, 0xc90},
    {0xc92, 0xca8}, {0xcaa, 0xcb3}, {0xcb5, 0xcb9}, {0xcbc, 0xcc4}, {0xcc6, 0xcc8}, {0xcca, 0xccd},
    {0xcd5, 0xcd6}, {0xcde, 0xcde}, {0xce0, 0xce3}, {0xce6, 0xcef}, {0xcf1, 0xcf2}, {0xd00, 0xd0c},
    {0xd0e, 0xd10}, {0xd12, 0xd44}, {0xd46, 0xd48}, {0xd4a, 0xd4f}, {0xd54, 0xd63}, {0xd66, 0xd7f},
    {0xd81, 0xd83}, {0xd85, 0xd96}, {0xd9a, 0xdb1}, {0xdb3, 0xdbb}, {0xdbd, 0xdbd}, {0xdc0, 0xdc6},
    {0xdca, 0xdca}, {0xdcf, 0xdd4}, {0xdd6, 0xdd6}, {0xdd8, 0xddf}, {0xde6, 0xdef}, {0xdf2, 0xdf4},
    {0xe01, 0xe3a}, {0xe3f, 0xe5b}, {0xe81, 0xe82}, {0xe84, 0xe84}, {0xe86, 0xe8a}, {0xe8c, 0xea3},
    {0xea5, 0xea5}, {0xea7, 0xebd}, {0xec0, 0xec4}, {0xec6, 0xec6}, {0xec8, 0xecd}, {0xed0, 0xed9},
    {0xedc, 0xedf}, {0xf00, 0xf47}, {0xf49, 0xf6c}, {0xf71, 0xf97}, {0xf99, 0xfbc}, {0xfbe, 0xfcc},
    {0xfce, 0xfda}, {0x1000, 0x10c5}, {0x10c7, 0x10c7}, {0x10cd, 0x10cd}, {0x10d0, 0x1248},
    {0x124a, 0x124d}, {0x1250, 0x1256}, {0x1258, 0x1258}, {0x125a, 0x125d}, {0x1260, 0x1288},
    {0x128a, 0x128d}, {0x1290, 0x12b0}, {0x12b2, 0x12b5}, {0x12b8, 0x12be}, {0x12c0, 0x12c0},
    {0x12c2, 0x12c5}, {0x12c8, 0x12d6}, {0x12d8, 0x1310}, {0x1312, 0x1315}, {0x1318, 0x135a},
    {0x135d, 0x137c}, {0x1380, 0x1399}, {0x13a0, 0x13f5}, {0x13f8, 0x13fd}, {0x1400, 0x167f},
    {0x1681, 0x169c}, {0x16a0, 0x16f8}, {0x1700, 0x170c}, {0x170e, 0x1714}, {0x1720, 0x1736},
    {0x1740, 0x1753}, {0x1760, 0x176c}, {0x176e, 0x1770}, {0x1772, 0x1773}, {0x1780, 0x17dd},
    {0x17e0, 0x17e9}, {0x17f0, 0x17f9}, {0x1800, 0x180d}, {0x1810, 0x1819}, {0x1820, 0x1878},
    {0x1880, 0x18aa}, {0x18b0, 0x18f5}, {0x1900, 0x191e}, {0x1920, 0x192b}, {0x1930, 0x193b},
    {0x1940, 0x1940}, {0x1944, 0x196d}, {0x1970, 0x1974}, {0x1980, 0x19ab}, {0x19b0, 0x19c9},
    {0x19d0, 0x19da}, {0x19de, 0x1a1b}, {0x1a1e, 0x1a5e}, {0x1a60, 0x1a7c}, {0x1a7f, 0x1a89},
    {0x1a90, 0x1a99}, {0x1aa0, 0x1aad}, {0x1ab0, 0x1ac0}, {0x1b00, 0x1b4b}, {0x1b50, 0x1b7c},
    {0x1b80, 0x1bf3}, {0x1bfc, 0x1c37}, {0x1c3b, 0x1c49}, {0x1c4d, 0x1c88}, {0x1c90, 0x1cba},
    {0x1cbd, 0x1cc7}, {0x1cd0, 0x1cfa}, {0x1d00, 0x1df9}, {0x1dfb, 0x1f15}, {0x1f18, 0x1f1d},
    {0x1f20, 0x1f45}, {0x1f48, 0x1f4d}, {0x1f50, 0x1f57}, {0x1f59, 0x1f59}, {0x1f5b, 0x1f5b},
    {0x1f5d, 0x1f5d}, {0x1f5f, 0x1f7d}, {0x1f80, 0x1fb4}, {0x1fb6, 0x1fc4}, {0x1fc6, 0x1fd3},
    {0x1fd6, 0x1fdb}, {0x1fdd, 0x1fef}, {0x1ff2, 0x1ff4}, {0x1ff6, 0x1ffe}, {0x2010, 0x2027},
    {0x2030, 0x205e}, {0x2070, 0x2071}, {0x2074, 0x208e}, {0x2090, 0x209c}, {0x20a0, 0x20bf},
    {0x20d0, 0x20f0}, {0x2100, 0x218b}, {0x2190, 0x2426}, {0x2440, 0x244a}, {0x2460, 0x2b73},
    {0x2b76, 0x2b95}, {0x2b97, 0x2c2e}, {0x2c30, 0x2c5e}, {0x2c60, 0x2cf3}, {0x2cf9, 0x2d25},
    {0x2d27, 0x2d27}, {0x2d2d, 0x2d2d}, {0x2d30, 0x2d67}, {0x2d6f, 0x2d70}, {0x2d7f, 0x2d96},
    {0x2da0, 0x2da6}, {0x2da8, 0x2dae}, {0x2db0, 0x2db6}, {0x2db8, 0x2dbe}, {0x2dc0, 0x2dc6},
    {0x2dc8, 0x2dce}, {0x2dd0, 0x2dd6}, {0x2dd8, 0x2dde}, {0x2de0, 0x2e52}, {0x2e80, 0x2e99},
    {0x2e9b, 0x2ef3}, {0x2f00, 0x2fd5}, {0x2ff0, 0x2ffb}, {0x3001, 0x303f}, {0x3041, 0x3096},
    {0x3099, 0x30ff}, {0x3105, 0x312f}, {0x3131, 0x318e}, {0x3190, 0x31e3}, {0x31f0, 0x321e},
    {0x3220, 0x9ffc}, {0xa000, 0xa48c}, {0xa490, 0xa4c6}, {0xa4d0, 0xa62b}, {0xa640, 0xa6f7},
    {0xa700, 0xa7bf}, {0xa7c2, 0xa7ca}, {0xa7f5, 0xa82c}, {0xa830, 0xa839}, {0xa840, 0xa877},
    {0xa880, 0xa8c5}, {0xa8ce, 0xa8d9}, {0xa8e0, 0xa953}, {0xa95f, 0xa97c}, {0xa980, 0xa9cd},
    {0xa9cf, 0xa9d9}, {0xa9de, 0xa9fe}, {0xaa00, 0xaa36}, {0xaa40, 0xaa4d}, {0xaa50, 0xaa59},
    {0xaa5c, 0xaac2}, {0xaadb, 0xaaf6}, {0xab01, 0xab06}, {0xab09, 0xab0e}, {0xab11, 0xab16},
    {0xab20, 0xab26}, {0xab28, 0xab2e}, {0xab30, 0xab6b}, {0xab70, 0xabed}, {0xabf0, 0xabf9},
    {0xac00, 0xd7a3}, {0xd7b0, 0xd7c6}, {0xd7cb, 0xd7fb}, {0xf900, 0xfa6d}, {0xfa70, 0xfad9},
    {0xfb00, 0xfb06}, {0xfb13, 0xfb17}, {0xfb1d, 0xfb36}, {0xfb38, 0xfb3c}, {0xfb3e, 0xfb3e},
    {0xfb40, 0xfb41}, {0xfb43, 0xfb44}, {0xfb46, 0xfbc1}, {0xfbd3, 0xfd3f}, {0xfd50, 0xfd8f},
    {0xfd92, 0xfdc7}, {0xfdf0, 0xfdfd}, {0xfe00, 0xfe19}, {0xfe20, 0xfe52}, {0xfe54, 0xfe66},
    {0xfe68, 0xfe6b}, {0xfe70, 0xfe74}, {0xfe76, 0xfefc}, {0xff01, 0xffbe}, {0xffc2, 0xffc7},
    {0xffca, 0xffcf}, {0xffd2, 0xffd7}, {0xffda, 0xffdc}, {0xffe0, 0xffe6}, {0xffe8, 0xffee},
    {0xfffc, 0xfffd}, {0x10000, 0x1000b}, {0x1000d, 0x10026}, {0x10028, 0x1003a},
    {0x1003c, 0x1003d}, {0x1003f, 0x1004d}, {0x10050, 0x1005d}, {0x10080, 0x100fa},
    {0x10100, 0x10102}, {0x10107, 0x10133}, {0x10137, 0x1018e}, {0x10190, 0x1019c},
    {0x101a0, 0x101a0}, {0x101d0, 0x101fd}, {0x10280, 0x1029c}, {0x102a0, 0x102d0},
    {0x102e0, 0x102fb}, {0x10300, 0x10323}, {0x1032d, 0x1034a}, {0x10350, 0x1037a},
    {0x10380, 0x1039d}, {0x1039f, 0x103c3}, {0x103c8, 0x103d5}, {0x10400, 0x1049d},
    {0x104a0, 0x104a9}, {0x104b0, 0x104d3}, {0x104d8, 0x104fb}, {0x10500, 0x10527},
    {0x10530, 0x10563}, {0x1056f, 0x1056f}, {0x10600, 0x10736}, {0x10740, 0x10755},
    {0x10760, 0x10767}, {0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080a, 0x10835},
    {0x10837, 0x10838}, {0x1083c, 0x1083c}, {0x1083f, 0x10855}, {0x10857, 0x1089e},
    {0x108a7, 0x108af}, {0x108e0, 0x108f2}, {0x108f4, 0x108f5}, {0x108fb, 0x1091b},
    {0x1091f, 0x10939}, {0x1093f, 0x1093f}, {0x10980, 0x109b7}, {0x109bc, 0x109cf},
    {0x109d2, 0x10a03}, {0x10a05, 0x10a06}, {0x10a0c, 0x10a13}, {0x10a15, 0x10a17},
    {0x10a19, 0x10a35}, {0x10a38, 0x10a3a}, {0x10a3f, 0x10a48}, {0x10a50, 0x10a58},
    {0x10a60, 0x10a9f}, {0x10ac0, 0x10ae6}, {0x10aeb, 0x10af6}, {0x10b00, 0x10b35},
    {0x10b39, 0x10b55}, {0x10b58, 0x10b72}, {0x10b78, 0x10b91}, {0x10b99, 0x10b9c},
    {0x10ba9, 0x10baf}, {0x10c00, 0x10c48}, {0x10c80, 0x10cb2}, {0x10cc0, 0x10cf2},
    {0x10cfa, 0x10d27}, {0x10d30, 0x10d39}, {0x10e60, 0x10e7e}, {0x10e80, 0x10ea9},
    {0x10eab, 0x10ead}, {0x10eb0, 0x10eb1}, {0x10f00, 0x10f27}, {0x10f30, 0x10f59},
    {0x10fb0, 0x10fcb}, {0x10fe0, 0x10ff6}, {0x11000, 0x1104d}, {0x11052, 0x1106f},
    {0x1107f, 0x110bc}, {0x110be, 0x110c1}, {0x110d0, 0x110e8}, {0x110f0, 0x110f9},
    {0x11100, 0x11134}, {0x11136, 0x11147}, {0x11150, 0x11176}, {0x11180, 0x111df},
    {0x111e1, 0x111f4}, {0x11200, 0x11211}, {0x11213, 0x1123e}, {0x11280, 0x11286},
    {0x11288, 0x11288}, {0x1128a, 0x1128d}, {0x1128f, 0x1129d}, {0x1129f, 0x112a9},
    {0x112b0, 0x112ea}, {0x112f0, 0x112f9}, {0x11300, 0x11303}, {0x11305, 0x1130c},
    {0x1130f, 0x11310}, {0x11313, 0x11328}, {0x1132a, 0x11330}, {0x11332, 0x11333},
    {0x11335, 0x11339}, {0x1133b, 0x11344}, {0x11347, 0x11348}, {0x1134b, 0x1134d},
    {0x11350, 0x11350}, {0x11357, 0x11357}, {0x1135d, 0x11363}, {0x11366, 0x1136c},
    {0x11370, 0x11374}, {0x11400, 0x1145b}, {0x1145d, 0x11461}, {0x11480, 0x114c7},
    {0x114d0, 0x114d9}, {0x11580, 0x115b5}, {0x115b8, 0x115dd}, {0x11600, 0x11644},
    {0x11650, 0x11659}, {0x11660, 0x1166c}, {0x11680, 0x116b8}, {0x116c0, 0x116c9},
    {0x11700, 0x1171a}, {0x1171d, 0x1172b}, {0x11730, 0x1173f}, {0x11800, 0x1183b},
    {0x118a0, 0x118f2}, {0x118ff, 0x11906}, {0x11909, 0x11909}, {0x1190c, 0x11913},
    {0x11915, 0x11916}, {0x11918, 0x11935}, {0x11937, 0x11938}, {0x1193b, 0x11946},
    {0x11950, 0x11959}, {0x119a0, 0x119a7}, {0x119aa, 0x119d7}, {0x119da, 0x119e4},
    {0x11a00, 0x11a47}, {0x11a50, 0x11aa2}, {0x11ac0, 0x11af8}, {0x11c00, 0x11c08},
    {0x11c0a, 0x11c36}, {0x11c38, 0x11c45}, {0x11c50, 0x11c6c}, {0x11c70, 0x11c8f},
    {0x11c92, 0x11ca7}, {0x11ca9, 0x11cb6}, {0x11d00, 0x11d06}, {0x11d08, 0x11d09},
    {0x11d0b, 0x11d36}, {0x11d3a, 0x11d3a}, {0x11d3c, 0x11d3d}, {0x11d3f, 0x11d47},
    {0x11d50, 0x11d59}, {0x11d60, 0x11d65}, {0x11d67, 0x11d68}, {0x11d6a, 0x11d8e},
    {0x11d90, 0x11d91}, {0x11d93, 0x11d98}, {0x11da0, 0x11da9}, {0x11ee0, 0x11ef8},
    {0x11fb0, 0x11fb0}, {0x11fc0, 0x11ff1}, {0x11fff, 0x12399}, {0x12400, 0x1246e},
    {0x12470, 0x12474}, {0x12480, 0x12543}, {0x13000, 0x1342e}, {0x14400, 0x14646},
    {0x16800, 0x16a38}, {0x16a40, 0x16a5e}, {0x16a60, 0x16a69}, {0x16a6e, 0x16a6f},
    {0x16ad0, 0x16aed}, {0x16af0, 0x16af5}, {0x16b00, 0x16b45}, {0x16b50, 0x16b59},
    {0x16b5b, 0x16b61}, {0x16b63, 0x16b77}, {0x16b7d, 0x16b8f}, {0x16e40, 0x16e9a},
    {0x16f00, 0x16f4a}, {0x16f4f, 0x16f87}, {0x16f8f, 0x16f9f}, {0x16fe0, 0x16fe4},
    {0x16ff0, 0x16ff1}, {0x17000, 0x187f7}, {0x18800, 0x18cd5}, {0x18d00, 0x18d08},
    {0x1b000, 0x1b11e}, {0x1b150, 0x1b152}, {0x1b164, 0x1b167}, {0x1b170, 0x1b2fb},
    {0x1bc00, 0x1bc6a}, {0x1bc70, 0x1bc7c}, {0x1bc80, 0x1bc88}, {0x1bc90, 0x1bc99},
    {0x1bc9c, 0x1bc9f}, {0x1d000, 0x1d0f5}, {0x1d100, 0x1d126}, {0x1d129, 0x1d172},
    {0x1d17b, 0x1d1e8}, {0x1d200, 0x1d245}, {0x1d2e0, 0x1d2f3}, {0x1d300, 0x1d356},
    {0x1d360, 0x1d378}, {0x1d400, 0x1d454}, {0x1d456, 0x1d49c}, {0x1d49e, 0x1d49f},
    {0x1d4a2, 0x1d4a2}, {0x1d4a5, 0x1d4a6}, {0x1d4a9, 0x1d4ac}, {0x1d4ae, 0x1d4b9},
    {0x1d4bb, 0x1d4bb}, {0x1d4bd, 0x1d4c3}, {0x1d4c5, 0x1d505}, {0x1d507, 0x1d50a},
    {0x1d50d, 0x1d514}, {0x1d516, 0x1d51c}, {0x1d51e, 0x1d539}, {0x1d53b, 0x1d53e},
    {0x1d540, 0x1d544}, {0x1d546, 0x1d546}, {0x1d54a, 0x1d550}, {0x1d552, 0x1d6a5},
    {0x1d6a8, 0x1d7cb}, {0x1d7ce, 0x1da8b}, {0x1da9b, 0x1da9f}, {0x1daa1, 0x1daaf},
    {0x1e000, 0x1e006}, {0x1e008, 0x1e018}, {0x1e01b, 0x1e021}, {0x1e023, 0x1e024},
    {0x1e026, 0x1e02a}, {0x1e100, 0x1e12c}, {0x1e130, 0x1e13d}, {0x1e140, 0x1e149},
    {0x1e14e, 0x1e14f}, {0x1e2c0, 0x1e2f9}, {0x1e2ff, 0x1e2ff}, {0x1e800, 0x1e8c4},
    {0x1e8c7, 0x1e8d6}, {0x1e900, 0x1e94b}, {0x1e950, 0x1e959}, {0x1e95e, 0x1e95f},
    {0x1ec71, 0x1ecb4}, {0x1ed01, 0x1ed3d}, {0x1ee00, 0x1ee03}, {0x1ee05, 0x1ee1f},
    {0x1ee21, 0x1ee22}, {0x1ee24, 0x1ee24}, {0x1ee27, 0x1ee27}, {0x1ee29, 0x1ee32},
    {0x1ee34, 0x1ee37}, {0x1ee39, 0x1ee39}, {0x1ee3b, 0x1ee3b}, {0x1ee42, 0x1ee42},
    {0x1ee47, 0x1ee47}, {0x1ee49, 0x1ee49}, {0x1ee4b, 0x1ee4b}, {0x1ee4d, 0x1ee4f},
    {0x1ee51, 0x1ee52}, {0x1ee54, 0x1ee54}, {0x1ee57, 0x1ee57}, {0x1ee59, 0x1ee59},
    {0x1ee5b, 0x1ee5b}, {0x1ee5d, 0x1ee5d}, {0x1ee5f, 0x1ee5f}, {0x1ee61, 0x1ee62},
    {0x1ee64, 0x1ee64}, {0x1ee67, 0x1ee6a}, {0x1ee6c, 0x1ee72}, {0x1ee74, 0x1ee77},
    {0x1ee79, 0x1ee7c}, {0x1ee7e, 0x1ee7e}, {0x1ee80, 0x1ee89}, {0x1ee8b, 0x1ee9b},
    {0x1eea1, 0x1eea3}, {0x1eea5, 0x1eea9}, {0x1eeab, 0x1eebb}, {0x1eef0, 0x1eef1},
    {0x1f000, 0x1f02b}, {0x1f030, 0x1f093}, {0x1f0a0, 0x1f0ae}, {0x1f0b1, 0x1f0bf},
    {0x1f0c1, 0x1f0cf}, {0x1f0d1, 0x1f0f5}, {0x1f100, 0x1f1ad}, {0x1f1e6, 0x1f202},
    {0x1f210, 0x1f23b}, {0x1f240, 0x1f248}, {0x1f250, 0x1f251}, {0x1f260, 0x1f265},
    {0x1f300, 0x1f6d7}, {0x1f6e0, 0x1f6ec}, {0x1f6f0, 0x1f6fc}, {0x1f700, 0x1f773},
    {0x1f780, 0x1f7d8}, {0x1f7e0, 0x1f7eb}, {0x1f800, 0x1f80b}, {0x1f810, 0x1f847},
    {0x1f850, 0x1f859}, {0x1f860, 0x1f887}, {0x1f890, 0x1f8ad}, {0x1f8b0, 0x1f8b1},
    {0x1f900, 0x1f978}, {0x1f97a, 0x1f9cb}, {0x1f9cd, 0x1fa53}, {0x1fa60, 0x1fa6d},
    {0x1fa70, 0x1fa74}, {0x1fa78, 0x1fa7a}, {0x1fa80, 0x1fa86}, {0x1fa90, 0x1faa8},
    {0x1fab0, 0x1fab6}, {0x1fac0, 0x1fac2}, {0x1fad0, 0x1fad6}, {0x1fb00, 0x1fb92},
    {0x1fb94, 0x1fbca}, {0x1fbf0, 0x1fbf9}, {0x20000, 0x2a6dd}, {0x2a700, 0x2b734},
    {0x2b740, 0x2b81d}, {0x2b820, 0x2cea1}, {0x2ceb0, 0x2ebe0}, {0x2f800, 0x2fa1d},
    {0x30000, 0x3134a}, {0xe0100, 0xe01ef},
};

static bool in_table(const struct urange *t, size_t n, uint32_t r)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r < t[mid].lo)
            hi = mid;
        else if (r > t[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool gmf_modpath_is_letter(uint32_t r)
{
    if (r < 0x80)
        return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z');
    return in_table(letter_ranges, sizeof(letter_ranges) / sizeof(letter_ranges[0]), r);
}

bool gmf_modpath_is_print(uint32_t r)
{
    if (r < 0x80)
        return r >= 0x20 && r < 0x7F;
    return in_table(print_ranges, sizeof(print_ranges) / sizeof(print_ranges[0]), r);
}
