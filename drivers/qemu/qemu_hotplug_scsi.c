/* SCSI disks attached live (planned here, run by qemu_hotplug.c): the drive address recorded in the
 * live XML, a scsi-hd or scsi-cd on the guest's SCSI bus, and, when the guest has no SCSI
 * controller, a virtio-scsi one added first, as libvirt's qemuDomainFindOrCreateSCSIDiskController. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/macros.h"

#define SCSI_CONTROLLER_XML "<controller type='scsi' index='0' model='virtio-scsi'/>"
#define SCSI_CONTROLLER_LIVE_XML "<controller type='scsi' index='0' model='virtio-scsi'><alias name='scsi0'/></controller>"

static const struct vb_device_def *find_scsi_controller(const struct vb_domain_def *def)
{
    for (size_t i = 0; def && i < def->n_devices; i++) {
        const struct vb_device_def *dev = def->devices[i];

        if (dev->kind == VB_DEVICE_CONTROLLER && dev->type && streq(dev->type, "scsi") && dev->index <= 0)
            return dev;
    }
    return NULL;
}

static bool has_scsi_disk(const struct vb_domain_def *def)
{
    for (size_t i = 0; def && i < def->n_devices; i++)
        if (def->devices[i]->kind == VB_DEVICE_DISK && streq(qemu_hotplug_disk_bus(def->devices[i]), "scsi"))
            return true;
    return false;
}

bool qemu_hotplug_scsi_needs_controller(const struct vb_domain_def *def)
{
    return !find_scsi_controller(def) && !has_scsi_disk(def);
}

struct vb_device_def *qemu_hotplug_scsi_controller_def(bool live, struct vb_error *err)
{
    return vb_device_def_parse_string(live ? SCSI_CONTROLLER_LIVE_XML : SCSI_CONTROLLER_XML, err);
}

/* The SCSI controller qemu has: its <controller>, or the lsi the command line added for the SCSI
 * disks of a definition without one. NULL: none. */
static const char *running_controller(struct qemu_dom *dom)
{
    const struct vb_device_def *controller = find_scsi_controller(dom->obj->def);

    if (controller)
        return controller->model && streq(controller->model, "virtio-scsi") ? "virtio-scsi-pci" : "lsi";
    return has_scsi_disk(qemu_process_def(dom->proc)) ? "lsi" : NULL;
}

static int record_address(struct vb_device_def *dev, const struct qemu_disk_drive *drive, struct vb_error *err)
{
    char text[128];

    snprintf(text, sizeof(text), "<address type='drive' controller='0' bus='%u' target='%u' unit='%u'/>", drive->bus,
             drive->target, drive->unit);
    return vb_device_def_set_child_element(dev, "address", text, err);
}

int qemu_hotplug_scsi_plan(struct qemu_dom *dom, struct vb_device_def *dev, struct scsi_plan *plan,
                           struct vb_error *err)
{
    const char *controller = running_controller(dom);
    bool cdrom = dev->disk_device && streq(dev->disk_device, "cdrom");
    struct qemu_disk_drive drive;
    struct json_object *args;

    *plan = (struct scsi_plan){ .add_controller = !controller };
    if (!controller)
        controller = "virtio-scsi-pci";
    if (qemu_disk_drive(dev, &drive, err) < 0)
        return -1;
    if (drive.bus != 0 || (streq(controller, "lsi") ? drive.target != 0 || drive.unit >= 7
                                                    : drive.target >= 256 || drive.unit >= 16384))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "unsupported configuration: disk '%s': drive address bus %u target %u unit %u on %s",
                            dev->target_dev ? dev->target_dev : "", drive.bus, drive.target, drive.unit, controller);
    if (record_address(dev, &drive, err) < 0)
        return -1;
    memcpy(plan->alias, drive.id, sizeof(plan->alias));
    if (!(args = json_object_new_object()))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    json_object_object_add(args, "driver", json_object_new_string(cdrom ? "scsi-cd" : "scsi-hd"));
    json_object_object_add(args, "bus", json_object_new_string("scsi0.0"));
    if (streq(controller, "lsi")) {
        json_object_object_add(args, "scsi-id", json_object_new_int((int) drive.unit));
    } else {
        json_object_object_add(args, "channel", json_object_new_int(0));
        json_object_object_add(args, "scsi-id", json_object_new_int((int) drive.target));
        json_object_object_add(args, "lun", json_object_new_int((int) drive.unit));
    }
    json_object_object_add(args, "id", json_object_new_string(plan->alias));
    plan->device = args;
    return 0;
}
