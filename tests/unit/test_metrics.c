#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmfetch/fsutil.h"
#include "gmfetch/metrics.h"
#include "gmfetch/xalloc.h"

/* Provenance: the Prometheus text exposition format 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats, "Text format details": HELP and TYPE
 * lines, label values escaped as \\ \" \n, one sample per line, a summary's _sum and _count
 * samples) and the naming conventions (prometheus.io/docs/practices/naming: counters end in
 * _total, base units such as _seconds and _bytes).  The numbers are made up for the test. */

static struct gmf_metrics sample(void)
{
    static const char *const urls[] = {"https://u:p@proxy.example/go", NULL,
                                       "https://proxy.example/go", "file:///srv/goproxy"};
    static const uint64_t bytes[] = {1000, 0, 24, 7};
    struct gmf_metrics m;

    memset(&m, 0, sizeof(m));
    m.duration_seconds = 1.5;
    m.end_time_seconds = 1700000000.25;
    m.exit_code = 1;
    m.downloaded = 5;
    m.cached = 3;
    m.failed = 1;
    m.stats.requests = 12;
    m.stats.range_requests = 4;
    m.stats.range_bytes = 4096;
    m.stats.responses_416 = 1;
    m.stats.retries = 2;
    m.stats.resumed_bytes = 300;
    m.stats.bytes = 5000;
    m.proxy_urls = urls;
    m.proxy_bytes = bytes;
    m.nproxies = 4;
    return m;
}

static char *format(const struct gmf_metrics *m)
{
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    gmf_metrics_format(&b, m);
    return gmf_buf_detach(&b, NULL);
}

Test(metrics, whole_file)
{
    struct gmf_metrics m = sample();
    char *text = format(&m);

    cr_assert_str_eq(
        text,
        "# HELP gmfetch_requests_total HTTP requests started, HEAD probes, Range shards and "
        "retries included.\n"
        "# TYPE gmfetch_requests_total counter\n"
        "gmfetch_requests_total 12\n"
        "# HELP gmfetch_range_requests_total HTTP requests that asked for a byte range.\n"
        "# TYPE gmfetch_range_requests_total counter\n"
        "gmfetch_range_requests_total 4\n"
        "# HELP gmfetch_shard_bytes Body bytes of 206 answers (sum) over Range requests "
        "(count): sum/count is the average shard size.\n"
        "# TYPE gmfetch_shard_bytes summary\n"
        "gmfetch_shard_bytes_sum 4096\n"
        "gmfetch_shard_bytes_count 4\n"
        "# HELP gmfetch_http_416_total 416 Range Not Satisfiable answers.\n"
        "# TYPE gmfetch_http_416_total counter\n"
        "gmfetch_http_416_total 1\n"
        "# HELP gmfetch_http_416_ratio 416 answers per Range request (0 without Range "
        "requests).\n"
        "# TYPE gmfetch_http_416_ratio gauge\n"
        "gmfetch_http_416_ratio 0.25\n"
        "# HELP gmfetch_retries_total Re-requests of failed shards (after a backoff).\n"
        "# TYPE gmfetch_retries_total counter\n"
        "gmfetch_retries_total 2\n"
        "# HELP gmfetch_resumed_bytes_total Bytes asked for again from a shard's last good "
        "byte.\n"
        "# TYPE gmfetch_resumed_bytes_total counter\n"
        "gmfetch_resumed_bytes_total 300\n"
        "# HELP gmfetch_received_bytes_total Body bytes of 200 and 206 answers, retried and "
        "cut-off requests included.\n"
        "# TYPE gmfetch_received_bytes_total counter\n"
        "gmfetch_received_bytes_total 5000\n"
        "# HELP gmfetch_bytes_total Body bytes of successful responses per GOPROXY entry "
        "(credentials removed).\n"
        "# TYPE gmfetch_bytes_total counter\n"
        "gmfetch_bytes_total{proxy=\"https://proxy.example/go\"} 1024\n"
        "gmfetch_bytes_total{proxy=\"file:///srv/goproxy\"} 7\n"
        "# HELP gmfetch_modules_total Modules of the download list by outcome: downloaded, "
        "cached (complete before the run) or failed.\n"
        "# TYPE gmfetch_modules_total counter\n"
        "gmfetch_modules_total{state=\"downloaded\"} 5\n"
        "gmfetch_modules_total{state=\"cached\"} 3\n"
        "gmfetch_modules_total{state=\"failed\"} 1\n"
        "# HELP gmfetch_duration_seconds Wall-clock time of the run.\n"
        "# TYPE gmfetch_duration_seconds gauge\n"
        "gmfetch_duration_seconds 1.500000\n"
        "# HELP gmfetch_last_run_timestamp_seconds Unix time at the end of the run.\n"
        "# TYPE gmfetch_last_run_timestamp_seconds gauge\n"
        "gmfetch_last_run_timestamp_seconds 1700000000.250\n"
        "# HELP gmfetch_exit_code Exit status: 0 success, 1 a module failed, 2 usage error, "
        "130 interrupted.\n"
        "# TYPE gmfetch_exit_code gauge\n"
        "gmfetch_exit_code 1\n"
        "# HELP gmfetch_delegated 1 when the run was handed to the go command (then only "
        "gmfetch's own part is counted, and there is no exit code).\n"
        "# TYPE gmfetch_delegated gauge\n"
        "gmfetch_delegated 0\n");
    free(text);
}

Test(metrics, label_values_are_escaped_and_credentials_dropped)
{
    static const char *const urls[] = {"http://a:b@h/x\"y\\z\nw", "https://token@h2/p@q"};
    static const uint64_t bytes[] = {1, 2};
    struct gmf_metrics m = sample();
    char *text;

    m.proxy_urls = urls;
    m.proxy_bytes = bytes;
    m.nproxies = 2;
    text = format(&m);
    cr_assert(strstr(text, "gmfetch_bytes_total{proxy=\"http://h/x\\\"y\\\\z\\nw\"} 1\n"), "%s",
              text);
    /* Only the authority's userinfo goes: an '@' in the path stays. */
    cr_assert(strstr(text, "gmfetch_bytes_total{proxy=\"https://h2/p@q\"} 2\n"), "%s", text);
    cr_assert_null(strstr(text, "a:b"));
    cr_assert_null(strstr(text, "token"));
    free(text);
}

Test(metrics, no_proxy_family_without_proxy_urls_and_no_ratio_without_ranges)
{
    static const char *const urls[] = {NULL};
    static const uint64_t bytes[] = {0};
    struct gmf_metrics m = sample();
    char *text;

    m.proxy_urls = urls;
    m.proxy_bytes = bytes;
    m.nproxies = 1;
    m.stats.range_requests = 0;
    text = format(&m);
    cr_assert_null(strstr(text, "gmfetch_bytes_total"), "%s", text);
    cr_assert(strstr(text, "\ngmfetch_http_416_ratio 0\n"), "%s", text);
    free(text);
}

Test(metrics, delegated_run_has_no_exit_code)
{
    struct gmf_metrics m = sample();
    char *text;

    m.delegated = true;
    text = format(&m);
    cr_assert_null(strstr(text, "gmfetch_exit_code"), "%s", text);
    cr_assert(strstr(text, "\ngmfetch_delegated 1\n"), "%s", text);
    free(text);
}

Test(metrics, defs_match_the_file)
{
    struct gmf_metrics m = sample();
    char *text = format(&m);
    size_t n = 0;

    for (const struct gmf_metrics_def *d; (d = gmf_metrics_def(n)) != NULL; n++) {
        char *type = gmf_xasprintf("# TYPE %s %s\n", d->name, d->type);
        cr_assert(strstr(text, type), "%s not in the file", type);
        free(type);
    }
    cr_assert_eq(n, 14);
    free(text);
}

Test(metrics, write_replaces_the_file_through_a_temp)
{
    char dir[] = "/tmp/gmf-metrics-XXXXXX";
    struct gmf_metrics m = sample();
    struct gmf_diag d;
    struct gmf_buf b;
    struct stat st;
    char *path, *tmp, *want;

    cr_assert_not_null(mkdtemp(dir));
    path = gmf_xasprintf("%s/gmfetch.prom", dir);
    tmp = gmf_xasprintf("%s.tmp-%ld", path, (long)getpid());
    cr_assert_eq(gmf_fs_write_atomic(path, "old\n", 4, NULL), GMF_OK);
    gmf_diag_init(&d);
    cr_assert_eq(gmf_metrics_write(path, &m, &d), GMF_OK, "%s", d.msg);
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    cr_assert_eq(gmf_fs_read_file(path, 1 << 20, &b, NULL), GMF_OK);
    want = format(&m);
    cr_assert_str_eq(b.data, want);
    cr_assert_neq(lstat(tmp, &st), 0, "temp file left");
    gmf_buf_release(&b);
    free(want);
    free(tmp);
    free(path);

    /* A directory that does not exist: an error naming the file, nothing left behind. */
    path = gmf_xasprintf("%s/no/such/dir/m.prom", dir);
    cr_assert_eq(gmf_metrics_write(path, &m, &d), GMF_EIO);
    cr_assert(!strncmp(d.msg, "writing metrics file: open ", 27), "%s", d.msg);
    free(path);
    (void)gmf_fs_remove_all(dir, NULL);
}
