/* config: gmfetch's YAML configuration file, read with libyaml into name/value entries that
 * remember where they were written.
 *
 * The file is one YAML document whose root is a mapping from option names (plain scalars)
 * to values:
 *
 *     jobs: 32
 *     shard-size: 8M
 *     progress: plain
 *
 * This module knows nothing about which names exist or what their values mean: options.c
 * maps each entry to an option of its table and parses the value with the same code as the
 * command line, so a value means the same wherever it is written.  What is checked here is
 * the shape: a single document, a mapping at the top, scalar keys, no key twice.  An empty
 * document (a file of comments only) has no entries.
 *
 * Positions are 1-based line and column numbers taken from libyaml's marks (which count from
 * 0), so messages read "FILE:LINE:COLUMN: message" like a compiler's.
 *
 * Calling sequence: gmf_config_init(); gmf_config_load() or gmf_config_parse(); read
 * entries; gmf_config_release().
 *
 * Error handling: every failure leaves the message in the diag, prefixed with
 * "NAME:LINE:COLUMN: " when it has a position: GMF_EPARSE for YAML syntax and shape errors,
 * GMF_ENOTFOUND for a file that does not exist, GMF_EIO for one that cannot be read.  After
 * a failure the config holds no entries (release it all the same).
 */
#ifndef GMFETCH_CONFIG_H
#define GMFETCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/err.h"

/* What a value is, in YAML terms. */
enum gmf_config_kind {
    GMF_CONFIG_SCALAR,   /* text in value */
    GMF_CONFIG_NULL,     /* no value: "key:", "key: ~", "key: null" (YAML core schema) */
    GMF_CONFIG_SEQUENCE, /* [a, b] or a block list */
    GMF_CONFIG_MAPPING,  /* {a: b} or a nested block */
};

struct gmf_config_entry {
    char *key;
    char *value;               /* GMF_CONFIG_SCALAR only, else NULL */
    enum gmf_config_kind kind;
    bool plain;                /* a plain scalar without tag: 8, true, 8M (not "8", !!str 8);
                                  options that want numbers or booleans insist on it */
    unsigned key_line, key_column; /* 1-based */
    unsigned line, column;         /* of the value, 1-based */
};

struct gmf_config {
    char *name;                       /* the file name used in messages */
    struct gmf_config_entry *entries; /* in file order */
    size_t n, cap;
};

void gmf_config_init(struct gmf_config *c);
void gmf_config_release(struct gmf_config *c);

/* Parse YAML text; name is used in messages.  Replaces any earlier entries. */
enum gmf_err gmf_config_parse(struct gmf_config *c, const char *data, size_t len,
                              const char *name, struct gmf_diag *diag);

/* Read the file at path (at most 1 MiB) and parse it. */
enum gmf_err gmf_config_load(struct gmf_config *c, const char *path, struct gmf_diag *diag);

#endif
