#include "gmfetch/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/xalloc.h"

void gmf_buf_init(struct gmf_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void gmf_buf_release(struct gmf_buf *b)
{
    free(b->data);
    gmf_buf_init(b, b->max);
}

void gmf_buf_reset(struct gmf_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

enum gmf_err gmf_buf_append(struct gmf_buf *b, const void *data, size_t n)
{
    if (n > b->max - b->len)
        return GMF_ETOOBIG;
    gmf_xgrow((void **)&b->data, &b->cap, b->len + n + 1, 1);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return GMF_OK;
}

enum gmf_err gmf_buf_puts(struct gmf_buf *b, const char *s)
{
    return gmf_buf_append(b, s, strlen(s));
}

enum gmf_err gmf_buf_putc(struct gmf_buf *b, char c)
{
    return gmf_buf_append(b, &c, 1);
}

enum gmf_err gmf_buf_vprintf(struct gmf_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return GMF_EINVAL;
    if ((size_t)n > b->max - b->len)
        return GMF_ETOOBIG;
    gmf_xgrow((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1);
    (void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return GMF_OK;
}

enum gmf_err gmf_buf_printf(struct gmf_buf *b, const char *fmt, ...)
{
    va_list ap;
    enum gmf_err r;

    va_start(ap, fmt);
    r = gmf_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

char *gmf_buf_detach(struct gmf_buf *b, size_t *ret_len)
{
    char *p = b->data ? b->data : gmf_xstrdup("");

    if (ret_len)
        *ret_len = b->len;
    gmf_buf_init(b, b->max);
    return p;
}
