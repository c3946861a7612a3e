/* buf: a growable byte buffer with a hard cap.
 *
 * Invariants (as git's strbuf): after gmf_buf_init() data is NULL, len and cap are 0; once
 * anything was appended, data[len] == '\0', so the contents can be used as a C string when
 * they contain no NUL.  len <= max always holds: an append that would cross max fails with
 * GMF_ETOOBIG and leaves the buffer unchanged, so bodies from the network (.info, .mod, error
 * pages) cannot grow without bound.
 *
 * Ownership: the buffer owns data until gmf_buf_detach() hands it to the caller.
 */
#ifndef GMFETCH_BUF_H
#define GMFETCH_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "gmfetch/err.h"

struct gmf_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len */
};

/* SIZE_MAX-ish default for buffers we build ourselves (not from the network). */
#define GMF_BUF_UNLIMITED ((size_t)-1 / 2)

void gmf_buf_init(struct gmf_buf *b, size_t max);
/* Free the data and return to the just-initialised state (max is kept). */
void gmf_buf_release(struct gmf_buf *b);
/* Keep the allocation, set len to 0. */
void gmf_buf_reset(struct gmf_buf *b);
enum gmf_err gmf_buf_append(struct gmf_buf *b, const void *data, size_t n);
enum gmf_err gmf_buf_puts(struct gmf_buf *b, const char *s);
enum gmf_err gmf_buf_putc(struct gmf_buf *b, char c);
enum gmf_err gmf_buf_printf(struct gmf_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum gmf_err gmf_buf_vprintf(struct gmf_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Return the data (never NULL: an empty buffer yields "") and reinitialise b. */
char *gmf_buf_detach(struct gmf_buf *b, size_t *ret_len);

#endif
