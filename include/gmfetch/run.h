/* run: one `go mod download` equivalent, from the main module's go.mod to a filled cache.
 *
 * Data flows one way: parse (go.mod, go.sum, environment) -> plan (module graph, download
 * set) -> fetch (one transfer loop: .mod files of the graph in waves, then .info, .mod and
 * .zip of every module to download, all concurrently) -> verify + install (a worker pool
 * checks, hashes and extracts each zip in one pass) -> go.sum update -> results.
 *
 * Calling sequence: gmf_run_opts_init(); fill; gmf_run(); read the result; print it (cli);
 * gmf_run_result_release().
 *
 * Error handling: per-module failures land in the module's error field (go prints them as
 * "go: <error>" and exits 1); a checksum mismatch is fatal, as in go: gmf_run returns
 * GMF_ECHECKSUM with go's SECURITY ERROR text in diag and no "go: " prefix.  Other run-level
 * failures (bad go.mod, bad environment) come back as an error with the message in diag.
 * When gmfetch cannot do what go would (workspaces, version queries, GOPROXY=direct, a go.mod
 * that go would rewrite), the result says so in delegate_reason and the cli hands the whole
 * invocation to the go command.  A single module whose GOPROXY walk reaches "direct" or
 * matches GONOPROXY/GOPRIVATE is handed alone to `go mod download -json path@version`, run in
 * a scratch module outside the main module (so go.mod and go.sum are untouched; with -x a
 * trace line says so), when a go command is on PATH; without one that module fails with a
 * message saying so.  gmf_run_interrupt() (Ctrl-C) aborts the transfers, removes temp zips,
 * stops such go children and makes gmf_run return GMF_EINTR.
 */
#ifndef GMFETCH_RUN_H
#define GMFETCH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmfetch/err.h"
#include "gmfetch/goenv.h"
#include "gmfetch/transfer.h"

/* A snapshot of a run for a progress display.  Before the download list is known (while
 * the module graph loads) graph is true and only gomods, active and stats mean anything. */
struct gmf_run_progress {
    bool graph;
    size_t gomods;          /* go.mod files of the graph loaded so far */
    size_t mods_total;      /* entries of the download list */
    size_t mods_done;       /* of them finished: installed, found complete, or failed */
    unsigned active;        /* requests (GOPROXY walks) and go commands in flight */
    struct gmf_transfer_stats stats; /* of the transfer engine so far */
};
typedef void (*gmf_run_progress_fn)(void *ctx, const struct gmf_run_progress *p);

struct gmf_run_opts {
    bool json;        /* -json: fill every field (errors never stop other modules) */
    bool trace;       /* -x */
    bool modcacherw;  /* -modcacherw (or in GOFLAGS) */
    const char *dir;  /* where to look for go.mod; NULL = current directory */
    char *const *args; /* module arguments as given (no flags) */
    size_t nargs;
    unsigned workers; /* verify/extract threads; 0 = number of CPUs */
    struct gmf_transfer_opts transfer;

    /* --dry-run: load the module graph as a real run does (go.mod files the cache lacks are
     * fetched, into memory only), then for every module of the download list look at what
     * the cache holds and, when its zip is missing, ask the proxy for the zip's size (the
     * Range probe, cut off once its headers tell the size; a file:// proxy's file is
     * stat()ed).  Nothing is written: no cache file or directory (GOMODCACHE is not
     * even created), no go.sum, no go command is started.  The result's modules carry the
     * plan fields (have, zip_size, direct) and never info/gomod/zip/dir/sum. */
    bool dry_run;

    /* Progress: when set, called on the loop thread with a snapshot after events (a request
     * or a module finished), at most every progress_ms, and once when each loop phase ends.
     * With progress_timer also from a gmf_transfer_after() timer every progress_ms while
     * requests are in flight, so a display can show bytes moving during a long download;
     * the timer can keep the loop up to progress_ms longer at the end of a phase, so it is
     * meant for a terminal only. */
    gmf_run_progress_fn progress;
    void *progress_ctx;
    unsigned progress_ms;
    bool progress_timer;
};

void gmf_run_opts_init(struct gmf_run_opts *o);

/* One entry of `go mod download -json` (fields NULL when absent). */
/* Dry run: which files of a module the cache already has (bits of gmf_run_module.have). */
enum gmf_run_have {
    GMF_RUN_HAVE_INFO = 1u << 0,
    GMF_RUN_HAVE_MOD = 1u << 1,
    GMF_RUN_HAVE_ZIP = 1u << 2,  /* zip and ziphash */
    GMF_RUN_HAVE_DIR = 1u << 3,  /* the extracted tree, complete */
    GMF_RUN_HAVE_ALL = 15u,
};
#define GMF_RUN_SIZE_UNKNOWN UINT64_MAX

struct gmf_run_module {
    char *path, *version, *error;
    char *info, *gomod, *zip, *dir, *sum, *gomodsum;
    char *origin_info; /* .info bytes whose Origin -json prints (path@version arguments) */
    size_t origin_info_len;
    /* Dry run only. */
    unsigned have;     /* enum gmf_run_have bits */
    uint64_t zip_size; /* bytes of the zip (cached, or as the proxy announced it), or
                          GMF_RUN_SIZE_UNKNOWN */
    bool direct;       /* the GOPROXY walk reached "direct" or GONOPROXY: go would fetch it */
};

struct gmf_run_result {
    struct gmf_run_module *mods; /* in go's output order */
    size_t nmods;
    char *notice;           /* a line go prints on stderr without failing, or NULL */
    char *delegate_reason;  /* non-NULL: hand this invocation to the go command */
    struct gmf_transfer_stats stats; /* filled whenever the transfer engine ran, even when
                                        gmf_run fails */
    size_t cached;          /* modules that were already complete in the cache */
    /* Body bytes of successful responses per GOPROXY entry: proxy_bytes[i] belongs to
     * env->proxies[i] (NULL when no request was made). */
    uint64_t *proxy_bytes;
    size_t nproxy_bytes;
};

/* env must be loaded; ret is filled on GMF_OK and on per-module failures alike (check
 * every mods[i].error).  Never prints; trace lines go through opts->transfer.trace. */
enum gmf_err gmf_run(const struct gmf_run_opts *opts, const struct gmf_goenv *env,
                     struct gmf_run_result *ret, struct gmf_diag *diag);
void gmf_run_result_release(struct gmf_run_result *r);

/* Ask a running gmf_run to stop (async-signal-safe). */
void gmf_run_interrupt(void);

#endif
