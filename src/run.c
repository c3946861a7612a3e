/* run: `go mod download` as one pipeline (see run.h).
 *
 * Phases, each finishing before the next starts:
 *
 *   1. parse    find the main module (go.mod in the directory or a parent), parse go.mod
 *               and go.sum, decide what the arguments mean.
 *   2. graph    load the module graph: every go.mod the graph needs is read from the cache
 *               or fetched, verified against go.sum and cached; each arrival may make more
 *               go.mod files needed, which are requested at once (waves, not one by one).
 *               In no-argument mode go.sum is written here, as go 1.19 does before it
 *               downloads anything (modcmd/download.go calls WriteGoMod first).
 *   3. fetch    for each module to download, .info, .mod and .zip are requested at the same
 *               time; the zip goes into a temp file created under the version lock.  When a
 *               module's three requests are done and .info and .mod succeeded, its zip is
 *               handed to the worker pool; otherwise the temp zip is dropped.
 *   4. install  workers check, hash and extract each zip in one pass, verify the hash
 *               against go.sum and publish it (cache.h).  The transfer loop never waits for
 *               them, and they never touch curl.
 *   5. go.sum   with explicit arguments, newly verified hashes go into go.sum (under flock,
 *               merged with what other processes wrote meanwhile), as go does.
 *
 * Every request walks GOPROXY as go's TryProxies does (',' falls through on 404/410 only,
 * '|' on any error; the error kept is go's "most helpful" one).  A walk that reaches
 * "direct" or a GONOPROXY match hands that module to a `go mod download` child (see the
 * gocmd section); the loop polls the children from a timer.
 *
 * Threads: the transfer loop and all its callbacks run on the calling thread; workers only
 * run cache commits.  What both touch (go.sum additions, the fatal error) is under r->mu.
 * The loop thread never blocks on a version lock held by another process (go, or another
 * gmfetch that may wait for one of ours): a busy lock is looked at again from a timer.
 * Errors are reported in go's order for a module (info, then mod, then zip) whatever order
 * the concurrent requests finish in.
 *
 * Interrupt (Ctrl-C) and fatal errors: the loop stops at once, queued commits are dropped
 * (their temp zips removed, locks released), go children are stopped, and nothing half made
 * is left where go would trust it (cache.h); gmf_run returns GMF_EINTR / GMF_ECHECKSUM.
 */
#include "gmfetch/run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gmfetch/buf.h"
#include "gmfetch/cache.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/gomod.h"
#include "gmfetch/gosum.h"
#include "gmfetch/h1.h"
#include "gmfetch/json.h"
#include "gmfetch/modpath.h"
#include "gmfetch/plan.h"
#include "gmfetch/xalloc.h"
#include "gmfetch/zipx.h"

extern char **environ;

/* go.mod and .info bodies are small; go itself caps go.mod files inside zips at 16 MiB, and
 * nothing legitimate comes near that for .info. */
#define MAX_MOD_BYTES ((size_t)16 << 20)
#define MAX_INFO_BYTES ((size_t)1 << 20)

static struct gmf_transfer *volatile current_transfer;
static volatile sig_atomic_t interrupted;

void gmf_run_interrupt(void)
{
    struct gmf_transfer *t = current_transfer;

    interrupted = 1;
    if (t)
        gmf_transfer_interrupt(t);
}

void gmf_run_opts_init(struct gmf_run_opts *o)
{
    memset(o, 0, sizeof(*o));
    gmf_transfer_opts_default(&o->transfer);
}

/* ---- worker pool --------------------------------------------------------------------- */

struct job {
    void (*fn)(void *ctx);
    void *ctx;
    struct job *next;
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    bool closing;
    pthread_t *threads;
    unsigned nthreads;
};

static void *pool_main(void *arg)
{
    struct pool *p = arg;

    for (;;) {
        struct job *j;

        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->closing)
            pthread_cond_wait(&p->cv, &p->mu);
        j = p->head;
        if (j) {
            p->head = j->next;
            if (!p->head)
                p->tail = NULL;
        }
        pthread_mutex_unlock(&p->mu);
        if (!j)
            return NULL;
        j->fn(j->ctx);
        free(j);
    }
}

static void pool_start(struct pool *p, unsigned n)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = gmf_xcalloc(n, sizeof(*p->threads));
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, pool_main, p) != 0)
            break;
        p->nthreads++;
    }
}

static void pool_submit(struct pool *p, void (*fn)(void *), void *ctx)
{
    struct job *j = gmf_xcalloc(1, sizeof(*j));

    if (!p->nthreads) { /* no threads could be started: run inline */
        fn(ctx);
        free(j);
        return;
    }
    j->fn = fn;
    j->ctx = ctx;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Run every queued job, then stop the threads. */
static void pool_finish(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->closing = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
}

/* ---- run state ----------------------------------------------------------------------- */

enum step { STEP_INFO, STEP_MOD, STEP_ZIP, NSTEPS };

struct mod {
    struct run *r;
    char *path, *version; /* what is downloaded (after replacement) */
    size_t out;           /* index into the result */
    struct gmf_cache_paths paths;
    bool paths_ok;

    unsigned pending;     /* steps not finished yet */
    char *err[NSTEPS];    /* per step, go's error text */
    bool ok[NSTEPS];
    bool cached;          /* nothing needed the network */
    bool query;           /* named as path@version: -json shows the .info's Origin */
    char *direct_why;     /* a step's walk reached "direct" / GONOPROXY: go fetches it */
    bool direct_started;
    char *info_bytes;     /* for query: the .info as the proxy sent it, or as cached */
    size_t info_len;

    /* zip step */
    enum { ZIP_NONE, ZIP_HAVE, ZIP_REPAIR, ZIP_FETCH } zip_mode;
    struct gmf_cache_zip zip;
    char sum[GMF_H1_LEN + 1];
    char gomodsum[GMF_H1_LEN + 1];
    bool dir_ok;

    /* dry run */
    unsigned dry_have;    /* enum gmf_run_have */
    uint64_t dry_size;
    bool dry_direct;
};

/* A hash that go.sum did not have and that we accepted (GONOSUMDB / GOSUMDB=off). */
struct added_sum {
    char *path, *version;
    bool gomod;
    char *hash;
    bool graph_phase;
};

struct run {
    const struct gmf_run_opts *opts;
    const struct gmf_goenv *env;
    struct gmf_run_result *res;
    struct gmf_cache cache;
    struct gmf_transfer *t;
    struct pool pool;

    char *moddir;       /* main module root, NULL outside a module */
    char *gosum_path;
    struct gmf_gomod main;
    bool have_main;
    struct gmf_gosum sum;
    struct gmf_graph *graph;
    bool explicit_args;

    pthread_mutex_t mu; /* guards sum, added, fatal */
    struct added_sum *added;
    size_t nadded, cap_added;
    bool in_graph_phase;
    bool fatal;
    struct gmf_diag fatal_diag;
    char *graph_error; /* first graph loading error (go reports it as the run's error) */

    struct mod *mods;
    size_t nmods, cap_mods;

    struct preq *preqs; /* requests in flight, freed at the end if the loop was cut short */
    struct gocmd *gocmds; /* modules handed to the go command, running or queued */
    bool gocmd_timer;     /* the poll timer is armed */
    char *go_path;        /* go on PATH ("" if none), resolved at first need */
    bool root_made;     /* GOMODCACHE was created (at the first fetch) */

    /* For the cli: metrics and progress. */
    uint64_t *proxy_bytes;   /* per env->proxies[i]: body bytes of successful responses */
    unsigned active;         /* walks (preqs) in flight */
    atomic_size_t mods_done; /* modules finished (workers count theirs too) */
    long long progress_last; /* ms of the last progress call */
    bool tick_armed;         /* the progress timer is pending */
    int null_fd;             /* dry run: where size probes "write" (nothing: max 0) */
};

static void set_fatal(struct run *r, const struct gmf_diag *d)
{
    pthread_mutex_lock(&r->mu);
    if (!r->fatal) {
        r->fatal = true;
        r->fatal_diag = *d;
    }
    pthread_mutex_unlock(&r->mu);
    if (r->t)
        gmf_transfer_interrupt(r->t);
}

static bool is_fatal(struct run *r)
{
    bool f;

    pthread_mutex_lock(&r->mu);
    f = r->fatal;
    pthread_mutex_unlock(&r->mu);
    return f;
}

/* ---- progress hooks for the cli (gmf_run_opts.progress) ------------------------------- */

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned gocmds_running(const struct run *r);

static void progress_emit(struct run *r)
{
    struct gmf_run_progress p;

    memset(&p, 0, sizeof(p));
    p.graph = r->in_graph_phase;
    if (r->graph && r->in_graph_phase) {
        /* (gmf_graph_loaded reuses the array build_list returns: only while loading) */
        const struct gmf_modver *l;
        p.gomods = gmf_graph_loaded(r->graph, &l);
    }
    p.mods_total = r->nmods;
    p.mods_done = atomic_load(&r->mods_done);
    p.active = r->active + gocmds_running(r);
    if (r->t)
        gmf_transfer_get_stats(r->t, &p.stats);
    r->progress_last = mono_ms();
    r->opts->progress(r->opts->progress_ctx, &p);
}

/* After an event (a walk or a module finished): a snapshot, at most every progress_ms. */
static void progress_note(struct run *r)
{
    if (r->opts->progress && mono_ms() - r->progress_last >= (long long)r->opts->progress_ms)
        progress_emit(r);
}

static void progress_arm(struct run *r);

static void progress_tick(void *ctx)
{
    struct run *r = ctx;

    r->tick_armed = false;
    progress_emit(r);
    progress_arm(r);
}

/* Keep the timer going only while requests are in flight: a pending timer keeps the loop
 * alive, and it must end as soon as the last request does (give or take one tick). */
static void progress_arm(struct run *r)
{
    if (!r->opts->progress || !r->opts->progress_timer || r->tick_armed || !r->t ||
        interrupted || (!r->preqs && !r->gocmds))
        return;
    r->tick_armed = true;
    gmf_transfer_after(r->t, r->opts->progress_ms ? r->opts->progress_ms : 100, progress_tick,
                       r);
}

/* A module of the download list is finished (installed, found complete, or failed). */
static void mod_finished(struct run *r)
{
    atomic_fetch_add(&r->mods_done, 1);
}

/* ---- checksums (cmd/go/internal/modfetch/fetch.go checkModSum) ------------------------ */

static void format_mismatch(struct gmf_diag *d, const char *path, const char *version,
                            bool gomod, const char *got, const char *want)
{
    gmf_diag_set(d, GMF_ECHECKSUM,
                 "verifying %s@%s%s: checksum mismatch\n"
                 "\tdownloaded: %s\n"
                 "\tgo.sum:     %s\n"
                 "\n"
                 "SECURITY ERROR\n"
                 "This download does NOT match an earlier download recorded in go.sum.\n"
                 "The bits may have been replaced on the origin server, or an attacker may\n"
                 "have intercepted the download attempt.\n"
                 "\n"
                 "For more information, see 'go help module-auth'.",
                 path, version, gomod ? "/go.mod" : "", got, want);
}

/* Accept or refuse hash for path@version[/go.mod].  A mismatch is fatal for the whole run;
 * a missing line is accepted where go would not ask the checksum database, or when a go
 * command already verified the hash (by_go: a module fetched directly by go, which asked the
 * checksum database itself), and then it goes into go.sum as go would add it. */
static enum gmf_err check_sum(struct run *r, const char *path, const char *version, bool gomod,
                              const char *hash, bool by_go, struct gmf_diag *diag)
{
    const char *recorded = NULL;
    enum gmf_sum_status st;

    pthread_mutex_lock(&r->mu);
    st = gmf_gosum_check(&r->sum, path, version, gomod, hash, &recorded);
    if (st == GMF_SUM_MISMATCH) {
        format_mismatch(diag, path, version, gomod, hash, recorded);
        pthread_mutex_unlock(&r->mu);
        set_fatal(r, diag);
        return GMF_ECHECKSUM;
    }
    if (st == GMF_SUM_MISSING) {
        if (!by_go && !gmf_goenv_nosumdb(r->env, path)) {
            pthread_mutex_unlock(&r->mu);
            return gmf_diag_set(
                diag, GMF_ENOSUM,
                "%s@%s: verifying %s: missing go.sum entry; gmfetch does not query the checksum "
                "database yet: add the line with 'go mod download %s@%s', or set GONOSUMDB or "
                "GOSUMDB=off to trust it",
                path, version, gomod ? "go.mod" : "module", path, version);
        }
        /* Trusted on first use, as go does when the checksum database is off for path. */
        gmf_gosum_add(&r->sum, path, version, gomod, hash);
        GMF_GROW(r->added, r->cap_added, r->nadded + 1);
        r->added[r->nadded].path = gmf_xstrdup(path);
        r->added[r->nadded].version = gmf_xstrdup(version);
        r->added[r->nadded].gomod = gomod;
        r->added[r->nadded].hash = gmf_xstrdup(hash);
        r->added[r->nadded].graph_phase = r->in_graph_phase;
        r->nadded++;
    }
    pthread_mutex_unlock(&r->mu);
    return GMF_OK;
}

/* ---- proxy walk (cmd/go/internal/modfetch/proxy.go TryProxies) ------------------------ */

/* How a walk over GOPROXY ended, for the step that asked. */
struct walk_result {
    const struct gmf_transfer_result *res; /* success: the response; else NULL */
    const char *err;      /* failure: go's text for the error go would report */
    const char *proxy;    /* redacted base URL of the proxy that answered, or NULL */
    bool direct;          /* the walk reached "direct" or a GONOPROXY match: go's job */
};

typedef void (*proxy_done_fn)(void *ctx, const struct walk_result *w);

/* TryProxies keeps the most helpful error: one from direct/noproxy beats a proxy error other
 * than "not found", which beats "not found"; within a rank the later one wins. */
enum err_rank { RANK_NOTEXIST, RANK_PROXY, RANK_DIRECT };

struct preq {
    struct run *r;
    const char *mod_path; /* unescaped, for GONOPROXY */
    char *rel;            /* "<escaped path>/@v/<escaped version><ext>" */
    bool file;
    int fd;
    size_t max;
    size_t proxy;
    char *best_err;       /* what go would report if the walk ended now */
    enum err_rank best_rank;
    proxy_done_fn done;
    void *ctx;
    void (*abandon)(void *ctx); /* frees ctx when the loop ends before done is called */
    struct preq *prev, *next;
};

/* url.PathEscape for a path with slashes kept: go sends "!" as %21 (reference §2.2). */
static char *url_path_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || strchr("-_.~$&+,/:;=@", c);
        if (keep) {
            gmf_buf_putc(&b, (char)c);
        } else {
            gmf_buf_putc(&b, '%');
            gmf_buf_putc(&b, hex[c >> 4]);
            gmf_buf_putc(&b, hex[c & 15]);
        }
    }
    return gmf_buf_detach(&b, NULL);
}

/* net/url URL.Redacted(): the password of user:password@ becomes "xxxxx".  Every URL that
 * reaches a message goes through here, so no credential is ever printed. */
static char *redact(const char *url)
{
    const char *se = strstr(url, "://");
    const char *a, *e, *at = NULL, *colon;

    if (!se)
        return gmf_xstrdup(url);
    a = se + 3;
    e = a + strcspn(a, "/?#");
    for (const char *p = a; p < e; p++)
        if (*p == '@')
            at = p;
    if (!at || !(colon = memchr(a, ':', (size_t)(at - a))))
        return gmf_xstrdup(url);
    return gmf_xasprintf("%.*sxxxxx%s", (int)(colon + 1 - url), url, at);
}

/* go's error text for a failed proxy request (web/http.go, web/api.go, reference §2.5): an
 * HTTP answer is "reading <url>: <status>" plus up to 8 lines of a text/plain body; a request
 * that got no answer is net/http's url.Error, `Get "<url>": <why>`; a refusal to send
 * credentials over http is go's message alone.  URLs are redacted. */
static char *response_error(const char *raw_url, const struct gmf_transfer_result *res)
{
    struct gmf_buf b;
    const char *ct = res->content_type ? res->content_type : "";
    const char *msg = res->msg && *res->msg ? res->msg : "error";
    char *url = redact(raw_url);

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    if (!strncmp(msg, "refusing to pass credentials", 28)) {
        gmf_buf_puts(&b, msg);
        free(url);
        return gmf_buf_detach(&b, NULL);
    }
    if (!res->status && strncmp(raw_url, "file:", 5) != 0) {
        gmf_buf_printf(&b, "Get \"%s\": %s", url, msg);
        free(url);
        return gmf_buf_detach(&b, NULL);
    }
    gmf_buf_printf(&b, "reading %s: %s", url, msg);
    free(url);
    if (res->status && !strncmp(ct, "text/plain", 10) && res->body && res->body->len) {
        const char *cs = strstr(ct, "charset=");
        if (!cs || !strncasecmp(cs + 8, "utf-8", 5) || !strncasecmp(cs + 8, "us-ascii", 8)) {
            /* Up to 8 lines, stopping at the first blank one, all printable. */
            const char *p = res->body->data, *end = p + res->body->len;
            char *lines[8];
            size_t n = 0;
            bool printable = true, truncated = false;

            if (res->body->len > 648) {
                end = p + 648;
                truncated = true;
            }
            while (p < end && n < 8) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
                if (len && p[len - 1] == '\r')
                    len--;
                if (!len)
                    break;
                for (size_t i = 0; i < len; i++)
                    if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
                        printable = false;
                lines[n++] = gmf_xstrndup(p, len);
                p = nl ? nl + 1 : end;
            }
            if (p < end && n == 8)
                truncated = true;
            if (printable && n == 1 && !truncated) {
                gmf_buf_printf(&b, "\n\tserver response: %s", lines[0]);
            } else if (printable && n) {
                gmf_buf_puts(&b, "\n\tserver response:");
                for (size_t i = 0; i < n; i++)
                    gmf_buf_printf(&b, "\n\t%s", lines[i]);
                if (truncated)
                    gmf_buf_puts(&b, "\n\t[Truncated: too long.]");
            }
            for (size_t i = 0; i < n; i++)
                free(lines[i]);
        }
    }
    return gmf_buf_detach(&b, NULL);
}

static void preq_try(struct preq *q);

static void preq_unlink(struct preq *q)
{
    q->r->active--;
    if (q->prev)
        q->prev->next = q->next;
    else
        q->r->preqs = q->next;
    if (q->next)
        q->next->prev = q->prev;
}

static void preq_finish(struct preq *q, const struct walk_result *w)
{
    struct run *r = q->r;

    preq_unlink(q);
    q->done(q->ctx, w);
    free(q->rel);
    free(q->best_err);
    free(q);
    progress_note(r);
}

static void preq_fail(struct preq *q, const char *err)
{
    struct walk_result w = {.err = err};

    preq_finish(q, &w);
}

/* Record an error of the entry just tried, with TryProxies' precedence. */
static void preq_note(struct preq *q, const char *err, enum err_rank rank)
{
    if (rank == RANK_NOTEXIST ? q->best_rank != RANK_NOTEXIST && q->best_err
                              : rank < q->best_rank)
        return;
    free(q->best_err);
    q->best_err = gmf_xstrdup(err);
    q->best_rank = rank;
}

static void preq_done(void *ctx, const struct gmf_transfer_result *res)
{
    struct preq *q = ctx;
    const struct gmf_proxy *p = &q->r->env->proxies[q->proxy];
    bool notexist = res->err == GMF_ENOTFOUND;
    /* A dry run's size probe asks for at most 0 bytes: "too big" is its answer. */
    bool probe_answer = q->file && q->r->opts->dry_run && res->err == GMF_ETOOBIG;
    char *err;

    if (res->err == GMF_OK || probe_answer) {
        char *base = redact(p->url);
        q->r->proxy_bytes[q->proxy] += q->file ? res->size : res->body->len;
        struct walk_result w = {.res = res, .proxy = base};
        preq_finish(q, &w);
        free(base);
        return;
    }
    err = response_error(res->url, res);
    preq_note(q, err, notexist ? RANK_NOTEXIST : RANK_PROXY);
    free(err);
    /* ',' falls through only on "not found"; '|' on any error (proxy.go fallBackOnError). */
    if (!notexist && !p->fallback_any) {
        preq_fail(q, q->best_err);
        return;
    }
    /* A zip that failed mid-body must not leave bytes for the next proxy (fetch.go).  (A dry
     * run's probes write nothing, into /dev/null.) */
    if (q->file && !q->r->opts->dry_run && ftruncate(q->fd, 0) != 0) {
        preq_fail(q, "truncating temp zip failed");
        return;
    }
    q->proxy++;
    preq_try(q);
}

static void preq_try(struct preq *q)
{
    struct run *r = q->r;

    while (q->proxy < r->env->nproxies) {
        const struct gmf_proxy *p = &r->env->proxies[q->proxy];
        char *url;

        switch (p->kind) {
        case GMF_PROXY_NOPROXY:
            if (gmf_goenv_noproxy(r->env, q->mod_path)) {
                struct walk_result w = {.direct = true, .err = "GONOPROXY/GOPRIVATE match"};
                preq_finish(q, &w);
                return;
            }
            /* errUseProxy: a "not found" that lets the walk go on (repo.go lookup). */
            preq_note(q, "path does not match GOPRIVATE/GONOPROXY", RANK_NOTEXIST);
            q->proxy++;
            continue;
        case GMF_PROXY_DIRECT: {
            struct walk_result w = {.direct = true, .err = "GOPROXY reached \"direct\""};
            preq_finish(q, &w);
            return;
        }
        case GMF_PROXY_OFF:
            /* errProxyOff counts as "not found"; "off" ends the list (proxyList). */
            preq_note(q, "module lookup disabled by GOPROXY=off", RANK_NOTEXIST);
            q->proxy = r->env->nproxies;
            continue;
        case GMF_PROXY_URL:
            break;
        }
        if (!strncmp(p->url, "file:", 5)) {
            url = gmf_xasprintf("%s/%s", p->url, q->rel);
        } else {
            char *esc = url_path_escape(q->rel);
            url = gmf_xasprintf("%s/%s", p->url, esc);
            free(esc);
        }
        if (q->file)
            gmf_transfer_get_file(r->t, url, q->fd, q->max, preq_done, q);
        else
            gmf_transfer_get_mem(r->t, url, q->max, preq_done, q);
        free(url);
        return;
    }
    preq_fail(q, q->best_err ? q->best_err : "GOPROXY list is empty");
}

static void proxy_get(struct run *r, const char *path, const char *esc_path,
                      const char *esc_version, const char *ext, bool file, int fd, size_t max,
                      proxy_done_fn done, void *ctx, void (*abandon)(void *ctx))
{
    struct preq *q;

    /* go creates GOMODCACHE when it first fetches something (modfetch checkCacheDir), so a
     * run that fetches nothing leaves no trace. */
    if (!r->root_made && !r->opts->dry_run) {
        r->root_made = true;
        (void)gmf_fs_mkdir_p(r->env->gomodcache, 0777, NULL);
    }
    q = gmf_xcalloc(1, sizeof(*q));
    r->active++;
    q->abandon = abandon;
    q->next = r->preqs;
    if (r->preqs)
        r->preqs->prev = q;
    r->preqs = q;

    q->r = r;
    q->mod_path = path;
    q->rel = gmf_xasprintf("%s/@v/%s%s", esc_path, esc_version, ext);
    q->file = file;
    q->fd = fd;
    q->max = max;
    q->done = done;
    q->ctx = ctx;
    preq_try(q);
    progress_arm(r);
}

/* ---- modules the go command fetches: "direct" and GONOPROXY (reference §2.7) ------------
 *
 * A module whose walk reaches "direct" (or a GONOPROXY/GOPRIVATE match) needs the VCS
 * machinery of the go command.  It is handed, alone, to `go mod download -json path@version`
 * run in a scratch module (a temp directory with its own go.mod, and a go.sum holding this
 * run's lines for that module), so go checks the download against our go.sum before it
 * installs anything, with the same locks and cache as ours, and our module's go.mod and
 * go.sum are never touched.  The children run concurrently with the transfers: the loop
 * polls them every GOCMD_POLL_MS (a timer, never a blocking wait), at most GOCMD_MAX at a
 * time.  Their results are checked against go.sum once more here and added to it as sums go
 * verified. */

#define GOCMD_MAX 4u        /* each is a whole go command with its own network fan-out */
#define GOCMD_POLL_MS 20u   /* a child's exit is noticed this late at most */
#define GOCMD_OUT_MAX ((size_t)1 << 20) /* -json output and -x traces of one module */

/* err NULL: go succeeded.  security: go reported a checksum mismatch (fatal for the run). */
typedef void (*gocmd_done_fn)(void *ctx, const char *err, bool security);

struct gocmd {
    struct run *r;
    char *path, *version, *why;
    gocmd_done_fn done;
    void *ctx;
    void (*abandon)(void *ctx); /* frees ctx if the run ends first */
    pid_t pid;                  /* 0 while queued */
    int out_fd, err_fd;
    bool out_eof, err_eof;
    struct gmf_buf out, err;
    char *dir;                  /* the scratch module */
    struct gocmd *next;
};

/* The go command on PATH, resolved once ("" when there is none). */
static const char *go_command(struct run *r)
{
    const char *path = getenv("PATH");

    if (r->go_path)
        return r->go_path;
    r->go_path = gmf_xstrdup("");
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        char *cand = gmf_xasprintf("%.*s/go", (int)(len ? len : 1), len ? path : ".");
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            free(r->go_path);
            r->go_path = cand;
            break;
        }
        free(cand);
        path = colon ? colon + 1 : NULL;
    }
    return r->go_path;
}

/* The value of the top-level string field key of a JSON object, unescaped (\uXXXX outside
 * ASCII becomes '?': only error texts are read this way); NULL when absent. */
static char *json_top_string(const char *p, const char *end, const char *key)
{
    int depth = 0;
    bool want = false;

    while (p < end) {
        char c = *p;
        if (c == '"') {
            struct gmf_buf b;
            const char *q = p + 1;
            bool is_key;
            gmf_buf_init(&b, GMF_BUF_UNLIMITED);
            while (q < end && *q != '"') {
                if (*q == '\\' && q + 1 < end) {
                    q++;
                    switch (*q) {
                    case 'n': gmf_buf_putc(&b, '\n'); break;
                    case 't': gmf_buf_putc(&b, '\t'); break;
                    case 'r': gmf_buf_putc(&b, '\r'); break;
                    case 'u':
                        if (end - q >= 5) {
                            unsigned v = (unsigned)strtoul((char[5]){q[1], q[2], q[3], q[4], 0},
                                                           NULL, 16);
                            gmf_buf_putc(&b, v && v < 0x80 ? (char)v : '?');
                            q += 4;
                        }
                        break;
                    default: gmf_buf_putc(&b, *q); break;
                    }
                } else {
                    gmf_buf_putc(&b, *q);
                }
                q++;
            }
            p = q < end ? q + 1 : end;
            while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
                p++;
            is_key = depth == 1 && p < end && *p == ':';
            if (want && !is_key && depth == 1)
                return gmf_buf_detach(&b, NULL);
            want = is_key && b.data && !strcmp(b.data, key);
            gmf_buf_release(&b);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        else if (c == ',' && depth == 1)
            want = false;
        p++;
    }
    return NULL;
}

static void gocmd_free(struct gocmd *g)
{
    if (g->out_fd >= 0)
        close(g->out_fd);
    if (g->err_fd >= 0)
        close(g->err_fd);
    if (g->dir)
        (void)gmf_fs_remove_all(g->dir, NULL);
    gmf_buf_release(&g->out);
    gmf_buf_release(&g->err);
    free(g->dir);
    free(g->path);
    free(g->version);
    free(g->why);
    free(g);
}

static void gocmd_unlink(struct gocmd *g)
{
    struct gocmd **pp = &g->r->gocmds;

    while (*pp && *pp != g)
        pp = &(*pp)->next;
    if (*pp)
        *pp = g->next;
}

/* The scratch module: go.mod, and go.sum with this run's lines for the module, so go itself
 * refuses bytes that do not match them. */
static enum gmf_err gocmd_prepare(struct gocmd *g, struct gmf_diag *diag)
{
    struct run *r = g->r;
    const char *tmp = getenv("TMPDIR");
    struct gmf_buf sum;
    char *file;
    enum gmf_err e;

    g->dir = gmf_xasprintf("%s/gmfetch-direct-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g->dir)) {
        e = gmf_diag_set(diag, GMF_EIO, "mkdtemp %s: %s", g->dir, strerror(errno));
        free(g->dir);
        g->dir = NULL;
        return e;
    }
    file = gmf_xasprintf("%s/go.mod", g->dir);
    /* go 1.16: any go command that runs `go mod download` reads it, and an older module
     * (no graph pruning) keeps go from wanting to edit it. */
    e = gmf_fs_write_atomic(file, "module gmfetch-direct\n\ngo 1.16\n", 31, diag);
    free(file);
    if (e)
        return e;
    gmf_buf_init(&sum, GMF_BUF_UNLIMITED);
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->sum.nlines; i++) {
        const struct gmf_sum_line *l = &r->sum.lines[i];
        if (!strcmp(l->path, g->path) && !strcmp(l->version, g->version))
            gmf_buf_printf(&sum, "%s %s%s %s\n", l->path, l->version, l->gomod ? "/go.mod" : "",
                           l->hash);
    }
    pthread_mutex_unlock(&r->mu);
    file = gmf_xasprintf("%s/go.sum", g->dir);
    e = gmf_fs_write_atomic(file, sum.data ? sum.data : "", sum.len, diag);
    free(file);
    gmf_buf_release(&sum);
    return e;
}

static enum gmf_err gocmd_spawn(struct gocmd *g, struct gmf_diag *diag)
{
    struct run *r = g->r;
    char *arg = gmf_xasprintf("%s@%s", g->path, g->version);
    const char *argv[8];
    size_t n = 0, nenv = 0;
    char **envp;
    int out[2] = {-1, -1}, errp[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    enum gmf_err e = GMF_OK;
    int rc;

    argv[n++] = "go";
    argv[n++] = "mod";
    argv[n++] = "download";
    argv[n++] = "-json";
    if (r->opts->trace)
        argv[n++] = "-x";
    argv[n++] = arg;
    argv[n] = NULL;
    /* Outside any workspace, whatever GOWORK says (workspace mode was delegated anyway). */
    for (char **ep = environ; *ep; ep++)
        nenv++;
    envp = gmf_xcalloc(nenv + 2, sizeof(*envp));
    n = 0;
    for (char **ep = environ; *ep; ep++)
        if (strncmp(*ep, "GOWORK=", 7) != 0)
            envp[n++] = *ep;
    envp[n++] = (char *)"GOWORK=off";
    envp[n] = NULL;

    if (r->opts->transfer.trace) {
        struct gmf_buf l;
        gmf_buf_init(&l, GMF_BUF_UNLIMITED);
        gmf_buf_printf(&l, "# gmfetch: %s: %s: handed to the go command: cd %s; %s mod download "
                       "-json%s %s", arg, g->why, g->dir, go_command(r),
                       r->opts->trace ? " -x" : "", arg);
        r->opts->transfer.trace(r->opts->transfer.trace_ctx, l.data);
        gmf_buf_release(&l);
    }
    if (pipe2(out, O_CLOEXEC | O_NONBLOCK) != 0 || pipe2(errp, O_CLOEXEC | O_NONBLOCK) != 0) {
        e = gmf_diag_set(diag, GMF_EIO, "pipe: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    posix_spawn_file_actions_addchdir_np(&fa, g->dir);
    rc = posix_spawn(&g->pid, go_command(r), &fa, NULL, (char *const *)argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        g->pid = 0;
        e = gmf_diag_set(diag, GMF_EIO, "running %s: %s", go_command(r), strerror(rc));
        goto out;
    }
    g->out_fd = out[0];
    g->err_fd = errp[0];
    out[0] = errp[0] = -1;
out:
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    free(envp);
    free(arg);
    return e;
}

static void gocmd_drain(int *fd, bool *eof, struct gmf_buf *b)
{
    char chunk[8192];

    while (*fd >= 0 && !*eof) {
        ssize_t n = read(*fd, chunk, sizeof(chunk));
        if (n > 0) {
            size_t room = b->max - b->len;
            (void)gmf_buf_append(b, chunk, (size_t)n < room ? (size_t)n : room);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            *eof = true;
        break; /* EAGAIN: nothing more for now */
    }
}

/* The child exited with status: report its verdict and forget it. */
static void gocmd_finish(struct gocmd *g, int status)
{
    struct run *r = g->r;
    char *err = NULL;
    bool security;

    gocmd_drain(&g->out_fd, &g->out_eof, &g->out);
    gocmd_drain(&g->err_fd, &g->err_eof, &g->err);
    gocmd_unlink(g);
    if (r->opts->transfer.trace && g->err.len) {
        /* go's own -x lines, as go would have printed them. */
        char *text = gmf_xstrndup(g->err.data, g->err.len);
        for (char *line = text, *nl; line && *line; line = nl) {
            nl = strchr(line, '\n');
            if (nl)
                *nl++ = '\0';
            if (*line)
                r->opts->transfer.trace(r->opts->transfer.trace_ctx, line);
        }
        free(text);
    }
    security = g->err.len && strstr(g->err.data, "SECURITY ERROR");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !security) {
        g->done(g->ctx, NULL, false);
        gocmd_free(g);
        return;
    }
    if (security) {
        /* go printed the whole block (no "go: " prefix, as for its own fatal mismatches). */
        size_t len = g->err.len;
        while (len && (g->err.data[len - 1] == '\n' || g->err.data[len - 1] == ' '))
            len--;
        err = gmf_xstrndup(g->err.data, len);
    }
    if (!err && g->out.len)
        err = json_top_string(g->out.data, g->out.data + g->out.len, "Error");
    if (!err && g->err.len) {
        /* The last line go printed, without its "go: " prefix (ours is added when shown). */
        size_t end = g->err.len;
        while (end && g->err.data[end - 1] == '\n')
            end--;
        size_t start = end;
        while (start && g->err.data[start - 1] != '\n')
            start--;
        if (end - start > 4 && !strncmp(g->err.data + start, "go: ", 4))
            start += 4;
        if (end > start)
            err = gmf_xstrndup(g->err.data + start, end - start);
    }
    if (!err)
        err = WIFEXITED(status)
                  ? gmf_xasprintf("%s@%s: go mod download exited with status %d", g->path,
                                  g->version, WEXITSTATUS(status))
                  : gmf_xasprintf("%s@%s: go mod download was killed by signal %d", g->path,
                                  g->version, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    g->done(g->ctx, err, security);
    free(err);
    gocmd_free(g);
}

static void gocmd_poll(void *ctx);

static unsigned gocmds_running(const struct run *r)
{
    unsigned n = 0;

    for (const struct gocmd *g = r->gocmds; g; g = g->next)
        n += g->pid != 0;
    return n;
}

/* Start queued children up to GOCMD_MAX and keep the poll timer armed while any run. */
static void gocmd_pump(struct run *r)
{
    unsigned running = 0;

    for (struct gocmd *g = r->gocmds; g; g = g->next)
        running += g->pid != 0;
    for (struct gocmd *g = r->gocmds, *next; g && running < GOCMD_MAX; g = next) {
        struct gmf_diag d;
        next = g->next;
        if (g->pid)
            continue;
        gmf_diag_init(&d);
        if (gocmd_prepare(g, &d) || gocmd_spawn(g, &d)) {
            char *e = gmf_xasprintf("%s@%s: %s", g->path, g->version, d.msg);
            gocmd_unlink(g);
            g->done(g->ctx, e, false);
            free(e);
            gocmd_free(g);
            continue;
        }
        running++;
    }
    if (running && !r->gocmd_timer) {
        r->gocmd_timer = true;
        gmf_transfer_after(r->t, GOCMD_POLL_MS, gocmd_poll, r);
    }
}

static void gocmd_poll(void *ctx)
{
    struct run *r = ctx;
    bool again = true;

    r->gocmd_timer = false;
    while (again) {
        again = false;
        for (struct gocmd *g = r->gocmds; g; g = g->next) {
            int status;
            if (!g->pid)
                continue;
            gocmd_drain(&g->out_fd, &g->out_eof, &g->out);
            gocmd_drain(&g->err_fd, &g->err_eof, &g->err);
            if (waitpid(g->pid, &status, WNOHANG) == g->pid) {
                g->pid = 0;
                gocmd_finish(g, status); /* changes the list: scan again */
                again = true;
                break;
            }
        }
    }
    gocmd_pump(r);
}

/* Hand path@version to the go command; done is called on the loop thread (possibly at once,
 * when there is no go command). */
static void gocmd_start(struct run *r, const char *path, const char *version, const char *why,
                        gocmd_done_fn done, void *ctx, void (*abandon)(void *ctx))
{
    struct gocmd *g, **tail;

    if (!*go_command(r)) {
        char *e = gmf_xasprintf("%s@%s: %s: fetching it directly needs the go command, which "
                                "is not on PATH", path, version, why);
        done(ctx, e, false);
        free(e);
        return;
    }
    g = gmf_xcalloc(1, sizeof(*g));
    g->r = r;
    g->path = gmf_xstrdup(path);
    g->version = gmf_xstrdup(version);
    g->why = gmf_xstrdup(why);
    g->done = done;
    g->ctx = ctx;
    g->abandon = abandon;
    g->out_fd = g->err_fd = -1;
    gmf_buf_init(&g->out, GOCMD_OUT_MAX);
    gmf_buf_init(&g->err, GOCMD_OUT_MAX);
    for (tail = &r->gocmds; *tail; tail = &(*tail)->next)
        ;
    *tail = g;
    gocmd_pump(r);
}

/* The run ends early (interrupt, fatal error): stop the children go's way (SIGINT), give them
 * a moment to remove their temp files, then make sure. */
static void gocmd_stop_all(struct run *r)
{
    struct timespec tick = {0, 20 * 1000 * 1000};

    for (struct gocmd *g = r->gocmds; g; g = g->next)
        if (g->pid)
            (void)kill(g->pid, SIGINT);
    for (int i = 0; i < 100; i++) { /* 2 s */
        bool left = false;
        for (struct gocmd *g = r->gocmds; g; g = g->next) {
            int status;
            if (g->pid && waitpid(g->pid, &status, WNOHANG) == g->pid)
                g->pid = 0;
            left |= g->pid != 0;
        }
        if (!left)
            break;
        (void)nanosleep(&tick, NULL);
    }
    while (r->gocmds) {
        struct gocmd *g = r->gocmds;
        r->gocmds = g->next;
        if (g->pid) {
            int status;
            (void)kill(g->pid, SIGKILL);
            (void)waitpid(g->pid, &status, 0);
        }
        if (g->abandon)
            g->abandon(g->ctx);
        gocmd_free(g);
    }
}

/* ---- phase 2: the module graph --------------------------------------------------------- */

struct graph_fetch {
    struct run *r;
    char *path, *version;             /* graph node */
    struct gmf_cache_paths paths;     /* of the replacement target */
};

static void graph_pump(struct run *r);

static void graph_error(struct run *r, const char *path, const char *version, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    if (!r->graph_error)
        r->graph_error = gmf_xstrdup(msg);
    pthread_mutex_unlock(&r->mu);
    gmf_graph_fail(r->graph, path, version);
}

/* Verify a go.mod's bytes against go.sum and hand them to the graph. */
static void graph_accept(struct run *r, const char *path, const char *version,
                         const struct gmf_cache_paths *tp, const char *data, size_t len,
                         bool write_cache, bool by_go)
{
    char h[GMF_H1_LEN + 1];
    struct gmf_diag d;

    gmf_diag_init(&d);
    gmf_h1_gomod(data, len, h);
    if (check_sum(r, tp->path, tp->version, true, h, by_go, &d)) {
        graph_error(r, path, version, d.msg);
        return;
    }
    if (write_cache && !r->opts->dry_run && gmf_cache_write_mod(tp, data, len, &d)) {
        graph_error(r, path, version, d.msg);
        return;
    }
    if (gmf_graph_provide(r->graph, path, version, data, len, &d)) {
        pthread_mutex_lock(&r->mu);
        if (!r->graph_error)
            r->graph_error = gmf_xstrdup(d.msg);
        pthread_mutex_unlock(&r->mu);
    }
}

static void graph_fetch_free(void *ctx)
{
    struct graph_fetch *f = ctx;

    gmf_cache_paths_release(&f->paths);
    free(f->path);
    free(f->version);
    free(f);
}

/* A go.mod the go command fetched (direct / GONOPROXY): read what it cached. */
static void graph_direct_done(void *ctx, const char *err, bool security)
{
    struct graph_fetch *f = ctx;
    struct run *r = f->r;
    struct gmf_diag d;
    struct gmf_buf b;

    gmf_diag_init(&d);
    gmf_buf_init(&b, MAX_MOD_BYTES);
    if (security) {
        gmf_diag_set(&d, GMF_ECHECKSUM, "%s", err);
        set_fatal(r, &d);
    } else if (err) {
        graph_error(r, f->path, f->version, err);
    } else if (gmf_fs_read_file(f->paths.mod, MAX_MOD_BYTES, &b, &d) != GMF_OK) {
        char *msg = gmf_xasprintf("%s@%s: %s", f->paths.path, f->paths.version, d.msg);
        graph_error(r, f->path, f->version, msg);
        free(msg);
    } else if (!is_fatal(r)) {
        graph_accept(r, f->path, f->version, &f->paths, b.data ? b.data : "", b.len, false,
                     true);
    }
    gmf_buf_release(&b);
    graph_fetch_free(f);
    graph_pump(r);
}

static void graph_fetched(void *ctx, const struct walk_result *w)
{
    struct graph_fetch *f = ctx;
    struct run *r = f->r;

    if (w->direct && r->opts->dry_run) {
        char *msg = gmf_xasprintf("%s@%s: %s: the go command would fetch this go.mod, which "
                                  "--dry-run does not run", f->paths.path, f->paths.version,
                                  w->err);
        graph_error(r, f->path, f->version, msg);
        free(msg);
        graph_fetch_free(f);
        graph_pump(r);
        return;
    }
    if (w->direct) {
        gocmd_start(r, f->paths.path, f->paths.version, w->err, graph_direct_done, f,
                    graph_fetch_free);
        return;
    }
    if (w->err) {
        char *msg = gmf_xasprintf("%s@%s: %s", f->paths.path, f->paths.version, w->err);
        graph_error(r, f->path, f->version, msg);
        free(msg);
    } else if (!is_fatal(r)) {
        graph_accept(r, f->path, f->version, &f->paths, w->res->body->data, w->res->body->len,
                     true, false);
    }
    graph_fetch_free(f);
    graph_pump(r);
}

/* Start every go.mod the graph needs right now; cached and directory go.mod files are read
 * at once, which can make more needed (hence the loop). */
static void graph_pump(struct run *r)
{
    const struct gmf_graph_need *needs;
    size_t n;

    while (!is_fatal(r) && (n = gmf_graph_take_needs(r->graph, &needs)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const struct gmf_graph_need *nd = &needs[i];
            struct gmf_diag d;
            struct gmf_buf b;

            gmf_diag_init(&d);
            gmf_buf_init(&b, MAX_MOD_BYTES);
            if (nd->dir) {
                char *file = nd->dir[0] == '/'
                                 ? gmf_xasprintf("%s/go.mod", nd->dir)
                                 : gmf_xasprintf("%s/%s/go.mod", r->moddir, nd->dir);
                if (gmf_fs_read_file(file, MAX_MOD_BYTES, &b, &d)) {
                    char *msg = gmf_xasprintf("%s: reading %s: %s", nd->dir, file, d.msg);
                    graph_error(r, nd->path, nd->version, msg);
                    free(msg);
                } else if (gmf_graph_provide(r->graph, nd->path, nd->version, b.data ? b.data : "",
                                             b.len, &d)) {
                    graph_error(r, nd->path, nd->version, d.msg);
                }
                free(file);
                gmf_buf_release(&b);
                continue;
            }
            struct graph_fetch *f = gmf_xcalloc(1, sizeof(*f));
            f->r = r;
            f->path = gmf_xstrdup(nd->path);
            f->version = gmf_xstrdup(nd->version);
            if (gmf_cache_paths(&r->cache, nd->fetch_path, nd->fetch_version, &f->paths, &d)) {
                graph_error(r, nd->path, nd->version, d.msg);
                free(f->path);
                free(f->version);
                free(f);
                continue;
            }
            if (gmf_fs_read_file(f->paths.mod, MAX_MOD_BYTES, &b, &d) == GMF_OK) {
                graph_accept(r, f->path, f->version, &f->paths, b.data ? b.data : "", b.len,
                             false, false);
                gmf_buf_release(&b);
                gmf_cache_paths_release(&f->paths);
                free(f->path);
                free(f->version);
                free(f);
                continue;
            }
            gmf_buf_release(&b);
            proxy_get(r, f->paths.path, f->paths.esc_path, f->paths.esc_version, ".mod", false,
                      -1, MAX_MOD_BYTES, graph_fetched, f, graph_fetch_free);
        }
    }
}

/* ---- phase 3/4: downloads -------------------------------------------------------------- */

static void mod_step_done(struct mod *m, enum step s, const char *err);
static void mod_step_direct(struct mod *m, enum step s, const char *why);
static void after_info(struct run *r, struct mod *m);

static void set_step_error(struct mod *m, enum step s, const char *err)
{
    if (!m->err[s])
        m->err[s] = gmf_xstrdup(err);
}

/* The common start of the three step callbacks: a walk that reached "direct" hands the
 * module to go; a failed walk ends the step with go's "<path>@<version>: " prefix.
 * Returns true when the step was ended here. */
static bool step_walk_failed(struct mod *m, enum step s, const struct walk_result *w)
{
    if (w->direct) {
        mod_step_direct(m, s, w->err);
        return true;
    }
    if (w->err) {
        char *e = gmf_xasprintf("%s@%s: %s", m->path, m->version, w->err);
        mod_step_done(m, s, e);
        free(e);
        return true;
    }
    return false;
}

static void info_fetched(void *ctx, const struct walk_result *w)
{
    struct mod *m = ctx;
    const struct gmf_transfer_result *res = w->res;
    struct gmf_buf out;
    struct gmf_diag d;
    char *version = NULL;

    if (step_walk_failed(m, STEP_INFO, w))
        return;
    gmf_diag_init(&d);
    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    if (gmf_json_info_reencode(res->body->data ? res->body->data : "", res->body->len, &version,
                               &out, &d)) {
        /* proxy.go names the proxy's base URL (redacted), not the request. */
        char *e = gmf_xasprintf("%s@%s: invalid response from proxy \"%s\": %s", m->path,
                                m->version, w->proxy, d.msg);
        mod_step_done(m, STEP_INFO, e);
        free(e);
    } else if (strcmp(version, m->version) != 0) {
        char *e = gmf_xasprintf("%s@%s: proxy returned info for version %s instead of requested "
                                "version",
                                m->path, m->version, version);
        mod_step_done(m, STEP_INFO, e);
        free(e);
    } else if (gmf_cache_write_info(&m->paths, out.data, out.len, &d)) {
        mod_step_done(m, STEP_INFO, d.msg);
    } else {
        if (m->query) {
            m->info_bytes = gmf_xstrndup(res->body->data ? res->body->data : "", res->body->len);
            m->info_len = res->body->len;
        }
        mod_step_done(m, STEP_INFO, NULL);
    }
    free(version);
    gmf_buf_release(&out);
}

static void mod_verify_bytes(struct mod *m, const char *data, size_t len, bool write_cache)
{
    struct gmf_diag d;

    gmf_diag_init(&d);
    gmf_h1_gomod(data, len, m->gomodsum);
    if (check_sum(m->r, m->path, m->version, true, m->gomodsum, false, &d)) {
        m->gomodsum[0] = '\0';
        mod_step_done(m, STEP_MOD, d.msg);
        return;
    }
    if (write_cache && gmf_cache_write_mod(&m->paths, data, len, &d)) {
        mod_step_done(m, STEP_MOD, d.msg);
        return;
    }
    mod_step_done(m, STEP_MOD, NULL);
}

static void mod_fetched(void *ctx, const struct walk_result *w)
{
    struct mod *m = ctx;

    if (step_walk_failed(m, STEP_MOD, w))
        return;
    mod_verify_bytes(m, w->res->body->data ? w->res->body->data : "", w->res->body->len, true);
}

static enum gmf_err zip_verify(void *ctx, const char *h1, struct gmf_diag *diag)
{
    struct mod *m = ctx;

    return check_sum(m->r, m->path, m->version, false, h1, false, diag);
}

/* Worker: publish or repair the zip of m. */
static void zip_job(void *ctx)
{
    struct mod *m = ctx;
    struct gmf_diag d;
    enum gmf_err e;

    gmf_diag_init(&d);
    if (interrupted || is_fatal(m->r)) {
        /* Ctrl-C or a fatal error: drop the temp zip (and the lock) instead of spending
         * more time; go would not have installed it either. */
        if (m->zip_mode == ZIP_FETCH)
            gmf_cache_zip_abort(&m->zip);
        m->zip_mode = ZIP_NONE;
        set_step_error(m, STEP_ZIP, "interrupted");
        mod_finished(m->r);
        return;
    }
    if (m->zip_mode == ZIP_FETCH)
        e = gmf_cache_zip_commit(&m->r->cache, &m->paths, &m->zip, zip_verify, m, m->sum, &d);
    else
        e = gmf_cache_zip_repair(&m->r->cache, &m->paths, zip_verify, m, m->sum, &d);
    m->zip_mode = ZIP_NONE; /* commit and repair release everything, success or not */
    if (e) {
        m->sum[0] = '\0';
        if (e != GMF_ECHECKSUM)
            set_step_error(m, STEP_ZIP, d.msg);
        else
            set_step_error(m, STEP_ZIP, "checksum mismatch");
    } else {
        m->ok[STEP_ZIP] = true;
        m->dir_ok = true;
    }
    mod_finished(m->r);
}

static void zip_fetched(void *ctx, const struct walk_result *w)
{
    struct mod *m = ctx;

    if (step_walk_failed(m, STEP_ZIP, w))
        return;
    mod_step_done(m, STEP_ZIP, NULL);
}

static void mod_direct_check(struct mod *m, const char *err, bool security);

/* What the go command left in the cache for m, checked as if we had fetched it. */
static void mod_direct_done(void *ctx, const char *err, bool security)
{
    struct mod *m = ctx;

    mod_direct_check(m, err, security);
    mod_finished(m->r);
}

static void mod_direct_check(struct mod *m, const char *err, bool security)
{
    struct run *r = m->r;
    struct gmf_diag d;
    struct gmf_buf b;

    for (int s = 0; s < NSTEPS; s++) {
        free(m->err[s]);
        m->err[s] = NULL;
        m->ok[s] = false;
    }
    m->sum[0] = m->gomodsum[0] = '\0';
    gmf_diag_init(&d);
    if (security) {
        gmf_diag_set(&d, GMF_ECHECKSUM, "%s", err);
        set_fatal(r, &d);
        return;
    }
    if (err) {
        m->err[STEP_INFO] = gmf_xstrdup(err);
        return;
    }
    gmf_buf_init(&b, MAX_MOD_BYTES);
    if (!gmf_fs_exists(m->paths.info) ||
        gmf_fs_read_file(m->paths.mod, MAX_MOD_BYTES, &b, &d) != GMF_OK) {
        m->err[STEP_INFO] = gmf_xasprintf("%s@%s: the go command left no .info/.mod in the "
                                          "module cache", m->path, m->version);
        gmf_buf_release(&b);
        return;
    }
    m->ok[STEP_INFO] = true;
    if (m->query && !m->info_bytes) {
        struct gmf_buf ib;
        gmf_buf_init(&ib, MAX_INFO_BYTES);
        if (gmf_fs_read_file(m->paths.info, MAX_INFO_BYTES, &ib, NULL) == GMF_OK) {
            m->info_len = ib.len;
            m->info_bytes = gmf_buf_detach(&ib, NULL);
        }
        gmf_buf_release(&ib);
    }
    gmf_h1_gomod(b.data ? b.data : "", b.len, m->gomodsum);
    gmf_buf_release(&b);
    if (check_sum(r, m->path, m->version, true, m->gomodsum, true, &d)) {
        m->gomodsum[0] = '\0';
        m->err[STEP_MOD] = gmf_xstrdup(d.msg);
        return;
    }
    m->ok[STEP_MOD] = true;
    if (gmf_cache_read_ziphash(&m->paths, m->sum, &d) != GMF_OK ||
        check_sum(r, m->path, m->version, false, m->sum, true, &d)) {
        m->sum[0] = '\0';
        m->err[STEP_ZIP] = gmf_xstrdup(d.msg[0] ? d.msg : "missing ziphash");
        return;
    }
    m->ok[STEP_ZIP] = true;
    m->dir_ok = gmf_cache_dir_complete(&m->paths);
}

/* Every step is over and one of them reached "direct": the go command fetches the module
 * (all of it: go skips what is already in the cache). */
static void mod_go_direct(struct mod *m)
{
    if (m->direct_started)
        return;
    m->direct_started = true;
    m->cached = false;
    if (m->zip_mode == ZIP_FETCH) {
        gmf_cache_zip_abort(&m->zip); /* go takes the version lock itself */
        m->zip_mode = ZIP_NONE;
    }
    gocmd_start(m->r, m->path, m->version, m->direct_why, mod_direct_done, m, NULL);
}

static void mod_step_end(struct mod *m, enum step s);

/* Called once per step.  When the last step of a module is done, decide about its zip. */
static void mod_step_done(struct mod *m, enum step s, const char *err)
{
    if (err)
        set_step_error(m, s, err);
    else if (s != STEP_ZIP)
        m->ok[s] = true;
    mod_step_end(m, s);
}

/* The step's walk ended at "direct": neither done nor failed, the go command will say. */
static void mod_step_direct(struct mod *m, enum step s, const char *why)
{
    if (!m->direct_why)
        m->direct_why = gmf_xstrdup(why);
    mod_step_end(m, s);
}

static void mod_step_end(struct mod *m, enum step s)
{
    if (s == STEP_INFO) {
        bool started = m->ok[STEP_INFO] && !is_fatal(m->r); /* after_info's test */
        m->pending--;
        after_info(m->r, m);
        /* info failed or went direct: nothing else was started. */
        if (!m->pending && m->direct_why && !is_fatal(m->r))
            mod_go_direct(m);
        else if (!started)
            mod_finished(m->r);
        return;
    }
    if (--m->pending)
        return;
    if (m->direct_why && !is_fatal(m->r)) {
        mod_go_direct(m);
        return;
    }

    bool prior_ok = m->ok[STEP_INFO] && m->ok[STEP_MOD] && !is_fatal(m->r);
    switch (m->zip_mode) {
    case ZIP_FETCH:
        if (prior_ok && !m->err[STEP_ZIP]) {
            pool_submit(&m->r->pool, zip_job, m); /* the job counts the module as finished */
            return;
        }
        gmf_cache_zip_abort(&m->zip);
        m->zip_mode = ZIP_NONE;
        break;
    case ZIP_REPAIR:
        if (prior_ok) {
            pool_submit(&m->r->pool, zip_job, m);
            return;
        }
        break;
    case ZIP_HAVE:
    case ZIP_NONE:
        break;
    }
    mod_finished(m->r);
}

/* Whether <ev>.lock can be taken right now.  The loop thread must never block on a lock
 * another process holds: that process may itself wait for a lock this one holds (two
 * gmfetch runs fetching the same modules in different orders), and neither loop would move
 * again.  A busy lock is tried again later from a timer; begin/repair only start when it
 * looked free (a window of microseconds remains in which another process can take it; then
 * this loop waits for that process's download, which does not wait for us). */
static bool lock_is_free(const struct gmf_cache_paths *p)
{
    int fd, rc;

    (void)gmf_fs_mkdir_p(p->vdir, 0777, NULL);
    fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return true; /* let begin report the real error */
    do
        rc = flock(fd, LOCK_EX | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc == 0)
        (void)flock(fd, LOCK_UN);
    close(fd);
    return rc == 0;
}

/* How often a busy version lock is looked at again: go holds it for one download. */
#define LOCK_RETRY_MS 25u

static void zip_start(struct run *r, struct mod *m);

static void zip_start_again(void *ctx)
{
    struct mod *m = ctx;

    if (is_fatal(m->r)) {
        mod_step_done(m, STEP_ZIP, "interrupted");
        return;
    }
    zip_start(m->r, m);
}

/* The zip step: use what the cache has, or lock the version and fetch into a temp zip. */
static void zip_start(struct run *r, struct mod *m)
{
    struct gmf_diag d;

    gmf_diag_init(&d);
    if (!gmf_cache_zip_complete(&m->paths) || !gmf_cache_dir_complete(&m->paths)) {
        if (!lock_is_free(&m->paths)) {
            /* Someone (go, another gmfetch) is fetching or extracting it: look again. */
            gmf_transfer_after(r->t, LOCK_RETRY_MS, zip_start_again, m);
            return;
        }
    }
    if (gmf_cache_zip_complete(&m->paths) && gmf_cache_dir_complete(&m->paths) &&
        gmf_cache_read_ziphash(&m->paths, m->sum, &d) == GMF_OK) {
        m->zip_mode = ZIP_HAVE;
        if (check_sum(r, m->path, m->version, false, m->sum, false, &d) == GMF_OK) {
            m->ok[STEP_ZIP] = true;
            m->dir_ok = true;
            mod_step_done(m, STEP_ZIP, NULL);
        } else {
            m->sum[0] = '\0';
            mod_step_done(m, STEP_ZIP, d.msg);
        }
        return;
    }
    if (gmf_fs_exists(m->paths.zip)) {
        m->zip_mode = ZIP_REPAIR;
        mod_step_done(m, STEP_ZIP, NULL);
        return;
    }
    if (gmf_cache_zip_begin(&r->cache, &m->paths, &m->zip, &d)) {
        m->zip_mode = ZIP_NONE;
        mod_step_done(m, STEP_ZIP, d.msg);
        return;
    }
    if (m->zip.already_complete) {
        /* A concurrent go finished it while we waited for the lock. */
        m->zip_mode = ZIP_HAVE;
        if (gmf_cache_read_ziphash(&m->paths, m->sum, &d) == GMF_OK &&
            check_sum(r, m->path, m->version, false, m->sum, false, &d) == GMF_OK) {
            m->ok[STEP_ZIP] = true;
            m->dir_ok = gmf_cache_dir_complete(&m->paths);
            mod_step_done(m, STEP_ZIP, NULL);
        } else {
            m->sum[0] = '\0';
            mod_step_done(m, STEP_ZIP, d.msg[0] ? d.msg : "reading ziphash failed");
        }
        return;
    }
    m->cached = false;
    m->zip_mode = ZIP_FETCH;
    proxy_get(r, m->path, m->paths.esc_path, m->paths.esc_version, ".zip", true, m->zip.fd,
              (size_t)GMF_ZIP_MAX_SIZE, zip_fetched, m, NULL);
}

/* The mod step: a cached go.mod is verified again, as go does in every process. */
static void gomod_start(struct run *r, struct mod *m)
{
    struct gmf_diag d;
    struct gmf_buf b;

    gmf_diag_init(&d);
    gmf_buf_init(&b, MAX_MOD_BYTES);
    if (gmf_fs_read_file(m->paths.mod, MAX_MOD_BYTES, &b, &d) == GMF_OK) {
        mod_verify_bytes(m, b.data ? b.data : "", b.len, false);
    } else {
        m->cached = false;
        proxy_get(r, m->path, m->paths.esc_path, m->paths.esc_version, ".mod", false, -1,
                  MAX_MOD_BYTES, mod_fetched, m, NULL);
    }
    gmf_buf_release(&b);
}

/* go runs info, mod, zip one after the other and stops at the first failure.  gmfetch waits
 * for .info only (a version that does not exist must leave the cache as go leaves it: no
 * .mod, no lock, no zip), then fetches .mod and .zip at the same time.  Across modules
 * everything runs concurrently, so the wait costs one round trip per run, not per module. */
static void after_info(struct run *r, struct mod *m)
{
    if (!m->ok[STEP_INFO] || is_fatal(r)) {
        /* The remaining steps never start; go reports the info error. */
        m->pending -= 2;
        return;
    }
    gomod_start(r, m);
    zip_start(r, m);
}

/* Start the three steps of one module. */
static void mod_start(struct run *r, struct mod *m)
{
    m->pending = NSTEPS;
    m->cached = true;
    if (gmf_fs_exists(m->paths.info)) {
        /* Present is enough: go reads .info back only to answer queries, and -json shows
         * the Origin of what was named as path@version. */
        if (m->query) {
            struct gmf_buf b;
            gmf_buf_init(&b, MAX_INFO_BYTES);
            if (gmf_fs_read_file(m->paths.info, MAX_INFO_BYTES, &b, NULL) == GMF_OK) {
                m->info_len = b.len;
                m->info_bytes = gmf_buf_detach(&b, NULL);
            }
            gmf_buf_release(&b);
        }
        m->ok[STEP_INFO] = true;
        m->pending--;
        after_info(r, m);
    } else {
        m->cached = false;
        proxy_get(r, m->path, m->paths.esc_path, m->paths.esc_version, ".info", false, -1,
                  MAX_INFO_BYTES, info_fetched, m, NULL);
    }
}

/* ---- dry run: what the cache has, and the size of each missing zip ---------------------- */

/* The size a size probe learnt: the transfer engine fails a request whose announced length
 * is above its cap with "response body of N bytes exceeds the limit of M bytes", and a probe
 * caps at 0.  Anything else (no Content-Length) leaves the size unknown. */
static uint64_t probe_size(const struct gmf_transfer_result *res)
{
    const char *p = res->msg ? strstr(res->msg, "body of ") : NULL;
    unsigned long long v;
    struct stat st;
    char *end;

    if (res->err == GMF_OK)
        return res->size;
    /* A file:// proxy: the file itself says. */
    if (!strncmp(res->url, "file://", 7) && stat(res->url + 7, &st) == 0)
        return (uint64_t)st.st_size;
    if (!p)
        return GMF_RUN_SIZE_UNKNOWN;
    errno = 0;
    v = strtoull(p + 8, &end, 10);
    if (errno || end == p + 8 || strncmp(end, " bytes", 6) != 0)
        return GMF_RUN_SIZE_UNKNOWN;
    return v;
}

static void dry_probed(void *ctx, const struct walk_result *w)
{
    struct mod *m = ctx;

    m->pending = 0;
    if (w->direct) {
        m->dry_direct = true;
    } else if (w->err) {
        char *e = gmf_xasprintf("%s@%s: %s", m->path, m->version, w->err);
        set_step_error(m, STEP_ZIP, e);
        free(e);
    } else {
        m->dry_size = probe_size(w->res);
    }
    mod_finished(m->r);
}

static void dry_start(struct run *r, struct mod *m)
{
    struct stat st;

    m->dry_size = GMF_RUN_SIZE_UNKNOWN;
    m->dry_have = (gmf_fs_exists(m->paths.info) ? GMF_RUN_HAVE_INFO : 0) |
                  (gmf_fs_exists(m->paths.mod) ? GMF_RUN_HAVE_MOD : 0) |
                  (gmf_cache_zip_complete(&m->paths) ? GMF_RUN_HAVE_ZIP : 0) |
                  (gmf_cache_dir_complete(&m->paths) ? GMF_RUN_HAVE_DIR : 0);
    m->cached = m->dry_have == GMF_RUN_HAVE_ALL;
    if ((m->dry_have & GMF_RUN_HAVE_ZIP) && stat(m->paths.zip, &st) == 0)
        m->dry_size = (uint64_t)st.st_size;
    if (m->dry_have & GMF_RUN_HAVE_ZIP) {
        mod_finished(r);
        return;
    }
    m->pending = 1;
    proxy_get(r, m->path, m->paths.esc_path, m->paths.esc_version, ".zip", true, r->null_fd, 0,
              dry_probed, m, NULL);
}

/* ---- phase 1: arguments and the main module ------------------------------------------- */

static char *find_module_root(const char *start)
{
    char *dir = gmf_xstrdup(start);

    for (;;) {
        char *gm = gmf_xasprintf("%s/go.mod", dir);
        bool found = gmf_fs_exists(gm);
        free(gm);
        if (found)
            return dir;
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            free(dir);
            return NULL;
        }
        *slash = '\0';
    }
}

static bool find_workspace(const char *start)
{
    const char *gowork = getenv("GOWORK");
    char *dir;

    if (gowork && *gowork)
        return strcmp(gowork, "off") != 0;
    dir = gmf_xstrdup(start);
    for (;;) {
        char *gw = gmf_xasprintf("%s/go.work", dir);
        bool found = gmf_fs_exists(gw);
        free(gw);
        if (found) {
            free(dir);
            return true;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            free(dir);
            return false;
        }
        *slash = '\0';
    }
}

static void add_mod(struct run *r, const char *path, const char *version)
{
    struct mod *m;

    /* The same module may be named twice (two arguments, a replacement target); go
     * downloads it once but prints it for every argument: see the dup handling in gmf_run. */
    GMF_GROW(r->mods, r->cap_mods, r->nmods + 1);
    m = &r->mods[r->nmods];
    memset(m, 0, sizeof(*m));
    m->r = r;
    m->path = gmf_xstrdup(path);
    m->version = gmf_xstrdup(version);
    m->out = r->nmods;
    r->nmods++;
}

/* Error result for an argument that never became a download. */
static void add_arg_error(struct run *r, const char *path, const char *version, const char *err)
{
    add_mod(r, path, version);
    r->mods[r->nmods - 1].err[STEP_INFO] = gmf_xstrdup(err);
    r->mods[r->nmods - 1].pending = 0;
}

/* The version the main go.mod requires of path (the highest if listed twice), or NULL. */
static const char *root_version(const struct run *r, const char *path)
{
    const char *v = NULL;

    for (size_t i = 0; i < r->main.nrequire; i++)
        if (!strcmp(r->main.require[i].path, path) &&
            (!v || gmf_semver_compare(r->main.require[i].version, v) > 0))
            v = r->main.require[i].version;
    return v;
}

/* The download list for the arguments, in go's output order (modcmd/download.go). */
static enum gmf_err plan_downloads(struct run *r, struct gmf_diag *diag)
{
    const struct gmf_modver *bl;
    size_t nbl;

    if (!r->explicit_args && gmf_graph_pruned(r->graph)) {
        /* go 1.17+: the paths the main go.mod requires, at their selected versions. */
        for (size_t i = 0; i < r->main.nrequire; i++) {
            const char *p = r->main.require[i].path;
            const char *v = gmf_graph_selected(r->graph, p);
            const char *rp, *rv;
            bool dup = false;

            for (size_t j = 0; j < i; j++)
                dup |= !strcmp(r->main.require[j].path, p);
            if (dup || !v || !*v)
                continue;
            gmf_graph_resolve(r->graph, p, v, &rp, &rv);
            if (*rv)
                add_mod(r, rp, rv);
        }
        return GMF_OK;
    }
    if (!r->explicit_args) {
        nbl = gmf_graph_build_list(r->graph, &bl);
        for (size_t i = 0; i < nbl; i++) {
            const char *rp, *rv;
            gmf_graph_resolve(r->graph, bl[i].path, bl[i].version, &rp, &rv);
            if (*rv)
                add_mod(r, rp, rv);
        }
        return GMF_OK;
    }
    for (size_t a = 0; a < r->opts->nargs; a++) {
        const char *arg = r->opts->args[a];
        const char *at = strchr(arg, '@');

        if (!strcmp(arg, "all")) {
            nbl = gmf_graph_build_list(r->graph, &bl);
            for (size_t i = 0; i < nbl; i++) {
                const char *rp, *rv;
                gmf_graph_resolve(r->graph, bl[i].path, bl[i].version, &rp, &rv);
                if (*rv)
                    add_mod(r, rp, rv);
            }
        } else if (at) {
            char *path = gmf_xstrndup(arg, (size_t)(at - arg));
            struct gmf_diag d;
            gmf_diag_init(&d);
            if (r->have_main && !strcmp(path, r->main.module)) {
                free(path);
                continue;
            }
            if (gmf_modpath_check(path, &d)) {
                char *e = gmf_xasprintf("%s", d.msg);
                add_arg_error(r, path, at + 1, e);
                free(e);
            } else {
                /* An exact version is downloaded as named, ignoring replacements. */
                add_mod(r, path, at + 1);
                r->mods[r->nmods - 1].query = true;
            }
            free(path);
        } else {
            /* Without a loaded graph (a root of a pruned main module, see gmf_run) the
             * selected version is the root's own (modload rootSelected). */
            const char *v = r->graph ? gmf_graph_selected(r->graph, arg) : root_version(r, arg);
            if (r->have_main && !strcmp(arg, r->main.module))
                continue; /* the "skipping download" notice was given up front */
            if (!v) {
                /* go does not check the path's syntax here (modload/list.go). */
                char *e = gmf_xasprintf("module %s: not a known dependency", arg);
                add_arg_error(r, arg, "", e);
                free(e);
            } else {
                const struct gmf_replace *rep = gmf_gomod_find_replace(&r->main, arg, v);
                const char *rp = rep ? rep->new_path : arg;
                const char *rv = rep ? rep->new_version : v;
                if (*rv)
                    add_mod(r, rp, rv);
            }
        }
    }
    (void)diag;
    return GMF_OK;
}

/* GOPROXY=direct (after the implicit noproxy entry): nothing for gmfetch to do itself. */
static bool direct_only(const struct gmf_goenv *env)
{
    for (size_t i = 0; i < env->nproxies; i++) {
        if (env->proxies[i].kind == GMF_PROXY_NOPROXY)
            continue;
        return env->proxies[i].kind == GMF_PROXY_DIRECT;
    }
    return false;
}

/* Whether arguments ask for something gmfetch leaves to go (queries, patterns). */
static const char *needs_delegation(const struct gmf_run_opts *o)
{
    for (size_t a = 0; a < o->nargs; a++) {
        const char *arg = o->args[a];
        const char *at = strchr(arg, '@');

        if (strstr(arg, "..."))
            return "module patterns are resolved by the go command";
        if (at) {
            char *path = gmf_xstrndup(arg, (size_t)(at - arg));
            char *canon = gmf_semver_canonical(at + 1);
            /* go takes a version as exact only when it is canonical and valid for the path
             * (modfetch/proxy.go Stat): rsc.io/breaker@v2.0.0 is a query that resolves to
             * v2.0.0+incompatible. */
            bool exact = canon && !strcmp(canon, at + 1) &&
                         gmf_modpath_check_version(path, at + 1, NULL) == GMF_OK;
            free(canon);
            free(path);
            if (!exact)
                return "version queries are resolved by the go command";
        }
    }
    return NULL;
}

/* ---- phase 5: go.sum (modfetch.WriteGoSum, modload.keepSums) --------------------------- */

struct keep_ctx {
    struct run *r;
    bool explicit_args;
};

/* Lines read from go.sum are always kept; an added line only if go's keepSums would keep
 * its key and it was verified in the phase that precedes the write. */
static bool keep_line(const struct gmf_sum_line *line, void *vctx)
{
    struct keep_ctx *k = vctx;
    struct run *r = k->r;
    const struct gmf_modver *l;
    size_t n;

    if (!line->added)
        return true;
    if (!k->explicit_args) {
        bool graph = false;
        for (size_t i = 0; i < r->nadded; i++)
            if (r->added[i].graph_phase && r->added[i].gomod == line->gomod &&
                !strcmp(r->added[i].path, line->path) &&
                !strcmp(r->added[i].version, line->version))
                graph = true;
        if (!graph)
            return false;
    }
    if (!r->graph) {
        /* Only path@version arguments: go never loaded the graph, and keepSums keeps the
         * go.mod and zip keys of the main module's requirements (after replacement). */
        for (size_t i = 0; i < r->main.nrequire; i++) {
            const struct gmf_require *q = &r->main.require[i];
            const struct gmf_replace *rep = gmf_gomod_find_replace(&r->main, q->path,
                                                                   q->version);
            const char *rp = rep ? rep->new_path : q->path;
            const char *rv = rep ? rep->new_version : q->version;
            if (!strcmp(rp, line->path) && !strcmp(rv, line->version))
                return true;
        }
        return false;
    }
    /* Loaded go.mod files (after replacement) keep their /go.mod line. */
    n = gmf_graph_loaded(r->graph, &l);
    for (size_t i = 0; i < n; i++) {
        const char *rp, *rv;
        gmf_graph_resolve(r->graph, l[i].path, l[i].version, &rp, &rv);
        if (line->gomod && !strcmp(rp, line->path) && !strcmp(rv, line->version))
            return true;
    }
    if (!k->explicit_args)
        return false;
    n = gmf_graph_build_list(r->graph, &l);
    for (size_t i = 0; i < n; i++) {
        const char *rp, *rv;
        gmf_graph_resolve(r->graph, l[i].path, l[i].version, &rp, &rv);
        if (!strcmp(rp, line->path) && !strcmp(rv, line->version))
            return true;
    }
    /* A path@version argument outside the build list adds nothing (modload.keepSums). */
    return false;
}

static enum gmf_err write_gosum(struct run *r, bool explicit_args, struct gmf_diag *diag)
{
    struct keep_ctx k = {r, explicit_args};
    struct gmf_gosum merged;
    struct gmf_buf old, out;
    enum gmf_err e = GMF_OK;
    bool any = false;
    int fd;

    /* modfetch.WriteGoSum does not even open go.sum unless a line it keeps is new. */
    for (size_t i = 0; i < r->nadded && !any; i++) {
        struct gmf_sum_line l = {r->added[i].path, r->added[i].version, r->added[i].gomod,
                                 r->added[i].hash, true};
        any = keep_line(&l, &k);
    }
    if (!any || !r->gosum_path)
        return GMF_OK;

    /* lockedfile.Transform: lock, re-read, merge what others added, rewrite in place. */
    fd = open(r->gosum_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return gmf_diag_set(diag, GMF_EIO, "open %s: %s", r->gosum_path, strerror(errno));
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    gmf_buf_init(&old, GMF_BUF_UNLIMITED);
    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    gmf_gosum_init(&merged);
    e = gmf_fs_read_file(r->gosum_path, (size_t)1 << 30, &old, diag);
    if (e)
        goto out;
    e = gmf_gosum_parse(&merged, old.data ? old.data : "", old.len, r->gosum_path, diag);
    if (e == GMF_EPARSE) /* as when reading: keep the lines before the malformed one */
        e = GMF_OK;
    if (e)
        goto out;
    for (size_t i = 0; i < r->nadded; i++) {
        const struct added_sum *a = &r->added[i];
        gmf_gosum_add(&merged, a->path, a->version, a->gomod, a->hash);
    }
    e = gmf_gosum_format(&merged, keep_line, &k, &out);
    if (e)
        goto out;
    if (out.len == old.len && (!out.len || !memcmp(out.data, old.data, out.len)))
        goto out;
    if (ftruncate(fd, 0) != 0 ||
        gmf_fs_pwrite_all(fd, out.data ? out.data : "", out.len, 0, diag) != GMF_OK) {
        e = gmf_diag_set(diag, GMF_EIO, "write %s: %s", r->gosum_path, strerror(errno));
        goto out;
    }
out:
    gmf_gosum_release(&merged);
    gmf_buf_release(&old);
    gmf_buf_release(&out);
    close(fd); /* releases the lock */
    return e;
}

/* ---- results ----------------------------------------------------------------------------- */

static void fill_result(struct run *r)
{
    struct gmf_run_result *res = r->res;

    res->mods = gmf_xcalloc(r->nmods + 1, sizeof(*res->mods));
    res->nmods = r->nmods;
    for (size_t i = 0; i < r->nmods; i++) {
        struct mod *m = &r->mods[i];
        struct gmf_run_module *o = &res->mods[i];
        const char *err = m->err[STEP_INFO]   ? m->err[STEP_INFO]
                          : m->err[STEP_MOD] ? m->err[STEP_MOD]
                                             : m->err[STEP_ZIP];

        o->path = gmf_xstrdup(m->path);
        o->version = *m->version ? gmf_xstrdup(m->version) : NULL;
        if (err)
            o->error = gmf_xstrdup(err);
        o->have = m->dry_have;
        o->zip_size = r->opts->dry_run ? m->dry_size : GMF_RUN_SIZE_UNKNOWN;
        o->direct = m->dry_direct;
        if (!m->paths_ok)
            continue;
        if (m->cached && !err)
            res->cached++;
        /* Fields are filled up to the step that failed, like go's downloadModule. */
        if (!m->ok[STEP_INFO])
            continue;
        o->info = gmf_xstrdup(m->paths.info);
        if (m->info_bytes) {
            o->origin_info = gmf_xstrndup(m->info_bytes, m->info_len);
            o->origin_info_len = m->info_len;
        }
        if (!m->ok[STEP_MOD])
            continue;
        o->gomod = gmf_xstrdup(m->paths.mod);
        if (m->gomodsum[0])
            o->gomodsum = gmf_xstrdup(m->gomodsum);
        if (!m->ok[STEP_ZIP])
            continue;
        o->zip = gmf_xstrdup(m->paths.zip);
        if (m->sum[0])
            o->sum = gmf_xstrdup(m->sum);
        if (m->dir_ok)
            o->dir = gmf_xstrdup(m->paths.dir);
    }
}

void gmf_run_result_release(struct gmf_run_result *res)
{
    for (size_t i = 0; i < res->nmods; i++) {
        struct gmf_run_module *o = &res->mods[i];
        free(o->path);
        free(o->version);
        free(o->error);
        free(o->info);
        free(o->gomod);
        free(o->zip);
        free(o->dir);
        free(o->sum);
        free(o->gomodsum);
        free(o->origin_info);
    }
    free(res->mods);
    free(res->notice);
    free(res->delegate_reason);
    free(res->proxy_bytes);
    memset(res, 0, sizeof(*res));
}

static void run_release(struct run *r)
{
    while (r->preqs) {
        struct preq *q = r->preqs;
        preq_unlink(q);
        if (q->abandon)
            q->abandon(q->ctx);
        free(q->rel);
        free(q->best_err);
        free(q);
    }
    for (size_t i = 0; i < r->nmods; i++) {
        struct mod *m = &r->mods[i];
        free(m->path);
        free(m->version);
        free(m->info_bytes);
        free(m->direct_why);
        for (int s = 0; s < NSTEPS; s++)
            free(m->err[s]);
        if (m->paths_ok)
            gmf_cache_paths_release(&m->paths);
    }
    free(r->mods);
    for (size_t i = 0; i < r->nadded; i++) {
        free(r->added[i].path);
        free(r->added[i].version);
        free(r->added[i].hash);
    }
    free(r->added);
    free(r->graph_error);
    gmf_graph_free(r->graph);
    gmf_gosum_release(&r->sum);
    if (r->have_main)
        gmf_gomod_release(&r->main);
    free(r->moddir);
    free(r->gosum_path);
    free(r->go_path);
    free(r->proxy_bytes);
    if (r->null_fd >= 0)
        close(r->null_fd);
    gmf_cache_release(&r->cache);
    pthread_mutex_destroy(&r->mu);
}

static unsigned default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 && n < 256 ? (unsigned)n : 2;
}

/* Load go.mod and go.sum of the main module at r->moddir. */
static enum gmf_err load_main(struct run *r, struct gmf_diag *diag)
{
    struct gmf_buf b;
    char *gomod = gmf_xasprintf("%s/go.mod", r->moddir);
    enum gmf_err e;

    gmf_buf_init(&b, MAX_MOD_BYTES);
    e = gmf_fs_read_file(gomod, MAX_MOD_BYTES, &b, diag);
    if (!e) {
        e = gmf_gomod_parse(&r->main, b.data ? b.data : "", b.len, gomod, GMF_GOMOD_MAIN, diag);
        if (!e)
            r->have_main = true;
    }
    free(gomod);
    gmf_buf_release(&b);
    if (e)
        return e;

    r->gosum_path = gmf_xasprintf("%s/go.sum", r->moddir);
    gmf_buf_init(&b, (size_t)1 << 30);
    e = gmf_fs_read_file(r->gosum_path, (size_t)1 << 30, &b, diag);
    if (e == GMF_ENOTFOUND) {
        e = GMF_OK;
    } else if (!e) {
        e = gmf_gosum_parse(&r->sum, b.data ? b.data : "", b.len, r->gosum_path, diag);
        /* go 1.19 stops reading go.sum at a malformed line and carries on with the lines
         * before it (modfetch initGoSum ignores readGoSum's error). */
        if (e == GMF_EPARSE) {
            gmf_diag_init(diag);
            e = GMF_OK;
        }
    }
    gmf_buf_release(&b);
    return e;
}

/* A main go.mod that go 1.19 rewrites as soon as it loads it: no go line (go adds one and
 * converts the module to a pruned graph, modload/init.go addGoStmt), or a requirement on a
 * version the module excludes (go drops it).  gmfetch leaves such a go.mod to go. */
static const char *rewrites_gomod(const struct gmf_gomod *m)
{
    if (!*m->go)
        return "go.mod has no go directive (go adds one and rewrites go.mod)";
    for (size_t i = 0; i < m->nrequire; i++)
        for (size_t j = 0; j < m->nexclude; j++)
            if (!strcmp(m->require[i].path, m->exclude[j].path) &&
                !strcmp(m->require[i].version, m->exclude[j].version))
                return "go.mod requires an excluded version (go drops it and rewrites go.mod)";
    return NULL;
}

/* Every main-module requirement must be at its selected version; otherwise go rewrites
 * go.mod, which gmfetch leaves to go. */
static bool requirements_consistent(struct run *r)
{
    for (size_t i = 0; i < r->main.nrequire; i++) {
        const char *v = gmf_graph_selected(r->graph, r->main.require[i].path);
        if (v && *v && strcmp(v, r->main.require[i].version) != 0)
            return false;
    }
    return true;
}

enum gmf_err gmf_run(const struct gmf_run_opts *opts, const struct gmf_goenv *env,
                     struct gmf_run_result *ret, struct gmf_diag *diag)
{
    struct run r;
    enum gmf_err e = GMF_OK;
    char cwd[PATH_MAX];
    const char *why;

    memset(ret, 0, sizeof(*ret));
    memset(&r, 0, sizeof(r));
    r.opts = opts;
    r.env = env;
    r.res = ret;
    pthread_mutex_init(&r.mu, NULL);
    atomic_init(&r.mods_done, 0);
    r.null_fd = -1;
    r.proxy_bytes = gmf_xcalloc(env->nproxies + 1, sizeof(*r.proxy_bytes));
    gmf_gosum_init(&r.sum);
    gmf_cache_init(&r.cache, env->gomodcache, opts->modcacherw || env->modcacherw);
    r.explicit_args = opts->nargs > 0;

    /* Phase 1: where are we, and what do the arguments mean? */
    if (opts->dir) {
        if (!realpath(opts->dir, cwd)) {
            e = gmf_diag_set(diag, GMF_EUSAGE, "chdir %s: %s", opts->dir, strerror(errno));
            goto out;
        }
    } else if (!getcwd(cwd, sizeof(cwd))) {
        e = gmf_diag_set(diag, GMF_EIO, "getcwd: %s", strerror(errno));
        goto out;
    }
    if ((why = needs_delegation(opts)) != NULL) {
        ret->delegate_reason = gmf_xstrdup(why);
        goto out;
    }
    if (direct_only(env)) {
        /* Every module would be handed to go one by one: hand it the whole run instead. */
        ret->delegate_reason = gmf_xstrdup("GOPROXY=direct: modules are fetched by the go "
                                           "command");
        goto out;
    }
    r.moddir = find_module_root(cwd);
    if (r.moddir && find_workspace(cwd)) {
        ret->delegate_reason = gmf_xstrdup("workspace mode (go.work) is handled by the go command");
        goto out;
    }
    if (r.moddir) {
        e = load_main(&r, diag);
        if (e == GMF_EUNSUPPORTED) {
            /* e.g. a "v1.2" requirement: go resolves it with a query and rewrites go.mod. */
            ret->delegate_reason = gmf_xasprintf("go.mod needs the go command: %s", diag->msg);
            gmf_diag_init(diag);
            e = GMF_OK;
            goto out;
        }
        if (e)
            goto out;
        if ((why = rewrites_gomod(&r.main)) != NULL) {
            ret->delegate_reason = gmf_xstrdup(why);
            goto out;
        }
        /* go names the main module first (modcmd/download.go), before any download. */
        for (size_t a = 0; a < opts->nargs; a++) {
            if (strcmp(opts->args[a], r.main.module) != 0)
                continue;
            char *line = gmf_xasprintf("%s%sgo: skipping download of %s that resolves to the "
                                       "main module",
                                       ret->notice ? ret->notice : "", ret->notice ? "\n" : "",
                                       opts->args[a]);
            free(ret->notice);
            ret->notice = line;
        }
    } else {
        for (size_t a = 0; a < opts->nargs; a++) {
            if (!strchr(opts->args[a], '@')) {
                e = gmf_diag_set(diag, GMF_EUSAGE,
                                 "go: cannot match \"%s\": go.mod file not found in current "
                                 "directory or any parent directory; see 'go help modules'",
                                 opts->args[a]);
                goto out;
            }
        }
        if (!opts->nargs) {
            e = gmf_diag_set(diag, GMF_EUSAGE,
                             "go: no modules specified (see 'go help mod download')");
            goto out;
        }
    }
    if (r.have_main && !r.explicit_args && !r.main.nrequire) {
        ret->notice = gmf_xstrdup("go: no module dependencies to download");
        goto out;
    }

    {
        /* go reads $NETRC, else ~/.netrc (cmd/go/internal/auth netrcPath). */
        struct gmf_transfer_opts topts = opts->transfer;
        const char *netrc = getenv("NETRC"), *home = getenv("HOME");
        char *path = netrc && *netrc ? gmf_xstrdup(netrc)
                     : home && *home ? gmf_xasprintf("%s/.netrc", home)
                                     : NULL;
        if (!topts.netrc_file)
            topts.netrc_file = path;
        if (opts->dry_run) {
            /* Sizes come from the first response's headers (206 Content-Range, or a 200's
             * Content-Length): the probe's cap of 0 bytes ends the request right there. */
            topts.probe = GMF_PROBE_RANGE;
            r.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (r.null_fd < 0) {
                free(path);
                e = gmf_diag_set(diag, GMF_EIO, "open /dev/null: %s", strerror(errno));
                goto out;
            }
        }
        r.t = gmf_transfer_new(&topts);
        free(path);
    }
    current_transfer = r.t;
    if (interrupted)
        gmf_transfer_interrupt(r.t);

    /* Phase 2: the module graph, unless only exact path@version arguments were given. */
    /* go loads the full graph for no arguments, "all", and a path argument unless the
     * graph is pruned and the path is a root (modload/list.go needFullGraph). */
    bool need_graph = r.have_main && !r.explicit_args;
    bool main_pruned = r.have_main && gmf_gomod_compare_go(r.main.go, "1.17") >= 0;
    for (size_t a = 0; a < opts->nargs && r.have_main; a++) {
        const char *arg = opts->args[a];
        if (strchr(arg, '@') || !strcmp(arg, r.main.module))
            continue;
        need_graph |= !strcmp(arg, "all") || !main_pruned || !root_version(&r, arg);
    }
    if (need_graph) {
        r.graph = gmf_graph_new(&r.main);
        r.in_graph_phase = true;
        graph_pump(&r);
        progress_arm(&r);
        e = gmf_transfer_run(r.t, diag);
        r.tick_armed = false;
        if (opts->progress)
            progress_emit(&r);
        r.in_graph_phase = false;
        if (r.fatal) {
            *diag = r.fatal_diag;
            e = GMF_ECHECKSUM;
            goto out;
        }
        if (e)
            goto out;
        if (ret->delegate_reason)
            goto out;
        if (r.graph_error) {
            e = gmf_diag_set(diag, GMF_EHTTP, "go: %s", r.graph_error);
            goto out;
        }
        if (!requirements_consistent(&r)) {
            ret->delegate_reason = gmf_xstrdup(
                "go.mod requirements are not at their selected versions (go would update go.mod)");
            goto out;
        }
        /* go 1.19 writes go.sum after loading the graph, before downloading anything. */
        if (!r.explicit_args && !opts->dry_run) {
            e = write_gosum(&r, false, diag);
            if (e)
                goto out;
        }
    }

    /* Phase 3 and 4: downloads. */
    e = plan_downloads(&r, diag);
    if (e)
        goto out;
    pool_start(&r.pool, opts->workers ? opts->workers : default_workers());
    for (size_t i = 0; i < r.nmods; i++) {
        struct mod *m = &r.mods[i];
        struct gmf_diag d;

        if (m->err[STEP_INFO]) {
            mod_finished(&r);
            continue; /* an argument error */
        }
        gmf_diag_init(&d);
        if (gmf_cache_paths(&r.cache, m->path, m->version, &m->paths, &d)) {
            m->err[STEP_INFO] = gmf_xasprintf("%s", d.msg);
            mod_finished(&r);
            continue;
        }
        m->paths_ok = true;
        /* The same module twice (e.g. as an argument and via a replacement): go downloads it
         * once; reuse the first record's outcome after the loop. */
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= r.mods[j].paths_ok && !strcmp(r.mods[j].path, m->path) &&
                   !strcmp(r.mods[j].version, m->version);
        if (dup) {
            m->pending = 0;
            mod_finished(&r);
            continue;
        }
        if (opts->dry_run)
            dry_start(&r, m);
        else
            mod_start(&r, m);
    }
    progress_arm(&r);
    e = gmf_transfer_run(r.t, diag);
    r.tick_armed = false;
    pool_finish(&r.pool);
    if (opts->progress)
        progress_emit(&r);
    /* A loop cut short (fatal error, interrupt) leaves zips that never reached commit. */
    for (size_t i = 0; i < r.nmods; i++)
        if (r.mods[i].zip_mode == ZIP_FETCH && r.mods[i].pending)
            gmf_cache_zip_abort(&r.mods[i].zip);
    if (r.fatal) {
        *diag = r.fatal_diag;
        e = GMF_ECHECKSUM;
        goto out;
    }
    if (e)
        goto out;
    if (ret->delegate_reason)
        goto out;
    /* The commits synced what they published; the .info and .mod files were renamed into
     * place unsynced (on the loop, as go writes them): one sync for all of them. */
    e = gmf_cache_flush(&r.cache, diag);
    if (e)
        goto out;
    /* Copy outcomes to duplicates. */
    for (size_t i = 0; i < r.nmods; i++) {
        struct mod *m = &r.mods[i];
        if (!m->paths_ok || m->pending || m->ok[STEP_INFO] || m->err[STEP_INFO])
            continue;
        for (size_t j = 0; j < i; j++) {
            struct mod *o = &r.mods[j];
            if (!o->paths_ok || strcmp(o->path, m->path) || strcmp(o->version, m->version))
                continue;
            memcpy(m->ok, o->ok, sizeof(m->ok));
            for (int s = 0; s < NSTEPS; s++)
                m->err[s] = o->err[s] ? gmf_xstrdup(o->err[s]) : NULL;
            memcpy(m->sum, o->sum, sizeof(m->sum));
            memcpy(m->gomodsum, o->gomodsum, sizeof(m->gomodsum));
            m->dir_ok = o->dir_ok;
            m->cached = o->cached;
            m->dry_have = o->dry_have;
            m->dry_size = o->dry_size;
            m->dry_direct = o->dry_direct;
            if (o->info_bytes && m->query) {
                m->info_bytes = gmf_xstrndup(o->info_bytes, o->info_len);
                m->info_len = o->info_len;
            }
            break;
        }
    }
    fill_result(&r);

    /* Phase 5: with explicit arguments go saves the sums it verified, unless it already
     * exited because of errors (without -json, base.ExitIfErrors comes first). */
    if (r.explicit_args && r.have_main && !opts->dry_run) {
        bool failed = false;
        for (size_t i = 0; i < ret->nmods; i++)
            failed |= ret->mods[i].error != NULL;
        if (!failed || opts->json)
            e = write_gosum(&r, true, diag);
    }
out:
    gocmd_stop_all(&r); /* only an interrupted or failed loop leaves children behind */
    if (r.t) {
        current_transfer = NULL;
        gmf_transfer_get_stats(r.t, &ret->stats);
        gmf_transfer_free(r.t);
    }
    ret->proxy_bytes = r.proxy_bytes;
    ret->nproxy_bytes = env->nproxies;
    r.proxy_bytes = NULL;
    run_release(&r);
    if (!e && interrupted)
        e = gmf_diag_set(diag, GMF_EINTR, "interrupted");
    return e;
}
