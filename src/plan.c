/* plan: module graph loading and MVS selection (see plan.h for the rules).
 *
 * Design.  Nodes are module versions keyed "path@version" in a small open-addressing hash
 * table.  go loads the graph with a work queue (readModGraph); here the same decisions are
 * made event by event:
 *
 *   enqueue(m, unpruned)   m is reachable; load its go.mod if nobody has asked yet.  An
 *                          unpruned enqueue is remembered once per node (go's
 *                          loadingUnpruned set) and means "expand m once it is loaded".
 *   provide(m)             m's go.mod arrived: record its requirements as edges (this is
 *                          where selected versions rise), then expand if it was enqueued
 *                          unpruned or its own go line is < 1.17.
 *   expand(m)              enqueue every requirement of m unpruned, once.
 *
 * Because expansions only ever enqueue unpruned and both flags are monotonic, the final
 * graph does not depend on the order in which go.mod files arrive: the same set of nodes is
 * loaded and the same maxima are selected as go's concurrent loader finds.
 */
#include "gmfetch/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"

struct node {
    char *path, *version;
    bool loading;            /* its go.mod was asked for */
    bool loaded, failed;
    bool unpruned_enqueued;  /* go's loadingUnpruned */
    bool expanded;
    bool summary_unpruned;   /* its go.mod has no go line or go < 1.17 */
    struct gmf_modver *req;  /* after the main module's excludes */
    size_t nreq;
};

struct selected {
    char *path;
    char *version; /* "" for the main module */
};

struct table {
    size_t *slots; /* index + 1 into the owner's array; 0 = empty */
    size_t nslots;
};

struct gmf_graph {
    const struct gmf_gomod *main;
    bool pruned;

    struct node *nodes;
    size_t nnodes, cap_nodes;
    struct table node_index;

    struct selected *sel;
    size_t nsel, cap_sel;
    struct table sel_index;

    size_t *queue; /* node indices waiting to be handed out */
    size_t nqueue, cap_queue;
    struct gmf_graph_need *needs; /* the last batch handed out */
    size_t cap_needs;
    size_t outstanding;

    struct gmf_modver *list; /* build_list / loaded results */
    size_t cap_list;
};

/* FNV-1a over "path@version"; good enough for a few thousand keys. */
static uint64_t hash_key(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull;

    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ull;
    h = (h ^ '@') * 1099511628211ull;
    for (; b && *b; b++)
        h = (h ^ (unsigned char)*b) * 1099511628211ull;
    return h;
}

static const char *node_key_path(const struct gmf_graph *g, size_t i)
{
    return g->nodes[i].path;
}

static const char *node_key_version(const struct gmf_graph *g, size_t i)
{
    return g->nodes[i].version;
}

static const char *sel_key_path(const struct gmf_graph *g, size_t i)
{
    return g->sel[i].path;
}

typedef const char *(*key_fn)(const struct gmf_graph *g, size_t i);

/* Find the slot for (a, b); returns a pointer to the slot (empty or matching). */
static size_t *table_slot(const struct gmf_graph *g, const struct table *t, key_fn ka,
                          key_fn kb, const char *a, const char *b)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)hash_key(a, b) & mask;

    for (;;) {
        size_t *s = &t->slots[i];
        if (!*s)
            return s;
        if (!strcmp(ka(g, *s - 1), a) && (!kb || !strcmp(kb(g, *s - 1), b)))
            return s;
        i = (i + 1) & mask;
    }
}

static void table_grow(struct gmf_graph *g, struct table *t, size_t count, key_fn ka, key_fn kb)
{
    struct table nt;

    if (t->nslots && count * 2 < t->nslots)
        return;
    nt.nslots = t->nslots ? t->nslots * 2 : 64;
    nt.slots = gmf_xcalloc(nt.nslots, sizeof(*nt.slots));
    for (size_t i = 0; i < count; i++)
        *table_slot(g, &nt, ka, kb, ka(g, i), kb ? kb(g, i) : NULL) = i + 1;
    free(t->slots);
    *t = nt;
}

static struct node *find_node(const struct gmf_graph *g, const char *path, const char *version)
{
    size_t *s;

    if (!g->node_index.nslots)
        return NULL;
    s = table_slot(g, &g->node_index, node_key_path, node_key_version, path, version);
    return *s ? &g->nodes[*s - 1] : NULL;
}

static size_t get_node(struct gmf_graph *g, const char *path, const char *version)
{
    struct node *n = find_node(g, path, version);
    struct node *nn;

    if (n)
        return (size_t)(n - g->nodes);
    GMF_GROW(g->nodes, g->cap_nodes, g->nnodes + 1);
    nn = &g->nodes[g->nnodes];
    memset(nn, 0, sizeof(*nn));
    nn->path = gmf_xstrdup(path);
    nn->version = gmf_xstrdup(version);
    g->nnodes++;
    table_grow(g, &g->node_index, g->nnodes, node_key_path, node_key_version);
    *table_slot(g, &g->node_index, node_key_path, node_key_version, path, version) = g->nnodes;
    return g->nnodes - 1;
}

static struct selected *find_sel(const struct gmf_graph *g, const char *path)
{
    size_t *s;

    if (!g->sel_index.nslots)
        return NULL;
    s = table_slot(g, &g->sel_index, sel_key_path, NULL, path, NULL);
    return *s ? &g->sel[*s - 1] : NULL;
}

/* go's cmpVersion: the main module's version "" is above every real version. */
static int cmp_version(const char *a, const char *b)
{
    if (!*b)
        return *a ? -1 : 0;
    if (!*a)
        return 1;
    return gmf_semver_compare(a, b);
}

/* mvs.Graph.Require for one edge. */
static void require_edge(struct gmf_graph *g, const char *path, const char *version)
{
    struct selected *s = find_sel(g, path);

    if (s) {
        if (cmp_version(s->version, version) < 0) {
            free(s->version);
            s->version = gmf_xstrdup(version);
        }
        return;
    }
    GMF_GROW(g->sel, g->cap_sel, g->nsel + 1);
    g->sel[g->nsel].path = gmf_xstrdup(path);
    g->sel[g->nsel].version = gmf_xstrdup(version);
    g->nsel++;
    table_grow(g, &g->sel_index, g->nsel, sel_key_path, NULL);
    *table_slot(g, &g->sel_index, sel_key_path, NULL, path, NULL) = g->nsel;
}

void gmf_graph_resolve(const struct gmf_graph *g, const char *path, const char *version,
                       const char **ret_path, const char **ret_version)
{
    const struct gmf_replace *r = gmf_gomod_find_replace(g->main, path, version);

    if (r) {
        *ret_path = r->new_path;
        *ret_version = r->new_version;
    } else {
        *ret_path = path;
        *ret_version = version;
    }
}

static bool excluded(const struct gmf_graph *g, const char *path, const char *version)
{
    for (size_t i = 0; i < g->main->nexclude; i++)
        if (!strcmp(g->main->exclude[i].path, path) &&
            !strcmp(g->main->exclude[i].version, version))
            return true;
    return false;
}

static void expand(struct gmf_graph *g, size_t ni);

static void enqueue(struct gmf_graph *g, const char *path, const char *version, bool unpruned)
{
    size_t ni;
    struct node *n;

    if (!strcmp(version, "none"))
        return;
    /* The main module is never loaded as a dependency: its requirements are the roots. */
    if (g->main->module && !strcmp(path, g->main->module))
        return;
    ni = get_node(g, path, version);
    n = &g->nodes[ni];
    if (unpruned) {
        if (n->unpruned_enqueued)
            return;
        n->unpruned_enqueued = true;
    }
    if (n->failed)
        return;
    if (n->loaded) {
        if (unpruned || n->summary_unpruned)
            expand(g, ni);
        return;
    }
    if (!n->loading) {
        n->loading = true;
        GMF_GROW(g->queue, g->cap_queue, g->nqueue + 1);
        g->queue[g->nqueue++] = ni;
    }
}

static void expand(struct gmf_graph *g, size_t ni)
{
    if (g->nodes[ni].expanded)
        return;
    g->nodes[ni].expanded = true;
    /* enqueue() may grow g->nodes, so index afresh on every iteration. */
    for (size_t i = 0; i < g->nodes[ni].nreq; i++)
        enqueue(g, g->nodes[ni].req[i].path, g->nodes[ni].req[i].version, true);
}

static bool go_unpruned(const char *go)
{
    return !*go || gmf_gomod_compare_go(go, "1.17") < 0;
}

struct gmf_graph *gmf_graph_new(const struct gmf_gomod *main)
{
    struct gmf_graph *g = gmf_xcalloc(1, sizeof(*g));

    g->main = main;
    g->pruned = !go_unpruned(main->go ? main->go : "");
    require_edge(g, main->module ? main->module : "", "");
    for (size_t i = 0; i < main->nrequire; i++)
        require_edge(g, main->require[i].path, main->require[i].version);
    for (size_t i = 0; i < main->nrequire; i++)
        enqueue(g, main->require[i].path, main->require[i].version, !g->pruned);
    return g;
}

void gmf_graph_free(struct gmf_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nnodes; i++) {
        free(g->nodes[i].path);
        free(g->nodes[i].version);
        for (size_t j = 0; j < g->nodes[i].nreq; j++) {
            free((char *)g->nodes[i].req[j].path);
            free((char *)g->nodes[i].req[j].version);
        }
        free(g->nodes[i].req);
    }
    free(g->nodes);
    free(g->node_index.slots);
    for (size_t i = 0; i < g->nsel; i++) {
        free(g->sel[i].path);
        free(g->sel[i].version);
    }
    free(g->sel);
    free(g->sel_index.slots);
    free(g->queue);
    free(g->needs);
    free(g->list);
    free(g);
}

bool gmf_graph_pruned(const struct gmf_graph *g)
{
    return g->pruned;
}

size_t gmf_graph_take_needs(struct gmf_graph *g, const struct gmf_graph_need **ret)
{
    size_t n = g->nqueue;

    GMF_GROW(g->needs, g->cap_needs, n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct node *nd = &g->nodes[g->queue[i]];
        struct gmf_graph_need *need = &g->needs[i];
        const char *rp, *rv;

        gmf_graph_resolve(g, nd->path, nd->version, &rp, &rv);
        need->path = nd->path;
        need->version = nd->version;
        if (*rv) {
            need->fetch_path = rp;
            need->fetch_version = rv;
            need->dir = NULL;
        } else {
            need->fetch_path = NULL;
            need->fetch_version = NULL;
            need->dir = rp;
        }
    }
    g->nqueue = 0;
    g->outstanding += n;
    *ret = g->needs;
    return n;
}

size_t gmf_graph_outstanding(const struct gmf_graph *g)
{
    return g->outstanding + g->nqueue;
}

enum gmf_err gmf_graph_provide(struct gmf_graph *g, const char *path, const char *version,
                               const char *data, size_t len, struct gmf_diag *diag)
{
    struct node *n = find_node(g, path, version);
    struct gmf_gomod mf;
    const char *rp, *rv;
    enum gmf_err r;
    size_t ni;

    if (!n || !n->loading || n->loaded || n->failed)
        return gmf_diag_set(diag, GMF_EINVAL, "%s@%s: go.mod was not asked for", path, version);
    ni = (size_t)(n - g->nodes);
    g->outstanding--;
    gmf_graph_resolve(g, path, version, &rp, &rv);
    r = gmf_gomod_parse(&mf, data, len, "go.mod", 0, diag);
    if (r) {
        n->failed = true;
        if (*rv)
            return gmf_diag_prefix(diag, "%s@%s: parsing go.mod", rp, rv);
        return gmf_diag_prefix(diag, "%s: parsing %s/go.mod", rp, rp);
    }
    /* goModSummary's identity checks apply to downloaded go.mod files only. */
    if (*rv && !*mf.module) {
        n->failed = true;
        gmf_gomod_release(&mf);
        return gmf_diag_set(diag, GMF_EPARSE, "%s@%s: parsing go.mod: missing module line", rp,
                            rv);
    }
    if (*rv && strcmp(mf.module, path) != 0 && strcmp(mf.module, rp) != 0) {
        r = gmf_diag_set(diag, GMF_EPARSE,
                         "%s@%s: parsing go.mod:\n\tmodule declares its path as: %s\n"
                         "\t        but was required as: %s",
                         rp, rv, mf.module, path);
        n->failed = true;
        gmf_gomod_release(&mf);
        return r;
    }
    n->summary_unpruned = go_unpruned(mf.go);
    n->req = gmf_xcalloc(mf.nrequire + 1, sizeof(*n->req));
    for (size_t i = 0; i < mf.nrequire; i++) {
        if (excluded(g, mf.require[i].path, mf.require[i].version))
            continue;
        n->req[n->nreq].path = gmf_xstrdup(mf.require[i].path);
        n->req[n->nreq].version = gmf_xstrdup(mf.require[i].version);
        n->nreq++;
    }
    gmf_gomod_release(&mf);
    n->loaded = true;
    for (size_t i = 0; i < g->nodes[ni].nreq; i++)
        require_edge(g, g->nodes[ni].req[i].path, g->nodes[ni].req[i].version);
    if (g->nodes[ni].unpruned_enqueued || g->nodes[ni].summary_unpruned)
        expand(g, ni);
    return GMF_OK;
}

void gmf_graph_fail(struct gmf_graph *g, const char *path, const char *version)
{
    struct node *n = find_node(g, path, version);

    if (!n || !n->loading || n->loaded || n->failed)
        return;
    g->outstanding--;
    n->failed = true;
}

const char *gmf_graph_selected(const struct gmf_graph *g, const char *path)
{
    const struct selected *s = find_sel(g, path);

    return s ? s->version : NULL;
}

static int cmp_modver_path(const void *a, const void *b)
{
    return strcmp(((const struct gmf_modver *)a)->path, ((const struct gmf_modver *)b)->path);
}

size_t gmf_graph_build_list(struct gmf_graph *g, const struct gmf_modver **ret)
{
    size_t n = 0;

    GMF_GROW(g->list, g->cap_list, g->nsel + 1);
    for (size_t i = 0; i < g->nsel; i++) {
        if (!*g->sel[i].version)
            continue; /* the main module */
        g->list[n].path = g->sel[i].path;
        g->list[n].version = g->sel[i].version;
        n++;
    }
    qsort(g->list, n, sizeof(*g->list), cmp_modver_path);
    *ret = g->list;
    return n;
}

size_t gmf_graph_loaded(struct gmf_graph *g, const struct gmf_modver **ret)
{
    size_t n = 0;

    GMF_GROW(g->list, g->cap_list, g->nnodes + 1);
    for (size_t i = 0; i < g->nnodes; i++) {
        if (!g->nodes[i].loaded)
            continue;
        g->list[n].path = g->nodes[i].path;
        g->list[n].version = g->nodes[i].version;
        n++;
    }
    *ret = g->list;
    return n;
}
