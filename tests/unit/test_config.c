#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gmfetch/config.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

/* Provenance: the inputs are small YAML texts written for these tests; positions are counted
 * by hand in them (1-based line and column of the first character of the key or value), and
 * the syntax-error wording is libyaml's own (yaml_parser_t.problem and .context, as
 * libyaml 0.2.5 sets them).  Null spellings are those of the YAML 1.2 core schema (spec
 * section 10.3.2: null, Null, NULL, ~ and the empty scalar). */

static struct gmf_config cfg;
static struct gmf_diag diag;

static void setup(void)
{
    gmf_config_init(&cfg);
    gmf_diag_init(&diag);
}

static void teardown(void)
{
    gmf_config_release(&cfg);
}

TestSuite(config, .init = setup, .fini = teardown);

static enum gmf_err parse(const char *text)
{
    return gmf_config_parse(&cfg, text, strlen(text), "c.yaml", &diag);
}

Test(config, mapping_of_scalars)
{
    cr_assert_eq(parse("# comment\njobs: 8\nshard-size: 8M\nprogress: \"plain\"\n"), GMF_OK,
                 "%s", diag.msg);
    cr_assert_eq(cfg.n, 3);
    cr_assert_str_eq(cfg.entries[0].key, "jobs");
    cr_assert_str_eq(cfg.entries[0].value, "8");
    cr_assert(cfg.entries[0].plain);
    cr_assert_eq(cfg.entries[0].kind, GMF_CONFIG_SCALAR);
    cr_assert_eq(cfg.entries[0].key_line, 2);
    cr_assert_eq(cfg.entries[0].key_column, 1);
    cr_assert_eq(cfg.entries[0].line, 2);
    cr_assert_eq(cfg.entries[0].column, 7);
    cr_assert_str_eq(cfg.entries[1].value, "8M");
    cr_assert_str_eq(cfg.entries[2].value, "plain");
    cr_assert_not(cfg.entries[2].plain, "a double-quoted scalar is not plain");
    cr_assert_eq(cfg.entries[2].column, 11);
    cr_assert_str_eq(cfg.name, "c.yaml");
}

Test(config, empty_and_comment_only_files_have_no_entries)
{
    cr_assert_eq(parse(""), GMF_OK);
    cr_assert_eq(cfg.n, 0);
    cr_assert_eq(parse("# nothing here\n\n"), GMF_OK);
    cr_assert_eq(cfg.n, 0);
    cr_assert_eq(parse("---\n"), GMF_OK, "%s", diag.msg);
    cr_assert_eq(cfg.n, 0);
}

Test(config, flow_mapping_and_document_marker)
{
    cr_assert_eq(parse("---\n{jobs: 4, retries: 2}\n...\n"), GMF_OK, "%s", diag.msg);
    cr_assert_eq(cfg.n, 2);
    cr_assert_str_eq(cfg.entries[1].key, "retries");
    cr_assert_eq(cfg.entries[1].line, 2);
    cr_assert_eq(cfg.entries[1].column, 20);
}

Test(config, value_kinds)
{
    cr_assert_eq(parse("a:\nb: ~\nc: null\nd: [1, 2]\ne:\n  f: 1\ng: 'x'\nh: NULL\n"), GMF_OK,
                 "%s", diag.msg);
    cr_assert_eq(cfg.n, 7);
    cr_assert_eq(cfg.entries[0].kind, GMF_CONFIG_NULL);
    cr_assert_null(cfg.entries[0].value);
    cr_assert_eq(cfg.entries[1].kind, GMF_CONFIG_NULL);
    cr_assert_eq(cfg.entries[2].kind, GMF_CONFIG_NULL);
    cr_assert_eq(cfg.entries[3].kind, GMF_CONFIG_SEQUENCE);
    cr_assert_eq(cfg.entries[3].line, 4);
    cr_assert_eq(cfg.entries[3].column, 4);
    cr_assert_eq(cfg.entries[4].kind, GMF_CONFIG_MAPPING);
    cr_assert_eq(cfg.entries[4].line, 6);
    cr_assert_eq(cfg.entries[4].column, 3);
    cr_assert_eq(cfg.entries[5].kind, GMF_CONFIG_SCALAR);
    cr_assert_str_eq(cfg.entries[5].value, "x");
    cr_assert_not(cfg.entries[5].plain);
    cr_assert_eq(cfg.entries[6].kind, GMF_CONFIG_NULL);
}

Test(config, quoted_null_is_a_string)
{
    cr_assert_eq(parse("a: \"null\"\nb: ''\n"), GMF_OK);
    cr_assert_eq(cfg.entries[0].kind, GMF_CONFIG_SCALAR);
    cr_assert_str_eq(cfg.entries[0].value, "null");
    cr_assert_eq(cfg.entries[1].kind, GMF_CONFIG_SCALAR);
    cr_assert_str_eq(cfg.entries[1].value, "");
}

Test(config, alias_resolves_to_the_anchored_value)
{
    cr_assert_eq(parse("jobs: &n 12\nconnections: *n\n"), GMF_OK, "%s", diag.msg);
    cr_assert_str_eq(cfg.entries[1].value, "12");
}

struct bad {
    const char *text, *msg;
};

/* One Test walking the table (Criterion's parameterized tests would need every string copied
 * into cr_malloc'ed memory: its workers are separate processes). */
Test(config, rejects)
{
    static const struct bad cases[] = {
        /* shape */
        {"- jobs\n- retries\n",
         "c.yaml:1:1: want a mapping of option names to values, got a sequence"},
        {"just text\n", "c.yaml:1:1: want a mapping of option names to values, got a scalar"},
        {"jobs: 1\nretries: 2\njobs: 3\n",
         "c.yaml:3:1: duplicate option \"jobs\" (first set at line 1)"},
        {"? [a, b]\n: 1\n", "c.yaml:1:3: option names must be strings, got a sequence"},
        {"jobs: 1\n---\nretries: 2\n", "c.yaml:2:1: more than one YAML document"},
        /* syntax, in libyaml's words */
        {"jobs: 1\n  retries: 2\n",
         "c.yaml:2:10: mapping values are not allowed in this context"},
        {"jobs: [1, 2\n",
         "c.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence at "
         "line 1, column 7)"},
        {"jobs: \"abc\n",
         "c.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar at "
         "line 1, column 7)"},
        {"jobs: 1\n\tretries: 2\n",
         "c.yaml:2:1: found a tab character that violates indentation (while scanning a "
         "plain scalar at line 1, column 7)"},
        {"jobs: \xff\n", "c.yaml:1:7: invalid leading UTF-8 octet"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad *b = &cases[i];
        cr_expect_eq(parse(b->text), GMF_EPARSE, "accepted %s", b->text);
        cr_expect_str_eq(diag.msg, b->msg, "for %s", b->text);
        cr_expect_eq(cfg.n, 0, "entries left after a failure");
    }
}

Test(config, load_reads_a_file_and_reports_a_missing_one)
{
    char dir[] = "/tmp/gmf-config-XXXXXX";
    char *path;

    cr_assert_not_null(mkdtemp(dir));
    path = gmf_xasprintf("%s/config.yaml", dir);
    cr_assert_eq(gmf_config_load(&cfg, path, &diag), GMF_ENOTFOUND);
    cr_assert(strstr(diag.msg, "No such file or directory"), "%s", diag.msg);
    cr_assert_eq(gmf_fs_write_atomic(path, "workers: 3\n", 11, NULL), GMF_OK);
    cr_assert_eq(gmf_config_load(&cfg, path, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(cfg.n, 1);
    cr_assert_str_eq(cfg.name, path);
    cr_assert_eq(gmf_config_load(&cfg, dir, &diag), GMF_EIO, "a directory is not a file");
    (void)gmf_fs_remove_all(dir, NULL);
    free(path);
}

Test(config, release_empties)
{
    cr_assert_eq(parse("jobs: 1\n"), GMF_OK);
    gmf_config_release(&cfg);
    cr_assert_eq(cfg.n, 0);
    cr_assert_null(cfg.entries);
    cr_assert_null(cfg.name);
}
