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

static void check_status(const struct status_case *c, const char *extra1, const char *extra2)
{
    struct outcome o = {0};
    struct gmf_transfer_stats st;
    char *url;

    server_start(extra1, extra2, NULL);
    url = url_for(c->path);
    get_mem(NULL, url, 1024, &o, &st);
    cr_assert_eq(o.err, c->err, "%s: %s", c->path, gmf_err_name(o.err));
    cr_assert_eq(o.status, c->status, "%s: status %ld", c->path, o.status);
    cr_assert_str_eq(o.msg, c->msg, "%s", c->path);
    cr_assert_str_eq(o.body, c->body, "%s: error body kept", c->path);
    cr_assert_str_eq(o.content_type, "text/plain; charset=utf-8");
    /* The first answer about an object is its answer: no retry. */
    cr_assert_eq(st.requests, 1);
    cr_assert_eq(st.retries, 0);
    outcome_release(&o);
    free(url);
}

Test(transfer_http, mem_404)
{
    static const struct status_case c = {"example.com/m/@v/v9.info", GMF_ENOTFOUND, 404,
                                         "404 Not Found", "not found: example.com/m/@v/v9.info\n"};
    check_status(&c, NULL, NULL);
}

Test(transfer_http, mem_410)
{
    static const struct status_case c = {"gone/@v/list", GMF_ENOTFOUND, 410, "410 Gone",
                                         "410 Gone\n"};
    check_status(&c, "--status", "/gone/*=410");
}

Test(transfer_http, mem_500)
{
    static const struct status_case c = {"broken/@v/v1.mod", GMF_EHTTP, 500,
                                         "500 Internal Server Error",
                                         "500 Internal Server Error\n"};
    check_status(&c, "--status", "/broken/*=500");
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

Test(transfer_http, trace_redacts_password)
{
    struct gmf_transfer_opts opts;
    struct gmf_buf tr;
    struct outcome o = {0};
    char *url, *want;

    write_tree_file("p/@v/v1.info", "{}", 2);
    server_start(NULL);
    url = gmf_xasprintf("http://user:s3cret@127.0.0.1:%d/p/@v/v1.info", server_port);
    gmf_buf_init(&tr, GMF_BUF_UNLIMITED);
    gmf_transfer_opts_default(&opts);
    opts.trace = on_trace;
    opts.trace_ctx = &tr;
    get_mem(&opts, url, 100, &o, NULL);
    cr_assert_eq(o.err, GMF_OK, "%s", o.msg);
    want = gmf_xasprintf("# get http://user:xxxxx@127.0.0.1:%d/p/@v/v1.info\n", server_port);
    cr_assert(strncmp(tr.data, want, strlen(want)) == 0, "trace:\n%s", tr.data);
    cr_assert(strstr(tr.data, "s3cret") == NULL, "trace:\n%s", tr.data);
    free(want);
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
    log = read_log(6);
    cut = strstr(log, " 206 1000000\n");
    cr_assert_not_null(cut, "log:\n%s", log);
    while (cut > log && cut[-1] != '\n')
        cut--;
    cr_assert_eq(sscanf(cut, "GET /big/@v/v1.0.0.zip bytes=%llu-%llu", &first, &last), 2,
                 "log:\n%s", log);
    {
        char *want = gmf_xasprintf("bytes=%llu-%llu 206 %llu", first + 1000000, last,
                                   last - first + 1 - 1000000);
        cr_assert_eq(count_lines(log, want), 1, "want \"%s\" in log:\n%s", want, log);
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
