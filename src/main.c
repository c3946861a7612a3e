/* gmfetch: the command.  The only place that prints or exits (STYLE.md §1, §4), with its
 * helpers progress.c and metrics.c.
 *
 * Exit status follows `go mod download`: 0 success, 1 any module failed (or a fatal
 * checksum error), 2 usage error (command line, GMFETCH_* variable or config file); 130
 * after Ctrl-C or SIGTERM.
 *
 * stderr carries what go prints there, byte for byte, and nothing else unless asked for or
 * seen by a person: the progress display (progress.h: a bar only on a terminal, plain lines
 * only after several seconds) and the closing summary line, which is printed only when
 * progress is not "none" and stderr is a terminal, or a plain progress line already went
 * out, or with --verbose.  So scripts and tests that compare gmfetch's stderr with go's see
 * the same text.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gmfetch/buf.h"
#include "gmfetch/goenv.h"
#include "gmfetch/json.h"
#include "gmfetch/metrics.h"
#include "gmfetch/options.h"
#include "gmfetch/progress.h"
#include "gmfetch/run.h"

#define EXIT_MODULE_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

/* The display the signal handler must erase (set while a run goes on). */
static struct gmf_progress *volatile live_progress;

static void on_signal(int sig)
{
    struct gmf_progress *p = live_progress;

    (void)sig;
    /* Leave a clean line at once: the run may take a moment to wind down. */
    if (p)
        gmf_progress_interrupt(p);
    gmf_run_interrupt();
}

static void trace_line(void *ctx, const char *line)
{
    struct gmf_progress *p = ctx;

    if (p)
        gmf_progress_clear(p);
    (void)fprintf(stderr, "%s\n", line);
}

static void on_progress(void *ctx, const struct gmf_run_progress *s)
{
    gmf_progress_update(ctx, s, gmf_progress_now());
}

/* Search PATH for an executable "go". */
static bool have_go(void)
{
    const char *path = getenv("PATH");
    char buf[4096];

    if (!path)
        return false;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len && len + 4 < sizeof(buf)) {
            memcpy(buf, path, len);
            memcpy(buf + len, "/go", 4);
            if (access(buf, X_OK) == 0)
                return true;
        }
        path += len + (colon ? 1 : 0);
    }
    return false;
}

/* Hand the whole invocation to `go mod download` with the same flags and arguments (go
 * rejects gmfetch's own flags, so only go's are passed on, as they were given). */
static int delegate(int argc, char **argv, const struct gmf_options *o, const char *why)
{
    char **gargv;
    int n = 3;

    if (!have_go()) {
        (void)fprintf(stderr, "gmfetch: %s, and no go command was found on PATH\n", why);
        return EXIT_MODULE_FAILED;
    }
    if (o->run.trace)
        (void)fprintf(stderr, "# gmfetch: %s: running go mod download\n", why);
    else if (o->verbose)
        (void)fprintf(stderr, "gmfetch: %s: running go mod download\n", why);
    gargv = calloc((size_t)argc + 3, sizeof(*gargv));
    if (!gargv)
        return EXIT_MODULE_FAILED;
    gargv[0] = (char *)"go";
    gargv[1] = (char *)"mod";
    gargv[2] = (char *)"download";
    (void)gmf_options_go_args(o, argv, gargv + n);
    (void)fflush(stdout);
    (void)fflush(stderr);
    execvp("go", gargv);
    (void)fprintf(stderr, "gmfetch: %s; running go failed: %s\n", why, strerror(errno));
    free(gargv);
    return EXIT_MODULE_FAILED;
}

/* GOFLAGS sets defaults for the flags `go mod download` defines (cmd/go/internal/base
 * goflags.go); the command line was parsed first, but these are booleans that GOFLAGS can
 * only switch on, so the order does not matter.  -modcacherw is resolved by goenv. */
static void apply_goflags(struct gmf_options *o, const char *goflags)
{
    const char *p = goflags ? goflags : "";

    while (*p) {
        size_t n;

        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        n = strcspn(p, " \t\n");
        if ((n == 5 && !strncmp(p, "-json", 5)) || (n == 10 && !strncmp(p, "-json=true", 10)))
            o->run.json = true;
        else if ((n == 2 && !strncmp(p, "-x", 2)) || (n == 7 && !strncmp(p, "-x=true", 7)))
            o->run.trace = true;
        else if ((n > 7 && !strncmp(p, "-reuse=", 7)) || (n > 9 && !strncmp(p, "-modfile=", 9)) ||
                 (n > 9 && !strncmp(p, "-overlay=", 9)))
            o->delegate_only = true;
        p += n;
    }
}

static int report(const struct gmf_options *o, const struct gmf_run_result *res)
{
    int status = 0;

    /* go prints its notices ("skipping download of the main module") before anything else. */
    if (res->notice)
        (void)fprintf(stderr, "%s\n", res->notice);
    if (o->run.json) {
        struct gmf_buf b;
        gmf_buf_init(&b, GMF_BUF_UNLIMITED);
        for (size_t i = 0; i < res->nmods; i++) {
            const struct gmf_run_module *m = &res->mods[i];
            struct gmf_json_module j = {
                .path = m->path, .version = m->version, .error = m->error,
                .info = m->info, .gomod = m->gomod, .zip = m->zip, .dir = m->dir,
                .sum = m->sum, .gomodsum = m->gomodsum,
                .origin_info = m->origin_info, .origin_info_len = m->origin_info_len,
            };
            gmf_json_module(&b, &j);
            if (m->error)
                status = EXIT_MODULE_FAILED;
        }
        if (b.len)
            (void)fwrite(b.data, 1, b.len, stdout);
        gmf_buf_release(&b);
    } else {
        for (size_t i = 0; i < res->nmods; i++) {
            if (res->mods[i].error) {
                (void)fprintf(stderr, "go: %s\n", res->mods[i].error);
                status = EXIT_MODULE_FAILED;
            }
        }
    }
    return status;
}

/* Requests a zip of size bytes takes: the transfer engine's rule (transfer.h). */
static uint64_t zip_requests(const struct gmf_transfer_opts *t, uint64_t size)
{
    if (size <= t->shard_threshold || !t->shard_size)
        return 1;
    return size / t->shard_size + (size % t->shard_size != 0);
}

static void put_have(struct gmf_buf *b, unsigned have)
{
    static const struct {
        unsigned bit;
        const char *name;
    } parts[] = {{GMF_RUN_HAVE_INFO, ".info"}, {GMF_RUN_HAVE_MOD, ".mod"},
                 {GMF_RUN_HAVE_ZIP, ".zip"}, {GMF_RUN_HAVE_DIR, "dir"}};
    bool first = true;

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (!(have & parts[i].bit))
            continue;
        gmf_buf_printf(b, "%s%s", first ? "" : " ", parts[i].name);
        first = false;
    }
}

/* --dry-run -json: one object per module, indented like go's -json. */
static void dry_json(struct gmf_buf *b, const struct gmf_run_module *m,
                     const struct gmf_transfer_opts *t)
{
    static const char *const names[] = {".info", ".mod", ".zip", "dir"};
    bool first = true;

    gmf_buf_puts(b, "{\n\t\"Path\": ");
    gmf_json_put_string(b, m->path);
    if (m->version) {
        gmf_buf_puts(b, ",\n\t\"Version\": ");
        gmf_json_put_string(b, m->version);
    }
    if (m->error) {
        gmf_buf_puts(b, ",\n\t\"Error\": ");
        gmf_json_put_string(b, m->error);
    }
    gmf_buf_printf(b, ",\n\t\"Cached\": %s", m->have == GMF_RUN_HAVE_ALL ? "true" : "false");
    gmf_buf_puts(b, ",\n\t\"Have\": [");
    for (unsigned i = 0; i < 4; i++) {
        if (!(m->have & (1u << i)))
            continue;
        gmf_buf_printf(b, "%s\"%s\"", first ? "" : ", ", names[i]);
        first = false;
    }
    gmf_buf_putc(b, ']');
    if (m->direct)
        gmf_buf_puts(b, ",\n\t\"GoCommand\": true");
    if (m->zip_size != GMF_RUN_SIZE_UNKNOWN) {
        gmf_buf_printf(b, ",\n\t\"ZipSize\": %" PRIu64, m->zip_size);
        if (!(m->have & GMF_RUN_HAVE_ZIP))
            gmf_buf_printf(b, ",\n\t\"Requests\": %" PRIu64, zip_requests(t, m->zip_size));
    }
    gmf_buf_puts(b, "\n}\n");
}

/* --dry-run: the plan on stdout, one line per module, then a total. */
static int report_dry_run(const struct gmf_options *o, const struct gmf_run_result *res)
{
    const struct gmf_transfer_opts *t = &o->run.transfer;
    size_t cached = 0, todo = 0, unknown = 0, bygo = 0, failed = 0;
    uint64_t bytes = 0;
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (size_t i = 0; i < res->nmods; i++) {
        const struct gmf_run_module *m = &res->mods[i];

        if (o->run.json) {
            dry_json(&b, m, t);
        } else {
            gmf_buf_printf(&b, "%s%s%s: ", m->path, m->version ? " " : "",
                           m->version ? m->version : "");
        }
        if (m->error) {
            failed++;
            if (!o->run.json)
                gmf_buf_printf(&b, "error: %s\n", m->error);
            continue;
        }
        if (m->direct) {
            bygo++;
            if (!o->run.json)
                gmf_buf_puts(&b, "fetched by the go command (GOPROXY direct or GONOPROXY)\n");
            continue;
        }
        if (m->have == GMF_RUN_HAVE_ALL) {
            cached++;
        } else {
            todo++;
            if (m->zip_size == GMF_RUN_SIZE_UNKNOWN)
                unknown++;
            else if (!(m->have & GMF_RUN_HAVE_ZIP))
                bytes += m->zip_size;
        }
        if (o->run.json)
            continue;
        if (m->have == GMF_RUN_HAVE_ALL) {
            gmf_buf_puts(&b, "cached");
        } else if (m->have & GMF_RUN_HAVE_ZIP) {
            gmf_buf_puts(&b, "zip cached, to be extracted");
        } else {
            gmf_buf_puts(&b, "to download");
            if (m->have) {
                gmf_buf_puts(&b, " (cache has ");
                put_have(&b, m->have);
                gmf_buf_putc(&b, ')');
            }
        }
        if (m->zip_size == GMF_RUN_SIZE_UNKNOWN) {
            gmf_buf_puts(&b, ", zip size unknown\n");
            continue;
        }
        gmf_buf_puts(&b, ", zip ");
        gmf_progress_put_bytes(&b, m->zip_size);
        gmf_buf_printf(&b, " (%" PRIu64 " bytes)", m->zip_size);
        if (!(m->have & GMF_RUN_HAVE_ZIP)) {
            uint64_t n = zip_requests(t, m->zip_size);
            if (n > 1)
                gmf_buf_printf(&b, ", %" PRIu64 " Range requests", n);
            else
                gmf_buf_puts(&b, ", 1 request");
        }
        gmf_buf_putc(&b, '\n');
    }
    if (!o->run.json) {
        gmf_buf_printf(&b, "gmfetch: dry run: %zu %s: %zu cached, %zu to download (", res->nmods,
                       res->nmods == 1 ? "module" : "modules", cached, todo);
        gmf_progress_put_bytes(&b, bytes);
        if (unknown)
            gmf_buf_printf(&b, " + %zu of unknown size", unknown);
        gmf_buf_printf(&b, "), %zu by the go command, %zu failed; nothing was written\n", bygo,
                       failed);
    }
    (void)fwrite(b.data ? b.data : "", 1, b.len, stdout);
    gmf_buf_release(&b);
    return failed ? EXIT_MODULE_FAILED : 0;
}

/* A run the go command would do: a dry run says so (and returns 0), a real one returns -1
 * to go on with the handoff. */
static int dry_run_delegated(const struct gmf_options *o, const char *why)
{
    if (!o->run.dry_run)
        return -1;
    (void)printf("gmfetch: dry run: the go command would do this run (%s)\n", why);
    return 0;
}

/* The closing line (see the top of this file for when it is printed). */
static void summary(const struct gmf_run_result *res, double seconds)
{
    struct gmf_progress_summary s = {
        .modules = res->nmods, .cached = res->cached, .bytes = res->stats.bytes,
        .retries = res->stats.retries, .seconds = seconds,
    };
    struct gmf_buf b;

    for (size_t i = 0; i < res->nmods; i++)
        s.failed += res->mods[i].error != NULL;
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    gmf_progress_summary(&b, &s);
    (void)fputs(b.data, stderr);
    gmf_buf_release(&b);
}

/* --metrics-file: written at the end of every run, whatever its outcome (but not by
 * --dry-run, which writes nothing).  env and res may be NULL when the run ended before
 * they existed.  A failure to write is reported and does not change the exit status: the
 * modules are what the run is for. */
static void write_metrics(const struct gmf_options *o, const struct gmf_goenv *env,
                          const struct gmf_run_result *res, int status, bool delegated,
                          double start)
{
    struct gmf_metrics m;
    const char **urls = NULL;
    struct timespec wall;
    struct gmf_diag d;

    if (!o->metrics_file || !*o->metrics_file || o->run.dry_run)
        return;
    memset(&m, 0, sizeof(m));
    m.duration_seconds = gmf_progress_now() - start;
    clock_gettime(CLOCK_REALTIME, &wall);
    m.end_time_seconds = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
    m.exit_code = status;
    m.delegated = delegated;
    if (res) {
        m.stats = res->stats;
        for (size_t i = 0; i < res->nmods; i++)
            m.failed += res->mods[i].error != NULL;
        m.cached = res->cached;
        m.downloaded = res->nmods >= m.failed + m.cached ? res->nmods - m.failed - m.cached : 0;
    }
    if (env && res && res->proxy_bytes) {
        urls = calloc(env->nproxies + 1, sizeof(*urls));
        for (size_t i = 0; urls && i < env->nproxies; i++)
            urls[i] = env->proxies[i].kind == GMF_PROXY_URL ? env->proxies[i].url : NULL;
        m.proxy_urls = urls;
        m.proxy_bytes = res->proxy_bytes;
        m.nproxies = urls ? res->nproxy_bytes : 0;
    }
    gmf_diag_init(&d);
    if (gmf_metrics_write(o->metrics_file, &m, &d))
        (void)fprintf(stderr, "gmfetch: %s\n", d.msg);
    free(urls);
}

int main(int argc, char **argv)
{
    struct gmf_options opts;
    struct gmf_run_result res;
    struct gmf_goenv env;
    struct gmf_diag diag;
    struct gmf_progress progress;
    struct sigaction sa;
    enum gmf_progress_mode mode;
    double start = gmf_progress_now();
    bool tty = isatty(STDERR_FILENO) == 1, plain_printed;
    enum gmf_err e;
    int status;

    gmf_diag_init(&diag);
    gmf_options_init(&opts);
    if (gmf_options_parse(&opts, argc, argv, &diag)) {
        (void)fprintf(stderr, "gmfetch: %s\nrun 'gmfetch --help' for usage\n", diag.msg);
        gmf_options_release(&opts);
        return EXIT_USAGE;
    }
    /* These need no config file: a broken one must not break the build's --generate. */
    if (opts.help || opts.generate != GMF_DOC_NONE || opts.version) {
        if (opts.help)
            gmf_options_help(stdout);
        else if (opts.generate != GMF_DOC_NONE)
            gmf_options_write_doc(stdout, opts.generate, GMFETCH_VERSION);
        else
            (void)printf("gmfetch %s\n", GMFETCH_VERSION);
        gmf_options_release(&opts);
        return 0;
    }
    if (gmf_options_load(&opts, NULL, NULL, &diag)) {
        (void)fprintf(stderr, "gmfetch: %s\n", diag.msg);
        gmf_options_release(&opts);
        return EXIT_USAGE;
    }
    if (opts.verbose && opts.config_used)
        (void)fprintf(stderr, "gmfetch: using config file %s\n", opts.config_used);
    if (opts.delegate_only) {
        status = dry_run_delegated(&opts, "this flag is implemented by the go command");
        if (status < 0) {
            write_metrics(&opts, NULL, NULL, 0, true, start);
            status = delegate(argc, argv, &opts, "this flag is implemented by the go command");
        }
        gmf_options_release(&opts);
        return status;
    }

    if (gmf_goenv_load(&env, NULL, NULL, &diag)) {
        (void)fprintf(stderr, "go: %s\n", diag.msg);
        write_metrics(&opts, NULL, NULL, EXIT_MODULE_FAILED, false, start);
        gmf_options_release(&opts);
        return EXIT_MODULE_FAILED;
    }
    apply_goflags(&opts, env.goflags);
    if (opts.delegate_only) {
        status = dry_run_delegated(&opts, "a GOFLAGS flag is implemented by the go command");
        if (status < 0) {
            write_metrics(&opts, &env, NULL, 0, true, start);
            status = delegate(argc, argv, &opts,
                              "a GOFLAGS flag is implemented by the go command");
        }
        gmf_goenv_release(&env);
        gmf_options_release(&opts);
        return status;
    }

    mode = gmf_progress_resolve(opts.progress, opts.quiet, tty, getenv("CI"), getenv("TERM"));
    gmf_progress_init(&progress, mode, STDERR_FILENO, start);
    if (mode != GMF_PROGRESS_NONE) {
        opts.run.progress = on_progress;
        opts.run.progress_ctx = &progress;
        opts.run.progress_ms = mode == GMF_PROGRESS_BAR ? GMF_PROGRESS_BAR_MS : 1000;
        /* Only a bar needs ticks between events (see gmf_run_opts.progress_timer). */
        opts.run.progress_timer = mode == GMF_PROGRESS_BAR;
    }
    if (opts.run.trace) {
        opts.run.transfer.trace = trace_line;
        opts.run.transfer.trace_ctx = &progress;
        /* -x -v: every HTTP attempt (HEAD probes, Range shards, retries), not only go's
         * one pair of lines per file. */
        opts.run.transfer.trace_attempts = opts.verbose;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    live_progress = &progress;
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)signal(SIGPIPE, SIG_IGN);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)fprintf(stderr, "gmfetch: initialising libcurl failed\n");
        write_metrics(&opts, &env, NULL, EXIT_MODULE_FAILED, false, start);
        gmf_goenv_release(&env);
        gmf_options_release(&opts);
        return EXIT_MODULE_FAILED;
    }
    e = gmf_run(&opts.run, &env, &res, &diag);
    plain_printed = gmf_progress_finish(&progress);
    live_progress = NULL;
    if (e == GMF_EINTR) {
        (void)fprintf(stderr, "gmfetch: interrupted\n");
        status = EXIT_INTERRUPTED;
    } else if (e == GMF_ECHECKSUM) {
        /* go prints fatal checksum errors without its "go: " prefix. */
        (void)fprintf(stderr, "%s\n", diag.msg);
        status = EXIT_MODULE_FAILED;
    } else if (e) {
        (void)fprintf(stderr, "%s%s\n", strncmp(diag.msg, "go: ", 4) ? "gmfetch: " : "",
                      diag.msg);
        status = e == GMF_EUSAGE && strncmp(diag.msg, "go: ", 4) ? EXIT_USAGE
                                                                   : EXIT_MODULE_FAILED;
    } else if (res.delegate_reason && opts.run.dry_run) {
        status = dry_run_delegated(&opts, res.delegate_reason);
    } else if (res.delegate_reason) {
        char *why = strdup(res.delegate_reason);
        write_metrics(&opts, &env, &res, 0, true, start);
        gmf_run_result_release(&res);
        curl_global_cleanup();
        gmf_goenv_release(&env);
        status = delegate(argc, argv, &opts, why ? why : "delegating");
        free(why);
        gmf_options_release(&opts);
        return status;
    } else if (opts.run.dry_run) {
        if (res.notice)
            (void)fprintf(stderr, "%s\n", res.notice);
        status = report_dry_run(&opts, &res);
    } else {
        status = report(&opts, &res);
        if (mode != GMF_PROGRESS_NONE && (tty || plain_printed || opts.verbose))
            summary(&res, gmf_progress_now() - start);
    }
    write_metrics(&opts, &env, &res, status, false, start);
    gmf_run_result_release(&res);
    curl_global_cleanup();
    gmf_goenv_release(&env);
    gmf_options_release(&opts);
    return status;
}
