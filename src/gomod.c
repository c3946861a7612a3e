/* gomod: go.mod parsing as golang.org/x/mod/modfile (read.go, rule.go) does it.
 *
 * Three stages, as in modfile:
 *   1. lex/parse (read.go): bytes to statements.  A statement is a Line (tokens) or a
 *      LineBlock ("require (" ... ")").  Syntax errors stop here with one message, at the
 *      lexer's position, which is the end of the one-token lookahead: that is where go's
 *      scanner stands when its parser reports, so columns agree.
 *   2. add (rule.go File.add): every statement is interpreted and every failure collected;
 *      the messages are joined with "\n" like modfile.ErrorList.
 *   3. fixRetract, main module only, once the module path is known.
 *
 * Comments: go attaches end-of-line comments to the syntax ending right before them, which
 * for a Line is always the Line on the same row, so a Line just keeps the comment that ends
 * it.  Whole-line comments become a statement's "before" comments when no blank line
 * separates them (parseFile's CommentBlock handling and parseLineBlock).  Only "// indirect"
 * and the module's "Deprecated:" paragraph are read from comments.
 *
 * Versions: dependency files (lax) are read as go reads them, ParseLax(name, data, nil):
 * versions are canonicalised and retract versions are kept as written.  The main module
 * (strict) is read as the go command reads it, Parse(name, data, fixVersion), minus the
 * network: fixVersion would run a query for a version that is not canonical; we report it
 * instead, since guessing ("v1.2" is a query for the newest v1.2.x) could fetch a version go
 * would not.
 *
 * Strings in the result live in an arena of blocks owned by the struct (arena_).
 */
#include "gmfetch/gomod.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/buf.h"
#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"

/* ---- arena ---- */

struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    char data[];
};

struct arena {
    struct arena_blk *head;
};

/* Big enough that a typical go.mod's strings fit in one or two blocks. */
#define ARENA_BLOCK 4096

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    struct arena_blk *b = a->head;
    char *p;

    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;

        b = gmf_xmalloc(sizeof(*b) + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

static void arena_free(struct arena *a)
{
    while (a && a->head) {
        struct arena_blk *next = a->head->next;

        free(a->head);
        a->head = next;
    }
    free(a);
}

/* ---- syntax tree (read.go) ---- */

struct pos {
    int line;      /* from 1 */
    int line_rune; /* from 1 */
    size_t byte;
};

struct str {
    const char *p;
    size_t n;
};

struct cgroup {
    struct str *v; /* comment texts with the "//", without the newline */
    size_t n, cap;
};

struct line {
    struct str *tok;
    size_t ntok, captok;
    struct pos start;
    struct cgroup before;
    struct str suffix; /* p == NULL: none */
};

struct stmt {
    bool block;
    struct line head; /* the Line, or the block's verb tokens, position and comments */
    struct line *lines;
    size_t nlines, caplines;
};

enum tok_kind {
    TOK_EOF = -1,
    TOK_EOLCOMMENT = -2,
    TOK_IDENT = -3,
    TOK_STRING = -4,
    TOK_COMMENT = -5,
    /* Newline and punctuation are their own byte values. */
};

struct token {
    int kind;
    struct pos pos, end;
    struct str text;
};

struct input {
    const char *name;
    const char *data;
    size_t len;
    struct pos pos;  /* lexer position: after the lookahead token */
    size_t tok_off;  /* byte offset where the lookahead token starts */
    struct token tok; /* lookahead */
    struct stmt *stmts;
    size_t nstmts, capstmts;
    char *err; /* the syntax error, formatted with position */
};

static bool is_eol(int kind)
{
    return kind == TOK_EOF || kind == TOK_EOLCOMMENT || kind == '\n';
}

/* unicode.IsSpace. */
static bool is_space(uint32_t r)
{
    switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return r >= 0x2000 && r <= 0x200A;
    }
}

/* read.go isIdent: printable, not space, not one of the punctuation tokens. */
static bool is_ident(uint32_t r)
{
    switch (r) {
    case ' ': case '(': case ')': case '[': case ']': case '{': case '}': case ',':
        return false;
    default:
        return !is_space(r) && gmf_modpath_is_print(r);
    }
}

static char *format_pos(const char *name, struct pos p)
{
    /* modfile.Error: the column only when not at the start of the line. */
    if (p.line_rune > 1)
        return gmf_xasprintf("%s:%d:%d: ", name, p.line, p.line_rune);
    if (p.line > 0)
        return gmf_xasprintf("%s:%d: ", name, p.line);
    return gmf_xasprintf("%s: ", name);
}

static void syntax_error(struct input *in, const char *msg)
{
    char *where;

    if (in->err)
        return;
    where = format_pos(in->name, in->pos);
    in->err = gmf_xasprintf("%s%s", where, msg);
    free(where);
}

static bool eof(const struct input *in)
{
    return in->pos.byte >= in->len;
}

/* peekRune: 0 at end of input, U+FFFD for an invalid byte. */
static uint32_t peek_rune(const struct input *in)
{
    uint32_t r;

    if (eof(in))
        return 0;
    (void)gmf_modpath_decode_rune(in->data + in->pos.byte, in->len - in->pos.byte, &r);
    return r;
}

static bool peek_prefix(const struct input *in, const char *prefix)
{
    size_t n = strlen(prefix);

    return in->len - in->pos.byte >= n && !memcmp(in->data + in->pos.byte, prefix, n);
}

static uint32_t read_rune(struct input *in)
{
    uint32_t r;
    size_t w = gmf_modpath_decode_rune(in->data + in->pos.byte, in->len - in->pos.byte, &r);

    in->pos.byte += w;
    if (r == '\n') {
        in->pos.line++;
        in->pos.line_rune = 1;
    } else {
        in->pos.line_rune++;
    }
    return r;
}

static void start_token(struct input *in)
{
    in->tok_off = in->pos.byte;
    in->tok.pos = in->pos;
}

static void end_token(struct input *in, int kind)
{
    struct str t = {in->data + in->tok_off, in->pos.byte - in->tok_off};

    /* Comments lose one trailing LF or CRLF. */
    if (kind == TOK_COMMENT || kind == TOK_EOLCOMMENT) {
        if (t.n >= 2 && t.p[t.n - 2] == '\r' && t.p[t.n - 1] == '\n')
            t.n -= 2;
        else if (t.n >= 1 && t.p[t.n - 1] == '\n')
            t.n--;
    }
    in->tok.kind = kind;
    in->tok.text = t;
    in->tok.end = in->pos;
}

/* read.go readToken.  Returns false after a syntax error. */
static bool read_token(struct input *in)
{
    uint32_t c;

    while (!eof(in)) {
        c = peek_rune(in);
        if (c == ' ' || c == '\t' || c == '\r') {
            (void)read_rune(in);
            continue;
        }
        if (peek_prefix(in, "//")) {
            size_t i = in->pos.byte;
            bool suffix = false;

            start_token(in);
            /* A comment is a suffix when something other than blanks precedes it on its
             * line; only blanks can have been skipped silently, so look for anything else. */
            while (i > 0 && in->data[i - 1] != '\n') {
                char b = in->data[--i];

                if (b != ' ' && b != '\t' && b != '\r')
                    suffix = true;
            }
            (void)read_rune(in);
            (void)read_rune(in);
            while (!eof(in) && read_rune(in) != '\n')
                ;
            end_token(in, suffix ? TOK_EOLCOMMENT : TOK_COMMENT);
            return true;
        }
        if (peek_prefix(in, "/*")) {
            syntax_error(in, "mod files must use // comments (not /* */ comments)");
            return false;
        }
        break;
    }

    start_token(in);
    if (eof(in)) {
        end_token(in, TOK_EOF);
        return true;
    }

    c = peek_rune(in);
    switch (c) {
    case '\n': case '(': case ')': case '[': case ']': case '{': case '}': case ',':
        (void)read_rune(in);
        end_token(in, (int)c);
        return true;
    case '"': case '`': {
        uint32_t quote = c;

        (void)read_rune(in);
        for (;;) {
            if (eof(in)) {
                in->pos = in->tok.pos;
                syntax_error(in, "unexpected EOF in string");
                return false;
            }
            if (peek_rune(in) == '\n') {
                syntax_error(in, "unexpected newline in string");
                return false;
            }
            c = read_rune(in);
            if (c == quote)
                break;
            if (c == '\\' && quote != '`') {
                if (eof(in)) {
                    in->pos = in->tok.pos;
                    syntax_error(in, "unexpected EOF in string");
                    return false;
                }
                (void)read_rune(in);
            }
        }
        end_token(in, TOK_STRING);
        return true;
    }
    default:
        break;
    }

    if (!is_ident(c)) {
        char *q = gmf_modpath_quote_rune(c);
        char *msg = gmf_xasprintf("unexpected input character %s", q);

        syntax_error(in, msg);
        free(msg);
        free(q);
        return false;
    }
    while (is_ident(peek_rune(in))) {
        if (peek_prefix(in, "//"))
            break;
        if (peek_prefix(in, "/*")) {
            syntax_error(in, "mod files must use // comments (not /* */ comments)");
            return false;
        }
        (void)read_rune(in);
    }
    end_token(in, TOK_IDENT);
    return true;
}

/* lex: hand out the lookahead and read the next one. */
static bool lex(struct input *in, struct token *ret)
{
    *ret = in->tok;
    return read_token(in);
}

static void line_add_tok(struct line *l, struct str t)
{
    GMF_GROW(l->tok, l->captok, l->ntok + 1);
    l->tok[l->ntok++] = t;
}

static void line_release(struct line *l)
{
    free(l->tok);
    free(l->before.v);
}

static struct stmt *new_stmt(struct input *in)
{
    struct stmt *s;

    GMF_GROW(in->stmts, in->capstmts, in->nstmts + 1);
    s = &in->stmts[in->nstmts++];
    memset(s, 0, sizeof(*s));
    return s;
}

/* read.go parseLine: one line of a block, after its first token was peeked. */
static bool parse_line(struct input *in, struct line *l)
{
    struct token tok;

    if (!lex(in, &tok))
        return false;
    l->start = tok.pos;
    line_add_tok(l, tok.text);
    for (;;) {
        if (!lex(in, &tok))
            return false;
        if (is_eol(tok.kind)) {
            if (tok.kind == TOK_EOLCOMMENT)
                l->suffix = tok.text;
            return true;
        }
        line_add_tok(l, tok.text);
    }
}

/* read.go parseLineBlock: the lines up to ')' of a block whose '(' was just read. */
static bool parse_line_block(struct input *in, struct stmt *x)
{
    struct cgroup comments = {0};
    struct token tok;

    for (;;) {
        switch (in->tok.kind) {
        case TOK_EOLCOMMENT:
        case '\n':
            /* A suffix after "(" belongs to the LParen; blank lines only matter to the
             * formatter.  Neither is needed here. */
            if (!lex(in, &tok))
                goto fail;
            break;
        case TOK_COMMENT:
            if (!lex(in, &tok))
                goto fail;
            GMF_GROW(comments.v, comments.cap, comments.n + 1);
            comments.v[comments.n++] = tok.text;
            break;
        case TOK_EOF: {
            char *msg = gmf_xasprintf("syntax error (unterminated block started at %s:%d:%d)",
                                      in->name, x->head.start.line, x->head.start.line_rune);

            syntax_error(in, msg);
            free(msg);
            goto fail;
        }
        case ')':
            free(comments.v);
            if (!lex(in, &tok))
                return false;
            if (!is_eol(in->tok.kind)) {
                syntax_error(in, "syntax error (expected newline after closing paren)");
                return false;
            }
            return lex(in, &tok);
        default: {
            struct line *l;

            GMF_GROW(x->lines, x->caplines, x->nlines + 1);
            l = &x->lines[x->nlines++];
            memset(l, 0, sizeof(*l));
            l->before = comments;
            memset(&comments, 0, sizeof(comments));
            if (!parse_line(in, l))
                return false;
            break;
        }
        }
    }
fail:
    free(comments.v);
    return false;
}

/* read.go parseStmt: a top-level Line or the head of a LineBlock. */
static bool parse_stmt(struct input *in, struct cgroup *before)
{
    struct stmt *s = new_stmt(in);
    struct token tok;

    s->head.before = *before;
    memset(before, 0, sizeof(*before));
    if (!lex(in, &tok))
        return false;
    s->head.start = tok.pos;
    line_add_tok(&s->head, tok.text);
    for (;;) {
        if (!lex(in, &tok))
            return false;
        if (is_eol(tok.kind)) {
            if (tok.kind == TOK_EOLCOMMENT)
                s->head.suffix = tok.text;
            return true;
        }
        if (tok.kind == '(') {
            int next = in->tok.kind;

            if (is_eol(next)) {
                s->block = true;
                return parse_line_block(in, s);
            }
            if (next == ')') {
                struct token rparen;

                if (!lex(in, &rparen))
                    return false;
                if (is_eol(in->tok.kind)) {
                    /* An empty block "require ()". */
                    s->block = true;
                    return lex(in, &tok);
                }
                /* "( )" in the middle of a line is two ordinary tokens. */
                line_add_tok(&s->head, tok.text);
                line_add_tok(&s->head, rparen.text);
                continue;
            }
        }
        line_add_tok(&s->head, tok.text);
    }
}

/* read.go parseFile.  Whole-line comments directly above a statement become its "before"
 * comments; a blank line in between makes them a separate comment block, which we drop. */
static bool parse_file(struct input *in)
{
    struct cgroup cb = {0};
    struct token tok;
    bool ok = true;

    if (!read_token(in))
        return false;
    for (;;) {
        if (in->tok.kind == '\n') {
            if (!lex(in, &tok)) {
                ok = false;
                break;
            }
            cb.n = 0;
        } else if (in->tok.kind == TOK_COMMENT) {
            if (!lex(in, &tok)) {
                ok = false;
                break;
            }
            GMF_GROW(cb.v, cb.cap, cb.n + 1);
            cb.v[cb.n++] = tok.text;
        } else if (in->tok.kind == TOK_EOF) {
            break;
        } else {
            struct cgroup before = {0};

            if (cb.n) {
                before = cb;
                memset(&cb, 0, sizeof(cb));
            }
            if (!parse_stmt(in, &before)) {
                free(before.v);
                ok = false;
                break;
            }
        }
    }
    free(cb.v);
    return ok;
}

static void input_release(struct input *in)
{
    size_t i, j;

    for (i = 0; i < in->nstmts; i++) {
        line_release(&in->stmts[i].head);
        for (j = 0; j < in->stmts[i].nlines; j++)
            line_release(&in->stmts[i].lines[j]);
        free(in->stmts[i].lines);
    }
    free(in->stmts);
    free(in->err);
}

/* ---- interpretation (rule.go) ---- */

/* Where a retraction came from, for fixRetract's second pass. */
struct retract_src {
    struct pos start;
    bool interval;
};

struct parser {
    struct input in;
    struct arena *arena;
    bool strict;
    struct gmf_buf errs; /* ErrorList text, "\n"-separated */
    size_t nerrs;

    size_t nquery; /* errors that only a network query (go's fixVersion) could fix */
    bool have_module, have_go, have_toolchain;
    const char *module, *go, *toolchain;
    bool deprecated;
    struct gmf_require *require;
    size_t nrequire, caprequire;
    struct gmf_modver *exclude;
    size_t nexclude, capexclude;
    struct gmf_replace *replace;
    size_t nreplace, capreplace;
    struct gmf_retract *retract;
    struct retract_src *retract_src; /* for fixRetract */
    size_t nretract, capretract, capretract_src;
};

static bool str_eq(struct str s, const char *lit)
{
    return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static char *quote_str(struct str s)
{
    return gmf_modpath_quote(s.p, s.n);
}

/* Append "<pos>: <directive><msg>" to the error list; directive is "" or "verb path: ". */
static void add_error(struct parser *p, struct pos at, const char *msg)
{
    char *where;

    /* The diag keeps GMF_DIAG_MAX bytes; a hostile file must not grow the list past that. */
    if (p->errs.len >= GMF_DIAG_MAX) {
        p->nerrs++;
        return;
    }
    where = format_pos(p->in.name, at);
    if (p->nerrs++)
        (void)gmf_buf_putc(&p->errs, '\n');
    (void)gmf_buf_puts(&p->errs, where);
    (void)gmf_buf_puts(&p->errs, msg);
    free(where);
}

static void add_errorf(struct parser *p, struct pos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_errorf(struct parser *p, struct pos at, const char *fmt, ...)
{
    struct gmf_buf b;
    va_list ap;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    va_start(ap, fmt);
    (void)gmf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    add_error(p, at, b.data ? b.data : "");
    gmf_buf_release(&b);
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(struct gmf_buf *b, uint32_t r)
{
    char t[4];
    size_t n;

    if (r < 0x80) {
        t[0] = (char)r;
        n = 1;
    } else if (r < 0x800) {
        t[0] = (char)(0xC0 | (r >> 6));
        t[1] = (char)(0x80 | (r & 0x3F));
        n = 2;
    } else if (r < 0x10000) {
        t[0] = (char)(0xE0 | (r >> 12));
        t[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        t[2] = (char)(0x80 | (r & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (r >> 18));
        t[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((r >> 6) & 0x3F));
        t[3] = (char)(0x80 | (r & 0x3F));
        n = 4;
    }
    (void)gmf_buf_append(b, t, n);
}

/* strconv.Unquote for a double-quoted token (the lexer guarantees the quotes and no
 * newline).  Returns false for strconv.ErrSyntax. */
static bool unquote(struct str s, struct gmf_buf *out)
{
    size_t i = 1, end;

    if (s.n < 2 || s.p[0] != '"' || s.p[s.n - 1] != '"')
        return false;
    end = s.n - 1;
    while (i < end) {
        char c = s.p[i];
        uint32_t r;

        if (c == '"' || c == '\n')
            return false;
        if ((unsigned char)c >= 0x80) {
            /* Invalid UTF-8 decodes to U+FFFD and is re-encoded as such. */
            i += gmf_modpath_decode_rune(s.p + i, end - i, &r);
            put_utf8(out, r);
            continue;
        }
        if (c != '\\') {
            (void)gmf_buf_putc(out, c);
            i++;
            continue;
        }
        if (i + 1 >= end)
            return false;
        c = s.p[i + 1];
        i += 2;
        switch (c) {
        case 'a': (void)gmf_buf_putc(out, '\a'); break;
        case 'b': (void)gmf_buf_putc(out, '\b'); break;
        case 'f': (void)gmf_buf_putc(out, '\f'); break;
        case 'n': (void)gmf_buf_putc(out, '\n'); break;
        case 'r': (void)gmf_buf_putc(out, '\r'); break;
        case 't': (void)gmf_buf_putc(out, '\t'); break;
        case 'v': (void)gmf_buf_putc(out, '\v'); break;
        case '\\': (void)gmf_buf_putc(out, '\\'); break;
        case '"': (void)gmf_buf_putc(out, '"'); break;
        case 'x': case 'u': case 'U': {
            size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8, j;

            if (end - i < n)
                return false;
            r = 0;
            for (j = 0; j < n; j++) {
                int h = unhex(s.p[i + j]);

                if (h < 0)
                    return false;
                r = r << 4 | (uint32_t)h;
            }
            i += n;
            if (c == 'x') {
                /* \xNN is a raw byte, not a rune. */
                (void)gmf_buf_putc(out, (char)r);
                break;
            }
            if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
                return false;
            put_utf8(out, r);
            break;
        }
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            size_t j;

            r = (uint32_t)(c - '0');
            if (end - i < 2)
                return false;
            for (j = 0; j < 2; j++) {
                char d = s.p[i + j];

                if (d < '0' || d > '7')
                    return false;
                r = r << 3 | (uint32_t)(d - '0');
            }
            i += 2;
            if (r > 255)
                return false;
            (void)gmf_buf_putc(out, (char)r);
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

/* rule.go parseString.  On success *ret is an arena string; otherwise *ret_why is a static
 * reason ("invalid syntax", ...). */
static bool parse_string(struct parser *p, struct str s, const char **ret, const char **ret_why)
{
    struct gmf_buf b;
    size_t i;

    if (s.n > 0 && s.p[0] == '"') {
        gmf_buf_init(&b, GMF_BUF_UNLIMITED);
        if (!unquote(s, &b)) {
            gmf_buf_release(&b);
            *ret_why = "invalid syntax";
            return false;
        }
        /* Go strings may hold NUL ("\x00"); ours are C strings, which would silently cut
         * the value short.  Such a path or version could never be valid anyway. */
        if (b.len && memchr(b.data, '\0', b.len)) {
            gmf_buf_release(&b);
            *ret_why = "NUL byte in string";
            return false;
        }
        *ret = arena_strndup(p->arena, b.data ? b.data : "", b.len);
        gmf_buf_release(&b);
        return true;
    }
    /* Other quotes are reserved, so 'x' is an error rather than a path with quotes in it. */
    for (i = 0; i < s.n; i++) {
        if (s.p[i] == '"' || s.p[i] == '\'' || s.p[i] == '`') {
            *ret_why = "unquoted string cannot contain quote";
            return false;
        }
    }
    *ret = arena_strndup(p->arena, s.p, s.n);
    return true;
}

/* A parse error that modfile carries as Error{Verb, ModPath, Err}; text is what Error()
 * prints without a position. */
static char *directive_prefix(const char *verb, const char *path)
{
    if (path && *path)
        return gmf_xasprintf("%s %s: ", verb, path);
    if (verb && *verb)
        return gmf_xasprintf("%s: ", verb);
    return gmf_xstrdup("");
}

/* fixVersion of cmd/go (modload/init.go) without its network query.  Returns NULL with
 * *ret_err set, or the version to use. */
static const char *fix_version(struct parser *p, const char *verb, const char *path,
                               const char *vers, char **ret_err)
{
    size_t prefix_len;
    char *dir = directive_prefix(verb, path);
    char *qv = gmf_modpath_quote(vers, strlen(vers));
    char *canon;
    const char *out = NULL;

    if (!gmf_modpath_split_version(path, &prefix_len)) {
        char *qp = gmf_modpath_quote(path, strlen(path));

        *ret_err = gmf_xasprintf("%sversion %s invalid: malformed module path %s", dir, qv, qp);
        free(qp);
        goto out;
    }
    canon = gmf_semver_canonical(vers);
    if (*vers && canon && !strcmp(canon, vers)) {
        struct gmf_diag d;

        gmf_diag_init(&d);
        if (gmf_modpath_check_path_major(vers, path + prefix_len, &d))
            *ret_err = gmf_xasprintf("%s%s", dir, d.msg);
        else
            out = vers;
    } else if (canon) {
        p->nquery++;
        *ret_err = gmf_xasprintf("%sversion %s invalid: not canonical (go would resolve it with "
                                 "a query and update go.mod)", dir, qv);
    } else {
        /* A branch or tag name: go resolves it with a query too. */
        p->nquery++;
        *ret_err = gmf_xasprintf("%sversion %s invalid: must be of the form v1.2.3", dir, qv);
    }
    free(canon);
out:
    free(qv);
    free(dir);
    return out;
}

enum fix_mode {
    FIX_NONE,    /* ParseLax(..., nil): canonicalise */
    FIX_GO,      /* the main module: fix_version */
    FIX_RETRACT, /* dontFixRetract: keep as written */
};

/* rule.go parseVersion.  Returns the version (arena) or NULL with *ret_err set. */
static const char *parse_version(struct parser *p, const char *verb, const char *path,
                                 struct str s, enum fix_mode fix, char **ret_err)
{
    const char *t, *why;
    char *dir, *q;

    if (!parse_string(p, s, &t, &why)) {
        dir = directive_prefix(verb, path);
        q = quote_str(s);
        *ret_err = gmf_xasprintf("%sversion %s invalid: %s", dir, q, why);
        free(q);
        free(dir);
        return NULL;
    }
    if (fix == FIX_RETRACT)
        return t;
    if (fix == FIX_GO) {
        return fix_version(p, verb, path, t, ret_err);
    } else {
        /* module.CanonicalVersion. */
        char *cv = gmf_semver_canonical(t);
        const char *v;

        if (!cv) {
            dir = directive_prefix(verb, path);
            q = gmf_modpath_quote(t, strlen(t));
            *ret_err = gmf_xasprintf("%sversion %s invalid: must be of the form v1.2.3", dir, q);
            free(q);
            free(dir);
            return NULL;
        }
        v = arena_strndup(p->arena, cv, strlen(cv));
        free(cv);
        return v;
    }
}

/* rule.go modulePathMajor: the pathMajor suffix, or NULL for "invalid module path". */
static const char *module_path_major(const char *path)
{
    size_t n;

    if (!gmf_modpath_split_version(path, &n))
        return NULL;
    return path + n;
}

/* strings.TrimSpace over [*s, *s + *n): unicode spaces off both ends. */
static void trim_space(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n, i = 0, keep_end = 0, first = len;

    while (i < len) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(p + i, len - i, &r);

        if (!is_space(r)) {
            if (first == len)
                first = i;
            keep_end = i + w;
        }
        i += w;
    }
    if (first == len) {
        *n = 0;
        return;
    }
    *s = p + first;
    *n = keep_end - first;
}

/* strings.Fields: the first field of [s, s + n) and the number of fields. */
static size_t fields(const char *s, size_t n, struct str *ret_first)
{
    size_t i = 0, count = 0;

    while (i < n) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(s + i, n - i, &r), start;

        if (is_space(r)) {
            i += w;
            continue;
        }
        start = i;
        while (i < n) {
            w = gmf_modpath_decode_rune(s + i, n - i, &r);
            if (is_space(r))
                break;
            i += w;
        }
        if (count++ == 0) {
            ret_first->p = s + start;
            ret_first->n = i - start;
        }
    }
    return count;
}

/* rule.go isIndirect: the suffix comment is "// indirect" or starts "// indirect;". */
static bool is_indirect(const struct line *l)
{
    const char *s = l->suffix.p;
    size_t n = l->suffix.n, count;
    struct str first = {0};

    if (!s)
        return false;
    if (n >= 2 && s[0] == '/' && s[1] == '/')
        s += 2, n -= 2;
    count = fields(s, n, &first);
    return (count == 1 && str_eq(first, "indirect")) || (count > 1 && str_eq(first, "indirect;"));
}

/* Append comment c to text as parseDirectiveComment does: "//" removed, spaces trimmed,
 * lines joined with "\n".  Blank-line markers (no "//") are skipped. */
static void add_comment_text(struct gmf_buf *text, size_t *nlines, struct str c)
{
    const char *s = c.p;
    size_t n = c.n;

    if (n < 2 || s[0] != '/' || s[1] != '/')
        return;
    s += 2, n -= 2;
    trim_space(&s, &n);
    if ((*nlines)++)
        (void)gmf_buf_putc(text, '\n');
    (void)gmf_buf_append(text, s, n);
}

/* rule.go parseDeprecation over parseDirectiveComment: is there a non-empty paragraph
 * "Deprecated: ..." (deprecatedRE) in the comments on the module line or, failing those,
 * on its block? */
static bool parse_deprecation(const struct stmt *block, const struct line *l)
{
    const struct cgroup *before = &l->before;
    const struct str *suffix = &l->suffix;
    struct gmf_buf text;
    size_t nlines = 0, i;
    const char *t, *m = NULL, *end;
    bool dep;

    if (block && before->n == 0 && !suffix->p) {
        before = &block->head.before;
        suffix = &block->head.suffix;
    }
    gmf_buf_init(&text, GMF_BUF_UNLIMITED);
    for (i = 0; i < before->n; i++)
        add_comment_text(&text, &nlines, before->v[i]);
    if (suffix->p)
        add_comment_text(&text, &nlines, *suffix);
    t = text.data ? text.data : "";
    /* (?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n) */
    if (!strncmp(t, "Deprecated:", 11)) {
        m = t;
    } else {
        const char *q = t;

        while ((q = strstr(q, "\n\nDeprecated:")) != NULL) {
            m = q + 2;
            break;
        }
    }
    dep = false;
    if (m) {
        m += 11;
        while (*m == ' ')
            m++;
        end = strstr(m, "\n\n");
        dep = (end ? (size_t)(end - m) : strlen(m)) > 0;
    }
    gmf_buf_release(&text);
    return dep;
}

/* rule.go GoVersionRE: ^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$ */
static const char *match_num(const char *s, bool zero_ok)
{
    if (*s == '0')
        return zero_ok ? s + 1 : NULL;
    if (*s < '1' || *s > '9')
        return NULL;
    while (*s >= '0' && *s <= '9')
        s++;
    return s;
}

static bool go_version_ok(const char *s)
{
    if (!(s = match_num(s, false)) || *s != '.' || !(s = match_num(s + 1, true)))
        return false;
    if (*s == '.' && !(s = match_num(s + 1, true)))
        return false;
    if (*s >= 'a' && *s <= 'z') {
        while (*s >= 'a' && *s <= 'z')
            s++;
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* rule.go laxGoVersionRE: ^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$ ; the length of
 * the captured "major.minor" after the optional v, or 0. */
static size_t lax_go_version(const char *s, size_t *ret_skip)
{
    const char *start = s + (*s == 'v'), *e;

    if (!(e = match_num(start, false)) || *e != '.' || !(e = match_num(e + 1, true)))
        return 0;
    if (*e == '\0' || (*e >= '0' && *e <= '9'))
        return 0;
    /* ".*" does not match a newline, which tokens never hold. */
    *ret_skip = (size_t)(start - s);
    return (size_t)(e - start);
}

/* The strings of a go.mod statement's arguments as NUL-terminated arena copies, for the
 * directives that use the raw text (go, toolchain, godebug). */
static const char *raw(struct parser *p, struct str s)
{
    return arena_strndup(p->arena, s.p, s.n);
}

static void add_require_or_exclude(struct parser *p, const struct line *l, const char *verb,
                                   const struct str *args, size_t nargs)
{
    const char *s, *why, *v, *pm;
    char *err = NULL;

    if (nargs != 2) {
        add_errorf(p, l->start, "usage: %s module/path v1.2.3", verb);
        return;
    }
    if (!parse_string(p, args[0], &s, &why)) {
        add_errorf(p, l->start, "invalid quoted string: %s", why);
        return;
    }
    v = parse_version(p, verb, s, args[1], p->strict ? FIX_GO : FIX_NONE, &err);
    if (!v) {
        add_error(p, l->start, err);
        free(err);
        return;
    }
    pm = module_path_major(s);
    if (!pm) {
        add_error(p, l->start, "invalid module path");
        return;
    }
    {
        struct gmf_diag d;

        gmf_diag_init(&d);
        if (gmf_modpath_check_path_major(v, pm, &d)) {
            char *dir = directive_prefix(verb, s);

            add_errorf(p, l->start, "%s%s", dir, d.msg);
            free(dir);
            return;
        }
    }
    if (verb[0] == 'r') {
        GMF_GROW(p->require, p->caprequire, p->nrequire + 1);
        p->require[p->nrequire].path = s;
        p->require[p->nrequire].version = v;
        p->require[p->nrequire].indirect = is_indirect(l);
        p->nrequire++;
    } else {
        GMF_GROW(p->exclude, p->capexclude, p->nexclude + 1);
        p->exclude[p->nexclude].path = s;
        p->exclude[p->nexclude].version = v;
        p->nexclude++;
    }
}

/* rule.go parseReplace. */
static void add_replace(struct parser *p, const struct line *l, const struct str *args,
                        size_t nargs)
{
    static const char verb[] = "replace";
    size_t arrow = 2;
    const char *s, *ns, *why, *pm, *v = "", *nv = "";
    char *err = NULL;
    enum fix_mode fix = p->strict ? FIX_GO : FIX_NONE;

    if (nargs >= 2 && str_eq(args[1], "=>"))
        arrow = 1;
    if (nargs < arrow + 2 || nargs > arrow + 3 || !str_eq(args[arrow], "=>")) {
        add_errorf(p, l->start,
                   "usage: %s module/path [v1.2.3] => other/module v1.4\n\t or %s module/path "
                   "[v1.2.3] => ../local/directory", verb, verb);
        return;
    }
    if (!parse_string(p, args[0], &s, &why)) {
        add_errorf(p, l->start, "invalid quoted string: %s", why);
        return;
    }
    pm = module_path_major(s);
    if (!pm) {
        char *dir = directive_prefix(verb, s);

        add_errorf(p, l->start, "%sinvalid module path", dir);
        free(dir);
        return;
    }
    if (arrow == 2) {
        struct gmf_diag d;

        v = parse_version(p, verb, s, args[1], fix, &err);
        if (!v) {
            add_error(p, l->start, err);
            free(err);
            return;
        }
        gmf_diag_init(&d);
        if (gmf_modpath_check_path_major(v, pm, &d)) {
            char *dir = directive_prefix(verb, s);

            add_errorf(p, l->start, "%s%s", dir, d.msg);
            free(dir);
            return;
        }
    }
    if (!parse_string(p, args[arrow + 1], &ns, &why)) {
        add_errorf(p, l->start, "invalid quoted string: %s", why);
        return;
    }
    if (nargs == arrow + 2) {
        if (!gmf_gomod_is_dir_path(ns)) {
            if (strchr(ns, '@'))
                add_error(p, l->start, "replacement module must match format 'path version', "
                                       "not 'path@version'");
            else
                add_error(p, l->start, "replacement module without version must be directory "
                                       "path (rooted or starting with . or ..)");
            return;
        }
        /* On a '/' system a backslash means the file was written on Windows. */
        if (strchr(ns, '\\')) {
            add_error(p, l->start,
                      "replacement directory appears to be Windows path (on a non-windows system)");
            return;
        }
    }
    if (nargs == arrow + 3) {
        nv = parse_version(p, verb, ns, args[arrow + 2], fix, &err);
        if (!nv) {
            add_error(p, l->start, err);
            free(err);
            return;
        }
        if (gmf_gomod_is_dir_path(ns)) {
            char *q = gmf_modpath_quote(ns, strlen(ns));

            add_errorf(p, l->start, "replacement module directory path %s cannot have version", q);
            free(q);
            return;
        }
    }
    GMF_GROW(p->replace, p->capreplace, p->nreplace + 1);
    p->replace[p->nreplace].old_path = s;
    p->replace[p->nreplace].old_version = v;
    p->replace[p->nreplace].new_path = ns;
    p->replace[p->nreplace].new_version = nv;
    p->nreplace++;
}

/* rule.go parseVersionInterval.  The argument list is advanced past the interval. */
static bool parse_interval(struct parser *p, const char *path, const struct str **args,
                           size_t *nargs, enum fix_mode fix, const char **ret_low,
                           const char **ret_high, char **ret_err)
{
    const struct str *t = *args;
    size_t n = *nargs;
    const char *low, *high;

    if (n == 0 || str_eq(t[0], "(")) {
        *ret_err = gmf_xstrdup("expected '[' or version");
        return false;
    }
    if (!str_eq(t[0], "[")) {
        low = parse_version(p, "retract", path, t[0], fix, ret_err);
        if (!low)
            return false;
        *args = t + 1;
        *nargs = n - 1;
        *ret_low = *ret_high = low;
        return true;
    }
    t++, n--;
    if (n == 0) {
        *ret_err = gmf_xstrdup("expected version after '['");
        return false;
    }
    low = parse_version(p, "retract", path, t[0], fix, ret_err);
    if (!low)
        return false;
    t++, n--;
    if (n == 0 || !str_eq(t[0], ",")) {
        *ret_err = gmf_xstrdup("expected ',' after version");
        return false;
    }
    t++, n--;
    if (n == 0) {
        *ret_err = gmf_xstrdup("expected version after ','");
        return false;
    }
    high = parse_version(p, "retract", path, t[0], fix, ret_err);
    if (!high)
        return false;
    t++, n--;
    if (n == 0 || !str_eq(t[0], "]")) {
        *ret_err = gmf_xstrdup("expected ']' after version");
        return false;
    }
    t++, n--;
    *args = t;
    *nargs = n;
    *ret_low = low;
    *ret_high = high;
    return true;
}

static void add_retract(struct parser *p, struct line *l, const struct str *args, size_t nargs)
{
    const char *low, *high;
    char *err = NULL;
    struct str args_start = nargs ? args[0] : (struct str){"", 0};

    if (!parse_interval(p, "", &args, &nargs, FIX_RETRACT, &low, &high, &err)) {
        /* Dependencies may use interval syntax from the future; only the main module's
         * retractions must parse. */
        if (p->strict)
            add_error(p, l->start, err);
        free(err);
        return;
    }
    if (nargs > 0 && p->strict) {
        char *q = quote_str(args[0]);

        add_errorf(p, l->start, "unexpected token after version: %s", q);
        free(q);
        return;
    }
    GMF_GROW(p->retract, p->capretract, p->nretract + 1);
    GMF_GROW(p->retract_src, p->capretract_src, p->nretract + 1);
    p->retract[p->nretract].low = low;
    p->retract[p->nretract].high = high;
    p->retract_src[p->nretract].start = l->start;
    p->retract_src[p->nretract].interval = str_eq(args_start, "[");
    p->nretract++;
}

/* rule.go File.add for one directive. */
static void add_directive(struct parser *p, const struct stmt *block, struct line *l,
                          struct str verb_s, const struct str *args, size_t nargs)
{
    const char *s, *why;
    char verb[16];

    /* Every directive go knows is short; anything longer is unknown anyway. */
    if (verb_s.n >= sizeof(verb)) {
        if (p->strict) {
            char *v = gmf_xstrndup(verb_s.p, verb_s.n);

            add_errorf(p, l->start, "unknown directive: %s", v);
            free(v);
        }
        return;
    }
    memcpy(verb, verb_s.p, verb_s.n);
    verb[verb_s.n] = '\0';
    /* Dependencies: only what matters to a module's users is read; everything else may be
     * from a newer go and is skipped unchecked. */
    if (!p->strict && strcmp(verb, "go") && strcmp(verb, "module") && strcmp(verb, "retract") &&
        strcmp(verb, "require") && strcmp(verb, "ignore"))
        return;

    if (!strcmp(verb, "go")) {
        const char *v;

        if (p->have_go) {
            add_error(p, l->start, "repeated go statement");
            return;
        }
        if (nargs != 1) {
            add_error(p, l->start, "go directive expects exactly one argument");
            return;
        }
        v = raw(p, args[0]);
        if (!go_version_ok(v)) {
            size_t skip = 0, n = p->strict ? 0 : lax_go_version(v, &skip);

            if (!n) {
                add_errorf(p, l->start, "invalid go version '%s': must match format 1.23.0", v);
                return;
            }
            v = arena_strndup(p->arena, v + skip, n);
        }
        p->have_go = true;
        p->go = v;
    } else if (!strcmp(verb, "toolchain")) {
        const char *v;

        if (p->have_toolchain) {
            add_error(p, l->start, "repeated toolchain statement");
            return;
        }
        if (nargs != 1) {
            add_error(p, l->start, "toolchain directive expects exactly one argument");
            return;
        }
        v = raw(p, args[0]);
        /* ToolchainRE: ^default$|^go1($|\.) */
        if (strcmp(v, "default") && strcmp(v, "go1") && strncmp(v, "go1.", 4)) {
            add_errorf(p, l->start,
                       "invalid toolchain version '%s': must match format go1.23.0 or default", v);
            return;
        }
        p->have_toolchain = true;
        p->toolchain = v;
    } else if (!strcmp(verb, "module")) {
        bool dep;

        if (p->have_module) {
            add_error(p, l->start, "repeated module statement");
            return;
        }
        dep = parse_deprecation(block, l);
        p->have_module = true;
        p->deprecated = dep;
        if (nargs != 1) {
            add_error(p, l->start, "usage: module module/path");
            return;
        }
        if (!parse_string(p, args[0], &s, &why)) {
            add_errorf(p, l->start, "invalid quoted string: %s", why);
            return;
        }
        p->module = s;
    } else if (!strcmp(verb, "godebug")) {
        size_t i;
        bool bad = nargs != 1;

        for (i = 0; !bad && i < args[0].n; i++)
            bad = strchr("\"`',", args[0].p[i]) != NULL;
        if (bad || !memchr(args[0].p, '=', args[0].n)) {
            add_error(p, l->start, "usage: godebug key=value");
            return;
        }
        /* Accepted and not kept: godebug settings do not affect downloads. */
    } else if (!strcmp(verb, "require") || !strcmp(verb, "exclude")) {
        add_require_or_exclude(p, l, verb, args, nargs);
    } else if (!strcmp(verb, "replace")) {
        add_replace(p, l, args, nargs);
    } else if (!strcmp(verb, "retract")) {
        add_retract(p, l, args, nargs);
    } else if (!strcmp(verb, "tool") || !strcmp(verb, "ignore")) {
        if (nargs != 1) {
            add_errorf(p, l->start, "%s directive expects exactly one argument", verb);
            return;
        }
        if (!parse_string(p, args[0], &s, &why)) {
            add_errorf(p, l->start, "invalid quoted string: %s", why);
            return;
        }
        /* Accepted and not kept: tools and ignored directories are build matters. */
    } else {
        add_errorf(p, l->start, "unknown directive: %s", verb);
    }
}

/* rule.go fixRetract, for the main module: retractions are checked against the module path,
 * which may come later in the file than the retract itself.  Go re-reads the line's tokens,
 * which the first pass overwrote with the unquoted versions (parseVersion stores its result
 * back into the token), so the second pass parses the first pass's values, not the text. */
static void fix_retract(struct parser *p)
{
    size_t i;

    for (i = 0; i < p->nretract; i++) {
        const struct retract_src *src = &p->retract_src[i];
        struct str lo = {p->retract[i].low, strlen(p->retract[i].low)};
        struct str hi = {p->retract[i].high, strlen(p->retract[i].high)};
        const char *low, *high = NULL;
        char *err = NULL;

        if (!p->module) {
            add_error(p, src->start, "no module directive found, so retract cannot be used");
            return; /* go reports only the first */
        }
        low = parse_version(p, "retract", p->module, lo, FIX_GO, &err);
        if (low && src->interval)
            high = parse_version(p, "retract", p->module, hi, FIX_GO, &err);
        else
            high = low;
        if (!low || !high) {
            add_error(p, src->start, err);
            free(err);
            low = high = "";
        }
        p->retract[i].low = low;
        p->retract[i].high = high;
    }
}

static void parser_release(struct parser *p)
{
    input_release(&p->in);
    gmf_buf_release(&p->errs);
    free(p->require);
    free(p->exclude);
    free(p->replace);
    free(p->retract);
    free(p->retract_src);
    arena_free(p->arena);
}

enum gmf_err gmf_gomod_parse(struct gmf_gomod *ret, const char *data, size_t len,
                             const char *name, unsigned flags, struct gmf_diag *diag)
{
    struct parser p;
    enum gmf_err r = GMF_OK;
    size_t i, j;

    memset(ret, 0, sizeof(*ret));
    memset(&p, 0, sizeof(p));
    p.in.name = name ? name : "go.mod";
    p.in.data = data ? data : "";
    p.in.len = data ? len : 0;
    p.in.pos.line = 1;
    p.in.pos.line_rune = 1;
    p.arena = gmf_xcalloc(1, sizeof(*p.arena));
    p.strict = (flags & GMF_GOMOD_MAIN) != 0;
    gmf_buf_init(&p.errs, GMF_BUF_UNLIMITED);

    if (!parse_file(&p.in)) {
        r = gmf_diag_set(diag, GMF_EPARSE, "%s", p.in.err ? p.in.err : "syntax error");
        goto out;
    }

    for (i = 0; i < p.in.nstmts; i++) {
        struct stmt *s = &p.in.stmts[i];

        if (!s->block) {
            add_directive(&p, NULL, &s->head, s->head.tok[0], s->head.tok + 1,
                          s->head.ntok - 1);
            continue;
        }
        if (s->head.ntok == 1 &&
            (str_eq(s->head.tok[0], "module") || str_eq(s->head.tok[0], "godebug") ||
             str_eq(s->head.tok[0], "require") || str_eq(s->head.tok[0], "exclude") ||
             str_eq(s->head.tok[0], "replace") || str_eq(s->head.tok[0], "retract") ||
             str_eq(s->head.tok[0], "tool") || str_eq(s->head.tok[0], "ignore"))) {
            for (j = 0; j < s->nlines; j++)
                add_directive(&p, s, &s->lines[j], s->head.tok[0], s->lines[j].tok,
                              s->lines[j].ntok);
        } else if (p.strict) {
            struct gmf_buf t;

            gmf_buf_init(&t, GMF_BUF_UNLIMITED);
            for (j = 0; j < s->head.ntok; j++) {
                if (j)
                    (void)gmf_buf_putc(&t, ' ');
                (void)gmf_buf_append(&t, s->head.tok[j].p, s->head.tok[j].n);
            }
            add_errorf(&p, s->head.start, "unknown block type: %s", t.data ? t.data : "");
            gmf_buf_release(&t);
        }
    }
    if (p.strict)
        fix_retract(&p);

    if (p.nerrs) {
        r = gmf_diag_set(diag, p.nquery && p.nquery == p.nerrs ? GMF_EUNSUPPORTED : GMF_EPARSE, "%s", p.errs.data);
        goto out;
    }

    ret->module = p.module ? p.module : "";
    ret->go = p.go ? p.go : "";
    ret->toolchain = p.toolchain ? p.toolchain : "";
    ret->deprecated = p.deprecated;
    ret->require = p.require;
    ret->nrequire = p.nrequire;
    ret->exclude = p.exclude;
    ret->nexclude = p.nexclude;
    ret->replace = p.replace;
    ret->nreplace = p.nreplace;
    ret->retract = p.retract;
    ret->nretract = p.nretract;
    ret->arena_ = p.arena;
    p.require = NULL;
    p.exclude = NULL;
    p.replace = NULL;
    p.retract = NULL;
    p.arena = NULL;
out:
    parser_release(&p);
    return r;
}

void gmf_gomod_release(struct gmf_gomod *m)
{
    if (!m)
        return;
    free(m->require);
    free(m->exclude);
    free(m->replace);
    free(m->retract);
    arena_free(m->arena_);
    memset(m, 0, sizeof(*m));
}

bool gmf_gomod_is_dir_path(const char *ns)
{
    /* go.mod files move between systems, so both Unix and Windows forms count. */
    return !strcmp(ns, ".") || !strncmp(ns, "./", 2) || !strncmp(ns, ".\\", 2) ||
           !strcmp(ns, "..") || !strncmp(ns, "../", 3) || !strncmp(ns, "..\\", 3) ||
           ns[0] == '/' || ns[0] == '\\' ||
           (((ns[0] >= 'A' && ns[0] <= 'Z') || (ns[0] >= 'a' && ns[0] <= 'z')) && ns[1] == ':');
}

/* ---- go versions (go/src/internal/gover) ---- */

struct gover {
    struct str major, minor, patch, kind, pre;
};

/* gover.cutInt: decimal without a needless leading zero. */
static size_t cut_int(const char *s)
{
    size_t i = 0;

    while (s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || (s[0] == '0' && i != 1))
        return 0;
    return i;
}

static bool gover_pre(const char *s, struct gover *v)
{
    size_t i = 0, n;

    while (s[i] && (s[i] < '0' || s[i] > '9')) {
        if (s[i] < 'a' || s[i] > 'z')
            return false;
        i++;
    }
    if (i == 0)
        return false;
    v->kind.p = s;
    v->kind.n = i;
    s += i;
    if (*s == '\0')
        return true;
    n = cut_int(s);
    if (!n || s[n] != '\0')
        return false;
    v->pre.p = s;
    v->pre.n = n;
    return true;
}

/* gover.Parse; false for the zero Version (malformed). */
static bool gover_parse(const char *x, struct gover *v)
{
    static const char zero[] = "0";
    size_t n;

    memset(v, 0, sizeof(*v));
    if (!(n = cut_int(x)))
        return false;
    v->major.p = x;
    v->major.n = n;
    x += n;
    if (*x == '\0') {
        /* "1" means 1.0.0. */
        v->minor.p = v->patch.p = zero;
        v->minor.n = v->patch.n = 1;
        return true;
    }
    if (*x != '.' || !(n = cut_int(x + 1)))
        goto bad;
    v->minor.p = x + 1;
    v->minor.n = n;
    x += 1 + n;
    if (*x == '\0') {
        /* Before 1.21 a missing patch is .0; from 1.21 on, "1.21" is the language version,
         * below 1.21rc1 and 1.21.0. */
        if (v->minor.n < 2 || (v->minor.n == 2 && memcmp(v->minor.p, "21", 2) < 0)) {
            v->patch.p = zero;
            v->patch.n = 1;
        }
        return true;
    }
    if (*x == '.') {
        if (!(n = cut_int(x + 1)))
            goto bad;
        v->patch.p = x + 1;
        v->patch.n = n;
        x += 1 + n;
        if (*x && !gover_pre(x, v))
            goto bad;
        return true;
    }
    if (!gover_pre(x, v))
        goto bad;
    return true;
bad:
    memset(v, 0, sizeof(*v));
    return false;
}

static int cmp_int(struct str x, struct str y)
{
    int c;

    if (x.n != y.n)
        return x.n < y.n ? -1 : 1;
    if (x.n == 0)
        return 0;
    c = memcmp(x.p, y.p, x.n);
    return c < 0 ? -1 : c > 0;
}

static int cmp_str(struct str x, struct str y)
{
    size_t n = x.n < y.n ? x.n : y.n;
    int c = n ? memcmp(x.p, y.p, n) : 0;

    if (c)
        return c < 0 ? -1 : 1;
    if (x.n != y.n)
        return x.n < y.n ? -1 : 1;
    return 0;
}

int gmf_gomod_compare_go(const char *a, const char *b)
{
    struct gover x, y;
    int c;

    (void)gover_parse(a ? a : "", &x);
    (void)gover_parse(b ? b : "", &y);
    if ((c = cmp_int(x.major, y.major)) || (c = cmp_int(x.minor, y.minor)) ||
        (c = cmp_int(x.patch, y.patch)))
        return c;
    if ((c = cmp_str(x.kind, y.kind))) {
        /* "" < alpha < beta < rc for 1.21rc1-style versions, but a patch release's
         * prereleases come before the release: 1.21.3rc1 < 1.21.3. */
        if (x.patch.n) {
            if (!x.kind.n)
                c = 1;
            else if (!y.kind.n)
                c = -1;
        }
        return c;
    }
    return cmp_int(x.pre, y.pre);
}

const struct gmf_replace *gmf_gomod_find_replace(const struct gmf_gomod *m, const char *path,
                                                 const char *version)
{
    const struct gmf_replace *wild = NULL;

    for (size_t i = 0; i < m->nreplace; i++) {
        const struct gmf_replace *r = &m->replace[i];
        if (strcmp(r->old_path, path) != 0)
            continue;
        if (!strcmp(r->old_version, version))
            return r;
        if (!*r->old_version && !wild)
            wild = r;
    }
    return wild;
}
