/* Tests for buf: the cap is a hard limit and the NUL invariant holds. */
#include <criterion/criterion.h>
#include <string.h>

#include "gmfetch/buf.h"

Test(buf, append_keeps_nul_and_len)
{
    struct gmf_buf b;

    gmf_buf_init(&b, 100);
    cr_assert_eq(gmf_buf_puts(&b, "abc"), GMF_OK);
    cr_assert_eq(gmf_buf_printf(&b, "%d", 42), GMF_OK);
    cr_assert_eq(b.len, 5);
    cr_assert_str_eq(b.data, "abc42");
    gmf_buf_release(&b);
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.cap, 0);
}

Test(buf, cap_refuses_and_leaves_unchanged)
{
    struct gmf_buf b;

    gmf_buf_init(&b, 4);
    cr_assert_eq(gmf_buf_puts(&b, "abcd"), GMF_OK);
    cr_assert_eq(gmf_buf_putc(&b, 'e'), GMF_ETOOBIG);
    cr_assert_eq(gmf_buf_printf(&b, "%s", "x"), GMF_ETOOBIG);
    cr_assert_eq(b.len, 4);
    cr_assert_str_eq(b.data, "abcd");
    gmf_buf_release(&b);
}

Test(buf, detach_returns_empty_string_for_empty_buffer)
{
    struct gmf_buf b;
    size_t len = 99;
    char *s;

    gmf_buf_init(&b, 10);
    s = gmf_buf_detach(&b, &len);
    cr_assert_str_eq(s, "");
    cr_assert_eq(len, 0);
    free(s);
}
