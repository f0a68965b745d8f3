/* The storage roots of the QEMU driver's dir pools (drivers/qemu/qemu_storage_roots.c): paths
 * resolved without "." and "..", through the symbolic links of their existing part, and a
 * target outside every root refused with its path and the roots named. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qemu_storage_private.h"

static void expect_resolved(const char *path, const char *want)
{
    char *got = qemu_storage_resolve_path(path);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_dots_and_slashes_are_taken_out(void **state)
{
    expect_resolved("/", "/");
    expect_resolved("//", "/");
    expect_resolved("/..", "/");
    expect_resolved("/../../nonexistent-virtbus/a", "/nonexistent-virtbus/a");
    expect_resolved("/nonexistent-virtbus//a/./b/", "/nonexistent-virtbus/a/b");
    expect_resolved("/nonexistent-virtbus/a/../../etc/x-virtbus", "/etc/x-virtbus");
    expect_resolved("/nonexistent-virtbus/..", "/");
}

static void test_links_of_the_existing_part_are_followed(void **state)
{
    char dir[] = "/tmp/virtbus-roots-XXXXXX", link[64], target[96], want[96];

    assert_non_null(mkdtemp(dir));
    snprintf(link, sizeof(link), "%s/to-etc", dir);
    assert_int_equal(symlink("/etc", link), 0);
    snprintf(target, sizeof(target), "%s/to-etc/not-there/pool", dir);
    expect_resolved(target, "/etc/not-there/pool");
    snprintf(target, sizeof(target), "%s/to-etc/../pool", dir); /* ".." is lexical: the link's parent */
    {
        char *real = realpath(dir, NULL);

        assert_non_null(real);
        snprintf(want, sizeof(want), "%s/pool", real);
        free(real);
    }
    expect_resolved(target, want);
    unlink(link);
    rmdir(dir);
}

static void test_a_target_outside_the_roots_is_refused_naming_both(void **state)
{
    char *roots[] = { "/nonexistent-virtbus/images", "/nonexistent-virtbus/other" };
    struct qemu_storage st = { .roots = roots, .n_roots = 2 };
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(qemu_storage_check_target(&st, "/nonexistent-virtbus/images", &err), 0);
    assert_int_equal(qemu_storage_check_target(&st, "/nonexistent-virtbus/images/a/b", &err), 0);
    assert_int_equal(qemu_storage_check_target(&st, "/nonexistent-virtbus/imagesX", &err), -1);
    assert_non_null(strstr(vb_error_message(&err),
                           "storage pool target path '/nonexistent-virtbus/imagesX' is outside the storage roots: "
                           "/nonexistent-virtbus/images, /nonexistent-virtbus/other (storage_roots in virtbusd.conf)"));
    vb_error_clear(&err);
    assert_int_equal(qemu_storage_check_target(&st, "/nonexistent-virtbus/images/../../etc", &err), -1);
    assert_non_null(strstr(vb_error_message(&err), "(resolved '/etc')"));
    vb_error_clear(&err);

    roots[0] = "/";
    assert_int_equal(qemu_storage_check_target(&st, "/etc", &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dots_and_slashes_are_taken_out),
        cmocka_unit_test(test_links_of_the_existing_part_are_followed),
        cmocka_unit_test(test_a_target_outside_the_roots_is_refused_naming_both),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
