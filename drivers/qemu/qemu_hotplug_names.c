/* What attach and detach share: per-domain hotplug state, the names a device has in qemu (its id,
 * blockdev pair, netdev), the flags check, the live XML rewrite and device events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

#define MAX_U(a, b) ((a) > (b) ? (a) : (b))

int qemu_hotplug_check_flags(const struct vb_domain_obj *obj, unsigned int *flags, unsigned int extra,
                             struct vb_error *err)
{
    VB_CHECK_FLAGS(*flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | extra, err);
    return vb_domain_obj_resolve_affect(obj, flags, err);
}

char *qemu_hotplug_alias(const struct vb_device_def *dev)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, NULL);
    const struct vb_xml_element *alias = el ? vb_xml_element_child(el, "alias") : NULL;
    const char *name = alias ? vb_xml_element_attr(alias, "name") : NULL;

    return name ? strdup(name) : NULL;
}

char *qemu_disk_format(const struct vb_device_def *dev, struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, err);
    const struct vb_xml_element *driver = el ? vb_xml_element_child(el, "driver") : NULL;
    const char *type = driver ? vb_xml_element_attr(driver, "type") : NULL;
    char *format;

    if (!el)
        return NULL;
    if (!(format = strdup(type ? type : "raw")))
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return format;
}

/* libvirt's virDiskNameToIndex for "vd" names: letters in base 26, "a" first. */
int qemu_hotplug_disk_index(const char *target)
{
    int index = 0;

    if (!target || strncmp(target, "vd", 2) != 0 || !target[2] || strlen(target) > 5)
        return -1;
    for (const char *p = target + 2; *p; p++) {
        if (*p < 'a' || *p > 'z')
            return -1;
        index = index * 26 + (*p - 'a') + 1;
    }
    return index - 1;
}

/* The N of <source index='N'/>, which the live definition of a hotplugged disk carries; 0 if none. */
static unsigned int source_index(const struct vb_device_def *dev)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, NULL);
    const struct vb_xml_element *source = el ? vb_xml_element_child(el, "source") : NULL;
    const char *text = source ? vb_xml_element_attr(source, "index") : NULL;

    return text ? (unsigned int) strtoul(text, NULL, 10) : 0;
}

static unsigned int net_alias_number(const struct vb_device_def *dev)
{
    _cleanup_free_ char *alias = qemu_hotplug_alias(dev);

    return alias && strncmp(alias, "net", 3) == 0 ? (unsigned int) strtoul(alias + 3, NULL, 10) + 1 : 0;
}

/* Names never used twice in one qemu run: past those the command line gave (the builder counts
 * blockdev pairs from 1 over disks with a source, NICs from 0) and those hotplugged since. */
static void raise_counters(struct qemu_hotplug *hp, const struct vb_domain_def *started,
                           const struct vb_domain_def *live)
{
    unsigned int disks = 0, nics = 0;

    for (size_t i = 0; started && i < started->n_devices; i++) {
        disks += started->devices[i]->kind == VB_DEVICE_DISK && started->devices[i]->source;
        nics += started->devices[i]->kind == VB_DEVICE_INTERFACE;
    }
    hp->next_node = MAX_U(hp->next_node, disks + 1);
    hp->next_net = MAX_U(hp->next_net, nics);
    for (size_t i = 0; i < live->n_devices; i++) {
        if (live->devices[i]->kind == VB_DEVICE_DISK)
            hp->next_node = MAX_U(hp->next_node, source_index(live->devices[i]) + 1);
        else if (live->devices[i]->kind == VB_DEVICE_INTERFACE)
            hp->next_net = MAX_U(hp->next_net, net_alias_number(live->devices[i]));
    }
}

struct qemu_hotplug *qemu_hotplug_get(struct qemu_dom *dom, struct vb_error *err)
{
    if (!dom->hotplug && !(dom->hotplug = calloc(1, sizeof(*dom->hotplug)))) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    raise_counters(dom->hotplug, dom->proc ? qemu_process_def(dom->proc) : NULL, dom->obj->def);
    return dom->hotplug;
}

/* Where the builder put a device qemu started with: the blockdev number of a disk (its place among
 * disks with a source) or the number of a NIC (its place among NICs). -1: not in that definition. */
static int started_position(const struct vb_domain_def *started, const struct vb_device_def *dev)
{
    int n = dev->kind == VB_DEVICE_DISK ? 1 : 0;

    for (size_t i = 0; started && i < started->n_devices; i++) {
        const struct vb_device_def *d = started->devices[i];

        if (d->kind != dev->kind || (d->kind == VB_DEVICE_DISK && !d->source))
            continue;
        if ((d->kind == VB_DEVICE_DISK && d->target_dev && dev->target_dev && streq(d->target_dev, dev->target_dev)) ||
            (d->kind == VB_DEVICE_INTERFACE && d->mac && dev->mac && streq(d->mac, dev->mac)))
            return n;
        n++;
    }
    return -1;
}

unsigned int qemu_hotplug_disk_node(struct qemu_dom *dom, const struct vb_device_def *dev)
{
    unsigned int node = source_index(dev);
    int position;

    if (!node && dev->source && (position = started_position(qemu_process_def(dom->proc), dev)) > 0)
        node = (unsigned int) position;
    return node;
}

int qemu_hotplug_forget_nodes(struct vb_domain_def *def, struct vb_error *err)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (def->devices[i]->kind == VB_DEVICE_DISK && source_index(def->devices[i]) &&
            vb_device_def_set_child_attribute(def->devices[i], "source", "index", NULL, err) < 0)
            return -1;
    return 0;
}

const char *qemu_hotplug_disk_bus(const struct vb_device_def *dev)
{
    const char *bus = dev->target_bus ? dev->target_bus : qemu_disk_default_bus(dev->target_dev);

    return bus ? bus : "";
}

static int disk_names(struct qemu_dom *dom, const struct vb_device_def *dev, struct device_names *names,
                      struct vb_error *err)
{
    const char *bus = qemu_hotplug_disk_bus(dev);
    int index = qemu_hotplug_disk_index(dev->target_dev);
    struct qemu_disk_drive drive;

    if (streq(bus, "scsi")) {
        if (qemu_disk_drive(dev, &drive, err) < 0)
            return -1;
        memcpy(names->alias, drive.id, sizeof(names->alias));
    } else if (streq(bus, "virtio") && index >= 0) {
        snprintf(names->alias, sizeof(names->alias), "virtio-disk%d", index);
    } else {
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "disk bus '%s' cannot be hotunplugged.", bus);
    }
    names->node = qemu_hotplug_disk_node(dom, dev);
    return 0;
}

/* Writes into the live definition the names the builder gave the disks and NICs qemu started
 * with (<alias>, a disk's <source index>), as libvirt's live XML has them. Their places in the
 * started definition name them only until a device leaves the live one: a daemon restart reads
 * the live XML back as the started definition, so the names must be in it by then. Done before
 * any device leaves (every removal asks for names first); those already named are left alone. */
static void name_started_devices(struct qemu_dom *dom)
{
    const struct vb_domain_def *started = dom->proc ? qemu_process_def(dom->proc) : NULL;
    struct vb_domain_def *live = dom->obj->def;

    for (size_t i = 0; started && started != live && i < live->n_devices; i++) {
        struct vb_device_def *dev = live->devices[i];
        _cleanup_free_ char *alias = NULL;
        int position = -1, index = qemu_hotplug_disk_index(dev->target_dev);
        char text[96], number[16];

        if (dev->kind != VB_DEVICE_DISK && dev->kind != VB_DEVICE_INTERFACE)
            continue;
        if ((alias = qemu_hotplug_alias(dev)) || (position = started_position(started, dev)) < 0)
            continue;
        if (dev->kind == VB_DEVICE_INTERFACE) {
            snprintf(text, sizeof(text), "<alias name='net%d'/>", position);
            vb_device_def_set_child_element(dev, "alias", text, NULL);
            continue;
        }
        if (index < 0 || (dev->target_bus && !streq(dev->target_bus, "virtio")) || source_index(dev))
            continue;
        snprintf(number, sizeof(number), "%d", position);
        snprintf(text, sizeof(text), "<alias name='virtio-disk%d'/>", index);
        if (vb_device_def_set_child_attribute(dev, "source", "index", number, NULL) == 0)
            vb_device_def_set_child_element(dev, "alias", text, NULL);
    }
}

int qemu_hotplug_names(struct qemu_dom *dom, const struct vb_device_def *dev, struct device_names *names,
                       struct vb_error *err)
{
    _cleanup_free_ char *alias = NULL;
    int position;

    name_started_devices(dom);
    alias = qemu_hotplug_alias(dev);
    *names = (struct device_names){ 0 };
    if (dev->kind == VB_DEVICE_DISK)
        return disk_names(dom, dev, names, err);
    if (dev->kind != VB_DEVICE_INTERFACE)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "live detach of device '%s' is not supported",
                            dev->element);
    if (alias && strncmp(alias, "net", 3) == 0) {
        snprintf(names->alias, sizeof(names->alias), "%s", alias);
        snprintf(names->netdev, sizeof(names->netdev), "host%s", alias);
        return 0;
    }
    position = started_position(qemu_process_def(dom->proc), dev);
    if (position < 0)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "operation failed: interface %s has no alias in qemu",
                            dev->mac ? dev->mac : "");
    snprintf(names->alias, sizeof(names->alias), "net%d", position);
    snprintf(names->netdev, sizeof(names->netdev), "hostnet%d", position);
    return 0;
}

void qemu_hotplug_save_live(struct qemu_dom *dom)
{
    struct vb_error err = VB_ERROR_INIT;

    if (dom->proc && qemu_process_write_live_def(dom->proc, dom->obj->def, &err) < 0) {
        vb_log_warning("could not write the live XML of '%s': %s", dom->obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

int qemu_hotplug_report_missing(const struct vb_device_def *dev, struct vb_error *err)
{
    if (dev->kind == VB_DEVICE_DISK && dev->target_dev)
        return vb_error_set(err, VB_ERR_DEVICE_MISSING, "no target device %s", dev->target_dev);
    if (dev->kind == VB_DEVICE_INTERFACE && dev->mac)
        return vb_error_set(err, VB_ERR_DEVICE_MISSING, "no device matching MAC address %s found", dev->mac);
    return vb_error_set(err, VB_ERR_DEVICE_MISSING, "matching %s device not found", dev->element);
}

void qemu_hotplug_emit(struct qemu_dom *dom, int id, const char *alias)
{
    struct qemu_domain_event ev = { .id = id };

    ev.payload.device.dev_alias = (char *) alias; /* borrowed: the stream copies */
    qemu_dom_emit_mapped(dom, &ev);
}

static void log_failure(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    const char *command = userdata;

    if (reply->result < 0)
        vb_log_warning("%s: %s", command, vb_error_message(&reply->err));
}

void qemu_hotplug_send_quiet(struct qemu_dom *dom, const char *command, struct json_object *args)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!dom->proc) {
        json_object_put(args);
        return;
    }
    if (qemu_process_command(dom->proc, command, args, QEMU_COMMAND_TIMEOUT_USEC, log_failure, (void *) command,
                             &err) < 0) {
        vb_log_warning("%s: %s", command, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

struct json_object *qemu_hotplug_args(const char *key, const char *value)
{
    struct json_object *args = json_object_new_object();

    json_object_object_add(args, key, json_object_new_string(value));
    return args;
}

void qemu_hotplug_steps_add(struct hotplug_steps *steps, const char *command, struct json_object *args,
                            const char *undo, struct json_object *undo_args)
{
    steps->step[steps->n++] = (struct hotplug_step){ command, undo, args, undo_args, false, -1 };
}

void qemu_hotplug_steps_add_fd(struct hotplug_steps *steps, const char *command, struct json_object *args, int fd,
                               const char *undo, struct json_object *undo_args)
{
    steps->step[steps->n++] = (struct hotplug_step){ command, undo, args, undo_args, true, fd };
}

int qemu_hotplug_steps_send(struct qemu_dom *dom, struct hotplug_steps *steps, qmp_reply_fn reply, void *userdata,
                            struct vb_error *err)
{
    struct hotplug_step *step = &steps->step[steps->done];

    if (!dom->proc)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is not running");
    if (step->has_fd) /* qemu gets a copy; ours is closed with the steps */
        return qemu_process_command_fd(dom->proc, step->command, TAKE_PTR(step->args), step->fd,
                                       QEMU_COMMAND_TIMEOUT_USEC, reply, userdata, err);
    return qemu_process_command(dom->proc, step->command, TAKE_PTR(step->args), QEMU_COMMAND_TIMEOUT_USEC, reply,
                                userdata, err);
}

void qemu_hotplug_steps_undo(struct qemu_dom *dom, struct hotplug_steps *steps)
{
    for (size_t i = steps->done; i-- > 0;)
        if (steps->step[i].undo)
            qemu_hotplug_send_quiet(dom, steps->step[i].undo, TAKE_PTR(steps->step[i].undo_args));
}

void qemu_hotplug_steps_clear(struct hotplug_steps *steps)
{
    for (size_t i = 0; i < steps->n; i++) {
        json_object_put(steps->step[i].args);
        json_object_put(steps->step[i].undo_args);
        if (steps->step[i].has_fd)
            close(steps->step[i].fd);
    }
    *steps = (struct hotplug_steps){ 0 };
}

/* libvirt's qemuProcessUpdateDevices at reconnect: a disk or NIC of the live definition that qemu no
 * longer has left while no daemon listened (its DEVICE_DELETED went nowhere): it is removed now,
 * backend included, as that event would have done, and DeviceRemoved announced. */
static void on_peripherals(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;
    const struct vb_domain_def *live = dom->obj->def;
    char (*gone)[sizeof(((struct device_names *) 0)->alias)];
    size_t n_gone = 0, n = reply->result < 0 ? 0 : json_object_array_length(reply->ret);

    if (reply->result < 0 || !dom->proc || !(gone = calloc(live->n_devices + 1, sizeof(*gone))))
        return;
    for (size_t i = 0; i < live->n_devices; i++) {
        struct device_names names;
        bool present = false;

        if ((live->devices[i]->kind != VB_DEVICE_DISK && live->devices[i]->kind != VB_DEVICE_INTERFACE) ||
            qemu_hotplug_names(dom, live->devices[i], &names, NULL) < 0)
            continue;
        for (size_t j = 0; j < n && !present; j++) {
            const char *name = json_object_get_string(json_object_object_get(json_object_array_get_idx(reply->ret, j),
                                                                             "name"));

            present = name && streq(name, names.alias);
        }
        if (!present)
            memcpy(gone[n_gone++], names.alias, sizeof(names.alias));
    }
    for (size_t i = 0; i < n_gone; i++) {
        vb_log_info("'%s': %s left qemu while virtbusd was away", dom->obj->def->name, gone[i]);
        qemu_hotplug_device_gone_while_away(dom, gone[i]);
    }
    free(gone);
}

void qemu_hotplug_reconnect(struct qemu_dom *dom)
{
    struct json_object *args = json_object_new_object();
    struct vb_error err = VB_ERROR_INIT;

    json_object_object_add(args, "path", json_object_new_string("/machine/peripheral"));
    if (qemu_process_command(dom->proc, "qom-list", args, QEMU_COMMAND_TIMEOUT_USEC, on_peripherals, dom, &err) < 0) {
        vb_log_warning("qom-list: %s", vb_error_message(&err));
        vb_error_clear(&err);
    }
}
