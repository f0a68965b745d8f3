/* What a started qemu named, copied into the live definition (taps of ethernet interfaces, ptys
 * of serial ports and consoles), and the interfaces' counters in GetStats, as libvirt's
 * qemuDomainGetStatsInterface. */
#include <stdio.h>
#include <string.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "drivers/qemu/qemu_tap.h"
#include "util/log.h"
#include "util/macros.h"

static void copy_tap_name(const struct vb_device_def *from, struct vb_device_def *to, struct vb_error *err)
{
    if (from->target_dev && !(to->target_dev && streq(to->target_dev, from->target_dev)))
        vb_device_def_set_child_attribute(to, "target", "dev", from->target_dev, err);
}

/* A pty's path: <source path> (and a console's tty=). */
static void copy_pty_path(const struct vb_device_def *from, struct vb_device_def *to, struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(from, err);
    const char *path = el ? vb_xml_element_attr(vb_xml_element_child(el, "source"), "path") : NULL;
    const char *tty = el ? vb_xml_element_attr(el, "tty") : NULL;

    if (!path || !from->type || !streq(from->type, "pty"))
        return;
    if (vb_device_def_set_child_attribute(to, "source", "path", path, err) == 0 && tty)
        vb_device_def_set_attribute(to, "tty", tty, err);
}

static struct vb_device_def *nth_of_kind(const struct vb_domain_def *def, enum vb_device_kind kind, size_t n)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (def->devices[i]->kind == kind && n-- == 0)
            return def->devices[i];
    return NULL;
}

void qemu_dom_copy_runtime_names(struct qemu_dom *dom)
{
    static const enum vb_device_kind kinds[] = { VB_DEVICE_INTERFACE, VB_DEVICE_SERIAL, VB_DEVICE_CONSOLE };
    const struct vb_domain_def *started = dom->proc ? qemu_process_def(dom->proc) : NULL;
    struct vb_domain_def *live = dom->obj->def;

    /* qemu started from a copy of the live definition: the same devices in the same order. */
    for (size_t k = 0; started && k < ARRAY_SIZE(kinds); k++)
        for (size_t n = 0;; n++) {
            const struct vb_device_def *from = nth_of_kind(started, kinds[k], n);
            struct vb_device_def *to = nth_of_kind(live, kinds[k], n);
            struct vb_error err = VB_ERROR_INIT;

            if (!from || !to)
                break;
            if (kinds[k] == VB_DEVICE_INTERFACE)
                copy_tap_name(from, to, &err);
            else
                copy_pty_path(from, to, &err);
            if (vb_error_is_set(&err)) {
                vb_log_warning("domain '%s': cannot record a runtime name: %s", live->name, vb_error_message(&err));
                vb_error_clear(&err);
            }
        }
    qemu_vcpus_copy_started(dom);
    /* The run directory's XML, written from the started (resolved) copy before qemu ran, becomes
     * the live definition: a daemon restart then reads back what GetXMLDesc showed (pool-volume
     * disks as volumes, as libvirt's status XML keeps them, ptys, taps, vCPU states). */
    qemu_hotplug_save_live(dom);
}

static int add_counter(struct vb_typed_params *out, size_t i, const char *name, int64_t value, struct vb_error *err)
{
    if (value < 0)
        return 0;
    return vb_typed_params_add_ullong(out, err, (unsigned long long) value, "net.%zu.%s", i, name);
}

static int add_counters(struct vb_typed_params *out, size_t i, const struct qemu_tap_stats *s, struct vb_error *err)
{
    const struct {
        const char *name;
        int64_t value;
    } counters[] = {
        { "rx.bytes", s->rx_bytes }, { "rx.pkts", s->rx_packets }, { "rx.errs", s->rx_errs },
        { "rx.drop", s->rx_drop },   { "tx.bytes", s->tx_bytes }, { "tx.pkts", s->tx_packets },
        { "tx.errs", s->tx_errs },   { "tx.drop", s->tx_drop },
    };

    for (size_t c = 0; c < ARRAY_SIZE(counters); c++)
        if (add_counter(out, i, counters[c].name, counters[c].value, err) < 0)
            return -1;
    return 0;
}

/* net.count, and for each interface with a host device (a tap: user-mode networking has none)
 * its name and, when the host lists it, its counters. Nothing for a domain that is not running. */
int qemu_stats_interfaces(const struct vb_domain_obj *obj, struct vb_typed_params *out, struct vb_error *err)
{
    size_t count = 0;

    if (!vb_domain_obj_is_active(obj))
        return 0;
    while (nth_of_kind(obj->def, VB_DEVICE_INTERFACE, count))
        count++;
    if (vb_typed_params_add_uint(out, err, (unsigned int) count, "net.count") < 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const struct vb_device_def *dev = nth_of_kind(obj->def, VB_DEVICE_INTERFACE, i);
        struct qemu_tap_stats stats;

        if (!dev->target_dev)
            continue;
        if (vb_typed_params_add_string(out, err, dev->target_dev, "net.%zu.name", i) < 0)
            return -1;
        if (qemu_tap_read_stats(dev->target_dev, &stats) == 0 && add_counters(out, i, &stats, err) < 0)
            return -1;
    }
    return 0;
}
