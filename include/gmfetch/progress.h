/* progress: the live display on stderr while a run goes on, and the closing summary line.
 *
 * Modes (--progress):
 *   bar    one line, redrawn in place ("\r" + text + erase-to-end-of-line) at most every
 *          GMF_PROGRESS_BAR_MS, cut to the terminal width so it never wraps; erased by
 *          gmf_progress_clear() before any other output on the same stream and at the end.
 *   plain  whole lines without control codes, for logs: the first only after
 *          GMF_PROGRESS_PLAIN_FIRST_S seconds (a short run prints nothing, as go does), then at
 *          doubling intervals of at most GMF_PROGRESS_PLAIN_MAX_S seconds, so even a long run
 *          leaves only a few lines.
 *   none   nothing.
 *   auto   resolved by gmf_progress_resolve(): bar on a terminal unless CI=true or
 *          TERM=dumb, else plain; none with --quiet.
 *
 * This is cli code: it writes to the fd it was given and nowhere else.  Time is passed in
 * (monotonic seconds), so tests can drive it without waiting.
 *
 * Calling sequence: gmf_progress_init(); gmf_progress_update() as often as wanted (it
 * decides when to draw); gmf_progress_clear() before writing anything else to the fd;
 * gmf_progress_finish() at the end.  gmf_progress_interrupt() may be called from a signal
 * handler at any time.
 */
#ifndef GMFETCH_PROGRESS_H
#define GMFETCH_PROGRESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmfetch/buf.h"
#include "gmfetch/run.h"

enum gmf_progress_mode {
    GMF_PROGRESS_AUTO,
    GMF_PROGRESS_BAR,
    GMF_PROGRESS_PLAIN,
    GMF_PROGRESS_NONE,
};

/* The bar is redrawn at most 10 times a second: smooth enough to read, cheap on a slow
 * terminal (an ssh session). */
#define GMF_PROGRESS_BAR_MS 100u
#define GMF_PROGRESS_PLAIN_FIRST_S 10.0
#define GMF_PROGRESS_PLAIN_MAX_S 60.0

/* Samples kept for the transfer rate (a sliding window of a few seconds). */
#define GMF_PROGRESS_SAMPLES 32

struct gmf_progress {
    enum gmf_progress_mode mode; /* BAR, PLAIN or NONE */
    int fd;
    unsigned width;              /* columns; 0 = ask the terminal at each draw */
    double start, last_draw, next_plain, plain_interval, download_start;
    unsigned plain_lines;        /* plain lines written so far */
    double sample_t[GMF_PROGRESS_SAMPLES];
    uint64_t sample_b[GMF_PROGRESS_SAMPLES];
    unsigned nsamples, sample_next;
    /* Read by gmf_progress_interrupt() in a signal handler. */
    volatile sig_atomic_t drawn;   /* a bar is on the screen */
    volatile sig_atomic_t stopped; /* interrupted or finished: draw no more */
};

/* mode AUTO is resolved with what the caller knows: quiet (--quiet), whether fd is a
 * terminal, and the values of CI and TERM (NULL when unset). */
enum gmf_progress_mode gmf_progress_resolve(enum gmf_progress_mode mode, bool quiet, bool tty,
                                            const char *ci, const char *term);

/* mode must be resolved (not AUTO). now: monotonic seconds, see gmf_progress_now(). */
void gmf_progress_init(struct gmf_progress *p, enum gmf_progress_mode mode, int fd, double now);

/* A new snapshot of the run; draws when it is time to. */
void gmf_progress_update(struct gmf_progress *p, const struct gmf_run_progress *s, double now);

/* Erase the bar (if one is drawn) so that other output starts on a clean line; the next
 * update draws it again. */
void gmf_progress_clear(struct gmf_progress *p);

/* Erase the bar and draw no more.  Async-signal-safe (write(2) only). */
void gmf_progress_interrupt(struct gmf_progress *p);

/* Erase the bar and draw no more; whether any plain line was written. */
bool gmf_progress_finish(struct gmf_progress *p);

/* What the closing line reports. */
struct gmf_progress_summary {
    size_t modules, cached, failed;
    uint64_t bytes, retries;
    double seconds;
};

/* "gmfetch: 40 modules (12 downloaded, 28 cached, 0 failed), 14.2 MiB in 3.2s (4.4 MiB/s),
 * 2 retries" and a newline, appended to out. */
void gmf_progress_summary(struct gmf_buf *out, const struct gmf_progress_summary *s);

/* "512 B", "1.5 KiB", "14.2 MiB", "3.0 GiB" (powers of 1024), appended to out. */
void gmf_progress_put_bytes(struct gmf_buf *out, uint64_t n);

/* The monotonic clock in seconds. */
double gmf_progress_now(void);

#endif
