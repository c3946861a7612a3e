#include "gmfetch/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
#define X_(name, msg) #name,
    GMF_ERR_MAP(X_)
#undef X_
};

static const char *const messages[] = {
#define X_(name, msg) msg,
    GMF_ERR_MAP(X_)
#undef X_
};

const char *gmf_err_name(enum gmf_err e)
{
    if ((unsigned)e >= GMF_ERR_COUNT_)
        return "EUNKNOWN";
    return names[e];
}

const char *gmf_err_message(enum gmf_err e)
{
    if ((unsigned)e >= GMF_ERR_COUNT_)
        return "unknown error";
    return messages[e];
}

void gmf_diag_init(struct gmf_diag *d)
{
    d->code = GMF_OK;
    d->msg[0] = '\0';
}

enum gmf_err gmf_diag_set(struct gmf_diag *d, enum gmf_err e, const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return e;
    d->code = e;
    va_start(ap, fmt);
    (void)vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    return e;
}

/* Append src to dst[*len] within cap (keeping room for the NUL), truncating. */
static void put(char *dst, size_t cap, size_t *len, const char *src)
{
    size_t n = strlen(src);

    if (n > cap - 1 - *len)
        n = cap - 1 - *len;
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
}

enum gmf_err gmf_diag_prefix(struct gmf_diag *d, const char *fmt, ...)
{
    char head[GMF_DIAG_MAX];
    char old[GMF_DIAG_MAX];
    size_t len = 0;
    va_list ap;

    if (!d)
        return GMF_OK;
    va_start(ap, fmt);
    (void)vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    memcpy(old, d->msg, sizeof(old));
    d->msg[0] = '\0';
    put(d->msg, sizeof(d->msg), &len, head);
    put(d->msg, sizeof(d->msg), &len, ": ");
    put(d->msg, sizeof(d->msg), &len, old[0] ? old : gmf_err_message(d->code));
    return d->code;
}
