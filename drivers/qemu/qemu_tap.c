/* Tap devices for <interface type='ethernet'>: opened by the daemon and handed to qemu as an fd,
 * as libvirt does, so qemu needs no privilege of its own; and their counters. */
#include "drivers/qemu/qemu_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/domain_view.h"
#include "util/macros.h"

#define TUN_PATH "/dev/net/tun"
#define TAP_TEMPLATE "vnet%d"

/* <target dev= managed=> of the interface: the name (NULL: none given) and whether it is managed. */
static int read_target(const struct vb_device_def *dev, const char **name, bool *managed, struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, err);
    const struct vb_xml_element *target = el ? vb_xml_element_child(el, "target") : NULL;
    const char *value = target ? vb_xml_element_attr(target, "managed") : NULL;

    if (!el)
        return -1;
    *name = dev->target_dev;
    *managed = true;
    if (!value)
        return 0;
    if (!streq(value, "yes") && !streq(value, "no"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "invalid value for attribute 'managed' in element 'target': '%s'",
                            value);
    *managed = streq(value, "yes");
    return 0;
}

/* libvirt's generated names (vnetN): a managed tap named so gets a fresh one, as libvirt blanks
 * them when it reads a definition, so a save image's or a copied definition's vnet0 never
 * reaches for another domain's tap. */
static bool generated_name(const char *name)
{
    return name && strncmp(name, "vnet", 4) == 0;
}

static int set_mac_and_up(const char *ifname, const char *guest_mac, struct vb_error *err)
{
    _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = { 0 };
    unsigned int b[6];

    if (sock < 0)
        return vb_error_set_errno(err, errno, "Cannot open network interface control socket");
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (!guest_mac || sscanf(guest_mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "interface '%s' has no MAC address", ifname);
    /* The tap must not carry the guest's own address: the kernel would log every packet as
     * "received packet on vnetN with own address as source address". */
    b[0] = b[0] == 0xfe ? 0xfa : 0xfe;
    ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
    for (int i = 0; i < 6; i++)
        ifr.ifr_hwaddr.sa_data[i] = (char) b[i];
    if (ioctl(sock, SIOCSIFHWADDR, &ifr) < 0)
        return vb_error_set_errno(err, errno, "Cannot set interface MAC on '%s'", ifname);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
        return vb_error_set_errno(err, errno, "Cannot get interface flags on '%s'", ifname);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
        return vb_error_set_errno(err, errno, "Cannot set interface flags on '%s'", ifname);
    return 0;
}

/* Attaches fd to the named (or a new) tap and, managed, sets it up; *ifname its name. */
static int attach_tap(int fd, const struct vb_device_def *dev, const char *name, bool managed, char **ifname,
                      struct vb_error *err)
{
    struct ifreq ifr = { 0 };

    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name ? name : TAP_TEMPLATE);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return vb_error_set_errno(err, errno, "Unable to create tap device %s", name ? name : TAP_TEMPLATE);
    if (managed && set_mac_and_up(ifr.ifr_name, dev->mac, err) < 0)
        return -1;
    if (!(*ifname = strdup(ifr.ifr_name)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return 0;
}

int qemu_tap_open(const struct vb_device_def *dev, char **ifname, struct vb_error *err)
{
    const char *name;
    bool managed;
    int fd;

    if (read_target(dev, &name, &managed, err) < 0)
        return -1;
    if (managed && generated_name(name))
        name = NULL;
    if (!managed && !name)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "target dev must be supplied when managed='no'");
    if (!managed && if_nametoindex(name) == 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "target managed='no' but specified dev doesn't exist");
    if (name && strlen(name) >= IFNAMSIZ)
        return vb_error_set(err, VB_ERR_XML_ERROR, "interface name '%s' is longer than %d characters", name,
                            IFNAMSIZ - 1);
    fd = open(TUN_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return vb_error_set_errno(err, errno, "Unable to open %s, is tun module loaded?", TUN_PATH);
    if (attach_tap(fd, dev, name, managed, ifname, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void swap_to_guest_view(const long long v[16], struct qemu_tap_stats *stats)
{
    /* /proc/net/dev: receive bytes packets errs drop fifo frame compressed multicast, then
     * transmit bytes packets errs drop ...; what the tap receives, the guest sent. */
    *stats = (struct qemu_tap_stats){
        .rx_bytes = v[8], .rx_packets = v[9], .rx_errs = v[10], .rx_drop = v[11],
        .tx_bytes = v[0], .tx_packets = v[1], .tx_errs = v[2], .tx_drop = v[3],
    };
}

/* One line of /proc/net/dev: "  NAME: sixteen counters". */
static int parse_line(const char *line, const char *ifname, struct qemu_tap_stats *stats)
{
    const char *start = line + strspn(line, " ");
    size_t len = strlen(ifname);
    long long v[16];

    if (strncmp(start, ifname, len) != 0 || start[len] != ':')
        return 1;
    if (sscanf(start + len + 1, "%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13],
               &v[14], &v[15]) != 16)
        return -1;
    swap_to_guest_view(v, stats);
    return 0;
}

int qemu_tap_parse_proc_net_dev(const char *text, const char *ifname, struct qemu_tap_stats *stats)
{
    for (const char *line = text; line; line = strchr(line, '\n')) {
        int r;

        line += *line == '\n';
        if ((r = parse_line(line, ifname, stats)) <= 0)
            return r;
    }
    return -1;
}

int qemu_tap_read_stats(const char *ifname, struct qemu_tap_stats *stats)
{
    FILE *f = fopen("/proc/net/dev", "re");
    _cleanup_free_ char *line = NULL;
    size_t size = 0;
    int r = 1;

    if (!f)
        return -1;
    while (r > 0 && getline(&line, &size, f) > 0)
        r = parse_line(line, ifname, stats);
    fclose(f);
    return r == 0 ? 0 : -1;
}
