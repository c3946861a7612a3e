/* cache: the GOMODCACHE layout and the protocol that keeps it valid next to a running go.
 *
 * Mirrors cmd/go/internal/modfetch (cache.go, fetch.go) of go 1.19+:
 *   cache/download/<ep>/@v/<ev>.{info,mod,zip,ziphash,lock,partial} and list,
 *   <ep>@<ev>/ the extracted read-only tree,
 * with escaped path <ep> and version <ev>.  .info and .mod are written lock-free by temp +
 * rename; the zip, ziphash and extracted tree change only under flock(2) on <ev>.lock; the
 * ziphash is written (locked, like lockedfile.Write) before the zip is renamed into place,
 * and the tree is extracted while <ev>.partial exists, so that at any instant (kill -9
 * included) go sees either nothing or a complete, verified module.
 *
 * Calling sequence for a zip:
 *   gmf_cache_zip_begin()   lock, re-check, clean stale temps, create the temp zip
 *   ... the caller downloads into zip->fd ...
 *   gmf_cache_zip_commit()  check + hash + extract in one pass, verify, publish, unlock
 *   or gmf_cache_zip_abort() remove the temp, unlock.
 * gmf_cache_zip_repair() handles an already-present zip whose ziphash or tree is missing.
 * Functions other than begin/commit/abort/repair are thread-safe and hold no locks.
 */
#ifndef GMFETCH_CACHE_H
#define GMFETCH_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "gmfetch/err.h"
#include "gmfetch/h1.h"

struct gmf_fs_barrier;

struct gmf_cache {
    char *root;  /* GOMODCACHE, absolute */
    bool rw;     /* -modcacherw: leave extracted directories writable */
    struct gmf_fs_barrier *barrier; /* shared by the committers (see cache.c, Durability) */
};

/* Every path of one module version.  Strings are heap-owned by the struct. */
struct gmf_cache_paths {
    char *path, *version;         /* unescaped */
    char *esc_path, *esc_version; /* escaped */
    char *vdir;                   /* cache/download/<ep>/@v */
    char *info, *mod, *zip, *ziphash, *lock, *partial, *list;
    char *dir;                    /* <root>/<ep>@<ev> */
};

void gmf_cache_init(struct gmf_cache *c, const char *root, bool rw);
void gmf_cache_release(struct gmf_cache *c);

/* Put everything written to the cache so far on stable storage (the .info and .mod files are
 * renamed into place unsynced, as go does).  Call once at the end of a run. */
enum gmf_err gmf_cache_flush(const struct gmf_cache *c, struct gmf_diag *diag);

/* Fails with go's message for an invalid path or version. */
enum gmf_err gmf_cache_paths(const struct gmf_cache *c, const char *path, const char *version,
                             struct gmf_cache_paths *ret, struct gmf_diag *diag);
void gmf_cache_paths_release(struct gmf_cache_paths *p);

/* Read a ziphash as go does (flock LOCK_SH, trim space): GMF_ENOTFOUND when absent or not
 * exactly GMF_H1_LEN characters without NUL. */
enum gmf_err gmf_cache_read_ziphash(const struct gmf_cache_paths *p, char ret[GMF_H1_LEN + 1],
                                    struct gmf_diag *diag);
/* go's fast path: zip and ziphash both exist. */
bool gmf_cache_zip_complete(const struct gmf_cache_paths *p);
/* go's DownloadDir: dir exists, no .partial, ziphash exists. */
bool gmf_cache_dir_complete(const struct gmf_cache_paths *p);

/* Atomic writes of .info / .mod; the .mod write also rewrites list (flock on list, only
 * canonical, unescaped-equal versions are listed, semver order).  As in go (writeDiskCache),
 * a failure to rewrite list is ignored: builds never read it. */
enum gmf_err gmf_cache_write_info(const struct gmf_cache_paths *p, const void *data, size_t len,
                                  struct gmf_diag *diag);
enum gmf_err gmf_cache_write_mod(const struct gmf_cache_paths *p, const void *data, size_t len,
                                 struct gmf_diag *diag);

/* Decides whether a computed zip hash may enter the cache (go.sum / GONOSUMDB policy).
 * Returns GMF_OK or an error with the full message in diag.  Called from worker threads.
 * A NULL verify accepts every hash. */
typedef enum gmf_err (*gmf_cache_verify_fn)(void *ctx, const char *h1, struct gmf_diag *diag);

struct gmf_cache_zip {
    int lock_fd;
    int fd;          /* temp zip, O_RDWR, -1 when already_complete */
    char *tmp_path;
    bool already_complete; /* someone (go) finished it while we waited for the lock */
};

/* Take <ev>.lock (blocking), re-check completeness, delete stale "<ev>.zip*.tmp", create the
 * temp zip.  When *ret->already_complete is set the lock has already been released and there
 * is nothing to do: zip, a well-formed ziphash and the tree are all in place.  (go unlocks
 * between its zip and its extraction, so begin may find zip + ziphash without a tree; it then
 * extracts the tree itself, as go's download() would, failing with GMF_ECHECKSUM "zip has
 * been modified" if the zip does not hash to its ziphash.)  The ziphash is not checked
 * against go.sum here: do that with gmf_cache_read_ziphash(), as go's checkMod does.
 * Ownership: on success *ret must go to commit or abort; on failure the lock is released. */
enum gmf_err gmf_cache_zip_begin(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                 struct gmf_cache_zip *ret, struct gmf_diag *diag);

/* With the downloaded temp zip: run the zip checks, hash every entry and, unless the tree is
 * already complete, extract it under .partial in the same pass; ask verify; on success write
 * the ziphash, rename the temp to <ev>.zip, make the tree read-only (unless rw), remove
 * .partial.  On any failure nothing of the module is left where go would trust it (temp,
 * tree and .partial removed).  Always unlocks and releases z.  ret_h1 gets the zip hash. */
enum gmf_err gmf_cache_zip_commit(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                  struct gmf_cache_zip *z, gmf_cache_verify_fn verify,
                                  void *vctx, char ret_h1[GMF_H1_LEN + 1],
                                  struct gmf_diag *diag);
void gmf_cache_zip_abort(struct gmf_cache_zip *z);

/* The zip is in place but the ziphash or the tree is missing: under the lock, re-hash (and
 * extract if needed) from <ev>.zip, verify, write what is missing.  GMF_ENOTFOUND when there
 * is no zip.  If everything turns out complete, verify still judges the stored ziphash.  On
 * failure the zip stays (go leaves it too; without a ziphash go does not trust it). */
enum gmf_err gmf_cache_zip_repair(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                  gmf_cache_verify_fn verify, void *vctx,
                                  char ret_h1[GMF_H1_LEN + 1], struct gmf_diag *diag);

#endif
