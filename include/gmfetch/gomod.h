/* gomod: go.mod text to records, as golang.org/x/mod/modfile parses it.
 *
 * Calling sequence: gmf_gomod_parse() fills a struct gmf_gomod whose strings live in the
 * struct's own arena; gmf_gomod_release() frees everything and zeroes the struct.  The
 * parser never opens files (take the bytes and a display name) so it can be fuzzed.
 *
 * Two modes, as go has: GMF_GOMOD_MAIN is strict (the main module: every directive is
 * checked, replace/exclude are kept, unknown directives are errors), the default lax mode
 * is for dependency go.mod files (only module, go, require, retract are read; unknown
 * directives and replace/exclude are ignored; non-canonical but valid semver such as "v1.2"
 * is canonicalised; other bad versions are errors).
 *
 * Details, all as modern golang.org/x/mod/modfile: main mode also accepts toolchain,
 * godebug, tool and ignore (checked for syntax; only toolchain is kept).  In main mode a
 * version that is valid but not canonical ("v1.2") is an error, GMF_EUNSUPPORTED rather
 * than GMF_EPARSE, since go would resolve it with a network query ("v1.2" means the newest
 * v1.2.x) and rewrite go.mod: the caller hands such a module to go; retract
 * versions are checked against the module path.  In lax mode retract bounds are kept as
 * written and malformed intervals are skipped.  A quoted string holding a NUL byte is an
 * error (go would accept it here and reject the path later).
 *
 * Error handling: on failure (GMF_EPARSE) diag holds go's text, "<name>:<line>: <reason>"
 * (e.g. `go.mod:3: usage: require module/path v1.2.3`), with ":<column>" added when the
 * statement does not start its line, and one line per problem like modfile.ErrorList (a
 * syntax error stops at the first); *ret is left zeroed.
 */
#ifndef GMFETCH_GOMOD_H
#define GMFETCH_GOMOD_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/err.h"

struct gmf_modver {
    const char *path;
    const char *version; /* canonical; "" where none applies */
};

struct gmf_require {
    const char *path;
    const char *version;
    bool indirect; /* "// indirect" comment */
};

struct gmf_replace {
    const char *old_path;
    const char *old_version; /* "" = every version of old_path */
    const char *new_path;    /* module path, or a directory (new_version "") */
    const char *new_version; /* "" for a directory replacement */
};

struct gmf_retract {
    const char *low;  /* canonical in main mode, as written in lax mode */
    const char *high; /* equal to low for a single version */
};

struct gmf_gomod {
    const char *module; /* "" when absent */
    const char *go;     /* "" when absent; as written ("1.17", "1.21.0") */
    const char *toolchain; /* "" when absent, always "" in lax mode */
    bool deprecated;       /* a non-empty "Deprecated:" paragraph on the module directive */

    struct gmf_require *require;
    size_t nrequire;
    struct gmf_modver *exclude;
    size_t nexclude;
    struct gmf_replace *replace;
    size_t nreplace;
    struct gmf_retract *retract;
    size_t nretract;

    void *arena_; /* private */
};

enum gmf_gomod_flags {
    GMF_GOMOD_MAIN = 1u << 0,
};

enum gmf_err gmf_gomod_parse(struct gmf_gomod *ret, const char *data, size_t len,
                             const char *name, unsigned flags, struct gmf_diag *diag);
void gmf_gomod_release(struct gmf_gomod *m);

/* The main module's replacement for path@version: a version-specific directive wins over
 * a path-wide one (modload.Replacement); NULL when there is none. */
const struct gmf_replace *gmf_gomod_find_replace(const struct gmf_gomod *m, const char *path,
                                                 const char *version);

/* True when new_path of a replacement is a directory (starts with ./ ../ / or a Windows
 * drive or backslash form), per modfile.IsDirectoryPath. */
bool gmf_gomod_is_dir_path(const char *p);

/* Compare "go" directive versions ("1.16" < "1.17" < "1.21.0"); "" sorts lowest.
 * Returns <0, 0, >0. */
int gmf_gomod_compare_go(const char *a, const char *b);

#endif
