/* options: the command line.  One table (options.c) is the single source of the parser and
 * of --help.
 *
 * go's flags are accepted in go's single-dash form (-json, -x, -C dir, -modcacherw) and with
 * two dashes; gmfetch's own options (--jobs, --shard-size, ...) likewise.  Values come as
 * "-name=value" or "-name value".  Names must match exactly (no abbreviations, unlike
 * getopt_long).  As with go's flag package, parsing stops at the first non-flag argument or
 * after "--".
 *
 * Calling sequence: gmf_options_init(); gmf_options_parse(); use; gmf_options_release().
 */
#ifndef GMFETCH_OPTIONS_H
#define GMFETCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gmfetch/err.h"
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
struct gmf_options {
    struct gmf_run_opts run;
    bool help, version;
    enum gmf_options_doc generate; /* --generate=bash|zsh|fish|man */
    bool delegate_only;  /* -reuse, -modfile, -overlay: flags only go implements */
    char **args;         /* points into argv */
    size_t nargs;
};

void gmf_options_init(struct gmf_options *o);
void gmf_options_release(struct gmf_options *o);

/* Returns GMF_OK or GMF_EUSAGE with a one-line message in diag. */
enum gmf_err gmf_options_parse(struct gmf_options *o, int argc, char **argv,
                               struct gmf_diag *diag);

/* Write --help, generated from the option table. */
void gmf_options_help(FILE *f);

void gmf_options_write_doc(FILE *f, enum gmf_options_doc kind, const char *version);

#endif
