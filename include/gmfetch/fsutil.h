/* fsutil: the filesystem primitives the cache protocol is built from.
 *
 * Everything here opens with O_CLOEXEC, retries EINTR, and reports failures as GMF_EIO with
 * the path and strerror() in the diag.  A file becomes final only through
 * gmf_fs_write_atomic() or gmf_fs_temp_create() + fsync + rename, so a crash leaves either
 * the old state or the new one, plus at worst a "*.tmp" file that go itself also cleans up.
 */
#ifndef GMFETCH_FSUTIL_H
#define GMFETCH_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gmfetch/buf.h"
#include "gmfetch/err.h"

/* Read the whole file into out (appending), failing with GMF_ETOOBIG past max bytes. */
enum gmf_err gmf_fs_read_file(const char *path, size_t max, struct gmf_buf *out,
                              struct gmf_diag *diag);

/* True when path exists (any type; symlinks are not followed). */
bool gmf_fs_exists(const char *path);

/* mkdir -p with mode (umask applies); existing directories are fine. */
enum gmf_err gmf_fs_mkdir_p(const char *path, mode_t mode, struct gmf_diag *diag);

/* Create a fresh temp file next to final: "<final><random digits>.tmp", the scheme go uses
 * (cmd/go/internal/modfetch/cache.go tempFile), opened O_RDWR|O_CREAT|O_EXCL with mode 0666.
 * On success *ret_fd and *ret_path (heap, caller frees) are set. */
enum gmf_err gmf_fs_temp_create(const char *final, int *ret_fd, char **ret_path,
                                struct gmf_diag *diag);

/* Write data to a temp file beside path and rename it over path. Mode 0666 & ~umask.  No
 * fsync, as go's writeDiskCache: a process crash cannot tear the file, and durability across
 * a power loss comes from a later gmf_fs_barrier_wait(). */
enum gmf_err gmf_fs_write_atomic(const char *path, const void *data, size_t len,
                                 struct gmf_diag *diag);

/* Write all of data at offset off (pwrite loop). */
enum gmf_err gmf_fs_pwrite_all(int fd, const void *data, size_t len, off_t off,
                               struct gmf_diag *diag);

/* rm -rf that first adds u+w to directories (the module cache is read-only). A missing path
 * is success. */
enum gmf_err gmf_fs_remove_all(const char *path, struct gmf_diag *diag);

/* Open path O_RDWR|O_CREAT 0666 and take flock(LOCK_EX), blocking; go's lockedfile protocol
 * (cmd/go/internal/lockedfile) so a concurrent go command is excluded.  Parent directories
 * are created.  *ret_fd holds the lock until gmf_fs_unlock(). */
enum gmf_err gmf_fs_lock(const char *path, int *ret_fd, struct gmf_diag *diag);
/* Release and close; -1 is a no-op. */
void gmf_fs_unlock(int fd);

/* fsync the directory holding path so a rename into it is durable. Best effort. */
void gmf_fs_sync_parent(const char *path);

/* A group commit of syncfs(2).  gmf_fs_barrier_wait(b, fd) returns once everything written
 * to fd's filesystem before the call is on stable storage.  Threads that arrive while a sync
 * runs share the next one, so N committers cost a few journal commits instead of N fsyncs
 * (an fsync per file on a journaled ext4 costs a commit each: it doubled a cold run's wall
 * time).  A barrier serves the filesystem of the first fd it sees; fds on another one get a
 * syncfs of their own.  Thread-safe. */
struct gmf_fs_barrier;
struct gmf_fs_barrier *gmf_fs_barrier_new(void);
void gmf_fs_barrier_free(struct gmf_fs_barrier *b);
enum gmf_err gmf_fs_barrier_wait(struct gmf_fs_barrier *b, int fd, struct gmf_diag *diag);

#endif
