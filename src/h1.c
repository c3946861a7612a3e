#include "gmfetch/h1.h"

/* h1: SHA-256 over OpenSSL EVP and the "h1:" summary hash.
 *
 * Mirrors golang.org/x/mod/sumdb/dirhash/hash.go (Hash1): the summary is one line
 * "<64 hex digits>  <name>\n" per file, names in sort.Strings order (byte-wise, which is
 * what strcmp() gives for NUL-free strings), and the result is "h1:" + standard base64 of
 * the summary's SHA-256.  The summary is streamed into the outer digest, never built.
 *
 * OpenSSL can only fail here on allocation failure; like gmf_xmalloc() we abort then, so
 * the streaming API can stay void.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "gmfetch/xalloc.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetch the SHA-256 implementation once: with OpenSSL 3 every EVP_DigestInit_ex() on the
 * legacy EVP_sha256() handle repeats a provider lookup, which shows up when a module zip
 * holds tens of thousands of small files. */
static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static void crypto_fail(const char *what)
{
    (void)fprintf(stderr, "gmfetch: OpenSSL %s failed\n", what);
    abort();
}

void gmf_sha256_init(struct gmf_sha256 *h)
{
    EVP_MD_CTX *ctx;

    if (pthread_once(&sha256_once, sha256_fetch) != 0 || !sha256_md)
        crypto_fail("SHA256 fetch");
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, sha256_md, NULL) != 1)
        crypto_fail("SHA256 init");
    h->ctx_ = ctx;
}

void gmf_sha256_update(struct gmf_sha256 *h, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(h->ctx_, data, len) != 1)
        crypto_fail("SHA256 update");
}

void gmf_sha256_final(struct gmf_sha256 *h, unsigned char ret[32])
{
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->ctx_, ret, &n) != 1 || n != 32)
        crypto_fail("SHA256 final");
    gmf_sha256_release(h);
}

void gmf_sha256_release(struct gmf_sha256 *h)
{
    EVP_MD_CTX_free(h->ctx_);
    h->ctx_ = NULL;
}

void gmf_h1_init(struct gmf_h1 *h)
{
    h->files = NULL;
    h->nfiles = 0;
    h->cap_ = 0;
}

void gmf_h1_add(struct gmf_h1 *h, const char *name, const unsigned char sha256[32])
{
    GMF_GROW(h->files, h->cap_, h->nfiles + 1);
    h->files[h->nfiles].name = gmf_xstrdup(name);
    memcpy(h->files[h->nfiles].sha256, sha256, 32);
    h->nfiles++;
}

void gmf_h1_release(struct gmf_h1 *h)
{
    size_t i;

    for (i = 0; i < h->nfiles; i++)
        free(h->files[i].name);
    free(h->files);
    gmf_h1_init(h);
}

static int file_cmp(const void *a, const void *b)
{
    const struct gmf_h1_file *fa = a;
    const struct gmf_h1_file *fb = b;

    return strcmp(fa->name, fb->name);
}

static void hex32(const unsigned char in[32], char out[64])
{
    static const char digits[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 32; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

static void encode_h1(const unsigned char digest[32], char ret[GMF_H1_LEN + 1])
{
    /* EVP_EncodeBlock writes standard base64 with '=' padding and a NUL: 44 + 1 bytes. */
    memcpy(ret, "h1:", 3);
    if (EVP_EncodeBlock((unsigned char *)ret + 3, digest, 32) != GMF_H1_LEN - 3)
        crypto_fail("base64 encode");
}

enum gmf_err gmf_h1_finish(struct gmf_h1 *h, char ret[GMF_H1_LEN + 1], struct gmf_diag *diag)
{
    struct gmf_sha256 sum;
    unsigned char digest[32];
    char hex[64];
    enum gmf_err r = GMF_OK;
    size_t i;

    /* dirhash rejects the whole set before hashing anything. */
    for (i = 0; i < h->nfiles; i++) {
        if (strchr(h->files[i].name, '\n')) {
            r = gmf_diag_set(diag, GMF_EINVAL,
                             "dirhash: filenames with newlines are not supported");
            goto out;
        }
    }
    if (h->nfiles > 1)
        qsort(h->files, h->nfiles, sizeof(*h->files), file_cmp);
    gmf_sha256_init(&sum);
    for (i = 0; i < h->nfiles; i++) {
        hex32(h->files[i].sha256, hex);
        gmf_sha256_update(&sum, hex, sizeof(hex));
        gmf_sha256_update(&sum, "  ", 2);
        gmf_sha256_update(&sum, h->files[i].name, strlen(h->files[i].name));
        gmf_sha256_update(&sum, "\n", 1);
    }
    gmf_sha256_final(&sum, digest);
    encode_h1(digest, ret);
out:
    gmf_h1_release(h);
    return r;
}

void gmf_h1_gomod(const void *data, size_t len, char ret[GMF_H1_LEN + 1])
{
    struct gmf_sha256 file;
    unsigned char sha[32];
    struct gmf_h1 h;

    gmf_sha256_init(&file);
    gmf_sha256_update(&file, data, len);
    gmf_sha256_final(&file, sha);
    gmf_h1_init(&h);
    gmf_h1_add(&h, "go.mod", sha);
    /* A single fixed name without '\n' cannot fail. */
    (void)gmf_h1_finish(&h, ret, NULL);
}
