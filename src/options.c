/* options: the option table, its three layers and the documents generated from it
 * (see options.h).
 *
 * Each option has a value type; parse_value() is the only code that turns text into a value
 * of that type, whichever layer the text came from, and set_value() the only code that
 * stores it.  Layering is done by order, not by bookkeeping: gmf_options_parse() applies the
 * command line and records it; gmf_options_load() resets every layered field to its default,
 * applies the config file, then the environment, then replays the recorded command line.
 */
#include "gmfetch/options.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/config.h"
#include "gmfetch/metrics.h"
#include "gmfetch/xalloc.h"

enum opt_id {
    OPT_JSON,
    OPT_X,
    OPT_C,
    OPT_MODCACHERW,
    OPT_REUSE,
    OPT_MODFILE,
    OPT_OVERLAY,
    OPT_JOBS,
    OPT_CONNECTIONS,
    OPT_SHARD_SIZE,
    OPT_SHARD_THRESHOLD,
    OPT_RETRIES,
    OPT_TIMEOUT,
    OPT_HTTP11,
    OPT_PROBE,
    OPT_WORKERS,
    OPT_DRY_RUN,
    OPT_CONFIG,
    OPT_METRICS_FILE,
    OPT_PROGRESS,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_VERSION,
    OPT_HELP,
    OPT_GENERATE,
};

enum opt_type {
    T_BOOL,  /* strconv.ParseBool words */
    T_COUNT, /* decimal, between min and max */
    T_SIZE,  /* decimal bytes with an optional K, M or G (powers of 1024) */
    T_WORDS, /* one of the '|'-separated words of arg */
    T_FILE,  /* any text; "" where the option says it means "none" */
    T_DIR,
};

enum opt_flags {
    O_GO = 1u << 0,      /* go's own flag: shown with go's single dash */
    O_PERSIST = 1u << 1, /* settable in the config file and as GMFETCH_<NAME> */
};

struct opt {
    enum opt_id id;
    const char *name;
    char short_name;  /* 0 = none */
    enum opt_type type;
    const char *arg;  /* metavariable in the help; NULL for booleans */
    unsigned flags;
    uint64_t min, max; /* T_COUNT and T_SIZE */
    const char *help;
};

/* Bounds: counts above 100000 are typing mistakes, not tuning (no proxy serves 100000
 * parallel requests to one client). */
#define NMAX 100000u

static const struct opt table[] = {
    {OPT_JSON, "json", 0, T_BOOL, NULL, O_GO | O_PERSIST, 0, 0,
     "print one JSON object per module, like go's -json"},
    {OPT_X, "x", 0, T_BOOL, NULL, O_GO | O_PERSIST, 0, 0,
     "print each request, like go's -x (with -v: every HTTP attempt)"},
    {OPT_C, "C", 0, T_DIR, "DIR", O_GO, 0, 0, "change to DIR before doing anything"},
    {OPT_MODCACHERW, "modcacherw", 0, T_BOOL, NULL, O_GO | O_PERSIST, 0, 0,
     "leave extracted module directories writable"},
    {OPT_REUSE, "reuse", 0, T_FILE, "FILE", O_GO, 0, 0,
     "handed to the go command (direct mode only)"},
    {OPT_MODFILE, "modfile", 0, T_FILE, "FILE", O_GO, 0, 0, "handed to the go command"},
    {OPT_OVERLAY, "overlay", 0, T_FILE, "FILE", O_GO, 0, 0, "handed to the go command"},
    {OPT_JOBS, "jobs", 'j', T_COUNT, "N", O_PERSIST, 1, NMAX, "requests in flight at once"},
    {OPT_CONNECTIONS, "connections", 0, T_COUNT, "N", O_PERSIST, 1, NMAX,
     "connections per host"},
    {OPT_SHARD_SIZE, "shard-size", 0, T_SIZE, "BYTES", O_PERSIST, 1, UINT64_MAX,
     "bytes per Range request of a large zip (K, M, G suffixes)"},
    {OPT_SHARD_THRESHOLD, "shard-threshold", 0, T_SIZE, "BYTES", O_PERSIST, 0, UINT64_MAX,
     "split zips larger than this"},
    {OPT_RETRIES, "retries", 0, T_COUNT, "N", O_PERSIST, 0, NMAX,
     "re-requests of one failed shard"},
    {OPT_TIMEOUT, "timeout", 0, T_COUNT, "SECONDS", O_PERSIST, 1, NMAX,
     "abort a request that receives nothing this long"},
    {OPT_HTTP11, "http1.1", 0, T_BOOL, NULL, O_PERSIST, 0, 0, "do not use HTTP/2"},
    {OPT_PROBE, "probe", 0, T_WORDS, "head|range", O_PERSIST, 0, 0,
     "how a zip's size is learnt"},
    {OPT_WORKERS, "workers", 0, T_COUNT, "N", O_PERSIST, 0, NMAX,
     "threads that verify and extract zips (default: CPUs)"},
    {OPT_DRY_RUN, "dry-run", 'n', T_BOOL, NULL, 0, 0, 0,
     "print the plan (modules, cache state, zip sizes, shards); change nothing"},
    {OPT_CONFIG, "config", 0, T_FILE, "FILE", 0, 0, 0,
     "read this config file (\"\": none) instead of ~/.config/gmfetch/config.yaml"},
    {OPT_METRICS_FILE, "metrics-file", 0, T_FILE, "FILE", O_PERSIST, 0, 0,
     "write the run's metrics to FILE (Prometheus text format)"},
    {OPT_PROGRESS, "progress", 0, T_WORDS, "auto|bar|plain|none", O_PERSIST, 0, 0,
     "progress display on stderr (default auto)"},
    {OPT_QUIET, "quiet", 'q', T_BOOL, NULL, O_PERSIST, 0, 0,
     "no progress display and no summary; errors only"},
    {OPT_VERBOSE, "verbose", 'v', T_BOOL, NULL, O_PERSIST, 0, 0,
     "always print the summary line; say what is handed to go"},
    {OPT_VERSION, "version", 0, T_BOOL, NULL, 0, 0, 0, "print the version and exit"},
    {OPT_HELP, "help", 'h', T_BOOL, NULL, 0, 0, 0, "print this help and exit"},
    {OPT_GENERATE, "generate", 0, T_WORDS, "bash|zsh|fish|man", 0, 0, 0,
     "print a shell completion script or the man page"},
};

#define NOPTS (sizeof(table) / sizeof(table[0]))

/* Exit statuses, for --help and the man page (main.c returns them). */
static const struct {
    int code;
    const char *text;
} exit_codes[] = {
    {0, "success (with --dry-run: every module of the plan is fine)"},
    {1, "a module failed, or a checksum did not match go.sum (as go mod download)"},
    {2, "usage error: a bad flag, GMFETCH_* value or config file"},
    {130, "interrupted (SIGINT or SIGTERM)"},
};

struct gmf_options_flag {
    const struct opt *op;
    const char *value; /* as written after '=' or as the next argument; NULL for "-name" */
    int argi, argn;    /* where in argv: argv[argi] and the value's argument if argn is 2 */
};

/* Where a value came from, for messages. */
enum layer { L_FLAG, L_ENV, L_CONFIG };

struct value {
    bool b;
    uint64_t n;
    size_t word;     /* T_WORDS: index among the words of arg */
    const char *s;   /* T_FILE, T_DIR */
};

static const char *dashes(const struct opt *op)
{
    return op->flags & O_GO ? "-" : "--";
}

void gmf_options_init(struct gmf_options *o)
{
    memset(o, 0, sizeof(*o));
    gmf_run_opts_init(&o->run);
    o->progress = GMF_PROGRESS_AUTO;
}

void gmf_options_release(struct gmf_options *o)
{
    for (size_t i = 0; i < o->nstrings; i++)
        free(o->strings[i]);
    free(o->strings);
    free(o->flags);
    free(o->config_used);
    memset(o, 0, sizeof(*o));
}

static const char *keep(struct gmf_options *o, const char *s)
{
    GMF_GROW(o->strings, o->cap_strings, o->nstrings + 1);
    o->strings[o->nstrings] = gmf_xstrdup(s);
    return o->strings[o->nstrings++];
}

static const struct opt *lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(table[i].name) == len && !strncmp(table[i].name, name, len))
            return &table[i];
    for (size_t i = 0; i < NOPTS; i++)
        if (len == 1 && table[i].short_name == name[0])
            return &table[i];
    return NULL;
}

/* ---- one parser per value type ------------------------------------------------------- */

/* strconv.ParseBool, which go's flag package uses for boolean flags. */
static bool parse_bool(const char *s, bool *ret)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

    for (size_t i = 0; i < 6; i++) {
        if (!strcmp(s, yes[i])) {
            *ret = true;
            return true;
        }
        if (!strcmp(s, no[i])) {
            *ret = false;
            return true;
        }
    }
    return false;
}

/* Decimal digits only (no sign, no space: strtoull would accept both), with an optional
 * K, M or G when suffix is set. */
static bool parse_u64(const char *s, bool suffix, uint64_t *ret)
{
    char *end;
    unsigned long long v;

    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return false;
    if (suffix && *end) {
        unsigned shift = *end == 'K' || *end == 'k'   ? 10
                         : *end == 'M' || *end == 'm' ? 20
                         : *end == 'G' || *end == 'g' ? 30
                                                      : 0;
        if (!shift || end[1] || v > (UINT64_MAX >> shift))
            return false;
        v <<= shift;
        end++;
    }
    if (*end)
        return false;
    *ret = v;
    return true;
}

/* The index of s among the '|'-separated words of list, or -1. */
static long word_index(const char *list, const char *s)
{
    size_t len = strlen(s);
    long i = 0;

    for (const char *p = list;; i++) {
        size_t n = strcspn(p, "|");
        if (n == len && !strncmp(p, s, len))
            return i;
        if (!p[n])
            return -1;
        p += n + 1;
    }
}

/* "a, b or c" from "a|b|c". */
static void words_text(const char *list, char *out, size_t cap)
{
    size_t n = 0, count = 1;

    for (const char *p = list; *p; p++)
        count += *p == '|';
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        size_t w = strcspn(list, "|");
        int k = snprintf(out + n, cap - n, "%s%.*s", i == 0 ? "" : i + 1 == count ? " or " : ", ",
                         (int)w, list);
        if (k < 0 || (size_t)k >= cap - n)
            return;
        n += (size_t)k;
        list += w + (list[w] ? 1 : 0);
    }
}

/* What a value of op's type looks like, for "got a sequence" messages. */
static const char *type_text(const struct opt *op)
{
    switch (op->type) {
    case T_BOOL:
        return "true or false";
    case T_COUNT:
        return "a number";
    case T_SIZE:
        return "a number of bytes";
    case T_WORDS:
        return "a word";
    case T_FILE:
        return "a file name";
    case T_DIR:
        return "a directory name";
    }
    return "a value";
}

/* Parse s as a value of op's type.  NULL on success, else why not (for "invalid value ...:
 * <why>"), written into why[]. */
static const char *parse_value(const struct opt *op, const char *s, struct value *ret,
                               char *why, size_t cap)
{
    memset(ret, 0, sizeof(*ret));
    switch (op->type) {
    case T_BOOL:
        if (!parse_bool(s, &ret->b))
            return "want true or false";
        return NULL;
    case T_COUNT:
    case T_SIZE:
        if (!parse_u64(s, op->type == T_SIZE, &ret->n))
            return op->type == T_SIZE ? "want a number of bytes, with an optional K, M or G"
                                      : "want a number";
        if (ret->n < op->min) {
            (void)snprintf(why, cap, "must be at least %" PRIu64, op->min);
            return why;
        }
        if (ret->n > op->max) {
            (void)snprintf(why, cap, "must be at most %" PRIu64, op->max);
            return why;
        }
        return NULL;
    case T_WORDS: {
        long i = word_index(op->arg, s);
        if (i < 0) {
            size_t n = (size_t)snprintf(why, cap, "want ");
            if (n < cap)
                words_text(op->arg, why + n, cap - n);
            return why;
        }
        ret->word = (size_t)i;
        return NULL;
    }
    case T_FILE:
    case T_DIR:
        ret->s = s;
        return NULL;
    }
    return "unknown option type";
}

/* Store a parsed value. */
static void set_value(struct gmf_options *o, const struct opt *op, const struct value *v)
{
    struct gmf_transfer_opts *t = &o->run.transfer;

    switch (op->id) {
    case OPT_JSON:
        o->run.json = v->b;
        break;
    case OPT_X:
        o->run.trace = v->b;
        break;
    case OPT_C:
        o->run.dir = v->s;
        break;
    case OPT_MODCACHERW:
        o->run.modcacherw = v->b;
        break;
    case OPT_REUSE:
    case OPT_MODFILE:
    case OPT_OVERLAY:
        o->delegate_only = true;
        break;
    case OPT_JOBS:
        t->max_total = (unsigned)v->n;
        break;
    case OPT_CONNECTIONS:
        t->max_per_host = (unsigned)v->n;
        break;
    case OPT_SHARD_SIZE:
        t->shard_size = v->n;
        break;
    case OPT_SHARD_THRESHOLD:
        t->shard_threshold = v->n;
        break;
    case OPT_RETRIES:
        t->retries = (unsigned)v->n;
        break;
    case OPT_TIMEOUT:
        t->stall_timeout_s = (long)v->n;
        break;
    case OPT_HTTP11:
        t->http1_only = v->b;
        break;
    case OPT_PROBE:
        t->probe = v->word == 0 ? GMF_PROBE_HEAD : GMF_PROBE_RANGE;
        break;
    case OPT_WORKERS:
        o->run.workers = (unsigned)v->n;
        break;
    case OPT_DRY_RUN:
        o->run.dry_run = v->b;
        break;
    case OPT_CONFIG:
        o->config_file = v->s;
        break;
    case OPT_METRICS_FILE:
        o->metrics_file = v->s;
        break;
    case OPT_PROGRESS: {
        static const enum gmf_progress_mode modes[] = {GMF_PROGRESS_AUTO, GMF_PROGRESS_BAR,
                                                       GMF_PROGRESS_PLAIN, GMF_PROGRESS_NONE};
        o->progress = modes[v->word];
        break;
    }
    case OPT_QUIET:
        o->quiet = v->b;
        if (v->b)
            o->verbose = false;
        break;
    case OPT_VERBOSE:
        o->verbose = v->b;
        if (v->b)
            o->quiet = false;
        break;
    case OPT_VERSION:
        o->version = v->b;
        break;
    case OPT_HELP:
        o->help = v->b;
        break;
    case OPT_GENERATE: {
        static const enum gmf_options_doc docs[] = {GMF_DOC_BASH, GMF_DOC_ZSH, GMF_DOC_FISH,
                                                    GMF_DOC_MAN};
        o->generate = docs[v->word];
        break;
    }
    }
}

/* ---- layer 3: the command line -------------------------------------------------------- */

enum gmf_err gmf_options_parse(struct gmf_options *o, int argc, char **argv,
                               struct gmf_diag *diag)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *name, *eq, *val = NULL, *why;
        const struct opt *op;
        struct value v;
        char buf[160];
        size_t len;

        if (a[0] != '-' || !a[1])
            break;
        if (!strcmp(a, "--")) {
            o->dashdash = true;
            i++;
            break;
        }
        name = a + 1 + (a[1] == '-');
        if (!*name || *name == '-' || *name == '=')
            return gmf_diag_set(diag, GMF_EUSAGE, "bad flag syntax: %s", a);
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
        op = len ? lookup(name, len) : NULL;
        if (!op)
            return gmf_diag_set(diag, GMF_EUSAGE, "flag provided but not defined: -%.*s",
                                (int)len, name);
        if (op->type == T_BOOL) {
            val = eq ? eq + 1 : NULL;
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            return gmf_diag_set(diag, GMF_EUSAGE, "flag needs an argument: -%s", op->name);
        }
        why = parse_value(op, val ? val : "true", &v, buf, sizeof(buf));
        if (why && op->type == T_BOOL) /* go's flag package words these two differently */
            return gmf_diag_set(diag, GMF_EUSAGE, "invalid boolean value \"%s\" for -%s: %s",
                                val, op->name, why);
        if (why)
            return gmf_diag_set(diag, GMF_EUSAGE, "invalid value \"%s\" for flag -%s: %s",
                                val, op->name, why);
        set_value(o, op, &v);
        GMF_GROW(o->flags, o->cap_flags, o->nflags + 1);
        o->flags[o->nflags].op = op;
        o->flags[o->nflags].value = val;
        o->flags[o->nflags].argi = argv[i] == a ? i : i - 1;
        o->flags[o->nflags].argn = argv[i] == a ? 1 : 2;
        o->nflags++;
    }
    o->args = argv + i;
    o->nargs = (size_t)(argc - i);
    o->run.args = o->args;
    o->run.nargs = o->nargs;
    return GMF_OK;
}

size_t gmf_options_go_args(const struct gmf_options *o, char **argv, char **ret)
{
    size_t n = 0;

    for (size_t i = 0; i < o->nflags; i++) {
        const struct gmf_options_flag *fl = &o->flags[i];
        if (!(fl->op->flags & O_GO))
            continue;
        for (int k = 0; k < fl->argn; k++)
            ret[n++] = argv[fl->argi + k];
    }
    if (o->dashdash)
        ret[n++] = (char *)"--";
    for (size_t i = 0; i < o->nargs; i++)
        ret[n++] = o->args[i];
    return n;
}

/* ---- layers 1 and 2: the config file and the environment ------------------------------ */

/* "GMFETCH_" + the name upper case, '-' and '.' as '_'. */
static void env_name(const struct opt *op, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "GMFETCH_");

    for (const char *p = op->name; *p && n + 1 < cap; p++)
        out[n++] = *p == '-' || *p == '.' ? '_' : (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

static const char *real_getenv(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

static enum gmf_err apply_env(struct gmf_options *o, gmf_getenv_fn get, void *ctx,
                              struct gmf_diag *diag)
{
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *op = &table[i];
        char name[64], buf[160];
        const char *s, *why;
        struct value v;

        if (!(op->flags & O_PERSIST))
            continue;
        env_name(op, name, sizeof(name));
        s = get(name, ctx);
        if (!s)
            continue;
        s = keep(o, s);
        why = parse_value(op, s, &v, buf, sizeof(buf));
        if (why)
            return gmf_diag_set(diag, GMF_EUSAGE, "invalid value \"%s\" for %s: %s", s, name,
                                why);
        set_value(o, op, &v);
    }
    return GMF_OK;
}

static enum gmf_err apply_config(struct gmf_options *o, const struct gmf_config *c,
                                 struct gmf_diag *diag)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct gmf_config_entry *e = &c->entries[i];
        const struct opt *op = lookup(e->key, strlen(e->key));
        const char *why;
        struct value v;
        char buf[160];

        /* Short names are for typing, not for files. */
        if (!op || strcmp(op->name, e->key) != 0)
            return gmf_diag_set(diag, GMF_EUSAGE, "%s:%u:%u: unknown option \"%s\"", c->name,
                                e->key_line, e->key_column, e->key);
        if (!(op->flags & O_PERSIST))
            return gmf_diag_set(diag, GMF_EUSAGE,
                                "%s:%u:%u: option \"%s\" cannot be set in a config file",
                                c->name, e->key_line, e->key_column, e->key);
        switch (e->kind) {
        case GMF_CONFIG_NULL:
            return gmf_diag_set(diag, GMF_EUSAGE, "%s:%u:%u: missing value for %s", c->name,
                                e->line, e->column, e->key);
        case GMF_CONFIG_SEQUENCE:
        case GMF_CONFIG_MAPPING:
            return gmf_diag_set(diag, GMF_EUSAGE, "%s:%u:%u: invalid value for %s: want %s, "
                                "got a %s", c->name, e->line, e->column, e->key,
                                type_text(op),
                                e->kind == GMF_CONFIG_SEQUENCE ? "sequence" : "mapping");
        case GMF_CONFIG_SCALAR:
            break;
        }
        /* YAML types: "8" and 'true' are strings, and so not numbers or booleans. */
        if (!e->plain && (op->type == T_BOOL || op->type == T_COUNT || op->type == T_SIZE))
            return gmf_diag_set(diag, GMF_EUSAGE, "%s:%u:%u: invalid value for %s: want %s, "
                                "got a quoted string", c->name, e->line, e->column, e->key,
                                type_text(op));
        why = parse_value(op, keep(o, e->value), &v, buf, sizeof(buf));
        if (why)
            return gmf_diag_set(diag, GMF_EUSAGE, "%s:%u:%u: invalid value \"%s\" for %s: %s",
                                c->name, e->line, e->column, e->value, e->key, why);
        set_value(o, op, &v);
    }
    return GMF_OK;
}

/* The config file to read (heap) and whether it must exist; NULL = none. */
static char *config_path(const struct gmf_options *o, gmf_getenv_fn get, void *ctx,
                         bool *must_exist)
{
    const char *env = get("GMFETCH_CONFIG", ctx);
    const char *xdg = get("XDG_CONFIG_HOME", ctx);
    const char *home = get("HOME", ctx);

    *must_exist = true;
    if (o->config_file)
        return *o->config_file ? gmf_xstrdup(o->config_file) : NULL;
    if (env)
        return *env ? gmf_xstrdup(env) : NULL;
    *must_exist = false;
    if (xdg && xdg[0] == '/')
        return gmf_xasprintf("%s/gmfetch/config.yaml", xdg);
    if (home && *home)
        return gmf_xasprintf("%s/.config/gmfetch/config.yaml", home);
    return NULL;
}

/* Back to the defaults, keeping what is not layered. */
static void reset_layers(struct gmf_options *o)
{
    char **args = o->args;
    size_t nargs = o->nargs;

    gmf_run_opts_init(&o->run);
    o->run.args = args;
    o->run.nargs = nargs;
    o->help = o->version = o->delegate_only = false;
    o->generate = GMF_DOC_NONE;
    o->config_file = o->metrics_file = NULL;
    o->progress = GMF_PROGRESS_AUTO;
    o->quiet = o->verbose = false;
}

static void replay_flags(struct gmf_options *o)
{
    for (size_t i = 0; i < o->nflags; i++) {
        const struct opt *op = o->flags[i].op;
        const char *val = o->flags[i].value;
        struct value v;
        char buf[160];

        /* Parsed once already: cannot fail. */
        (void)parse_value(op, val ? val : "true", &v, buf, sizeof(buf));
        set_value(o, op, &v);
    }
}

enum gmf_err gmf_options_load(struct gmf_options *o, gmf_getenv_fn getenv_fn, void *ctx,
                              struct gmf_diag *diag)
{
    gmf_getenv_fn get = getenv_fn ? getenv_fn : real_getenv;
    struct gmf_config c;
    bool must_exist;
    char *path = config_path(o, get, ctx, &must_exist);
    enum gmf_err e = GMF_OK;

    gmf_config_init(&c);
    free(o->config_used);
    o->config_used = NULL;
    reset_layers(o);
    if (path) {
        e = gmf_config_load(&c, path, diag);
        if (e == GMF_ENOTFOUND && !must_exist) {
            e = GMF_OK;
        } else if (!e) {
            o->config_used = path;
            path = NULL;
            e = apply_config(o, &c, diag);
        } else {
            /* Parse errors carry FILE:LINE:COLUMN; I/O errors name the file. */
            if (e != GMF_EPARSE)
                (void)gmf_diag_prefix(diag, "reading config file");
            e = GMF_EUSAGE;
            if (diag)
                diag->code = e;
        }
    }
    if (!e)
        e = apply_env(o, get, ctx, diag);
    if (e) {
        reset_layers(o);
        free(o->config_used);
        o->config_used = NULL;
    }
    replay_flags(o);
    gmf_config_release(&c);
    free(path);
    return e;
}

/* ---- --help ---------------------------------------------------------------------------- */

/* " (default N)" from the transfer defaults themselves, so the help cannot drift from them. */
static void print_default(FILE *f, const struct opt *op, const struct gmf_transfer_opts *t)
{
    switch (op->id) {
    case OPT_JOBS:
        (void)fprintf(f, " (default %u)", t->max_total);
        break;
    case OPT_CONNECTIONS:
        (void)fprintf(f, " (default %u)", t->max_per_host);
        break;
    case OPT_SHARD_SIZE:
        (void)fprintf(f, " (default %" PRIu64 ")", t->shard_size);
        break;
    case OPT_SHARD_THRESHOLD:
        (void)fprintf(f, " (default %" PRIu64 ")", t->shard_threshold);
        break;
    case OPT_RETRIES:
        (void)fprintf(f, " (default %u)", t->retries);
        break;
    case OPT_TIMEOUT:
        (void)fprintf(f, " (default %ld)", t->stall_timeout_s);
        break;
    case OPT_PROBE:
        (void)fprintf(f, " (default %s)", t->probe == GMF_PROBE_HEAD ? "head" : "range");
        break;
    default:
        break;
    }
}

static void put_roff(FILE *f, const char *s);

/* The settable names (or their GMFETCH_ variables), wrapped at 80 columns. */
static void print_persistent(FILE *f, const char *indent, bool env, bool roff)
{
    size_t col = 0;

    for (size_t i = 0; i < NOPTS; i++) {
        char name[64];
        size_t n;

        if (!(table[i].flags & O_PERSIST))
            continue;
        if (env)
            env_name(&table[i], name, sizeof(name));
        else
            (void)snprintf(name, sizeof(name), "%s", table[i].name);
        n = strlen(name);
        if (col && col + 1 + n > 78) {
            (void)fputc('\n', f);
            col = 0;
        }
        (void)fputs(col ? " " : indent, f);
        if (roff)
            put_roff(f, name);
        else
            (void)fputs(name, f);
        col += (col ? 1 : strlen(indent)) + n;
    }
    (void)fputc('\n', f);
}

/* Width of the flag column of --help. */
#define HELP_LEFT 24

void gmf_options_help(FILE *f)
{
    struct gmf_transfer_opts defaults;

    gmf_transfer_opts_default(&defaults);
    (void)fprintf(f, "usage: gmfetch [flags] [modules]\n\n"
                     "Fill the Go module cache like 'go mod download', faster.\n"
                     "Modules: none (the main module's requirements), all, path, "
                     "path@version.\n\nFlags:\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *op = &table[i];
        char left[64], text[256];
        FILE *mem;
        size_t col;

        if (op->short_name)
            (void)snprintf(left, sizeof(left), "-%c, %s%s%s%s", op->short_name, dashes(op),
                           op->name, op->arg ? " " : "", op->arg ? op->arg : "");
        else
            (void)snprintf(left, sizeof(left), "%s%s%s%s", dashes(op), op->name,
                           op->arg ? " " : "", op->arg ? op->arg : "");
        /* The description with its default, wrapped into the right-hand column. */
        mem = fmemopen(text, sizeof(text), "w");
        if (!mem)
            continue;
        (void)fputs(op->help, mem);
        print_default(mem, op, &defaults);
        (void)fclose(mem);
        text[sizeof(text) - 1] = '\0';
        (void)fprintf(f, "  %-*s", HELP_LEFT, left);
        col = 2 + (strlen(left) > HELP_LEFT ? strlen(left) : HELP_LEFT);
        if (strlen(left) >= HELP_LEFT) {
            (void)fprintf(f, "\n%*s", HELP_LEFT + 2, "");
            col = HELP_LEFT + 2;
        }
        for (const char *w = text; *w;) {
            size_t n = strcspn(w, " ");
            if (col > HELP_LEFT + 2 && col + 1 + n > 80) {
                (void)fprintf(f, "\n%*s", HELP_LEFT + 2, "");
                col = HELP_LEFT + 2;
            }
            (void)fprintf(f, " %.*s", (int)n, w);
            col += 1 + n;
            w += n;
            while (*w == ' ')
                w++;
        }
        (void)fputc('\n', f);
    }
    (void)fprintf(f, "\nConfiguration: flags override GMFETCH_<NAME> environment variables "
                     "(e.g. GMFETCH_JOBS,\nGMFETCH_HTTP1_1), which override the config file "
                     "(--config FILE, $GMFETCH_CONFIG,\nelse $XDG_CONFIG_HOME/gmfetch/"
                     "config.yaml or ~/.config/gmfetch/config.yaml).\nSettable there:\n");
    print_persistent(f, "  ", false, false);
    (void)fprintf(f, "\nExit status:\n");
    for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
        (void)fprintf(f, "  %-4d %s\n", exit_codes[i].code, exit_codes[i].text);
}

/* ---- completions and the man page ------------------------------------------------------ */

/* Words an option's value can take, for completion ("head|range" lists them). */
static bool value_words(const struct opt *op)
{
    return op->type == T_WORDS;
}

static void words_spaced(const struct opt *op, char *out, size_t cap)
{
    (void)snprintf(out, cap, "%s", op->arg);
    for (char *c = out; *c; c++)
        if (*c == '|')
            *c = ' ';
}

static void write_bash(FILE *f)
{
    (void)fprintf(f, "# bash completion for gmfetch (generated by gmfetch --generate=bash)\n"
                     "_gmfetch()\n{\n"
                     "    local cur prev\n"
                     "    cur=${COMP_WORDS[COMP_CWORD]}\n"
                     "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
                     "    case $prev in\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *op = &table[i];
        if (!op->arg)
            continue;
        (void)fprintf(f, "    -%s|--%s", op->name, op->name);
        if (op->short_name)
            (void)fprintf(f, "|-%c", op->short_name);
        (void)fprintf(f, ")\n");
        if (value_words(op)) {
            char words[128];
            words_spaced(op, words, sizeof(words));
            (void)fprintf(f, "        COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n",
                          words);
        } else if (op->type == T_DIR) {
            (void)fprintf(f, "        COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n");
        } else if (op->type == T_FILE) {
            (void)fprintf(f, "        COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
        } else {
            (void)fprintf(f, "        return ;;\n");
        }
    }
    (void)fprintf(f, "    esac\n"
                     "    if [[ $cur == -* ]]; then\n"
                     "        COMPREPLY=($(compgen -W '");
    for (size_t i = 0; i < NOPTS; i++) {
        (void)fprintf(f, "%s%s%s", i ? " " : "", dashes(&table[i]), table[i].name);
        if (table[i].short_name)
            (void)fprintf(f, " -%c", table[i].short_name);
    }
    (void)fprintf(f, "' -- \"$cur\"))\n"
                     "    else\n"
                     "        COMPREPLY=($(compgen -W 'all' -- \"$cur\"))\n"
                     "    fi\n"
                     "}\n"
                     "complete -F _gmfetch gmfetch\n");
}

/* Single quotes inside a zsh/fish description. */
static void put_desc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            (void)fputs("'\\''", f);
        else if (*s == '[' || *s == ']')
            (void)fprintf(f, "\\%c", *s);
        else
            (void)fputc(*s, f);
    }
}

static void write_zsh(FILE *f)
{
    (void)fprintf(f, "#compdef gmfetch\n"
                     "# zsh completion for gmfetch (generated by gmfetch --generate=zsh)\n"
                     "_arguments -s \\\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *op = &table[i];
        const char *action = "";
        char words[160] = "", spaced[128];

        if (value_words(op)) {
            words_spaced(op, spaced, sizeof(spaced));
            (void)snprintf(words, sizeof(words), ":%s:(%s)", op->name, spaced);
            action = words;
        } else if (op->arg) {
            action = op->type == T_DIR    ? ":directory:_directories"
                     : op->type == T_FILE ? ":file:_files"
                                          : ":value:";
        }
        if (op->short_name)
            (void)fprintf(f, "  '(-%s --%s -%c)'{-%s,--%s,-%c}'[", op->name, op->name,
                          op->short_name, op->name, op->name, op->short_name);
        else
            (void)fprintf(f, "  '(-%s --%s)'{-%s,--%s}'[", op->name, op->name, op->name,
                          op->name);
        put_desc(f, op->help);
        (void)fprintf(f, "]%s' \\\n", action);
    }
    (void)fprintf(f, "  '*:module:(all)'\n");
}

static void write_fish(FILE *f)
{
    (void)fprintf(f, "# fish completion for gmfetch (generated by gmfetch --generate=fish)\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *op = &table[i];
        (void)fprintf(f, "complete -c gmfetch -o '%s' -l '%s'", op->name, op->name);
        if (op->short_name)
            (void)fprintf(f, " -s %c", op->short_name);
        if (value_words(op)) {
            char words[128];
            words_spaced(op, words, sizeof(words));
            (void)fprintf(f, " -x -a '%s'", words);
        } else if (op->type == T_FILE) {
            (void)fprintf(f, " -r -F");
        } else if (op->arg) {
            (void)fprintf(f, " -r");
        }
        (void)fprintf(f, " -d '");
        put_desc(f, op->help);
        (void)fprintf(f, "'\n");
    }
    (void)fprintf(f, "complete -c gmfetch -f -a all -d 'every module of the build list'\n");
}

/* roff with the few escapes our texts need. */
static void put_roff(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '-')
            (void)fputs("\\-", f);
        else if (*s == '\\')
            (void)fputs("\\e", f);
        else
            (void)fputc(*s, f);
    }
}

static void write_man(FILE *f, const char *version)
{
    struct gmf_transfer_opts defaults;

    gmf_transfer_opts_default(&defaults);
    (void)fprintf(f, ".\\\" generated by gmfetch --generate=man\n"
                     ".TH GMFETCH 1 \"\" \"gmfetch %s\" \"User Commands\"\n"
                     ".nh\n"
                     ".SH NAME\n"
                     "gmfetch \\- fill the Go module cache like go mod download, faster\n"
                     ".SH SYNOPSIS\n"
                     ".B gmfetch\n[\\fIflags\\fR] [\\fBall\\fR | \\fIpath\\fR | "
                     "\\fIpath\\fB@\\fIversion\\fR ...]\n"
                     ".SH DESCRIPTION\n"
                     "gmfetch computes the modules that \\fBgo mod download\\fR would fetch "
                     "for the same arguments, fetches their .info, .mod and .zip files "
                     "concurrently (large zips as HTTP Range shards), verifies them against "
                     "go.sum and installs them into GOMODCACHE exactly as the go command "
                     "would, so that go builds offline afterwards.\n"
                     ".PP\n"
                     "Workspaces, version queries, module patterns, modules fetched "
                     "\\fBdirect\\fR and a go.mod that go would rewrite are handed to "
                     "\\fBgo mod download\\fR.\n"
                     ".SH OPTIONS\n"
                     "go's flags take one dash, gmfetch's own two or one; values follow as "
                     "\\fB\\-name=value\\fR or \\fB\\-name value\\fR; booleans also take "
                     "\\fB\\-name=false\\fR.\n",
                  version);
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *op = &table[i];
        (void)fprintf(f, ".TP\n");
        if (op->short_name)
            (void)fprintf(f, "\\fB\\-%c\\fR, ", op->short_name);
        (void)fprintf(f, "\\fB");
        put_roff(f, dashes(op));
        put_roff(f, op->name);
        (void)fprintf(f, "\\fR");
        if (op->arg) {
            (void)fprintf(f, " \\fI");
            put_roff(f, op->arg);
            (void)fprintf(f, "\\fR");
        }
        (void)fprintf(f, "\n");
        put_roff(f, op->help);
        (void)fprintf(f, "\n");
    }
    (void)fprintf(f,
                  ".SH CONFIGURATION\n"
                  "Options are taken from, highest first: the command line, the environment "
                  "(\\fBGMFETCH_\\fR\\fINAME\\fR), the config file, the defaults.  The config "
                  "file is \\fB\\-\\-config\\fR \\fIFILE\\fR (which must exist; an empty name "
                  "reads none), else \\fB$GMFETCH_CONFIG\\fR, else "
                  "\\fB$XDG_CONFIG_HOME/gmfetch/config.yaml\\fR, else "
                  "\\fB~/.config/gmfetch/config.yaml\\fR (a missing default file is fine).  "
                  "It is a YAML mapping from long option names to values, written as on the "
                  "command line:\n"
                  ".PP\n.RS\n.nf\njobs: 32\nshard\\-size: 8M\nhttp1.1: true\nprogress: plain\n"
                  ".fi\n.RE\n.PP\n"
                  "Unknown names, values of the wrong type or out of range, duplicate names "
                  "and a document that is not a mapping are errors reported as "
                  "\\fIFILE\\fR:\\fILINE\\fR:\\fICOLUMN\\fR (exit status 2).  Settable "
                  "names:\n.PP\n.RS\n");
    print_persistent(f, "", false, true);
    (void)fprintf(f, ".RE\n"
                     ".SH PROGRESS\n"
                     "With \\fB\\-\\-progress=auto\\fR (the default) gmfetch draws a one-line "
                     "display on stderr when stderr is a terminal, unless \\fBCI=true\\fR or "
                     "\\fBTERM=dumb\\fR; otherwise it prints a plain line after %.0f seconds "
                     "and then at doubling intervals of at most %.0f seconds; "
                     "\\fB\\-\\-quiet\\fR prints none.  stdout (\\fB\\-json\\fR) is never "
                     "touched.  A one-line summary (modules, bytes, time, rate, cache hits, "
                     "retries) closes the run on stderr when progress is not \\fBnone\\fR and "
                     "stderr is a terminal, or a plain progress line was printed, or with "
                     "\\fB\\-\\-verbose\\fR; so scripts that compare stderr with go's see "
                     "nothing extra.\n",
                  GMF_PROGRESS_PLAIN_FIRST_S, GMF_PROGRESS_PLAIN_MAX_S);
    (void)fprintf(f, ".SH DRY RUN\n"
                     "\\fB\\-\\-dry\\-run\\fR loads the module graph as a real run does (go.mod "
                     "files missing from the cache are fetched, into memory only), then prints "
                     "one line per module of the download list on stdout: whether the cache "
                     "already has it, and for a missing zip its size (from the headers "
                     "of the first Range request, whose body is cut off at once) and how many "
                     "requests would fetch it.  Nothing is "
                     "written: no file in GOMODCACHE, no go.sum, no go command.  With "
                     "\\fB\\-json\\fR the plan is one JSON object per module.\n");
    (void)fprintf(f, ".SH METRICS\n"
                     "\\fB\\-\\-metrics\\-file\\fR \\fIFILE\\fR writes the Prometheus text "
                     "exposition format at the end of every run, success or failure, through "
                     "\\fIFILE\\fB.tmp\\-\\fIpid\\fR renamed into place, as node_exporter's "
                     "textfile collector expects.  Counters count the run that wrote the "
                     "file.\n");
    for (size_t i = 0; gmf_metrics_def(i); i++) {
        const struct gmf_metrics_def *d = gmf_metrics_def(i);
        (void)fprintf(f, ".TP\n.B ");
        put_roff(f, d->name);
        (void)fprintf(f, "\n%s: ", d->type);
        put_roff(f, d->help);
        (void)fputc('\n', f);
    }
    (void)fprintf(f, ".SH ENVIRONMENT\n"
                     "GOPROXY, GOMODCACHE, GOPATH, GOFLAGS, GONOPROXY, GONOSUMDB, GOPRIVATE, "
                     "GOINSECURE, GOSUMDB and GOENV, resolved as the go command resolves them; "
                     "SSL_CERT_FILE and SSL_CERT_DIR for HTTPS proxies; HTTPS_PROXY, "
                     "HTTP_PROXY and NO_PROXY as libcurl reads them; CI and TERM for "
                     "\\fB\\-\\-progress=auto\\fR.\n"
                     ".PP\n"
                     "GMFETCH_CONFIG names the config file.  Each settable option is also "
                     "read from GMFETCH_\\fINAME\\fR:\n.PP\n.RS\n");
    print_persistent(f, "", true, true);
    (void)fprintf(f, ".RE\n.SH EXIT STATUS\n");
    for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++) {
        (void)fprintf(f, ".TP\n%d\n", exit_codes[i].code);
        put_roff(f, exit_codes[i].text);
        (void)fputc('\n', f);
    }
    (void)fprintf(f, ".SH FILES\n"
                     ".TP\n.I ~/.config/gmfetch/config.yaml\n"
                     "the config file (see CONFIGURATION)\n"
                     ".TP\n.I docs/config.example.yaml\n"
                     "in the source tree: a commented example\n"
                     ".SH SEE ALSO\n"
                     ".BR go (1)\n");
}

void gmf_options_write_doc(FILE *f, enum gmf_options_doc kind, const char *version)
{
    switch (kind) {
    case GMF_DOC_BASH:
        write_bash(f);
        break;
    case GMF_DOC_ZSH:
        write_zsh(f);
        break;
    case GMF_DOC_FISH:
        write_fish(f);
        break;
    case GMF_DOC_MAN:
        write_man(f, version);
        break;
    case GMF_DOC_NONE:
        break;
    }
}
