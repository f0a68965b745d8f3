/* Tap devices for <interface type='ethernet'>, as libvirt's qemuInterfaceEthernetConnect, and
 * their traffic counters as the guest sees them. */
#pragma once

#include <stdint.h>

#include "conf/domain_def.h"
#include "util/error.h"

/* Where the i-th interface's tap fd lands in qemu (the command line says fd=N; qemu_process_spawn
 * moves it there). Interfaces without a tap leave their number unused. */
#define QEMU_TAP_FD_BASE 3

/* Opens the tap an ethernet interface uses, non-blocking and close-on-exec.
 * managed (the default): an existing tap of the <target dev> name is reused, else one is
 * created ("vnet%d" when the XML names none, or names a generated "vnet..." one, as libvirt
 * reads those as blank: the kernel picks the number); its MAC is the
 * guest's with the first byte 0xfe (0xfa if that is the guest's), and it is brought up. It is
 * not persistent: it goes when the last fd, qemu's, is closed.
 * managed='no': the named tap must exist; it is opened as it is.
 * Returns the fd with *ifname the device's name (caller frees), or -1 with err set. */
int qemu_tap_open(const struct vb_device_def *dev, char **ifname, struct vb_error *err);

/* Traffic as the guest sees it: the tap's receive is the guest's transmit. */
struct qemu_tap_stats {
    int64_t rx_bytes, rx_packets, rx_errs, rx_drop;
    int64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

/* Finds ifname in /proc/net/dev's text and fills stats, swapped to the guest's view. 0, or -1
 * when the interface is not listed or its line does not read. */
int qemu_tap_parse_proc_net_dev(const char *text, const char *ifname, struct qemu_tap_stats *stats);

/* The same from the running system's /proc/net/dev. */
int qemu_tap_read_stats(const char *ifname, struct qemu_tap_stats *stats);
