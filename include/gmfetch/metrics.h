/* metrics: a run's numbers as a Prometheus text exposition file (format 0.0.4), the format
 * node_exporter's textfile collector reads.
 *
 * The file is replaced as a whole at the end of every run, success or failure: written to
 * "<FILE>.tmp-<pid>", flushed, then renamed over FILE, so a collector never reads half a
 * file (it also ignores the temp name, which does not end in .prom).  Every family has HELP
 * and TYPE lines; names follow the Prometheus conventions (gmfetch_ prefix, base units,
 * counters end in _total); label values are escaped (\\, \", \n).  Counters count this run
 * only: each run's file replaces the last, so they behave like counters that reset at every
 * run, which rate() and increase() handle.
 *
 * The proxy label is the GOPROXY entry without its user information: credentials never
 * appear in the file.  Entries that are the same after that are added together.
 *
 * This is cli code (it writes a file); gmf_metrics_format() alone is pure.
 */
#ifndef GMFETCH_METRICS_H
#define GMFETCH_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmfetch/buf.h"
#include "gmfetch/err.h"
#include "gmfetch/transfer.h"

struct gmf_metrics {
    double duration_seconds;
    double end_time_seconds;   /* Unix time */
    int exit_code;             /* as the process exits; ignored when delegated */
    bool delegated;            /* handed to the go command: exit code unknown */
    size_t downloaded, cached, failed;
    struct gmf_transfer_stats stats;
    /* Per GOPROXY entry: its URL (NULL for direct/off/noproxy entries, which are skipped)
     * and the body bytes of its successful responses. */
    const char *const *proxy_urls;
    const uint64_t *proxy_bytes;
    size_t nproxies;
};

/* Append the exposition text to out. */
void gmf_metrics_format(struct gmf_buf *out, const struct gmf_metrics *m);

/* Format and replace the file at path as described above.  On failure nothing is left
 * behind (the temp file is removed) and diag says why. */
enum gmf_err gmf_metrics_write(const char *path, const struct gmf_metrics *m,
                               struct gmf_diag *diag);

/* The families, in file order, for the man page: NULL past the end. */
struct gmf_metrics_def {
    const char *name, *type, *help;
};
const struct gmf_metrics_def *gmf_metrics_def(size_t i);

#endif
