/* gmfetch: the command.  The only place that prints or exits (STYLE.md §1, §4).
 *
 * Exit status follows `go mod download`: 0 success, 1 any module failed (or a fatal
 * checksum error), 2 usage error; 130 after Ctrl-C.
 */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmfetch/buf.h"
#include "gmfetch/goenv.h"
#include "gmfetch/json.h"
#include "gmfetch/options.h"
#include "gmfetch/run.h"

#define EXIT_MODULE_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

static void on_signal(int sig)
{
    (void)sig;
    gmf_run_interrupt();
}

static void trace_line(void *ctx, const char *line)
{
    (void)ctx;
    (void)fprintf(stderr, "%s\n", line);
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

/* Hand the whole invocation to `go mod download` with the same flags and arguments. */
static int delegate(int argc, char **argv, const char *why, bool trace)
{
    char **gargv;

    if (!have_go()) {
        (void)fprintf(stderr, "gmfetch: %s, and no go command was found on PATH\n", why);
        return EXIT_MODULE_FAILED;
    }
    if (trace)
        (void)fprintf(stderr, "# gmfetch: %s: running go mod download\n", why);
    gargv = calloc((size_t)argc + 3, sizeof(*gargv));
    if (!gargv)
        return EXIT_MODULE_FAILED;
    gargv[0] = (char *)"go";
    gargv[1] = (char *)"mod";
    gargv[2] = (char *)"download";
    for (int i = 1; i < argc; i++)
        gargv[i + 2] = argv[i];
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

int main(int argc, char **argv)
{
    struct gmf_options opts;
    struct gmf_run_result res;
    struct gmf_goenv env;
    struct gmf_diag diag;
    struct sigaction sa;
    enum gmf_err e;
    int status;

    gmf_diag_init(&diag);
    gmf_options_init(&opts);
    if (gmf_options_parse(&opts, argc, argv, &diag)) {
        (void)fprintf(stderr, "gmfetch: %s\ntry 'gmfetch --help'\n", diag.msg);
        return EXIT_USAGE;
    }
    if (opts.help) {
        gmf_options_help(stdout);
        return 0;
    }
    if (opts.generate != GMF_DOC_NONE) {
        gmf_options_write_doc(stdout, opts.generate, GMFETCH_VERSION);
        return 0;
    }
    if (opts.version) {
        (void)printf("gmfetch %s\n", GMFETCH_VERSION);
        return 0;
    }
    if (opts.delegate_only)
        return delegate(argc, argv, "this flag is implemented by the go command",
                        opts.run.trace);

    if (gmf_goenv_load(&env, NULL, NULL, &diag)) {
        (void)fprintf(stderr, "go: %s\n", diag.msg);
        return EXIT_MODULE_FAILED;
    }
    apply_goflags(&opts, env.goflags);
    if (opts.delegate_only) {
        gmf_goenv_release(&env);
        return delegate(argc, argv, "a GOFLAGS flag is implemented by the go command",
                        opts.run.trace);
    }
    if (opts.run.trace) {
        opts.run.transfer.trace = trace_line;
        opts.run.transfer.trace_ctx = NULL;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        (void)fprintf(stderr, "gmfetch: initialising libcurl failed\n");
        gmf_goenv_release(&env);
        return EXIT_MODULE_FAILED;
    }
    e = gmf_run(&opts.run, &env, &res, &diag);
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
    } else if (res.delegate_reason) {
        char *why = strdup(res.delegate_reason);
        gmf_run_result_release(&res);
        curl_global_cleanup();
        gmf_goenv_release(&env);
        status = delegate(argc, argv, why ? why : "delegating", opts.run.trace);
        free(why);
        return status;
    } else {
        status = report(&opts, &res);
    }
    gmf_run_result_release(&res);
    curl_global_cleanup();
    gmf_goenv_release(&env);
    gmf_options_release(&opts);
    return status;
}
