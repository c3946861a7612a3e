/* Tests for plan: graph loading and MVS.
 *
 * The pruning cases are the graph of ../shared/reference/go-modules.md §7.1 [observed]:
 * stock go 1.19 with a go 1.17 main module requiring a (go 1.17: b, c), b // indirect
 * (go 1.16: d) and Mixed/v2 (go 1.16: hello) loaded the go.mod files of a, b, d, hello and
 * Mixed but not c (nor c's requirement e); with the main module at go 1.16 all of them were
 * loaded.  The same shapes are checked end to end against go in tests/integration. */
#include <criterion/criterion.h>
#include <string.h>

#include "gmfetch/gomod.h"
#include "gmfetch/plan.h"

struct fake_mod {
    const char *path, *version, *gomod;
};

static const struct fake_mod corpus[] = {
    {"example.com/a", "v1.0.0",
     "module example.com/a\n\ngo 1.17\n\nrequire (\n\texample.com/b v1.0.0\n"
     "\texample.com/c v1.0.0\n)\n"},
    {"example.com/b", "v1.0.0", "module example.com/b\n\ngo 1.16\n\nrequire example.com/d v1.0.0\n"},
    {"example.com/b", "v1.1.0", "module example.com/b\n\ngo 1.16\n"},
    {"example.com/c", "v1.0.0", "module example.com/c\n\ngo 1.17\n\nrequire example.com/e v1.0.0\n"},
    {"example.com/d", "v1.0.0", "module example.com/d\n\ngo 1.16\n"},
    {"example.com/e", "v1.0.0", "module example.com/e\n\ngo 1.17\n"},
    {"example.com/hello", "v1.0.0", "module example.com/hello\n\ngo 1.17\n"},
    {"github.com/Example/Mixed/v2", "v2.1.0-RC.1",
     "module github.com/Example/Mixed/v2\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n"},
    {"example.com/fork", "v0.1.0", "module example.com/fork\n\ngo 1.17\n"},
    {"example.com/old", "v1.0.0", "module example.com/old\n"},
};

static const char *lookup(const char *path, const char *version)
{
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
        if (!strcmp(corpus[i].path, path) && !strcmp(corpus[i].version, version))
            return corpus[i].gomod;
    return NULL;
}

/* Drive the graph to completion, answering needs in reverse order to show that the result
 * does not depend on arrival order.  Returns the number of go.mod files fetched. */
static size_t load(struct gmf_graph *g, const char *dirmod)
{
    size_t fetched = 0;
    const struct gmf_graph_need *needs;
    size_t n;

    for (int rounds = 0; rounds < 100 && (n = gmf_graph_take_needs(g, &needs)) > 0; rounds++) {
        struct gmf_graph_need copy[64];
        cr_assert_leq(n, 64);
        memcpy(copy, needs, n * sizeof(*copy));
        for (size_t i = n; i-- > 0;) {
            struct gmf_diag d;
            const char *text = copy[i].dir ? dirmod
                                           : lookup(copy[i].fetch_path, copy[i].fetch_version);
            cr_assert_not_null(text, "no go.mod for %s@%s", copy[i].path, copy[i].version);
            fetched++;
            gmf_diag_init(&d);
            cr_assert_eq(gmf_graph_provide(g, copy[i].path, copy[i].version, text, strlen(text),
                                           &d),
                         GMF_OK, "%s", d.msg);
        }
    }
    cr_assert_eq(gmf_graph_outstanding(g), 0);
    return fetched;
}

static bool loaded(struct gmf_graph *g, const char *path)
{
    const struct gmf_modver *l;
    size_t n = gmf_graph_loaded(g, &l);

    for (size_t i = 0; i < n; i++)
        if (!strcmp(l[i].path, path))
            return true;
    return false;
}

static void parse_main(struct gmf_gomod *m, const char *text)
{
    struct gmf_diag d;

    gmf_diag_init(&d);
    cr_assert_eq(gmf_gomod_parse(m, text, strlen(text), "go.mod", GMF_GOMOD_MAIN, &d), GMF_OK,
                 "%s", d.msg);
}

#define MAIN_REQS                                                                              \
    "require (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0 // indirect\n"                \
    "\tgithub.com/Example/Mixed/v2 v2.1.0-RC.1\n)\n"

Test(plan, pruned_main_loads_roots_and_unpruned_subtrees)
{
    struct gmf_gomod m;
    struct gmf_graph *g;

    parse_main(&m, "module example.com/main\n\ngo 1.17\n\n" MAIN_REQS);
    g = gmf_graph_new(&m);
    cr_assert(gmf_graph_pruned(g));
    load(g, NULL);
    cr_assert(loaded(g, "example.com/a"));
    cr_assert(loaded(g, "example.com/b"));
    cr_assert(loaded(g, "example.com/d"), "b is go 1.16: its requirements are loaded");
    cr_assert(loaded(g, "example.com/hello"));
    cr_assert(loaded(g, "github.com/Example/Mixed/v2"));
    cr_assert_not(loaded(g, "example.com/c"), "a is go 1.17: c is only an edge");
    cr_assert_not(loaded(g, "example.com/e"));
    /* c is still in the build list (an edge of a loaded module), e is not. */
    cr_assert_str_eq(gmf_graph_selected(g, "example.com/c"), "v1.0.0");
    cr_assert_null(gmf_graph_selected(g, "example.com/e"));
    cr_assert_str_eq(gmf_graph_selected(g, "example.com/main"), "");
    gmf_graph_free(g);
    gmf_gomod_release(&m);
}

Test(plan, unpruned_main_loads_everything)
{
    struct gmf_gomod m;
    struct gmf_graph *g;
    const struct gmf_modver *bl;
    size_t n;
    const char *want[] = {"example.com/a", "example.com/b", "example.com/c", "example.com/d",
                          "example.com/e", "example.com/hello", "github.com/Example/Mixed/v2"};

    parse_main(&m, "module example.com/main\n\ngo 1.16\n\n" MAIN_REQS);
    g = gmf_graph_new(&m);
    cr_assert_not(gmf_graph_pruned(g));
    load(g, NULL);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        cr_assert(loaded(g, want[i]), "%s not loaded", want[i]);
    n = gmf_graph_build_list(g, &bl);
    cr_assert_eq(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(bl[i].path, want[i], "build list sorted by path");
    gmf_graph_free(g);
    gmf_gomod_release(&m);
}

Test(plan, selects_highest_required_version)
{
    struct gmf_gomod m;
    struct gmf_graph *g;

    /* Main requires b v1.0.0; old (no go line: unpruned) is irrelevant; a second path to b
     * at v1.1.0 comes from the fork replacement below. */
    parse_main(&m, "module example.com/main\n\ngo 1.17\n\nrequire (\n"
                   "\texample.com/b v1.1.0\n\texample.com/a v1.0.0\n)\n");
    g = gmf_graph_new(&m);
    load(g, NULL);
    cr_assert_str_eq(gmf_graph_selected(g, "example.com/b"), "v1.1.0");
    cr_assert_not(loaded(g, "example.com/d"),
                  "b@v1.0.0 is only an edge of pruned a; b@v1.1.0 has no requirements");
    gmf_graph_free(g);
    gmf_gomod_release(&m);
}

Test(plan, replace_and_exclude)
{
    struct gmf_gomod m;
    struct gmf_graph *g;
    const char *rp, *rv;
    size_t fetched;

    parse_main(&m, "module example.com/main\n\ngo 1.16\n\n"
                   "require (\n\texample.com/a v1.0.0\n\texample.com/old v1.0.0\n"
                   "\texample.com/local v0.0.0\n)\n"
                   "replace example.com/old v1.0.0 => example.com/fork v0.1.0\n"
                   "replace example.com/local => ./local\n"
                   "exclude example.com/e v1.0.0\n");
    g = gmf_graph_new(&m);
    fetched = load(g, "module example.com/local\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n");
    gmf_graph_resolve(g, "example.com/old", "v1.0.0", &rp, &rv);
    cr_assert_str_eq(rp, "example.com/fork");
    cr_assert_str_eq(rv, "v0.1.0");
    gmf_graph_resolve(g, "example.com/local", "v0.0.0", &rp, &rv);
    cr_assert_str_eq(rp, "./local");
    cr_assert_str_eq(rv, "");
    cr_assert(loaded(g, "example.com/hello"), "directory replacement requirements join");
    cr_assert_null(gmf_graph_selected(g, "example.com/e"), "excluded version dropped");
    cr_assert(loaded(g, "example.com/c"));
    /* a, b, c, d, old(fork), local(dir), hello: 7 go.mod files, e excluded. */
    cr_assert_eq(fetched, 7);
    gmf_graph_free(g);
    gmf_gomod_release(&m);
}

Test(plan, module_path_mismatch_is_an_error)
{
    struct gmf_gomod m;
    struct gmf_graph *g;
    const struct gmf_graph_need *needs;
    struct gmf_diag d;
    const char *bad = "module example.com/other\n";

    parse_main(&m, "module example.com/main\n\ngo 1.17\n\nrequire example.com/a v1.0.0\n");
    g = gmf_graph_new(&m);
    cr_assert_eq(gmf_graph_take_needs(g, &needs), 1);
    gmf_diag_init(&d);
    cr_assert_eq(gmf_graph_provide(g, "example.com/a", "v1.0.0", bad, strlen(bad), &d),
                 GMF_EPARSE);
    cr_assert(strstr(d.msg, "module declares its path as: example.com/other"), "%s", d.msg);
    cr_assert_eq(gmf_graph_outstanding(g), 0);
    gmf_graph_free(g);
    gmf_gomod_release(&m);
}
