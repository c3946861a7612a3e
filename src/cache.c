#include "gmfetch/cache.h"

/* Design: the GOMODCACHE write protocol, step for step the one of go 1.19
 * (cmd/go/internal/modfetch/cache.go, fetch.go download/downloadZip/hashZip), except that the
 * zip is hashed and extracted in one pass before anything is published.
 *
 * What go trusts (the invariant every step below preserves):
 *   T1  <ev>.zip is used as is when it and <ev>.ziphash both exist (DownloadZip fast path);
 *       an unreadable or malformed ziphash is recomputed from the zip (checkMod).
 *   T2  <ep>@<ev>/ is used when it exists, <ev>.partial does not and <ev>.ziphash exists
 *       (DownloadDir); otherwise go removes it under <ev>.lock and extracts again.
 *   T3  <ev>.info / <ev>.mod are used when present; they are only ever renamed into place.
 *   T4  "<ev>.zip*.tmp" and "<ep>@<ev>.tmp-*" are garbage that go deletes under <ev>.lock.
 * So gmfetch may publish a zip only with a ziphash already beside it, and a tree only by
 * unlinking .partial last, after the ziphash and the zip are in place.
 *
 * Commit order, all under flock(LOCK_EX) on <ev>.lock (held since begin):
 *   1. run the zip checks on the temp zip (nothing created yet).
 *   2. if the tree is not complete (T2): create <ev>.partial, then remove the stale tree and
 *      old "<dir>.tmp-*" dirs; extract while hashing.  Else just hash.
 *   3. verify(h1).  On refusal: remove the tree we extracted, then .partial, then the temp.
 *   4. stage the ziphash in a temp, sync (barrier, see Durability), rename it over
 *      <ev>.ziphash (go writes it in place and can leave it empty: ziphash_stage).
 *   5. rename temp -> <ev>.zip.
 *   6. chmod the tree's directories &^0222, children first (unless rw); unlink .partial.
 *   7. unlock.
 * Kill -9 after any syscall leaves one of:
 *   - before 4: at most a temp zip and a staged ziphash, both "<ev>.zip*.tmp" (T4), and a
 *     tree with .partial (T2: go re-extracts), or a bare .partial without tree, which go
 *     ignores (DownloadDir looks at the dir first);
 *   - between 4 and 5: a ziphash without zip.  go's fast path needs both, so it downloads
 *     again, deleting our temp (T4) and overwriting the ziphash; the tree still has .partial;
 *     `go mod verify` skips a missing zip and an incomplete tree;
 *   - between 5 and 6: zip + ziphash (valid, verified) and a tree with .partial (T2);
 *   - after 6: the complete module.  The tree is read-only before .partial goes, so go never
 *     sees a complete but writable tree.
 * A stale tree is never removed before .partial exists, so no instant shows an incomplete
 * tree without .partial next to an existing ziphash.  A kill inside a .info/.mod write leaves
 * a "<ev>.info<digits>.tmp" / ".mod<digits>.tmp" that nothing reads (list only counts names
 * ending in ".mod"); go never removes those either, and we must not: they are written
 * without a lock, so one may belong to a live writer.
 * (Checked by killing a begin/commit run with SIGKILL before each of its file syscalls,
 * `strace -e inject=<syscall>:signal=SIGKILL:when=<n>`, then running stock go 1.19 on the
 * result: `go mod verify` passes, and both a rerun and `go mod download` repair it.)
 *
 * Concurrent go: go takes the same flock(2) locks (lockedfile/internal/filelock on Linux).
 * While we hold <ev>.lock, a go process that finds zip or ziphash missing, or the tree
 * incomplete, blocks on the lock and re-checks afterwards, finding our complete result; our
 * temp zip lives only while we hold the lock, so go's stale-temp sweep cannot delete it.  A go
 * process that already trusted a complete tree keeps using it: we only ever remove trees that
 * are incomplete by T2, and only under the lock.  go releases the lock between its zip and its
 * extraction, so gmf_cache_zip_begin() may find zip + ziphash but no tree; it then extracts
 * the tree itself, as go's download() would.  The ziphash is read under a shared flock as
 * go's lockedfile does (go's checkMod may rewrite one in place); list is rewritten under flock
 * on itself (rewriteVersionList).
 *
 * Durability (go fsyncs nothing): a power loss must not leave a published zip, ziphash or
 * tree with lost contents.  So between 3 and 4 one barrier (a syncfs shared by all workers,
 * gmf_fs_barrier_wait) puts the temp zip, the staged ziphash and every extracted file on
 * disk before the first rename publishes any of them.  One fsync per file instead cost a
 * journal commit each: on a fresh journaled ext4 it doubled a cold run's wall time, and the
 * tree could not be covered at all.  .info and .mod are renamed into place without a sync,
 * as go does, on the event loop that must not block; the next barrier or gmf_cache_flush()
 * at the end of the run makes them durable.  A process crash needs none of this: the page
 * cache survives it.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"
#include "gmfetch/zipx.h"

/* A valid ziphash is 47 bytes once trimmed; anything much longer cannot be one, so reading
 * stops there instead of slurping whatever file someone put in its place. */
#define ZIPHASH_READ_MAX 65536

static enum gmf_err io_error(struct gmf_diag *diag, const char *what, const char *path)
{
    return gmf_diag_set(diag, GMF_EIO, "%s %s: %s", what, path, strerror(errno));
}

static int xflock(int fd, int op)
{
    int rc;

    do
        rc = flock(fd, op);
    while (rc != 0 && errno == EINTR);
    return rc;
}

void gmf_cache_init(struct gmf_cache *c, const char *root, bool rw)
{
    size_t n = strlen(root);

    /* filepath.Join cleans a trailing slash; keep "/" itself. */
    while (n > 1 && root[n - 1] == '/')
        n--;
    c->root = gmf_xstrndup(root, n);
    c->rw = rw;
    c->barrier = gmf_fs_barrier_new();
}

void gmf_cache_release(struct gmf_cache *c)
{
    free(c->root);
    c->root = NULL;
    c->rw = false;
    gmf_fs_barrier_free(c->barrier);
    c->barrier = NULL;
}

enum gmf_err gmf_cache_flush(const struct gmf_cache *c, struct gmf_diag *diag)
{
    enum gmf_err r;
    int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? GMF_OK : io_error(diag, "open", c->root);
    r = gmf_fs_barrier_wait(c->barrier, fd, diag);
    close(fd);
    return r;
}

enum gmf_err gmf_cache_paths(const struct gmf_cache *c, const char *path, const char *version,
                             struct gmf_cache_paths *ret, struct gmf_diag *diag)
{
    char *ep = NULL, *ev = NULL, *canon = NULL, *q;
    enum gmf_err r;

    /* Same checks, same order and same words as CachePath in cache.go. */
    r = gmf_modpath_escape_path(path, &ep, diag);
    if (r)
        goto out;
    if (!gmf_semver_is_valid(version)) {
        q = gmf_modpath_quote(version, strlen(version));
        r = gmf_diag_set(diag, GMF_EINVAL, "non-semver module version %s", q);
        free(q);
        goto out;
    }
    canon = gmf_semver_canonical(version);
    if (!canon || strcmp(canon, version) != 0) {
        q = gmf_modpath_quote(version, strlen(version));
        r = gmf_diag_set(diag, GMF_EINVAL, "non-canonical module version %s", q);
        free(q);
        goto out;
    }
    r = gmf_modpath_escape_version(version, &ev, diag);
    if (r)
        goto out;

    ret->path = gmf_xstrdup(path);
    ret->version = gmf_xstrdup(version);
    ret->vdir = gmf_xasprintf("%s/cache/download/%s/@v", c->root, ep);
    ret->info = gmf_xasprintf("%s/%s.info", ret->vdir, ev);
    ret->mod = gmf_xasprintf("%s/%s.mod", ret->vdir, ev);
    ret->zip = gmf_xasprintf("%s/%s.zip", ret->vdir, ev);
    ret->ziphash = gmf_xasprintf("%s/%s.ziphash", ret->vdir, ev);
    ret->lock = gmf_xasprintf("%s/%s.lock", ret->vdir, ev);
    ret->partial = gmf_xasprintf("%s/%s.partial", ret->vdir, ev);
    ret->list = gmf_xasprintf("%s/list", ret->vdir);
    ret->dir = gmf_xasprintf("%s/%s@%s", c->root, ep, ev);
    ret->esc_path = ep;
    ret->esc_version = ev;
    ep = ev = NULL;
out:
    free(ep);
    free(ev);
    free(canon);
    return r;
}

void gmf_cache_paths_release(struct gmf_cache_paths *p)
{
    char **fields[] = {&p->path, &p->version, &p->esc_path, &p->esc_version, &p->vdir,
                       &p->info, &p->mod, &p->zip, &p->ziphash, &p->lock, &p->partial,
                       &p->list, &p->dir};

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

/* --- ziphash ------------------------------------------------------------------------------ */

/* Length of the white space (unicode.IsSpace, UTF-8 encoded) at the start of s[0..n). */
static size_t space_prefix(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0)) /* U+0085, U+00A0 */
        return 2;
    if (n >= 3) {
        unsigned a = s[0], b = s[1], d = s[2];
        if ((a == 0xe1 && b == 0x9a && d == 0x80) ||              /* U+1680 */
            (a == 0xe2 && b == 0x80 && d >= 0x80 && d <= 0x8a) || /* U+2000..U+200A */
            (a == 0xe2 && b == 0x80 && d == 0xa8) ||              /* U+2028 */
            (a == 0xe2 && b == 0x80 && d == 0xa9) ||              /* U+2029 */
            (a == 0xe2 && b == 0x80 && d == 0xaf) ||              /* U+202F */
            (a == 0xe2 && b == 0x81 && d == 0x9f) ||              /* U+205F */
            (a == 0xe3 && b == 0x80 && d == 0x80))                /* U+3000 */
            return 3;
    }
    return 0;
}

/* Same from the end; the encodings above are exactly what utf8.DecodeLastRune sees there. */
static size_t space_suffix(const unsigned char *s, size_t n)
{
    for (size_t w = 1; w <= 3 && w <= n; w++)
        if (space_prefix(s + n - w, w) == w)
            return w;
    return 0;
}

/* bytes.TrimSpace over data[0..*len): returns the new start and updates *len. */
static const char *trim_space(const char *data, size_t *len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t n = *len, w;

    while ((w = space_prefix(s, n)) != 0) {
        s += w;
        n -= w;
    }
    while ((w = space_suffix(s, n)) != 0)
        n -= w;
    *len = n;
    return (const char *)s;
}

enum gmf_err gmf_cache_read_ziphash(const struct gmf_cache_paths *p, char ret[GMF_H1_LEN + 1],
                                    struct gmf_diag *diag)
{
    struct gmf_buf b;
    enum gmf_err r = GMF_OK;
    char chunk[4096];
    const char *h;
    size_t n;
    int fd;

    gmf_buf_init(&b, ZIPHASH_READ_MAX);
    /* lockedfile.Read: O_RDONLY, then a shared lock so a writer's truncate+write is atomic. */
    fd = open(p->ziphash, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return gmf_diag_set(diag, GMF_ENOTFOUND, "open %s: %s", p->ziphash,
                                strerror(errno));
        return io_error(diag, "open", p->ziphash);
    }
    if (xflock(fd, LOCK_SH) != 0) {
        r = io_error(diag, "lock", p->ziphash);
        goto out;
    }
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof(chunk));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = io_error(diag, "read", p->ziphash);
            goto out;
        }
        if (k == 0)
            break;
        if (gmf_buf_append(&b, chunk, (size_t)k) != GMF_OK) {
            r = gmf_diag_set(diag, GMF_ENOTFOUND, "%s: not a valid ziphash (too large)",
                             p->ziphash);
            goto out;
        }
    }
    n = b.len;
    h = trim_space(b.data ? b.data : "", &n);
    /* isValidSum in fetch.go: no NUL and exactly len("h1:") + 44 bytes. */
    if (n != GMF_H1_LEN || memchr(h, '\0', n)) {
        r = gmf_diag_set(diag, GMF_ENOTFOUND, "%s: not a valid ziphash", p->ziphash);
        goto out;
    }
    memcpy(ret, h, GMF_H1_LEN);
    ret[GMF_H1_LEN] = '\0';
out:
    (void)xflock(fd, LOCK_UN);
    close(fd);
    gmf_buf_release(&b);
    return r;
}

/* hashZip writes the ziphash in place (lockedfile.Create + Truncate + WriteAt), so a kill
 * between its truncate and its write leaves an empty ziphash; next to a complete tree go
 * trusts that (DownloadDir only checks that the file exists) and then fails to verify.  We
 * stage a temp and rename it over once it is durable (publish), so readers see the old hash
 * or the new one, never a torn one.  The temp is named "<ev>.zip<digits>.tmp", a name go's
 * stale-temp sweep (T4) deletes.  A ziphash that already says h1 needs no temp:
 * *ret_tmp = NULL. */
static enum gmf_err ziphash_stage(const struct gmf_cache_paths *p, const char *h1,
                                  char **ret_tmp, struct gmf_diag *diag)
{
    char have[GMF_H1_LEN + 1];
    enum gmf_err r;
    char *tmp = NULL;
    int fd = -1;

    if (gmf_cache_read_ziphash(p, have, NULL) == GMF_OK && strcmp(have, h1) == 0) {
        *ret_tmp = NULL;
        return GMF_OK;
    }
    r = gmf_fs_temp_create(p->zip, &fd, &tmp, diag);
    if (r)
        return r;
    r = gmf_fs_pwrite_all(fd, h1, GMF_H1_LEN, 0, diag);
    close(fd);
    if (r) {
        (void)gmf_diag_prefix(diag, "%s", tmp);
        (void)unlink(tmp);
        free(tmp);
        return r;
    }
    *ret_tmp = tmp;
    return GMF_OK;
}

/* Rename a staged ziphash into place; frees *tmp either way. */
static enum gmf_err ziphash_publish(const struct gmf_cache_paths *p, char **tmp,
                                    struct gmf_diag *diag)
{
    enum gmf_err r = GMF_OK;

    if (!*tmp)
        return GMF_OK;
    if (rename(*tmp, p->ziphash) != 0) {
        r = io_error(diag, "rename", p->ziphash);
        (void)unlink(*tmp);
    }
    free(*tmp);
    *tmp = NULL;
    return r;
}

/* Drop a staged ziphash that will not be published. */
static void ziphash_drop(char **tmp)
{
    if (*tmp) {
        (void)unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
    }
}

/* Everything written so far (temp zip, staged ziphash, extracted tree) reaches the disk before
 * any name go trusts points at it, so a power loss cannot leave a published zip or tree with
 * lost contents.  One group-committed syncfs for all workers (see gmf_fs_barrier_wait). */
static enum gmf_err make_durable(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                 struct gmf_diag *diag)
{
    enum gmf_err r;
    int fd = open(p->vdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return io_error(diag, "open", p->vdir);
    r = gmf_fs_barrier_wait(c->barrier, fd, diag);
    close(fd);
    return r;
}

/* --- completeness ------------------------------------------------------------------------- */

bool gmf_cache_zip_complete(const struct gmf_cache_paths *p)
{
    struct stat st;

    /* os.Stat follows symlinks. */
    return stat(p->zip, &st) == 0 && stat(p->ziphash, &st) == 0;
}

bool gmf_cache_dir_complete(const struct gmf_cache_paths *p)
{
    struct stat st;

    if (stat(p->dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    /* Any error other than "does not exist" on .partial makes DownloadDir fail too. */
    if (stat(p->partial, &st) == 0 || errno != ENOENT)
        return false;
    return stat(p->ziphash, &st) == 0;
}

/* --- info, mod, list ---------------------------------------------------------------------- */

enum gmf_err gmf_cache_write_info(const struct gmf_cache_paths *p, const void *data, size_t len,
                                  struct gmf_diag *diag)
{
    enum gmf_err r = gmf_fs_mkdir_p(p->vdir, 0777, diag);

    return r ? r : gmf_fs_write_atomic(p->info, data, len, diag);
}

static int version_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int c = gmf_semver_compare(x, y);

    /* semver.ByVersion breaks ties by plain string order. */
    return c ? c : strcmp(x, y);
}

/* The content list should have: every "<v>.mod" in vdir whose stem is non-empty and already
 * canonical (module.CanonicalVersion(v) == v), so escaped "!x" stems never qualify. */
static enum gmf_err build_list(const char *vdir, struct gmf_buf *out, struct gmf_diag *diag)
{
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *d;

    d = opendir(vdir);
    if (!d)
        return io_error(diag, "open", vdir);
    while ((errno = 0, e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char *stem, *canon;

        if (len <= 4 || strcmp(e->d_name + len - 4, ".mod") != 0)
            continue;
        stem = gmf_xstrndup(e->d_name, len - 4);
        canon = gmf_semver_canonical(stem);
        if (canon && strcmp(canon, stem) == 0) {
            GMF_GROW(v, cap, n + 1);
            v[n++] = stem;
        } else {
            free(stem);
        }
        free(canon);
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof(*v), version_cmp);
    for (size_t i = 0; i < n; i++) {
        (void)gmf_buf_puts(out, v[i]);
        (void)gmf_buf_putc(out, '\n');
        free(v[i]);
    }
    free(v);
    return GMF_OK;
}

/* rewriteVersionList: lock list itself, rebuild it from the .mod files, and write only when
 * the content changed: truncate to 0, truncate to the new size, write. */
static enum gmf_err rewrite_list(const struct gmf_cache_paths *p, struct gmf_diag *diag)
{
    struct gmf_buf want;
    enum gmf_err r;
    struct stat st;
    int fd;

    gmf_buf_init(&want, GMF_BUF_UNLIMITED);
    fd = open(p->list, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return io_error(diag, "open", p->list);
    if (xflock(fd, LOCK_EX) != 0) {
        r = io_error(diag, "lock", p->list);
        goto out;
    }
    r = build_list(p->vdir, &want, diag);
    if (r)
        goto out;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size == want.len) {
        char *old = gmf_xmalloc(want.len + 1);
        ssize_t k = pread(fd, old, want.len + 1, 0);
        bool same = k >= 0 && (size_t)k == want.len &&
                    (want.len == 0 || memcmp(old, want.data, want.len) == 0);

        free(old);
        if (same)
            goto out;
    }
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)want.len) != 0) {
        r = io_error(diag, "truncate", p->list);
        goto out;
    }
    r = gmf_fs_pwrite_all(fd, want.data ? want.data : "", want.len, 0, diag);
    if (r)
        (void)ftruncate(fd, 0); /* as go: a torn list becomes an empty one */
out:
    (void)xflock(fd, LOCK_UN);
    close(fd);
    gmf_buf_release(&want);
    return r;
}

enum gmf_err gmf_cache_write_mod(const struct gmf_cache_paths *p, const void *data, size_t len,
                                 struct gmf_diag *diag)
{
    enum gmf_err r = gmf_fs_mkdir_p(p->vdir, 0777, diag);

    if (!r)
        r = gmf_fs_write_atomic(p->mod, data, len, diag);
    /* writeDiskCache ignores rewriteVersionList's error: list is a convenience for proxies
     * serving the cache, never read by builds, so it must not fail the module. */
    if (!r)
        (void)rewrite_list(p, NULL);
    return r;
}

/* --- the extracted tree ------------------------------------------------------------------- */

/* Remove every entry of dir whose name starts with prefix and ends with suffix (best effort;
 * only called under the version lock, which excludes the writers of those names). */
static void remove_matching(const char *dir, const char *prefix, const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    struct dirent *e;
    DIR *d = opendir(dir);

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char *full;

        if (len < pl + sl || memcmp(e->d_name, prefix, pl) != 0 ||
            memcmp(e->d_name + len - sl, suffix, sl) != 0)
            continue;
        full = gmf_xasprintf("%s/%s", dir, e->d_name);
        (void)gmf_fs_remove_all(full, NULL);
        free(full);
    }
    closedir(d);
}

static char *parent_of(const char *path, const char **ret_base)
{
    const char *slash = strrchr(path, '/');

    *ret_base = slash + 1;
    return gmf_xstrndup(path, (size_t)(slash - path));
}

/* Prepare an extraction (lock held, tree incomplete): .partial first, so that from now on
 * nothing at p->dir is trusted; then the stale tree and pre-1.16 "<dir>.tmp-*" dirs go. */
static enum gmf_err tree_begin(const struct gmf_cache_paths *p, struct gmf_diag *diag)
{
    const char *base;
    char *parent = parent_of(p->dir, &base);
    char *prefix = gmf_xasprintf("%s.tmp-", base);
    enum gmf_err r;
    int fd;

    r = gmf_fs_mkdir_p(parent, 0777, diag);
    if (r)
        goto out;
    fd = open(p->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        r = io_error(diag, "create", p->partial);
        goto out;
    }
    close(fd);
    /* .partial must be on disk before a stale tree starts to disappear; with no stale tree
     * there is nothing to order (the commit's barrier covers the rest). */
    if (gmf_fs_exists(p->dir))
        gmf_fs_sync_parent(p->partial);
    remove_matching(parent, prefix, "");
    r = gmf_fs_remove_all(p->dir, diag);
out:
    free(parent);
    free(prefix);
    return r;
}

/* Undo an extraction: the tree, then .partial, and .partial only once the tree is gone
 * (download() in fetch.go does the same), so a half-removed tree stays marked. */
static void tree_discard(const struct gmf_cache_paths *p)
{
    size_t root_len;
    char *dir;

    if (gmf_fs_remove_all(p->dir, NULL) != GMF_OK)
        return;
    (void)unlink(p->partial);
    /* Extraction created the parents of the tree (<root>/example.com/...) before the hash
     * was known; go, which hashes first, would not have.  Remove them again while empty,
     * up to the cache root.  rmdir(2) refuses non-empty directories, so what a concurrent
     * go is filling stays; the only window is a go that has created a parent and not yet
     * its own tree in it, and that go fails its extraction and redoes it next time. */
    root_len = strlen(p->dir) - strlen(p->esc_path) - strlen(p->esc_version) - 2;
    dir = gmf_xstrdup(p->dir);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) <= root_len)
            break;
        *slash = '\0';
        if (rmdir(dir) != 0)
            break;
    }
    free(dir);
}

/* makeDirsReadOnly: every directory with a write bit gets mode &^ 0222, children first.
 * Best effort, as in go. */
static void make_read_only(int parent, const char *name)
{
    struct stat st;
    DIR *d;
    int fd;

    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (e->d_type == DT_DIR)
            make_read_only(dirfd(d), e->d_name);
        else if (e->d_type == DT_UNKNOWN &&
                 fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISDIR(st.st_mode))
            make_read_only(dirfd(d), e->d_name);
    }
    if (fstat(dirfd(d), &st) == 0 && (st.st_mode & 0222))
        (void)fchmod(dirfd(d), st.st_mode & 07555);
    closedir(d);
}

/* Publish an extracted tree: read-only first, then .partial goes (the last step). */
static enum gmf_err tree_finish(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                struct gmf_diag *diag)
{
    if (!c->rw)
        make_read_only(AT_FDCWD, p->dir);
    if (unlink(p->partial) != 0 && errno != ENOENT)
        return io_error(diag, "remove", p->partial);
    return GMF_OK;
}

/* Check and hash the zip at zip_path and, when the tree is not complete, extract it under
 * .partial in the same pass.  *ret_extracted tells the caller to tree_finish() or
 * tree_discard().  On failure nothing extracted is left. */
static enum gmf_err hash_zip(const struct gmf_cache_paths *p, const char *zip_path,
                             bool *ret_extracted, char h1[GMF_H1_LEN + 1],
                             struct gmf_diag *diag)
{
    struct gmf_zipx *zx = NULL;
    bool extract = false;
    enum gmf_err r;

    r = gmf_zipx_open(zip_path, &zx, diag);
    if (r)
        return r;
    r = gmf_zipx_check(zx, p->path, p->version, diag);
    if (r)
        goto out;
    if (!gmf_cache_dir_complete(p)) {
        extract = true;
        r = tree_begin(p, diag);
        if (r)
            goto out;
    }
    r = gmf_zipx_process(zx, extract ? p->dir : NULL, h1, diag);
out:
    gmf_zipx_close(zx);
    if (r && extract)
        tree_discard(p);
    if (!r)
        *ret_extracted = extract;
    return r;
}

/* --- zip protocol ------------------------------------------------------------------------- */

static void zip_reset(struct gmf_cache_zip *z)
{
    z->lock_fd = -1;
    z->fd = -1;
    z->tmp_path = NULL;
    z->already_complete = false;
}

/* Delete "<ev>.zip*.tmp", the temp zips of dead writers, as downloadZip does; safe only
 * because the caller holds the version lock, which every writer of such a file holds (T4). */
static void sweep_zip_temps(const struct gmf_cache_paths *p)
{
    const char *base;
    char *dir = parent_of(p->zip, &base);

    remove_matching(dir, base, ".tmp");
    free(dir);
}

/* The zip and a well-formed ziphash exist (lock held) but the tree does not: go released the
 * lock between its zip and its extraction.  Extract as download() would, and refuse a zip
 * whose hash is not the one its ziphash claims. */
static enum gmf_err extract_existing(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                     const char *want, struct gmf_diag *diag)
{
    char h1[GMF_H1_LEN + 1];
    bool extracted = false;
    enum gmf_err r;

    r = hash_zip(p, p->zip, &extracted, h1, diag);
    if (r)
        return r;
    if (strcmp(h1, want) != 0) {
        if (extracted)
            tree_discard(p);
        return gmf_diag_set(diag, GMF_ECHECKSUM, "verifying %s@%s: zip has been modified (%s)",
                            p->path, p->version, p->zip);
    }
    if (!extracted)
        return GMF_OK;
    r = make_durable(c, p, diag);
    if (r) {
        tree_discard(p);
        return r;
    }
    return tree_finish(c, p, diag);
}

enum gmf_err gmf_cache_zip_begin(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                 struct gmf_cache_zip *ret, struct gmf_diag *diag)
{
    char have[GMF_H1_LEN + 1];
    char *tmp = NULL;
    int lock_fd = -1, fd = -1;
    enum gmf_err r;

    r = gmf_fs_lock(p->lock, &lock_fd, diag);
    if (r)
        return r;
    /* Re-check under the lock (downloadZip): someone may have finished while we waited. */
    if (gmf_cache_zip_complete(p) && gmf_cache_read_ziphash(p, have, NULL) == GMF_OK) {
        if (!gmf_cache_dir_complete(p)) {
            r = extract_existing(c, p, have, diag);
            if (r)
                goto fail;
        }
        gmf_fs_unlock(lock_fd);
        zip_reset(ret);
        ret->already_complete = true;
        return GMF_OK;
    }
    sweep_zip_temps(p);
    r = gmf_fs_temp_create(p->zip, &fd, &tmp, diag);
    if (r)
        goto fail;
    zip_reset(ret);
    ret->lock_fd = lock_fd;
    ret->fd = fd;
    ret->tmp_path = tmp;
    return GMF_OK;
fail:
    gmf_fs_unlock(lock_fd);
    return r;
}

void gmf_cache_zip_abort(struct gmf_cache_zip *z)
{
    if (z->fd >= 0)
        close(z->fd);
    if (z->tmp_path) {
        (void)unlink(z->tmp_path);
        free(z->tmp_path);
    }
    gmf_fs_unlock(z->lock_fd);
    zip_reset(z);
}

enum gmf_err gmf_cache_zip_commit(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                  struct gmf_cache_zip *z, gmf_cache_verify_fn verify,
                                  void *vctx, char ret_h1[GMF_H1_LEN + 1],
                                  struct gmf_diag *diag)
{
    char h1[GMF_H1_LEN + 1];
    bool extracted = false, renamed = false;
    char *zh_tmp = NULL;
    enum gmf_err r;

    if (z->already_complete || z->fd < 0 || !z->tmp_path) {
        gmf_cache_zip_abort(z);
        return gmf_diag_set(diag, GMF_EINVAL, "commit %s: no download in progress", p->zip);
    }
    close(z->fd);
    z->fd = -1;

    r = hash_zip(p, z->tmp_path, &extracted, h1, diag);
    if (r)
        goto out;
    r = verify ? verify(vctx, h1, diag) : GMF_OK;
    if (r)
        goto out;
    r = ziphash_stage(p, h1, &zh_tmp, diag);
    if (!r)
        r = make_durable(c, p, diag);
    if (!r)
        r = ziphash_publish(p, &zh_tmp, diag);
    if (r)
        goto out;
    if (rename(z->tmp_path, p->zip) != 0) {
        r = io_error(diag, "rename", p->zip);
        goto out;
    }
    renamed = true;
    if (extracted) {
        extracted = false;
        r = tree_finish(c, p, diag);
    }
out:
    ziphash_drop(&zh_tmp);
    if (extracted)
        tree_discard(p);
    if (renamed) {
        free(z->tmp_path);
        z->tmp_path = NULL;
    }
    gmf_cache_zip_abort(z);
    if (!r)
        memcpy(ret_h1, h1, GMF_H1_LEN + 1);
    return r;
}

enum gmf_err gmf_cache_zip_repair(const struct gmf_cache *c, const struct gmf_cache_paths *p,
                                  gmf_cache_verify_fn verify, void *vctx,
                                  char ret_h1[GMF_H1_LEN + 1], struct gmf_diag *diag)
{
    char have[GMF_H1_LEN + 1], h1[GMF_H1_LEN + 1];
    bool have_ok, extracted = false;
    char *zh_tmp = NULL;
    int lock_fd = -1;
    enum gmf_err r;

    r = gmf_fs_lock(p->lock, &lock_fd, diag);
    if (r)
        return r;
    if (!gmf_fs_exists(p->zip)) {
        r = gmf_diag_set(diag, GMF_ENOTFOUND, "repair %s: zip file is missing", p->zip);
        goto out;
    }
    have_ok = gmf_cache_read_ziphash(p, have, NULL) == GMF_OK;
    if (have_ok && gmf_cache_dir_complete(p)) {
        /* Nothing is missing (someone repaired it meanwhile); still let verify judge it, as
         * checkMod does with the ziphash. */
        memcpy(h1, have, sizeof(h1));
        r = verify ? verify(vctx, h1, diag) : GMF_OK;
        goto out;
    }
    sweep_zip_temps(p); /* downloadZip sweeps before its re-hash too */
    r = hash_zip(p, p->zip, &extracted, h1, diag);
    if (r)
        goto out;
    r = verify ? verify(vctx, h1, diag) : GMF_OK;
    if (r)
        goto out;
    r = ziphash_stage(p, h1, &zh_tmp, diag);
    if (!r && (zh_tmp || extracted))
        r = make_durable(c, p, diag);
    if (!r)
        r = ziphash_publish(p, &zh_tmp, diag);
    if (r)
        goto out;
    if (extracted) {
        extracted = false;
        r = tree_finish(c, p, diag);
    }
out:
    ziphash_drop(&zh_tmp);
    if (extracted)
        tree_discard(p);
    gmf_fs_unlock(lock_fd);
    if (!r)
        memcpy(ret_h1, h1, GMF_H1_LEN + 1);
    return r;
}
