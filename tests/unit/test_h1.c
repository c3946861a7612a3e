#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "gmfetch/h1.h"

#include <stdio.h>
#include <string.h>

/* Expected values: the vectors of docs reference §5.1 (/work/shared/reference/go-modules.md),
 * which were produced by golang.org/x/mod dirhash.Hash1 / HashZip; every one of them was
 * re-derived with tests/tools/h1vectors.go (GO111MODULE=off GOPATH=/usr/share/gocode go run)
 * against the x/mod sources installed here, which printed exactly these strings. */

static void sha256_of(const char *s, size_t len, unsigned char out[32])
{
    struct gmf_sha256 h;

    gmf_sha256_init(&h);
    gmf_sha256_update(&h, s, len);
    gmf_sha256_final(&h, out);
    cr_assert_null(h.ctx_, "final must release the context");
}

static void hex(const unsigned char d[32], char out[65])
{
    int i;

    for (i = 0; i < 32; i++)
        (void)snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct file_vec {
    const char *name;
    const char *content;
};

static void hash_set(const struct file_vec *files, size_t n, char out[GMF_H1_LEN + 1])
{
    struct gmf_diag diag;
    struct gmf_h1 h;
    unsigned char sha[32];
    size_t i;

    gmf_diag_init(&diag);
    gmf_h1_init(&h);
    for (i = 0; i < n; i++) {
        sha256_of(files[i].content, strlen(files[i].content), sha);
        gmf_h1_add(&h, files[i].name, sha);
    }
    cr_assert_eq(gmf_h1_finish(&h, out, &diag), GMF_OK, "%s", diag.msg);
    cr_assert_eq(h.nfiles, 0, "finish must release the set");
    cr_assert_null(h.files);
    cr_assert_eq(strlen(out), GMF_H1_LEN);
}

#define GOMOD_HELLO "module example.com/hello\n\ngo 1.17\n"

Test(sha256, empty_and_streaming)
{
    unsigned char d[32];
    char x[65];
    struct gmf_sha256 h;

    sha256_of("", 0, d);
    hex(d, x);
    /* §5.1 vector 3, README (empty content). */
    cr_assert_str_eq(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* Streaming in pieces equals one shot: §5.1 vector 1 content hash. */
    gmf_sha256_init(&h);
    gmf_sha256_update(&h, "module example.com/", 19);
    gmf_sha256_update(&h, "", 0);
    gmf_sha256_update(&h, "hello\n\ngo 1.17\n", 15);
    gmf_sha256_final(&h, d);
    hex(d, x);
    cr_assert_str_eq(x, "e4265ca1544338fa139bf95a0d057c1a8f87a55c99924cc54d804cd33ceb8552");
}

Test(sha256, release_unfinished_and_after_final)
{
    struct gmf_sha256 h;
    unsigned char d[32];

    gmf_sha256_init(&h);
    gmf_sha256_update(&h, "abc", 3);
    gmf_sha256_release(&h);
    cr_assert_null(h.ctx_);
    gmf_sha256_release(&h); /* no-op */

    gmf_sha256_init(&h);
    gmf_sha256_final(&h, d);
    gmf_sha256_release(&h); /* no-op after final */
    cr_assert_null(h.ctx_);
}

Test(h1, gomod_vector1)
{
    char out[GMF_H1_LEN + 1];

    gmf_h1_gomod(GOMOD_HELLO, strlen(GOMOD_HELLO), out);
    cr_assert_str_eq(out, "h1:iaBWq6hdBZJwBANPgijMSU9n4SwWzD0bZqSbgNXAPyo=");
}

Test(h1, gomod_empty)
{
    char out[GMF_H1_LEN + 1];

    gmf_h1_gomod("", 0, out);
    cr_assert_str_eq(out, "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=");
}

Test(h1, gomod_rsc_quote)
{
    static const char mod[] = "module \"rsc.io/quote\"\n\nrequire \"rsc.io/sampler\" v1.3.0\n";
    char out[GMF_H1_LEN + 1];

    gmf_h1_gomod(mod, strlen(mod), out);
    /* Also the public go.sum line "rsc.io/quote v1.5.2/go.mod h1:LzX7...". */
    cr_assert_str_eq(out, "h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=");
}

Test(h1, gomod_via_set_equals_helper)
{
    const struct file_vec f[] = {{"go.mod", GOMOD_HELLO}};
    char a[GMF_H1_LEN + 1], b[GMF_H1_LEN + 1];

    hash_set(f, 1, a);
    gmf_h1_gomod(GOMOD_HELLO, strlen(GOMOD_HELLO), b);
    cr_assert_str_eq(a, b);
}

static const struct file_vec vector2[] = {
    {"example.com/hello@v1.0.0/hello.go",
     "package hello\n\nfunc Hello() string { return \"hello\" }\n"},
    {"example.com/hello@v1.0.0/go.mod", GOMOD_HELLO},
    {"example.com/hello@v1.0.0/LICENSE", "Public domain.\n"},
};

Test(h1, zip_vector2)
{
    char out[GMF_H1_LEN + 1];

    hash_set(vector2, 3, out);
    cr_assert_str_eq(out, "h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=");
}

Test(h1, zip_vector2_order_independent)
{
    const struct file_vec rev[] = {vector2[2], vector2[0], vector2[1]};
    char out[GMF_H1_LEN + 1];

    hash_set(rev, 3, out);
    cr_assert_str_eq(out, "h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=");
}

Test(h1, zip_vector2_with_directory_entry)
{
    /* HashZip hashes directory entries too: empty content under the entry's own name. */
    const struct file_vec f[] = {vector2[0], vector2[1], {"example.com/hello@v1.0.0/", ""},
                                 vector2[2]};
    char out[GMF_H1_LEN + 1];

    hash_set(f, 4, out);
    cr_assert_str_eq(out, "h1:05W5ktJY8i+2m4TRvxPoBeixkx7UD9+Vz2cdItwM6dU=");
}

Test(h1, zip_vector3_sort_order)
{
    /* Deliberately scrambled: the hash must sort byte-wise (README < Z.go < a.go < go.mod <
     * sub.go < sub/x.go). */
    const struct file_vec f[] = {
        {"github.com/Example/Mixed/v2@v2.1.0-RC.1/sub/x.go", "package sub\n"},
        {"github.com/Example/Mixed/v2@v2.1.0-RC.1/a.go", "package mixed\n"},
        {"github.com/Example/Mixed/v2@v2.1.0-RC.1/sub.go",
         "package mixed\n\nimport _ \"github.com/Example/Mixed/v2/sub\"\n"},
        {"github.com/Example/Mixed/v2@v2.1.0-RC.1/README", ""},
        {"github.com/Example/Mixed/v2@v2.1.0-RC.1/go.mod",
         "module github.com/Example/Mixed/v2\n\ngo 1.16\n\nrequire example.com/hello v1.0.0\n"},
        {"github.com/Example/Mixed/v2@v2.1.0-RC.1/Z.go", "package mixed\n"},
    };
    char out[GMF_H1_LEN + 1];

    hash_set(f, 6, out);
    cr_assert_str_eq(out, "h1:YiYfwKKOA0ev4Y8Y/nN9jnXJhVJ93jTr1DLu8ultUUs=");
    gmf_h1_gomod(f[4].content, strlen(f[4].content), out);
    cr_assert_str_eq(out, "h1:21Rs7Auli9JBWVLIJZtLGyM1H5KWBZ6ifjyu4jYmiio=");
}

Test(h1, empty_set)
{
    char out[GMF_H1_LEN + 1];

    /* dirhash.Hash1(nil, ...) hashes an empty summary: "h1:" + base64(sha256("")). */
    hash_set(NULL, 0, out);
    cr_assert_str_eq(out, "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

Test(h1, newline_in_name_fails_and_releases)
{
    struct gmf_diag diag;
    struct gmf_h1 h;
    unsigned char sha[32] = {0};
    char out[GMF_H1_LEN + 1] = "untouched";

    gmf_diag_init(&diag);
    gmf_h1_init(&h);
    gmf_h1_add(&h, "a", sha);
    gmf_h1_add(&h, "b\nc", sha);
    cr_assert_eq(gmf_h1_finish(&h, out, &diag), GMF_EINVAL);
    cr_assert_str_eq(diag.msg, "dirhash: filenames with newlines are not supported");
    cr_assert_str_eq(out, "untouched", "ret must not be written on failure");
    cr_assert_eq(h.nfiles, 0);
    cr_assert_null(h.files);
}

Test(h1, release_half_built_set)
{
    struct gmf_h1 h;
    unsigned char sha[32] = {0};
    int i;

    gmf_h1_init(&h);
    for (i = 0; i < 100; i++)
        gmf_h1_add(&h, "x", sha);
    cr_assert_eq(h.nfiles, 100);
    gmf_h1_release(&h);
    cr_assert_eq(h.nfiles, 0);
    cr_assert_null(h.files);
    gmf_h1_release(&h);
}
