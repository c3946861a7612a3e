#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmfetch/progress.h"
#include "gmfetch/xalloc.h"

/* Provenance: the expected texts are gmfetch's own format (progress.h); the control codes
 * are ECMA-48's: CR, and CSI K (erase in line, to the end). */

static int fds[2];
static struct gmf_progress p;

static void setup(void)
{
    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
}

static void teardown(void)
{
    close(fds[0]);
    close(fds[1]);
}

TestSuite(progress, .init = setup, .fini = teardown);

/* Everything written since the last call (heap). */
static char *drain(void)
{
    char buf[65536];
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);

    if (n < 0)
        n = 0;
    buf[n] = '\0';
    return gmf_xstrdup(buf);
}

static struct gmf_run_progress snap(size_t done, size_t total, uint64_t bytes)
{
    struct gmf_run_progress s;

    memset(&s, 0, sizeof(s));
    s.mods_done = done;
    s.mods_total = total;
    s.stats.bytes = bytes;
    s.active = 3;
    return s;
}

Test(progress, resolve)
{
    const enum gmf_progress_mode A = GMF_PROGRESS_AUTO, B = GMF_PROGRESS_BAR,
                                 P = GMF_PROGRESS_PLAIN, N = GMF_PROGRESS_NONE;

    cr_assert_eq(gmf_progress_resolve(A, false, true, NULL, "xterm"), B);
    cr_assert_eq(gmf_progress_resolve(A, false, false, NULL, "xterm"), P, "not a terminal");
    cr_assert_eq(gmf_progress_resolve(A, false, true, "true", "xterm"), P, "CI=true");
    cr_assert_eq(gmf_progress_resolve(A, false, true, "false", "xterm"), B, "CI=false");
    cr_assert_eq(gmf_progress_resolve(A, false, true, "", "xterm"), B, "CI empty");
    cr_assert_eq(gmf_progress_resolve(A, false, true, NULL, "dumb"), P, "TERM=dumb");
    cr_assert_eq(gmf_progress_resolve(A, false, true, NULL, NULL), P, "TERM unset");
    cr_assert_eq(gmf_progress_resolve(A, true, true, NULL, "xterm"), N, "--quiet");
    cr_assert_eq(gmf_progress_resolve(B, true, true, NULL, "xterm"), N, "--quiet beats bar");
    cr_assert_eq(gmf_progress_resolve(B, false, false, "true", "dumb"), B, "asked for");
    cr_assert_eq(gmf_progress_resolve(P, false, true, NULL, "xterm"), P);
    cr_assert_eq(gmf_progress_resolve(N, false, true, NULL, "xterm"), N);
}

Test(progress, bar_is_redrawn_in_place_at_most_ten_times_a_second)
{
    struct gmf_run_progress s = snap(1, 4, 2048);
    char *out;

    gmf_progress_init(&p, GMF_PROGRESS_BAR, fds[1], 100.0);
    p.width = 200;
    gmf_progress_update(&p, &s, 100.1);
    out = drain();
    cr_assert_str_eq(out, "", "nothing in the first quarter second");
    free(out);

    gmf_progress_update(&p, &s, 100.3);
    out = drain();
    cr_assert_str_eq(out, "\rgmfetch [#####---------------] 1/4 modules, 2.0 KiB, 3 active"
                          "\033[K");
    free(out);
    cr_assert(p.drawn);

    gmf_progress_update(&p, &s, 100.35);
    out = drain();
    cr_assert_str_eq(out, "", "50 ms later: not again");
    free(out);

    s = snap(2, 4, 1 << 20);
    s.stats.retries = 2;
    gmf_progress_update(&p, &s, 101.4);
    out = drain();
    /* rate over the window: (1 MiB - 2 KiB) / 1.3 s; ETA: 1.3 s for the 2 modules done
     * since the first snapshot, so 1.3 s for the other 2 */
    cr_assert_str_eq(out, "\rgmfetch [##########----------] 2/4 modules, 1.0 MiB, 786.2 KiB/s, "
                          "ETA 1.3s, 3 active, 2 retries\033[K");
    free(out);

    gmf_progress_clear(&p);
    out = drain();
    cr_assert_str_eq(out, "\r\033[K");
    free(out);
    cr_assert_not(p.drawn);
    gmf_progress_update(&p, &s, 101.41);
    out = drain();
    cr_assert(out[0] == '\r' && strstr(out, "2/4 modules"), "redrawn at once after a clear");
    free(out);

    cr_assert_not(gmf_progress_finish(&p), "no plain line was written");
    out = drain();
    cr_assert_str_eq(out, "\r\033[K", "finish erases the line");
    free(out);
    gmf_progress_update(&p, &s, 105.0);
    out = drain();
    cr_assert_str_eq(out, "", "nothing after finish");
    free(out);
}

Test(progress, bar_graph_phase)
{
    struct gmf_run_progress s;
    char *out;

    memset(&s, 0, sizeof(s));
    s.graph = true;
    s.gomods = 17;
    s.active = 5;
    s.stats.bytes = 500;
    gmf_progress_init(&p, GMF_PROGRESS_BAR, fds[1], 0.0);
    p.width = 200;
    gmf_progress_update(&p, &s, 1.0);
    out = drain();
    cr_assert_str_eq(out, "\rgmfetch: loading module graph: 17 go.mod files, 500 B, 5 active"
                          "\033[K");
    free(out);
}

Test(progress, bar_is_cut_to_the_terminal_width)
{
    struct gmf_run_progress s = snap(1, 4, 2048);
    char *out;

    gmf_progress_init(&p, GMF_PROGRESS_BAR, fds[1], 0.0);
    p.width = 20;
    gmf_progress_update(&p, &s, 1.0);
    out = drain();
    /* CR, 19 columns, erase: never a full line, which could wrap */
    cr_assert_str_eq(out, "\rgmfetch [#####-----\033[K");
    free(out);
}

Test(progress, interrupt_erases_and_stops)
{
    struct gmf_run_progress s = snap(1, 4, 2048);
    char *out;

    gmf_progress_init(&p, GMF_PROGRESS_BAR, fds[1], 0.0);
    p.width = 100;
    gmf_progress_update(&p, &s, 1.0);
    free(drain());
    gmf_progress_interrupt(&p);
    out = drain();
    cr_assert_str_eq(out, "\r\033[K");
    free(out);
    gmf_progress_update(&p, &s, 3.0);
    gmf_progress_interrupt(&p);
    cr_assert_not(gmf_progress_finish(&p));
    out = drain();
    cr_assert_str_eq(out, "", "erased once only");
    free(out);
}

Test(progress, plain_lines_are_few_and_have_no_control_codes)
{
    struct gmf_run_progress s = snap(0, 100, 0);
    double at[16];
    size_t n = 0;
    char *out;

    gmf_progress_init(&p, GMF_PROGRESS_PLAIN, fds[1], 0.0);
    /* An update every 100 ms for five minutes. */
    for (int i = 1; i <= 3000; i++) {
        double now = i / 10.0;
        s.mods_done = (size_t)i / 30;
        s.stats.bytes = (uint64_t)i * 1000;
        size_t before = p.plain_lines;
        gmf_progress_update(&p, &s, now);
        if (p.plain_lines != before && n < 16)
            at[n++] = now;
    }
    out = drain();
    /* 10 s, then intervals of 10, 20, 40 and 60 s at most */
    cr_assert_eq(n, 7, "%zu lines:\n%s", n, out);
    cr_assert_float_eq(at[0], 10.0, 1e-9);
    cr_assert_float_eq(at[1], 20.0, 1e-9);
    cr_assert_float_eq(at[2], 40.0, 1e-9);
    cr_assert_float_eq(at[3], 80.0, 1e-9);
    cr_assert_float_eq(at[4], 140.0, 1e-9);
    cr_assert_float_eq(at[5], 200.0, 1e-9);
    cr_assert_float_eq(at[6], 260.0, 1e-9);
    cr_assert_null(strchr(out, '\r'));
    cr_assert_null(strchr(out, '\033'));
    /* At 10 s: 3 modules, 100000 bytes; the rate over the 32 samples kept (6.9 s to 10 s) is
     * 31000 B / 3.1 s; ETA 9.9 s * 97 / 3 = 320 s. */
    {
        const char *first = "gmfetch: 3/100 modules, 97.7 KiB (9.8 KiB/s), ETA 5m20s, "
                            "3 active, 10s\n";
        cr_assert(!strncmp(out, first, strlen(first)), "%s", out);
    }
    free(out);
    cr_assert(gmf_progress_finish(&p));
    out = drain();
    cr_assert_str_eq(out, "", "plain mode has nothing to erase");
    free(out);
}

Test(progress, plain_run_shorter_than_ten_seconds_prints_nothing)
{
    struct gmf_run_progress s = snap(5, 10, 100);
    char *out;

    gmf_progress_init(&p, GMF_PROGRESS_PLAIN, fds[1], 0.0);
    gmf_progress_update(&p, &s, 9.9);
    cr_assert_not(gmf_progress_finish(&p));
    out = drain();
    cr_assert_str_eq(out, "");
    free(out);
}

Test(progress, none_prints_nothing)
{
    struct gmf_run_progress s = snap(5, 10, 100);
    char *out;

    gmf_progress_init(&p, GMF_PROGRESS_NONE, fds[1], 0.0);
    gmf_progress_update(&p, &s, 100.0);
    gmf_progress_clear(&p);
    cr_assert_not(gmf_progress_finish(&p));
    out = drain();
    cr_assert_str_eq(out, "");
    free(out);
}

Test(progress, summary_line)
{
    struct gmf_progress_summary s = {.modules = 40, .cached = 28, .failed = 1,
                                     .bytes = 14889779, .retries = 2, .seconds = 3.2};
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    gmf_progress_summary(&b, &s);
    cr_assert_str_eq(b.data, "gmfetch: 40 modules (11 downloaded, 28 cached, 1 failed), "
                             "14.2 MiB in 3.2s (4.4 MiB/s), 2 retries\n");
    gmf_buf_reset(&b);
    s = (struct gmf_progress_summary){.modules = 1, .cached = 1, .retries = 1, .seconds = 75};
    gmf_progress_summary(&b, &s);
    cr_assert_str_eq(b.data, "gmfetch: 1 module (0 downloaded, 1 cached, 0 failed), 0 B in "
                             "1m15s (0 B/s), 1 retry\n");
    gmf_buf_release(&b);
}

Test(progress, byte_units)
{
    static const struct {
        uint64_t n;
        const char *s;
    } cases[] = {{0, "0 B"},           {1023, "1023 B"},        {1024, "1.0 KiB"},
                 {1536, "1.5 KiB"},    {1048576, "1.0 MiB"},    {(uint64_t)3 << 30, "3.0 GiB"},
                 {(uint64_t)5 << 40, "5.0 TiB"}};
    struct gmf_buf b;

    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gmf_buf_reset(&b);
        gmf_progress_put_bytes(&b, cases[i].n);
        cr_assert_str_eq(b.data, cases[i].s);
    }
    gmf_buf_release(&b);
}
