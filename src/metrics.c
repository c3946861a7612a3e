/* metrics: the Prometheus textfile (see metrics.h). */
#include "gmfetch/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

enum family {
    F_REQUESTS,
    F_RANGE_REQUESTS,
    F_SHARD_BYTES,
    F_416,
    F_416_RATIO,
    F_RETRIES,
    F_RESUMED,
    F_RECEIVED,
    F_PROXY_BYTES,
    F_MODULES,
    F_DURATION,
    F_TIMESTAMP,
    F_EXIT,
    F_DELEGATED,
    NFAMILIES,
};

static const struct gmf_metrics_def defs[NFAMILIES] = {
    [F_REQUESTS] = {"gmfetch_requests_total", "counter",
                    "HTTP requests started, HEAD probes, Range shards and retries included."},
    [F_RANGE_REQUESTS] = {"gmfetch_range_requests_total", "counter",
                          "HTTP requests that asked for a byte range."},
    [F_SHARD_BYTES] = {"gmfetch_shard_bytes", "summary",
                       "Body bytes of 206 answers (sum) over Range requests (count): "
                       "sum/count is the average shard size."},
    [F_416] = {"gmfetch_http_416_total", "counter",
               "416 Range Not Satisfiable answers."},
    [F_416_RATIO] = {"gmfetch_http_416_ratio", "gauge",
                     "416 answers per Range request (0 without Range requests)."},
    [F_RETRIES] = {"gmfetch_retries_total", "counter",
                   "Re-requests of failed shards (after a backoff)."},
    [F_RESUMED] = {"gmfetch_resumed_bytes_total", "counter",
                   "Bytes asked for again from a shard's last good byte."},
    [F_RECEIVED] = {"gmfetch_received_bytes_total", "counter",
                    "Body bytes of 200 and 206 answers, retried and cut-off requests included."},
    [F_PROXY_BYTES] = {"gmfetch_bytes_total", "counter",
                       "Body bytes of successful responses per GOPROXY entry (credentials "
                       "removed)."},
    [F_MODULES] = {"gmfetch_modules_total", "counter",
                   "Modules of the download list by outcome: downloaded, cached (complete "
                   "before the run) or failed."},
    [F_DURATION] = {"gmfetch_duration_seconds", "gauge", "Wall-clock time of the run."},
    [F_TIMESTAMP] = {"gmfetch_last_run_timestamp_seconds", "gauge",
                     "Unix time at the end of the run."},
    [F_EXIT] = {"gmfetch_exit_code", "gauge",
                "Exit status: 0 success, 1 a module failed, 2 usage error, 130 interrupted."},
    [F_DELEGATED] = {"gmfetch_delegated", "gauge",
                     "1 when the run was handed to the go command (then only gmfetch's own "
                     "part is counted, and there is no exit code)."},
};

const struct gmf_metrics_def *gmf_metrics_def(size_t i)
{
    return i < NFAMILIES ? &defs[i] : NULL;
}

static void header(struct gmf_buf *out, enum family f)
{
    /* HELP texts above contain neither '\\' nor a newline: nothing to escape. */
    gmf_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", defs[f].name, defs[f].help,
                   defs[f].name, defs[f].type);
}

static void counter(struct gmf_buf *out, enum family f, uint64_t v)
{
    header(out, f);
    gmf_buf_printf(out, "%s %" PRIu64 "\n", defs[f].name, v);
}

/* A label value: backslash, double quote and newline escaped, as the format requires. */
static void put_label_value(struct gmf_buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            gmf_buf_puts(out, "\\\\");
        else if (*s == '"')
            gmf_buf_puts(out, "\\\"");
        else if (*s == '\n')
            gmf_buf_puts(out, "\\n");
        else
            gmf_buf_putc(out, *s);
    }
}

/* The URL without "user:password@" (heap). */
static char *strip_userinfo(const char *url)
{
    const char *se = strstr(url, "://");
    const char *a, *e, *at = NULL;

    if (!se)
        return gmf_xstrdup(url);
    a = se + 3;
    e = a + strcspn(a, "/?#");
    for (const char *p = a; p < e; p++)
        if (*p == '@')
            at = p;
    if (!at)
        return gmf_xstrdup(url);
    return gmf_xasprintf("%.*s%s", (int)(a - url), url, at + 1);
}

static void proxy_bytes(struct gmf_buf *out, const struct gmf_metrics *m)
{
    char **labels = gmf_xcalloc(m->nproxies + 1, sizeof(*labels));
    uint64_t *sums = gmf_xcalloc(m->nproxies + 1, sizeof(*sums));
    size_t n = 0;

    for (size_t i = 0; i < m->nproxies; i++) {
        char *label;
        size_t j;

        if (!m->proxy_urls[i])
            continue;
        label = strip_userinfo(m->proxy_urls[i]);
        for (j = 0; j < n && strcmp(labels[j], label) != 0; j++)
            ;
        if (j == n)
            labels[n++] = label;
        else
            free(label);
        sums[j] += m->proxy_bytes ? m->proxy_bytes[i] : 0;
    }
    /* No proxy entry (GOPROXY=off, direct): no family; an empty label would mean none. */
    if (n)
        header(out, F_PROXY_BYTES);
    for (size_t j = 0; j < n; j++) {
        gmf_buf_printf(out, "%s{proxy=\"", defs[F_PROXY_BYTES].name);
        put_label_value(out, labels[j]);
        gmf_buf_printf(out, "\"} %" PRIu64 "\n", sums[j]);
        free(labels[j]);
    }
    free(labels);
    free(sums);
}

void gmf_metrics_format(struct gmf_buf *out, const struct gmf_metrics *m)
{
    const struct gmf_transfer_stats *s = &m->stats;

    counter(out, F_REQUESTS, s->requests);
    counter(out, F_RANGE_REQUESTS, s->range_requests);
    header(out, F_SHARD_BYTES);
    gmf_buf_printf(out, "%s_sum %" PRIu64 "\n%s_count %" PRIu64 "\n", defs[F_SHARD_BYTES].name,
                   s->range_bytes, defs[F_SHARD_BYTES].name, s->range_requests);
    counter(out, F_416, s->responses_416);
    header(out, F_416_RATIO);
    gmf_buf_printf(out, "%s %.6g\n", defs[F_416_RATIO].name,
                   s->range_requests ? (double)s->responses_416 / (double)s->range_requests
                                     : 0.0);
    counter(out, F_RETRIES, s->retries);
    counter(out, F_RESUMED, s->resumed_bytes);
    counter(out, F_RECEIVED, s->bytes);
    proxy_bytes(out, m);
    header(out, F_MODULES);
    gmf_buf_printf(out, "%s{state=\"downloaded\"} %zu\n%s{state=\"cached\"} %zu\n"
                        "%s{state=\"failed\"} %zu\n",
                   defs[F_MODULES].name, m->downloaded, defs[F_MODULES].name, m->cached,
                   defs[F_MODULES].name, m->failed);
    header(out, F_DURATION);
    gmf_buf_printf(out, "%s %.6f\n", defs[F_DURATION].name, m->duration_seconds);
    header(out, F_TIMESTAMP);
    gmf_buf_printf(out, "%s %.3f\n", defs[F_TIMESTAMP].name, m->end_time_seconds);
    if (!m->delegated) {
        header(out, F_EXIT);
        gmf_buf_printf(out, "%s %d\n", defs[F_EXIT].name, m->exit_code);
    }
    header(out, F_DELEGATED);
    gmf_buf_printf(out, "%s %d\n", defs[F_DELEGATED].name, m->delegated ? 1 : 0);
}

enum gmf_err gmf_metrics_write(const char *path, const struct gmf_metrics *m,
                               struct gmf_diag *diag)
{
    struct gmf_buf b;
    char *tmp = gmf_xasprintf("%s.tmp-%ld", path, (long)getpid());
    enum gmf_err e = GMF_OK;
    int fd;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    gmf_metrics_format(&b, m);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        e = gmf_diag_set(diag, GMF_EIO, "writing metrics file: open %s: %s", tmp,
                         strerror(errno));
        goto out;
    }
    e = gmf_fs_pwrite_all(fd, b.data, b.len, 0, diag);
    if (!e && fsync(fd) != 0)
        e = gmf_diag_set(diag, GMF_EIO, "fsync %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && !e)
        e = gmf_diag_set(diag, GMF_EIO, "close %s: %s", tmp, strerror(errno));
    if (!e && rename(tmp, path) != 0)
        e = gmf_diag_set(diag, GMF_EIO, "rename %s %s: %s", tmp, path, strerror(errno));
    if (e) {
        (void)unlink(tmp);
        if (diag && strncmp(diag->msg, "writing metrics file", 20) != 0)
            (void)gmf_diag_prefix(diag, "writing metrics file");
    }
out:
    gmf_buf_release(&b);
    free(tmp);
    return e;
}
