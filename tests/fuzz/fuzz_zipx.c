/* Fuzz target: module zip checking, hashing and extraction (zipx.h).
 *
 * Input: the bytes of a zip.  The module path@version is read from the first entry name
 * ("<path>@<version>/...", else example.com/m@v1.0.0) so that seeds from golang.org/x/mod's
 * test data and tests/data/zips reach past the prefix check.  The zip is written to a file
 * under a private temp directory and run through gmf_zipx_open, _check, and (when the
 * check passes) _process twice: hash only, then hash + extract into a fresh directory four
 * levels below the temp root.  Invariants:
 *   - both passes agree: same result code, and the same h1 on success;
 *   - on failure ret_h1 is left alone and the diag has a message;
 *   - whatever the outcome, nothing exists in the temp root but the input zip and the
 *     extraction directory's chain, and everything under that chain is inside the
 *     destination: regular files of mode 0444 and directories, never a symlink or a device;
 *   - on success every extracted file size is at most the zip's declared total.
 * Zips declaring more than 1 MiB in total are only checked, not inflated, to keep the
 * fuzzer fast (a declared size can never be exceeded: that is checked in test_zipx.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "fuzz.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"
#include "gmfetch/zipx.h"

#define INFLATE_LIMIT ((uint64_t)1 << 20)

static char *root;      /* private temp dir, made once */
static char *zip_path;  /* root/in.zip */
static char *chain;     /* root/t: the only other thing allowed in root */
static char *dest;      /* root/t/a/b/c/dest */

static void cleanup(void)
{
    (void)gmf_fs_remove_all(root, NULL);
}

static void init_once(void)
{
    const char *t = getenv("TMPDIR");

    if (root)
        return;
    umask(022);
    root = gmf_xasprintf("%s/fuzz_zipx.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(root))
        fuzz_fail("mkdtemp %s: %s", root, strerror(errno));
    zip_path = gmf_xasprintf("%s/in.zip", root);
    chain = gmf_xasprintf("%s/t", root);
    dest = gmf_xasprintf("%s/t/a/b/c/dest", root);
    (void)atexit(cleanup);
}

/* Walk dir; rel is the path below root.  Everything must be a directory on the way to dest,
 * or inside dest. */
static void walk(const char *dir, const char *rel, uint64_t max_size)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    static const char dest_rel[] = "t/a/b/c/dest";

    FUZZ_CHECK(d != NULL, "opendir %s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        char *full, *crel;
        struct stat st;
        size_t n;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        full = gmf_xasprintf("%s/%s", dir, de->d_name);
        crel = rel[0] ? gmf_xasprintf("%s/%s", rel, de->d_name) : gmf_xstrdup(de->d_name);
        FUZZ_CHECK(lstat(full, &st) == 0, "lstat %s", full);
        n = strlen(crel);
        if (strcmp(crel, "in.zip") == 0) {
            FUZZ_CHECK(S_ISREG(st.st_mode), "in.zip replaced");
        } else if (n < sizeof(dest_rel) - 1 + 1 || strncmp(crel, dest_rel, sizeof(dest_rel) - 1)
                   != 0 || crel[sizeof(dest_rel) - 1] != '/') {
            /* On the chain itself (t, t/a, ..., dest): directories we made. */
            FUZZ_CHECK(strncmp(dest_rel, crel, n) == 0 &&
                           (dest_rel[n] == '/' || dest_rel[n] == '\0'),
                       "%s written outside the destination", crel);
            FUZZ_CHECK(S_ISDIR(st.st_mode), "%s is not a directory", crel);
        } else {
            FUZZ_CHECK(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode),
                       "%s: mode %o (not a file or directory)", crel, (unsigned)st.st_mode);
            if (S_ISREG(st.st_mode)) {
                FUZZ_CHECK((st.st_mode & 07777) == 0444, "%s: mode %o", crel,
                           (unsigned)(st.st_mode & 07777));
                FUZZ_CHECK((uint64_t)st.st_size <= max_size, "%s: %lld bytes, declared %llu",
                           crel, (long long)st.st_size, (unsigned long long)max_size);
            }
        }
        if (S_ISDIR(st.st_mode))
            walk(full, crel, max_size);
        free(crel);
        free(full);
    }
    closedir(d);
}

/* Not gmf_fs_write_atomic: its fsync would dominate the run time. */
static void write_input(const uint8_t *data, size_t size)
{
    int fd = open(zip_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    FUZZ_CHECK(fd >= 0, "open %s: %s", zip_path, strerror(errno));
    FUZZ_CHECK(gmf_fs_pwrite_all(fd, data, size, 0, NULL) == GMF_OK, "write %s", zip_path);
    close(fd);
}

/* Path and version from the first entry name, and the declared total size. */
static void inspect(char **ret_path, char **ret_version, uint64_t *ret_total)
{
    int zerr = 0;
    zip_t *za = zip_open(zip_path, ZIP_RDONLY, &zerr);

    *ret_path = gmf_xstrdup("example.com/m");
    *ret_version = gmf_xstrdup("v1.0.0");
    *ret_total = 0;
    if (!za)
        return;
    {
        zip_int64_t n = zip_get_num_entries(za, 0), i;
        const char *name = n > 0 ? zip_get_name(za, 0, ZIP_FL_ENC_RAW) : NULL;
        const char *at = name ? strchr(name, '@') : NULL;
        const char *slash = at ? strchr(at, '/') : NULL;

        if (at && slash) {
            free(*ret_path);
            free(*ret_version);
            *ret_path = gmf_xstrndup(name, (size_t)(at - name));
            *ret_version = gmf_xstrndup(at + 1, (size_t)(slash - at - 1));
        }
        for (i = 0; i < n; i++) {
            zip_stat_t st;

            if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_UNCHANGED, &st) == 0 &&
                (st.valid & ZIP_STAT_SIZE))
                *ret_total += st.size > INFLATE_LIMIT ? INFLATE_LIMIT + 1 : st.size;
        }
    }
    zip_discard(za);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gmf_diag diag;
    struct gmf_zipx *z = NULL;
    char *path, *version;
    uint64_t total;
    enum gmf_err r;

    init_once();
    FUZZ_CHECK(gmf_fs_remove_all(chain, &diag) == GMF_OK, "%s", diag.msg);
    write_input(data, size);
    FUZZ_CHECK(gmf_fs_mkdir_p(chain, 0777, &diag) == GMF_OK, "%s", diag.msg);
    inspect(&path, &version, &total);

    gmf_diag_init(&diag);
    r = gmf_zipx_open(zip_path, &z, &diag);
    if (r != GMF_OK) {
        FUZZ_CHECK(z == NULL, "ret written on failure");
        FUZZ_CHECK(diag.msg[0] != '\0', "open failed without a message");
        goto out;
    }
    r = gmf_zipx_check(z, path, version, &diag);
    if (r != GMF_OK) {
        char h1[GMF_H1_LEN + 1] = "untouched";

        FUZZ_CHECK(diag.msg[0] != '\0', "check failed without a message");
        FUZZ_CHECK(gmf_zipx_process(z, dest, h1, NULL) == GMF_EINVAL,
                   "process after a failed check");
        FUZZ_CHECK(!gmf_fs_exists(dest), "dest created after a failed check");
    } else if (total <= INFLATE_LIMIT) {
        char h1a[GMF_H1_LEN + 1] = "untouched", h1b[GMF_H1_LEN + 1] = "untouched";
        enum gmf_err ra, rb;

        gmf_diag_init(&diag);
        ra = gmf_zipx_process(z, NULL, h1a, &diag);
        if (ra != GMF_OK)
            FUZZ_CHECK(diag.msg[0] != '\0' && strcmp(h1a, "untouched") == 0,
                       "hash failure: message or ret_h1");
        gmf_diag_init(&diag);
        rb = gmf_zipx_process(z, dest, h1b, &diag);
        if (rb != GMF_OK)
            FUZZ_CHECK(diag.msg[0] != '\0' && strcmp(h1b, "untouched") == 0,
                       "extract failure: message or ret_h1");
        /* Extraction may fail where hashing does not only for file system reasons. */
        FUZZ_CHECK(ra == rb || (ra == GMF_OK && rb == GMF_EIO),
                   "hash-only %d, extract %d (%s)", (int)ra, (int)rb, diag.msg);
        if (ra == GMF_OK && rb == GMF_OK)
            FUZZ_CHECK(strcmp(h1a, h1b) == 0, "h1 %s vs %s", h1a, h1b);
    }
    walk(root, "", total);
out:
    gmf_zipx_close(z);
    free(path);
    free(version);
    return 0;
}
