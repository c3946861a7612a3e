#include "gmfetch/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gmfetch/xalloc.h"

static enum gmf_err io_error(struct gmf_diag *diag, const char *what, const char *path)
{
    return gmf_diag_set(diag, GMF_EIO, "%s %s: %s", what, path, strerror(errno));
}

enum gmf_err gmf_fs_read_file(const char *path, size_t max, struct gmf_buf *out,
                              struct gmf_diag *diag)
{
    char chunk[65536];
    enum gmf_err r = GMF_OK;
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? gmf_diag_set(diag, GMF_ENOTFOUND, "open %s: %s", path,
                                              strerror(errno))
                               : io_error(diag, "open", path);
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = io_error(diag, "read", path);
            break;
        }
        if (n == 0)
            break;
        if (out->len + (size_t)n > max || gmf_buf_append(out, chunk, (size_t)n)) {
            r = gmf_diag_set(diag, GMF_ETOOBIG, "read %s: file larger than %zu bytes", path,
                             max);
            break;
        }
    }
    close(fd);
    return r;
}

bool gmf_fs_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

enum gmf_err gmf_fs_mkdir_p(const char *path, mode_t mode, struct gmf_diag *diag)
{
    enum gmf_err r = GMF_OK;
    char *p, *slash;

    /* Most calls find the directory or its parent already there: try the leaf first and
     * walk up only on ENOENT (a cold run makes ~10k of these calls). */
    if (mkdir(path, mode) == 0 || errno == EEXIST)
        return GMF_OK;
    if (errno != ENOENT)
        return io_error(diag, "mkdir", path);
    p = gmf_xstrdup(path);
    slash = strrchr(p, '/');
    while (slash && slash > p && slash[-1] == '/')
        slash--;
    if (slash && slash != p) {
        *slash = '\0';
        r = gmf_fs_mkdir_p(p, mode, diag);
    }
    if (!r && mkdir(path, mode) != 0 && errno != EEXIST)
        r = io_error(diag, "mkdir", path);
    free(p);
    return r;
}

/* A per-process xorshift generator for temp-name digits; names only need to be unlikely to
 * collide, O_EXCL takes care of the rest. */
static uint32_t temp_rand(void)
{
    static _Thread_local uint64_t s;

    if (!s) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
            (uint64_t)(uintptr_t)&s;
        if (!s)
            s = 88172645463325252ull;
    }
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s % 1000000000u);
}

enum gmf_err gmf_fs_temp_create(const char *final, int *ret_fd, char **ret_path,
                                struct gmf_diag *diag)
{
    for (int tries = 0; tries < 10000; tries++) {
        char *tmp = gmf_xasprintf("%s%u.tmp", final, temp_rand());
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

        if (fd >= 0) {
            *ret_fd = fd;
            *ret_path = tmp;
            return GMF_OK;
        }
        if (errno != EEXIST) {
            enum gmf_err r = io_error(diag, "create", tmp);
            free(tmp);
            return r;
        }
        free(tmp);
    }
    return gmf_diag_set(diag, GMF_EIO, "create temp file for %s: too many collisions", final);
}

enum gmf_err gmf_fs_pwrite_all(int fd, const void *data, size_t len, off_t off,
                               struct gmf_diag *diag)
{
    const char *p = data;

    while (len) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return gmf_diag_set(diag, GMF_EIO, "write: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return GMF_OK;
}

void gmf_fs_sync_parent(const char *path)
{
    char *dir = gmf_xstrdup(path);
    char *slash = strrchr(dir, '/');
    int fd;

    if (slash && slash != dir)
        *slash = '\0';
    else if (slash)
        slash[1] = '\0';
    else
    {
        dir[0] = '.'; /* path is non-empty, so dir has room for ".\0" */
        dir[1] = '\0';
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

enum gmf_err gmf_fs_write_atomic(const char *path, const void *data, size_t len,
                                 struct gmf_diag *diag)
{
    char *tmp = NULL;
    enum gmf_err r;
    int fd = -1;

    r = gmf_fs_temp_create(path, &fd, &tmp, diag);
    if (r)
        return r;
    r = gmf_fs_pwrite_all(fd, data, len, 0, diag);
    if (r)
        goto out;
    if (rename(tmp, path) != 0) {
        r = io_error(diag, "rename", path);
        goto out;
    }
    free(tmp);
    tmp = NULL;
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        (void)unlink(tmp);
        free(tmp);
    }
    return r;
}

static enum gmf_err remove_tree(int parent, const char *name, const char *shown,
                                struct gmf_diag *diag)
{
    struct stat st;
    enum gmf_err r = GMF_OK;
    DIR *d;
    int fd;

    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? GMF_OK : io_error(diag, "stat", shown);
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(parent, name, 0) != 0 && errno != ENOENT)
            return io_error(diag, "remove", shown);
        return GMF_OK;
    }
    if (fchmodat(parent, name, st.st_mode | S_IRWXU, 0) != 0)
        return io_error(diag, "chmod", shown);
    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return io_error(diag, "open", shown);
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return io_error(diag, "open", shown);
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        r = remove_tree(dirfd(d), e->d_name, shown, diag);
        if (r)
            break;
    }
    closedir(d);
    if (!r && unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        r = io_error(diag, "remove", shown);
    return r;
}

enum gmf_err gmf_fs_remove_all(const char *path, struct gmf_diag *diag)
{
    return remove_tree(AT_FDCWD, path, path, diag);
}

enum gmf_err gmf_fs_lock(const char *path, int *ret_fd, struct gmf_diag *diag)
{
    char *dir = gmf_xstrdup(path);
    char *slash = strrchr(dir, '/');
    enum gmf_err r;
    int fd;

    if (slash && slash != dir) {
        *slash = '\0';
        r = gmf_fs_mkdir_p(dir, 0777, diag);
        if (r) {
            free(dir);
            return r;
        }
    }
    free(dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return io_error(diag, "open", path);
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        r = io_error(diag, "lock", path);
        close(fd);
        return r;
    }
    *ret_fd = fd;
    return GMF_OK;
}

void gmf_fs_unlock(int fd)
{
    if (fd < 0)
        return;
    (void)flock(fd, LOCK_UN);
    close(fd);
}

/* --- barrier ------------------------------------------------------------------------------ */

struct gmf_fs_barrier {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool have_dev;
    dev_t dev;
    uint64_t arrived;  /* ticket of the latest caller */
    uint64_t covered;  /* every ticket up to this one is on disk */
    bool running;      /* a syncfs is in flight */
    int err;           /* errno of the first failed syncfs, or 0 (sticky: the disk is bad) */
    uint64_t err_from; /* the first ticket that failed sync was meant to cover */
};

struct gmf_fs_barrier *gmf_fs_barrier_new(void)
{
    struct gmf_fs_barrier *b = gmf_xmalloc(sizeof(*b));

    memset(b, 0, sizeof(*b));
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    return b;
}

void gmf_fs_barrier_free(struct gmf_fs_barrier *b)
{
    if (!b)
        return;
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

static int syncfs_errno(int fd)
{
    return syncfs(fd) == 0 ? 0 : errno;
}

enum gmf_err gmf_fs_barrier_wait(struct gmf_fs_barrier *b, int fd, struct gmf_diag *diag)
{
    struct stat st;
    uint64_t ticket;
    int err = 0;

    if (fstat(fd, &st) != 0)
        return gmf_diag_set(diag, GMF_EIO, "sync: %s", strerror(errno));
    pthread_mutex_lock(&b->mu);
    if (!b->have_dev) {
        b->have_dev = true;
        b->dev = st.st_dev;
    }
    if (b->dev != st.st_dev) {
        pthread_mutex_unlock(&b->mu);
        err = syncfs_errno(fd);
        goto out;
    }
    /* A syncfs that starts after this ticket was taken covers this caller's writes. */
    ticket = ++b->arrived;
    while (b->covered < ticket) {
        if (b->running) {
            pthread_cond_wait(&b->cv, &b->mu);
            continue;
        }
        uint64_t from = b->covered + 1, upto = b->arrived;
        b->running = true;
        pthread_mutex_unlock(&b->mu);
        int e = syncfs_errno(fd);
        pthread_mutex_lock(&b->mu);
        b->running = false;
        b->covered = upto;
        if (e && !b->err) {
            b->err = e;
            b->err_from = from;
        }
        pthread_cond_broadcast(&b->cv);
    }
    /* A failed sync fails every caller it was meant to cover, and every later one: their
     * data may be lost. */
    if (b->err && ticket >= b->err_from)
        err = b->err;
    pthread_mutex_unlock(&b->mu);
out:
    if (err) {
        errno = err;
        return gmf_diag_set(diag, GMF_EIO, "sync: %s", strerror(err));
    }
    return GMF_OK;
}
