/* goenv: the go command's environment, resolved as go 1.19 resolves it
 * (cmd/go/internal/cfg/cfg.go, cmd/go/main.go, base/goflags.go, modfetch/proxy.go).
 *
 * Precedence per variable: the process environment (a non-empty value wins), then the GOENV
 * file (`go env -w` writes it: $GOENV, else $XDG_CONFIG_HOME/go/env, else
 * $HOME/.config/go/env; GOENV=off disables it; GOENV, XDG_CONFIG_HOME and HOME themselves
 * are only taken from the environment), then go's default.  All defaults live here:
 * GOPATH $HOME/go, GOMODCACHE <GOPATH[0]>/pkg/mod, GOPROXY https://proxy.golang.org,direct,
 * GOSUMDB sum.golang.org, GONOPROXY and GONOSUMDB = GOPRIVATE.
 *
 * GOENV file format (cfg.go initEnvCache): lines split at '\n'; a line is used only if it
 * starts with 'A'..'Z' and contains '='; KEY is what precedes the first '=', VALUE all that
 * follows (nothing is trimmed, a '\r' stays); a later line wins.  A missing or unreadable
 * file is ignored, as go ignores it.
 *
 * Calling sequence: gmf_goenv_load(); read fields; gmf_goenv_release().  The lookup function
 * makes it testable without touching the real environment.
 *
 * Error handling: gmf_goenv_load() checks in go's order and stops at the first problem; the
 * diag holds go's message without the "go: " prefix go prints before it:
 *   GMF_EUSAGE   GOPATH entry starting with '~' or relative (explicitly set), or a bad
 *                -modcacherw value in GOFLAGS: go exits with status 2 for these (after the
 *                GOFLAGS one it also prints the `go mod download` usage lines);
 *   GMF_EINVAL   a GOFLAGS word that is not a flag, a bad GOPROXY (go reports it prefixed
 *                with "<path>@<version>: " at the first lookup), an unset or relative
 *                GOMODCACHE (go's message for the latter ends in ".\n"; the diag omits the
 *                newline); go exits with status 1;
 *   GMF_EUNSUPPORTED a GOPROXY URL that go accepts but gmfetch cannot use (see struct
 *                gmf_proxy): delegate to go.
 * Not checked (go checks them): GOFLAGS flags that no go command defines (go: "parsing
 * $GOFLAGS: unknown flag -x"); GOWORK relative (only in workspace mode, which is delegated).
 * GOFLAGS may also set -x, -json, -modfile, -overlay, -reuse for `go mod download`; callers
 * must look at goflags themselves for those.
 */
#ifndef GMFETCH_GOENV_H
#define GMFETCH_GOENV_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/err.h"

/* Return the variable's value or NULL when unset; the string must stay valid until
 * gmf_goenv_load() returns. */
typedef const char *(*gmf_getenv_fn)(const char *name, void *ctx);

enum gmf_proxy_kind {
    GMF_PROXY_URL,     /* http://, https:// or file:// base URL */
    GMF_PROXY_DIRECT,  /* "direct": the VCS path, delegated to go */
    GMF_PROXY_NOPROXY, /* implicit first entry when GONOPROXY is set */
    GMF_PROXY_OFF,     /* "off": fails every lookup */
};

struct gmf_proxy {
    enum gmf_proxy_kind kind;
    /* GMF_PROXY_URL only, else NULL: the base URL as go will use it, re-serialised the way
     * net/url does (scheme lower case, path percent-escaped as url.URL.EscapedPath, path
     * cleaned as path.Join cleans request paths) and without trailing slash; a request URL
     * is url + "/" + escaped module path + "/@v/...".  Credentials (user:password@) are
     * kept.  For file:// the path part is still percent-escaped: decode it before open().
     * go also accepts http(s) URLs with a query, a fragment, no host or an opaque part;
     * gmfetch refuses those with GMF_EUNSUPPORTED rather than build different requests. */
    char *url;
    bool fallback_any; /* separator after it was '|': fall through on any error */
};

/* Every string is heap-owned and never NULL: "" when unset. */
struct gmf_goenv {
    char *gopath;     /* first element of GOPATH, cleaned as filepath.Join would; "" if none */
    char *gomodcache; /* absolute, cleaned (go joins every cache path, which cleans it) */
    char *goproxy;    /* raw value (after defaulting) */
    char *gosumdb;
    char *goprivate;
    char *gonoproxy; /* defaults to goprivate */
    char *gonosumdb; /* defaults to goprivate */
    char *goinsecure;
    char *goflags;
    char *gowork;    /* raw: "", "off", "auto" or a path */
    bool modcacherw; /* -modcacherw in GOFLAGS (the last setting wins, -modcacherw=false) */
    struct gmf_proxy *proxies;
    size_t nproxies;
};

/* getenv_fn NULL = the real environment.  On success *ret is filled (release it); on
 * failure *ret is untouched and nothing needs releasing.  See Error handling above. */
enum gmf_err gmf_goenv_load(struct gmf_goenv *ret, gmf_getenv_fn getenv_fn, void *ctx,
                            struct gmf_diag *diag);
void gmf_goenv_release(struct gmf_goenv *e);

/* Parse a GOPROXY value (with gonoproxy for the implicit noproxy entry) into *ret, as
 * proxy.go proxyList does: split at ',' and '|', trim white space, skip empty entries,
 * stop after "off" or "direct" (later entries are not even checked), prefix "https://" to
 * entries containing '.', ':' or '/' but no ":/" that are not absolute paths, then check
 * the URL with go's messages ("invalid proxy URL missing scheme: <url>", "invalid proxy URL
 * scheme (must be https, http, file): <url>", "invalid file:// proxy URL with non-path
 * elements: <url>", url.Parse errors such as `parse "http://[::1": missing ']' in host`,
 * "GOPROXY list is not the empty string, but contains no entries"; URLs in messages have
 * their password replaced by "xxxxx").  On success *ret (heap array, free with
 * gmf_goenv_free_proxies) and *ret_n are set. */
enum gmf_err gmf_goenv_parse_proxy(const char *goproxy, const char *gonoproxy,
                                   struct gmf_proxy **ret, size_t *ret_n, struct gmf_diag *diag);
void gmf_goenv_free_proxies(struct gmf_proxy *p, size_t n);

/* Whether checksum-database verification is skipped for path (GOSUMDB=off or a GONOSUMDB
 * match), i.e. a hash missing from go.sum is trusted on first use. */
bool gmf_goenv_nosumdb(const struct gmf_goenv *e, const char *path);
/* Whether path must be fetched directly (GONOPROXY match). */
bool gmf_goenv_noproxy(const struct gmf_goenv *e, const char *path);

#endif
