/* replay: run a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer.
 *
 * Usage: replay_<target> PATH...   where each PATH is a file or a directory (its regular
 * files, sorted, not recursive; names starting with '.' or "README" are skipped).  A missing
 * PATH is an error so that a mistyped corpus directory cannot pass silently.  Exit 0 when
 * every input ran; a broken invariant or a sanitizer report aborts the process.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/xalloc.h"

/* Inputs above this are not what the fuzzers explore (their -max_len is far smaller). */
#define REPLAY_MAX_INPUT ((size_t)64 << 20)

static int run_file(const char *path)
{
    struct gmf_buf b;
    struct gmf_diag diag;
    size_t len;
    char *data;

    gmf_buf_init(&b, REPLAY_MAX_INPUT);
    if (gmf_fs_read_file(path, REPLAY_MAX_INPUT, &b, &diag) != GMF_OK) {
        (void)fprintf(stderr, "replay: %s\n", diag.msg);
        gmf_buf_release(&b);
        return -1;
    }
    data = gmf_buf_detach(&b, &len);
    /* libFuzzer hands over a buffer of exactly len bytes: copy so that ASan sees overreads. */
    {
        uint8_t *exact = gmf_xmalloc(len ? len : 1);

        memcpy(exact, data, len);
        (void)LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    free(data);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    if (!d) {
        (void)fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strncmp(de->d_name, "README", 6) == 0)
            continue;
        GMF_GROW(names, cap, n + 1);
        names[n++] = gmf_xasprintf("%s/%s", dir, de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        struct stat st;

        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) != 0)
                rc = -1;
            else
                (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int i;

    if (argc < 2) {
        (void)fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            (void)fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) != 0 : run_file(argv[i]) != 0)
            return 1;
        if (!S_ISDIR(st.st_mode))
            count++;
    }
    (void)printf("replayed %u inputs\n", count);
    return 0;
}
