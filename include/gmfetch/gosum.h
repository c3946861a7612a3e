/* gosum: go.sum text to lookup records, the checksum decision, and go's output format.
 *
 * Calling sequence: gmf_gosum_init(); gmf_gosum_parse() per file; gmf_gosum_check() per
 * downloaded artefact; gmf_gosum_add() for newly trusted hashes; gmf_gosum_format() to
 * produce the bytes to write; gmf_gosum_release().  Strings live in the object until release.
 *
 * Reading (cmd/go/internal/modfetch/fetch.go readGoSum, Go 1.19): the text is split at '\n'
 * (lines are numbered from 1, blank ones included); each line is split into fields at any
 * run of white space as strings.Fields does (ASCII and Unicode spaces); lines without fields
 * are skipped; a line whose hash is the hash of an empty go.mod
 * (h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=, an old go bug) is dropped, whichever
 * version it is for; a key (path, version[/go.mod]) may carry several hashes, kept in file
 * order.  Nothing else is validated: paths, versions and hashes are taken as they are.
 *
 * Malformed lines.  A line with other than three fields stops the reading with
 * `malformed go.sum:\n<name>:<line>: wrong number of fields <n>`, but the go command
 * discards that error (readGoSumFile ignores readGoSum's result, in 1.19 and still in later
 * releases; checked by running go 1.19 on such a file): it simply does not see the bad line
 * nor anything after it, and drops them when it rewrites go.sum.  gmf_gosum_parse() mirrors
 * this: on GMF_EPARSE the object holds exactly the lines go would have read, so a caller
 * that wants go's behaviour ignores the error, and a stricter caller reports it.
 *
 * What go keeps when it rewrites go.sum (fetch.go WriteGoSum, TrimGoSum), i.e. what the
 * keep callback of gmf_gosum_format() must implement:
 *   - go writes go.sum only if some hash it verified in this run is new (not in the file)
 *     and wanted (keep), or TrimGoSum marked lines for removal; otherwise the file, bad
 *     lines and odd ordering included, is left untouched.  So write only when something
 *     was added and is kept.
 *   - Before writing, go re-reads the file under flock and keeps every line in it
 *     (sums added by other processes meanwhile included), then re-adds each hash it used
 *     in this run even if someone removed it meanwhile.  Callers do the same: parse the
 *     current file into a fresh object, then gmf_gosum_add() what was used.
 *   - A line read from a file (added == false) is always written.
 *   - A line added in this run (added == true) is written only if its key is in go's keep
 *     set (modload/init.go keepSums with addBuildListZipSums): the "/go.mod" key of every
 *     module version whose go.mod the loaded module graph used, plus the zip key of every
 *     module of the build list (selected versions, after replacement).  `go mod download`
 *     without arguments writes go.sum before it fetches any zip, so in effect it adds only
 *     graph "/go.mod" sums; with arguments it writes after the downloads with the same
 *     keep set, so a `path@version` outside the build list adds nothing (checked with go
 *     1.19).
 *   - After `go mod tidy` (TrimGoSum), lines whose key is not in keep are dropped even if
 *     they came from the file (gmfetch never does this).
 *   - Lines whose key is recorded in a workspace sum file are never written to go.sum
 *     (workspace mode is delegated to go).
 *   - The empty-go.mod hash, malformed lines and everything after the first malformed
 *     line are gone (they were never read).
 * A typical keep callback is therefore `return !line->added || wanted(line);`.
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
    struct gmf_sum_line *lines; /* in the order read or added */
    size_t nlines;
    size_t cap_;
};

enum gmf_sum_status {
    GMF_SUM_MISSING,  /* no h1: hash recorded for this key */
    GMF_SUM_MATCH,    /* this exact hash is recorded */
    GMF_SUM_MISMATCH, /* another h1: hash is recorded (see gmf_gosum_check) */
};

void gmf_gosum_init(struct gmf_gosum *s);
/* Free everything; s is empty (as after init) afterwards. */
void gmf_gosum_release(struct gmf_gosum *s);

/* Append the lines of one go.sum text; name is used in messages only.
 * GMF_OK: all lines read.  GMF_EPARSE: a malformed line (see above); the lines before it
 * were appended, the rest was not; diag holds go's message.  GMF_EUNSUPPORTED: the text
 * contains a NUL byte (go would keep such a line verbatim; gmfetch's C strings cannot), no
 * line of this text was appended; delegate to go. */
enum gmf_err gmf_gosum_parse(struct gmf_gosum *s, const char *data, size_t len, const char *name,
                             struct gmf_diag *diag);

/* Decide about hash for (path, version[, /go.mod]) as go's haveModSumLocked does: the
 * recorded hashes of the key are visited in file order; the first that equals hash gives
 * MATCH, but an "h1:" hash that differs and comes first gives MISMATCH (so a key recorded
 * as "h1:A" then "h1:B" mismatches a download hashing to h1:B, as in go); hashes of other
 * algorithms are skipped; none left gives MISSING.  On MISMATCH, *ret_recorded (if not
 * NULL) points at that differing hash (owned by s): go prints it as "go.sum:     <hash>".
 * go treats MISMATCH as fatal (exit 1, message without "go: " prefix, see the reference). */
enum gmf_sum_status gmf_gosum_check(const struct gmf_gosum *s, const char *path,
                                    const char *version, bool gomod, const char *hash,
                                    const char **ret_recorded);

/* Record a hash with added = true (no-op if this exact line exists, read or added).  go
 * only adds after a check returned MISSING (and the checksum database agreed); adding next
 * to an existing different hash is the caller's bug (go would print "unknown hashes in
 * go.sum" only for non-h1 hashes). */
void gmf_gosum_add(struct gmf_gosum *s, const char *path, const char *version, bool gomod,
                   const char *hash);

/* go's go.sum serialisation (WriteGoSum + module.Sort): sorted by path (bytes), then by
 * version in semver precedence, the zip line before the "/go.mod" line; module.Sort splits
 * the version at its first '/' and compares the rest as bytes.  Where go's order is
 * undefined (two different versions of equal precedence, such as "v1.0.0" and
 * "v1.0.0+meta", or two invalid versions) gmfetch orders them by bytes.  Hashes per key are
 * sorted by bytes and de-duplicated; each line is "<path> <version>[/go.mod] <hash>\n".
 * keep (may be NULL = keep all) filters lines: it is called per distinct line (for
 * duplicates: until one of them is accepted) and the line is written iff it returns true.
 * Appends to out; GMF_ETOOBIG if out's cap is reached (out then holds a prefix). */
typedef bool (*gmf_gosum_keep_fn)(const struct gmf_sum_line *line, void *ctx);
enum gmf_err gmf_gosum_format(const struct gmf_gosum *s, gmf_gosum_keep_fn keep, void *ctx,
                              struct gmf_buf *out);

#endif
