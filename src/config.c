/* config: the YAML configuration file (see config.h).
 *
 * libyaml's document loader builds the node tree (aliases resolved); we walk the root
 * mapping once.  libyaml marks count lines and columns from 0, messages from 1.
 */
#include "gmfetch/config.h"

#include <string.h>
#include <yaml.h>

#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

/* A configuration file is a few hundred bytes; anything near this is not one. */
#define CONFIG_MAX ((size_t)1 << 20)

void gmf_config_init(struct gmf_config *c)
{
    memset(c, 0, sizeof(*c));
}

static void clear_entries(struct gmf_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->entries[i].key);
        free(c->entries[i].value);
    }
    free(c->entries);
    c->entries = NULL;
    c->n = c->cap = 0;
}

void gmf_config_release(struct gmf_config *c)
{
    clear_entries(c);
    free(c->name);
    memset(c, 0, sizeof(*c));
}

static const char *kind_name(yaml_node_type_t t)
{
    switch (t) {
    case YAML_SEQUENCE_NODE:
        return "a sequence";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "a scalar";
    }
}

/* YAML 1.2 core schema nulls, written as plain scalars. */
static bool is_null(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;

    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

/* The reader reports a byte offset, not a mark: count lines up to it. */
static void offset_position(const char *data, size_t len, size_t off, unsigned *line,
                            unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static enum gmf_err parser_error(const yaml_parser_t *p, const char *name, const char *data,
                                 size_t len, struct gmf_diag *diag)
{
    const char *problem = p->problem ? p->problem : "invalid YAML";
    unsigned line, col;

    if (p->error == YAML_READER_ERROR) {
        offset_position(data, len, p->problem_offset, &line, &col);
        return gmf_diag_set(diag, GMF_EPARSE, "%s:%u:%u: %s", name, line, col, problem);
    }
    line = (unsigned)p->problem_mark.line + 1;
    col = (unsigned)p->problem_mark.column + 1;
    if (p->context)
        return gmf_diag_set(diag, GMF_EPARSE, "%s:%u:%u: %s (%s at line %u, column %u)", name,
                            line, col, problem, p->context,
                            (unsigned)p->context_mark.line + 1,
                            (unsigned)p->context_mark.column + 1);
    return gmf_diag_set(diag, GMF_EPARSE, "%s:%u:%u: %s", name, line, col, problem);
}

static enum gmf_err at(const char *name, const yaml_mark_t *m, struct gmf_diag *diag,
                       const char *what, const char *arg)
{
    return gmf_diag_set(diag, GMF_EPARSE, "%s:%u:%u: %s%s", name, (unsigned)m->line + 1,
                        (unsigned)m->column + 1, what, arg ? arg : "");
}

/* Walk the root mapping of doc into c. */
static enum gmf_err read_mapping(struct gmf_config *c, yaml_document_t *doc, const char *name,
                                 struct gmf_diag *diag)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    char msg[128];

    if (!root)
        return GMF_OK; /* an empty document: comments only */
    if (root->type == YAML_SCALAR_NODE && is_null(root))
        return GMF_OK; /* "---" alone, or "~" */
    if (root->type != YAML_MAPPING_NODE)
        return at(name, &root->start_mark, diag,
                  "want a mapping of option names to values, got ", kind_name(root->type));
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(doc, pr->value);
        struct gmf_config_entry *e;

        if (!k || !v)
            return gmf_diag_set(diag, GMF_EPARSE, "%s: malformed YAML document", name);
        if (k->type != YAML_SCALAR_NODE)
            return at(name, &k->start_mark, diag, "option names must be strings, got ",
                      kind_name(k->type));
        for (size_t i = 0; i < c->n; i++) {
            if (strcmp(c->entries[i].key, (const char *)k->data.scalar.value) != 0)
                continue;
            (void)snprintf(msg, sizeof(msg), "\" (first set at line %u)",
                           c->entries[i].key_line);
            return gmf_diag_set(diag, GMF_EPARSE, "%s:%u:%u: duplicate option \"%s%s", name,
                                (unsigned)k->start_mark.line + 1,
                                (unsigned)k->start_mark.column + 1,
                                (const char *)k->data.scalar.value, msg);
        }
        GMF_GROW(c->entries, c->cap, c->n + 1);
        e = &c->entries[c->n++];
        memset(e, 0, sizeof(*e));
        e->key = gmf_xstrdup((const char *)k->data.scalar.value);
        e->key_line = (unsigned)k->start_mark.line + 1;
        e->key_column = (unsigned)k->start_mark.column + 1;
        e->line = (unsigned)v->start_mark.line + 1;
        e->column = (unsigned)v->start_mark.column + 1;
        switch (v->type) {
        case YAML_SCALAR_NODE:
            if (is_null(v)) {
                e->kind = GMF_CONFIG_NULL;
            } else {
                e->kind = GMF_CONFIG_SCALAR;
                e->value = gmf_xstrndup((const char *)v->data.scalar.value,
                                        v->data.scalar.length);
                e->plain = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            }
            break;
        case YAML_SEQUENCE_NODE:
            e->kind = GMF_CONFIG_SEQUENCE;
            break;
        default:
            e->kind = GMF_CONFIG_MAPPING;
            break;
        }
    }
    return GMF_OK;
}

enum gmf_err gmf_config_parse(struct gmf_config *c, const char *data, size_t len,
                              const char *name, struct gmf_diag *diag)
{
    yaml_parser_t p;
    yaml_document_t doc, next;
    enum gmf_err e;

    clear_entries(c);
    free(c->name);
    c->name = gmf_xstrdup(name);
    if (!yaml_parser_initialize(&p))
        return gmf_diag_set(diag, GMF_EIO, "%s: initialising the YAML parser failed", name);
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    if (!yaml_parser_load(&p, &doc)) {
        e = parser_error(&p, name, data, len, diag);
        yaml_parser_delete(&p);
        return e;
    }
    e = read_mapping(c, &doc, name, diag);
    if (!e && yaml_document_get_root_node(&doc)) {
        /* A second document would be silently ignored: say so instead. */
        if (!yaml_parser_load(&p, &next)) {
            e = parser_error(&p, name, data, len, diag);
        } else {
            yaml_node_t *root2 = yaml_document_get_root_node(&next);
            if (root2)
                e = at(name, &next.start_mark, diag, "more than one YAML document", NULL);
            yaml_document_delete(&next);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (e)
        clear_entries(c);
    return e;
}

enum gmf_err gmf_config_load(struct gmf_config *c, const char *path, struct gmf_diag *diag)
{
    struct gmf_buf b;
    enum gmf_err e;

    gmf_buf_init(&b, CONFIG_MAX);
    e = gmf_fs_read_file(path, CONFIG_MAX, &b, diag);
    if (e == GMF_ETOOBIG)
        e = gmf_diag_set(diag, GMF_EIO, "%s: larger than %zu bytes: not a config file", path,
                         CONFIG_MAX);
    if (!e)
        e = gmf_config_parse(c, b.data ? b.data : "", b.len, path, diag);
    gmf_buf_release(&b);
    return e;
}
