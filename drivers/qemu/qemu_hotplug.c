/* AttachDevice and UpdateDevice in the QEMU driver, as libvirt's qemu_hotplug.c: a virtio or SCSI disk
 * backed by a file or a pool volume (blockdev-add storage + format, device_add virtio-blk-pci) or
 * a user-mode or tap NIC ([getfd,] netdev_add, device_add) into the running qemu, each step undone
 * when a later one fails, and the persistent definition changed through the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_view.h"
#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "drivers/qemu/qemu_storage.h"
#include "drivers/qemu/qemu_tap.h"
#include "drivers/qemu/qmp_message.h"
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

struct attach_op {
    struct qemu_dom *dom;
    struct vb_device_def *live_dev; /* joins obj->def once qemu took the device */
    struct vb_device_def *controller; /* the SCSI controller added before it, joining obj->def too */
    const char *xml;                /* the caller's device, for the persistent definition (borrowed:
                                     * the call keeps it until it ends) */
    unsigned int flags;             /* resolved VB_AFFECT_* */
    struct hotplug_steps steps;
    char alias[64];
};

/* The device given, re-read for each definition it goes into, with the MAC the first read gave. */
struct device_change {
    const char *xml;
    const char *mac;
};

static struct vb_device_def *parse_change(const struct device_change *change, struct vb_error *err)
{
    struct vb_device_def *dev = vb_device_def_parse_string(change->xml, err);

    if (dev && change->mac && dev->kind == VB_DEVICE_INTERFACE &&
        vb_device_def_set_child_attribute(dev, "mac", "address", change->mac, err) < 0) {
        vb_device_def_free(dev);
        return NULL;
    }
    return dev;
}

static bool is_scsi_disk(const struct vb_device_def *dev)
{
    return dev->kind == VB_DEVICE_DISK && streq(qemu_hotplug_disk_bus(dev), "scsi");
}

static int edit_attach(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    _cleanup_(vb_device_def_freep) struct vb_device_def *dev = parse_change(arg, err);
    _cleanup_(vb_device_def_freep) struct vb_device_def *controller = NULL;

    if (!dev)
        return -1;
    /* libvirt adds the controller a SCSI disk needs to the definition (the command line would
     * add an lsi one at the next start; virtio-scsi is what a live attach adds). */
    if (is_scsi_disk(dev) && qemu_hotplug_scsi_needs_controller(def) &&
        (!(controller = qemu_hotplug_scsi_controller_def(false, err)) ||
         vb_domain_def_add_device(def, controller, err) < 0))
        return -1;
    TAKE_PTR(controller);
    if (vb_domain_def_add_device(def, dev, err) < 0) {
        /* the controller stays: the edit's copy of def is thrown away on failure */
        return -1;
    }
    TAKE_PTR(dev);
    return 0;
}

static int edit_update(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    struct vb_device_def *dev = parse_change(arg, err);
    int index;

    if (!dev)
        return -1;
    index = vb_domain_def_find_device(def, dev);
    if (index < 0) {
        qemu_hotplug_report_missing(dev, err);
        vb_device_def_free(dev);
        return -1;
    }
    vb_device_def_free(def->devices[index]);
    def->devices[index] = dev;
    return 0;
}

/* Whether the edit would succeed on a copy of def (duplicates are refused before qemu is asked). */
static int probe_edit(const struct vb_domain_def *def, vb_def_edit_fn edit, const void *arg, struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *copy = vb_domain_def_copy(def, err);

    return copy ? edit(copy, arg, err) : -1;
}

static void op_free(struct attach_op *op)
{
    qemu_hotplug_steps_clear(&op->steps);
    vb_device_def_free(op->live_dev);
    vb_device_def_free(op->controller);
    free(op);
}

static void add_step(struct attach_op *op, const char *command, struct json_object *args, const char *undo,
                     struct json_object *undo_args)
{
    qemu_hotplug_steps_add(&op->steps, command, args, undo, undo_args);
}

static int unsupported_disk(const struct vb_device_def *dev, const char *what, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "disk '%s': %s cannot be hotplugged",
                        dev->target_dev ? dev->target_dev : "", what);
}

/* A disk's <driver cache discard>, read as the command line reads them. */
struct disk_driver {
    struct qemu_disk_cache cache;
    const char *discard; /* borrowed from view */
    struct vb_xml_element *view;
};

static int read_disk_driver(const struct vb_device_def *dev, struct disk_driver *driver, struct vb_error *err)
{
    char where[80];

    if (!(driver->view = vb_device_def_view(dev, err)))
        return -1;
    snprintf(where, sizeof(where), "disk '%s'", dev->target_dev ? dev->target_dev : "");
    return qemu_disk_driver_options(vb_xml_element_child(driver->view, "driver"), where, &driver->cache,
                                    &driver->discard, err);
}

static void disk_driver_clear(struct disk_driver *driver)
{
    vb_xml_element_free(driver->view);
}

static void add_write_cache(struct json_object *device, const struct qemu_disk_cache *cache)
{
    if (cache->set)
        json_object_object_add(device, "write-cache", json_object_new_string(cache->writeback ? "on" : "off"));
}

/* blockdev-add of file (the disk's, a pool volume's) and its format (N, for <source index='N'/>),
 * when the disk has one. */
static int plan_blockdevs(struct attach_op *op, struct qemu_hotplug *hp, const char *file, bool readonly,
                          const struct disk_driver *driver, char *fmt, size_t size, struct vb_error *err)
{
    const struct vb_device_def *dev = op->live_dev;
    _cleanup_free_ char *format = NULL;
    char storage[48], index[16];
    struct json_object *args;
    unsigned int node;

    if (!file)
        return 0;
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    node = hp->next_node++;
    snprintf(storage, sizeof(storage), "libvirt-%u-storage", node);
    snprintf(fmt, size, "libvirt-%u-format", node);
    snprintf(index, sizeof(index), "%u", node);

    args = qemu_hotplug_args("driver", "file");
    json_object_object_add(args, "filename", json_object_new_string(file));
    json_object_object_add(args, "node-name", json_object_new_string(storage));
    json_object_object_add(args, "auto-read-only", json_object_new_boolean(1));
    json_object_object_add(args, "discard", json_object_new_string(driver->discard ? driver->discard : "unmap"));
    qemu_disk_cache_add(args, &driver->cache);
    add_step(op, "blockdev-add", args, "blockdev-del", qemu_hotplug_args("node-name", storage));

    args = qemu_hotplug_args("driver", format);
    json_object_object_add(args, "node-name", json_object_new_string(fmt));
    json_object_object_add(args, "read-only", json_object_new_boolean(readonly));
    qemu_disk_cache_add(args, &driver->cache);
    if (driver->discard)
        json_object_object_add(args, "discard", json_object_new_string(driver->discard));
    json_object_object_add(args, "file", json_object_new_string(storage));
    add_step(op, "blockdev-add", args, "blockdev-del", qemu_hotplug_args("node-name", fmt));
    /* libvirt's live XML names the blockdev pair in <source index='N'/>. */
    return vb_device_def_set_child_attribute(op->live_dev, "source", "index", index, err);
}

/* A SCSI disk: the controller when the guest has none, then scsi-hd/scsi-cd on it. */
static int plan_scsi(struct attach_op *op, const char *fmt, const struct qemu_disk_cache *cache,
                     struct vb_error *err)
{
    struct scsi_plan plan;

    if (qemu_hotplug_scsi_plan(op->dom, op->live_dev, &plan, err) < 0)
        return -1;
    if (plan.add_controller) {
        if (!(op->controller = qemu_hotplug_scsi_controller_def(true, err))) {
            json_object_put(plan.device);
            return -1;
        }
        add_step(op, "device_add", qemu_hotplug_args("driver", "virtio-scsi-pci"), "device_del", qemu_hotplug_args("id", "scsi0"));
        json_object_object_add(op->steps.step[op->steps.n - 1].args, "id", json_object_new_string("scsi0"));
    }
    if (*fmt)
        json_object_object_add(plan.device, "drive", json_object_new_string(fmt));
    add_write_cache(plan.device, cache);
    memcpy(op->alias, plan.alias, sizeof(op->alias));
    add_step(op, "device_add", plan.device, NULL, NULL);
    return 0;
}

static bool has_child(const struct vb_device_def *dev, const char *name)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, NULL);

    return el && vb_xml_element_child(el, name);
}

/* A disk on the virtio bus (virtio-blk-pci) or a SCSI one, backed by file (a pool volume's file,
 * looked up by the caller: the live definition keeps the volume); the buses qemu cannot hotplug
 * are refused in libvirt's words. */
static int plan_disk(struct attach_op *op, struct qemu_hotplug *hp, const char *file, struct vb_error *err)
{
    const struct vb_device_def *dev = op->live_dev;
    const char *bus = qemu_hotplug_disk_bus(dev);
    bool cdrom = dev->disk_device && streq(dev->disk_device, "cdrom");
    int disk_index = qemu_hotplug_disk_index(dev->target_dev);
    static const char *const fixed_buses[] = { "ide", "fdc", "sata", "sd", "xen", "uml", "" };
    char fmt[48] = "";
    struct json_object *args;
    _cleanup_(disk_driver_clear) struct disk_driver driver = { 0 };

    for (size_t i = 0; i < ARRAY_SIZE(fixed_buses); i++)
        if (streq(bus, fixed_buses[i]))
            return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "disk bus '%s' cannot be hotplugged.", bus);
    if (dev->disk_device && !cdrom && !streq(dev->disk_device, "disk"))
        return unsupported_disk(dev, dev->disk_device, err);
    if (dev->type && !streq(dev->type, "file") && !streq(dev->type, "volume"))
        return unsupported_disk(dev, "a disk of a type other than 'file' or 'volume'", err);
    if (!streq(bus, "scsi") && (!streq(bus, "virtio") || disk_index < 0 || cdrom))
        return unsupported_disk(dev, "a disk on a bus other than virtio or scsi", err);
    if (!file && !cdrom)
        return unsupported_disk(dev, "a disk without a source", err);
    if (read_disk_driver(dev, &driver, err) < 0 ||
        plan_blockdevs(op, hp, file, cdrom || has_child(dev, "readonly"), &driver, fmt, sizeof(fmt), err) < 0)
        return -1;
    /* dev's fields were read again from its edited XML: bus is gone */
    if (streq(qemu_hotplug_disk_bus(dev), "scsi"))
        return plan_scsi(op, fmt, &driver.cache, err);
    snprintf(op->alias, sizeof(op->alias), "virtio-disk%d", disk_index);
    args = qemu_hotplug_args("driver", "virtio-blk-pci");
    json_object_object_add(args, "id", json_object_new_string(op->alias));
    json_object_object_add(args, "drive", json_object_new_string(fmt));
    add_write_cache(args, &driver.cache);
    add_step(op, "device_add", args, NULL, NULL);
    return 0;
}

/* netdev_add of a user-mode backend, device_add of the NIC model on it. */
/* An ethernet NIC's tap, opened here as at start (qemu_tap.c), goes to qemu with getfd under the
 * netdev's name; the live XML names it (<target dev='vnetN'/>). Undone: closefd (netdev_del
 * closes qemu's copy once netdev_add took it), and the tap goes with the last fd. */
static int add_tap_steps(struct attach_op *op, const char *fdname, struct vb_error *err)
{
    _cleanup_free_ char *ifname = NULL;
    int fd = qemu_tap_open(op->live_dev, &ifname, err);

    if (fd < 0)
        return -1;
    if (vb_device_def_set_child_attribute(op->live_dev, "target", "dev", ifname, err) < 0) {
        close(fd);
        return -1;
    }
    qemu_hotplug_steps_add_fd(&op->steps, "getfd", qemu_hotplug_args("fdname", fdname), fd, "closefd",
                              qemu_hotplug_args("fdname", fdname));
    return 0;
}

static int plan_interface(struct attach_op *op, struct qemu_hotplug *hp, struct vb_error *err)
{
    const struct vb_device_def *dev = op->live_dev;
    const char *model = dev->model ? dev->model : "rtl8139";
    static const char *const models[][2] = {
        { "virtio", "virtio-net-pci" }, { "e1000", "e1000" }, { "e1000e", "e1000e" }, { "rtl8139", "rtl8139" },
    };
    const char *device = NULL;
    char netdev[64];
    struct json_object *args;
    unsigned int n;

    bool tap = dev->type && streq(dev->type, "ethernet");

    if (!tap && (!dev->type || !streq(dev->type, "user")))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "live attach of interface type '%s' is not supported",
                            dev->type ? dev->type : "");
    for (size_t i = 0; i < ARRAY_SIZE(models); i++)
        if (streq(models[i][0], model))
            device = models[i][1];
    if (!device)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "unsupported configuration: interface model '%s' is not supported by the QEMU driver",
                            model);
    n = hp->next_net++;
    snprintf(op->alias, sizeof(op->alias), "net%u", n);
    snprintf(netdev, sizeof(netdev), "hostnet%u", n);

    if (tap && add_tap_steps(op, netdev, err) < 0)
        return -1;
    args = qemu_hotplug_args("type", tap ? "tap" : "user");
    json_object_object_add(args, "id", json_object_new_string(netdev));
    if (tap)
        json_object_object_add(args, "fd", json_object_new_string(netdev));
    add_step(op, "netdev_add", args, "netdev_del", qemu_hotplug_args("id", netdev));

    args = qemu_hotplug_args("driver", device);
    json_object_object_add(args, "netdev", json_object_new_string(netdev));
    json_object_object_add(args, "id", json_object_new_string(op->alias));
    json_object_object_add(args, "mac", json_object_new_string(dev->mac));
    add_step(op, "device_add", args, NULL, NULL);
    return 0;
}

/* Every step done: the live definition gets the device with its alias, the persistent one too
 * when asked (libvirt saves it after the live change succeeded). */
static int attach_commit(struct attach_op *op, const char *mac, struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;
    struct vb_domain_obj *obj = dom->obj;
    struct device_change change = { .xml = op->xml, .mac = mac };

    if ((op->flags & VB_AFFECT_CONFIG) &&
        vb_registry_edit_defs(obj, VB_AFFECT_CONFIG, edit_attach, &change, &qemu_store_ops, dom->conn, err) < 0)
        return -1; /* qemu has the device: as libvirt, the error is reported and the live change stays */
    return 0;
}

static void run_next_step(struct attach_op *op);

static void finish_attach(struct attach_op *op, int r, const struct vb_error *err)
{
    struct qemu_dom *dom = op->dom;
    struct vb_error commit_err = VB_ERROR_INIT;

    if (r == 0 && op->controller && vb_domain_def_add_device(dom->obj->def, op->controller, &commit_err) == 0)
        op->controller = NULL; /* now in obj->def, before the disk on it */
    if (r == 0) {
        if (vb_domain_def_add_device(dom->obj->def, op->live_dev, &commit_err) < 0) {
            r = -1; /* out of memory only: the duplicate check ran before qemu was asked */
            qemu_hotplug_send_quiet(dom, "device_del", qemu_hotplug_args("id", op->alias));
            qemu_hotplug_steps_undo(op->dom, &op->steps);
        } else {
            const struct vb_device_def *added = TAKE_PTR(op->live_dev); /* now in obj->def */

            qemu_hotplug_save_live(dom);
            qemu_hotplug_emit(dom, VB_DOMAIN_EVENT_ID_DEVICE_ADDED, op->alias);
            r = attach_commit(op, added->mac, &commit_err);
        }
        err = &commit_err;
    }
    dom->hotplug->attaching = NULL;
    qemu_dom_finish_call(dom, r, err);
    vb_error_clear(&commit_err);
    op_free(op);
}

static void on_step_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct attach_op *op = userdata;

    if (reply->result < 0) {
        qemu_hotplug_steps_undo(op->dom, &op->steps);
        finish_attach(op, -1, &reply->err);
        return;
    }
    op->steps.done++;
    run_next_step(op);
}

/* The slot qemu gave the device with id alias on the root PCI bus (query-pci), -1 when it is
 * not there (behind a bridge, or not PCI). */
static int root_bus_slot(struct json_object *buses, const char *alias, int *function)
{
    for (size_t i = 0; buses && i < json_object_array_length(buses); i++) {
        struct json_object *bus = json_object_array_get_idx(buses, i), *devices, *v;

        if (!json_object_object_get_ex(bus, "bus", &v) || json_object_get_int(v) != 0 ||
            !json_object_object_get_ex(bus, "devices", &devices))
            continue;
        for (size_t j = 0; j < json_object_array_length(devices); j++) {
            struct json_object *dev = json_object_array_get_idx(devices, j), *id, *slot, *fn;

            if (json_object_object_get_ex(dev, "qdev_id", &id) && streq(json_object_get_string(id), alias) &&
                json_object_object_get_ex(dev, "slot", &slot) && json_object_object_get_ex(dev, "function", &fn)) {
                *function = json_object_get_int(fn);
                return json_object_get_int(slot);
            }
        }
    }
    return -1;
}

static void record_slot(struct vb_device_def *dev, struct json_object *buses, const char *alias)
{
    struct vb_error err = VB_ERROR_INIT;
    int function = 0, slot = root_bus_slot(buses, alias, &function);
    char text[128];

    if (slot < 0)
        return;
    snprintf(text, sizeof(text), "<address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x%x'/>",
             (unsigned int) slot, (unsigned int) function);
    if (vb_device_def_set_child_element(dev, "address", text, &err) < 0) {
        vb_log_warning("cannot record where '%s' is: %s", alias, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

/* qemu placed the device (and the SCSI controller added for it): its address goes into the live
 * XML (libvirt's live XML has it), so a restore of a save image, which starts qemu from that XML,
 * puts it in the same slot. A SCSI disk is not on the PCI bus: its drive address is there already. */
static void on_placed(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct attach_op *op = userdata;

    if (reply->result == 0) {
        record_slot(op->live_dev, reply->ret, op->alias);
        if (op->controller)
            record_slot(op->controller, reply->ret, "scsi0");
    }
    finish_attach(op, 0, NULL);
}

static void run_next_step(struct attach_op *op)
{
    struct vb_error err = VB_ERROR_INIT;

    if (op->steps.done == op->steps.n) {
        if (qemu_process_command(op->dom->proc, "query-pci", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_placed, op,
                                 &err) < 0) {
            vb_error_clear(&err); /* qemu has the device; only its address goes unrecorded */
            finish_attach(op, 0, NULL);
        }
        return;
    }
    if (qemu_hotplug_steps_send(op->dom, &op->steps, on_step_reply, op, &err) < 0) {
        qemu_hotplug_steps_undo(op->dom, &op->steps);
        finish_attach(op, -1, &err);
        vb_error_clear(&err);
    }
}

static int set_alias(struct attach_op *op, struct vb_error *err)
{
    char text[128];

    snprintf(text, sizeof(text), "<alias name='%s'/>", op->alias);
    return vb_device_def_set_child_element(op->live_dev, "alias", text, err);
}

static int attach_live(struct qemu_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                       struct attach_op *op)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom = qemu_dom_running(obj, err);
    struct qemu_hotplug *hp = dom ? qemu_hotplug_get(dom, err) : NULL;
    const char *file;
    int r;

    if (!hp)
        return -1;
    op->dom = dom;
    /* qemu opens the file a pool volume stands for, as at start; both definitions keep the
     * volume (libvirt's live XML shows type='volume' for a hot-plugged one too). */
    if (op->live_dev->kind == VB_DEVICE_DISK)
        r = qemu_storage_disk_file(conn, op->live_dev, &file, err) < 0 ? -1 : plan_disk(op, hp, file, err);
    else if (op->live_dev->kind == VB_DEVICE_INTERFACE)
        r = plan_interface(op, hp, err);
    else
        r = vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "live attach of device '%s' is not supported",
                         op->live_dev->element);
    if (r < 0 || set_alias(op, err) < 0)
        return -1;
    if (qemu_hotplug_steps_send(op->dom, &op->steps, on_step_reply, op, err) < 0)
        return -1;
    hp->attaching = op;
    return qemu_dom_wait(dom, call); /* replies come from the loop, after we return */
}

int qemu_attach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags)
{
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct attach_op *op;
    struct device_change change = { .xml = xml };
    int r;

    if (qemu_hotplug_check_flags(obj, &flags, 0, err) < 0)
        return -1;
    if (!(flags & VB_AFFECT_LIVE))
        return vb_registry_edit_defs(obj, flags, edit_attach, &change, &qemu_store_ops, conn, err);
    if (!(op = calloc(1, sizeof(*op))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *op = (struct attach_op){ .xml = xml, .flags = flags };
    if (!(op->live_dev = vb_device_def_parse_string(xml, err))) {
        op_free(op);
        return -1;
    }
    /* Both definitions must take the device before qemu is asked (a duplicate target or MAC). */
    change.mac = op->live_dev->mac;
    if (probe_edit(obj->def, edit_attach, &change, err) < 0 ||
        ((flags & VB_AFFECT_CONFIG) && probe_edit(vb_domain_obj_persistent_def(obj), edit_attach, &change, err) < 0)) {
        op_free(op);
        return -1;
    }
    r = attach_live(conn, call, obj, op);
    if (r < 0)
        op_free(op);
    return r;
}

int qemu_hotplug_update_config(struct vb_domain_obj *obj, struct qemu_conn *conn, const char *xml,
                               struct vb_error *err)
{
    struct device_change change = { .xml = xml };

    return vb_registry_edit_defs(obj, VB_AFFECT_CONFIG, edit_update, &change, &qemu_store_ops, conn, err);
}

/* A disk's medium (qemu_hotplug_media.c); other live updates (a NIC's link state) are not done:
 * the persistent definition only. */
int qemu_update_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct device_change change = { .xml = xml };
    _cleanup_(vb_device_def_freep) struct vb_device_def *dev = NULL;

    if (qemu_hotplug_check_flags(obj, &flags, VB_DEVICE_MODIFY_FORCE, err) < 0 ||
        !(dev = vb_device_def_parse_string(xml, err)))
        return -1;
    if (dev->kind == VB_DEVICE_DISK)
        return qemu_hotplug_update_disk(call, priv, obj, dev, xml, flags);
    if (dev->kind == VB_DEVICE_INTERFACE)
        return qemu_hotplug_update_nic(call, priv, obj, dev, xml, flags);
    if (flags & VB_AFFECT_LIVE)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "live update of device '%s' is not supported",
                            dev->element);
    return vb_registry_edit_defs(obj, flags, edit_update, &change, &qemu_store_ops, priv, err);
}

void qemu_hotplug_attach_abandon(struct qemu_hotplug *hp)
{
    if (hp->attaching)
        op_free(hp->attaching);
    hp->attaching = NULL;
    qemu_hotplug_media_abandon(hp);
    qemu_hotplug_link_free(hp->linking); /* its reply never comes */
    hp->linking = NULL;
}
