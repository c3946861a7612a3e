/* plan: the module graph the go command loads, and the versions MVS selects.
 *
 * Mirrors cmd/go/internal/modload (buildlist.go readModGraph, modfile.go goModSummary) and
 * cmd/go/internal/mvs of go 1.19:
 *   - the main module requires its roots; a root's go.mod is always loaded;
 *   - a module whose go.mod says go >= 1.17 is "pruned": loading it records its requirements
 *     as graph edges but does not load them, unless it was reached through an unpruned path;
 *   - an unpruned module (go < 1.17 or no go line), and everything below a main module that
 *     is itself unpruned, has its whole requirement tree loaded;
 *   - the go.mod of m@v is read from its replacement (main module replace directives: a
 *     version-specific one wins over a path-wide one); a directory replacement is read from
 *     disk, a module replacement is downloaded;
 *   - requirements on versions the main module excludes are dropped;
 *   - the selected version of a path is the highest version any loaded go.mod (or the main
 *     module) requires.
 *
 * Pure: no I/O, no clock.  The caller fetches go.mod files.  Instead of go's fixed worker
 * queue the graph is loaded in waves: gmf_graph_take_needs() hands out every go.mod that is
 * known to be needed, the caller fetches them all concurrently and feeds each back with
 * gmf_graph_provide(), which may make more go.mod files needed.
 *
 * Calling sequence: gmf_graph_new(); loop { gmf_graph_take_needs(); fetch;
 * gmf_graph_provide() or gmf_graph_fail() per need } until no need is outstanding;
 * then query (gmf_graph_selected, gmf_graph_build_list, gmf_graph_loaded ...);
 * gmf_graph_free().  Strings returned point into the graph and live until free.
 */
#ifndef GMFETCH_PLAN_H
#define GMFETCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/err.h"
#include "gmfetch/gomod.h"

struct gmf_graph;

/* One go.mod the graph needs.  path@version is the graph node; the bytes come from
 * fetch_path@fetch_version on a proxy, or from dir/go.mod on disk when dir is not NULL. */
struct gmf_graph_need {
    const char *path, *version;
    const char *fetch_path, *fetch_version; /* NULL for a directory replacement */
    const char *dir;                        /* directory replacement, as written in go.mod */
};

/* main is the parsed main go.mod (GMF_GOMOD_MAIN); it must outlive the graph. */
struct gmf_graph *gmf_graph_new(const struct gmf_gomod *main);
void gmf_graph_free(struct gmf_graph *g);

/* Whether the main module's graph is pruned (go >= 1.17). */
bool gmf_graph_pruned(const struct gmf_graph *g);

/* Move the needs discovered since the last call into *ret (array owned by the graph, valid
 * until the next call).  Returns their number. */
size_t gmf_graph_take_needs(struct gmf_graph *g, const struct gmf_graph_need **ret);

/* Number of needs handed out and not yet provided or failed. */
size_t gmf_graph_outstanding(const struct gmf_graph *g);

/* Feed the go.mod bytes for node path@version.  Fails with go's message for a go.mod that
 * does not parse or declares another module path; the node is then marked failed. */
enum gmf_err gmf_graph_provide(struct gmf_graph *g, const char *path, const char *version,
                               const char *data, size_t len, struct gmf_diag *diag);
/* The go.mod of path@version could not be had; the node is marked failed. */
void gmf_graph_fail(struct gmf_graph *g, const char *path, const char *version);

/* The replacement for path@version: *ret_path and *ret_version point at the target (version ""
 * for a directory), or at path/version themselves when there is none. */
void gmf_graph_resolve(const struct gmf_graph *g, const char *path, const char *version,
                       const char **ret_path, const char **ret_version);

/* Selected version of path; "" for the main module, NULL when path is not in the graph. */
const char *gmf_graph_selected(const struct gmf_graph *g, const char *path);

/* The build list without the main module, sorted by path (mvs.BuildList order).  Array and
 * strings owned by the graph, valid until free. */
size_t gmf_graph_build_list(struct gmf_graph *g, const struct gmf_modver **ret);

/* Every node whose go.mod was loaded (in discovery order), i.e. "RequiredBy" nodes. */
size_t gmf_graph_loaded(struct gmf_graph *g, const struct gmf_modver **ret);

#endif
