/* options: the option table and its parser (see options.h). */
#include "gmfetch/options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    OPT_VERSION,
    OPT_HELP,
    OPT_GENERATE,
};

struct opt {
    enum opt_id id;
    const char *name;
    char short_name; /* 0 = none */
    const char *arg;  /* NULL = boolean flag */
    const char *help;
};

/* go's own flags are shown with go's single dash, gmfetch's with two (both forms work). */
static const char *dashes(const struct opt *op);

static const struct opt table[] = {
    {OPT_JSON, "json", 0, NULL, "print one JSON object per module, as go mod download -json"},
    {OPT_X, "x", 0, NULL, "print each request, as go's -x"},
    {OPT_C, "C", 0, "DIR", "change to DIR before doing anything"},
    {OPT_MODCACHERW, "modcacherw", 0, NULL, "leave extracted module directories writable"},
    {OPT_REUSE, "reuse", 0, "FILE", "handed to the go command (direct mode only)"},
    {OPT_MODFILE, "modfile", 0, "FILE", "handed to the go command"},
    {OPT_OVERLAY, "overlay", 0, "FILE", "handed to the go command"},
    {OPT_JOBS, "jobs", 'j', "N", "requests in flight at once"},
    {OPT_CONNECTIONS, "connections", 0, "N", "connections per host"},
    {OPT_SHARD_SIZE, "shard-size", 0, "BYTES", "bytes per Range request of a large zip"},
    {OPT_SHARD_THRESHOLD, "shard-threshold", 0, "BYTES", "split zips larger than this"},
    {OPT_RETRIES, "retries", 0, "N", "re-requests of one failed shard"},
    {OPT_TIMEOUT, "timeout", 0, "SECONDS", "abort a request that receives nothing this long"},
    {OPT_HTTP11, "http1.1", 0, NULL, "do not use HTTP/2"},
    {OPT_PROBE, "probe", 0, "head|range", "how a zip's size is learnt"},
    {OPT_WORKERS, "workers", 0, "N", "threads that verify and extract zips (default: CPUs)"},
    {OPT_VERSION, "version", 0, NULL, "print the version and exit"},
    {OPT_HELP, "help", 'h', NULL, "print this help and exit"},
    {OPT_GENERATE, "generate", 0, "bash|zsh|fish|man",
     "print a shell completion script or the man page"},
};

static const char *dashes(const struct opt *op)
{
    switch (op->id) {
    case OPT_JSON:
    case OPT_X:
    case OPT_C:
    case OPT_MODCACHERW:
    case OPT_REUSE:
    case OPT_MODFILE:
    case OPT_OVERLAY:
        return "-";
    default:
        return "--";
    }
}

void gmf_options_init(struct gmf_options *o)
{
    memset(o, 0, sizeof(*o));
    gmf_run_opts_init(&o->run);
}

void gmf_options_release(struct gmf_options *o)
{
    memset(o, 0, sizeof(*o));
}

static const struct opt *lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strlen(table[i].name) == len && !strncmp(table[i].name, name, len))
            return &table[i];
        if (len == 1 && table[i].short_name == name[0])
            return &table[i];
    }
    return NULL;
}

/* Parse a size: decimal with an optional K, M or G suffix (powers of 1024). */
static bool parse_u64(const char *s, bool suffix, uint64_t *ret)
{
    char *end;
    unsigned long long v;

    if (!*s || *s == '-')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return false;
    if (suffix && *end) {
        unsigned shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20
                         : *end == 'G' || *end == 'g'                  ? 30
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

static enum gmf_err apply(struct gmf_options *o, const struct opt *op, const char *val,
                          struct gmf_diag *diag)
{
    struct gmf_transfer_opts *t = &o->run.transfer;
    uint64_t n = 0;
    bool numeric = op->id == OPT_JOBS || op->id == OPT_CONNECTIONS ||
                   op->id == OPT_SHARD_SIZE || op->id == OPT_SHARD_THRESHOLD ||
                   op->id == OPT_RETRIES || op->id == OPT_TIMEOUT || op->id == OPT_WORKERS;

    if (numeric) {
        bool sized = op->id == OPT_SHARD_SIZE || op->id == OPT_SHARD_THRESHOLD;
        if (!parse_u64(val, sized, &n) || n > (sized ? UINT64_MAX : 100000))
            return gmf_diag_set(diag, GMF_EUSAGE, "invalid value \"%s\" for flag -%s", val,
                                op->name);
        if (n == 0 && (op->id == OPT_JOBS || op->id == OPT_CONNECTIONS ||
                       op->id == OPT_SHARD_SIZE || op->id == OPT_TIMEOUT))
            return gmf_diag_set(diag, GMF_EUSAGE, "invalid value \"%s\" for flag -%s: must be "
                                "positive", val, op->name);
    }
    switch (op->id) {
    case OPT_JSON:
        o->run.json = true;
        break;
    case OPT_X:
        o->run.trace = true;
        break;
    case OPT_C:
        o->run.dir = val;
        break;
    case OPT_MODCACHERW:
        o->run.modcacherw = true;
        break;
    case OPT_REUSE:
    case OPT_MODFILE:
    case OPT_OVERLAY:
        o->delegate_only = true;
        break;
    case OPT_JOBS:
        t->max_total = (unsigned)n;
        break;
    case OPT_CONNECTIONS:
        t->max_per_host = (unsigned)n;
        break;
    case OPT_SHARD_SIZE:
        t->shard_size = n;
        break;
    case OPT_SHARD_THRESHOLD:
        t->shard_threshold = n;
        break;
    case OPT_RETRIES:
        t->retries = (unsigned)n;
        break;
    case OPT_TIMEOUT:
        t->stall_timeout_s = (long)n;
        break;
    case OPT_HTTP11:
        t->http1_only = true;
        break;
    case OPT_PROBE:
        if (!strcmp(val, "head"))
            t->probe = GMF_PROBE_HEAD;
        else if (!strcmp(val, "range"))
            t->probe = GMF_PROBE_RANGE;
        else
            return gmf_diag_set(diag, GMF_EUSAGE,
                                "invalid value \"%s\" for flag -probe: want head or range", val);
        break;
    case OPT_WORKERS:
        o->run.workers = (unsigned)n;
        break;
    case OPT_VERSION:
        o->version = true;
        break;
    case OPT_HELP:
        o->help = true;
        break;
    case OPT_GENERATE:
        o->generate = !strcmp(val, "bash")   ? GMF_DOC_BASH
                      : !strcmp(val, "zsh")  ? GMF_DOC_ZSH
                      : !strcmp(val, "fish") ? GMF_DOC_FISH
                      : !strcmp(val, "man")  ? GMF_DOC_MAN
                                             : GMF_DOC_NONE;
        if (o->generate == GMF_DOC_NONE)
            return gmf_diag_set(diag, GMF_EUSAGE,
                                "invalid value \"%s\" for flag -generate: want bash, zsh, fish "
                                "or man",
                                val);
        break;
    }
    return GMF_OK;
}

enum gmf_err gmf_options_parse(struct gmf_options *o, int argc, char **argv,
                               struct gmf_diag *diag)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *name, *eq, *val = NULL;
        const struct opt *op;
        size_t len;

        if (a[0] != '-' || !a[1])
            break;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        name = a + 1 + (a[1] == '-');
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
        op = len ? lookup(name, len) : NULL;
        if (!op)
            return gmf_diag_set(diag, GMF_EUSAGE, "flag provided but not defined: -%.*s",
                                (int)len, name);
        if (op->arg) {
            if (eq) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                return gmf_diag_set(diag, GMF_EUSAGE, "flag needs an argument: -%s", op->name);
            }
        } else if (eq) {
            /* go's boolean flags accept -x=true / -x=false. */
            if (!strcmp(eq + 1, "false"))
                continue;
            if (strcmp(eq + 1, "true") != 0)
                return gmf_diag_set(diag, GMF_EUSAGE,
                                    "invalid boolean value \"%s\" for -%s", eq + 1, op->name);
        }
        enum gmf_err e = apply(o, op, val, diag);
        if (e)
            return e;
    }
    o->args = argv + i;
    o->nargs = (size_t)(argc - i);
    o->run.args = o->args;
    o->run.nargs = o->nargs;
    return GMF_OK;
}

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
    default:
        break;
    }
}

void gmf_options_help(FILE *f)
{
    struct gmf_transfer_opts defaults;

    gmf_transfer_opts_default(&defaults);
    (void)fprintf(f, "usage: gmfetch [flags] [modules]\n\n"
                     "Fill the Go module cache like 'go mod download', faster.\n"
                     "Modules: none (the main module's requirements), all, path, "
                     "path@version.\n\nFlags:\n");
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        char left[64];
        const struct opt *op = &table[i];
        if (op->short_name)
            (void)snprintf(left, sizeof(left), "-%c, %s%s%s%s", op->short_name, dashes(op),
                           op->name, op->arg ? " " : "", op->arg ? op->arg : "");
        else
            (void)snprintf(left, sizeof(left), "%s%s%s%s", dashes(op), op->name,
                           op->arg ? " " : "", op->arg ? op->arg : "");
        (void)fprintf(f, "  %-28s %s", left, op->help);
        print_default(f, op, &defaults);
        (void)fputc('\n', f);
    }
    (void)fprintf(f, "\nExit status: 0 success, 1 a module failed, 2 usage error, "
                     "130 interrupted.\n");
}

#define NOPTS (sizeof(table) / sizeof(table[0]))

/* Words an option's value can take, for completion ("head|range" lists them). */
static bool value_words(const struct opt *op)
{
    return op->arg && strchr(op->arg, '|');
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
        (void)fprintf(f, "    -%s|--%s)\n", op->name, op->name);
        if (value_words(op)) {
            char words[128];
            (void)snprintf(words, sizeof(words), "%s", op->arg);
            for (char *c = words; *c; c++)
                if (*c == '|')
                    *c = ' ';
            (void)fprintf(f, "        COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n",
                          words);
        } else if (!strcmp(op->arg, "DIR")) {
            (void)fprintf(f, "        COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n");
        } else if (!strcmp(op->arg, "FILE")) {
            (void)fprintf(f, "        COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
        } else {
            (void)fprintf(f, "        return ;;\n");
        }
    }
    (void)fprintf(f, "    esac\n"
                     "    if [[ $cur == -* ]]; then\n"
                     "        COMPREPLY=($(compgen -W '");
    for (size_t i = 0; i < NOPTS; i++)
        (void)fprintf(f, "%s-%s", i ? " " : "", table[i].name);
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
        char words[160] = "";

        if (value_words(op)) {
            (void)snprintf(words, sizeof(words), ":%s:(%s)", op->name, op->arg);
            for (char *c = words; *c; c++)
                if (*c == '|')
                    *c = ' ';
            action = words;
        } else if (op->arg) {
            action = !strcmp(op->arg, "DIR")    ? ":directory:_directories"
                     : !strcmp(op->arg, "FILE") ? ":file:_files"
                                                : ":value:";
        }
        (void)fprintf(f, "  '(-%s --%s)'{-%s,--%s}'[", op->name, op->name, op->name, op->name);
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
            (void)snprintf(words, sizeof(words), "%s", op->arg);
            for (char *c = words; *c; c++)
                if (*c == '|')
                    *c = ' ';
            (void)fprintf(f, " -x -a '%s'", words);
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
    (void)fprintf(f, ".\\\" generated by gmfetch --generate=man\n"
                     ".TH GMFETCH 1 \"\" \"gmfetch %s\" \"User Commands\"\n"
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
                     "\\fB\\-name=value\\fR or \\fB\\-name value\\fR.\n",
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
    (void)fprintf(f, ".SH ENVIRONMENT\n"
                     "GOPROXY, GOMODCACHE, GOPATH, GOFLAGS, GONOPROXY, GONOSUMDB, GOPRIVATE, "
                     "GOINSECURE, GOSUMDB and GOENV, resolved as the go command resolves them; "
                     "SSL_CERT_FILE and SSL_CERT_DIR for HTTPS proxies.\n"
                     ".SH EXIT STATUS\n"
                     ".TP\n0\nsuccess\n"
                     ".TP\n1\na module failed, or a checksum did not match go.sum\n"
                     ".TP\n2\nusage error\n"
                     ".TP\n130\ninterrupted\n"
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
