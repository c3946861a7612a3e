/* modpath: module paths, versions and their escaped forms, as golang.org/x/mod/module and
 * golang.org/x/mod/semver define them.
 *
 * Pure functions over NUL-terminated strings; no I/O.  Checks fill diag with go's wording,
 * e.g. `malformed module path "x": missing dot in first path element`.  Returned strings are
 * heap-allocated and owned by the caller; on failure nothing is returned.
 */
#ifndef GMFETCH_MODPATH_H
#define GMFETCH_MODPATH_H

#include <stdbool.h>

#include "gmfetch/err.h"

/* module.CheckPath: a module path as it may appear in go.mod and on a proxy. */
enum gmf_err gmf_modpath_check(const char *path, struct gmf_diag *diag);
/* module.CheckImportPath: import paths (replacement targets are checked with this). */
enum gmf_err gmf_modpath_check_import(const char *path, struct gmf_diag *diag);
/* module.CheckFilePath: a slash-separated path of a file inside a module zip. */
enum gmf_err gmf_modpath_check_file(const char *fpath, struct gmf_diag *diag);
/* module.Check: path valid, version canonical semver matching the path's major suffix
 * (/vN, gopkg.in .vN, +incompatible). */
enum gmf_err gmf_modpath_check_version(const char *path, const char *version,
                                       struct gmf_diag *diag);

/* module.EscapePath / EscapeVersion: upper-case X becomes "!x".  EscapePath validates the
 * path first.  *ret is a fresh heap string. */
enum gmf_err gmf_modpath_escape_path(const char *path, char **ret, struct gmf_diag *diag);
enum gmf_err gmf_modpath_escape_version(const char *version, char **ret, struct gmf_diag *diag);
/* Inverse of the above; rejects upper case, non-ASCII and "!" not followed by a-z. */
enum gmf_err gmf_modpath_unescape(const char *escaped, char **ret, struct gmf_diag *diag);

/* module.MatchPrefixPatterns: globs is a comma-separated list of path.Match patterns, each
 * matched against the leading path elements of target (as many as the pattern has). */
bool gmf_modpath_match_patterns(const char *globs, const char *target);

/* path.Match (Go's), used by the above. Malformed patterns never match. */
bool gmf_modpath_glob_match(const char *pattern, const char *name);

/* semver package.  A valid version is "v" + MAJOR[.MINOR[.PATCH]][-pre][+build]. */
bool gmf_semver_is_valid(const char *v);
/* Canonical form ("v1.2" -> "v1.2.0", build metadata dropped except "+incompatible").
 * Returns NULL for invalid versions; caller frees. */
char *gmf_semver_canonical(const char *v);
/* -1, 0, +1 like semver.Compare; an invalid version sorts below every valid one and two
 * invalid versions compare equal. */
int gmf_semver_compare(const char *a, const char *b);
/* True for pseudo-versions (vX.Y.Z-yyyymmddhhmmss-abcdefabcdef forms). */
bool gmf_semver_is_pseudo(const char *v);

#endif
