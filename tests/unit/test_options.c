#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmfetch/fsutil.h"
#include "gmfetch/options.h"
#include "gmfetch/xalloc.h"

/* Provenance: go's flag package (go 1.19 src/flag/flag.go parseOne, failf) for the flag
 * syntax and its messages: "flag provided but not defined: -%s", "flag needs an argument:
 * -%s", "invalid boolean value %q for -%s: ...", "invalid value %q for flag -%s: ...",
 * "bad flag syntax: %s", parsing stops at the first non-flag and after "--"; strconv
 * ParseBool (src/strconv/atob.go) for the accepted boolean words.  Defaults come from
 * gmf_transfer_opts_default() itself.  The layer order and the config/env messages are
 * gmfetch's own contract (options.h); positions in YAML texts are counted by hand. */

static struct gmf_options o;
static struct gmf_diag diag;
static char tmpdir[64];

static void setup(void)
{
    gmf_options_init(&o);
    gmf_diag_init(&diag);
    (void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/gmf-options-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    gmf_options_release(&o);
    (void)gmf_fs_remove_all(tmpdir, NULL);
}

TestSuite(options, .init = setup, .fini = teardown);

/* argv from a NULL-terminated list (the strings are literals, argv itself is static). */
static char *argv_buf[32];

static enum gmf_err parse_list(const char *const *args)
{
    int argc = 0;

    argv_buf[argc++] = (char *)"gmfetch";
    for (; *args; args++)
        argv_buf[argc++] = (char *)*args;
    argv_buf[argc] = NULL;
    return gmf_options_parse(&o, argc, argv_buf, &diag);
}

#define PARSE(...) parse_list((const char *const[]){__VA_ARGS__, NULL})

/* A fake environment: name=value pairs. */
struct kv {
    const char *k, *v;
};

static const char *fake_getenv(const char *name, void *ctx)
{
    for (const struct kv *e = ctx; e && e->k; e++)
        if (!strcmp(e->k, name))
            return e->v;
    return NULL;
}

static char *write_tmp(const char *rel, const char *text)
{
    char *p = gmf_xasprintf("%s/%s", tmpdir, rel);
    char *dir = gmf_xstrdup(p);

    *strrchr(dir, '/') = '\0';
    cr_assert_eq(gmf_fs_mkdir_p(dir, 0777, NULL), GMF_OK);
    cr_assert_eq(gmf_fs_write_atomic(p, text, strlen(text), NULL), GMF_OK);
    free(dir);
    return p;
}

/* ---- the command line ------------------------------------------------------------------ */

Test(options, defaults)
{
    struct gmf_transfer_opts d;

    gmf_transfer_opts_default(&d);
    cr_assert_eq(PARSE("all"), GMF_OK);
    cr_assert_eq(o.run.transfer.max_total, d.max_total);
    cr_assert_eq(o.run.transfer.shard_size, d.shard_size);
    cr_assert_eq(o.progress, GMF_PROGRESS_AUTO);
    cr_assert_not(o.quiet || o.verbose || o.run.dry_run || o.run.json || o.run.trace);
    cr_assert_null(o.metrics_file);
    cr_assert_null(o.config_file);
    cr_assert_eq(o.nargs, 1);
    cr_assert_str_eq(o.args[0], "all");
}

Test(options, go_flags_in_both_dash_forms)
{
    cr_assert_eq(PARSE("-json", "--x", "-C", "dir", "--modcacherw"), GMF_OK, "%s", diag.msg);
    cr_assert(o.run.json && o.run.trace && o.run.modcacherw);
    cr_assert_str_eq(o.run.dir, "dir");
    cr_assert_eq(o.nargs, 0);
}

Test(options, values_with_equals_or_as_next_argument)
{
    cr_assert_eq(PARSE("--jobs=12", "-connections", "3", "--shard-size", "2M",
                       "-shard-threshold=1k", "--retries=0", "--timeout", "9", "--workers=0",
                       "--probe=head", "--http1.1", "m@v1.0.0"),
                 GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.max_total, 12);
    cr_assert_eq(o.run.transfer.max_per_host, 3);
    cr_assert_eq(o.run.transfer.shard_size, 2u << 20);
    cr_assert_eq(o.run.transfer.shard_threshold, 1024);
    cr_assert_eq(o.run.transfer.retries, 0);
    cr_assert_eq(o.run.transfer.stall_timeout_s, 9);
    cr_assert_eq(o.run.workers, 0);
    cr_assert_eq(o.run.transfer.probe, GMF_PROBE_HEAD);
    cr_assert(o.run.transfer.http1_only);
    cr_assert_eq(o.nargs, 1);
}

Test(options, new_flags)
{
    cr_assert_eq(PARSE("--dry-run", "--config", "c.yaml", "--metrics-file=m.prom",
                       "--progress", "plain", "-q"),
                 GMF_OK, "%s", diag.msg);
    cr_assert(o.run.dry_run);
    cr_assert_str_eq(o.config_file, "c.yaml");
    cr_assert_str_eq(o.metrics_file, "m.prom");
    cr_assert_eq(o.progress, GMF_PROGRESS_PLAIN);
    cr_assert(o.quiet);
}

Test(options, short_forms)
{
    cr_assert_eq(PARSE("-j", "5", "-n", "-v", "-h"), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.max_total, 5);
    cr_assert(o.run.dry_run && o.verbose && o.help);
}

Test(options, progress_words)
{
    static const struct {
        const char *word;
        enum gmf_progress_mode mode;
    } words[] = {{"auto", GMF_PROGRESS_AUTO}, {"bar", GMF_PROGRESS_BAR},
                 {"plain", GMF_PROGRESS_PLAIN}, {"none", GMF_PROGRESS_NONE}};

    for (size_t i = 0; i < 4; i++) {
        char *arg = gmf_xasprintf("--progress=%s", words[i].word);
        gmf_options_release(&o);
        gmf_options_init(&o);
        cr_assert_eq(PARSE(arg), GMF_OK, "%s", diag.msg);
        cr_assert_eq(o.progress, words[i].mode, "%s", arg);
        free(arg);
    }
}

Test(options, booleans_take_parsebool_words)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

    for (size_t i = 0; i < 6; i++) {
        char *a = gmf_xasprintf("-x=%s", yes[i]);
        char *b = gmf_xasprintf("--http1.1=%s", no[i]);
        gmf_options_release(&o);
        gmf_options_init(&o);
        cr_assert_eq(PARSE("--http1.1", a, b), GMF_OK, "%s", diag.msg);
        cr_assert(o.run.trace, "%s", a);
        cr_assert_not(o.run.transfer.http1_only, "%s", b);
        free(a);
        free(b);
    }
}

Test(options, quiet_and_verbose_last_one_wins)
{
    cr_assert_eq(PARSE("-q", "-v"), GMF_OK);
    cr_assert(o.verbose && !o.quiet);
    gmf_options_release(&o);
    gmf_options_init(&o);
    cr_assert_eq(PARSE("--verbose", "--quiet"), GMF_OK);
    cr_assert(o.quiet && !o.verbose);
    gmf_options_release(&o);
    gmf_options_init(&o);
    cr_assert_eq(PARSE("--quiet", "--quiet=false"), GMF_OK);
    cr_assert(!o.quiet && !o.verbose);
}

Test(options, stops_at_first_argument_and_after_dashdash)
{
    cr_assert_eq(PARSE("-x", "all", "-json"), GMF_OK);
    cr_assert(o.run.trace);
    cr_assert_not(o.run.json, "flags after the first argument are arguments");
    cr_assert_eq(o.nargs, 2);
    cr_assert_str_eq(o.args[1], "-json");
    gmf_options_release(&o);
    gmf_options_init(&o);
    cr_assert_eq(PARSE("--", "-x"), GMF_OK);
    cr_assert_not(o.run.trace);
    cr_assert_eq(o.nargs, 1);
    cr_assert(o.dashdash);
}

struct bad {
    const char *args[4];
    const char *msg;
};

/* Tables are walked in one Test each: Criterion's parameterized tests run in separate
 * processes and would need every string copied into cr_malloc'ed memory. */
Test(options, usage_errors)
{
    static const struct bad cases[] = {
        {{"-nope"}, "flag provided but not defined: -nope"},
        {{"--jobz=3"}, "flag provided but not defined: -jobz"},
        {{"--jo", "3"}, "flag provided but not defined: -jo"}, /* no abbreviations */
        {{"---x"}, "bad flag syntax: ---x"},
        {{"-=x"}, "bad flag syntax: -=x"},
        {{"--jobs"}, "flag needs an argument: -jobs"},
        {{"-x=maybe"}, "invalid boolean value \"maybe\" for -x: want true or false"},
        {{"--jobs", "x"}, "invalid value \"x\" for flag -jobs: want a number"},
        {{"--jobs", "0"}, "invalid value \"0\" for flag -jobs: must be at least 1"},
        {{"--jobs", "-3"}, "invalid value \"-3\" for flag -jobs: want a number"},
        {{"--jobs", " 3"}, "invalid value \" 3\" for flag -jobs: want a number"},
        {{"--jobs", "100001"}, "invalid value \"100001\" for flag -jobs: must be at most 100000"},
        {{"--shard-size", "1T"},
         "invalid value \"1T\" for flag -shard-size: want a number of bytes, with an optional "
         "K, M or G"},
        {{"--shard-size", "0"}, "invalid value \"0\" for flag -shard-size: must be at least 1"},
        {{"--shard-size", "99999999999G"},
         "invalid value \"99999999999G\" for flag -shard-size: want a number of bytes, with an "
         "optional K, M or G"},
        {{"--timeout=0"}, "invalid value \"0\" for flag -timeout: must be at least 1"},
        {{"--probe", "get"}, "invalid value \"get\" for flag -probe: want head or range"},
        {{"--progress", "fancy"},
         "invalid value \"fancy\" for flag -progress: want auto, bar, plain or none"},
        {{"--generate=ksh"},
         "invalid value \"ksh\" for flag -generate: want bash, zsh, fish or man"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad *b = &cases[i];
        const char *args[5] = {b->args[0], b->args[1], b->args[2], b->args[3], NULL};

        gmf_options_release(&o);
        gmf_options_init(&o);
        cr_expect_eq(parse_list(args), GMF_EUSAGE, "accepted %s", b->args[0]);
        cr_expect_str_eq(diag.msg, b->msg);
    }
}

Test(options, go_args_keep_only_go_flags)
{
    char *ret[32];
    size_t n;

    cr_assert_eq(PARSE("--jobs", "8", "-x", "--progress=bar", "-modfile", "go.alt.mod", "-json",
                       "-q", "--metrics-file", "m", "--", "-a", "b"),
                 GMF_OK, "%s", diag.msg);
    n = gmf_options_go_args(&o, argv_buf, ret);
    cr_assert_eq(n, 7);
    cr_assert_str_eq(ret[0], "-x");
    cr_assert_str_eq(ret[1], "-modfile");
    cr_assert_str_eq(ret[2], "go.alt.mod");
    cr_assert_str_eq(ret[3], "-json");
    cr_assert_str_eq(ret[4], "--");
    cr_assert_str_eq(ret[5], "-a");
    cr_assert_str_eq(ret[6], "b");
    cr_assert(o.delegate_only);
}

/* ---- layers: config file < environment < command line ------------------------------------ */

/* Load with a config file holding cfg (NULL: none), the environment env (plus HOME and
 * XDG_CONFIG_HOME pointing into tmpdir) and the command line args. */
static enum gmf_err load(const char *cfg, const struct kv *env, const char *const *args)
{
    struct kv all[16];
    size_t n = 0;
    char *xdg = gmf_xasprintf("%s/xdg", tmpdir);

    if (cfg)
        free(write_tmp("xdg/gmfetch/config.yaml", cfg));
    for (; env && env->k; env++)
        all[n++] = *env;
    all[n++] = (struct kv){"XDG_CONFIG_HOME", xdg};
    all[n++] = (struct kv){"HOME", "/nonexistent"};
    all[n] = (struct kv){NULL, NULL};
    cr_assert_eq(parse_list(args), GMF_OK, "%s", diag.msg);
    enum gmf_err e = gmf_options_load(&o, fake_getenv, all, &diag);
    free(xdg);
    return e;
}

static const char *const no_args[] = {NULL};

Test(options, precedence_of_the_four_layers)
{
    struct transfer_case {
        const char *cfg;
        struct kv env[2];
        const char *args[3];
        unsigned want;
    } cases[] = {
        {NULL, {{NULL, NULL}}, {NULL}, 64},                       /* default */
        {"jobs: 10\n", {{NULL, NULL}}, {NULL}, 10},               /* config > default */
        {"jobs: 10\n", {{"GMFETCH_JOBS", "20"}, {NULL, NULL}}, {NULL}, 20}, /* env > config */
        {"jobs: 10\n", {{"GMFETCH_JOBS", "20"}, {NULL, NULL}}, {"-j", "30", NULL}, 30},
        {NULL, {{NULL, NULL}}, {"-j", "30", NULL}, 30},
        {NULL, {{"GMFETCH_JOBS", "20"}, {NULL, NULL}}, {NULL}, 20},
    };
    struct gmf_transfer_opts d;

    gmf_transfer_opts_default(&d);
    cr_assert_eq(d.max_total, 64, "the table above assumes the default of 64");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *p = gmf_xasprintf("%s/xdg/gmfetch/config.yaml", tmpdir);
        (void)unlink(p);
        free(p);
        gmf_options_release(&o);
        gmf_options_init(&o);
        cr_assert_eq(load(cases[i].cfg, cases[i].env, cases[i].args), GMF_OK, "case %zu: %s", i,
                     diag.msg);
        cr_assert_eq(o.run.transfer.max_total, cases[i].want, "case %zu", i);
    }
}

Test(options, every_type_through_every_layer)
{
    static const struct kv env[] = {
        {"GMFETCH_HTTP1_1", "true"},  {"GMFETCH_PROGRESS", "bar"}, {"GMFETCH_SHARD_SIZE", "3M"},
        {"GMFETCH_METRICS_FILE", "/e.prom"}, {"GMFETCH_X", "1"},   {NULL, NULL},
    };
    static const char *const args[] = {"--progress=none", "-x=false", NULL};

    cr_assert_eq(load("http1.1: false\nprogress: plain\nshard-size: 1M\nshard-threshold: 2M\n"
                      "metrics-file: /c.prom\nverbose: true\nprobe: head\nworkers: 7\n"
                      "modcacherw: true\njson: true\n",
                      env, args),
                 GMF_OK, "%s", diag.msg);
    cr_assert(o.run.transfer.http1_only, "env true beats config false");
    cr_assert_eq(o.progress, GMF_PROGRESS_NONE, "flag beats env and config");
    cr_assert_eq(o.run.transfer.shard_size, 3u << 20);
    cr_assert_eq(o.run.transfer.shard_threshold, 2u << 20, "config beats default");
    cr_assert_str_eq(o.metrics_file, "/e.prom");
    cr_assert_not(o.run.trace, "-x=false beats GMFETCH_X=1");
    cr_assert(o.verbose);
    cr_assert_eq(o.run.transfer.probe, GMF_PROBE_HEAD);
    cr_assert_eq(o.run.workers, 7);
    cr_assert(o.run.modcacherw && o.run.json);
    cr_assert_not_null(o.config_used);
}

Test(options, flag_quiet_beats_config_verbose)
{
    static const char *const args[] = {"-q", NULL};

    cr_assert_eq(load("verbose: true\n", NULL, args), GMF_OK, "%s", diag.msg);
    cr_assert(o.quiet && !o.verbose);
}

Test(options, environment_errors_name_the_variable)
{
    static const struct kv env[] = {{"GMFETCH_JOBS", "lots"}, {NULL, NULL}};

    cr_assert_eq(load(NULL, env, no_args), GMF_EUSAGE);
    cr_assert_str_eq(diag.msg, "invalid value \"lots\" for GMFETCH_JOBS: want a number");
}

Test(options, unrelated_gmfetch_variables_are_ignored)
{
    static const struct kv env[] = {{"GMFETCH_BIN", "/x"}, {"GMFETCH_DRY_RUN", "1"},
                                    {"GMFETCH_C", "/"}, {NULL, NULL}};

    cr_assert_eq(load(NULL, env, no_args), GMF_OK, "%s", diag.msg);
    cr_assert_not(o.run.dry_run, "--dry-run is not settable from the environment");
    cr_assert_null(o.run.dir);
}

struct cfgbad {
    const char *text, *msg; /* msg after "<path>:" */
};

Test(options, config_errors)
{
    static const struct cfgbad cases[] = {
        {"jobs: 8\njobz: 3\n", "2:1: unknown option \"jobz\""},
        {"j: 8\n", "1:1: unknown option \"j\""},
        {"dry-run: true\n", "1:1: option \"dry-run\" cannot be set in a config file"},
        {"config: x.yaml\n", "1:1: option \"config\" cannot be set in a config file"},
        {"C: /tmp\n", "1:1: option \"C\" cannot be set in a config file"},
        {"jobs:\n", "1:6: missing value for jobs"},
        {"jobs: ~\n", "1:7: missing value for jobs"},
        {"jobs: [1]\n", "1:7: invalid value for jobs: want a number, got a sequence"},
        {"quiet:\n  a: 1\n", "2:3: invalid value for quiet: want true or false, got a mapping"},
        {"jobs: \"8\"\n", "1:7: invalid value for jobs: want a number, got a quoted string"},
        {"http1.1: 'true'\n",
         "1:10: invalid value for http1.1: want true or false, got a quoted string"},
        {"\n\n  jobs: many\n", "3:9: invalid value \"many\" for jobs: want a number"},
        {"quiet: yes\n", "1:8: invalid value \"yes\" for quiet: want true or false"},
        {"shard-size: 0\n", "1:13: invalid value \"0\" for shard-size: must be at least 1"},
        {"progress: loud\n",
         "1:11: invalid value \"loud\" for progress: want auto, bar, plain or none"},
        {"jobs: 1\njobs: 2\n", "2:1: duplicate option \"jobs\" (first set at line 1)"},
        {"- jobs: 1\n", "1:1: want a mapping of option names to values, got a sequence"},
        {"jobs 8\n", "1:1: want a mapping of option names to values, got a scalar"},
        {"jobs: 8\n retries: 2\n", "2:9: mapping values are not allowed in this context"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct cfgbad *b = &cases[i];
        char *want = gmf_xasprintf("%s/xdg/gmfetch/config.yaml:%s", tmpdir, b->msg);

        gmf_options_release(&o);
        gmf_options_init(&o);
        cr_expect_eq(load(b->text, NULL, no_args), GMF_EUSAGE, "accepted %s", b->text);
        cr_expect_str_eq(diag.msg, want);
        cr_expect_eq(o.run.transfer.max_total, 64, "a failed load leaves the defaults");
        cr_expect_null(o.config_used);
        free(want);
    }
}

Test(options, config_error_keeps_the_command_line)
{
    static const char *const args[] = {"-j", "3", NULL};

    cr_assert_eq(load("jobs: nine\n", NULL, args), GMF_EUSAGE);
    cr_assert_eq(o.run.transfer.max_total, 3);
}

Test(options, bad_config_is_an_error_even_when_flags_override_it)
{
    static const char *const args[] = {"-j", "3", NULL};

    cr_assert_eq(load("jobs: nine\n", NULL, args), GMF_EUSAGE);
}

/* ---- where the config file is ----------------------------------------------------------- */

Test(options, home_config_when_xdg_is_unset)
{
    char *home = gmf_xasprintf("%s/home", tmpdir);
    struct kv env[] = {{"HOME", home}, {NULL, NULL}};
    char *path = write_tmp("home/.config/gmfetch/config.yaml", "retries: 9\n");

    cr_assert_eq(PARSE("all"), GMF_OK);
    cr_assert_eq(gmf_options_load(&o, fake_getenv, env, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.retries, 9);
    cr_assert_str_eq(o.config_used, path);
    free(path);
    free(home);
}

Test(options, relative_xdg_is_ignored)
{
    char *home = gmf_xasprintf("%s/home", tmpdir);
    struct kv env[] = {{"HOME", home}, {"XDG_CONFIG_HOME", "rel"}, {NULL, NULL}};

    free(write_tmp("home/.config/gmfetch/config.yaml", "retries: 9\n"));
    cr_assert_eq(PARSE("all"), GMF_OK);
    cr_assert_eq(gmf_options_load(&o, fake_getenv, env, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.retries, 9);
    free(home);
}

Test(options, missing_default_config_is_fine)
{
    cr_assert_eq(load(NULL, NULL, no_args), GMF_OK, "%s", diag.msg);
    cr_assert_null(o.config_used);
}

Test(options, unreadable_default_config_is_an_error)
{
    char *p = gmf_xasprintf("%s/xdg/gmfetch/config.yaml", tmpdir);

    cr_assert_eq(gmf_fs_mkdir_p(p, 0777, NULL), GMF_OK); /* a directory where the file goes */
    cr_assert_eq(load(NULL, NULL, no_args), GMF_EUSAGE);
    cr_assert(!strncmp(diag.msg, "reading config file: ", 21), "%s", diag.msg);
    free(p);
}

Test(options, explicit_config_must_exist)
{
    char *missing = gmf_xasprintf("%s/none.yaml", tmpdir);
    const char *args[] = {"--config", missing, NULL};
    char *want = gmf_xasprintf("reading config file: open %s: No such file or directory",
                               missing);

    cr_assert_eq(load("jobs: 2\n", NULL, args), GMF_EUSAGE);
    cr_assert_str_eq(diag.msg, want);
    free(want);
    free(missing);
}

Test(options, explicit_config_replaces_the_default)
{
    char *p = write_tmp("other.yaml", "jobs: 7\n");
    const char *args[] = {"--config", p, NULL};

    cr_assert_eq(load("jobs: 2\nretries: 1\n", NULL, args), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.max_total, 7);
    cr_assert_eq(o.run.transfer.retries, 5, "the default file was not read");
    cr_assert_str_eq(o.config_used, p);
    free(p);
}

Test(options, gmfetch_config_variable_and_empty_names)
{
    char *p = write_tmp("env.yaml", "jobs: 6\n");
    struct kv env[] = {{"GMFETCH_CONFIG", p}, {NULL, NULL}};
    struct kv none[] = {{"GMFETCH_CONFIG", ""}, {NULL, NULL}};
    static const char *const empty[] = {"--config=", NULL};

    cr_assert_eq(load("jobs: 2\n", env, no_args), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.max_total, 6);
    gmf_options_release(&o);
    gmf_options_init(&o);
    cr_assert_eq(load("jobs: 2\n", none, no_args), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.max_total, 64, "GMFETCH_CONFIG= reads no file");
    gmf_options_release(&o);
    gmf_options_init(&o);
    cr_assert_eq(load("jobs: 2\n", env, empty), GMF_OK, "%s", diag.msg);
    cr_assert_eq(o.run.transfer.max_total, 64, "--config= reads no file, not even $GMFETCH_CONFIG");
    cr_assert_null(o.config_used);
    free(p);
}

/* ---- the example in docs/ ---------------------------------------------------------------- */

Test(options, example_config_loads_and_sets_the_defaults)
{
    const char *data = getenv("GMFETCH_TEST_DATA");
    char *path;
    const char *args[] = {"--config", NULL, NULL};
    struct gmf_options d;

    cr_assert_not_null(data, "GMFETCH_TEST_DATA is not set");
    path = gmf_xasprintf("%s/../../docs/config.example.yaml", data);
    args[1] = path;
    cr_assert_eq(parse_list(args), GMF_OK);
    cr_assert_eq(gmf_options_load(&o, fake_getenv, NULL, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_str_eq(o.config_used, path);
    /* It documents the defaults: loading it changes nothing. */
    gmf_options_init(&d);
    cr_assert_eq(o.run.transfer.max_total, d.run.transfer.max_total);
    cr_assert_eq(o.run.transfer.max_per_host, d.run.transfer.max_per_host);
    cr_assert_eq(o.run.transfer.shard_size, d.run.transfer.shard_size);
    cr_assert_eq(o.run.transfer.shard_threshold, d.run.transfer.shard_threshold);
    cr_assert_eq(o.run.transfer.retries, d.run.transfer.retries);
    cr_assert_eq(o.run.transfer.stall_timeout_s, d.run.transfer.stall_timeout_s);
    cr_assert_eq(o.run.transfer.probe, d.run.transfer.probe);
    cr_assert_eq(o.run.transfer.http1_only, d.run.transfer.http1_only);
    cr_assert_eq(o.run.workers, d.run.workers);
    cr_assert_eq(o.progress, d.progress);
    cr_assert_eq(o.quiet, d.quiet);
    cr_assert_eq(o.verbose, d.verbose);
    cr_assert_null(o.metrics_file);
    gmf_options_release(&d);
    free(path);
}

/* ---- documents ----------------------------------------------------------------------------- */

Test(options, help_lists_exit_codes_and_settable_names)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    gmf_options_help(f);
    (void)fclose(f);
    cr_assert(strstr(buf, "  2    usage error"), "%s", buf);
    cr_assert(strstr(buf, "  130  interrupted"), "%s", buf);
    cr_assert(strstr(buf, "--dry-run"));
    cr_assert(strstr(buf, "GMFETCH_HTTP1_1"));
    cr_assert(strstr(buf, "shard-threshold"));
    free(buf);
}

Test(options, man_page_lists_environment_variables)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    gmf_options_write_doc(f, GMF_DOC_MAN, "0");
    (void)fclose(f);
    cr_assert(strstr(buf, "GMFETCH_SHARD_SIZE"), "roff escapes '_'? %s", buf);
    cr_assert(strstr(buf, "GMFETCH_HTTP1_1"));
    cr_assert(strstr(buf, ".SH EXIT STATUS\n.TP\n0\n"));
    free(buf);
}
