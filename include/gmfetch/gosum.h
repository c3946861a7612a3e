/* gosum: go.sum text to lookup records, the checksum decision, and go's output format.
 *
 * Calling sequence: gmf_gosum_init(); gmf_gosum_parse() per file; gmf_gosum_check() per
 * downloaded artefact; gmf_gosum_add() for newly trusted hashes; gmf_gosum_format() to
 * produce the bytes to write; gmf_gosum_release().  Strings live in the object until release.
 *
 * Rules (cmd/go/internal/modfetch/fetch.go): fields split on any white space, blank lines
 * skipped, a line with other than three fields is a fatal parse error
 * (`malformed go.sum:\n<name>:<line>: wrong number of fields <n>`); lines whose hash is the
 * hash of an empty go.mod are dropped on read; a key may carry several hashes.
 */
#ifndef GMFETCH_GOSUM_H
#define GMFETCH_GOSUM_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/buf.h"
#include "gmfetch/err.h"

struct gmf_sum_line {
    char *path;
    char *version; /* without "/go.mod" */
    bool gomod;    /* the "/go.mod" line */
    char *hash;    /* "h1:..." or another algorithm's text */
    bool added;    /* added by gmf_gosum_add, not read from a file */
};

struct gmf_gosum {
    struct gmf_sum_line *lines;
    size_t nlines;
    size_t cap_;
};

enum gmf_sum_status {
    GMF_SUM_MISSING,  /* no h1: hash recorded for this key */
    GMF_SUM_MATCH,    /* this exact hash is recorded */
    GMF_SUM_MISMATCH, /* another h1: hash is recorded (and this one is not) */
};

void gmf_gosum_init(struct gmf_gosum *s);
void gmf_gosum_release(struct gmf_gosum *s);
enum gmf_err gmf_gosum_parse(struct gmf_gosum *s, const char *data, size_t len,
                             const char *name, struct gmf_diag *diag);

/* Decide about hash for (path, version[, /go.mod]).  On MISMATCH, *ret_recorded (if not
 * NULL) points at the first recorded h1: hash for the key (owned by s). */
enum gmf_sum_status gmf_gosum_check(const struct gmf_gosum *s, const char *path,
                                    const char *version, bool gomod, const char *hash,
                                    const char **ret_recorded);

/* Record a hash (no-op if this exact line exists). */
void gmf_gosum_add(struct gmf_gosum *s, const char *path, const char *version, bool gomod,
                   const char *hash);

/* go's go.sum serialisation: sorted by path (bytes), then version by semver precedence with
 * the zip line before the "/go.mod" line, hashes per key sorted and de-duplicated, "\n" after
 * every line.  keep (may be NULL = keep all) filters lines: it is called per line and the
 * line is written iff it returns true. */
typedef bool (*gmf_gosum_keep_fn)(const struct gmf_sum_line *line, void *ctx);
enum gmf_err gmf_gosum_format(const struct gmf_gosum *s, gmf_gosum_keep_fn keep, void *ctx,
                              struct gmf_buf *out);

#endif
