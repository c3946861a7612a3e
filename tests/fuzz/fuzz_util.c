/* Helpers shared by the fuzz targets (see fuzz.h). */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmfetch/xalloc.h"

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    (void)fputs("fuzz invariant failed: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
    abort();
}

char *fuzz_piece(const uint8_t *data, size_t size, unsigned n)
{
    size_t start = 0, i;
    unsigned k = 0;

    for (i = 0; i <= size; i++) {
        if (i == size || data[i] == '\0') {
            if (k == n) {
                char *s = gmf_xmalloc(i - start + 1);

                memcpy(s, data + start, i - start);
                s[i - start] = '\0';
                return s;
            }
            k++;
            start = i + 1;
        }
    }
    return gmf_xstrdup("");
}
