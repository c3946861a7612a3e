/* options: the option table and its parser (see options.h). */
#include "gmfetch/options.h"

#include <errno.h>
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
    OPT_VERBOSE,
    OPT_QUIET,
    OPT_VERSION,
    OPT_HELP,
};

struct opt {
    enum opt_id id;
    const char *name;
    char short_name; /* 0 = none */
    const char *arg;  /* NULL = boolean flag */
    const char *help;
};

static const struct opt table[] = {
    {OPT_JSON, "json", 0, NULL, "print one JSON object per module, as go mod download -json"},
    {OPT_X, "x", 0, NULL, "print each request, as go's -x"},
    {OPT_C, "C", 0, "DIR", "change to DIR before doing anything"},
    {OPT_MODCACHERW, "modcacherw", 0, NULL, "leave extracted module directories writable"},
    {OPT_REUSE, "reuse", 0, "FILE", "handed to the go command (direct mode only)"},
    {OPT_MODFILE, "modfile", 0, "FILE", "handed to the go command"},
    {OPT_OVERLAY, "overlay", 0, "FILE", "handed to the go command"},
    {OPT_JOBS, "jobs", 'j', "N", "requests in flight at once (default 64)"},
    {OPT_CONNECTIONS, "connections", 0, "N", "connections per host (default 8)"},
    {OPT_SHARD_SIZE, "shard-size", 0, "BYTES", "bytes per Range request of a large zip"},
    {OPT_SHARD_THRESHOLD, "shard-threshold", 0, "BYTES", "split zips larger than this"},
    {OPT_RETRIES, "retries", 0, "N", "re-requests of one failed shard"},
    {OPT_TIMEOUT, "timeout", 0, "SECONDS", "abort a request that receives nothing this long"},
    {OPT_HTTP11, "http1.1", 0, NULL, "do not use HTTP/2"},
    {OPT_PROBE, "probe", 0, "head|range", "how a zip's size is learnt"},
    {OPT_WORKERS, "workers", 0, "N", "threads that verify and extract zips (default: CPUs)"},
    {OPT_VERBOSE, "verbose", 'v', NULL, "say what gmfetch does"},
    {OPT_QUIET, "quiet", 'q', NULL, "print errors only"},
    {OPT_VERSION, "version", 0, NULL, "print the version and exit"},
    {OPT_HELP, "help", 'h', NULL, "print this help and exit"},
};

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
    case OPT_VERBOSE:
        o->verbose = true;
        break;
    case OPT_QUIET:
        o->quiet = true;
        break;
    case OPT_VERSION:
        o->version = true;
        break;
    case OPT_HELP:
        o->help = true;
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

void gmf_options_help(FILE *f)
{
    (void)fprintf(f, "usage: gmfetch [flags] [modules]\n\n"
                     "Fill the Go module cache like 'go mod download', faster.\n"
                     "Modules: none (the main module's requirements), all, path, "
                     "path@version.\n\nFlags:\n");
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        char left[64];
        const struct opt *op = &table[i];
        if (op->short_name)
            (void)snprintf(left, sizeof(left), "-%c, -%s%s%s", op->short_name, op->name,
                           op->arg ? " " : "", op->arg ? op->arg : "");
        else
            (void)snprintf(left, sizeof(left), "-%s%s%s", op->name, op->arg ? " " : "",
                           op->arg ? op->arg : "");
        (void)fprintf(f, "  %-28s %s\n", left, op->help);
    }
    (void)fprintf(f, "\nExit status: 0 success, 1 a module failed, 2 usage error, "
                     "130 interrupted.\n");
}
