/* err: error codes and the diagnostic record every fallible function fills.
 *
 * Functions below the CLI never print.  A function that can fail for more than one reason
 * returns an enum gmf_err; the human-readable detail (module@version, file:line, errno text,
 * HTTP status) goes into a caller-owned struct gmf_diag.  Only cli/ decides how to print it
 * and which exit code it maps to.
 *
 * Error handling: gmf_diag_set() overwrites the message and returns the code it was given, so
 * a failure site reads `return gmf_diag_set(diag, GMF_EPARSE, "...", ...);`.  A NULL diag is
 * allowed everywhere and simply drops the message.
 */
#ifndef GMFETCH_ERR_H
#define GMFETCH_ERR_H

#include <stddef.h>

/* X(name, default message).  The message is used when a site sets no detail of its own. */
#define GMF_ERR_MAP(X)                                                                         \
    X(OK, "success")                                                                           \
    X(EUSAGE, "usage error")                                                                   \
    X(EIO, "input/output error")                                                               \
    X(EPARSE, "malformed input")                                                               \
    X(EINVAL, "invalid argument")                                                              \
    X(ENOTFOUND, "not found")                                                                  \
    X(EHTTP, "HTTP error")                                                                     \
    X(ENET, "network error")                                                                   \
    X(ECHECKSUM, "checksum mismatch")                                                          \
    X(ENOSUM, "missing go.sum entry")                                                          \
    X(EZIP, "invalid module zip")                                                              \
    X(ETOOBIG, "too large")                                                                    \
    X(EUNSUPPORTED, "not supported by gmfetch")                                                \
    X(EINTR, "interrupted")

enum gmf_err {
#define GMF_ERR_ENUM_(name, msg) GMF_##name,
    GMF_ERR_MAP(GMF_ERR_ENUM_)
#undef GMF_ERR_ENUM_
        GMF_ERR_COUNT_
};

/* Stable identifier such as "ECHECKSUM"; never NULL. */
const char *gmf_err_name(enum gmf_err e);
/* Default one-phrase description; never NULL. */
const char *gmf_err_message(enum gmf_err e);

/* Room for a go-style multi-line message such as the SECURITY ERROR block. */
#define GMF_DIAG_MAX 2048

struct gmf_diag {
    enum gmf_err code;
    char msg[GMF_DIAG_MAX]; /* NUL-terminated; empty when nothing was set */
};

/* Reset to GMF_OK with an empty message. */
void gmf_diag_init(struct gmf_diag *d);

/* Format the message into d (truncating if needed) and return e.  d may be NULL. */
enum gmf_err gmf_diag_set(struct gmf_diag *d, enum gmf_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "prefix: " to the current message, keeping the code.  Returns d->code. */
enum gmf_err gmf_diag_prefix(struct gmf_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
