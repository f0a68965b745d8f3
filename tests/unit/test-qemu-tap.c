/* /proc/net/dev as the QEMU driver reads a tap's counters (drivers/qemu/qemu_tap.c): the line of
 * the named device only, swapped to the guest's view, and nothing for a missing or short line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/qemu/qemu_tap.h"

static const char proc_net_dev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
    "carrier compressed\n"
    "    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0 "
    "      0          0\n"
    " vnet10:      1       2    3    4    0     0          0         0        5       6    7    8    0     0 "
    "      0          0\n"
    "  vnet1:     180       3    0    1    0     0          0         0      266       4    2    0    0     0 "
    "      0          0\n"
    " short: 1 2 3\n";

static void test_the_named_line_is_read_swapped_to_the_guests_view(void **state)
{
    struct qemu_tap_stats s;

    (void) state;
    assert_int_equal(qemu_tap_parse_proc_net_dev(proc_net_dev, "vnet1", &s), 0);
    /* The tap received what the guest transmitted. */
    assert_int_equal(s.tx_bytes, 180);
    assert_int_equal(s.tx_packets, 3);
    assert_int_equal(s.tx_drop, 1);
    assert_int_equal(s.rx_bytes, 266);
    assert_int_equal(s.rx_packets, 4);
    assert_int_equal(s.rx_errs, 2);
    /* vnet10 is not vnet1's prefix match. */
    assert_int_equal(qemu_tap_parse_proc_net_dev(proc_net_dev, "vnet10", &s), 0);
    assert_int_equal(s.tx_bytes, 1);
    assert_int_equal(s.rx_drop, 8);
}

static void test_a_missing_or_short_line_is_not_read(void **state)
{
    struct qemu_tap_stats s;

    (void) state;
    assert_int_equal(qemu_tap_parse_proc_net_dev(proc_net_dev, "vnet", &s), -1);
    assert_int_equal(qemu_tap_parse_proc_net_dev(proc_net_dev, "eth0", &s), -1);
    assert_int_equal(qemu_tap_parse_proc_net_dev(proc_net_dev, "short", &s), -1);
    assert_int_equal(qemu_tap_parse_proc_net_dev("", "lo", &s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_named_line_is_read_swapped_to_the_guests_view),
        cmocka_unit_test(test_a_missing_or_short_line_is_not_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
