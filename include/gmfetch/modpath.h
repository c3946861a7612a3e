/* modpath: module paths, versions and their escaped forms, as golang.org/x/mod/module and
 * golang.org/x/mod/semver define them.
 *
 * Pure functions over NUL-terminated strings; no I/O.  Checks fill diag with go's wording,
 * e.g. `malformed module path "x": missing dot in first path element`, and return
 * GMF_EINVAL.  Returned strings are heap-allocated and owned by the caller; on failure
 * nothing is returned and *ret is left alone.
 *
 * Go strings may contain NUL bytes and C strings cannot: a name that holds one (a zip entry,
 * a quoted go.mod string) must be rejected by the caller before it reaches these functions,
 * or it is silently cut short here.  Go would reject it too (`invalid char '\x00'`).
 */
#ifndef GMFETCH_MODPATH_H
#define GMFETCH_MODPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmfetch/err.h"

/* module.CheckPath: a module path as it may appear in go.mod and on a proxy. */
enum gmf_err gmf_modpath_check(const char *path, struct gmf_diag *diag);
/* module.CheckImportPath: import paths (replacement targets are checked with this). */
enum gmf_err gmf_modpath_check_import(const char *path, struct gmf_diag *diag);
/* module.CheckFilePath: a slash-separated path of a file inside a module zip. */
enum gmf_err gmf_modpath_check_file(const char *fpath, struct gmf_diag *diag);
/* module.Check: path valid, version valid semver matching the path's major suffix
 * (/vN, gopkg.in .vN, +incompatible).  As in go, a valid but non-canonical version such as
 * "v1.2" passes; compare with gmf_semver_canonical() where a canonical one is required. */
enum gmf_err gmf_modpath_check_version(const char *path, const char *version,
                                       struct gmf_diag *diag);

/* module.SplitPathVersion: path = prefix + pathMajor, where pathMajor is "" or "/vN"
 * (N >= 2), or ".vN" / ".vN-unstable" for gopkg.in.  *ret_prefix_len is the length of the
 * prefix, so pathMajor is path + *ret_prefix_len.  Returns false (and leaves the out-param
 * alone) for a malformed final element such as "/v1", "/v0" or "/v1.2". */
bool gmf_modpath_split_version(const char *path, size_t *ret_prefix_len);
/* module.CheckPathMajor: does version belong under pathMajor (as split above)?  The diag
 * gets go's InvalidVersionError text, e.g. `version "v1.0.0" invalid: should be v2, not v1`. */
enum gmf_err gmf_modpath_check_path_major(const char *version, const char *path_major,
                                          struct gmf_diag *diag);

/* module.EscapePath / EscapeVersion: upper-case X becomes "!x".  EscapePath validates the
 * path first.  *ret is a fresh heap string. */
enum gmf_err gmf_modpath_escape_path(const char *path, char **ret, struct gmf_diag *diag);
enum gmf_err gmf_modpath_escape_version(const char *version, char **ret, struct gmf_diag *diag);
/* Inverse of the above (module.unescapeString); rejects upper case, non-ASCII and "!" not
 * followed by a-z with `invalid escaped string "<s>"` (go words this per caller, as
 * "invalid escaped module path" or "invalid escaped version"; the result is not validated). */
enum gmf_err gmf_modpath_unescape(const char *escaped, char **ret, struct gmf_diag *diag);

/* module.MatchPrefixPatterns: globs is a comma-separated list of path.Match patterns, each
 * matched against the leading path elements of target (as many as the pattern has). */
bool gmf_modpath_match_patterns(const char *globs, const char *target);

/* path.Match (Go's), used by the above. Malformed patterns never match. */
bool gmf_modpath_glob_match(const char *pattern, const char *name);

/* semver package.  A valid version is "v" + MAJOR[.MINOR[.PATCH]][-pre][+build]. */
bool gmf_semver_is_valid(const char *v);
/* module.CanonicalVersion: "v1.2" -> "v1.2.0", build metadata dropped except
 * "+incompatible".  Returns NULL for invalid versions; caller frees. */
char *gmf_semver_canonical(const char *v);
/* -1, 0, +1 like semver.Compare; an invalid version sorts below every valid one and two
 * invalid versions compare equal. */
int gmf_semver_compare(const char *a, const char *b);
/* True for pseudo-versions (vX.Y.Z-yyyymmddhhmmss-abcdefabcdef forms). */
bool gmf_semver_is_pseudo(const char *v);

/* Go string helpers, shared with gomod so that messages quote exactly as go's %q does.
 * gmf_modpath_quote is strconv.Quote over n bytes (invalid UTF-8 becomes \xNN);
 * gmf_modpath_quote_rune is strconv.QuoteRune.  Both return fresh heap strings. */
char *gmf_modpath_quote(const char *s, size_t n);
char *gmf_modpath_quote_rune(uint32_t r);
/* utf8.DecodeRune over at most n bytes: returns the width (0 only when n == 0) and stores
 * the rune, U+FFFD with width 1 for invalid encodings. */
size_t gmf_modpath_decode_rune(const char *s, size_t n, uint32_t *ret_rune);
/* unicode.IsPrint and unicode.IsLetter, with Go 1.19's Unicode 13 tables. */
bool gmf_modpath_is_print(uint32_t r);
bool gmf_modpath_is_letter(uint32_t r);

#endif
