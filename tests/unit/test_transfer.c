/* Tests for the transfer engine: the Content-Range parser as a table, then the engine against
 * tests/server/goproxy.py started on a random port for each test (skipped without python3).
 *
 * Where expected values come from:
 *  - Content-Range grammar: RFC 9110 section 14.4 (range-resp, 1*DIGIT positions, "*"
 *    complete-length) and 14.1 (range units are case-insensitive).
 *  - Status texts ("404 Not Found", "410 Gone", "500 Internal Server Error"): go prints
 *    resp.Status, e.g. "reading .../v1.999.999.info: 404 Not Found" in
 *    cmd/go/testdata/script/mod_download.txt; the texts are net/http status.go's.
 *  - Redirect limit: cmd/go/testdata/script/mod_download_too_many_redirects.txt (9 redirects
 *    work) and web/http.go CheckRedirect (len(via) >= 10 fails: "stopped after 10 redirects").
 *  - file:// errors: cmd/go/internal/web/http.go getFile (missing file = 404 with the OS
 *    error "no such file or directory").
 *  - Redaction: net/url URL.Redacted replaces the password with "xxxxx".
 *  - "# get <url>" / "# get <url>: 200 OK (0.004s)": web/http.go -x lines.
 *  - "refusing to pass credentials to insecure URL: <redacted>" and the -x line
 *    "# get <url>: insecure credentials": go 1.19 web/http.go get() for http:// URLs with
 *    user information.
 *  - If-Range: RFC 9110 section 13.1.5 (a strong ETag or a date; a mismatch means 200 and
 *    the whole representation); go's own resume (after go 1.26) sends it the same way.
 *  - Retryable statuses (408, 429, 5xx but 501/505): RFC 9110 sections 15.5.9, 15.5.22 and
 *    15.6; the issue asks for 5xx to be retried.
 *  - Retry-After grammar: RFC 9110 section 10.2.3 (HTTP-date / delay-seconds) and 5.6.7 (the
 *    three date forms; "Sun, 06 Nov 1994 08:49:37 GMT" is its example, Unix time 784111777 by
 *    Python's calendar.timegm); it applies to 503 (RFC 9110) and 429 (RFC 6585 section 4).
 *    The 60 s cap per request is transfer.c's RETRY_AFTER_MAX_S.
 *  - Header limits: libcurl 7.88 refuses one header line above 100 KiB (CURL_MAX_HTTP_HEADER)
 *    with CURLE_OUT_OF_MEMORY; transfer.c caps all headers of a response at 256 KiB.
 *
 * The server log line is "METHOD PATH RANGE STATUS BYTES IFRANGE AUTHUSER" (goproxy.py).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gmfetch/transfer.h"
#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

extern char **environ;

/* ---- Content-Range parser table ---- */

/* The input is stored inline: criterion copies parameters into a fresh test process, where
 * pointers into this one would dangle. */
struct cr_case {
    char in[96];
    enum gmf_err want;
    uint64_t first, last, total;
};

ParameterizedTestParameters(content_range, table)
{
    static struct cr_case cases[] = {
        /* valid */
        {"bytes 0-0/1", GMF_OK, 0, 0, 1},
        {"bytes 0-499/1234", GMF_OK, 0, 499, 1234},
        {"bytes 500-999/*", GMF_OK, 500, 999, UINT64_MAX},
        {"bytes 4194304-8388607/20971520", GMF_OK, 4194304, 8388607, 20971520},
        {"BYTES 1-2/3", GMF_OK, 1, 2, 3},   /* units are case-insensitive */
        {"bytes 007-008/010", GMF_OK, 7, 8, 10}, /* 1*DIGIT allows leading zeros */
        {"bytes 18446744073709551613-18446744073709551613/18446744073709551614", GMF_OK,
         UINT64_MAX - 2, UINT64_MAX - 2, UINT64_MAX - 1},
        /* malformed */
        {"", GMF_EPARSE, 0, 0, 0},
        {"bytes", GMF_EPARSE, 0, 0, 0},
        {"bytes ", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/", GMF_EPARSE, 0, 0, 0},
        {"bytes -1/2", GMF_EPARSE, 0, 0, 0},
        {"bytes 1-/2", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/2 ", GMF_EPARSE, 0, 0, 0},
        {" bytes 0-1/2", GMF_EPARSE, 0, 0, 0},
        {"bytes  0-1/2", GMF_EPARSE, 0, 0, 0},
        {"bytes=0-1/2", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/2x", GMF_EPARSE, 0, 0, 0},
        {"bytes */10", GMF_EPARSE, 0, 0, 0}, /* unsatisfied-range has no positions */
        {"bytes +1-2/3", GMF_EPARSE, 0, 0, 0},
        {"bytes 0 - 1/2", GMF_EPARSE, 0, 0, 0},
        {"items 0-1/2", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/**", GMF_EPARSE, 0, 0, 0},
        {"bytes 0x1-2/3", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1,2-3/4", GMF_EPARSE, 0, 0, 0},
        /* overflow */
        {"bytes 18446744073709551616-18446744073709551617/*", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-18446744073709551616/*", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/18446744073709551616", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/99999999999999999999999", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-1/18446744073709551615", GMF_EPARSE, 0, 0, 0}, /* reserved for "*" */
        /* last < first, last >= total */
        {"bytes 5-4/10", GMF_EPARSE, 0, 0, 0},
        {"bytes 5-4/*", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-10/10", GMF_EPARSE, 0, 0, 0},
        {"bytes 0-0/0", GMF_EPARSE, 0, 0, 0},
    };
    return cr_make_param_array(struct cr_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct cr_case *c, content_range, table)
{
    uint64_t first = 42, last = 42, total = 42;
    enum gmf_err r = gmf_transfer_parse_content_range(c->in, &first, &last, &total);

    cr_assert_eq(r, c->want, "\"%s\": got %s, want %s", c->in, gmf_err_name(r),
                 gmf_err_name(c->want));
    if (c->want == GMF_OK) {
        cr_assert_eq(first, c->first, "\"%s\": first %" PRIu64, c->in, first);
        cr_assert_eq(last, c->last, "\"%s\": last %" PRIu64, c->in, last);
        cr_assert_eq(total, c->total, "\"%s\": total %" PRIu64, c->in, total);
    } else {
        cr_assert(first == 42 && last == 42 && total == 42, "\"%s\": outputs written", c->in);
    }
}

/* ---- Retry-After parser table ---- */

struct ra_case {
    char in[64];
    enum gmf_err want;
    uint64_t secs;
};

#define RFC_DATE 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT */

ParameterizedTestParameters(retry_after, table)
{
    static struct ra_case cases[] = {
        {"120", GMF_OK, 120},
        {"0", GMF_OK, 0},
        {"007", GMF_OK, 7},
        {" 5 ", GMF_OK, 5}, /* OWS around a field value is not part of it (RFC 9110 5.5) */
        {"99999999999999999999999", GMF_OK, UINT64_MAX}, /* saturates: "very long" */
        /* now = RFC_DATE - 30 in the test: the three HTTP-date forms, 30 s ahead */
        {"Sun, 06 Nov 1994 08:49:37 GMT", GMF_OK, 30},
        {"Sunday, 06-Nov-94 08:49:37 GMT", GMF_OK, 30},
        {"Sun Nov  6 08:49:37 1994", GMF_OK, 30},
        {"Sun, 06 Nov 1994 08:48:37 GMT", GMF_OK, 0}, /* 30 s in the past: no wait */
        {"", GMF_EPARSE, 0},
        {"   ", GMF_EPARSE, 0},
        {"-1", GMF_EPARSE, 0},
        {"1.5", GMF_EPARSE, 0},
        {"5s", GMF_EPARSE, 0},
        {"+5", GMF_EPARSE, 0},
        {"soon", GMF_EPARSE, 0},
    };
    return cr_make_param_array(struct ra_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ra_case *c, retry_after, table)
{
    uint64_t secs = 42;
    enum gmf_err r = gmf_transfer_parse_retry_after(c->in, RFC_DATE - 30, &secs);

    cr_assert_eq(r, c->want, "\"%s\": got %s, want %s", c->in, gmf_err_name(r),
                 gmf_err_name(c->want));
    cr_assert_eq(secs, c->want == GMF_OK ? c->secs : 42, "\"%s\": %" PRIu64 " s", c->in,
                 secs);
}

Test(transfer, opts_default)
{
    struct gmf_transfer_opts o;

    gmf_transfer_opts_default(&o);
    cr_assert_eq(o.max_total, 64);
    cr_assert_eq(o.max_per_host, 8);
    cr_assert_eq(o.shard_threshold, 8u << 20);
    cr_assert_eq(o.shard_size, 4u << 20);
    cr_assert_eq(o.retries, 5);
    cr_assert_eq(o.stall_timeout_s, 30);
    cr_assert_eq(o.probe, GMF_PROBE_RANGE);
    cr_assert(!o.http1_only);
}

/* ---- fixture server ---- */

static char root[PATH_MAX];    /* temp dir: served tree under root/srv, outputs beside it */
static char srv[PATH_MAX + 8];
static char log_path[PATH_MAX + 16];
static pid_t server_pid = -1;
static int server_port;

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");

    (void)snprintf(root, sizeof(root), "%s/gmf-transfer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(root), "mkdtemp: %s", strerror(errno));
    (void)snprintf(srv, sizeof(srv), "%s/srv", root);
    (void)snprintf(log_path, sizeof(log_path), "%s/server.log", root);
    cr_assert_eq(gmf_fs_mkdir_p(srv, 0755, NULL), GMF_OK);
    cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void server_stop(void)
{
    int st;

    if (server_pid <= 0)
        return;
    (void)kill(server_pid, SIGTERM);
    for (int i = 0; i < 200; i++) { /* 2 s, then no more asking */
        if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
            server_pid = -1;
            return;
        }
        (void)usleep(10000);
    }
    (void)kill(server_pid, SIGKILL);
    (void)waitpid(server_pid, &st, 0);
    server_pid = -1;
}

static void teardown(void)
{
    server_stop();
    (void)gmf_fs_remove_all(root, NULL);
    curl_global_cleanup();
}

static char *server_script(void)
{
    const char *data = getenv("GMFETCH_TEST_DATA");
    char *p;

    if (data && *data) {
        p = gmf_xasprintf("%s/../server/goproxy.py", data);
        if (access(p, R_OK) == 0)
            return p;
        free(p);
    }
    /* Run by hand: __FILE__ is relative to the build directory, two levels above us. */
    {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        const char *base = strrchr(__FILE__, '/');
        char *slash;
        if (n <= 0)
            return gmf_xstrdup("tests/server/goproxy.py");
        exe[n] = '\0';
        for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
            *slash = '\0';
        if (__FILE__[0] == '/')
            p = gmf_xasprintf("%.*s/../server/goproxy.py", (int)(base - __FILE__), __FILE__);
        else
            p = gmf_xasprintf("%s/%.*s/../server/goproxy.py", exe, (int)(base - __FILE__),
                              __FILE__);
    }
    return p;
}

static bool have_python3(void)
{
    const char *path = getenv("PATH");
    bool found = false;

    while (path && !found) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        char *p = len ? gmf_xasprintf("%.*s/python3", (int)len, path) : gmf_xstrdup("python3");
        found = access(p, X_OK) == 0;
        free(p);
        path = colon ? colon + 1 : NULL;
    }
    return found;
}

/* Start goproxy.py serving srv with the given extra switches (NULL-terminated); skips the
 * test when python3 is missing.  Waits at most 10 s for the port line. */
static void server_start(const char *arg, ...)
{
    const char *argv[32];
    size_t n = 0;
    char *script = server_script();
    posix_spawn_file_actions_t fa;
    int pipefd[2];
    char line[32];
    size_t got = 0;
    va_list ap;
    int r;

    if (!have_python3())
        cr_skip_test("python3 not found in PATH");
    argv[n++] = "python3";
    argv[n++] = script;
    argv[n++] = "--root";
    argv[n++] = srv;
    argv[n++] = "--log";
    argv[n++] = log_path;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;

    cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
    cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
    cr_assert_eq(posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO), 0);
    r = posix_spawnp(&server_pid, "python3", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(script);
    (void)close(pipefd[1]);
    cr_assert_eq(r, 0, "spawning python3: %s", strerror(r));

    while (got < sizeof(line) - 1 && !memchr(line, '\n', got)) {
        struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
        ssize_t k;
        cr_assert_gt(poll(&pfd, 1, 10000), 0, "goproxy.py printed no port within 10 s");
        k = read(pipefd[0], line + got, sizeof(line) - 1 - got);
        cr_assert_gt(k, 0, "goproxy.py exited before printing its port");
        got += (size_t)k;
    }
    (void)close(pipefd[0]);
    line[got] = '\0';
    server_port = (int)strtol(line, NULL, 10);
    cr_assert_gt(server_port, 0, "port line \"%s\"", line);
}

static char *url_for(const char *path)
{
    return gmf_xasprintf("http://127.0.0.1:%d/%s", server_port, path);
}

static void write_tree_file(const char *rel, const void *data, size_t len)
{
    char *p = gmf_xasprintf("%s/%s", srv, rel);
    char *dir = gmf_xstrdup(p);

    *strrchr(dir, '/') = '\0';
    cr_assert_eq(gmf_fs_mkdir_p(dir, 0755, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_write_atomic(p, data, len, NULL), GMF_OK);
    free(dir);
    free(p);
}

/* Deterministic pseudo-random bytes (xorshift64*): incompressible and repeatable. */
static unsigned char *random_bytes(size_t n, uint64_t seed)
{
    unsigned char *b = gmf_xmalloc(n);
    uint64_t x = seed | 1;

    for (size_t i = 0; i < n; i += 8) {
        uint64_t v;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v = x * 0x2545F4914F6CDD1DULL;
        memcpy(b + i, &v, n - i < 8 ? n - i : 8);
    }
    return b;
}

/* Server log, once it has at least min lines and has been quiet for 100 ms (the server logs
 * a request after sending its body, so the last line may trail the client by a moment). */
static char *read_log(size_t min)
{
    struct gmf_buf b;
    size_t last_len = SIZE_MAX;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (int i = 0; i < 300; i++) { /* at most 3 s */
        size_t lines = 0;
        gmf_buf_reset(&b);
        (void)gmf_fs_read_file(log_path, 1 << 20, &b, NULL);
        for (size_t k = 0; k < b.len; k++)
            lines += b.data[k] == '\n';
        if (lines >= min && b.len == last_len)
            break;
        last_len = b.len;
        (void)usleep(10000);
    }
    return gmf_buf_detach(&b, NULL);
}

static size_t count_lines(const char *log, const char *needle)
{
    size_t n = 0;

    for (const char *l = log; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        char *line = gmf_xstrndup(l, len);
        if (strstr(line, needle))
            n++;
        free(line);
        l += len + (e ? 1 : 0);
    }
    return n;
}

/* ---- recording results ---- */

struct outcome {
    int calls;
    enum gmf_err err;
    long status;
    char *msg, *content_type, *url, *effective_url;
    char *body;
    size_t body_len;
    uint64_t size;
};

static void on_done(void *ctx, const struct gmf_transfer_result *res)
{
    struct outcome *o = ctx;

    o->calls++;
    o->err = res->err;
    o->status = res->status;
    o->msg = gmf_xstrdup(res->msg);
    o->content_type = gmf_xstrdup(res->content_type);
    o->url = gmf_xstrdup(res->url);
    o->effective_url = gmf_xstrdup(res->effective_url);
    o->body = gmf_xmalloc(res->body->len + 1); /* bodies are binary: no strndup */
    if (res->body->len)
        memcpy(o->body, res->body->data, res->body->len);
    o->body[res->body->len] = '\0';
    o->body_len = res->body->len;
    o->size = res->size;
}

static void outcome_release(struct outcome *o)
{
    free(o->msg);
    free(o->content_type);
    free(o->url);
    free(o->effective_url);
    free(o->body);
    memset(o, 0, sizeof(*o));
}

static void on_trace(void *ctx, const char *line)
{
    (void)gmf_buf_printf(ctx, "%s\n", line);
}

static enum gmf_err run(struct gmf_transfer *t)
{
    struct gmf_diag d;
    enum gmf_err r;

    gmf_diag_init(&d);
    r = gmf_transfer_run(t, &d);
    cr_assert_eq(r, GMF_OK, "run: %s", d.msg);
    return r;
}

static void get_mem(const struct gmf_transfer_opts *opts, const char *url, size_t max,
                    struct outcome *o, struct gmf_transfer_stats *stats)
{
    struct gmf_transfer *t = gmf_transfer_new(opts);

    gmf_transfer_get_mem(t, url, max, on_done, o);
    run(t);
    if (stats)
        gmf_transfer_get_stats(t, stats);
    gmf_transfer_free(t);
    cr_assert_eq(o->calls, 1, "%s: done called %d times", url, o->calls);
}

/* Fetch url into root/out and check the file holds want[0..want_len). */
static void get_file_check(const struct gmf_transfer_opts *opts, const char *url,
                           const unsigned char *want, size_t want_len, struct outcome *o,
                           struct gmf_transfer_stats *stats)
{
    char *out = gmf_xasprintf("%s/out", root);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct gmf_transfer *t = gmf_transfer_new(opts);
    struct stat st;

    cr_assert_geq(fd, 0);
    gmf_transfer_get_file(t, url, fd, (uint64_t)1 << 30, on_done, o);
    run(t);
    gmf_transfer_get_stats(t, stats);
    gmf_transfer_free(t);
    cr_assert_eq(o->calls, 1);
    cr_assert_eq(o->err, GMF_OK, "%s: %s: %s", url, gmf_err_name(o->err), o->msg);
    cr_assert_eq(o->size, want_len, "size %" PRIu64 ", want %zu", o->size, want_len);
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert_eq((size_t)st.st_size, want_len, "file size %jd", (intmax_t)st.st_size);
    if (want_len) {
        unsigned char *got = gmf_xmalloc(want_len);
        cr_assert_eq(pread(fd, got, want_len, 0), (ssize_t)want_len);
        cr_assert(memcmp(got, want, want_len) == 0, "%s: bytes differ", url);
        free(got);
    }
    (void)close(fd);
    free(out);
}

TestSuite(transfer_http, .init = setup, .fini = teardown, .timeout = 30);

/* ---- mem requests ---- */

Test(transfer_http, mem_200)
{
    static const char info[] = "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-02T03:04:05Z\"}\n";
    struct gmf_transfer_opts opts;
    struct gmf_buf tr;
    struct outcome o = {0};
    char *url, *want;

    write_tree_file("example.com/m/@v/v1.0.0.info", info, strlen(info));
    server_start(NULL);
    url = url_for("example.com/m/@v/v1.0.0.info");
    gmf_buf_init(&tr, GMF_BUF_UNLIMITED);
    gmf_transfer_opts_default(&opts);
    opts.trace = on_trace;
    opts.trace_ctx = &tr;
    get_mem(&opts, url, 1024, &o, NULL);
    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_eq(o.status, 200);
    cr_assert_str_eq(o.body, info);
    cr_assert_str_eq(o.msg, "");
    cr_assert_str_eq(o.content_type, "application/json");
    cr_assert_str_eq(o.url, url);
    cr_assert_str_eq(o.effective_url, url);
    /* -x lines as go prints them: "# get <url>" then "# get <url>: 200 OK (<secs>s)". */
    want = gmf_xasprintf("# get %s\n# get %s: 200 OK (", url, url);
    cr_assert(strncmp(tr.data, want, strlen(want)) == 0, "trace:\n%s", tr.data);
    cr_assert(strstr(tr.data, "s)\n") != NULL, "trace:\n%s", tr.data);
    free(want);
    gmf_buf_release(&tr);
    outcome_release(&o);
    free(url);
}

struct status_case {
    const char *path;
    enum gmf_err err;
    long status;
    const char *msg;
    const char *body;
};

static void check_status(const struct status_case *c, unsigned retries, const char *extra1,
                         const char *extra2)
{
    struct gmf_transfer_opts opts;
    struct outcome o = {0};
    struct gmf_transfer_stats st;
    char *url;

    server_start(extra1, extra2, NULL);
    url = url_for(c->path);
    gmf_transfer_opts_default(&opts);
    opts.retries = retries;
    get_mem(&opts, url, 1024, &o, &st);
    cr_assert_eq(o.err, c->err, "%s: %s", c->path, gmf_err_name(o.err));
    cr_assert_eq(o.status, c->status, "%s: status %ld", c->path, o.status);
    cr_assert_str_eq(o.msg, c->msg, "%s", c->path);
    cr_assert_str_eq(o.body, c->body, "%s: error body kept", c->path);
    cr_assert_str_eq(o.content_type, "text/plain; charset=utf-8");
    /* 404/410 are answers, asked once; a 5xx is asked again, and the last answer is the
     * one reported, with go's text. */
    if (c->status >= 500) {
        cr_assert_eq(st.requests, 1 + retries, "%s: %" PRIu64 " requests", c->path,
                     st.requests);
        cr_assert_eq(st.retries, retries);
    } else {
        cr_assert_eq(st.requests, 1);
        cr_assert_eq(st.retries, 0);
    }
    outcome_release(&o);
    free(url);
}

Test(transfer_http, mem_404)
{
    static const struct status_case c = {"example.com/m/@v/v9.info", GMF_ENOTFOUND, 404,
                                         "404 Not Found", "not found: example.com/m/@v/v9.info\n"};
    check_status(&c, 5, NULL, NULL);
}

Test(transfer_http, mem_410)
{
    static const struct status_case c = {"gone/@v/list", GMF_ENOTFOUND, 410, "410 Gone",
                                         "410 Gone\n"};
    check_status(&c, 5, "--status", "/gone/*=410");
}

Test(transfer_http, mem_500)
{
    static const struct status_case c = {"broken/@v/v1.mod", GMF_EHTTP, 500,
                                         "500 Internal Server Error",
                                         "500 Internal Server Error\n"};
    check_status(&c, 2, "--status", "/broken/*=500");
}

Test(transfer_http, mem_cap)
{
    unsigned char *data = random_bytes(1000, 7);
    struct outcome o = {0};
    char *url;

    write_tree_file("m/@v/v1.mod", data, 1000);
    server_start(NULL);
    url = url_for("m/@v/v1.mod");
    get_mem(NULL, url, 999, &o, NULL);
    cr_assert_eq(o.err, GMF_ETOOBIG, "cap 999: %s", gmf_err_name(o.err));
    cr_assert_eq(o.body_len, 0);
    outcome_release(&o);
    get_mem(NULL, url, 1000, &o, NULL);
    cr_assert_eq(o.err, GMF_OK, "cap 1000: %s %s", gmf_err_name(o.err), o.msg);
    cr_assert_eq(o.body_len, 1000);
    cr_assert(memcmp(o.body, data, 1000) == 0);
    outcome_release(&o);
    free(url);
    free(data);
}

static void chain_next(void *ctx, const struct gmf_transfer_result *res);

struct chain {
    struct gmf_transfer *t;
    char *second;
    struct outcome first, last;
};

static void chain_first(void *ctx, const struct gmf_transfer_result *res)
{
    struct chain *c = ctx;

    on_done(&c->first, res);
    gmf_transfer_get_mem(c->t, c->second, 100, chain_next, c);
}

static void chain_next(void *ctx, const struct gmf_transfer_result *res)
{
    struct chain *c = ctx;

    on_done(&c->last, res);
}

Test(transfer_http, done_callback_enqueues)
{
    struct chain c = {0};
    char *first;

    write_tree_file("a/@v/list", "v1.0.0\n", 7);
    write_tree_file("a/@v/v1.0.0.mod", "module a\n", 9);
    server_start(NULL);
    first = url_for("a/@v/list");
    c.second = url_for("a/@v/v1.0.0.mod");
    c.t = gmf_transfer_new(NULL);
    gmf_transfer_get_mem(c.t, first, 100, chain_first, &c);
    run(c.t);
    gmf_transfer_free(c.t);
    cr_assert_eq(c.first.calls, 1);
    cr_assert_eq(c.last.calls, 1);
    cr_assert_str_eq(c.first.body, "v1.0.0\n");
    cr_assert_str_eq(c.last.body, "module a\n");
    outcome_release(&c.first);
    outcome_release(&c.last);
    free(first);
    free(c.second);
}

Test(transfer_http, redirect_limit)
{
    struct outcome o = {0};
    char *url;

    write_tree_file("r/@v/v1.info", "{}", 2);
    server_start(NULL);
    url = url_for("redirect/9/r/@v/v1.info");
    get_mem(NULL, url, 100, &o, NULL);
    cr_assert_eq(o.err, GMF_OK, "9 redirects: %s", o.msg);
    cr_assert_str_eq(o.body, "{}");
    cr_assert(strstr(o.effective_url, "/r/@v/v1.info") != NULL, "%s", o.effective_url);
    outcome_release(&o);
    free(url);
    url = url_for("redirect/10/r/@v/v1.info");
    get_mem(NULL, url, 100, &o, NULL);
    cr_assert_eq(o.err, GMF_ENET, "10 redirects: %s", gmf_err_name(o.err));
    cr_assert_str_eq(o.msg, "stopped after 10 redirects");
    outcome_release(&o);
    free(url);
}

/* go refuses user:password in a plain http URL before any request (web/http.go). */
Test(transfer_http, insecure_credentials_refused)
{
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct gmf_buf tr;
    struct outcome o = {0};
    char *url, *want, *log;

    write_tree_file("p/@v/v1.info", "{}", 2);
    server_start(NULL);
    url = gmf_xasprintf("http://user:s3cret@127.0.0.1:%d/p/@v/v1.info", server_port);
    gmf_buf_init(&tr, GMF_BUF_UNLIMITED);
    gmf_transfer_opts_default(&opts);
    opts.trace = on_trace;
    opts.trace_ctx = &tr;
    get_mem(&opts, url, 100, &o, &st);
    cr_assert_eq(o.err, GMF_EHTTP, "%s", gmf_err_name(o.err));
    cr_assert_eq(o.status, 0);
    want = gmf_xasprintf("refusing to pass credentials to insecure URL: "
                         "http://user:xxxxx@127.0.0.1:%d/p/@v/v1.info", server_port);
    cr_assert_str_eq(o.msg, want);
    free(want);
    want = gmf_xasprintf("# get http://user:xxxxx@127.0.0.1:%d/p/@v/v1.info: insecure "
                         "credentials\n", server_port);
    cr_assert_str_eq(tr.data, want);
    cr_assert_eq(st.requests, 0);
    log = read_log(0);
    cr_assert_str_eq(log, "", "no request may reach the server: %s", log);
    free(log);
    free(want);
    gmf_buf_release(&tr);
    outcome_release(&o);
    free(url);
}

/* Over https the password is used but never printed (url.Redacted in -x lines). */
Test(transfer_http, trace_redacts_password)
{
    struct gmf_transfer_opts opts;
    struct gmf_buf tr;
    struct outcome o = {0};
    char *url;

    gmf_buf_init(&tr, GMF_BUF_UNLIMITED);
    gmf_transfer_opts_default(&opts);
    opts.trace = on_trace;
    opts.trace_ctx = &tr;
    opts.connect_timeout_ms = 2000;
    /* Nothing listens on port 9 (discard): the request fails, the trace lines remain. */
    url = gmf_xstrdup("https://user:s3cret@127.0.0.1:9/p/@v/v1.info");
    get_mem(&opts, url, 100, &o, NULL);
    cr_assert_neq(o.err, GMF_OK);
    cr_assert(strncmp(tr.data, "# get https://user:xxxxx@127.0.0.1:9/p/@v/v1.info", 48) == 0,
              "trace:\n%s", tr.data);
    cr_assert(strstr(tr.data, "s3cret") == NULL, "trace:\n%s", tr.data);
    cr_assert(strstr(o.msg, "s3cret") == NULL, "msg: %s", o.msg);
    gmf_buf_release(&tr);
    outcome_release(&o);
    free(url);
}

Test(transfer_http, mem_retries_after_stall)
{
    unsigned char *data = random_bytes(300000, 3);
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("s/@v/v1.mod", data, 300000);
    /* Stall right after the headers: curl averages the speed over a window of about 5 s, so
     * a stall after some bytes would take that much longer to notice. */
    server_start("--stall-after", "0", "--stall-seconds", "4", NULL);
    url = url_for("s/@v/v1.mod");
    gmf_transfer_opts_default(&opts);
    opts.stall_timeout_s = 1;
    get_mem(&opts, url, 1 << 20, &o, &st);
    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_eq(o.body_len, 300000);
    cr_assert(memcmp(o.body, data, 300000) == 0);
    cr_assert_eq(st.retries, 1, "retries %" PRIu64 " requests %" PRIu64, st.retries, st.requests);
    outcome_release(&o);
    free(url);
    free(data);
}

/* ---- file requests ---- */

#define BIG (20u << 20) /* 20 MiB: five default 4 MiB shards, above the 8 MiB threshold */

Test(transfer_http, file_small_unsharded)
{
    unsigned char *data = random_bytes(100000, 11);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("m/@v/v1.0.0.zip", data, 100000);
    server_start(NULL);
    url = url_for("m/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, 100000, &o, &st);
    cr_assert_eq(st.requests, 1);
    cr_assert_eq(st.sharded_files, 0);
    log = read_log(1);
    /* The range probe: one request, answered 206 with the whole (short) body. */
    cr_assert_eq(count_lines(log, "GET /m/@v/v1.0.0.zip bytes=0-4194303 206 100000"), 1,
                 "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_empty)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("e/@v/v1.zip", "", 0);
    server_start(NULL);
    url = url_for("e/@v/v1.zip");
    /* bytes=0-... of an empty body is unsatisfiable (416); a plain GET follows. */
    get_file_check(NULL, url, NULL, 0, &o, &st);
    cr_assert_eq(st.requests, 2);
    cr_assert_eq(st.responses_416, 1, "the probe's 416 counts");
    cr_assert_eq(st.range_bytes, 0);
    outcome_release(&o);
    free(url);
}

Test(transfer_http, file_large_sharded)
{
    unsigned char *data = random_bytes(BIG, 5);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start(NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_eq(o.status, 206);
    cr_assert_eq(st.sharded_files, 1);
    cr_assert_eq(st.requests, 5);
    cr_assert_eq(st.range_requests, 5);
    cr_assert_eq(st.bytes, BIG);
    /* Every byte came in a 206; nothing was resumed or refused. */
    cr_assert_eq(st.range_bytes, BIG);
    cr_assert_eq(st.resumed_bytes, 0);
    cr_assert_eq(st.responses_416, 0);
    log = read_log(5);
    for (unsigned i = 0; i < 5; i++) {
        char *want = gmf_xasprintf("GET /big/@v/v1.0.0.zip bytes=%u-%u 206 4194304",
                                   i * (4u << 20), (i + 1) * (4u << 20) - 1);
        cr_assert_eq(count_lines(log, want), 1, "want \"%s\" in log:\n%s", want, log);
        free(want);
    }
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_server_ignores_range)
{
    unsigned char *data = random_bytes(BIG, 6);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start("--no-range", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_eq(o.status, 200);
    cr_assert_eq(st.requests, 1);
    cr_assert_eq(st.sharded_files, 0);
    cr_assert_eq(st.range_requests, 1, "the probe asked for a range");
    cr_assert_eq(st.range_bytes, 0, "but got a 200");
    log = read_log(1);
    cr_assert_eq(count_lines(log, " 200 20971520"), 1, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_redirect_shards_use_final_url)
{
    unsigned char *data = random_bytes(BIG, 8);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start("--redirect-zip", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_str_eq(o.url, url);
    cr_assert(strstr(o.effective_url, "/_blob/big/@v/v1.0.0.zip?sig=1") != NULL, "%s",
              o.effective_url);
    log = read_log(6);
    /* One redirect for the probe; the other four shards go straight to the final URL. */
    cr_assert_eq(count_lines(log, " 302 "), 1, "log:\n%s", log);
    cr_assert_eq(count_lines(log, "GET /_blob/big/@v/v1.0.0.zip?sig=1 bytes="), 5, "log:\n%s",
                 log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_resumes_after_cut)
{
    unsigned char *data = random_bytes(BIG, 9);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;
    const char *cut;
    unsigned long long first, last;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    /* The probe passes; the next shard the server sees is cut after 1000000 body bytes. */
    server_start("--drop-after", "1000000", "--fault-path", "*.zip", "--fault-skip", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_eq(st.retries, 1, "retries %" PRIu64, st.retries);
    cr_assert_eq(st.requests, 6);
    cr_assert_eq(st.bytes, BIG, "no byte fetched twice: %" PRIu64, st.bytes);
    cr_assert_eq(st.range_bytes, BIG);
    log = read_log(6);
    cut = strstr(log, " 206 1000000 ");
    cr_assert_not_null(cut, "log:\n%s", log);
    while (cut > log && cut[-1] != '\n')
        cut--;
    cr_assert_eq(sscanf(cut, "GET /big/@v/v1.0.0.zip bytes=%llu-%llu", &first, &last), 2,
                 "log:\n%s", log);
    {
        /* Only the missing bytes, guarded by the ETag of the first response. */
        char *want = gmf_xasprintf("bytes=%llu-%llu 206 %llu %%22", first + 1000000, last,
                                   last - first + 1 - 1000000);
        cr_assert_eq(count_lines(log, want), 1, "want \"%s\" in log:\n%s", want, log);
        /* The resume asked for exactly the bytes the cut shard still lacked. */
        cr_assert_eq(st.resumed_bytes, last - first + 1 - 1000000, "resumed_bytes %" PRIu64,
                     st.resumed_bytes);
        free(want);
    }
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_shard_5xx_retried)
{
    unsigned char *data = random_bytes(BIG, 16);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    /* The probe passes; the next shard is answered 503 once. */
    server_start("--fail-status", "503", "--fault-path", "*.zip", "--fault-skip", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_eq(st.retries, 1, "retries %" PRIu64, st.retries);
    cr_assert_eq(st.requests, 6);
    log = read_log(6);
    cr_assert_eq(count_lines(log, " 503 "), 1, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_wrong_content_range_fails)
{
    unsigned char *data = random_bytes(BIG, 10);
    char *out = gmf_xasprintf("%s/out", root);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct gmf_transfer *t = gmf_transfer_new(NULL);
    struct outcome o = {0};
    char *url;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    /* After the probe, one shard gets the bytes 1 further on, honestly labelled. */
    server_start("--shift-range", "1", "--fault-path", "*.zip", "--fault-skip", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_get_file(t, url, fd, (uint64_t)1 << 30, on_done, &o);
    run(t);
    gmf_transfer_free(t);
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.err, GMF_EHTTP, "%s: %s", gmf_err_name(o.err), o.msg);
    cr_assert(strstr(o.msg, "unexpected Content-Range") != NULL, "%s", o.msg);
    (void)close(fd);
    outcome_release(&o);
    free(out);
    free(url);
    free(data);
}

Test(transfer_http, file_head_probe)
{
    unsigned char *data = random_bytes(BIG, 12);
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start("--redirect-zip", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_opts_default(&opts);
    opts.probe = GMF_PROBE_HEAD;
    get_file_check(&opts, url, data, BIG, &o, &st);
    cr_assert_eq(st.requests, 6); /* HEAD + 5 shards */
    cr_assert_eq(st.sharded_files, 1);
    log = read_log(7);
    cr_assert_eq(count_lines(log, "HEAD /_blob/big/@v/v1.0.0.zip?sig=1 - 200"), 1, "log:\n%s",
                 log);
    cr_assert_eq(count_lines(log, "GET /_blob/big/@v/v1.0.0.zip?sig=1 bytes="), 5, "log:\n%s",
                 log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_head_refused_falls_back_to_get)
{
    unsigned char *data = random_bytes(BIG, 13);
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start("--redirect-zip", "--blob-deny-head", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_opts_default(&opts);
    opts.probe = GMF_PROBE_HEAD;
    get_file_check(&opts, url, data, BIG, &o, &st);
    cr_assert_eq(st.requests, 2);
    cr_assert_eq(st.sharded_files, 0);
    log = read_log(4);
    cr_assert_eq(count_lines(log, " 403 "), 1, "log:\n%s", log);
    cr_assert_eq(count_lines(log, "GET /_blob/big/@v/v1.0.0.zip?sig=2 - 200 20971520"), 1,
                 "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

/* The HEAD probe already tells the size is over the cap: the job ends in the HEAD's
 * completion, which must not touch the job afterwards (it once did: a use after free that
 * ASan reports here). */
Test(transfer_http, file_cap_head_probe)
{
    unsigned char *data = random_bytes(BIG, 15);
    char *out = gmf_xasprintf("%s/out", root);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct gmf_transfer_opts opts;
    struct gmf_transfer *t;
    struct outcome o = {0};
    char *url;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start(NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_opts_default(&opts);
    opts.probe = GMF_PROBE_HEAD;
    t = gmf_transfer_new(&opts);
    gmf_transfer_get_file(t, url, fd, BIG - 1, on_done, &o);
    run(t);
    gmf_transfer_free(t);
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.err, GMF_ETOOBIG, "%s", gmf_err_name(o.err));
    (void)close(fd);
    outcome_release(&o);
    free(out);
    free(url);
    free(data);
}

Test(transfer_http, file_cap)
{
    unsigned char *data = random_bytes(BIG, 14);
    char *out = gmf_xasprintf("%s/out", root);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct gmf_transfer *t = gmf_transfer_new(NULL);
    struct outcome o = {0};
    char *url;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start(NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_get_file(t, url, fd, BIG - 1, on_done, &o);
    run(t);
    gmf_transfer_free(t);
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.err, GMF_ETOOBIG, "%s", gmf_err_name(o.err));
    (void)close(fd);
    outcome_release(&o);
    free(out);
    free(url);
    free(data);
}

/* ---- resume, If-Range, Range fallbacks, retries ---- */

/* Fetch url into root/out expecting failure; returns the outcome (caller releases). */
static void get_file_fail(const struct gmf_transfer_opts *opts, const char *url,
                          struct outcome *o, struct gmf_transfer_stats *stats)
{
    char *out = gmf_xasprintf("%s/out", root);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct gmf_transfer *t = gmf_transfer_new(opts);

    cr_assert_geq(fd, 0);
    gmf_transfer_get_file(t, url, fd, (uint64_t)1 << 30, on_done, o);
    run(t);
    if (stats)
        gmf_transfer_get_stats(t, stats);
    gmf_transfer_free(t);
    cr_assert_eq(o->calls, 1);
    cr_assert_neq(o->err, GMF_OK, "%s: expected a failure", url);
    (void)close(fd);
    free(out);
}

/* Write an "old version" of rel under root/alt (served first with --alt-root) with the given
 * mtime, so its ETag and Last-Modified differ from the real file's. */
static void write_alt_file(const char *rel, const void *data, size_t len, time_t mtime)
{
    char *p = gmf_xasprintf("%s/alt/%s", root, rel);
    char *dir = gmf_xstrdup(p);
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};

    *strrchr(dir, '/') = '\0';
    cr_assert_eq(gmf_fs_mkdir_p(dir, 0755, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_write_atomic(p, data, len, NULL), GMF_OK);
    cr_assert_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
    free(dir);
    free(p);
}

Test(transfer_http, file_shards_carry_if_range)
{
    unsigned char *data = random_bytes(BIG, 21);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start(NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    log = read_log(5);
    /* The probe has nothing to name yet; the four planned shards name the probe's ETag. */
    cr_assert_eq(count_lines(log, "bytes=0-4194303 206 4194304 - "), 1, "log:\n%s", log);
    cr_assert_eq(count_lines(log, " 206 4194304 %22"), 4, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

/* The file changes between the probe and the shards: the server sees the stale If-Range,
 * answers 200 with the new file, and that response becomes the whole body.  A splice would
 * leave the old version's first 4 MiB in front. */
Test(transfer_http, file_changed_refetched_whole_via_if_range)
{
    unsigned char *data = random_bytes(BIG, 22);
    unsigned char *old = random_bytes(BIG, 101);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log, *alt;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    write_alt_file("big/@v/v1.0.0.zip", old, BIG, 1000000000);
    alt = gmf_xasprintf("%s/alt", root);
    server_start("--alt-root", alt, "--alt-requests", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    log = read_log(2);
    cr_assert_geq(st.restarts, 1, "restarts %" PRIu64 ", log:\n%s", st.restarts, log);
    cr_assert_geq(count_lines(log, " 200 20971520 %22"), 1, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(alt);
    free(url);
    free(data);
    free(old);
}

/* Same change behind a server that ignores If-Range: the 206 carries another ETag, so the
 * client itself refetches the whole body. */
Test(transfer_http, file_changed_detected_by_etag)
{
    unsigned char *data = random_bytes(BIG, 24);
    unsigned char *old = random_bytes(BIG, 103);
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log, *alt;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    write_alt_file("big/@v/v1.0.0.zip", old, BIG, 1000000000);
    alt = gmf_xasprintf("%s/alt", root);
    server_start("--alt-root", alt, "--alt-requests", "1", "--ignore-if-range", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_opts_default(&opts);
    get_file_check(&opts, url, data, BIG, &o, &st);
    cr_assert_eq(st.restarts, 1, "restarts %" PRIu64, st.restarts);
    log = read_log(3);
    /* The whole body again, without Range (and so without If-Range). */
    cr_assert_eq(count_lines(log, "GET /big/@v/v1.0.0.zip - 200 20971520 - "), 1, "log:\n%s",
                 log);
    free(log);
    outcome_release(&o);
    free(alt);
    free(url);
    free(data);
    free(old);
}

/* Without an ETag the Last-Modified date is the validator. */
Test(transfer_http, file_changed_detected_by_last_modified)
{
    unsigned char *data = random_bytes(BIG, 26);
    unsigned char *old = random_bytes(BIG, 105);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log, *alt;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    write_alt_file("big/@v/v1.0.0.zip", old, BIG, 1000000000);
    alt = gmf_xasprintf("%s/alt", root);
    server_start("--alt-root", alt, "--alt-requests", "1", "--no-etag", "--ignore-if-range",
                 NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_eq(st.restarts, 1, "restarts %" PRIu64, st.restarts);
    log = read_log(3);
    /* The shards named the old date (2001-09-09, the alt file's mtime). */
    cr_assert_geq(count_lines(log, "%2009%20Sep%202001%20"), 1, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(alt);
    free(url);
    free(data);
    free(old);
}

/* One planned shard is answered 200 (a backend that ignores Range): that response is the
 * body, the other shards are cancelled, and the result is exact. */
Test(transfer_http, file_range_ignored_midway_becomes_stream)
{
    unsigned char *data = random_bytes(BIG, 28);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start("--fault-full", "--fault-path", "*.zip", "--fault-skip", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, BIG, &o, &st);
    cr_assert_eq(st.restarts, 1, "restarts %" PRIu64, st.restarts);
    cr_assert_eq(st.retries, 0);
    log = read_log(2);
    cr_assert_eq(count_lines(log, " 200 20971520 "), 1, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

/* A server known to ignore Range gets no Range header for the rest of the run. */
static void second_job(void *ctx, const struct gmf_transfer_result *res);

struct two_jobs {
    struct gmf_transfer *t;
    char *url2;
    int fd2;
    struct outcome a, b;
};

static void first_job(void *ctx, const struct gmf_transfer_result *res)
{
    struct two_jobs *c = ctx;

    on_done(&c->a, res);
    gmf_transfer_get_file(c->t, c->url2, c->fd2, (uint64_t)1 << 30, second_job, c);
}

static void second_job(void *ctx, const struct gmf_transfer_result *res)
{
    struct two_jobs *c = ctx;

    on_done(&c->b, res);
}

static char *run_two_jobs(const struct gmf_transfer_opts *opts, const char *p1, const char *p2,
                          size_t min_log)
{
    struct two_jobs c = {0};
    char *out1 = gmf_xasprintf("%s/out1", root), *out2 = gmf_xasprintf("%s/out2", root);
    char *url1 = url_for(p1);
    int fd1 = open(out1, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    c.fd2 = open(out2, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    c.url2 = url_for(p2);
    c.t = gmf_transfer_new(opts);
    gmf_transfer_get_file(c.t, url1, fd1, (uint64_t)1 << 30, first_job, &c);
    run(c.t);
    gmf_transfer_free(c.t);
    cr_assert_eq(c.a.err, GMF_OK, "%s", c.a.msg);
    cr_assert_eq(c.b.err, GMF_OK, "%s", c.b.msg);
    (void)close(fd1);
    (void)close(c.fd2);
    outcome_release(&c.a);
    outcome_release(&c.b);
    free(out1);
    free(out2);
    free(url1);
    free(c.url2);
    return read_log(min_log);
}

Test(transfer_http, host_remembered_as_ignoring_range)
{
    unsigned char *data = random_bytes(100000, 29);
    char *log;

    write_tree_file("a/@v/v1.0.0.zip", data, 100000);
    write_tree_file("b/@v/v1.0.0.zip", data, 100000);
    server_start("--no-range", NULL);
    log = run_two_jobs(NULL, "a/@v/v1.0.0.zip", "b/@v/v1.0.0.zip", 2);
    cr_assert_eq(count_lines(log, "GET /a/@v/v1.0.0.zip bytes=0-4194303 200 100000"), 1,
                 "log:\n%s", log);
    cr_assert_eq(count_lines(log, "GET /b/@v/v1.0.0.zip - 200 100000"), 1, "log:\n%s", log);
    free(log);
    free(data);
}

Test(transfer_http, host_remembered_as_refusing_head)
{
    unsigned char *data = random_bytes(100000, 30);
    struct gmf_transfer_opts opts;
    char *log;

    write_tree_file("a/@v/v1.0.0.zip", data, 100000);
    write_tree_file("b/@v/v1.0.0.zip", data, 100000);
    server_start("--redirect-zip", "--blob-deny-head", NULL);
    gmf_transfer_opts_default(&opts);
    opts.probe = GMF_PROBE_HEAD;
    log = run_two_jobs(&opts, "a/@v/v1.0.0.zip", "b/@v/v1.0.0.zip", 5);
    cr_assert_eq(count_lines(log, "HEAD "), 2, "one HEAD and its redirect:\n%s", log);
    cr_assert_eq(count_lines(log, " 403 "), 1, "log:\n%s", log);
    /* The second zip starts with the range probe instead. */
    cr_assert_eq(count_lines(log, "GET /_blob/b/@v/v1.0.0.zip?sig=3 bytes=0-4194303 206"), 1,
                 "log:\n%s", log);
    free(log);
    free(data);
}

static void check_shard_error(const char *fault, const char *value, const char *want_msg,
                              struct gmf_transfer_stats *ret_st)
{
    unsigned char *data = random_bytes(BIG, 31);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    /* The probe passes; the next GET of the zip gets the fault. */
    server_start(fault, value, "--fault-path", "*.zip", "--fault-skip", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    get_file_fail(NULL, url, &o, &st);
    cr_assert_eq(o.err, GMF_EHTTP, "%s: %s %s", fault, gmf_err_name(o.err), o.msg);
    cr_assert(strstr(o.msg, want_msg) != NULL, "%s: \"%s\" lacks \"%s\"", fault, o.msg,
              want_msg);
    /* An error of the server, not of the network: asked once. */
    cr_assert_eq(st.retries, 0, "%s: %" PRIu64 " retries", fault, st.retries);
    if (ret_st)
        *ret_st = st;
    outcome_release(&o);
    free(url);
    free(data);
}

Test(transfer_http, file_size_change_is_an_error)
{
    check_shard_error("--size-change", "1000", "size changed: Content-Range", NULL);
}

Test(transfer_http, file_lying_content_length_is_an_error)
{
    check_shard_error("--lie-length", "10", "does not match Content-Range", NULL);
}

Test(transfer_http, file_416_on_a_shard_is_an_error)
{
    struct gmf_transfer_stats st;

    check_shard_error("--fail-status", "416", "416 Requested Range Not Satisfiable", &st);
    cr_assert_eq(st.responses_416, 1);
}

/* Content-Length 10 bytes short of the body on a kept-alive connection: the 206's length
 * disagrees with its Content-Range, an error of the server; the 10 stray bytes never reach
 * the file. */
Test(transfer_http, file_overrun_length_is_an_error)
{
    check_shard_error("--overrun", "10", "does not match Content-Range", NULL);
}

/* A HEAD that advertises ranges, a small body fetched as one stream, cut after 40000 bytes:
 * the stream resumes with bytes=40000-99999 (a resume of a stream counts in resumed_bytes
 * and, being a 206, in range_bytes). */
Test(transfer_http, file_stream_resumed_with_range)
{
    unsigned char *data = random_bytes(100000, 34);
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url, *log;

    write_tree_file("m/@v/v1.0.0.zip", data, 100000);
    server_start("--drop-after", "40000", NULL);
    url = url_for("m/@v/v1.0.0.zip");
    gmf_transfer_opts_default(&opts);
    opts.probe = GMF_PROBE_HEAD;
    get_file_check(&opts, url, data, 100000, &o, &st);
    cr_assert_eq(st.retries, 1);
    cr_assert_eq(st.bytes, 100000);
    cr_assert_eq(st.resumed_bytes, 60000, "resumed_bytes %" PRIu64, st.resumed_bytes);
    cr_assert_eq(st.range_bytes, 60000, "range_bytes %" PRIu64, st.range_bytes);
    cr_assert_eq(st.range_requests, 1);
    log = read_log(3);
    cr_assert_eq(count_lines(log, "GET /m/@v/v1.0.0.zip bytes=40000-99999 206 60000 %22"), 1,
                 "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

/* A stream (no Range) whose Content-Length lies long ends early: asked again whole. */
Test(transfer_http, file_lying_length_stream_refetched)
{
    unsigned char *data = random_bytes(100000, 32);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("m/@v/v1.0.0.zip", data, 100000);
    server_start("--no-range", "--lie-length", "500", NULL);
    url = url_for("m/@v/v1.0.0.zip");
    get_file_check(NULL, url, data, 100000, &o, &st);
    cr_assert_eq(st.retries, 1);
    outcome_release(&o);
    free(url);
    free(data);
}

/* A shard that stops sending is aborted by the loop after stall_timeout_s and resumed from
 * its last byte. */
Test(transfer_http, file_stall_resumed)
{
    unsigned char *data = random_bytes(BIG, 33);
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    uint64_t t0;
    char *url, *log;

    write_tree_file("big/@v/v1.0.0.zip", data, BIG);
    server_start("--stall-after", "1000000", "--stall-seconds", "8", "--fault-path", "*.zip",
                 "--fault-skip", "1", NULL);
    url = url_for("big/@v/v1.0.0.zip");
    gmf_transfer_opts_default(&opts);
    opts.stall_timeout_s = 1;
    t0 = (uint64_t)time(NULL);
    get_file_check(&opts, url, data, BIG, &o, &st);
    cr_assert_leq((uint64_t)time(NULL) - t0, 5, "the stall must be cut after about 1 s");
    cr_assert_eq(st.stalls, 1, "stalls %" PRIu64, st.stalls);
    cr_assert_eq(st.retries, 1);
    cr_assert_eq(st.bytes, BIG, "no byte fetched twice: %" PRIu64, st.bytes);
    cr_assert_eq(st.resumed_bytes, 3194304, "resumed_bytes %" PRIu64, st.resumed_bytes);
    log = read_log(5);
    /* The stalled shard is asked again from its last byte only.  (The stalled response
     * itself is logged once the server wakes up, after the test.) */
    {
        size_t resumed = 0;
        for (unsigned i = 1; i < 5; i++) {
            char *want = gmf_xasprintf("bytes=%u-%u 206 3194304 %%22", i * (4u << 20) + 1000000,
                                       (i + 1) * (4u << 20) - 1);
            resumed += count_lines(log, want);
            free(want);
        }
        cr_assert_eq(resumed, 1, "log:\n%s", log);
    }
    free(log);
    outcome_release(&o);
    free(url);
    free(data);
}

/* 503 once, then the file: a mem request is retried. */
Test(transfer_http, mem_503_retried)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("m/@v/v1.0.0.info", "{}", 2);
    server_start("--fail-status", "503", NULL);
    url = url_for("m/@v/v1.0.0.info");
    get_mem(NULL, url, 100, &o, &st);
    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_str_eq(o.body, "{}");
    cr_assert_eq(st.retries, 1);
    outcome_release(&o);
    free(url);
}

/* ---- hostile servers ---- */

/* 10000 headers of 33 bytes (330 KB): one clear error, not retried. */
Test(transfer_http, mem_header_flood_refused)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("h/@v/v1.info", "{}", 2);
    server_start("--header-flood", "*=10000", NULL);
    url = url_for("h/@v/v1.info");
    get_mem(NULL, url, 100, &o, &st);
    cr_assert_eq(o.err, GMF_EHTTP, "%s: %s", gmf_err_name(o.err), o.msg);
    cr_assert_str_eq(o.msg, "response headers larger than 262144 bytes");
    cr_assert_eq(st.retries, 0);
    outcome_release(&o);
    free(url);
}

/* 2000 headers (66 KB) are fine, as for go. */
Test(transfer_http, mem_many_headers_accepted)
{
    struct outcome o = {0};
    char *url;

    write_tree_file("h/@v/v1.info", "{}", 2);
    server_start("--header-flood", "*=2000", NULL);
    url = url_for("h/@v/v1.info");
    get_mem(NULL, url, 100, &o, NULL);
    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_str_eq(o.body, "{}");
    outcome_release(&o);
    free(url);
}

/* One 200 KB header line: libcurl's limit, said clearly, not retried. */
Test(transfer_http, mem_enormous_header_refused)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("h/@v/v1.info", "{}", 2);
    server_start("--big-header", "*=200000", NULL);
    url = url_for("h/@v/v1.info");
    get_mem(NULL, url, 100, &o, &st);
    cr_assert_eq(o.err, GMF_ENET, "%s: %s", gmf_err_name(o.err), o.msg);
    cr_assert_str_eq(o.msg, "response header line longer than libcurl's limit of 100 KiB");
    cr_assert_eq(st.retries, 0);
    outcome_release(&o);
    free(url);
}

/* A body that never ends: stopped at the cap, not retried, nothing kept. */
Test(transfer_http, mem_endless_body_capped)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    server_start("--endless", "*", NULL);
    url = url_for("x/@v/v1.info");
    get_mem(NULL, url, 1 << 20, &o, &st);
    cr_assert_eq(o.err, GMF_ETOOBIG, "%s: %s", gmf_err_name(o.err), o.msg);
    cr_assert_str_eq(o.msg, "response body exceeds the limit of 1048576 bytes");
    cr_assert_eq(o.body_len, 0);
    cr_assert_eq(st.retries, 0);
    cr_assert_leq(st.bytes, 1 << 20);
    outcome_release(&o);
    free(url);
}

/* A server that reads the request and never sends a status line: aborted after the stall
 * timeout, retried, then the error; bounded time. */
Test(transfer_http, mem_no_status_line)
{
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    uint64_t t0 = (uint64_t)time(NULL);
    char *url;

    write_tree_file("n/@v/v1.info", "{}", 2);
    server_start("--no-response", "--stall-seconds", "30", "--fault-times", "100", NULL);
    url = url_for("n/@v/v1.info");
    gmf_transfer_opts_default(&opts);
    opts.stall_timeout_s = 1;
    opts.retries = 1;
    get_mem(&opts, url, 100, &o, &st);
    cr_assert_eq(o.err, GMF_ENET, "%s: %s", gmf_err_name(o.err), o.msg);
    cr_assert_str_eq(o.msg, "no data received for 1 s");
    cr_assert_eq(o.status, 0);
    cr_assert_eq(st.stalls, 2);
    cr_assert_eq(st.retries, 1);
    /* Two 1 s stall timeouts and a backoff; without the stall timer it would be 60 s. */
    cr_assert_leq((uint64_t)time(NULL) - t0, 15);
    outcome_release(&o);
    free(url);
}

/* ---- Retry-After ---- */

/* The arrival time (the log's last field, seconds of the monotonic clock) of line n. */
static double log_time(const char *log, unsigned n)
{
    const char *l = log;

    for (unsigned i = 0; i < n && l; i++) {
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    cr_assert(l && *l, "no line %u in log:\n%s", n, log);
    {
        const char *e = strchr(l, '\n');
        const char *sp = e ? e : l + strlen(l);
        while (sp > l && sp[-1] != ' ')
            sp--;
        return strtod(sp, NULL);
    }
}

/* One .info answered `status` with Retry-After `value` once, then served: returns the gap
 * between the two requests as the server saw them. */
static double retry_after_gap(const char *status, const char *value, unsigned retries,
                              struct outcome *o, struct gmf_transfer_stats *st)
{
    struct gmf_transfer_opts opts;
    char *url, *log;
    double gap;

    write_tree_file("ra/@v/v1.info", "{}", 2);
    server_start("--fail-status", status, "--retry-after", value, NULL);
    url = url_for("ra/@v/v1.info");
    gmf_transfer_opts_default(&opts);
    opts.retries = retries;
    get_mem(&opts, url, 100, o, st);
    log = read_log(st->requests);
    gap = st->requests >= 2 ? log_time(log, 1) - log_time(log, 0) : -1;
    free(log);
    free(url);
    return gap;
}

/* Delay-seconds on a 503: waited instead of the 125-250 ms backoff. */
Test(transfer_http, retry_after_seconds_on_503)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    double gap = retry_after_gap("503", "1", 5, &o, &st);

    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_eq(st.retries, 1);
    cr_assert(gap >= 0.98 && gap < 5, "second request %.3f s after the first", gap);
    outcome_release(&o);
}

/* An HTTP-date on a 429: "now + 2 s", both ends truncated to whole seconds (the date format,
 * time()), so the client waits 1 or 2 s: well above the 125-250 ms backoff either way. */
Test(transfer_http, retry_after_date_on_429)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    double gap = retry_after_gap("429", "date+2", 5, &o, &st);

    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_eq(st.retries, 1);
    cr_assert(gap >= 0.9 && gap < 6, "second request %.3f s after the first", gap);
    outcome_release(&o);
}

/* Beyond the 60 s a request may wait: not retried at all, go's error at once. */
Test(transfer_http, retry_after_beyond_cap_not_retried)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    uint64_t t0 = (uint64_t)time(NULL);

    (void)retry_after_gap("503", "61", 5, &o, &st);
    cr_assert_eq(o.err, GMF_EHTTP);
    cr_assert_str_eq(o.msg, "503 Service Unavailable");
    cr_assert_eq(st.retries, 0);
    cr_assert_eq(st.requests, 1);
    cr_assert_leq((uint64_t)time(NULL) - t0, 10, "waited for the Retry-After");
    outcome_release(&o);
}

/* No retry left: Retry-After makes no one wait. */
Test(transfer_http, retry_after_needs_a_retry_left)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    uint64_t t0 = (uint64_t)time(NULL);

    (void)retry_after_gap("503", "10", 0, &o, &st);
    cr_assert_eq(o.err, GMF_EHTTP);
    cr_assert_eq(st.requests, 1);
    cr_assert_leq((uint64_t)time(NULL) - t0, 6, "waited for the Retry-After");
    outcome_release(&o);
}

/* On a 500 Retry-After means nothing (RFC 9110 defines it for 503 and 3xx): normal backoff. */
Test(transfer_http, retry_after_ignored_on_500)
{
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    double gap = retry_after_gap("500", "3", 5, &o, &st);

    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_eq(st.retries, 1);
    cr_assert(gap < 2.0, "second request %.3f s after the first (backoff <= 250 ms)", gap);
    outcome_release(&o);
}

/* Backoff waits are deadlines of the loop: a timer due during a backoff runs on time, and the
 * waits grow (base 250 ms doubling) with jitter in [d/2, d]. */
static uint64_t mono_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct timing {
    uint64_t t0, timer_at;
};

static void on_timer(void *ctx)
{
    struct timing *tm = ctx;

    tm->timer_at = mono_ms() - tm->t0;
}

/* One request that always gets 503, retried `retries` times; the waits the trace announced
 * go to waits[], and the time a 60 ms timer actually ran to *timer_at. */
static void run_backoff(unsigned retries, double *waits, uint64_t *timer_at, uint64_t *took)
{
    struct gmf_transfer_opts opts;
    struct gmf_transfer_stats st;
    struct timing tm = {0};
    struct outcome o = {0};
    struct gmf_transfer *t;
    struct gmf_buf tr;
    const char *p;
    char *url = url_for("down/@v/v1.0.0.info");

    gmf_buf_init(&tr, GMF_BUF_UNLIMITED);
    gmf_transfer_opts_default(&opts);
    opts.retries = retries;
    opts.trace = on_trace;
    opts.trace_ctx = &tr;
    opts.trace_attempts = true;
    t = gmf_transfer_new(&opts);
    tm.t0 = mono_ms();
    gmf_transfer_get_mem(t, url, 100, on_done, &o);
    gmf_transfer_after(t, 60, on_timer, &tm);
    run(t);
    *took = mono_ms() - tm.t0;
    *timer_at = tm.timer_at;
    gmf_transfer_get_stats(t, &st);
    gmf_transfer_free(t);
    cr_assert_eq(o.err, GMF_EHTTP);
    cr_assert_str_eq(o.msg, "503 Service Unavailable");
    cr_assert_eq(st.retries, retries);
    p = tr.data;
    for (unsigned i = 0; i < retries; i++) {
        p = strstr(p, "retrying in ");
        cr_assert_not_null(p, "trace:\n%s", tr.data);
        p += strlen("retrying in ");
        waits[i] = strtod(p, NULL);
    }
    gmf_buf_release(&tr);
    outcome_release(&o);
    free(url);
}

Test(transfer_http, backoff_is_a_deadline_with_jitter)
{
    double a[3], b[2];
    uint64_t timer_at, took;

    server_start("--status", "/down/*=503", NULL);
    run_backoff(3, a, &timer_at, &took);
    /* With a sleep() in the loop the timer would wait for the first backoff (>= 125 ms). */
    cr_assert(timer_at >= 60 && timer_at < 120, "timer ran at %" PRIu64 " ms", timer_at);
    for (int i = 0; i < 3; i++) {
        double lo = 0.125 * (1 << i), hi = 0.25 * (1 << i);
        cr_assert(a[i] >= lo - 0.0005 && a[i] <= hi + 0.0005,
                  "wait %d: %.3f s not in [%.3f, %.3f]", i, a[i], lo, hi);
    }
    cr_assert_geq(took, (uint64_t)((a[0] + a[1] + a[2]) * 1000) - 5);
    /* Jitter: another run waits differently (equal to the ms twice by chance: ~1 in 30000). */
    run_backoff(2, b, &timer_at, &took);
    cr_assert(a[0] != b[0] || a[1] != b[1], "no jitter: %.3f %.3f twice", a[0], a[1]);
}

/* .netrc credentials go to https only (go's web.get), so a plain http server asking for
 * them gets none: 401, and the server saw no user. */
Test(transfer_http, netrc_not_sent_over_http)
{
    struct gmf_transfer_opts opts;
    struct outcome o = {0};
    char *netrc = gmf_xasprintf("%s/netrc", root);
    char *url, *log;
    static const char text[] = "machine 127.0.0.1 login alice password s3cret\n";

    cr_assert_eq(gmf_fs_write_atomic(netrc, text, strlen(text), NULL), GMF_OK);
    write_tree_file("p/@v/v1.info", "{}", 2);
    server_start("--auth", "alice:s3cret", NULL);
    url = url_for("p/@v/v1.info");
    gmf_transfer_opts_default(&opts);
    opts.netrc_file = netrc;
    get_mem(&opts, url, 100, &o, NULL);
    cr_assert_eq(o.err, GMF_EHTTP);
    cr_assert_str_eq(o.msg, "401 Unauthorized");
    log = read_log(1);
    cr_assert_eq(count_lines(log, " 401 17 - -"), 1, "log:\n%s", log);
    free(log);
    outcome_release(&o);
    free(url);
    free(netrc);
}

/* Timers keep the loop alive, run in due order, and may add requests. */
static void timer_append(void *ctx)
{
    struct gmf_buf *b = ctx;

    (void)gmf_buf_putc(b, 'x');
}

static void timer_append_y(void *ctx)
{
    struct gmf_buf *b = ctx;

    (void)gmf_buf_putc(b, 'y');
}

Test(transfer, timers_run_in_due_order)
{
    struct gmf_transfer *t = gmf_transfer_new(NULL);
    struct gmf_buf b;
    struct gmf_diag d;

    gmf_buf_init(&b, 16);
    gmf_diag_init(&d);
    gmf_transfer_after(t, 40, timer_append, &b);
    gmf_transfer_after(t, 10, timer_append_y, &b);
    gmf_transfer_after(t, 40, timer_append_y, &b);
    cr_assert_eq(gmf_transfer_run(t, &d), GMF_OK);
    cr_assert_str_eq(b.data, "yxy");
    gmf_transfer_after(t, 1000, timer_append, &b);
    gmf_transfer_free(t); /* dropped, not called */
    cr_assert_str_eq(b.data, "yxy");
    gmf_buf_release(&b);
}

/* ---- file:// and interrupt need no server ---- */

Test(transfer_http, file_url)
{
    unsigned char *data = random_bytes(5000, 15);
    struct gmf_transfer_stats st;
    struct outcome o = {0};
    char *url;

    write_tree_file("f/@v/v1.0.0.zip", data, 5000);
    url = gmf_xasprintf("file://%s/f/@v/v1.0.0.zip", srv);
    get_file_check(NULL, url, data, 5000, &o, &st);
    cr_assert_eq(st.requests, 0);
    outcome_release(&o);
    free(url);

    url = gmf_xasprintf("file://%s/f/@v/v9.info", srv);
    get_mem(NULL, url, 100, &o, NULL);
    cr_assert_eq(o.err, GMF_ENOTFOUND);
    cr_assert_eq(o.status, 404);
    cr_assert_str_eq(o.msg, "no such file or directory");
    outcome_release(&o);
    free(url);

    url = gmf_xasprintf("file://%s/f/%%40v/v1.0.0.zip", srv); /* %40 is '@' */
    get_mem(NULL, url, 100000, &o, NULL);
    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    cr_assert_eq(o.body_len, 5000);
    outcome_release(&o);
    free(url);
    free(data);
}

static void must_not_run(void *ctx, const struct gmf_transfer_result *res)
{
    (void)ctx;
    (void)res;
    cr_assert_fail("done callback after interrupt");
}

Test(transfer_http, interrupt)
{
    struct gmf_transfer *t = gmf_transfer_new(NULL);
    struct gmf_diag d;

    gmf_diag_init(&d);
    gmf_transfer_get_mem(t, "http://127.0.0.1:9/x", 100, must_not_run, NULL);
    gmf_transfer_interrupt(t);
    cr_assert_eq(gmf_transfer_run(t, &d), GMF_EINTR);
    cr_assert_eq(gmf_transfer_run(t, &d), GMF_EINTR, "interrupt is sticky");
    gmf_transfer_free(t); /* pending request dropped without a callback */
}
