/* progress: the live display and the summary line (see progress.h).
 *
 * Every write is one write(2) of a whole line (bar: "\r", the text, ESC[K), so a line is
 * never torn by other output, and the signal handler's erase ("\r" ESC[K) can come at any
 * moment: at worst it erases a line that is drawn again at the next update (which does not
 * happen once stopped is set) or one that was already gone.
 */
#include "gmfetch/progress.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* The first bar is drawn only after this long: a run that ends sooner (a warm cache) does
 * not flash a line that is erased at once. */
#define BAR_DELAY_S 0.25
/* The rate is measured over about this many seconds. */
#define RATE_WINDOW_S 5.0
#define BAR_CELLS 20

static const char erase_line[] = "\r\033[K";

double gmf_progress_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum gmf_progress_mode gmf_progress_resolve(enum gmf_progress_mode mode, bool quiet, bool tty,
                                            const char *ci, const char *term)
{
    if (quiet)
        return GMF_PROGRESS_NONE;
    if (mode != GMF_PROGRESS_AUTO)
        return mode;
    if (!tty)
        return GMF_PROGRESS_PLAIN;
    /* CI services set CI=true (GitHub Actions, GitLab CI, Travis, CircleCI ...); their logs
     * may be terminals that keep every redraw. */
    if (ci && *ci && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0)
        return GMF_PROGRESS_PLAIN;
    if (!term || !*term || !strcmp(term, "dumb"))
        return GMF_PROGRESS_PLAIN;
    return GMF_PROGRESS_BAR;
}

void gmf_progress_init(struct gmf_progress *p, enum gmf_progress_mode mode, int fd, double now)
{
    memset(p, 0, sizeof(*p));
    p->mode = mode == GMF_PROGRESS_AUTO ? GMF_PROGRESS_NONE : mode;
    p->fd = fd;
    p->start = now;
    p->last_draw = now - 1.0;
    p->plain_interval = GMF_PROGRESS_PLAIN_FIRST_S;
    p->next_plain = now + GMF_PROGRESS_PLAIN_FIRST_S;
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a closed or full stderr is no reason to stop the run */
        s += w;
        n -= (size_t)w;
    }
}

void gmf_progress_put_bytes(struct gmf_buf *out, uint64_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = -1;

    if (n < 1024) {
        gmf_buf_printf(out, "%" PRIu64 " B", n);
        return;
    }
    while (v >= 1024.0 && u < 3) {
        v /= 1024.0;
        u++;
    }
    gmf_buf_printf(out, "%.1f %s", v, units[u]);
}

static void put_duration(struct gmf_buf *out, double s)
{
    unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);

    if (s < 10.0)
        gmf_buf_printf(out, "%.1fs", s < 0 ? 0.0 : s);
    else if (t < 60)
        gmf_buf_printf(out, "%lus", t);
    else if (t < 3600)
        gmf_buf_printf(out, "%lum%02lus", t / 60, t % 60);
    else
        gmf_buf_printf(out, "%luh%02lum", t / 3600, t / 60 % 60);
}

static void put_count(struct gmf_buf *out, uint64_t n, const char *one, const char *many)
{
    gmf_buf_printf(out, "%" PRIu64 " %s", n, n == 1 ? one : many);
}

/* Record (now, bytes) and return the rate over the window, or -1 when unknown. */
static double sample(struct gmf_progress *p, double now, uint64_t bytes)
{
    unsigned oldest = GMF_PROGRESS_SAMPLES;

    p->sample_t[p->sample_next] = now;
    p->sample_b[p->sample_next] = bytes;
    p->sample_next = (p->sample_next + 1) % GMF_PROGRESS_SAMPLES;
    if (p->nsamples < GMF_PROGRESS_SAMPLES)
        p->nsamples++;
    for (unsigned i = 0; i < p->nsamples; i++) {
        if (now - p->sample_t[i] > RATE_WINDOW_S)
            continue;
        if (oldest == GMF_PROGRESS_SAMPLES || p->sample_t[i] < p->sample_t[oldest])
            oldest = i;
    }
    if (oldest == GMF_PROGRESS_SAMPLES || now - p->sample_t[oldest] < 0.5 ||
        bytes < p->sample_b[oldest])
        return -1.0;
    return (double)(bytes - p->sample_b[oldest]) / (now - p->sample_t[oldest]);
}

/* The text of a progress line, without "\r" or "\n". */
static void format_line(struct gmf_progress *p, const struct gmf_run_progress *s, double now,
                        double rate, bool bar, struct gmf_buf *out)
{
    if (s->graph) {
        gmf_buf_puts(out, "gmfetch: loading module graph: ");
        put_count(out, s->gomods, "go.mod file", "go.mod files");
        gmf_buf_puts(out, ", ");
        gmf_progress_put_bytes(out, s->stats.bytes);
    } else {
        if (bar) {
            size_t fill = s->mods_total ? s->mods_done * BAR_CELLS / s->mods_total : 0;
            gmf_buf_puts(out, "gmfetch [");
            for (size_t i = 0; i < BAR_CELLS; i++)
                gmf_buf_putc(out, i < fill ? '#' : '-');
            gmf_buf_puts(out, "] ");
        } else {
            gmf_buf_puts(out, "gmfetch: ");
        }
        gmf_buf_printf(out, "%zu/%zu modules, ", s->mods_done, s->mods_total);
        gmf_progress_put_bytes(out, s->stats.bytes);
    }
    if (rate >= 0) {
        gmf_buf_puts(out, bar ? ", " : " (");
        gmf_progress_put_bytes(out, (uint64_t)rate);
        gmf_buf_puts(out, bar ? "/s" : "/s)");
    }
    /* ETA from the share of modules done: the download list is known, the bytes to come are
     * not (the engine learns a zip's size only when its transfer starts, and does not say).
     * With one module left that guess is worthless (it is typically the biggest zip), so it
     * is not shown. */
    if (!s->graph && s->mods_done && s->mods_done + 2 <= s->mods_total &&
        p->download_start > 0 && now - p->download_start >= 1.0) {
        double el = now - p->download_start;
        gmf_buf_puts(out, ", ETA ");
        put_duration(out, el * (double)(s->mods_total - s->mods_done) / (double)s->mods_done);
    }
    gmf_buf_printf(out, ", %u active", s->active);
    if (s->stats.retries) {
        gmf_buf_puts(out, ", ");
        put_count(out, s->stats.retries, "retry", "retries");
    }
    if (!bar) {
        gmf_buf_puts(out, ", ");
        put_duration(out, now - p->start);
    }
}

static unsigned term_width(const struct gmf_progress *p)
{
    struct winsize ws;

    if (p->width)
        return p->width;
    if (ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void gmf_progress_update(struct gmf_progress *p, const struct gmf_run_progress *s, double now)
{
    struct gmf_buf b;
    double rate;

    if (p->stopped || p->mode == GMF_PROGRESS_NONE)
        return;
    rate = sample(p, now, s->stats.bytes);
    if (!s->graph && p->download_start <= 0)
        p->download_start = now;
    if (p->mode == GMF_PROGRESS_BAR) {
        if (now - p->start < BAR_DELAY_S || now - p->last_draw < GMF_PROGRESS_BAR_MS / 1000.0)
            return;
    } else if (now < p->next_plain) {
        return;
    }
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    if (p->mode == GMF_PROGRESS_BAR) {
        unsigned w = term_width(p);
        gmf_buf_puts(&b, "\r");
        format_line(p, s, now, rate, true, &b);
        /* One column short of the width: a full line would wrap on some terminals, and a
         * wrapped line cannot be redrawn with "\r". */
        if (w > 1 && b.len > w) {
            b.len = w; /* "\r" plus w - 1 columns */
            b.data[b.len] = '\0';
        }
        gmf_buf_puts(&b, "\033[K");
        p->drawn = 1;
        p->last_draw = now;
    } else {
        format_line(p, s, now, rate, false, &b);
        gmf_buf_putc(&b, '\n');
        p->plain_lines++;
        p->next_plain = now + p->plain_interval;
        p->plain_interval = p->plain_interval * 2 > GMF_PROGRESS_PLAIN_MAX_S
                                ? GMF_PROGRESS_PLAIN_MAX_S
                                : p->plain_interval * 2;
    }
    write_all(p->fd, b.data, b.len);
    gmf_buf_release(&b);
}

void gmf_progress_clear(struct gmf_progress *p)
{
    if (!p->drawn)
        return;
    p->drawn = 0;
    write_all(p->fd, erase_line, sizeof(erase_line) - 1);
    /* Drawn again at the next update, not 100 ms later: the other output came first. */
    p->last_draw = 0;
}

void gmf_progress_interrupt(struct gmf_progress *p)
{
    p->stopped = 1;
    if (p->drawn) {
        p->drawn = 0;
        /* write(2) is async-signal-safe; write_all only loops on it. */
        write_all(p->fd, erase_line, sizeof(erase_line) - 1);
    }
}

bool gmf_progress_finish(struct gmf_progress *p)
{
    gmf_progress_interrupt(p);
    return p->plain_lines > 0;
}

void gmf_progress_summary(struct gmf_buf *out, const struct gmf_progress_summary *s)
{
    size_t downloaded = s->modules - (s->cached + s->failed <= s->modules
                                          ? s->cached + s->failed
                                          : s->modules);

    gmf_buf_printf(out, "gmfetch: %zu %s (%zu downloaded, %zu cached, %zu failed), ", s->modules,
                   s->modules == 1 ? "module" : "modules", downloaded, s->cached, s->failed);
    gmf_progress_put_bytes(out, s->bytes);
    gmf_buf_puts(out, " in ");
    put_duration(out, s->seconds);
    if (s->seconds > 0) {
        gmf_buf_puts(out, " (");
        gmf_progress_put_bytes(out, (uint64_t)((double)s->bytes / s->seconds));
        gmf_buf_puts(out, "/s)");
    }
    gmf_buf_puts(out, ", ");
    put_count(out, s->retries, "retry", "retries");
    gmf_buf_putc(out, '\n');
}
