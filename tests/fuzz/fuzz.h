/* fuzz: what every fuzz target in this directory shares.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput().  It is linked twice: with libFuzzer
 * (meson -Dfuzzers=true, clang only) to search for inputs, and with replay.c, a plain main()
 * that feeds it the seed corpus and every past crash, as a normal meson test in every build.
 * A broken invariant calls fuzz_fail(), which aborts: libFuzzer saves the input as a crash,
 * the replay test fails.
 */
#ifndef GMFETCH_FUZZ_H
#define GMFETCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz invariant failed: <message>" to stderr and abort(). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define FUZZ_CHECK(cond, ...)                                                                  \
    do {                                                                                       \
        if (!(cond))                                                                           \
            fuzz_fail(__FILE__ ":" FUZZ_STR_(__LINE__) ": " #cond ": " __VA_ARGS__);           \
    } while (0)
#define FUZZ_STR_(x) FUZZ_STR2_(x)
#define FUZZ_STR2_(x) #x

/* The n-th (from 0) of the NUL-separated pieces of data, as a fresh NUL-terminated heap
 * string; "" when there are fewer pieces.  Lets one input carry several C strings. */
char *fuzz_piece(const uint8_t *data, size_t size, unsigned n);

#endif
