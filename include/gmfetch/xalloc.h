/* xalloc: allocation that cannot fail.
 *
 * Every function aborts the process with a message on out-of-memory, so callers never carry
 * an ENOMEM path.  Growth helpers check for size_t overflow before multiplying.
 */
#ifndef GMFETCH_XALLOC_H
#define GMFETCH_XALLOC_H

#include <stddef.h>

void *gmf_xmalloc(size_t n);
void *gmf_xcalloc(size_t nmemb, size_t size);
void *gmf_xrealloc(void *p, size_t n);
/* realloc to nmemb * size, aborting on overflow. */
void *gmf_xreallocarray(void *p, size_t nmemb, size_t size);
char *gmf_xstrdup(const char *s);
char *gmf_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string; caller frees. */
char *gmf_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow array *p (element size elt) so that it can hold at least need elements.
 * *cap is updated; growth is geometric. */
void gmf_xgrow(void **p, size_t *cap, size_t need, size_t elt);
#define GMF_GROW(arr, cap, need) gmf_xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
