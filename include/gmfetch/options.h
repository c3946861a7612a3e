/* options: the command line, the config file and the GMFETCH_* environment, from one table
 * (options.c) that is also the single source of --help, the man page and the completions.
 *
 * go's flags are accepted in go's single-dash form (-json, -x, -C dir, -modcacherw) and with
 * two dashes; gmfetch's own options (--jobs, --shard-size, ...) likewise.  Values come as
 * "-name=value" or "-name value"; booleans take "-name" or "-name=BOOL" where BOOL is what
 * go's strconv.ParseBool accepts (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False).
 * Names must match exactly (no abbreviations, unlike getopt_long).  As with go's flag
 * package, parsing stops at the first non-flag argument or after "--".
 *
 * Layers, highest first: command line > environment (GMFETCH_<NAME>: the long name upper
 * case, '-' and '.' as '_', e.g. GMFETCH_JOBS, GMFETCH_HTTP1_1) > config file > defaults.
 * Only options that make sense persistently are settable below the command line (the table
 * says which: not -C, --dry-run, --config, --help ...).  Every layer's values go through the
 * same parser, one per value type, so "8M" or "true" mean the same everywhere.
 *
 * The config file is --config FILE (must exist; --config= with an empty value reads none),
 * else $GMFETCH_CONFIG (likewise), else $XDG_CONFIG_HOME/gmfetch/config.yaml (an absolute
 * XDG_CONFIG_HOME only, as the XDG spec says), else ~/.config/gmfetch/config.yaml; a missing
 * default file is no error, an unreadable or malformed one is.  Relative FILE names are
 * relative to the directory gmfetch was started in (-C does not change that).
 *
 * Calling sequence: gmf_options_init(); gmf_options_parse() (the command line alone: enough
 * for --help, --version and --generate); gmf_options_load() (config file and environment
 * under the command line); use; gmf_options_release().
 *
 * Error handling: both return GMF_OK or GMF_EUSAGE with one line in diag, which names where
 * the bad value came from ("invalid value "x" for flag -jobs: want a number",
 * "... for GMFETCH_JOBS: ...", "FILE:LINE:COLUMN: ..."); the cli exits with status 2.
 */
#ifndef GMFETCH_OPTIONS_H
#define GMFETCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gmfetch/err.h"
#include "gmfetch/goenv.h"
#include "gmfetch/progress.h"
#include "gmfetch/run.h"

/* What --generate writes: shell completions and the man page, all from the same table, so
 * that none of them can fall behind the parser (meson generates and installs them). */
enum gmf_options_doc {
    GMF_DOC_NONE,
    GMF_DOC_BASH,
    GMF_DOC_ZSH,
    GMF_DOC_FISH,
    GMF_DOC_MAN,
};

struct gmf_options_flag; /* one parsed command-line flag, replayed by gmf_options_load() */

struct gmf_options {
    struct gmf_run_opts run;     /* run.dry_run is --dry-run */
    bool help, version;
    enum gmf_options_doc generate; /* --generate=bash|zsh|fish|man */
    bool delegate_only;  /* -reuse, -modfile, -overlay: flags only go implements */
    const char *config_file;     /* --config; NULL = not given, "" = read no config file */
    const char *metrics_file;    /* --metrics-file; NULL or "" = none */
    enum gmf_progress_mode progress; /* --progress (AUTO until resolved by the cli) */
    bool quiet, verbose;         /* never both: the later setting wins */
    char *config_used;           /* the config file gmf_options_load() read, or NULL */
    char **args;         /* points into argv */
    size_t nargs;
    bool dashdash;       /* "--" came before args */

    /* private */
    struct gmf_options_flag *flags;
    size_t nflags, cap_flags;
    char **strings;              /* values from the environment and the config file */
    size_t nstrings, cap_strings;
};

void gmf_options_init(struct gmf_options *o);
void gmf_options_release(struct gmf_options *o);

/* The command line.  Strings in o point into argv, which must outlive o. */
enum gmf_err gmf_options_parse(struct gmf_options *o, int argc, char **argv,
                               struct gmf_diag *diag);

/* Apply the config file and the environment under what gmf_options_parse() found.
 * getenv_fn NULL = the real environment (it also supplies GMFETCH_CONFIG, XDG_CONFIG_HOME
 * and HOME).  On failure o keeps the command-line values only. */
enum gmf_err gmf_options_load(struct gmf_options *o, gmf_getenv_fn getenv_fn, void *ctx,
                              struct gmf_diag *diag);

/* The arguments to hand to `go mod download` when gmfetch delegates a run: go's own flags as
 * they were written (gmfetch's own, which go would reject, left out), then the module
 * arguments (after "--" if the command line had one).  ret needs room for argc - 1
 * pointers (into argv); returns how many were stored. */
size_t gmf_options_go_args(const struct gmf_options *o, char **argv, char **ret);

/* Write --help, generated from the option table. */
void gmf_options_help(FILE *f);

void gmf_options_write_doc(FILE *f, enum gmf_options_doc kind, const char *version);

#endif
