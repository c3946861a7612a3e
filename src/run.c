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
 * Threads: the transfer loop and all its callbacks run on the calling thread; workers only
 * run cache commits.  What both touch (go.sum additions, the fatal error) is under r->mu.
 * Errors are reported in go's order for a module (info, then mod, then zip) whatever order
 * the concurrent requests finish in.
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
#include <sys/file.h>
#include <sys/stat.h>
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
    char *info_bytes;     /* for query: the .info as the proxy sent it, or as cached */
    size_t info_len;

    /* zip step */
    enum { ZIP_NONE, ZIP_HAVE, ZIP_REPAIR, ZIP_FETCH } zip_mode;
    struct gmf_cache_zip zip;
    char sum[GMF_H1_LEN + 1];
    char gomodsum[GMF_H1_LEN + 1];
    bool dir_ok;
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

    pthread_mutex_t mu; /* guards added, fatal, delegate */
    struct added_sum *added;
    size_t nadded, cap_added;
    bool in_graph_phase;
    bool fatal;
    struct gmf_diag fatal_diag;
    char *graph_error; /* first graph loading error (go reports it as the run's error) */

    struct mod *mods;
    size_t nmods, cap_mods;

    struct preq *preqs; /* requests in flight, freed at the end if the loop was cut short */
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

static void set_delegate(struct run *r, const char *why)
{
    pthread_mutex_lock(&r->mu);
    if (!r->res->delegate_reason)
        r->res->delegate_reason = gmf_xstrdup(why);
    pthread_mutex_unlock(&r->mu);
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
 * a missing line is accepted where go would not ask the checksum database. */
static enum gmf_err check_sum(struct run *r, const char *path, const char *version, bool gomod,
                              const char *hash, struct gmf_diag *diag)
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
        if (!gmf_goenv_nosumdb(r->env, path)) {
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

typedef void (*proxy_done_fn)(void *ctx, const struct gmf_transfer_result *res,
                              const char *err);

struct preq {
    struct run *r;
    const char *mod_path; /* unescaped, for GONOPROXY */
    char *rel;            /* "<escaped path>/@v/<escaped version><ext>" */
    bool file;
    int fd;
    size_t max;
    size_t proxy;
    char *notfound_err;   /* the last "not found" error seen */
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

/* go's error text for a failed proxy response (web/http.go, reference §2.5): the status,
 * then up to 8 lines of a text/plain body. */
static char *response_error(const char *url, const struct gmf_transfer_result *res)
{
    struct gmf_buf b;
    const char *ct = res->content_type ? res->content_type : "";

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    gmf_buf_printf(&b, "reading %s: %s", url, res->msg && *res->msg ? res->msg : "error");
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
    if (q->prev)
        q->prev->next = q->next;
    else
        q->r->preqs = q->next;
    if (q->next)
        q->next->prev = q->prev;
}

static void preq_finish(struct preq *q, const struct gmf_transfer_result *res, const char *err)
{
    preq_unlink(q);
    q->done(q->ctx, res, err);
    free(q->rel);
    free(q->notfound_err);
    free(q);
}

static void preq_done(void *ctx, const struct gmf_transfer_result *res)
{
    struct preq *q = ctx;
    const struct gmf_proxy *p = &q->r->env->proxies[q->proxy];
    char *err;

    if (res->err == GMF_OK) {
        preq_finish(q, res, NULL);
        return;
    }
    err = response_error(res->url, res);
    if (res->err == GMF_ENOTFOUND || p->fallback_any) {
        free(q->notfound_err);
        q->notfound_err = err;
        if (q->file && ftruncate(q->fd, 0) != 0) {
            preq_finish(q, NULL, "truncating temp zip failed");
            return;
        }
        q->proxy++;
        preq_try(q);
        return;
    }
    preq_finish(q, res, err);
    free(err);
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
                set_delegate(r, "a module matches GONOPROXY/GOPRIVATE (direct fetch)");
                preq_finish(q, NULL, "direct fetch is delegated to the go command");
                return;
            }
            q->proxy++;
            continue;
        case GMF_PROXY_DIRECT:
            set_delegate(r, "GOPROXY reached \"direct\"");
            preq_finish(q, NULL, "direct fetch is delegated to the go command");
            return;
        case GMF_PROXY_OFF:
            preq_finish(q, NULL, "module lookup disabled by GOPROXY=off");
            return;
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
    /* Every entry said "not found": go reports the last such error. */
    if (q->notfound_err) {
        char *e = q->notfound_err;
        q->notfound_err = NULL;
        preq_finish(q, NULL, e);
        free(e);
        return;
    }
    preq_finish(q, NULL, "GOPROXY list is empty");
}

static void proxy_get(struct run *r, const char *path, const char *esc_path,
                      const char *esc_version, const char *ext, bool file, int fd, size_t max,
                      proxy_done_fn done, void *ctx, void (*abandon)(void *ctx))
{
    struct preq *q = gmf_xcalloc(1, sizeof(*q));

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
                         bool write_cache)
{
    char h[GMF_H1_LEN + 1];
    struct gmf_diag d;

    gmf_diag_init(&d);
    gmf_h1_gomod(data, len, h);
    if (check_sum(r, tp->path, tp->version, true, h, &d)) {
        graph_error(r, path, version, d.msg);
        return;
    }
    if (write_cache && gmf_cache_write_mod(tp, data, len, &d)) {
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

static void graph_fetched(void *ctx, const struct gmf_transfer_result *res, const char *err)
{
    struct graph_fetch *f = ctx;
    struct run *r = f->r;

    if (err) {
        char *msg = gmf_xasprintf("%s@%s: %s", f->paths.path, f->paths.version, err);
        graph_error(r, f->path, f->version, msg);
        free(msg);
    } else if (!is_fatal(r)) {
        graph_accept(r, f->path, f->version, &f->paths, res->body->data, res->body->len, true);
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
                             false);
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
static void after_info(struct run *r, struct mod *m);

static void set_step_error(struct mod *m, enum step s, const char *err)
{
    if (!m->err[s])
        m->err[s] = gmf_xstrdup(err);
}

static void info_fetched(void *ctx, const struct gmf_transfer_result *res, const char *err)
{
    struct mod *m = ctx;
    struct gmf_buf out;
    struct gmf_diag d;
    char *version = NULL;

    if (err) {
        char *e = gmf_xasprintf("%s@%s: %s", m->path, m->version, err);
        mod_step_done(m, STEP_INFO, e);
        free(e);
        return;
    }
    gmf_diag_init(&d);
    gmf_buf_init(&out, GMF_BUF_UNLIMITED);
    if (gmf_json_info_reencode(res->body->data ? res->body->data : "", res->body->len, &version,
                               &out, &d)) {
        char *e = gmf_xasprintf("%s@%s: invalid response from proxy \"%s\": %s", m->path,
                                m->version, res->url, d.msg);
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
    if (check_sum(m->r, m->path, m->version, true, m->gomodsum, &d)) {
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

static void mod_fetched(void *ctx, const struct gmf_transfer_result *res, const char *err)
{
    struct mod *m = ctx;

    if (err) {
        char *e = gmf_xasprintf("%s@%s: %s", m->path, m->version, err);
        mod_step_done(m, STEP_MOD, e);
        free(e);
        return;
    }
    mod_verify_bytes(m, res->body->data ? res->body->data : "", res->body->len, true);
}

static enum gmf_err zip_verify(void *ctx, const char *h1, struct gmf_diag *diag)
{
    struct mod *m = ctx;

    return check_sum(m->r, m->path, m->version, false, h1, diag);
}

/* Worker: publish or repair the zip of m. */
static void zip_job(void *ctx)
{
    struct mod *m = ctx;
    struct gmf_diag d;
    enum gmf_err e;

    gmf_diag_init(&d);
    if (m->zip_mode == ZIP_FETCH)
        e = gmf_cache_zip_commit(&m->r->cache, &m->paths, &m->zip, zip_verify, m, m->sum, &d);
    else
        e = gmf_cache_zip_repair(&m->r->cache, &m->paths, zip_verify, m, m->sum, &d);
    if (e) {
        m->sum[0] = '\0';
        if (e != GMF_ECHECKSUM)
            set_step_error(m, STEP_ZIP, d.msg);
        else
            set_step_error(m, STEP_ZIP, "checksum mismatch");
        return;
    }
    m->ok[STEP_ZIP] = true;
    m->dir_ok = true;
}

static void zip_fetched(void *ctx, const struct gmf_transfer_result *res, const char *err)
{
    struct mod *m = ctx;

    (void)res;
    if (err) {
        char *e = gmf_xasprintf("%s@%s: %s", m->path, m->version, err);
        mod_step_done(m, STEP_ZIP, e);
        free(e);
        return;
    }
    mod_step_done(m, STEP_ZIP, NULL);
}

/* Called once per step.  When the last step of a module is done, decide about its zip. */
static void mod_step_done(struct mod *m, enum step s, const char *err)
{
    if (err)
        set_step_error(m, s, err);
    else if (s != STEP_ZIP)
        m->ok[s] = true;
    if (s == STEP_INFO) {
        m->pending--;
        after_info(m->r, m);
        if (m->pending)
            return;
        /* info failed: nothing else was started, and there is no zip to decide about. */
        return;
    }
    if (--m->pending)
        return;

    bool prior_ok = m->ok[STEP_INFO] && m->ok[STEP_MOD] && !is_fatal(m->r);
    switch (m->zip_mode) {
    case ZIP_FETCH:
        if (prior_ok && !m->err[STEP_ZIP]) {
            pool_submit(&m->r->pool, zip_job, m);
        } else {
            gmf_cache_zip_abort(&m->zip);
            m->zip_mode = ZIP_NONE;
        }
        break;
    case ZIP_REPAIR:
        if (prior_ok)
            pool_submit(&m->r->pool, zip_job, m);
        break;
    case ZIP_HAVE:
    case ZIP_NONE:
        break;
    }
}

/* The zip step: use what the cache has, or lock the version and fetch into a temp zip. */
static void zip_start(struct run *r, struct mod *m)
{
    struct gmf_diag d;

    gmf_diag_init(&d);
    if (gmf_cache_zip_complete(&m->paths) && gmf_cache_dir_complete(&m->paths) &&
        gmf_cache_read_ziphash(&m->paths, m->sum, &d) == GMF_OK) {
        m->zip_mode = ZIP_HAVE;
        if (check_sum(r, m->path, m->version, false, m->sum, &d) == GMF_OK) {
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
            check_sum(r, m->path, m->version, false, m->sum, &d) == GMF_OK) {
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
            const char *v = r->graph ? gmf_graph_selected(r->graph, arg) : NULL;
            struct gmf_diag d;
            gmf_diag_init(&d);
            if (r->have_main && !strcmp(arg, r->main.module))
                continue;
            if (gmf_modpath_check(arg, &d)) {
                add_arg_error(r, arg, "", d.msg);
            } else if (!v) {
                char *e = gmf_xasprintf("module %s: not a known dependency", arg);
                add_arg_error(r, arg, "", e);
                free(e);
            } else {
                const char *rp, *rv;
                gmf_graph_resolve(r->graph, arg, v, &rp, &rv);
                if (*rv)
                    add_mod(r, rp, rv);
            }
        }
    }
    (void)diag;
    return GMF_OK;
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
            char *canon = gmf_semver_canonical(at + 1);
            bool exact = canon && !strcmp(canon, at + 1);
            free(canon);
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

    for (size_t i = 0; i < r->nadded; i++)
        any |= explicit_args || r->added[i].graph_phase;
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
        free(q->notfound_err);
        free(q);
    }
    for (size_t i = 0; i < r->nmods; i++) {
        struct mod *m = &r->mods[i];
        free(m->path);
        free(m->version);
        free(m->info_bytes);
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

    /* go creates GOMODCACHE itself before it looks anything up (modfetch checkCacheDir). */
    e = gmf_fs_mkdir_p(env->gomodcache, 0777, diag);
    if (e)
        goto out;
    r.t = gmf_transfer_new(&opts->transfer);
    current_transfer = r.t;
    if (interrupted)
        gmf_transfer_interrupt(r.t);

    /* Phase 2: the module graph, unless only exact path@version arguments were given. */
    bool need_graph = r.have_main && !r.explicit_args;
    for (size_t a = 0; a < opts->nargs; a++)
        need_graph |= r.have_main && !strchr(opts->args[a], '@');
    if (need_graph) {
        r.graph = gmf_graph_new(&r.main);
        r.in_graph_phase = true;
        graph_pump(&r);
        e = gmf_transfer_run(r.t, diag);
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
        if (!r.explicit_args) {
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

        if (m->err[STEP_INFO])
            continue; /* an argument error */
        gmf_diag_init(&d);
        if (gmf_cache_paths(&r.cache, m->path, m->version, &m->paths, &d)) {
            m->err[STEP_INFO] = gmf_xasprintf("%s", d.msg);
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
            continue;
        }
        mod_start(&r, m);
    }
    e = gmf_transfer_run(r.t, diag);
    pool_finish(&r.pool);
    /* A loop cut short (fatal error, interrupt) leaves zips that never reached commit. */
    for (size_t i = 0; i < r.nmods; i++)
        if (r.mods[i].zip_mode == ZIP_FETCH && r.mods[i].pending)
            gmf_cache_zip_abort(&r.mods[i].zip);
    gmf_transfer_get_stats(r.t, &ret->stats);
    if (r.fatal) {
        *diag = r.fatal_diag;
        e = GMF_ECHECKSUM;
        goto out;
    }
    if (e)
        goto out;
    if (ret->delegate_reason)
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
    if (r.explicit_args && r.have_main) {
        bool failed = false;
        for (size_t i = 0; i < ret->nmods; i++)
            failed |= ret->mods[i].error != NULL;
        if (!failed || opts->json)
            e = write_gosum(&r, true, diag);
    }
out:
    if (r.t) {
        current_transfer = NULL;
        gmf_transfer_free(r.t);
    }
    run_release(&r);
    if (!e && interrupted)
        e = gmf_diag_set(diag, GMF_EINTR, "interrupted");
    return e;
}
