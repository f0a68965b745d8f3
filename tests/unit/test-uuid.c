/* Unit tests for UUID parsing, formatting and generation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "util/uuid.h"

static void parse_accepts_dashed_undashed_and_blanks(void **state)
{
    unsigned char a[VB_UUID_LEN], b[VB_UUID_LEN], c[VB_UUID_LEN];
    char text[VB_UUID_STRING_LEN];

    assert_int_equal(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f", a), 0);
    assert_int_equal(vb_uuid_parse("6695EB01F6A4830479AA97F2502E193F", b), 0);
    assert_int_equal(vb_uuid_parse("  6695eb01-f6a4-8304-79aa-97f2502e193f\n", c), 0);
    assert_memory_equal(a, b, VB_UUID_LEN);
    assert_memory_equal(a, c, VB_UUID_LEN);
    vb_uuid_format(a, text);
    assert_string_equal(text, "6695eb01-f6a4-8304-79aa-97f2502e193f");
}

static void parse_rejects_malformed(void **state)
{
    unsigned char u[VB_UUID_LEN];

    assert_int_equal(vb_uuid_parse("", u), -EINVAL);
    assert_int_equal(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193", u), -EINVAL);
    assert_int_equal(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f0", u), -EINVAL);
    assert_int_equal(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193g", u), -EINVAL);
    assert_int_equal(vb_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f x", u), -EINVAL);
    assert_int_equal(vb_uuid_parse(NULL, u), -EINVAL);
}

static void generate_is_version_4_and_unique(void **state)
{
    unsigned char a[VB_UUID_LEN], b[VB_UUID_LEN];

    assert_int_equal(vb_uuid_generate(a), 0);
    assert_int_equal(vb_uuid_generate(b), 0);
    assert_int_equal(a[6] >> 4, 4);
    assert_int_equal(a[8] & 0xc0, 0x80);
    assert_memory_not_equal(a, b, VB_UUID_LEN);
    assert_false(vb_uuid_is_null(a));
    memset(a, 0, sizeof(a));
    assert_true(vb_uuid_is_null(a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_dashed_undashed_and_blanks),
        cmocka_unit_test(parse_rejects_malformed),
        cmocka_unit_test(generate_is_version_4_and_unique),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
