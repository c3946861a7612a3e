/* json: the little JSON gmfetch needs: parse a proxy's .info and re-encode it as go caches
 * it, and write `go mod download -json` objects byte for byte like encoding/json.
 *
 * go caches not the proxy's bytes but its own re-encoding of RevInfo
 * (cmd/go/internal/modfetch/repo.go, cache.go writeDiskStat): compact JSON, keys Version,
 * Time, Origin in that order, Time in RFC 3339 with trailing zeros of the fraction dropped
 * and the original offset kept, no trailing newline, '<' '>' '&' escaped as \u003c etc.
 */
#ifndef GMFETCH_JSON_H
#define GMFETCH_JSON_H

#include <stddef.h>

#include "gmfetch/buf.h"
#include "gmfetch/err.h"

/* Parse .info bytes.  On success *ret_version (heap) is the Version field and out receives
 * the cached form.  Errors carry encoding/json-like text ("invalid character 'i' looking for
 * beginning of value"). */
enum gmf_err gmf_json_info_reencode(const char *data, size_t len, char **ret_version,
                                    struct gmf_buf *out, struct gmf_diag *diag);

/* Append s as a JSON string literal with encoding/json's escaping (HTML-safe). */
void gmf_json_put_string(struct gmf_buf *out, const char *s);

/* One -json object for a module, as json.MarshalIndent(v, "", "\t") + "\n".  Fields that are
 * NULL or "" are omitted, in go's order: Path, Version, Query, Error, Info, GoMod, Zip, Dir,
 * Sum, GoModSum. */
struct gmf_json_module {
    const char *path, *version, *query, *error, *info, *gomod, *zip, *dir, *sum, *gomodsum;
};
void gmf_json_module(struct gmf_buf *out, const struct gmf_json_module *m);

#endif
