/* The QEMU driver's save image header (drivers/qemu/qemu_save_image.c): what it writes is what
 * it reads, and every malformed header is refused with libvirt's words. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "drivers/qemu/qemu_save_image.h"

static void expect_refused(const unsigned char *buf, size_t len, const char *words)
{
    struct qemu_save_header header;
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(qemu_save_header_parse(buf, len, &header, &err), -1);
    assert_non_null(strstr(vb_error_message(&err), words));
    vb_error_clear(&err);
}

static void test_a_header_reads_back_as_written(void **state)
{
    unsigned char buf[QEMU_SAVE_HEADER_SIZE];
    struct qemu_save_header header = { 0 };
    struct vb_error err = VB_ERROR_INIT;

    for (int running = 0; running < 2; running++) {
        qemu_save_header_format(&(struct qemu_save_header){ .xml_len = 4096, .was_running = running }, buf);
        assert_memory_equal(buf, "VirtbusQemuSave\n", 16);
        assert_int_equal(qemu_save_header_parse(buf, sizeof(buf), &header, &err), 0);
        assert_int_equal(header.xml_len, 4096);
        assert_int_equal(header.was_running, running);
    }
}

static void test_malformed_headers_are_refused(void **state)
{
    unsigned char buf[QEMU_SAVE_HEADER_SIZE];

    qemu_save_header_format(&(struct qemu_save_header){ .xml_len = 100, .was_running = true }, buf);
    expect_refused(buf, sizeof(buf) - 1, "failed to read qemu header");
    buf[3] ^= 1;
    expect_refused(buf, sizeof(buf), "image magic is incorrect");
    buf[3] ^= 1;
    buf[16] = 2;
    expect_refused(buf, sizeof(buf), "image version is not supported (2 > 1)");
    buf[16] = 1;
    memset(buf + 20, 0, 4);
    expect_refused(buf, sizeof(buf), "invalid XML length: 0");
    memset(buf + 20, 0xff, 4);
    expect_refused(buf, sizeof(buf), "invalid XML length: 4294967295");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_header_reads_back_as_written),
        cmocka_unit_test(test_malformed_headers_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
