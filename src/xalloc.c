#include "gmfetch/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    (void)fprintf(stderr, "gmfetch: out of memory allocating %zu bytes\n", n);
    abort();
}

void *gmf_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        oom(n);
    return p;
}

void *gmf_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (!p)
        oom(nmemb * size);
    return p;
}

void *gmf_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        oom(n);
    return q;
}

void *gmf_xreallocarray(void *p, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    return gmf_xrealloc(p, nmemb * size);
}

char *gmf_xstrdup(const char *s)
{
    return gmf_xstrndup(s, strlen(s));
}

char *gmf_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = gmf_xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *gmf_xasprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    p = gmf_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void gmf_xgrow(void **p, size_t *cap, size_t need, size_t elt)
{
    size_t ncap;

    if (need <= *cap)
        return;
    ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            oom(SIZE_MAX);
        ncap *= 2;
    }
    *p = gmf_xreallocarray(*p, ncap, elt);
    *cap = ncap;
}
