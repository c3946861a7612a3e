#include "gmfetch/goenv.h"

/* Resolution of the go environment, in the order go itself applies it:
 *   1. GOPATH: environment, GOENV file, else $HOME/go (go/build defaultGOPATH); every
 *      element is then checked as cmd/go/main.go does (a relative one that was inferred
 *      from $HOME is silently dropped, an explicit one is fatal);
 *   2. GOMODCACHE: computed from the GOPATH *before* that drop (cfg.go initialises it at
 *      package init time), so HOME=rel yields go's "GOMODCACHE entry is relative" error;
 *   3. GOFLAGS: every word must look like a flag (InitGOFLAGS), then -modcacherw values
 *      are applied in order (SetFromGOFLAGS);
 *   4. GOPROXY list (proxy.go proxyList), checked before the cache directory because go
 *      looks the module up before it touches the cache;
 *   5. GOMODCACHE checks (modfetch/cache.go checkCacheDir).
 *
 * net/url is reimplemented in the small: go validates proxy URLs with url.Parse and prints
 * url.URL.Redacted() in its messages, so both the error texts and the re-serialisation
 * have to follow net/url/url.go (parse, parseAuthority, parseHost, unescape, escape,
 * shouldEscape, String).  Quoted strings in messages follow strconv.Quote
 * (gmf_modpath_quote, with go 1.19's Unicode tables).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"

/* go reads the GOENV file whole; a file this large is not a go env file. */
#define GOENV_FILE_MAX (16u << 20)

/* ---- UTF-8 and strconv.Quote ------------------------------------------------------ */

/* utf8.DecodeRune (one shared implementation in modpath). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *ret_r)
{
    return gmf_modpath_decode_rune((const char *)s, n, ret_r);
}

/* unicode.IsSpace */
static bool is_space(uint32_t r)
{
    switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    }
    return r >= 0x2000 && r <= 0x200A;
}

/* strconv.Quote(s) appended to b. */
static void go_quote(struct gmf_buf *b, const char *s)
{
    char *q = gmf_modpath_quote(s, strlen(s));

    (void)gmf_buf_puts(b, q);
    free(q);
}

/* A diag message "<prefix><quoted s><suffix>". */
static enum gmf_err quoted_error(struct gmf_diag *diag, enum gmf_err code, const char *prefix,
                                 const char *s, const char *suffix)
{
    struct gmf_buf b;
    enum gmf_err r;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    go_quote(&b, s);
    r = gmf_diag_set(diag, code, "%s%s%s", prefix, b.data, suffix);
    gmf_buf_release(&b);
    return r;
}

/* strings.TrimSpace: [*ret_start, *ret_end) of s[0..n). */
static void trim_space(const char *s, size_t n, size_t *ret_start, size_t *ret_end)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, end = n;
    uint32_t r;

    while (i < n) {
        size_t w = utf8_decode(u + i, n - i, &r);

        if (!is_space(r))
            break;
        i += w;
    }
    /* utf8.DecodeLastRune: back up to a rune start at most 3 bytes before the end; the
     * rune counts only if it decodes to exactly the remaining bytes. */
    while (end > i) {
        size_t st = end - 1;

        while (st > i && end - st < 4 && (u[st] & 0xC0) == 0x80)
            st--;
        if (st + utf8_decode(u + st, end - st, &r) != end || !is_space(r))
            break;
        end = st;
    }
    *ret_start = i;
    *ret_end = end;
}

/* ---- paths ------------------------------------------------------------------------- */

/* path.Clean / filepath.Clean on Unix, lexically. */
static char *path_clean(const char *p)
{
    size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
    bool rooted = n > 0 && p[0] == '/';
    char *out;

    if (n == 0)
        return gmf_xstrdup(".");
    out = gmf_xmalloc(n + 2);
    if (rooted) {
        out[w++] = '/';
        r = dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            while (r < n && p[r] != '/')
                out[w++] = p[r++];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return out;
}

/* ---- environment lookup ------------------------------------------------------------ */

struct env {
    gmf_getenv_fn fn;
    void *ctx;
    bool file_loaded;
    char **keys, **vals; /* GOENV file entries; a later entry overrides an earlier one */
    size_t n, cap;
};

static const char *raw_getenv(const struct env *e, const char *name)
{
    const char *v = e->fn ? e->fn(name, e->ctx) : getenv(name);

    return v ? v : "";
}

/* cfg.EnvFile + initEnvCache.  Read errors are ignored, as in go. */
static void load_env_file(struct env *e)
{
    const char *goenv = raw_getenv(e, "GOENV");
    char *file = NULL;
    struct gmf_buf b;
    const char *p, *end;

    e->file_loaded = true;
    if (*goenv) {
        if (strcmp(goenv, "off") == 0)
            return;
        file = gmf_xstrdup(goenv);
    } else {
        const char *dir = raw_getenv(e, "XDG_CONFIG_HOME");
        char *joined;

        if (*dir)
            joined = gmf_xasprintf("%s/go/env", dir);
        else if (*raw_getenv(e, "HOME"))
            joined = gmf_xasprintf("%s/.config/go/env", raw_getenv(e, "HOME"));
        else
            return;
        file = path_clean(joined);
        free(joined);
    }

    gmf_buf_init(&b, GOENV_FILE_MAX);
    if (gmf_fs_read_file(file, GOENV_FILE_MAX, &b, NULL) == GMF_OK && b.len) {
        for (p = b.data, end = b.data + b.len; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            const char *eq = memchr(p, '=', (size_t)(le - p));

            if (eq && *p >= 'A' && *p <= 'Z') {
                GMF_GROW(e->keys, e->cap, e->n + 1);
                e->vals = gmf_xreallocarray(e->vals, e->cap, sizeof(*e->vals));
                e->keys[e->n] = gmf_xstrndup(p, (size_t)(eq - p));
                e->vals[e->n] = gmf_xstrndup(eq + 1, (size_t)(le - eq - 1));
                e->n++;
            }
            p = nl ? nl + 1 : end;
        }
    }
    gmf_buf_release(&b);
    free(file);
}

/* cfg.Getenv: a non-empty environment value, else the GOENV file, else "". */
static const char *env_get(struct env *e, const char *name)
{
    const char *v = raw_getenv(e, name);

    if (*v)
        return v;
    if (!e->file_loaded)
        load_env_file(e);
    for (size_t i = e->n; i-- > 0;)
        if (strcmp(e->keys[i], name) == 0)
            return e->vals[i];
    return "";
}

/* cfg.envOr */
static const char *env_or(struct env *e, const char *name, const char *def)
{
    const char *v = env_get(e, name);

    return *v ? v : def;
}

static void env_release(struct env *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->keys[i]);
        free(e->vals[i]);
    }
    free(e->keys);
    free(e->vals);
}

/* ---- net/url in the small ---------------------------------------------------------- */

enum enc { ENC_PATH, ENC_USERPASS, ENC_HOST, ENC_ZONE, ENC_FRAGMENT };

struct url {
    char *scheme, *opaque, *user, *pass, *host, *path, *rawpath, *rawquery, *fragment, *rawfragment;
    bool has_user, has_pass, force_query, omit_host;
};

static void url_release(struct url *u)
{
    free(u->scheme);
    free(u->opaque);
    free(u->user);
    free(u->pass);
    free(u->host);
    free(u->path);
    free(u->rawpath);
    free(u->rawquery);
    free(u->fragment);
    free(u->rawfragment);
}

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned unhex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

static bool should_escape(unsigned char c, enum enc mode)
{
    if (is_alnum(c))
        return false;
    if ((mode == ENC_HOST || mode == ENC_ZONE) && strchr("!$&'()*+,;=:[]<>\"", c) && c)
        return false;
    if (c == '-' || c == '_' || c == '.' || c == '~')
        return false;
    if (c && strchr("$&+,/:;=?@", c)) {
        switch (mode) {
        case ENC_PATH:
            return c == '?';
        case ENC_USERPASS:
            return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_FRAGMENT:
            return false;
        default:
            break;
        }
    }
    if (mode == ENC_FRAGMENT && (c == '!' || c == '(' || c == ')' || c == '*'))
        return false;
    return true;
}

static char *escape_error(const char *s, size_t n)
{
    char *frag = gmf_xstrndup(s, n), *msg;
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    go_quote(&b, frag);
    msg = gmf_xasprintf("invalid URL escape %s", b.data);
    gmf_buf_release(&b);
    free(frag);
    return msg;
}

/* url.unescape of s[0..n): on success *ret (heap) is the decoded text and NULL is
 * returned; on failure the (heap) error text. */
static char *url_unescape(const char *s, size_t n, enum enc mode, char **ret)
{
    const unsigned char *u = (const unsigned char *)s;
    struct gmf_buf b;

    for (size_t i = 0; i < n;) {
        if (u[i] == '%') {
            unsigned v;

            if (i + 2 >= n || !is_hex(u[i + 1]) || !is_hex(u[i + 2]))
                return escape_error(s + i, n - i > 3 ? 3 : n - i);
            v = unhex(u[i + 1]) << 4 | unhex(u[i + 2]);
            /* RFC 3986: hosts may %-encode only non-ASCII bytes, but "%25" introduces an
             * IPv6 zone (RFC 6874), whose escapes must stand for valid host bytes. */
            if (mode == ENC_HOST && v < 0x80 && strncmp(s + i, "%25", 3) != 0)
                return escape_error(s + i, 3);
            if (mode == ENC_ZONE && strncmp(s + i, "%25", 3) != 0 && v != ' ' &&
                should_escape((unsigned char)v, ENC_HOST))
                return escape_error(s + i, 3);
            i += 3;
        } else {
            if ((mode == ENC_HOST || mode == ENC_ZONE) && u[i] < 0x80 &&
                should_escape(u[i], mode)) {
                char one[2] = {s[i], '\0'}, *msg;

                gmf_buf_init(&b, GMF_BUF_UNLIMITED);
                go_quote(&b, one);
                msg = gmf_xasprintf("invalid character %s in host name", b.data);
                gmf_buf_release(&b);
                return msg;
            }
            i++;
        }
    }
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_append(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            (void)gmf_buf_putc(&b, (char)(unhex(u[i + 1]) << 4 | unhex(u[i + 2])));
            i += 2;
        } else {
            (void)gmf_buf_putc(&b, s[i]);
        }
    }
    *ret = gmf_buf_detach(&b, NULL);
    return NULL;
}

/* url.escape */
static char *url_escape(const char *s, enum enc mode)
{
    static const char hex[] = "0123456789ABCDEF";
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_append(&b, "", 0);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (should_escape(c, mode)) {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};

            (void)gmf_buf_append(&b, e, 3);
        } else {
            (void)gmf_buf_putc(&b, (char)c);
        }
    }
    return gmf_buf_detach(&b, NULL);
}

/* url.validEncoded */
static bool valid_encoded(const char *s, enum enc mode)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (strchr("!$&'()*+,;=:@[]%", c))
            continue;
        if (should_escape(c, mode))
            return false;
    }
    return true;
}

static bool valid_port(const char *p)
{
    if (!*p)
        return true;
    if (*p != ':')
        return false;
    for (p++; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static char *port_error(const char *colon_port)
{
    struct gmf_buf b;
    char *msg;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    go_quote(&b, colon_port);
    msg = gmf_xasprintf("invalid port %s after host", b.data);
    gmf_buf_release(&b);
    return msg;
}

/* url.parseHost of h[0..n). */
static char *parse_host(const char *h, size_t n, char **ret)
{
    char *buf = gmf_xstrndup(h, n), *err;

    if (n > 0 && buf[0] == '[') {
        char *close = strrchr(buf, ']'), *zone;

        if (!close) {
            err = gmf_xstrdup("missing ']' in host");
            goto out;
        }
        if (!valid_port(close + 1)) {
            err = port_error(close + 1);
            goto out;
        }
        zone = strstr(buf, "%25");
        if (zone && zone < close) {
            char *h1 = NULL, *h2 = NULL, *h3 = NULL;

            err = url_unescape(buf, (size_t)(zone - buf), ENC_HOST, &h1);
            if (!err)
                err = url_unescape(zone, (size_t)(close - zone), ENC_ZONE, &h2);
            if (!err)
                err = url_unescape(close, strlen(close), ENC_HOST, &h3);
            if (!err)
                *ret = gmf_xasprintf("%s%s%s", h1, h2, h3);
            free(h1);
            free(h2);
            free(h3);
            goto out;
        }
    } else {
        char *colon = strrchr(buf, ':');

        if (colon && !valid_port(colon)) {
            err = port_error(colon);
            goto out;
        }
    }
    err = url_unescape(buf, n, ENC_HOST, ret);
out:
    free(buf);
    return err;
}

/* url.parseAuthority of a[0..n) into u. */
static char *parse_authority(struct url *u, const char *a, size_t n)
{
    const char *at = NULL;
    char *err;

    for (size_t i = n; i-- > 0;)
        if (a[i] == '@') {
            at = a + i;
            break;
        }
    err = at ? parse_host(at + 1, n - (size_t)(at + 1 - a), &u->host) : parse_host(a, n, &u->host);
    if (err || !at)
        return err;
    for (const char *p = a; p < at; p++)
        if (!is_alnum((unsigned char)*p) && !strchr("-._:~!$&'()*+,;=%@", *p))
            return gmf_xstrdup("net/url: invalid userinfo");
    u->has_user = true;
    {
        const char *colon = memchr(a, ':', (size_t)(at - a));

        if (!colon)
            return url_unescape(a, (size_t)(at - a), ENC_USERPASS, &u->user);
        err = url_unescape(a, (size_t)(colon - a), ENC_USERPASS, &u->user);
        if (!err)
            err = url_unescape(colon + 1, (size_t)(at - colon - 1), ENC_USERPASS, &u->pass);
        u->has_pass = err == NULL;
        return err;
    }
}

/* url.parse (viaRequest false) of raw into u; returns the error text or NULL. */
static char *url_parse_nofrag(struct url *u, const char *raw)
{
    const char *rest = raw, *q, *p;
    size_t restlen;
    char *err;

    for (p = raw; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            return gmf_xstrdup("net/url: invalid control character in URL");
    if (strcmp(raw, "*") == 0) {
        u->scheme = gmf_xstrdup("");
        u->path = gmf_xstrdup("*");
        return NULL;
    }
    /* getScheme */
    for (p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (p == raw)
                break;
            continue;
        }
        if (c == ':') {
            if (p == raw)
                return gmf_xstrdup("missing protocol scheme");
            u->scheme = gmf_xstrndup(raw, (size_t)(p - raw));
            for (char *s = u->scheme; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                    *s = (char)(*s - 'A' + 'a');
            rest = p + 1;
        }
        break;
    }
    if (!u->scheme)
        u->scheme = gmf_xstrdup("");

    restlen = strlen(rest);
    q = strchr(rest, '?');
    if (restlen > 0 && rest[restlen - 1] == '?' && q == rest + restlen - 1) {
        u->force_query = true;
        restlen--;
    } else if (q) {
        u->rawquery = gmf_xstrdup(q + 1);
        restlen = (size_t)(q - rest);
    }

    if (restlen == 0 || rest[0] != '/') {
        const char *slash;

        if (*u->scheme) {
            u->opaque = gmf_xstrndup(rest, restlen);
            return NULL;
        }
        slash = memchr(rest, '/', restlen);
        if (memchr(rest, ':', slash ? (size_t)(slash - rest) : restlen))
            return gmf_xstrdup("first path segment in URL cannot contain colon");
    }
    if ((*u->scheme || !(restlen >= 3 && strncmp(rest, "///", 3) == 0)) && restlen >= 2 &&
        strncmp(rest, "//", 2) == 0) {
        const char *auth = rest + 2;
        const char *slash = memchr(auth, '/', restlen - 2);
        size_t alen = slash ? (size_t)(slash - auth) : restlen - 2;

        err = parse_authority(u, auth, alen);
        if (err)
            return err;
        restlen -= 2 + alen;
        rest = auth + alen;
    } else if (*u->scheme && restlen > 0 && rest[0] == '/') {
        u->omit_host = true;
    }
    /* setPath */
    err = url_unescape(rest, restlen, ENC_PATH, &u->path);
    if (err)
        return err;
    {
        char *esc = url_escape(u->path, ENC_PATH);

        if (strlen(esc) != restlen || strncmp(esc, rest, restlen) != 0)
            u->rawpath = gmf_xstrndup(rest, restlen);
        free(esc);
    }
    return NULL;
}

/* url.Parse: on failure the full go error text ("parse \"...\": ..."). */
static char *url_parse(struct url *u, const char *raw)
{
    const char *hash = strchr(raw, '#');
    char *head = hash ? gmf_xstrndup(raw, (size_t)(hash - raw)) : gmf_xstrdup(raw);
    char *err = url_parse_nofrag(u, head);
    const char *quoted_src = head;

    if (!err && hash && hash[1]) {
        err = url_unescape(hash + 1, strlen(hash + 1), ENC_FRAGMENT, &u->fragment);
        if (!err) {
            char *esc = url_escape(u->fragment, ENC_FRAGMENT);

            if (strcmp(esc, hash + 1) != 0)
                u->rawfragment = gmf_xstrdup(hash + 1);
            free(esc);
        }
        quoted_src = raw;
    }
    if (err) {
        struct gmf_buf b;
        char *full;

        gmf_buf_init(&b, GMF_BUF_UNLIMITED);
        go_quote(&b, quoted_src);
        full = gmf_xasprintf("parse %s: %s", b.data, err);
        gmf_buf_release(&b);
        free(err);
        err = full;
    }
    free(head);
    return err;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* url.URL.EscapedPath */
static char *escaped_path(const struct url *u)
{
    if (u->rawpath && valid_encoded(u->rawpath, ENC_PATH)) {
        char *p = NULL;
        char *err = url_unescape(u->rawpath, strlen(u->rawpath), ENC_PATH, &p);
        bool same = !err && strcmp(p, nz(u->path)) == 0;

        free(err);
        free(p);
        if (same)
            return gmf_xstrdup(u->rawpath);
    }
    if (strcmp(nz(u->path), "*") == 0)
        return gmf_xstrdup("*");
    return url_escape(nz(u->path), ENC_PATH);
}

/* url.URL.Redacted (String with the password replaced by "xxxxx"). */
static char *url_redacted(const struct url *u)
{
    struct gmf_buf b;
    char *t;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_append(&b, "", 0);
    if (*u->scheme) {
        (void)gmf_buf_puts(&b, u->scheme);
        (void)gmf_buf_putc(&b, ':');
    }
    if (u->opaque && *u->opaque) {
        (void)gmf_buf_puts(&b, u->opaque);
    } else {
        char *path;

        if (*u->scheme || *nz(u->host) || u->has_user) {
            if (!(u->omit_host && !*nz(u->host) && !u->has_user)) {
                if (*nz(u->host) || *nz(u->path) || u->has_user)
                    (void)gmf_buf_puts(&b, "//");
                if (u->has_user) {
                    t = url_escape(nz(u->user), ENC_USERPASS);
                    (void)gmf_buf_puts(&b, t);
                    free(t);
                    if (u->has_pass)
                        (void)gmf_buf_puts(&b, ":xxxxx");
                    (void)gmf_buf_putc(&b, '@');
                }
                if (*nz(u->host)) {
                    t = url_escape(u->host, ENC_HOST);
                    (void)gmf_buf_puts(&b, t);
                    free(t);
                }
            }
        }
        path = escaped_path(u);
        if (*path && path[0] != '/' && *nz(u->host))
            (void)gmf_buf_putc(&b, '/');
        if (b.len == 0) {
            const char *slash = strchr(path, '/');
            const char *colon = strchr(path, ':');

            if (colon && (!slash || colon < slash))
                (void)gmf_buf_puts(&b, "./");
        }
        (void)gmf_buf_puts(&b, path);
        free(path);
    }
    if (u->force_query || *nz(u->rawquery)) {
        (void)gmf_buf_putc(&b, '?');
        (void)gmf_buf_puts(&b, nz(u->rawquery));
    }
    if (*nz(u->fragment)) {
        char *f = NULL;

        (void)gmf_buf_putc(&b, '#');
        if (u->rawfragment && valid_encoded(u->rawfragment, ENC_FRAGMENT)) {
            char *err = url_unescape(u->rawfragment, strlen(u->rawfragment), ENC_FRAGMENT, &f);

            if (err || strcmp(f, u->fragment) != 0) {
                free(f);
                f = NULL;
            } else {
                free(f);
                f = gmf_xstrdup(u->rawfragment);
            }
            free(err);
        }
        if (!f)
            f = url_escape(u->fragment, ENC_FRAGMENT);
        (void)gmf_buf_puts(&b, f);
        free(f);
    }
    return gmf_buf_detach(&b, NULL);
}

/* The URL gmfetch builds requests from (see struct gmf_proxy). */
static char *proxy_base(const struct url *u)
{
    char *ep = escaped_path(u), *clean, *host, *user = NULL, *pass = NULL, *res;
    size_t n;

    if (*ep) {
        clean = path_clean(ep);
        n = strlen(clean);
        while (n > 0 && clean[n - 1] == '/')
            clean[--n] = '\0';
    } else {
        clean = gmf_xstrdup("");
    }
    free(ep);
    host = url_escape(nz(u->host), ENC_HOST);
    if (u->has_user) {
        user = url_escape(nz(u->user), ENC_USERPASS);
        if (u->has_pass)
            pass = url_escape(nz(u->pass), ENC_USERPASS);
    }
    res = gmf_xasprintf("%s://%s%s%s%s%s%s", u->scheme, user ? user : "", pass ? ":" : "",
                        pass ? pass : "", user ? "@" : "", host, clean);
    free(user);
    free(pass);
    free(host);
    free(clean);
    return res;
}

/* ---- GOPROXY ----------------------------------------------------------------------- */

/* newProxyRepo's checks of one URL entry; *ret_url is set on success. */
static enum gmf_err check_proxy_url(const char *entry, char **ret_url, struct gmf_diag *diag)
{
    struct url u = {0};
    enum gmf_err r = GMF_OK;
    char *err = url_parse(&u, entry);
    char *red = NULL;

    if (err) {
        r = gmf_diag_set(diag, GMF_EINVAL, "%s", err);
        goto out;
    }
    red = url_redacted(&u);
    if (strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0) {
        /* go accepts these but would build requests we do not reproduce. */
        if (u.force_query || *nz(u.rawquery) || *nz(u.fragment) || *nz(u.opaque) || !*nz(u.host)) {
            r = gmf_diag_set(diag, GMF_EUNSUPPORTED,
                             "proxy URL %s has a query, fragment or no host: not supported "
                             "by gmfetch",
                             red);
            goto out;
        }
    } else if (strcmp(u.scheme, "file") == 0) {
        /* go: *base != url.URL{Scheme: base.Scheme, Path: base.Path, RawPath: ...} */
        if (*nz(u.opaque) || u.has_user || *nz(u.host) || u.force_query || *nz(u.rawquery) ||
            *nz(u.fragment) || u.omit_host) {
            r = gmf_diag_set(diag, GMF_EINVAL,
                             "invalid file:// proxy URL with non-path elements: %s", red);
            goto out;
        }
    } else if (!*u.scheme) {
        r = gmf_diag_set(diag, GMF_EINVAL, "invalid proxy URL missing scheme: %s", red);
        goto out;
    } else {
        r = gmf_diag_set(diag, GMF_EINVAL,
                         "invalid proxy URL scheme (must be https, http, file): %s", red);
        goto out;
    }
    *ret_url = proxy_base(&u);
out:
    free(err);
    free(red);
    url_release(&u);
    return r;
}

void gmf_goenv_free_proxies(struct gmf_proxy *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].url);
    free(p);
}

static void push_proxy(struct gmf_proxy **list, size_t *n, size_t *cap, enum gmf_proxy_kind kind,
                       char *url, bool fallback_any)
{
    GMF_GROW(*list, *cap, *n + 1);
    (*list)[*n].kind = kind;
    (*list)[*n].url = url;
    (*list)[*n].fallback_any = fallback_any;
    (*n)++;
}

enum gmf_err gmf_goenv_parse_proxy(const char *goproxy, const char *gonoproxy,
                                   struct gmf_proxy **ret, size_t *ret_n, struct gmf_diag *diag)
{
    struct gmf_proxy *list = NULL;
    size_t n = 0, cap = 0;
    const char *p = goproxy;
    enum gmf_err r = GMF_OK;

    if (gonoproxy && *gonoproxy && strcmp(goproxy, "direct") != 0)
        push_proxy(&list, &n, &cap, GMF_PROXY_NOPROXY, NULL, false);

    while (*p) {
        size_t len = strcspn(p, ",|"), st, en;
        bool fallback_any = p[len] == '|';
        char *entry, *url = NULL;

        trim_space(p, len, &st, &en);
        entry = gmf_xstrndup(p + st, en - st);
        p += len + (p[len] ? 1 : 0);
        if (!*entry) {
            free(entry);
            continue;
        }
        if (strcmp(entry, "off") == 0 || strcmp(entry, "direct") == 0) {
            push_proxy(&list, &n, &cap,
                       strcmp(entry, "off") == 0 ? GMF_PROXY_OFF : GMF_PROXY_DIRECT, NULL, false);
            free(entry);
            break;
        }
        if (strpbrk(entry, ".:/") && !strstr(entry, ":/") && entry[0] != '/') {
            char *full = gmf_xasprintf("https://%s", entry);

            free(entry);
            entry = full;
        }
        r = check_proxy_url(entry, &url, diag);
        free(entry);
        if (r)
            goto fail;
        push_proxy(&list, &n, &cap, GMF_PROXY_URL, url, fallback_any);
    }
    if (n == 0 || (n == 1 && list[0].kind == GMF_PROXY_NOPROXY)) {
        r = gmf_diag_set(diag, GMF_EINVAL,
                         "GOPROXY list is not the empty string, but contains no entries");
        goto fail;
    }
    *ret = list;
    *ret_n = n;
    return GMF_OK;
fail:
    gmf_goenv_free_proxies(list, n);
    return r;
}

/* ---- GOFLAGS ----------------------------------------------------------------------- */

/* strconv.ParseBool */
static int parse_bool(const char *s)
{
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

    for (size_t i = 0; i < 6; i++) {
        if (strcmp(s, t[i]) == 0)
            return 1;
        if (strcmp(s, f[i]) == 0)
            return 0;
    }
    return -1;
}

/* Split goflags into words at white space (strings.Fields); returns a NULL-terminated
 * array of heap strings. */
static char **split_fields(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, cnt = 0, cap = 0;
    char **out = NULL;

    for (;;) {
        size_t start;
        uint32_t r;

        while (i < n) {
            size_t w = utf8_decode(u + i, n - i, &r);

            if (!is_space(r))
                break;
            i += w;
        }
        if (i >= n)
            break;
        start = i;
        while (i < n) {
            size_t w = utf8_decode(u + i, n - i, &r);

            if (is_space(r))
                break;
            i += w;
        }
        GMF_GROW(out, cap, cnt + 2);
        out[cnt++] = gmf_xstrndup(s + start, i - start);
    }
    GMF_GROW(out, cap, cnt + 1);
    out[cnt] = NULL;
    return out;
}

static void free_fields(char **f)
{
    for (size_t i = 0; f[i]; i++)
        free(f[i]);
    free(f);
}

/* base.InitGOFLAGS (shape check) and SetFromGOFLAGS for -modcacherw. */
static enum gmf_err parse_goflags(const char *goflags, bool *ret_rw, struct gmf_diag *diag)
{
    char **f = split_fields(goflags);
    enum gmf_err r = GMF_OK;
    bool rw = false;
    size_t i;

    for (i = 0; f[i]; i++) {
        const char *w = f[i];

        if (w[0] != '-' || strcmp(w, "-") == 0 || strcmp(w, "--") == 0 ||
            strncmp(w, "---", 3) == 0 || strncmp(w, "-=", 2) == 0 || strncmp(w, "--=", 3) == 0) {
            r = quoted_error(diag, GMF_EINVAL, "parsing $GOFLAGS: non-flag ", w, "");
            goto out;
        }
    }
    for (i = 0; f[i]; i++) {
        char *name = f[i];
        char *eq = strchr(name, '=');
        const char *value = NULL;

        if (eq == name)
            continue;
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        if (strncmp(name, "--", 2) == 0)
            name++;
        if (strcmp(name, "-modcacherw") != 0)
            continue;
        if (!value) {
            rw = true;
        } else if (parse_bool(value) >= 0) {
            rw = parse_bool(value) == 1;
        } else {
            r = quoted_error(diag, GMF_EUSAGE, "invalid boolean value ", value,
                             " for flag -modcacherw (from $GOFLAGS): parse error");
            goto out;
        }
    }
    *ret_rw = rw;
out:
    free_fields(f);
    return r;
}

/* ---- load -------------------------------------------------------------------------- */

/* The first element of a GOPATH list (filepath.SplitList), or "" */
static char *first_elem(const char *list)
{
    const char *colon = strchr(list, ':');

    return colon ? gmf_xstrndup(list, (size_t)(colon - list)) : gmf_xstrdup(list);
}

static char *join_clean(const char *dir, const char *rel)
{
    char *j = gmf_xasprintf("%s/%s", dir, rel);
    char *c = path_clean(j);

    free(j);
    return c;
}

/* GOPATH as cfg.BuildContext.GOPATH sees it, then cmd/go/main.go's checks. */
static enum gmf_err resolve_gopath(struct env *e, char **ret_list, char **ret_modcache_default,
                                   struct gmf_diag *diag)
{
    const char *set = env_get(e, "GOPATH");
    const char *goroot = raw_getenv(e, "GOROOT");
    char *list, *first, *orig, *p, *sep;
    enum gmf_err r = GMF_OK;
    bool skip_checks = false;

    if (*set) {
        list = gmf_xstrdup(set);
    } else if (*raw_getenv(e, "HOME")) {
        /* go/build defaultGOPATH; go compares with runtime.GOROOT(), which is $GOROOT if
         * set, else a value compiled into go that gmfetch does not know. */
        list = join_clean(raw_getenv(e, "HOME"), "go");
        if (*goroot) {
            char *cr = path_clean(goroot);

            if (strcmp(cr, list) == 0) {
                free(list);
                list = gmf_xstrdup("");
            }
            free(cr);
        }
    } else {
        list = gmf_xstrdup("");
    }

    first = first_elem(list);
    *ret_modcache_default = *first ? join_clean(first, "pkg/mod") : gmf_xstrdup("");
    free(first);

    if (*goroot) {
        char *a = path_clean(list), *b = path_clean(goroot);

        skip_checks = strcmp(a, b) == 0; /* go only warns "GOPATH set to GOROOT" */
        free(a);
        free(b);
    }
    /* main.go walks the list as it was; dropping an inferred GOPATH does not stop it. */
    orig = gmf_xstrdup(list);
    for (p = orig; !skip_checks && p;) {
        char *elem;

        sep = strchr(p, ':');
        elem = sep ? gmf_xstrndup(p, (size_t)(sep - p)) : gmf_xstrdup(p);
        p = sep ? sep + 1 : NULL;
        if (!*elem) {
            free(elem);
            continue;
        }
        if (elem[0] == '~') {
            r = quoted_error(diag, GMF_EUSAGE,
                             "GOPATH entry cannot start with shell metacharacter '~': ", elem, "");
        } else if (elem[0] != '/') {
            if (*set) {
                r = quoted_error(diag, GMF_EUSAGE,
                                 "GOPATH entry is relative; must be absolute path: ", elem,
                                 ".\nFor more details see: 'go help gopath'");
            } else {
                /* Inferred from $HOME and wrong: go "uninfers" it and goes on. */
                free(list);
                list = gmf_xstrdup("");
            }
        }
        free(elem);
        if (r)
            break;
    }
    free(orig);
    if (r) {
        free(list);
        free(*ret_modcache_default);
        return r;
    }
    *ret_list = list;
    return GMF_OK;
}

void gmf_goenv_release(struct gmf_goenv *e)
{
    free(e->gopath);
    free(e->gomodcache);
    free(e->goproxy);
    free(e->gosumdb);
    free(e->goprivate);
    free(e->gonoproxy);
    free(e->gonosumdb);
    free(e->goinsecure);
    free(e->goflags);
    free(e->gowork);
    gmf_goenv_free_proxies(e->proxies, e->nproxies);
    memset(e, 0, sizeof(*e));
}

enum gmf_err gmf_goenv_load(struct gmf_goenv *ret, gmf_getenv_fn getenv_fn, void *ctx,
                            struct gmf_diag *diag)
{
    struct env e = {.fn = getenv_fn, .ctx = ctx};
    struct gmf_goenv g = {0};
    char *gopath_list = NULL, *modcache_default = NULL, *first;
    const char *modcache;
    enum gmf_err r;

    r = resolve_gopath(&e, &gopath_list, &modcache_default, diag);
    if (r)
        goto out_env;
    first = first_elem(gopath_list);
    g.gopath = *first ? path_clean(first) : gmf_xstrdup("");
    free(first);

    g.goflags = gmf_xstrdup(env_get(&e, "GOFLAGS"));
    r = parse_goflags(g.goflags, &g.modcacherw, diag);
    if (r)
        goto fail;

    g.goproxy = gmf_xstrdup(env_or(&e, "GOPROXY", "https://proxy.golang.org,direct"));
    g.gosumdb = gmf_xstrdup(env_or(&e, "GOSUMDB", "sum.golang.org"));
    g.goprivate = gmf_xstrdup(env_get(&e, "GOPRIVATE"));
    g.gonoproxy = gmf_xstrdup(env_or(&e, "GONOPROXY", g.goprivate));
    g.gonosumdb = gmf_xstrdup(env_or(&e, "GONOSUMDB", g.goprivate));
    g.goinsecure = gmf_xstrdup(env_get(&e, "GOINSECURE"));
    g.gowork = gmf_xstrdup(env_get(&e, "GOWORK"));

    r = gmf_goenv_parse_proxy(g.goproxy, g.gonoproxy, &g.proxies, &g.nproxies, diag);
    if (r)
        goto fail;

    modcache = env_or(&e, "GOMODCACHE", modcache_default);
    if (!*modcache) {
        r = gmf_diag_set(diag, GMF_EINVAL,
                         "module cache not found: neither GOMODCACHE nor GOPATH is set");
        goto fail;
    }
    if (modcache[0] != '/') {
        r = quoted_error(diag, GMF_EINVAL,
                         "GOMODCACHE entry is relative; must be absolute path: ", modcache, ".");
        goto fail;
    }
    g.gomodcache = path_clean(modcache);
    *ret = g;
    goto out;
fail:
    gmf_goenv_release(&g);
out:
    free(gopath_list);
    free(modcache_default);
out_env:
    env_release(&e);
    return r;
}

bool gmf_goenv_nosumdb(const struct gmf_goenv *e, const char *path)
{
    return strcmp(e->gosumdb, "off") == 0 || gmf_modpath_match_patterns(e->gonosumdb, path);
}

bool gmf_goenv_noproxy(const struct gmf_goenv *e, const char *path)
{
    return gmf_modpath_match_patterns(e->gonoproxy, path);
}
