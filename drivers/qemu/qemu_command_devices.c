/* qemu's command line for <devices>: controllers, disks, network interfaces, serial ports,
 * balloon. Names (libvirt-N-format, virtio-disk0, hostnet0, charserial0) are libvirt's. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "drivers/qemu/qemu_command_private.h"
#include "drivers/qemu/qemu_tap.h"
#include "drivers/qemu/qmp_message.h"

/* The device pass each element belongs to, in libvirt's command line order. */
enum device_pass {
    PASS_CONTROLLERS,
    PASS_DISKS,
    PASS_INTERFACES,
    PASS_CHARDEVS,
    PASS_OTHERS,
};

/* Where a device is named in errors: "disk 'vda'", "interface '52:54:00:..'", "<rng>". */
static void describe(const struct vb_device_def *dev, char *out, size_t size)
{
    const char *id = dev->target_dev ? dev->target_dev : dev->mac;

    if (id)
        snprintf(out, size, "%s '%s'", dev->element, id);
    else
        snprintf(out, size, "<%s>", dev->element);
}

/* libvirt's virDiskNameToIndex: "vda" 0, "vdz" 25, "vdaa" 26. */
static int disk_index(const char *target_dev)
{
    int index = 0;
    const char *p = target_dev;

    if (!p || strlen(p) < 3)
        return -1;
    p += 2;
    for (int i = 0; *p; i++, p++) {
        if (*p < 'a' || *p > 'z' || index > 100000)
            return -1;
        index = (index + (i == 0 ? 0 : 1)) * 26 + (*p - 'a');
    }
    return index;
}

static int parse_boot_order(const struct vb_xml_element *el, const char *where, unsigned int *order,
                            struct vb_error *err)
{
    const struct vb_xml_element *boot = vb_xml_element_child(el, "boot");
    static const char *const attrs[] = { "order", NULL };
    const char *text;
    char *end;
    unsigned long value;

    *order = 0;
    if (!boot)
        return 0;
    if (qemu_check_attrs(boot, attrs, where, err) < 0)
        return -1;
    text = vb_xml_element_attr(boot, "order");
    value = text ? strtoul(text, &end, 10) : 0;
    if (!text || *end || value == 0 || value > 65535)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: invalid boot order '%s'", where, text ? text : "");
    *order = (unsigned int) value;
    return 0;
}

bool qemu_devices_have_boot_order(const struct vb_domain_def *def)
{
    for (size_t i = 0; i < def->n_devices; i++) {
        _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = NULL;
        if (def->devices[i]->kind != VB_DEVICE_DISK && def->devices[i]->kind != VB_DEVICE_INTERFACE)
            continue;
        el = vb_device_def_view(def->devices[i], NULL);
        if (el && vb_xml_element_child(el, "boot"))
            return true;
    }
    return false;
}

/* --- controllers -------------------------------------------------------------------------------- */

static const char *usb_device(const struct qemu_cmd *cmd, const char *model)
{
    if (!model)
        return cmd->q35 ? "qemu-xhci" : "piix3-usb-uhci";
    if (streq(model, "piix3-uhci"))
        return "piix3-usb-uhci";
    if (streq(model, "qemu-xhci"))
        return "qemu-xhci";
    return NULL;
}

/* The SCSI and SATA controllers are added once: by their <controller> (el, with its address),
 * or else by the first disk that needs one (el NULL). */
static int add_scsi_controller(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where,
                               struct vb_error *err)
{
    const char *model = el ? vb_xml_element_attr(el, "model") : NULL;
    char text[32];

    if (cmd->scsi_device)
        return 0;
    if (!model || streq(model, "lsilogic"))
        cmd->scsi_device = "lsi";
    else if (streq(model, "virtio-scsi"))
        cmd->scsi_device = "virtio-scsi-pci";
    else
        return qemu_unsupported(err, "SCSI controller model '%s'", model);
    snprintf(text, sizeof(text), "%s,id=scsi0", cmd->scsi_device);
    return qemu_add_addressed_device(cmd, text, el, where, err);
}

static int add_ahci(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where, struct vb_error *err)
{
    if (cmd->q35)
        return el ? qemu_check_builtin_address(el, 0x1f, 2, where, err) : 0; /* ICH9's own */
    if (cmd->ahci_added)
        return 0;
    cmd->ahci_added = true;
    return qemu_add_addressed_device(cmd, "ahci,id=sata0", el, where, err);
}

static int add_usb_controller(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where,
                              struct vb_error *err)
{
    const char *model = vb_xml_element_attr(el, "model");
    const char *device = usb_device(cmd, model);
    char text[32];

    if (model && streq(model, "none"))
        return 0;
    if (!device)
        return qemu_unsupported(err, "USB controller model '%s'", model);
    snprintf(text, sizeof(text), "%s,id=usb", device);
    return qemu_add_addressed_device(cmd, text, el, where, err);
}

static int add_controller(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where,
                          struct vb_error *err)
{
    static const char *const attrs[] = { "type", "index", "model", NULL };
    static const char *const children[] = { "address", "alias", NULL };
    const char *type = vb_xml_element_attr(el, "type"), *model = vb_xml_element_attr(el, "model");
    const char *index = vb_xml_element_attr(el, "index");

    if (qemu_check_attrs(el, attrs, where, err) < 0 || qemu_check_children(el, children, where, err) < 0)
        return -1;
    if (!type)
        return vb_error_set(err, VB_ERR_XML_ERROR, "controller without a type");
    if (index && !streq(index, "0"))
        return qemu_unsupported(err, "%s controller index %s", type, index);
    if (streq(type, "pci") && model && streq(model, cmd->q35 ? "pcie-root" : "pci-root"))
        return qemu_check_children(el, NULL, where, err); /* the machine's own */
    if (streq(type, "ide") && !cmd->q35)
        return qemu_check_builtin_address(el, 1, 1, where, err); /* PIIX3's IDE */
    if (streq(type, "sata"))
        return add_ahci(cmd, el, where, err);
    if (streq(type, "scsi"))
        return add_scsi_controller(cmd, el, where, err);
    if (streq(type, "usb"))
        return add_usb_controller(cmd, el, where, err);
    return qemu_unsupported(err, "%s controller%s%s", type, model ? " model " : "", model ? model : "");
}

/* --- disks -------------------------------------------------------------------------------------- */

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char *const disk_formats[] = { "raw", "qcow2", "qed", "vmdk", "vdi", "vpc", "vhdx", NULL };

struct disk {
    const char *type, *device, *path, *format, *bus, *dev;
    const char *discard; /* <driver discard>: "unmap", "ignore" or NULL (unmap on the file, as ever) */
    struct qemu_disk_cache cache;
    bool readonly, cdrom;
    unsigned int boot_order;
    int index;
    struct qemu_drive_address address;
};

static int check_disk_children(const struct vb_xml_element *el, const char *where, struct vb_error *err)
{
    static const char *const children[] = { "driver", "source", "target", "readonly", "boot", "address", "alias",
                                            NULL };
    static const char *const disk_attrs[] = { "type", "device", NULL };
    static const char *const driver_attrs[] = { "name", "type", "cache", "discard", NULL };
    /* tray: the live XML's state of a CD-ROM's tray (qemu starts with it closed, as libvirt) */
    static const char *const target_attrs[] = { "dev", "bus", "tray", NULL };
    const char *type = vb_xml_element_attr(el, "type");
    /* index: the live XML's number of a hotplugged disk's block node (ignored, as an alias) */
    const char *source_attrs[] = { type && streq(type, "block") ? "dev" : "file", "index", NULL };
    const struct vb_xml_element *driver = vb_xml_element_child(el, "driver");
    const struct vb_xml_element *source = vb_xml_element_child(el, "source");
    const struct vb_xml_element *target = vb_xml_element_child(el, "target");

    if (qemu_check_attrs(el, disk_attrs, where, err) < 0 || qemu_check_children(el, children, where, err) < 0 ||
        (driver && (qemu_check_attrs(driver, driver_attrs, where, err) < 0 ||
                    qemu_check_children(driver, NULL, where, err) < 0)) ||
        (source && (qemu_check_attrs(source, source_attrs, where, err) < 0 ||
                    qemu_check_children(source, NULL, where, err) < 0)) ||
        (target && qemu_check_attrs(target, target_attrs, where, err) < 0))
        return -1;
    return 0;
}

const char *qemu_disk_default_bus(const char *dev)
{
    if (strncmp(dev, "vd", 2) == 0)
        return "virtio";
    if (strncmp(dev, "hd", 2) == 0)
        return "ide";
    if (strncmp(dev, "sd", 2) == 0)
        return "scsi";
    return NULL;
}

static int read_disk(const struct vb_xml_element *el, const char *where, struct disk *disk, struct vb_error *err)
{
    const struct vb_xml_element *driver = vb_xml_element_child(el, "driver");
    const struct vb_xml_element *source = vb_xml_element_child(el, "source");
    const struct vb_xml_element *target = vb_xml_element_child(el, "target");
    const char *driver_name = vb_xml_element_attr(driver, "name");

    if (check_disk_children(el, where, err) < 0)
        return -1;
    disk->type = vb_xml_element_attr(el, "type");
    disk->device = vb_xml_element_attr(el, "device");
    disk->cdrom = disk->device && streq(disk->device, "cdrom");
    if (!disk->type || (!streq(disk->type, "file") && !streq(disk->type, "block")))
        return qemu_unsupported(err, "%s: disk type '%s'", where, disk->type ? disk->type : "");
    if (disk->device && !disk->cdrom && !streq(disk->device, "disk"))
        return qemu_unsupported(err, "%s: disk device '%s'", where, disk->device);
    if (driver_name && !streq(driver_name, "qemu"))
        return qemu_unsupported(err, "%s: disk driver '%s'", where, driver_name);
    disk->format = vb_xml_element_attr(driver, "type");
    if (!disk->format)
        disk->format = "raw"; /* libvirt never probes formats */
    if (qemu_disk_driver_options(driver, where, &disk->cache, &disk->discard, err) < 0)
        return -1;
    disk->path = vb_xml_element_attr(source, streq(disk->type, "block") ? "dev" : "file");
    if (!disk->path && !disk->cdrom)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: a disk needs a source", where);
    disk->dev = vb_xml_element_attr(target, "dev");
    disk->index = disk_index(disk->dev);
    if (disk->index < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: invalid target dev '%s'", where, disk->dev ? disk->dev : "");
    disk->bus = vb_xml_element_attr(target, "bus");
    if (!disk->bus)
        disk->bus = qemu_disk_default_bus(disk->dev);
    if (!disk->bus)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: target dev '%s' names no bus, and none is given", where,
                            disk->dev);
    if (!streq(disk->bus, "virtio") && qemu_read_drive_address(el, where, &disk->address, err) < 0)
        return -1;
    disk->readonly = disk->cdrom || vb_xml_element_child(el, "readonly");
    return parse_boot_order(el, where, &disk->boot_order, err);
}

static bool format_known(const char *format)
{
    for (size_t i = 0; disk_formats[i]; i++)
        if (streq(disk_formats[i], format))
            return true;
    return false;
}

/* Two -blockdev nodes per disk image, as libvirt: the file ("storage") and its format. */
static void add_blockdevs(struct qemu_cmd *cmd, const struct disk *disk, unsigned int node)
{
    _cleanup_(json_object_putp) struct json_object *storage = json_object_new_object();
    _cleanup_(json_object_putp) struct json_object *format = json_object_new_object();
    char storage_name[48], format_name[48];

    snprintf(storage_name, sizeof(storage_name), "libvirt-%u-storage", node);
    snprintf(format_name, sizeof(format_name), "libvirt-%u-format", node);
    if (!storage || !format) {
        cmd->oom = true;
        return;
    }
    json_object_object_add(storage, "driver",
                            json_object_new_string(streq(disk->type, "block") ? (disk->cdrom ? "host_cdrom" : "host_device")
                                                                               : "file"));
    json_object_object_add(storage, "filename", json_object_new_string(disk->path));
    json_object_object_add(storage, "node-name", json_object_new_string(storage_name));
    qemu_disk_cache_add(storage, &disk->cache);
    json_object_object_add(storage, "auto-read-only", json_object_new_boolean(1));
    json_object_object_add(storage, "discard", json_object_new_string(disk->discard ? disk->discard : "unmap"));
    json_object_object_add(format, "node-name", json_object_new_string(format_name));
    json_object_object_add(format, "read-only", json_object_new_boolean(disk->readonly));
    qemu_disk_cache_add(format, &disk->cache);
    if (disk->discard)
        json_object_object_add(format, "discard", json_object_new_string(disk->discard));
    json_object_object_add(format, "driver", json_object_new_string(disk->format));
    json_object_object_add(format, "file", json_object_new_string(storage_name));
    qemu_cmd_add(cmd, "-blockdev");
    qemu_cmd_add(cmd, json_object_to_json_string_ext(storage, JSON_FLAGS));
    qemu_cmd_add(cmd, "-blockdev");
    qemu_cmd_add(cmd, json_object_to_json_string_ext(format, JSON_FLAGS));
}

/* Where a disk sits on its IDE, SATA or SCSI bus: its <address type='drive'>, else where libvirt
 * puts it from the target name (virDomainDiskDefAssignAddress). */
static struct qemu_drive_address drive_position(const struct disk *disk, unsigned int units_per_bus)
{
    if (disk->address.present)
        return disk->address;
    return (struct qemu_drive_address){ .present = true, .bus = (unsigned int) disk->index / units_per_bus,
                                        .unit = (unsigned int) disk->index % units_per_bus };
}

static unsigned int units_per_bus(const char *bus)
{
    return streq(bus, "ide") ? 2 : streq(bus, "sata") ? 6 : 7;
}

/* The id libvirt gives the disk at p on its IDE, SATA or SCSI bus: ide0-1-0, sata0-0-2, scsi0-0-0-1. */
static void drive_id(const struct disk *disk, const struct qemu_drive_address *p, char *id, size_t size)
{
    if (streq(disk->bus, "ide"))
        snprintf(id, size, "ide0-%u-%u", p->bus, p->unit);
    else if (streq(disk->bus, "sata"))
        snprintf(id, size, "sata0-0-%u", p->unit);
    else
        snprintf(id, size, "scsi0-0-%u-%u", p->target, p->unit);
}

static int drive_device(struct qemu_cmd *cmd, const struct disk *disk, const char *where, struct vb_buf *buf,
                        struct vb_error *err)
{
    const char *kind = disk->cdrom ? "cd" : "hd";
    struct qemu_drive_address p = drive_position(disk, units_per_bus(disk->bus));
    char id[64];

    drive_id(disk, &p, id, sizeof(id));
    if (streq(disk->bus, "ide")) {
        if (cmd->q35)
            return qemu_unsupported(err, "%s: IDE on machine type q35", where);
        if (p.bus < 2 && p.target == 0 && p.unit < 2) {
            vb_buf_addf(buf, "ide-%s,bus=ide.%u,unit=%u,id=%s", kind, p.bus, p.unit, id);
            return 0;
        }
    } else if (streq(disk->bus, "sata")) {
        if (add_ahci(cmd, NULL, where, err) < 0)
            return -1;
        if (p.bus == 0 && p.target == 0 && p.unit < 6) {
            vb_buf_addf(buf, "ide-%s,bus=%s.%u,id=%s", kind, cmd->q35 ? "ide" : "sata0", p.unit, id);
            return 0;
        }
    } else {
        if (add_scsi_controller(cmd, NULL, where, err) < 0)
            return -1;
        if (streq(cmd->scsi_device, "lsi") && p.bus == 0 && p.target == 0 && p.unit < 7) {
            vb_buf_addf(buf, "scsi-%s,bus=scsi0.0,scsi-id=%u,id=%s", kind, p.unit, id);
            return 0;
        }
        if (!streq(cmd->scsi_device, "lsi") && p.bus == 0 && p.target < 256 && p.unit < 16384) {
            vb_buf_addf(buf, "scsi-%s,bus=scsi0.0,channel=0,scsi-id=%u,lun=%u,id=%s", kind, p.target, p.unit, id);
            return 0;
        }
    }
    return qemu_unsupported(err, "%s: %s drive address bus %u target %u unit %u", where, disk->bus, p.bus, p.target,
                            p.unit);
}

int qemu_disk_drive(const struct vb_device_def *dev, struct qemu_disk_drive *out, struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, err);
    struct disk disk = { 0 };
    struct qemu_drive_address p;
    char where[96];

    if (!el)
        return -1;
    describe(dev, where, sizeof(where));
    if (read_disk(el, where, &disk, err) < 0)
        return -1;
    if (!streq(disk.bus, "ide") && !streq(disk.bus, "sata") && !streq(disk.bus, "scsi"))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "%s: bus '%s' has no drive address", where, disk.bus);
    p = drive_position(&disk, units_per_bus(disk.bus));
    drive_id(&disk, &p, out->id, sizeof(out->id));
    out->bus = p.bus;
    out->target = p.target;
    out->unit = p.unit;
    return 0;
}

/* The -device for a disk on its bus: "virtio-blk-pci,...", "ide-hd,bus=ide.0,unit=0,...". */
static int disk_device(struct qemu_cmd *cmd, const struct disk *disk, const struct vb_xml_element *el,
                       const char *where, struct vb_buf *buf, struct vb_error *err)
{
    if (streq(disk->bus, "virtio") && !disk->cdrom) {
        vb_buf_addf(buf, "virtio-blk-pci,id=virtio-disk%d", disk->index);
        return qemu_add_pci_address(cmd, el, where, buf, err);
    }
    if (streq(disk->bus, "ide") || streq(disk->bus, "sata") || streq(disk->bus, "scsi"))
        return drive_device(cmd, disk, where, buf, err);
    return qemu_unsupported(err, "%s: %s on bus '%s'", where, disk->cdrom ? "a CD-ROM" : "a disk", disk->bus);
}

static int add_disk(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where, struct vb_error *err)
{
    struct disk disk = { 0 };
    struct vb_buf buf = { 0 };

    if (read_disk(el, where, &disk, err) < 0)
        return -1;
    if (!format_known(disk.format))
        return qemu_unsupported(err, "%s: disk format '%s'", where, disk.format);
    if (disk_device(cmd, &disk, el, where, &buf, err) < 0) {
        vb_buf_free(&buf);
        return -1;
    }
    if (disk.path) {
        unsigned int node = cmd->next_node++;
        add_blockdevs(cmd, &disk, node);
        vb_buf_addf(&buf, ",drive=libvirt-%u-format", node);
    }
    if (disk.boot_order)
        vb_buf_addf(&buf, ",bootindex=%u", disk.boot_order);
    if (disk.cache.set)
        vb_buf_addf(&buf, ",write-cache=%s", disk.cache.writeback ? "on" : "off");
    qemu_cmd_add_buf(cmd, "-device", &buf);
    return 0;
}

/* --- network interfaces ------------------------------------------------------------------------- */

static const char *nic_device(const char *model)
{
    static const char *const map[][2] = {
        { "virtio", "virtio-net-pci" }, { "e1000", "e1000" }, { "e1000e", "e1000e" }, { "rtl8139", "rtl8139" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        if (streq(map[i][0], model))
            return map[i][1];
    return NULL;
}

/* The backend: user-mode networking, or the tap the daemon opened for an ethernet interface
 * (qemu_tap.c), handed to qemu as fd QEMU_TAP_FD_BASE + n. */
static int add_netdev(struct qemu_cmd *cmd, const struct vb_device_def *dev, const struct vb_xml_element *el,
                      const char *where, unsigned int n, struct vb_error *err)
{
    static const char *const user_children[] = { "mac", "model", "boot", "address", "alias", "link", NULL };
    static const char *const tap_children[] = { "mac", "model", "boot", "address", "alias", "target", "link", NULL };
    static const char *const link_attrs[] = { "state", NULL };
    static const char *const target_attrs[] = { "dev", "managed", NULL };
    bool tap = dev->type && streq(dev->type, "ethernet");
    const struct vb_xml_element *target = vb_xml_element_child(el, "target");
    const struct vb_xml_element *link = vb_xml_element_child(el, "link");
    const char *state = vb_xml_element_attr(link, "state");

    if (!tap && !(dev->type && streq(dev->type, "user")))
        return qemu_unsupported(err, "%s: interface type '%s'", where, dev->type ? dev->type : "");
    if (qemu_check_children(el, tap ? tap_children : user_children, where, err) < 0 ||
        (target && qemu_check_attrs(target, target_attrs, where, err) < 0) ||
        (link && qemu_check_attrs(link, link_attrs, where, err) < 0))
        return -1;
    if (state && !streq(state, "up") && !streq(state, "down")) /* down is set before the guest runs */
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: unknown interface link state '%s'", where, state);
    qemu_cmd_add(cmd, "-netdev");
    if (tap)
        qemu_cmd_addf(cmd, "tap,fd=%u,id=hostnet%u", QEMU_TAP_FD_BASE + n, n);
    else
        qemu_cmd_addf(cmd, "user,id=hostnet%u", n);
    return 0;
}

static int add_interface(struct qemu_cmd *cmd, const struct vb_device_def *dev, const struct vb_xml_element *el,
                         const char *where, unsigned int n, struct vb_error *err)
{
    static const char *const attrs[] = { "type", NULL };
    const char *model = dev->model ? dev->model : "rtl8139"; /* libvirt's default on x86 */
    const char *device = nic_device(model);
    struct vb_buf buf = { 0 };
    unsigned int boot_order;

    if (qemu_check_attrs(el, attrs, where, err) < 0 || parse_boot_order(el, where, &boot_order, err) < 0)
        return -1;
    if (!device)
        return qemu_unsupported(err, "%s: interface model '%s'", where, model);
    if (!dev->mac)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: interface without a MAC address", where);
    if (add_netdev(cmd, dev, el, where, n, err) < 0)
        return -1;
    vb_buf_addf(&buf, "%s,netdev=hostnet%u,id=net%u,mac=%s", device, n, n, dev->mac);
    if (boot_order)
        vb_buf_addf(&buf, ",bootindex=%u", boot_order);
    if (qemu_add_pci_address(cmd, el, where, &buf, err) < 0) {
        vb_buf_free(&buf);
        return -1;
    }
    qemu_cmd_add_buf(cmd, "-device", &buf);
    return 0;
}

/* --- serial ports and consoles ------------------------------------------------------------------ */

static int check_serial_target(const struct vb_xml_element *target, const char *where, struct vb_error *err)
{
    static const char *const attrs[] = { "type", "port", NULL };
    static const char *const children[] = { "model", NULL };
    const char *type = vb_xml_element_attr(target, "type");
    const struct vb_xml_element *model = vb_xml_element_child(target, "model");
    const char *model_name = vb_xml_element_attr(model, "name");

    if (!target)
        return 0;
    if (qemu_check_attrs(target, attrs, where, err) < 0 || qemu_check_children(target, children, where, err) < 0)
        return -1;
    if (type && !streq(type, "isa-serial") && !streq(type, "serial"))
        return qemu_unsupported(err, "%s: target type '%s'", where, type);
    if (model && (!model_name || !streq(model_name, "isa-serial")))
        return qemu_unsupported(err, "%s: target model '%s'", where, model_name ? model_name : "");
    return 0;
}

/* -chardev file|pty and the isa-serial device on it. */
static int add_serial(struct qemu_cmd *cmd, const struct vb_device_def *dev, const struct vb_xml_element *el,
                      const char *where, unsigned int n, struct vb_error *err)
{
    static const char *const attrs[] = { "type", NULL };
    static const char *const children[] = { "source", "target", NULL };
    static const char *const source_attrs[] = { "path", "append", NULL };
    const struct vb_xml_element *source = vb_xml_element_child(el, "source");
    const char *path = vb_xml_element_attr(source, "path"), *append = vb_xml_element_attr(source, "append");
    struct vb_buf buf = { 0 };
    int port = dev->port >= 0 ? dev->port : (int) n;

    if (qemu_check_attrs(el, attrs, where, err) < 0 || qemu_check_children(el, children, where, err) < 0 ||
        (source && qemu_check_attrs(source, source_attrs, where, err) < 0) ||
        check_serial_target(vb_xml_element_child(el, "target"), where, err) < 0)
        return -1;
    if (port > 3)
        return qemu_unsupported(err, "%s: serial port %d", where, port);
    if (dev->type && streq(dev->type, "file")) {
        if (!path)
            return vb_error_set(err, VB_ERR_XML_ERROR, "%s: a file serial port needs a source path", where);
        vb_buf_addf(&buf, "file,id=charserial%u,path=", n);
        qemu_buf_add_escaped(&buf, path);
        if (append)
            vb_buf_addf(&buf, ",append=%s", streq(append, "on") ? "on" : "off");
    } else if (dev->type && streq(dev->type, "pty")) {
        vb_buf_addf(&buf, "pty,id=charserial%u", n);
    } else {
        return qemu_unsupported(err, "%s: type '%s'", where, dev->type ? dev->type : "");
    }
    qemu_cmd_add_buf(cmd, "-chardev", &buf);
    qemu_cmd_add(cmd, "-device");
    qemu_cmd_addf(cmd, "isa-serial,chardev=charserial%u,id=serial%u,index=%d", n, n, port);
    return 0;
}

/* A <console> on a serial port is the same port seen twice (libvirt's alias of serial0). */
static int check_console(const struct vb_domain_def *def, const struct vb_device_def *dev,
                         const struct vb_xml_element *el, const char *where, struct vb_error *err)
{
    const struct vb_xml_element *target = vb_xml_element_child(el, "target");
    const char *type = vb_xml_element_attr(target, "type");
    int port = dev->port >= 0 ? dev->port : 0;

    if (type && !streq(type, "serial"))
        return qemu_unsupported(err, "%s: console type '%s'", where, type);
    for (size_t i = 0; i < def->n_devices; i++) {
        const struct vb_device_def *serial = def->devices[i];
        if (serial->kind == VB_DEVICE_SERIAL && (serial->port >= 0 ? serial->port : 0) == port)
            return 0;
    }
    return qemu_unsupported(err, "%s: a console without the serial port it shows", where);
}

static enum device_pass pass_of(const struct vb_device_def *dev)
{
    switch (dev->kind) {
    case VB_DEVICE_CONTROLLER:
        return PASS_CONTROLLERS;
    case VB_DEVICE_DISK:
        return PASS_DISKS;
    case VB_DEVICE_INTERFACE:
        return PASS_INTERFACES;
    case VB_DEVICE_SERIAL:
    case VB_DEVICE_CONSOLE:
        return PASS_CHARDEVS;
    default:
        return PASS_OTHERS;
    }
}

/* counters[kind]: how many devices of that kind came before, for their names (hostnet1, serial1). */
static int add_device(struct qemu_cmd *cmd, const struct vb_device_def *dev, unsigned int *counters,
                      struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, err);
    const struct vb_xml_element *alias;
    const char *alias_name;
    char where[96];

    if (!el)
        return -1;
    describe(dev, where, sizeof(where));
    /* The builder names devices itself. A generated alias (a live XML saved in a save image, after
     * a hotplug) is dropped, as libvirt's parser drops it; a user alias ("ua-") is not supported. */
    alias = vb_xml_element_child(el, "alias");
    alias_name = alias ? vb_xml_element_attr(alias, "name") : NULL;
    if (alias_name && strncmp(alias_name, "ua-", 3) == 0)
        return qemu_unsupported(err, "%s: <alias name='%s'>", where, alias_name);
    switch (dev->kind) {
    case VB_DEVICE_CONTROLLER:
        return add_controller(cmd, el, where, err);
    case VB_DEVICE_DISK:
        return add_disk(cmd, el, where, err);
    case VB_DEVICE_INTERFACE:
        return add_interface(cmd, dev, el, where, counters[VB_DEVICE_INTERFACE]++, err);
    case VB_DEVICE_SERIAL:
        return add_serial(cmd, dev, el, where, counters[VB_DEVICE_SERIAL]++, err);
    case VB_DEVICE_CONSOLE:
        return check_console(cmd->def, dev, el, where, err);
    default:
        return qemu_add_other_device(cmd, dev, el, where, err);
    }
}

int qemu_build_devices(struct qemu_cmd *cmd, struct vb_error *err)
{
    unsigned int counters[VB_DEVICE_OTHER + 1] = { 0 };

    for (enum device_pass pass = PASS_CONTROLLERS; pass <= PASS_OTHERS; pass++)
        for (size_t i = 0; i < cmd->def->n_devices; i++)
            if (pass_of(cmd->def->devices[i]) == pass && add_device(cmd, cmd->def->devices[i], counters, err) < 0)
                return -1;
    return 0;
}
