#include "gmfetch/zipx.h"

/* zipx: module zips read the way go reads them, decompressed by libzip.
 *
 * Two readers, one view.  Go's archive/zip and libzip parse the same bytes with different
 * rules (which end-of-central-directory record wins, data before the first entry, the zip64
 * locator, the InfoZIP entry-count hack).  A zip that each parser reads differently would let
 * a hostile proxy hand us one set of files (hashed, verified, extracted) while go, re-reading
 * the cached zip later, sees another.  So gmf_zipx_open() first parses the central directory
 * exactly as Go 1.19's archive/zip does (reader.go: readDirectoryEnd, readDirectoryHeader),
 * then opens the file with libzip, and insists that
 *   - the end record go picks is the only one libzip could pick (no second plausible "PK\5\6"
 *     in libzip's search window, the zip64 locator used by both or by neither),
 *   - there is no data before the first entry (go's baseOffset is 0; libzip has no such
 *     notion), so both read the central directory at the same offset,
 *   - libzip lists the same number of entries, and entry i has the same raw name, method,
 *     CRC-32 and sizes in both.
 * Every name, size and flag used afterwards comes from the go view; libzip only inflates.
 *
 * Reading data follows archive/zip's checksumReader: more bytes than declared is
 * "zip: not a valid zip file", fewer is "unexpected EOF", a bad CRC or data descriptor is
 * "zip: checksum error", methods other than store/deflate are refused.  libzip checks the
 * CRC itself at end of data, except for entries with no compressed bytes, which it
 * short-circuits; those are checked here.  Deviations, all stricter than go: a zip with
 * bytes before its first entry (go's baseOffset) or with a second plausible end record is
 * refused; an entry whose central CRC is 0 but whose data is not empty fails (go skips the
 * check when there is no data descriptor); names containing NUL are refused at open; and a
 * corrupt deflate stream fails with libzip's message rather than go's "flate: corrupt input
 * before offset N".
 *
 * Case folding for the collision check reproduces zip.go's strToFold: each rune becomes the
 * smallest rune of its unicode.SimpleFold orbit, then A-Z become a-z.  Non-ASCII runes use
 * the generated table below (Go 1.19, Unicode 13.0.0), so "K" (U+212A KELVIN SIGN) collides
 * with "k" and "ſ" (U+017F) with "s", exactly as in go.
 *
 * Extraction never leaves dest_dir: every path is opened with openat() relative to a
 * directory fd we opened, one component at a time, with O_NOFOLLOW, and components that are
 * empty, "." or ".." (or contain a backslash) are refused even though gmf_zipx_check() has
 * already rejected them.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "gmfetch/buf.h"
#include "gmfetch/fsutil.h"
#include "gmfetch/modpath.h"
#include "gmfetch/xalloc.h"

/* archive/zip's error values (reader.go, struct.go) and io.ErrUnexpectedEOF. */
#define ERR_FORMAT "zip: not a valid zip file"
#define ERR_CHECKSUM "zip: checksum error"
#define ERR_ALGORITHM "zip: unsupported compression algorithm"
#define ERR_UNEXPECTED_EOF "unexpected EOF"

/* Spelled out because go formats them with %d from zip.go's MaxGoMod and MaxLICENSE. */
#define ERR_GOMOD_SIZE "go.mod file too large (max size is 16777216 bytes)"
#define ERR_LICENSE_SIZE "LICENSE file too large (max size is 16777216 bytes)"
_Static_assert(GMF_ZIP_MAX_GOMOD == 16777216 && GMF_ZIP_MAX_LICENSE == 16777216,
               "size messages above");

/* Record sizes and signatures from the zip APPNOTE, as archive/zip/struct.go names them. */
#define FILE_HEADER_LEN 30
#define DIR_HEADER_LEN 46
#define DIR_END_LEN 22
#define DIR64_LOC_LEN 20
#define DIR64_END_LEN 56
#define SIG_FILE_HEADER 0x04034b50u
#define SIG_DIR_HEADER 0x02014b50u
#define SIG_DIR_END 0x06054b50u
#define SIG_DIR64_LOC 0x07064b50u
#define SIG_DIR64_END 0x06064b50u
#define SIG_DATA_DESCRIPTOR 0x08074b50u
#define ZIP64_EXTRA_ID 0x0001u
#define FLAG_DATA_DESCRIPTOR 0x8u

/* libzip (zip_open.c) searches the last MAXCOMLEN + EOCDLEN + EOCD64LOCLEN bytes for end
 * records; anything in that window could be its choice. */
#define LIBZIP_CDBUFSIZE (65535 + DIR_END_LEN + DIR64_LOC_LEN)

/* Entries are inflated through a buffer of this size: large enough that syscall and libzip
 * call overhead vanish next to inflate and SHA-256, small enough for the stack of any
 * thread. */
#define CHUNK (64 * 1024)

struct entry {
    char *name; /* raw central-directory bytes, NUL-terminated (NUL inside is refused) */
    size_t name_len;
    uint16_t flags;
    uint16_t method;
    uint32_t crc;
    uint64_t csize;
    uint64_t usize;
    uint64_t header_off;
};

struct gmf_zipx {
    int fd;
    uint64_t size; /* of the file, at open */
    zip_t *za;
    struct entry *entries;
    size_t nentries;
    size_t cap;
    char *prefix; /* "<path>@<version>/" after a successful check, else NULL */
    size_t prefix_len;
};

/* ---- little-endian helpers and positioned reads ---- */

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* pread until n bytes or end of file; returns the count read or -1 with errno. */
static ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Sequential reader over the file from an offset, like the bufio.Reader go wraps around
 * the central directory. */
struct seqr {
    int fd;
    uint64_t off; /* file offset of buf[0] */
    unsigned char buf[CHUNK];
    size_t len;
    size_t pos;
};

/* io.ReadFull: 1 when all n bytes were read, 0 on a short read (EOF), -1 on I/O error. */
static int seqr_read(struct seqr *s, unsigned char *dst, size_t n)
{
    while (n) {
        size_t k;
        ssize_t r;

        if (s->pos == s->len) {
            s->off += s->len;
            s->len = s->pos = 0;
            r = pread_full(s->fd, s->buf, sizeof(s->buf), s->off);
            if (r < 0)
                return -1;
            if (r == 0)
                return 0;
            s->len = (size_t)r;
        }
        k = s->len - s->pos < n ? s->len - s->pos : n;
        memcpy(dst, s->buf + s->pos, k);
        s->pos += k;
        dst += k;
        n -= k;
    }
    return 1;
}

/* ---- the central directory as go's archive/zip reads it ---- */

static void free_entries(struct gmf_zipx *z)
{
    size_t i;

    for (i = 0; i < z->nentries; i++)
        free(z->entries[i].name);
    free(z->entries);
    z->entries = NULL;
    z->nentries = z->cap = 0;
}

/* findSignatureInBlock: the last "PK\5\6" whose comment fits inside the block. */
static long find_dir_end(const unsigned char *b, size_t len)
{
    size_t i;

    if (len < DIR_END_LEN)
        return -1;
    for (i = len - DIR_END_LEN + 1; i-- > 0;) {
        if (get32(b + i) == SIG_DIR_END && get16(b + i + 20) + DIR_END_LEN + i <= len)
            return (long)i;
    }
    return -1;
}

struct dir_end {
    uint64_t end_off;   /* offset of the (zip64) end record go uses for baseOffset */
    uint64_t eocd_off;  /* offset of the classic end record */
    uint16_t comment_len;
    uint64_t records;
    uint64_t dir_size;
    uint64_t dir_off;
    int zip64;
};

static enum gmf_err io_fail(struct gmf_diag *diag, const char *what)
{
    return gmf_diag_set(diag, GMF_EIO, "%s: %s", what, strerror(errno));
}

/* readDirectoryEnd and findDirectory64End/readDirectory64End of archive/zip. */
static enum gmf_err read_dir_end(struct gmf_zipx *z, struct dir_end *d, struct gmf_diag *diag)
{
    static const uint64_t blocks[2] = {1024, 65 * 1024};
    unsigned char *buf = NULL;
    unsigned char loc[DIR64_LOC_LEN];
    unsigned char e64[DIR64_END_LEN];
    const unsigned char *b;
    enum gmf_err r = GMF_OK;
    uint64_t blen = 0;
    long p = -1;
    int i;

    for (i = 0; i < 2; i++) {
        blen = blocks[i] > z->size ? z->size : blocks[i];
        free(buf);
        buf = gmf_xmalloc(blen ? blen : 1);
        if (pread_full(z->fd, buf, blen, z->size - blen) != (ssize_t)blen) {
            r = io_fail(diag, "read zip");
            goto out;
        }
        p = find_dir_end(buf, blen);
        if (p >= 0)
            break;
        if (i == 1 || blen == z->size) {
            r = gmf_diag_set(diag, GMF_EZIP, ERR_FORMAT);
            goto out;
        }
    }
    b = buf + p;
    d->eocd_off = z->size - blen + (uint64_t)p;
    d->end_off = d->eocd_off;
    d->records = get16(b + 10);
    d->dir_size = get32(b + 12);
    d->dir_off = get32(b + 16);
    d->comment_len = get16(b + 20);
    d->zip64 = 0;
    /* go's condition, including its comparison of the 32-bit size with 0xffff. */
    if (d->records == 0xffff || d->dir_size == 0xffff || d->dir_off == 0xffffffff) {
        if (d->eocd_off >= DIR64_LOC_LEN) {
            if (pread_full(z->fd, loc, sizeof(loc), d->eocd_off - DIR64_LOC_LEN) !=
                (ssize_t)sizeof(loc)) {
                r = io_fail(diag, "read zip");
                goto out;
            }
            if (get32(loc) == SIG_DIR64_LOC && get32(loc + 4) == 0 && get32(loc + 16) == 1 &&
                get64(loc + 8) <= INT64_MAX) {
                uint64_t p64 = get64(loc + 8);

                if (pread_full(z->fd, e64, sizeof(e64), p64) != (ssize_t)sizeof(e64)) {
                    /* ReadAt past the end: go returns the bare io.EOF. */
                    r = gmf_diag_set(diag, GMF_EZIP, "EOF");
                    goto out;
                }
                if (get32(e64) != SIG_DIR64_END) {
                    r = gmf_diag_set(diag, GMF_EZIP, ERR_FORMAT);
                    goto out;
                }
                d->records = get64(e64 + 32);
                d->dir_size = get64(e64 + 40);
                d->dir_off = get64(e64 + 48);
                d->end_off = p64;
                d->zip64 = 1;
            }
        }
    }
    /* go: baseOffset = end_off - dir_size - dir_off, and the directory it implies must start
     * inside the file.  Ours: baseOffset must be 0, as libzip has no such notion and would
     * read every entry at a different offset. */
    if (d->dir_size > d->end_off) {
        r = gmf_diag_set(diag, GMF_EZIP, ERR_FORMAT);
        goto out;
    }
    if (d->dir_off < d->end_off - d->dir_size) {
        r = gmf_diag_set(diag, GMF_EZIP, "zip: data before the first entry is not supported");
        goto out;
    }
    if (d->dir_off > d->end_off - d->dir_size) {
        r = gmf_diag_set(diag, GMF_EZIP, "zip: central directory offset does not match its end");
        goto out;
    }
out:
    free(buf);
    return r;
}

/* Is there an end record other than go's that libzip (zip_open.c _zip_find_central_dir)
 * might accept?  libzip tries every "PK\5\6" in its window whose comment fits before end of
 * file and keeps the one whose entries span most; we call one plausible when a zip64 locator
 * precedes it, or when its directory lies before it and starts with a central header
 * signature.  Compressed data rarely holds such a record by chance, so refusing costs
 * nothing real. */
static enum gmf_err check_single_end(struct gmf_zipx *z, const struct dir_end *d,
                                     struct gmf_diag *diag)
{
    uint64_t wlen = z->size < LIBZIP_CDBUFSIZE ? z->size : LIBZIP_CDBUFSIZE;
    uint64_t wstart = z->size - wlen;
    unsigned char *w = gmf_xmalloc(wlen ? wlen : 1);
    enum gmf_err r = GMF_OK;
    uint64_t i;

    if (pread_full(z->fd, w, wlen, wstart) != (ssize_t)wlen) {
        r = io_fail(diag, "read zip");
        goto out;
    }
    for (i = 0; i + DIR_END_LEN <= wlen; i++) {
        uint64_t at = wstart + i;
        uint64_t off, size, records;
        unsigned char sig[4];

        if (get32(w + i) != SIG_DIR_END || at == d->eocd_off)
            continue;
        if (get16(w + i + 20) > wlen - i - DIR_END_LEN)
            continue;
        records = get16(w + i + 10);
        size = get32(w + i + 12);
        off = get32(w + i + 16);
        if (i >= DIR64_LOC_LEN && get32(w + i - DIR64_LOC_LEN) == SIG_DIR64_LOC)
            goto ambiguous;
        if (off > at || size > at - off)
            continue;
        /* An empty directory cannot hide files: had libzip chosen it, the entry counts
         * compared in open_libzip() would differ. */
        if (records == 0)
            continue;
        if (pread_full(z->fd, sig, 4, off) == 4 && get32(sig) == SIG_DIR_HEADER)
            goto ambiguous;
    }
    /* libzip reads the zip64 end record whenever a locator precedes the end record; go only
     * when a 32-bit field is saturated.  They must agree. */
    if (!d->zip64 && d->eocd_off >= DIR64_LOC_LEN) {
        unsigned char loc[4];

        if (pread_full(z->fd, loc, 4, d->eocd_off - DIR64_LOC_LEN) == 4 &&
            get32(loc) == SIG_DIR64_LOC)
            goto ambiguous;
    }
    goto out;
ambiguous:
    r = gmf_diag_set(diag, GMF_EZIP, "zip: ambiguous end of central directory");
out:
    free(w);
    return r;
}

/* readDirectoryHeader: 1 = entry read, 0 = stop (go's ErrFormat/ErrUnexpectedEOF, the text in
 * *stop), -1 = I/O error. */
static int read_dir_header(struct seqr *s, struct entry *e, uint64_t *consumed,
                           const char **stop)
{
    unsigned char h[DIR_HEADER_LEN];
    unsigned char *var;
    size_t name_len, extra_len, comment_len, vlen;
    int need_usize, need_csize, need_off;
    const unsigned char *x;
    size_t xlen;
    int r;

    r = seqr_read(s, h, sizeof(h));
    if (r <= 0) {
        *stop = ERR_UNEXPECTED_EOF;
        return r;
    }
    if (get32(h) != SIG_DIR_HEADER) {
        *stop = ERR_FORMAT;
        return 0;
    }
    e->flags = get16(h + 8);
    e->method = get16(h + 10);
    e->crc = get32(h + 16);
    e->csize = get32(h + 20);
    e->usize = get32(h + 24);
    name_len = get16(h + 28);
    extra_len = get16(h + 30);
    comment_len = get16(h + 32);
    e->header_off = get32(h + 42);
    vlen = name_len + extra_len + comment_len;
    var = gmf_xmalloc(vlen ? vlen : 1);
    r = seqr_read(s, var, vlen);
    if (r <= 0) {
        *stop = ERR_UNEXPECTED_EOF;
        free(var);
        return r;
    }
    need_usize = e->usize == 0xffffffff;
    need_csize = e->csize == 0xffffffff;
    need_off = e->header_off == 0xffffffff;
    x = var + name_len;
    xlen = extra_len;
    while (xlen >= 4) {
        unsigned tag = get16(x);
        size_t fsize = get16(x + 2);
        const unsigned char *f = x + 4;

        if (xlen - 4 < fsize)
            break;
        x += 4 + fsize;
        xlen -= 4 + fsize;
        if (tag != ZIP64_EXTRA_ID)
            continue;
        /* Only saturated 32-bit fields are taken from the zip64 field, in this order. */
        if (need_usize) {
            need_usize = 0;
            if (fsize < 8)
                goto bad;
            e->usize = get64(f);
            f += 8;
            fsize -= 8;
        }
        if (need_csize) {
            need_csize = 0;
            if (fsize < 8)
                goto bad;
            e->csize = get64(f);
            f += 8;
            fsize -= 8;
        }
        if (need_off) {
            need_off = 0;
            if (fsize < 8)
                goto bad;
            e->header_off = get64(f);
        }
    }
    /* An unsaturated uncompressed size of 2^32-1 is accepted by go (42.zip); the others not. */
    if (need_csize || need_off)
        goto bad;
    e->name = gmf_xstrndup((const char *)var, name_len);
    e->name_len = name_len;
    *consumed += DIR_HEADER_LEN + vlen;
    free(var);
    return 1;
bad:
    *stop = ERR_FORMAT;
    free(var);
    return 0;
}

static enum gmf_err read_go_view(struct gmf_zipx *z, struct gmf_diag *diag)
{
    struct seqr *s = gmf_xmalloc(sizeof(*s));
    const char *stop = ERR_FORMAT;
    enum gmf_err r = GMF_OK;
    struct dir_end d = {0};
    uint64_t consumed = 0;
    size_t i;
    int k;

    r = read_dir_end(z, &d, diag);
    if (r)
        goto out;
    r = check_single_end(z, &d, diag);
    if (r)
        goto out;
    s->fd = z->fd;
    s->off = d.dir_off;
    s->len = s->pos = 0;
    for (;;) {
        struct entry e = {0};

        k = read_dir_header(s, &e, &consumed, &stop);
        if (k < 0) {
            r = io_fail(diag, "read zip");
            goto out;
        }
        if (k == 0)
            break;
        GMF_GROW(z->entries, z->cap, z->nentries + 1);
        z->entries[z->nentries++] = e;
    }
    /* go compares the count modulo 2^16 only, returning the error that stopped the walk. */
    if ((uint16_t)z->nentries != (uint16_t)d.records) {
        r = gmf_diag_set(diag, GMF_EZIP, "%s", stop);
        goto out;
    }
    /* Ours: the entries must fill the directory exactly, as libzip requires, so that both
     * readers agree on where it ends. */
    if (consumed != d.dir_size) {
        r = gmf_diag_set(diag, GMF_EZIP, "zip: central directory size mismatch");
        goto out;
    }
    for (i = 0; i < z->nentries; i++) {
        /* gmf_xstrndup() stopped at the first NUL: libzip's C-string names could not be
         * compared, and no valid module file name contains one. */
        if (strlen(z->entries[i].name) != z->entries[i].name_len) {
            r = gmf_diag_set(diag, GMF_EZIP, "zip: file name contains NUL byte");
            goto out;
        }
    }
out:
    free(s);
    return r;
}

/* ---- libzip, and the agreement check ---- */

static enum gmf_err open_libzip(struct gmf_zipx *z, struct gmf_diag *diag)
{
    zip_source_t *src = NULL;
    zip_error_t ze;
    enum gmf_err r = GMF_OK;
    FILE *fp = NULL;
    zip_int64_t n;
    size_t i;
    int fd2;

    zip_error_init(&ze);
    /* libzip reads through its own FILE; give it a close-on-exec duplicate of our fd so both
     * views come from the same inode and no descriptor leaks into a child go command.
     * (zip_fdopen() would dup() without FD_CLOEXEC.) */
    fd2 = fcntl(z->fd, F_DUPFD_CLOEXEC, 0);
    if (fd2 < 0) {
        r = io_fail(diag, "dup zip descriptor");
        goto out;
    }
    fp = fdopen(fd2, "rb");
    if (!fp) {
        r = io_fail(diag, "fdopen zip");
        close(fd2);
        goto out;
    }
    src = zip_source_filep_create(fp, 0, -1, &ze);
    if (!src) {
        (void)fclose(fp);
        r = gmf_diag_set(diag, GMF_EZIP, "zip: %s", zip_error_strerror(&ze));
        goto out;
    }
    /* No ZIP_CHECKCONS: it turns duplicate names into an open failure, hiding go's
     * "multiple entries for file" diagnosis; the go view above is the stricter check. */
    z->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z->za) {
        zip_source_free(src);
        r = gmf_diag_set(diag, GMF_EZIP, "zip: %s", zip_error_strerror(&ze));
        goto out;
    }
    n = zip_get_num_entries(z->za, 0);
    if (n < 0 || (uint64_t)n != z->nentries) {
        r = gmf_diag_set(diag, GMF_EZIP, "zip: inconsistent central directory (%zu entries, "
                         "libzip sees %" PRId64 ")", z->nentries, (int64_t)n);
        goto out;
    }
    for (i = 0; i < z->nentries; i++) {
        const struct entry *e = &z->entries[i];
        zip_stat_t st;

        zip_stat_init(&st);
        if (zip_stat_index(z->za, i, ZIP_FL_ENC_RAW, &st) != 0 || !st.name ||
            strcmp(st.name, e->name) != 0 || (uint64_t)st.comp_method != e->method ||
            st.crc != e->crc || st.comp_size != e->csize || st.size != e->usize) {
            r = gmf_diag_set(diag, GMF_EZIP, "zip: inconsistent central directory entry %zu",
                             i);
            goto out;
        }
    }
out:
    zip_error_fini(&ze);
    return r;
}

enum gmf_err gmf_zipx_open(const char *path, struct gmf_zipx **ret, struct gmf_diag *diag)
{
    struct gmf_zipx *z = gmf_xcalloc(1, sizeof(*z));
    enum gmf_err r = GMF_OK;
    struct stat st;

    z->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (z->fd < 0) {
        r = gmf_diag_set(diag, errno == ENOENT ? GMF_ENOTFOUND : GMF_EIO, "open %s: %s", path,
                         strerror(errno));
        goto out;
    }
    if (fstat(z->fd, &st) != 0) {
        r = gmf_diag_set(diag, GMF_EIO, "stat %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r = gmf_diag_set(diag, GMF_EZIP, "open %s: not a regular file", path);
        goto out;
    }
    z->size = (uint64_t)st.st_size;
    r = read_go_view(z, diag);
    if (r)
        goto out;
    r = open_libzip(z, diag);
out:
    if (r) {
        gmf_zipx_close(z);
        return r;
    }
    *ret = z;
    return GMF_OK;
}

void gmf_zipx_close(struct gmf_zipx *z)
{
    if (!z)
        return;
    if (z->za)
        zip_discard(z->za);
    if (z->fd >= 0)
        close(z->fd);
    free_entries(z);
    free(z->prefix);
    free(z);
}

/* ---- strToFold (golang.org/x/mod/zip/zip.go) ---- */

struct fold_run {
    uint32_t lo, hi;
    int32_t delta;
    uint32_t stride;
};

/* Generated by tests/tools/gen_fold_table.go under go1.19.8 (Unicode 13.0.0). */
static const struct fold_run fold_runs[204] = {
    {0xe0, 0xf6, -32, 1}, {0xf8, 0xfe, -32, 1}, {0x101, 0x12f, -1, 2}, {0x133, 0x137, -1, 2},
    {0x13a, 0x148, -1, 2}, {0x14b, 0x177, -1, 2}, {0x178, 0x178, -121, 1}, {0x17a, 0x17e, -1, 2},
    {0x17f, 0x17f, -268, 1}, {0x183, 0x185, -1, 2}, {0x188, 0x188, -1, 1}, {0x18c, 0x18c, -1, 1},
    {0x192, 0x192, -1, 1}, {0x199, 0x199, -1, 1}, {0x1a1, 0x1a5, -1, 2}, {0x1a8, 0x1a8, -1, 1},
    {0x1ad, 0x1ad, -1, 1}, {0x1b0, 0x1b0, -1, 1}, {0x1b4, 0x1b6, -1, 2}, {0x1b9, 0x1b9, -1, 1},
    {0x1bd, 0x1bd, -1, 1}, {0x1c5, 0x1c5, -1, 1}, {0x1c6, 0x1c6, -2, 1}, {0x1c8, 0x1c8, -1, 1},
    {0x1c9, 0x1c9, -2, 1}, {0x1cb, 0x1cb, -1, 1}, {0x1cc, 0x1cc, -2, 1}, {0x1ce, 0x1dc, -1, 2},
    {0x1dd, 0x1dd, -79, 1}, {0x1df, 0x1ef, -1, 2}, {0x1f2, 0x1f2, -1, 1}, {0x1f3, 0x1f3, -2, 1},
    {0x1f5, 0x1f5, -1, 1}, {0x1f6, 0x1f6, -97, 1}, {0x1f7, 0x1f7, -56, 1}, {0x1f9, 0x21f, -1, 2},
    {0x220, 0x220, -130, 1}, {0x223, 0x233, -1, 2}, {0x23c, 0x23c, -1, 1}, {0x23d, 0x23d, -163, 1},
    {0x242, 0x242, -1, 1}, {0x243, 0x243, -195, 1}, {0x247, 0x24f, -1, 2}, {0x253, 0x253, -210, 1},
    {0x254, 0x254, -206, 1}, {0x256, 0x257, -205, 1}, {0x259, 0x259, -202, 1},
    {0x25b, 0x25b, -203, 1}, {0x260, 0x260, -205, 1}, {0x263, 0x263, -207, 1},
    {0x268, 0x268, -209, 1}, {0x269, 0x269, -211, 1}, {0x26f, 0x26f, -211, 1},
    {0x272, 0x272, -213, 1}, {0x275, 0x275, -214, 1}, {0x280, 0x280, -218, 1},
    {0x283, 0x283, -218, 1}, {0x288, 0x288, -218, 1}, {0x289, 0x289, -69, 1},
    {0x28a, 0x28b, -217, 1}, {0x28c, 0x28c, -71, 1}, {0x292, 0x292, -219, 1},
    {0x371, 0x373, -1, 2}, {0x377, 0x377, -1, 1}, {0x399, 0x399, -84, 1}, {0x39c, 0x39c, -743, 1},
    {0x3ac, 0x3ac, -38, 1}, {0x3ad, 0x3af, -37, 1}, {0x3b1, 0x3b8, -32, 1},
    {0x3b9, 0x3b9, -116, 1}, {0x3ba, 0x3bb, -32, 1}, {0x3bc, 0x3bc, -775, 1},
    {0x3bd, 0x3c1, -32, 1}, {0x3c2, 0x3c2, -31, 1}, {0x3c3, 0x3cb, -32, 1}, {0x3cc, 0x3cc, -64, 1},
    {0x3cd, 0x3ce, -63, 1}, {0x3d0, 0x3d0, -62, 1}, {0x3d1, 0x3d1, -57, 1}, {0x3d5, 0x3d5, -47, 1},
    {0x3d6, 0x3d6, -54, 1}, {0x3d7, 0x3d7, -8, 1}, {0x3d9, 0x3ef, -1, 2}, {0x3f0, 0x3f0, -86, 1},
    {0x3f1, 0x3f1, -80, 1}, {0x3f3, 0x3f3, -116, 1}, {0x3f4, 0x3f4, -92, 1},
    {0x3f5, 0x3f5, -96, 1}, {0x3f8, 0x3f8, -1, 1}, {0x3f9, 0x3f9, -7, 1}, {0x3fb, 0x3fb, -1, 1},
    {0x3fd, 0x3ff, -130, 1}, {0x430, 0x44f, -32, 1}, {0x450, 0x45f, -80, 1}, {0x461, 0x481, -1, 2},
    {0x48b, 0x4bf, -1, 2}, {0x4c2, 0x4ce, -1, 2}, {0x4cf, 0x4cf, -15, 1}, {0x4d1, 0x52f, -1, 2},
    {0x561, 0x586, -48, 1}, {0x13f8, 0x13fd, -8, 1}, {0x1c80, 0x1c80, -6254, 1},
    {0x1c81, 0x1c81, -6253, 1}, {0x1c82, 0x1c82, -6244, 1}, {0x1c83, 0x1c84, -6242, 1},
    {0x1c85, 0x1c85, -6243, 1}, {0x1c86, 0x1c86, -6236, 1}, {0x1c87, 0x1c87, -6181, 1},
    {0x1c90, 0x1cba, -3008, 1}, {0x1cbd, 0x1cbf, -3008, 1}, {0x1e01, 0x1e95, -1, 2},
    {0x1e9b, 0x1e9b, -59, 1}, {0x1e9e, 0x1e9e, -7615, 1}, {0x1ea1, 0x1eff, -1, 2},
    {0x1f08, 0x1f0f, -8, 1}, {0x1f18, 0x1f1d, -8, 1}, {0x1f28, 0x1f2f, -8, 1},
    {0x1f38, 0x1f3f, -8, 1}, {0x1f48, 0x1f4d, -8, 1}, {0x1f59, 0x1f5f, -8, 2},
    {0x1f68, 0x1f6f, -8, 1}, {0x1f88, 0x1f8f, -8, 1}, {0x1f98, 0x1f9f, -8, 1},
    {0x1fa8, 0x1faf, -8, 1}, {0x1fb8, 0x1fb9, -8, 1}, {0x1fba, 0x1fbb, -74, 1},
    {0x1fbc, 0x1fbc, -9, 1}, {0x1fbe, 0x1fbe, -7289, 1}, {0x1fc8, 0x1fcb, -86, 1},
    {0x1fcc, 0x1fcc, -9, 1}, {0x1fd8, 0x1fd9, -8, 1}, {0x1fda, 0x1fdb, -100, 1},
    {0x1fe8, 0x1fe9, -8, 1}, {0x1fea, 0x1feb, -112, 1}, {0x1fec, 0x1fec, -7, 1},
    {0x1ff8, 0x1ff9, -128, 1}, {0x1ffa, 0x1ffb, -126, 1}, {0x1ffc, 0x1ffc, -9, 1},
    {0x2126, 0x2126, -7549, 1}, {0x212a, 0x212a, -8383, 1}, {0x212b, 0x212b, -8294, 1},
    {0x214e, 0x214e, -28, 1}, {0x2170, 0x217f, -16, 1}, {0x2184, 0x2184, -1, 1},
    {0x24d0, 0x24e9, -26, 1}, {0x2c30, 0x2c5e, -48, 1}, {0x2c61, 0x2c61, -1, 1},
    {0x2c62, 0x2c62, -10743, 1}, {0x2c63, 0x2c63, -3814, 1}, {0x2c64, 0x2c64, -10727, 1},
    {0x2c65, 0x2c65, -10795, 1}, {0x2c66, 0x2c66, -10792, 1}, {0x2c68, 0x2c6c, -1, 2},
    {0x2c6d, 0x2c6d, -10780, 1}, {0x2c6e, 0x2c6e, -10749, 1}, {0x2c6f, 0x2c6f, -10783, 1},
    {0x2c70, 0x2c70, -10782, 1}, {0x2c73, 0x2c73, -1, 1}, {0x2c76, 0x2c76, -1, 1},
    {0x2c7e, 0x2c7f, -10815, 1}, {0x2c81, 0x2ce3, -1, 2}, {0x2cec, 0x2cee, -1, 2},
    {0x2cf3, 0x2cf3, -1, 1}, {0x2d00, 0x2d25, -7264, 1}, {0x2d27, 0x2d27, -7264, 1},
    {0x2d2d, 0x2d2d, -7264, 1}, {0xa641, 0xa649, -1, 2}, {0xa64a, 0xa64a, -35266, 1},
    {0xa64b, 0xa64b, -35267, 1}, {0xa64d, 0xa66d, -1, 2}, {0xa681, 0xa69b, -1, 2},
    {0xa723, 0xa72f, -1, 2}, {0xa733, 0xa76f, -1, 2}, {0xa77a, 0xa77c, -1, 2},
    {0xa77d, 0xa77d, -35332, 1}, {0xa77f, 0xa787, -1, 2}, {0xa78c, 0xa78c, -1, 1},
    {0xa78d, 0xa78d, -42280, 1}, {0xa791, 0xa793, -1, 2}, {0xa797, 0xa7a9, -1, 2},
    {0xa7aa, 0xa7aa, -42308, 1}, {0xa7ab, 0xa7ab, -42319, 1}, {0xa7ac, 0xa7ac, -42315, 1},
    {0xa7ad, 0xa7ad, -42305, 1}, {0xa7ae, 0xa7ae, -42308, 1}, {0xa7b0, 0xa7b0, -42258, 1},
    {0xa7b1, 0xa7b1, -42282, 1}, {0xa7b2, 0xa7b2, -42261, 1}, {0xa7b5, 0xa7bf, -1, 2},
    {0xa7c3, 0xa7c3, -1, 1}, {0xa7c4, 0xa7c4, -48, 1}, {0xa7c5, 0xa7c5, -42307, 1},
    {0xa7c6, 0xa7c6, -35384, 1}, {0xa7c8, 0xa7ca, -1, 2}, {0xa7f6, 0xa7f6, -1, 1},
    {0xab53, 0xab53, -928, 1}, {0xab70, 0xabbf, -38864, 1}, {0xff41, 0xff5a, -32, 1},
    {0x10428, 0x1044f, -40, 1}, {0x104d8, 0x104fb, -40, 1}, {0x10cc0, 0x10cf2, -64, 1},
    {0x118c0, 0x118df, -32, 1}, {0x16e60, 0x16e7f, -32, 1}, {0x1e922, 0x1e943, -34, 1},
};

static uint32_t fold_rune(uint32_t r)
{
    size_t lo = 0, hi = sizeof(fold_runs) / sizeof(fold_runs[0]);

    if (r < 0x80)
        return r >= 'A' && r <= 'Z' ? r + ('a' - 'A') : r;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct fold_run *f = &fold_runs[mid];

        if (r < f->lo) {
            hi = mid;
        } else if (r > f->hi) {
            lo = mid + 1;
        } else {
            if ((r - f->lo) % f->stride == 0)
                return (uint32_t)((int32_t)r + f->delta);
            return r;
        }
    }
    return r;
}

static void put_utf8(struct gmf_buf *b, uint32_t r)
{
    char u[4];
    size_t n;

    if (r < 0x80) {
        u[0] = (char)r;
        n = 1;
    } else if (r < 0x800) {
        u[0] = (char)(0xC0 | r >> 6);
        u[1] = (char)(0x80 | (r & 0x3F));
        n = 2;
    } else if (r < 0x10000) {
        u[0] = (char)(0xE0 | r >> 12);
        u[1] = (char)(0x80 | (r >> 6 & 0x3F));
        u[2] = (char)(0x80 | (r & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | r >> 18);
        u[1] = (char)(0x80 | (r >> 12 & 0x3F));
        u[2] = (char)(0x80 | (r >> 6 & 0x3F));
        u[3] = (char)(0x80 | (r & 0x3F));
        n = 4;
    }
    (void)gmf_buf_append(b, u, n);
}

/* Fresh heap string; strToFold(s) == strToFold(t) iff strings.EqualFold(s, t).  Invalid
 * UTF-8 decodes to U+FFFD as in go's range loop (CheckFilePath has refused it anyway). */
static char *to_fold(const char *s, size_t n)
{
    struct gmf_buf b;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80 || (c >= 'A' && c <= 'Z'))
            break;
    }
    if (i == n)
        return gmf_xstrndup(s, n);
    gmf_buf_init(&b, GMF_BUF_UNLIMITED);
    (void)gmf_buf_append(&b, s, i);
    while (i < n) {
        uint32_t r;
        size_t w = gmf_modpath_decode_rune(s + i, n - i, &r);

        put_utf8(&b, fold_rune(r));
        i += w;
    }
    return gmf_buf_detach(&b, NULL);
}

/* ---- collisionChecker (zip.go) ---- */

struct cc_slot {
    char *fold; /* NULL = empty slot */
    char *path;
    bool is_dir;
};

struct collisions {
    struct cc_slot *slots;
    size_t cap; /* power of two */
    size_t used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return h;
}

static struct cc_slot *cc_find(struct collisions *cc, const char *fold)
{
    size_t i = (size_t)hash_str(fold) & (cc->cap - 1);

    while (cc->slots[i].fold && strcmp(cc->slots[i].fold, fold) != 0)
        i = (i + 1) & (cc->cap - 1);
    return &cc->slots[i];
}

static void cc_init(struct collisions *cc)
{
    cc->cap = 64;
    cc->used = 0;
    cc->slots = gmf_xcalloc(cc->cap, sizeof(*cc->slots));
}

static void cc_release(struct collisions *cc)
{
    size_t i;

    for (i = 0; i < cc->cap; i++) {
        free(cc->slots[i].fold);
        free(cc->slots[i].path);
    }
    free(cc->slots);
    cc->slots = NULL;
}

static void cc_grow(struct collisions *cc)
{
    struct collisions bigger;
    size_t i;

    bigger.cap = cc->cap * 2;
    bigger.used = cc->used;
    bigger.slots = gmf_xcalloc(bigger.cap, sizeof(*bigger.slots));
    for (i = 0; i < cc->cap; i++) {
        if (cc->slots[i].fold)
            *cc_find(&bigger, cc->slots[i].fold) = cc->slots[i];
    }
    free(cc->slots);
    *cc = bigger;
}

/* collisionChecker.check: p (clean, no trailing slash) and then each parent directory.
 * Returns a heap message or NULL. */
static char *cc_check(struct collisions *cc, const char *p, size_t n, bool is_dir)
{
    for (;;) {
        char *fold = to_fold(p, n);
        struct cc_slot *s = cc_find(cc, fold);
        const char *slash;

        if (s->fold) {
            free(fold);
            if (strlen(s->path) != n || memcmp(s->path, p, n) != 0) {
                char *qa = gmf_modpath_quote(s->path, strlen(s->path));
                char *qb = gmf_modpath_quote(p, n);
                char *m = gmf_xasprintf("case-insensitive file name collision: %s and %s", qa,
                                        qb);

                free(qa);
                free(qb);
                return m;
            }
            if (is_dir != s->is_dir) {
                char *q = gmf_modpath_quote(p, n);
                char *m = gmf_xasprintf("entry %s is both a file and a directory", q);

                free(q);
                return m;
            }
            if (!is_dir) {
                char *q = gmf_modpath_quote(p, n);
                char *m = gmf_xasprintf("multiple entries for file %s", q);

                free(q);
                return m;
            }
            /* The same directory again is fine: every file re-registers its parents. */
        } else {
            s->fold = fold;
            s->path = gmf_xstrndup(p, n);
            s->is_dir = is_dir;
            if (++cc->used * 2 > cc->cap)
                cc_grow(cc);
        }
        /* path.Dir of a clean relative path: everything before the last slash, or ".". */
        slash = NULL;
        for (size_t i = n; i-- > 0;) {
            if (p[i] == '/') {
                slash = p + i;
                break;
            }
        }
        if (!slash)
            return NULL;
        n = (size_t)(slash - p);
        is_dir = true;
    }
}

/* ---- path.Clean, to test path.Clean(name) == name ---- */

/* Lexical cleaning as documented for go's path.Clean: collapse slashes, drop "." elements,
 * let ".." remove the element before it, drop ".." at the root, and use "." for nothing. */
static bool is_clean(const char *p, size_t n)
{
    char *out = gmf_xmalloc(n + 2); /* the result is never longer than n, or "." */
    size_t *starts = NULL;          /* where each kept element begins in out */
    size_t olen = 0, depth = 0, cap = 0, i = 0;
    size_t base = n > 0 && p[0] == '/' ? 1 : 0;
    bool clean;

    if (base)
        out[olen++] = '/';
    while (i < n) {
        size_t j = i;

        while (j < n && p[j] != '/')
            j++;
        if (j == i || (j - i == 1 && p[i] == '.')) {
            /* empty or "." element: dropped */
        } else if (j - i == 2 && p[i] == '.' && p[i + 1] == '.' && depth > 0 &&
                   !(olen - starts[depth - 1] == 2 && out[starts[depth - 1]] == '.' &&
                     out[starts[depth - 1] + 1] == '.')) {
            olen = starts[--depth];
            if (olen > base)
                olen--; /* and the slash before it */
        } else if (j - i == 2 && p[i] == '.' && p[i + 1] == '.' && base) {
            /* ".." at the root: dropped */
        } else {
            if (olen > base)
                out[olen++] = '/';
            GMF_GROW(starts, cap, depth + 1);
            starts[depth++] = olen;
            memcpy(out + olen, p + i, j - i);
            olen += j - i;
        }
        i = j + 1;
    }
    if (olen == 0)
        out[olen++] = '.';
    clean = olen == n && memcmp(out, p, n) == 0;
    free(out);
    free(starts);
    return clean;
}

/* ---- gmf_zipx_check: downloadZip's prefix check, then checkZip ---- */

static void add_error(struct gmf_buf *errs, const struct entry *e, const char *why)
{
    if (errs->len)
        (void)gmf_buf_putc(errs, '\n');
    (void)gmf_buf_printf(errs, "%s: %s", e->name, why);
}

/* Does base equal-fold "go.mod"? */
static bool fold_is_gomod(const char *base, size_t n)
{
    char *f = to_fold(base, n);
    bool yes = strcmp(f, "go.mod") == 0;

    free(f);
    return yes;
}

enum gmf_err gmf_zipx_check(struct gmf_zipx *z, const char *path, const char *version,
                            struct gmf_diag *diag)
{
    struct collisions cc;
    struct gmf_diag sub;
    struct gmf_buf errs;
    enum gmf_err r = GMF_OK;
    bool size_error = false;
    uint64_t total = 0;
    char *canon = NULL;
    char *prefix;
    size_t plen, i;

    free(z->prefix);
    z->prefix = NULL;
    prefix = gmf_xasprintf("%s@%s/", path, version);
    plen = strlen(prefix);
    gmf_buf_init(&errs, GMF_BUF_UNLIMITED);
    cc_init(&cc);

    /* checkZip starts with the version: module.CanonicalVersion, then module.Check. */
    canon = gmf_semver_canonical(version);
    if (!canon || strcmp(canon, version) != 0) {
        char *qv = gmf_modpath_quote(version, strlen(version));
        char *qc = gmf_modpath_quote(canon ? canon : "", canon ? strlen(canon) : 0);

        r = gmf_diag_set(diag, GMF_EINVAL, "version %s is not canonical (should be %s)", qv,
                         qc);
        free(qv);
        free(qc);
        goto out;
    }
    r = gmf_modpath_check_version(path, version, diag);
    if (r)
        goto out;

    /* cmd/go/internal/modfetch/fetch.go downloadZip, before hashing: the first entry outside
     * "<path>@<version>/" fails the download. */
    for (i = 0; i < z->nentries; i++) {
        if (strncmp(z->entries[i].name, prefix, plen) != 0) {
            r = gmf_diag_set(diag, GMF_EZIP, "zip for %.*s has unexpected file %s",
                             (int)(plen - 1), prefix, z->entries[i].name);
            goto out;
        }
    }

    if (z->size > GMF_ZIP_MAX_SIZE) {
        r = gmf_diag_set(diag, GMF_ETOOBIG,
                         "module zip file is too large (%" PRIu64 " bytes; limit is %" PRIu64
                         " bytes)", z->size, GMF_ZIP_MAX_SIZE);
        goto out;
    }

    for (i = 0; i < z->nentries; i++) {
        const struct entry *e = &z->entries[i];
        const char *name;
        size_t n, b;
        bool is_dir;
        char *why;

        if (strncmp(e->name, prefix, plen) != 0) {
            char *q = gmf_modpath_quote(prefix, plen);

            why = gmf_xasprintf("path does not have prefix %s", q);
            add_error(&errs, e, why);
            free(why);
            free(q);
            continue;
        }
        name = e->name + plen;
        n = e->name_len - plen;
        if (n == 0)
            continue;
        is_dir = name[n - 1] == '/';
        if (is_dir)
            n--;
        if (!is_clean(name, n)) {
            add_error(&errs, e, "file path is not clean");
            continue;
        }
        {
            /* CheckFilePath wants a C string; name may have lost its trailing slash. */
            char *fp = gmf_xstrndup(name, n);

            gmf_diag_init(&sub);
            r = gmf_modpath_check_file(fp, &sub);
            free(fp);
            if (r) {
                r = GMF_OK;
                add_error(&errs, e, sub.msg);
                continue;
            }
        }
        why = cc_check(&cc, name, n, is_dir);
        if (why) {
            add_error(&errs, e, why);
            free(why);
            continue;
        }
        if (is_dir)
            continue;
        for (b = n; b > 0 && name[b - 1] != '/'; b--)
            ;
        if (fold_is_gomod(name + b, n - b)) {
            if (b != 0) {
                add_error(&errs, e, "go.mod file not in module root directory");
                continue;
            }
            if (memcmp(name, "go.mod", 6) != 0) {
                add_error(&errs, e, "go.mod files must have lowercase names");
                continue;
            }
        }
        /* int64(UncompressedSize64) must be >= 0 and fit under the limit with the rest. */
        if (e->usize <= INT64_MAX && GMF_ZIP_MAX_SIZE - total >= e->usize)
            total += e->usize;
        else
            size_error = true;
        if (n == 6 && memcmp(name, "go.mod", 6) == 0 && e->usize > GMF_ZIP_MAX_GOMOD) {
            add_error(&errs, e, ERR_GOMOD_SIZE);
            continue;
        }
        if (n == 7 && memcmp(name, "LICENSE", 7) == 0 && e->usize > GMF_ZIP_MAX_LICENSE) {
            add_error(&errs, e, ERR_LICENSE_SIZE);
            continue;
        }
    }
    /* CheckedFiles.Err: the size error wins over the list of invalid files. */
    if (size_error) {
        r = gmf_diag_set(diag, GMF_ETOOBIG,
                         "total uncompressed size of module contents too large (max size is "
                         "%" PRIu64 " bytes)", GMF_ZIP_MAX_SIZE);
        goto out;
    }
    if (errs.len) {
        r = gmf_diag_set(diag, GMF_EZIP, "%s", errs.data);
        goto out;
    }
    z->prefix = prefix;
    z->prefix_len = plen;
    prefix = NULL;
out:
    free(prefix);
    free(canon);
    cc_release(&cc);
    gmf_buf_release(&errs);
    return r;
}

/* ---- gmf_zipx_process: HashZip and Unzip in one pass ---- */

/* Where files go: a directory fd we opened for dest_dir, and the fd of the directory the
 * previous file went to, since zips list the files of one directory together. */
/* The directory fds along the path last entered stay open: zip entries come in go's order,
 * files of one directory together, so the next file usually shares most of the path and
 * only the components that differ are opened (one openat per directory, not per file). */
struct extractor {
    const char *dest;
    int root_fd;
    char *cur;      /* relative path of the deepest open directory */
    int *fds;       /* fds[k]: directory of the first k+1 components of cur */
    size_t *ends;   /* ends[k]: where component k ends in cur */
    size_t depth, cap;
};

static bool bad_component(const char *c, size_t n)
{
    return n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.') ||
           memchr(c, '\\', n) != NULL;
}

static enum gmf_err refuse(struct extractor *x, const char *rel, struct gmf_diag *diag)
{
    return gmf_diag_set(diag, GMF_EZIP, "refusing to extract %s into %s", rel, x->dest);
}

static void leave_to(struct extractor *x, size_t depth)
{
    while (x->depth > depth)
        close(x->fds[--x->depth]);
}

/* An fd for directory rel[0..len) below dest, created (0777, umask applies) as needed, one
 * component at a time and never through a symlink. */
static enum gmf_err enter_dir(struct extractor *x, const char *rel, size_t len, int *ret_fd,
                              struct gmf_diag *diag)
{
    size_t keep = 0, i;

    /* The open directories that are a prefix of rel, whole components only. */
    while (keep < x->depth) {
        size_t e = x->ends[keep];
        if (e > len || memcmp(rel, x->cur, e) != 0 || (e < len && rel[e] != '/'))
            break;
        keep++;
    }
    leave_to(x, keep);
    i = keep ? x->ends[keep - 1] + 1 : 0;
    if (x->cap < len + 1) {
        x->cap = len + 1;
        x->cur = gmf_xrealloc(x->cur, x->cap);
        x->fds = gmf_xrealloc(x->fds, x->cap * sizeof(*x->fds));
        x->ends = gmf_xrealloc(x->ends, x->cap * sizeof(*x->ends));
    }
    memcpy(x->cur, rel, len); /* the kept prefix is already there, the rest is new */
    x->cur[len] = '\0';
    while (i < len) {
        int fd = x->depth ? x->fds[x->depth - 1] : x->root_fd, nfd;
        size_t j = i;

        while (j < len && rel[j] != '/')
            j++;
        if (bad_component(rel + i, j - i))
            return refuse(x, rel, diag);
        x->cur[j] = '\0';
        nfd = openat(fd, x->cur + i, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0 && errno == ENOENT) {
            if (mkdirat(fd, x->cur + i, 0777) != 0 && errno != EEXIST)
                return gmf_diag_set(diag, GMF_EIO, "mkdir %s/%.*s: %s", x->dest, (int)j, rel,
                                    strerror(errno));
            nfd = openat(fd, x->cur + i, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (nfd < 0)
            return gmf_diag_set(diag, GMF_EIO, "open %s/%.*s: %s", x->dest, (int)j, rel,
                                strerror(errno));
        if (j < len)
            x->cur[j] = '/';
        x->fds[x->depth] = nfd;
        x->ends[x->depth++] = j;
        i = j + 1;
    }
    *ret_fd = x->depth ? x->fds[x->depth - 1] : x->root_fd;
    return GMF_OK;
}

/* Create the file for entry name rel (relative to dest), O_EXCL, mode 0444 as go's Unzip. */
static enum gmf_err create_file(struct extractor *x, const char *rel, int *ret_fd,
                                struct gmf_diag *diag)
{
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    enum gmf_err r;
    int dfd = -1, fd;

    if (rel[0] == '/' || bad_component(base, strlen(base)))
        return refuse(x, rel, diag);
    r = enter_dir(x, rel, slash ? (size_t)(slash - rel) : 0, &dfd, diag);
    if (r)
        return r;
    fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
    if (fd < 0)
        return gmf_diag_set(diag, GMF_EIO, "open %s/%s: %s", x->dest, rel, strerror(errno));
    *ret_fd = fd;
    return GMF_OK;
}

static enum gmf_err write_all(int fd, const unsigned char *p, size_t n, const char *dest,
                              const char *rel, struct gmf_diag *diag)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return gmf_diag_set(diag, GMF_EIO, "write %s/%s: %s", dest, rel, strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return GMF_OK;
}

/* readDataDescriptor: the descriptor after the data must carry the central CRC. */
static enum gmf_err check_descriptor(struct gmf_zipx *z, const struct entry *e,
                                     struct gmf_diag *diag)
{
    unsigned char h[FILE_HEADER_LEN];
    unsigned char dd[16];
    uint64_t off;
    ssize_t n;
    size_t at;

    n = pread_full(z->fd, h, sizeof(h), e->header_off);
    if (n < 0)
        return io_fail(diag, "read zip");
    if (n != (ssize_t)sizeof(h))
        return gmf_diag_set(diag, GMF_EZIP, "EOF");
    if (get32(h) != SIG_FILE_HEADER)
        return gmf_diag_set(diag, GMF_EZIP, ERR_FORMAT);
    off = e->header_off + FILE_HEADER_LEN + get16(h + 26) + get16(h + 28) + e->csize;
    n = pread_full(z->fd, dd, sizeof(dd), off);
    if (n < 0)
        return io_fail(diag, "read zip");
    /* The signature is optional; without it the CRC comes first. */
    at = n >= 4 && get32(dd) == SIG_DATA_DESCRIPTOR ? 4 : 0;
    if (n < (ssize_t)(at + 12))
        return gmf_diag_set(diag, GMF_EZIP, ERR_UNEXPECTED_EOF);
    if (get32(dd + at) != e->crc)
        return gmf_diag_set(diag, GMF_EZIP, ERR_CHECKSUM);
    return GMF_OK;
}

/* go's text for a libzip read failure after total of e->usize bytes. */
static enum gmf_err read_error(const struct entry *e, zip_error_t *ze, uint64_t total,
                               struct gmf_diag *diag)
{
    switch (zip_error_code_zip(ze)) {
    case ZIP_ER_CRC:
    case ZIP_ER_INCONS:
        /* libzip checks at end of data, CRC before size; go checks the size first. */
        if (total != e->usize)
            return gmf_diag_set(diag, GMF_EZIP, ERR_UNEXPECTED_EOF);
        if (zip_error_code_zip(ze) == ZIP_ER_CRC)
            return gmf_diag_set(diag, GMF_EZIP, ERR_CHECKSUM);
        break;
    case ZIP_ER_EOF:
        return gmf_diag_set(diag, GMF_EZIP, ERR_UNEXPECTED_EOF);
    case ZIP_ER_NOZIP:
        return gmf_diag_set(diag, GMF_EZIP, ERR_FORMAT);
    case ZIP_ER_COMPNOTSUPP:
        return gmf_diag_set(diag, GMF_EZIP, ERR_ALGORITHM);
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
        return gmf_diag_set(diag, GMF_EIO, "zip: %s", zip_error_strerror(ze));
    default:
        break;
    }
    return gmf_diag_set(diag, GMF_EZIP, "zip: %s", zip_error_strerror(ze));
}

/* Inflate entry i once: every byte goes to the SHA-256 and, when out_fd >= 0, to the file.
 * The checks are archive/zip's checksumReader. */
static enum gmf_err read_entry(struct gmf_zipx *z, size_t i, int out_fd, const char *dest,
                               const char *rel, unsigned char *buf, unsigned char sha[32],
                               struct gmf_diag *diag)
{
    const struct entry *e = &z->entries[i];
    struct gmf_sha256 h;
    zip_file_t *zf = NULL;
    enum gmf_err r = GMF_OK;
    uint64_t total = 0;

    gmf_sha256_init(&h);
    if (e->method != ZIP_CM_STORE && e->method != ZIP_CM_DEFLATE) {
        r = gmf_diag_set(diag, GMF_EZIP, ERR_ALGORITHM);
        goto out;
    }
    /* libzip returns an empty, unchecked source when there are no compressed bytes. */
    if (e->csize == 0) {
        if (e->method == ZIP_CM_DEFLATE || e->usize != 0) {
            r = gmf_diag_set(diag, GMF_EZIP, ERR_UNEXPECTED_EOF);
            goto out;
        }
        if (e->flags & FLAG_DATA_DESCRIPTOR)
            r = check_descriptor(z, e, diag);
        else if (e->crc != 0)
            r = gmf_diag_set(diag, GMF_EZIP, ERR_CHECKSUM);
        goto out;
    }
    zf = zip_fopen_index(z->za, i, 0);
    if (!zf) {
        r = read_error(e, zip_get_error(z->za), 0, diag);
        goto out;
    }
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, CHUNK);

        if (n < 0) {
            r = read_error(e, zip_file_get_error(zf), total, diag);
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > e->usize) {
            r = gmf_diag_set(diag, GMF_EZIP, ERR_FORMAT);
            goto out;
        }
        gmf_sha256_update(&h, buf, (size_t)n);
        if (out_fd >= 0) {
            r = write_all(out_fd, buf, (size_t)n, dest, rel, diag);
            if (r)
                goto out;
        }
    }
    /* libzip has compared size and CRC-32 with the central directory by now; this guards
     * against a libzip that does not. */
    if (total != e->usize) {
        r = gmf_diag_set(diag, GMF_EZIP, ERR_UNEXPECTED_EOF);
        goto out;
    }
    if (e->flags & FLAG_DATA_DESCRIPTOR)
        r = check_descriptor(z, e, diag);
out:
    if (zf)
        (void)zip_fclose(zf);
    if (r)
        gmf_sha256_release(&h);
    else
        gmf_sha256_final(&h, sha);
    return r;
}

/* Unzip refuses a target that exists and is not empty (before creating anything). */
static enum gmf_err open_dest(const char *dest, int *ret_fd, struct gmf_diag *diag)
{
    enum gmf_err r;
    DIR *d;
    int fd;

    d = opendir(dest);
    if (d) {
        struct dirent *de;
        bool empty = true;

        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                empty = false;
                break;
            }
        }
        closedir(d);
        if (!empty)
            return gmf_diag_set(diag, GMF_EIO, "target directory %s exists and is not empty",
                                dest);
    }
    r = gmf_fs_mkdir_p(dest, 0777, diag);
    if (r)
        return r;
    fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return gmf_diag_set(diag, GMF_EIO, "open %s: %s", dest, strerror(errno));
    *ret_fd = fd;
    return GMF_OK;
}

struct named_sum {
    size_t index;
    const char *name;
};

static int named_sum_cmp(const void *a, const void *b)
{
    const struct named_sum *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* HashZip looks files up by name, so when a name occurs twice (allowed for directories
 * and for the bare prefix) every occurrence hashes the content of the last one. */
static enum gmf_err finish_hash(struct gmf_zipx *z, unsigned char (*sums)[32],
                                char ret_h1[GMF_H1_LEN + 1], struct gmf_diag *diag)
{
    struct named_sum *ns = gmf_xcalloc(z->nentries, sizeof(*ns));
    struct gmf_h1 h;
    enum gmf_err r;
    size_t i, j;

    for (i = 0; i < z->nentries; i++) {
        ns[i].index = i;
        ns[i].name = z->entries[i].name;
    }
    if (z->nentries > 1)
        qsort(ns, z->nentries, sizeof(*ns), named_sum_cmp);
    gmf_h1_init(&h);
    for (i = 0; i < z->nentries; i = j) {
        size_t last;

        for (j = i + 1; j < z->nentries && strcmp(ns[j].name, ns[i].name) == 0; j++)
            ;
        last = ns[j - 1].index;
        for (size_t k = i; k < j; k++)
            gmf_h1_add(&h, ns[k].name, sums[last]);
    }
    free(ns);
    /* Only a name with a newline fails, and CheckFilePath has refused those already. */
    r = gmf_h1_finish(&h, ret_h1, diag);
    if (r && diag)
        diag->code = GMF_EZIP;
    return r ? GMF_EZIP : GMF_OK;
}

enum gmf_err gmf_zipx_process(struct gmf_zipx *z, const char *dest_dir,
                              char ret_h1[GMF_H1_LEN + 1], struct gmf_diag *diag)
{
    struct extractor x = {.dest = dest_dir, .root_fd = -1};
    unsigned char(*sums)[32] = NULL;
    unsigned char *buf = NULL;
    enum gmf_err r = GMF_OK;
    size_t i;

    if (!z->prefix)
        return gmf_diag_set(diag, GMF_EINVAL, "zipx: process called without a successful check");
    if (dest_dir) {
        r = open_dest(dest_dir, &x.root_fd, diag);
        if (r)
            goto out;
    }
    buf = gmf_xmalloc(CHUNK);
    sums = gmf_xcalloc(z->nentries ? z->nentries : 1, sizeof(*sums));
    for (i = 0; i < z->nentries; i++) {
        const struct entry *e = &z->entries[i];
        const char *rel = e->name + z->prefix_len;
        size_t rlen = e->name_len - z->prefix_len;
        int out_fd = -1;

        /* Only regular files are written: not the bare prefix, not directory entries. */
        if (dest_dir && rlen > 0 && rel[rlen - 1] != '/') {
            r = create_file(&x, rel, &out_fd, diag);
            if (r)
                goto out;
        }
        r = read_entry(z, i, out_fd, dest_dir, rel, buf, sums[i], diag);
        if (out_fd >= 0 && close(out_fd) != 0 && !r)
            r = gmf_diag_set(diag, GMF_EIO, "close %s/%s: %s", dest_dir, rel,
                             strerror(errno));
        if (r)
            goto out;
    }
    r = finish_hash(z, sums, ret_h1, diag);
out:
    leave_to(&x, 0);
    if (x.root_fd >= 0)
        close(x.root_fd);
    free(x.cur);
    free(x.fds);
    free(x.ends);
    free(sums);
    free(buf);
    return r;
}
