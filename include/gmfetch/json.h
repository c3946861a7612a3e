/* json: the little JSON gmfetch needs: parse a proxy's .info and re-encode it as go caches
 * it, and write `go mod download -json` objects byte for byte like encoding/json.
 *
 * go caches not the proxy's bytes but its own re-encoding of RevInfo
 * (cmd/go/internal/modfetch/repo.go, cache.go writeDiskStat): compact JSON, keys Version,
 * Time, Origin in that order, Time in RFC 3339 with trailing zeros of the fraction dropped
 * and the original offset kept ("+00:00" becomes "Z"), no trailing newline, '<' '>' '&'
 * escaped as \u003c etc.  Origin (when the proxy sent one, even "{}") keeps VCS, URL,
 * Subdir, Hash, RepoSum, and Ref unless Version is a pseudo-version; TagPrefix and TagSum
 * are dropped; unknown fields everywhere are dropped.
 *
 * Decoding follows encoding/json + time.Time.UnmarshalJSON (go 1.19): the whole input is
 * syntax-checked first (10000 levels of nesting at most); keys match field names exactly or
 * case-insensitively (also "ſ" for s); a later duplicate key wins, but null leaves a string
 * or Time unchanged while it resets Origin, and a second Origin object is merged into the
 * first; invalid UTF-8 and lone surrogates in strings become U+FFFD; Time must be an
 * RFC 3339 JSON string taken verbatim (escapes are not decoded first), with go's lenient
 * spots (a one-digit hour, ',' as decimal mark, fractions beyond 9 digits truncated, any
 * two-digit offset).
 */
#ifndef GMFETCH_JSON_H
#define GMFETCH_JSON_H

#include <stddef.h>

#include "gmfetch/buf.h"
#include "gmfetch/err.h"

/* Parse .info bytes.  On success *ret_version (heap) is the Version field and out receives
 * the cached form (appended).  On failure (GMF_EPARSE) nothing is returned and diag holds
 * the error go's json.Unmarshal gives, in go's words and with go's precedence: a syntax
 * error ("invalid character 'i' looking for beginning of value", "unexpected end of JSON
 * input"), else the first Time error (`parsing time "\"x\"" as
 * "\"2006-01-02T15:04:05Z07:00\"": cannot parse "x\"" as "2006"`), else the first type
 * error ("json: cannot unmarshal number into Go struct field RevInfo.Version of type
 * string").  go reports it as `invalid response from proxy "<url>": <that>`; adding the
 * prefix is the caller's job.  A Version holding "\u0000" fails with go's next message,
 * "proxy returned info for version ... instead of requested version", as it can never be
 * the version requested (the NUL is shown as \x00).  GMF_ETOOBIG if out is full. */
enum gmf_err gmf_json_info_reencode(const char *data, size_t len, char **ret_version,
                                    struct gmf_buf *out, struct gmf_diag *diag);

/* Append s as a JSON string literal with encoding/json's escaping (HTML-safe: < > & as
 * \u003c \u003e \u0026, U+2028/U+2029 as \u2028/\u2029, control bytes as \u00XX except
 * \n \r \t, each invalid UTF-8 byte as \ufffd). */
void gmf_json_put_string(struct gmf_buf *out, const char *s);

/* One -json object for a module, as json.MarshalIndent(v, "", "\t") + "\n".  Fields that are
 * NULL or "" are omitted, in go's order: Path, Version, Query, Error, Info, GoMod, Zip, Dir,
 * Sum, GoModSum, Origin (Reuse, only set by -reuse, is not supported).
 *
 * Origin: go prints the Origin of the RevInfo it used for the module, in full (TagPrefix and
 * TagSum included): the proxy's .info when this run fetched it, else the cached .info.  Pass
 * those bytes as origin_info/origin_info_len (NULL = no Origin); the writer decodes them as
 * gmf_json_info_reencode() does and prints "Origin" if they carry one (nothing if they do
 * not parse). */
struct gmf_json_module {
    const char *path, *version, *query, *error, *info, *gomod, *zip, *dir, *sum, *gomodsum;
    const char *origin_info;
    size_t origin_info_len;
};
void gmf_json_module(struct gmf_buf *out, const struct gmf_json_module *m);

#endif
