/* h1: go's "h1:" directory hash (golang.org/x/mod/sumdb/dirhash Hash1) with OpenSSL SHA-256.
 *
 * The hash of a set of files is SHA-256 over the lines "<hex sha256(content)>  <name>\n",
 * names sorted byte-wise, printed as "h1:" + standard base64: always GMF_H1_LEN characters.
 *
 * Calling sequence for a file set: gmf_h1_init(); gmf_h1_add() per file, in any order, with
 * the content's SHA-256 (see gmf_sha256_*); gmf_h1_finish() sorts, hashes and releases.
 * gmf_h1_release() frees a set abandoned half-way.  Thread-safe per object.
 */
#ifndef GMFETCH_H1_H
#define GMFETCH_H1_H

#include <stddef.h>

#include "gmfetch/err.h"

#define GMF_H1_LEN 47 /* "h1:" + 44 base64 characters */

struct gmf_sha256 {
    void *ctx_; /* EVP_MD_CTX, private */
};

/* Streaming SHA-256; init/update/final; final releases the context. */
void gmf_sha256_init(struct gmf_sha256 *h);
void gmf_sha256_update(struct gmf_sha256 *h, const void *data, size_t len);
void gmf_sha256_final(struct gmf_sha256 *h, unsigned char ret[32]);
/* Release a context without finishing it (error paths). No-op after final. */
void gmf_sha256_release(struct gmf_sha256 *h);

struct gmf_h1_file {
    char *name; /* owned */
    unsigned char sha256[32];
};

struct gmf_h1 {
    struct gmf_h1_file *files;
    size_t nfiles;
    size_t cap_;
};

void gmf_h1_init(struct gmf_h1 *h);
/* name is copied. */
void gmf_h1_add(struct gmf_h1 *h, const char *name, const unsigned char sha256[32]);
/* Fails with GMF_EINVAL ("dirhash: filenames with newlines are not supported") when a name
 * contains '\n'.  Writes GMF_H1_LEN chars + NUL to ret.  Always releases h. */
enum gmf_err gmf_h1_finish(struct gmf_h1 *h, char ret[GMF_H1_LEN + 1], struct gmf_diag *diag);
void gmf_h1_release(struct gmf_h1 *h);

/* The "/go.mod" hash: Hash1 over one file named "go.mod" with this content. */
void gmf_h1_gomod(const void *data, size_t len, char ret[GMF_H1_LEN + 1]);

#endif
