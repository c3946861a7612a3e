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

#include "gmfetch/err.h"
#include "gmfetch/goenv.h"
#include "gmfetch/transfer.h"

struct gmf_run_opts {
    bool json;        /* -json: fill every field (errors never stop other modules) */
    bool trace;       /* -x */
    bool modcacherw;  /* -modcacherw (or in GOFLAGS) */
    const char *dir;  /* where to look for go.mod; NULL = current directory */
    char *const *args; /* module arguments as given (no flags) */
    size_t nargs;
    unsigned workers; /* verify/extract threads; 0 = number of CPUs */
    struct gmf_transfer_opts transfer;
};

void gmf_run_opts_init(struct gmf_run_opts *o);

/* One entry of `go mod download -json` (fields NULL when absent). */
struct gmf_run_module {
    char *path, *version, *error;
    char *info, *gomod, *zip, *dir, *sum, *gomodsum;
    char *origin_info; /* .info bytes whose Origin -json prints (path@version arguments) */
    size_t origin_info_len;
};

struct gmf_run_result {
    struct gmf_run_module *mods; /* in go's output order */
    size_t nmods;
    char *notice;           /* a line go prints on stderr without failing, or NULL */
    char *delegate_reason;  /* non-NULL: hand this invocation to the go command */
    struct gmf_transfer_stats stats;
    size_t cached;          /* modules that were already complete in the cache */
};

/* env must be loaded; ret is filled on GMF_OK and on per-module failures alike (check
 * every mods[i].error).  Never prints; trace lines go through opts->transfer.trace. */
enum gmf_err gmf_run(const struct gmf_run_opts *opts, const struct gmf_goenv *env,
                     struct gmf_run_result *ret, struct gmf_diag *diag);
void gmf_run_result_release(struct gmf_run_result *r);

/* Ask a running gmf_run to stop (async-signal-safe). */
void gmf_run_interrupt(void);

#endif
