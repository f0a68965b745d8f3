/* InterfaceAddresses in the QEMU driver, as libvirt's qemuDomainInterfaceAddresses: leases of
 * the interfaces on a virtual network (this connection has no networks yet, so none), the
 * host's ARP table matched against the guest's MACs, and the guest agent (not configured). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drivers/qemu/qemu_domain_private.h"
#include "drivers/qemu/qemu_driver_private.h"
#include "util/macros.h"

#define ARP_TABLE "/proc/net/arp"

enum { SOURCE_LEASE, SOURCE_AGENT, SOURCE_ARP };

static int add_arp_match(struct vb_iface **out, size_t *n, const char *ifname, const char *mac, const char *ip,
                         struct vb_error *err)
{
    struct vb_iface *grown = realloc(*out, (*n + 1) * sizeof(**out));
    struct vb_iface *iface;

    if (!grown)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *out = grown;
    iface = &grown[(*n)++];
    *iface = (struct vb_iface){ .name = strdup(ifname ? ifname : ""), .hwaddr = strdup(mac),
                                .addrs = calloc(1, sizeof(struct vb_iface_addr)) };
    if (!iface->name || !iface->hwaddr || !iface->addrs)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    iface->n_addrs = 1;
    iface->addrs[0] = (struct vb_iface_addr){ .type = 0, .prefix = 0, .addr = strdup(ip) };
    return iface->addrs[0].addr ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

/* libvirt's virDomainNetARPInterfaces: one interface per ARP entry whose MAC is a guest NIC's. */
static int arp_interfaces(const struct vb_domain_def *def, struct vb_iface **out, size_t *n, struct vb_error *err)
{
    FILE *arp = fopen(ARP_TABLE, "re");
    char line[256], ip[64], mac[32];
    int r = 0;

    if (!arp)
        return vb_error_set_errno(err, errno, "unable to open %s", ARP_TABLE);
    /* "IP address  HW type  Flags  HW address  Mask  Device", a header line first */
    for (bool header = true; r == 0 && fgets(line, sizeof(line), arp); header = false) {
        if (header || sscanf(line, "%63s %*s %*s %31s", ip, mac) != 2)
            continue;
        for (size_t i = 0; r == 0 && i < def->n_devices; i++) {
            const struct vb_device_def *dev = def->devices[i];

            if (dev->kind == VB_DEVICE_INTERFACE && dev->mac && strcasecmp(dev->mac, mac) == 0)
                r = add_arp_match(out, n, dev->target_dev, dev->mac, ip, err);
        }
    }
    fclose(arp);
    return r;
}

int qemu_interface_addresses(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int source,
                             unsigned int flags, struct vb_iface **ifaces, size_t *n)
{
    struct vb_error *err = &call->err;

    (void) priv;
    VB_CHECK_FLAGS(flags, 0, err);
    if (!qemu_dom_running(obj, err))
        return -1;
    switch (source) {
    case SOURCE_LEASE:
        return 0; /* leases come from virtual networks, which this connection does not have yet */
    case SOURCE_AGENT:
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "QEMU guest agent is not configured");
    case SOURCE_ARP:
        if (arp_interfaces(obj->def, ifaces, n, err) < 0) {
            vb_ifaces_free(*ifaces, *n);
            *ifaces = NULL;
            *n = 0;
            return -1;
        }
        return 0;
    default:
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "Unknown IP address data source %u", source);
    }
}
