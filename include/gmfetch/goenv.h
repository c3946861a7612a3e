/* goenv: the go command's environment, resolved as go resolves it
 * (cmd/go/internal/cfg, modfetch/proxy.go).
 *
 * Precedence per variable: the process environment (a non-empty value wins), then the GOENV
 * file (`go env -w` writes it: $GOENV, else $XDG_CONFIG_HOME/go/env, else
 * $HOME/.config/go/env; GOENV=off disables it), then go's default.  All defaults live here.
 *
 * Calling sequence: gmf_goenv_load(); read fields; gmf_goenv_release().  The lookup function
 * makes it testable without touching the real environment.
 */
#ifndef GMFETCH_GOENV_H
#define GMFETCH_GOENV_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/err.h"

typedef const char *(*gmf_getenv_fn)(const char *name, void *ctx);

enum gmf_proxy_kind {
    GMF_PROXY_URL,     /* http://, https:// or file:// base URL */
    GMF_PROXY_DIRECT,  /* "direct": the VCS path, delegated to go */
    GMF_PROXY_NOPROXY, /* implicit first entry when GONOPROXY is set */
    GMF_PROXY_OFF,     /* "off": fails every lookup */
};

struct gmf_proxy {
    enum gmf_proxy_kind kind;
    char *url;          /* GMF_PROXY_URL only: without trailing slash */
    bool fallback_any;  /* separator after it was '|': fall through on any error */
};

struct gmf_goenv {
    char *gopath;      /* first element of GOPATH */
    char *gomodcache;  /* absolute */
    char *goproxy;     /* raw value */
    char *gosumdb;
    char *goprivate;
    char *gonoproxy;   /* defaults to goprivate */
    char *gonosumdb;   /* defaults to goprivate */
    char *goinsecure;
    char *goflags;
    char *gowork;
    bool modcacherw;   /* -modcacherw in GOFLAGS */
    struct gmf_proxy *proxies;
    size_t nproxies;
};

/* getenv_fn NULL = the real environment.  Fails (with go's message) on a relative GOMODCACHE
 * or GOPATH, a bad GOPROXY entry, or an unreadable GOENV file. */
enum gmf_err gmf_goenv_load(struct gmf_goenv *ret, gmf_getenv_fn getenv_fn, void *ctx,
                            struct gmf_diag *diag);
void gmf_goenv_release(struct gmf_goenv *e);

/* Parse a GOPROXY value (with gonoproxy for the implicit noproxy entry) into *ret. */
enum gmf_err gmf_goenv_parse_proxy(const char *goproxy, const char *gonoproxy,
                                   struct gmf_proxy **ret, size_t *ret_n, struct gmf_diag *diag);
void gmf_goenv_free_proxies(struct gmf_proxy *p, size_t n);

/* Whether checksum-database verification is skipped for path (GOSUMDB=off or a GONOSUMDB
 * match), i.e. a hash missing from go.sum is trusted on first use. */
bool gmf_goenv_nosumdb(const struct gmf_goenv *e, const char *path);
/* Whether path must be fetched directly (GONOPROXY match). */
bool gmf_goenv_noproxy(const struct gmf_goenv *e, const char *path);

#endif
