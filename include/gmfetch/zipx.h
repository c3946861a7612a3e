/* zipx: check, hash and extract a module zip exactly as the go command accepts it.
 *
 * Rules are those of golang.org/x/mod/zip (Unzip/checkZip) and cmd/go/internal/modfetch
 * (fetch.go downloadZip): every entry name starts with "<path>@<version>/" (unescaped);
 * names are clean, valid file paths (module.CheckFilePath), no duplicates, no case-fold
 * collisions, no entry both file and directory, go.mod only at the root and lower case;
 * total declared uncompressed size <= 500 MiB, go.mod and root LICENSE <= 16 MiB; only
 * store/deflate; an entry may not inflate past its declared size; CRC-32 must match.
 *
 * Extraction writes regular files only, mode 0444, creating parent directories 0777 (umask
 * applies) as needed; directory entries and empty directories are not created; a symlink
 * entry becomes a regular file holding the link text (go ignores zip attributes).  Each entry
 * is inflated once: its bytes are hashed and written in the same pass.
 *
 * Calling sequence: gmf_zipx_open(); gmf_zipx_check(); gmf_zipx_process(); gmf_zipx_close().
 * All names are raw central-directory bytes (never transcoded).
 *
 * Error handling: GMF_EZIP / GMF_ETOOBIG with go's wording in diag, e.g.
 * `zip for <path>@<version> has unexpected file <name>`, or for extraction problems
 * "<entry name>: <reason>" lines.  On any failure of gmf_zipx_process() with a dest_dir,
 * whatever it created under dest_dir is the caller's to remove (the cache does that under
 * the version lock).
 */
#ifndef GMFETCH_ZIPX_H
#define GMFETCH_ZIPX_H

#include <stdbool.h>
#include <stdint.h>

#include "gmfetch/err.h"
#include "gmfetch/h1.h"

/* Limits from golang.org/x/mod/zip. */
#define GMF_ZIP_MAX_SIZE ((uint64_t)500 << 20)       /* MaxZipFile */
#define GMF_ZIP_MAX_GOMOD ((uint64_t)16 << 20)       /* MaxGoMod */
#define GMF_ZIP_MAX_LICENSE ((uint64_t)16 << 20)     /* MaxLICENSE */

struct gmf_zipx;

/* Open the zip at path (read-only).  *ret is freed with gmf_zipx_close(). */
enum gmf_err gmf_zipx_open(const char *path, struct gmf_zipx **ret, struct gmf_diag *diag);
void gmf_zipx_close(struct gmf_zipx *z);

/* All name and size checks (the download-time prefix check plus checkZip), reading only the
 * central directory.  path/version unescaped. */
enum gmf_err gmf_zipx_check(struct gmf_zipx *z, const char *path, const char *version,
                            struct gmf_diag *diag);

/* Hash every entry (HashZip, directory entries included) into ret_h1, and when dest_dir is
 * not NULL extract the files into it (dest_dir must be absent or empty; it is created).
 * Call gmf_zipx_check() first. */
enum gmf_err gmf_zipx_process(struct gmf_zipx *z, const char *dest_dir,
                              char ret_h1[GMF_H1_LEN + 1], struct gmf_diag *diag);

#endif
