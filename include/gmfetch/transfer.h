/* transfer: one libcurl multi event loop for every request of a run.  Knows nothing about Go.
 *
 * Two kinds of request: a small body into memory (capped: .info, .mod, error pages), or a
 * possibly large body into a caller-supplied file descriptor (zips).  File requests learn
 * the size first (HEAD, or the Content-Range of a first ranged GET: GMF_PROBE_*), and when
 * the body is above opts.shard_threshold and the server honours Range, split it into
 * opts.shard_size Range requests that pwrite() into the fd at their offsets, against the
 * final URL after redirects.  A failed shard (reset, timeout, stall, 408/429/5xx) is
 * re-requested from its last good byte, up to opts.retries times, after an exponential
 * backoff with jitter; the re-request carries If-Range with the ETag or Last-Modified of the
 * first response, so a file that changed in between is fetched again whole, never spliced.
 * A server that answers a ranged request with 200 gets that response used as the whole body
 * (the other shards are cancelled), and which hosts honour Range (and HEAD) is remembered for
 * the rest of the engine's life.  A 206 whose Content-Range or Content-Length is not what was
 * asked, or whose complete length differs from the first response's, is an error.  Memory
 * stays bounded whatever the body size.
 *
 * Credentials: https requests get Basic credentials from opts.netrc_file, parsed and matched
 * as go's cmd/go/internal/auth does (a .netrc entry beats user:password in the URL); a plain
 * http URL with user:password is refused without a request, as go's web.get does.
 * Passwords never appear in traces or messages (user:xxxxx@, as url.Redacted).
 *
 * Calling sequence: gmf_transfer_new(); gmf_transfer_get_mem()/gmf_transfer_get_file() any
 * number of times; gmf_transfer_run() until nothing is pending (done callbacks may add more
 * requests, which run in the same loop); gmf_transfer_free().  Single-threaded: every call,
 * callbacks included, happens on the thread that calls gmf_transfer_run(), except
 * gmf_transfer_interrupt() which is async-signal-safe.  gmf_transfer_after() schedules work
 * of the caller's own (polling a lock or a child process) on the same loop.
 *
 * Error handling: each request ends in exactly one done callback with a result; run() itself
 * fails only for engine-level problems (curl multi errors) or after an interrupt.
 */
#ifndef GMFETCH_TRANSFER_H
#define GMFETCH_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmfetch/buf.h"
#include "gmfetch/err.h"

enum gmf_probe {
    GMF_PROBE_RANGE, /* first GET asks for bytes=0-(shard_size-1); a 206 reveals the size */
    GMF_PROBE_HEAD,  /* HEAD first; shards if Accept-Ranges: bytes and size > threshold */
};

/* One "-x" line, already formatted without the trailing newline (credentials redacted). */
typedef void (*gmf_transfer_trace_fn)(void *ctx, const char *line);

struct gmf_transfer_opts {
    unsigned max_total;        /* concurrent requests in flight (easy handles) */
    unsigned max_per_host;     /* connections per host (CURLMOPT_MAX_HOST_CONNECTIONS) */
    uint64_t shard_threshold;  /* bodies above this many bytes are split */
    uint64_t shard_size;       /* bytes per Range request */
    unsigned retries;          /* re-requests of one shard before giving up (each after a
                                  backoff of 250 ms doubling, with jitter, at most 8 s, or
                                  after the Retry-After of a 429/503 when longer: at most
                                  60 s in total per request, a longer one is not retried) */
    long connect_timeout_ms;
    long stall_timeout_s;      /* abort (and retry) a request that received nothing for this
                                  long, measured by the loop on the monotonic clock; 0 = off */
    enum gmf_probe probe;
    bool http1_only;           /* turn HTTP/2 off */
    const char *user_agent;    /* may be NULL */
    gmf_transfer_trace_fn trace; /* NULL = no tracing */
    void *trace_ctx;
    /* false: one "# get <url>" / "# get <url>: 200 OK (t)" pair per request, exactly as
     * go's -x prints it, however a file body was split; true: a pair per HTTP attempt
     * (HEAD probes, Range shards, retries) as well. */
    bool trace_attempts;
    /* .netrc file for https credentials (go: $NETRC, else ~/.netrc); NULL or missing = none.
     * Read once by gmf_transfer_new(). */
    const char *netrc_file;
};

/* Fill opts with the defaults (see transfer.c for the reasons behind each number). */
void gmf_transfer_opts_default(struct gmf_transfer_opts *opts);

struct gmf_transfer_result {
    enum gmf_err err;  /* GMF_OK (status 200/206 as asked), GMF_ENOTFOUND (404, 410, missing
                          file:// path), GMF_EHTTP (other status), GMF_ENET, GMF_ETOOBIG */
    long status;       /* final HTTP status, 0 when none (also when a redirect was refused:
                          go's client.Do returns no response then) */
    const char *url;   /* as requested */
    const char *effective_url;   /* after redirects, may equal url; when a redirect was
                                    refused as go refuses it (the 10th; https to non-https),
                                    the Location refused, as the server sent it (go's
                                    url.Error names that) */
    const char *content_type;    /* of the final response, "" when none */
    const struct gmf_buf *body;  /* mem requests: the body; failed requests: the error body
                                    (capped); never NULL */
    uint64_t size;     /* file requests: bytes of the complete body written to fd */
    const char *msg;   /* one line for the error ("404 Not Found", "unexpected EOF" for a body
                          shorter than its Content-Length, "stopped after 10 redirects",
                          curl's error text otherwise), "" on success */
};

/* res and everything it points to are valid only during the call.  A done callback may add
 * requests (get_mem/get_file) but must not call run() or free(). */
typedef void (*gmf_transfer_done_fn)(void *ctx, const struct gmf_transfer_result *res);

struct gmf_transfer;

/* NULL opts = defaults.  Never fails (aborts on OOM); curl_global_init is the caller's. */
struct gmf_transfer *gmf_transfer_new(const struct gmf_transfer_opts *opts);
/* Aborts anything still pending without calling callbacks. NULL is a no-op. */
void gmf_transfer_free(struct gmf_transfer *t);

/* GET url into memory, failing with GMF_ETOOBIG past max bytes. */
void gmf_transfer_get_mem(struct gmf_transfer *t, const char *url, size_t max,
                          gmf_transfer_done_fn done, void *ctx);
/* GET url into fd (positioned writes from offset 0; the fd is not closed), failing with
 * GMF_ETOOBIG past max bytes. */
void gmf_transfer_get_file(struct gmf_transfer *t, const char *url, int fd, uint64_t max,
                           gmf_transfer_done_fn done, void *ctx);

/* Run the loop until no request is pending. GMF_EINTR after gmf_transfer_interrupt(). */
enum gmf_err gmf_transfer_run(struct gmf_transfer *t, struct gmf_diag *diag);

/* Ask a running loop to stop (async-signal-safe). */
void gmf_transfer_interrupt(struct gmf_transfer *t);

/* Run fn(ctx) on the loop thread, inside gmf_transfer_run(), once delay_ms have passed on
 * the monotonic clock.  A pending timer keeps run() going like a pending request; fn may add
 * requests and timers.  Timers still pending at gmf_transfer_free() (or after an interrupt)
 * are dropped without being called: ctx stays the caller's. */
typedef void (*gmf_transfer_timer_fn)(void *ctx);
void gmf_transfer_after(struct gmf_transfer *t, unsigned delay_ms, gmf_transfer_timer_fn fn,
                        void *ctx);

/* Counters since gmf_transfer_new(); they only grow.  "Request" means one HTTP attempt
 * (a redirect followed inside it is not another); file:// requests count in none of them. */
struct gmf_transfer_stats {
    uint64_t requests;       /* HTTP requests started, HEAD and shards included */
    uint64_t range_requests; /* of those, requests sent with a Range header (range probes,
                                shards, resumes), whatever the answer */
    uint64_t bytes;          /* body bytes accepted: written to a file or kept in memory as
                                the body of a 200/206 (error pages not counted) */
    uint64_t retries;        /* re-requests after a failed attempt (backoff or Retry-After) */
    uint64_t sharded_files;  /* file bodies split into more than one Range request */
    uint64_t restarts;       /* bodies fetched again whole: Range ignored, or file changed */
    uint64_t stalls;         /* requests aborted by the stall timeout */
    uint64_t range_bytes;    /* of bytes, those that came in 206 answers (probe and shards);
                                range_bytes / range_requests is the average shard size when
                                nothing failed */
    uint64_t responses_416;  /* responses with status 416 Range Not Satisfiable, whatever
                                asked for them (a range probe's 416 then retried without
                                Range counts too) */
    uint64_t resumed_bytes;  /* length of the ranges asked for by resumes: re-requests of a
                                shard (or of a broken 200 stream) that start at its last good
                                byte because an earlier attempt already wrote [first, next);
                                the sum of (last - next + 1) over those requests, counted when
                                each is sent, so a resume that breaks again and is resumed
                                again counts its rest twice.  Retries that start from the
                                shard's first byte (nothing written yet) are not resumes. */
};
void gmf_transfer_get_stats(const struct gmf_transfer *t, struct gmf_transfer_stats *ret);

/* Parse "bytes <first>-<last>/<total>" (total may be "*" → *ret_total = UINT64_MAX).
 * Exposed for tests. */
enum gmf_err gmf_transfer_parse_content_range(const char *value, uint64_t *ret_first,
                                              uint64_t *ret_last, uint64_t *ret_total);

/* Parse a Retry-After value (RFC 9110 section 10.2.3): delay-seconds (saturating at
 * UINT64_MAX), or an HTTP-date, returned as seconds after now (a Unix time; 0 for a date
 * not after it).  GMF_EPARSE for anything else.  Exposed for tests. */
enum gmf_err gmf_transfer_parse_retry_after(const char *value, int64_t now,
                                            uint64_t *ret_seconds);

#endif
