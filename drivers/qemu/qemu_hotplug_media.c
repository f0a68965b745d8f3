/* UpdateDevice of a disk in the QEMU driver, as libvirt's qemuDomainChangeDiskLive and
 * qemuDomainChangeMediaBlockdev: a CD-ROM's medium changed or ejected in the running qemu, and the
 * persistent definition changed through the store. The new medium's blockdev pair is added first
 * (a file qemu cannot open changes nothing), then blockdev-open-tray, blockdev-remove-medium,
 * blockdev-insert-medium and blockdev-close-tray; a failed step undoes those before it (the old
 * medium goes back in), and the old medium's nodes are deleted only once the new one is in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"

struct media_change {
    struct qemu_dom *dom;
    const char *xml;          /* the caller's disk, for the persistent definition (the call keeps it) */
    unsigned int flags;       /* resolved VB_AFFECT_* */
    char target[64];          /* the disk's target dev, to find it in the live definition at the end */
    const char *source_attr;  /* "file" or "dev" (type='block') */
    char *disk_type, *source, *format; /* the new medium; source NULL: eject */
    unsigned int node, old_node; /* libvirt-N-* of the new medium and of the one in now (0: none) */
    struct hotplug_steps steps;
};

static void change_free(struct media_change *change)
{
    qemu_hotplug_steps_clear(&change->steps);
    free(change->disk_type);
    free(change->source);
    free(change->format);
    free(change);
}

bool qemu_hotplug_media_abandon(struct qemu_hotplug *hp)
{
    bool had = hp->changing != NULL;

    if (had)
        change_free(hp->changing);
    hp->changing = NULL;
    return had;
}

static void add_step(struct media_change *change, const char *command, struct json_object *args, const char *undo,
                     struct json_object *undo_args)
{
    qemu_hotplug_steps_add(&change->steps, command, args, undo, undo_args);
}

/* --- what may change ---------------------------------------------------------------------------- */

static const char *disk_device(const struct vb_device_def *dev)
{
    return dev->disk_device ? dev->disk_device : "disk";
}

/* <boot order>'s value, "" when absent. */
static char *boot_order(const struct vb_device_def *dev)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, NULL);
    const struct vb_xml_element *boot = el ? vb_xml_element_child(el, "boot") : NULL;
    const char *order = boot ? vb_xml_element_attr(boot, "order") : NULL;

    return strdup(order ? order : "");
}

static int cannot_modify(const char *field, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify field '%s' of the disk", field);
}

/* libvirt's qemuDomainDiskChangeSupported, for what this model keeps: only the medium changes. */
static int check_change(const struct vb_device_def *given, const struct vb_device_def *orig, struct vb_error *err)
{
    _cleanup_free_ char *given_boot = boot_order(given), *orig_boot = boot_order(orig);

    if (!given_boot || !orig_boot)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!streq(disk_device(given), disk_device(orig)))
        return cannot_modify("device", err);
    if (!streq(qemu_hotplug_disk_bus(given), qemu_hotplug_disk_bus(orig)))
        return cannot_modify("bus", err);
    if (*given_boot && !streq(given_boot, orig_boot))
        return cannot_modify("boot order", err);
    return 0;
}

static bool same_string(const char *a, const char *b)
{
    return a == b || (a && b && streq(a, b));
}

/* libvirt's virStorageSourceIsSameLocation plus the format (qemuDomainDiskSourceDiffers). */
static int source_differs(const struct vb_device_def *given, const struct vb_device_def *orig, bool *differs,
                          struct vb_error *err)
{
    _cleanup_free_ char *given_format = NULL, *orig_format = NULL;

    *differs = !same_string(given->source, orig->source) || !same_string(given->type, orig->type);
    if (*differs || !given->source)
        return 0;
    if (!(given_format = qemu_disk_format(given, err)) || !(orig_format = qemu_disk_format(orig, err)))
        return -1;
    *differs = !streq(given_format, orig_format);
    return 0;
}

static int find_disk(const struct vb_domain_def *def, const struct vb_device_def *given)
{
    return given->target_dev ? vb_domain_def_find_device(def, given) : -1;
}

/* --- the QMP steps ------------------------------------------------------------------------------ */

static int plan_new_medium(struct media_change *change, const struct vb_device_def *given, struct qemu_hotplug *hp,
                           struct vb_error *err)
{
    char storage[48], format[48];
    struct json_object *args;

    if (!given->source)
        return 0;
    if (!(change->format = qemu_disk_format(given, err)))
        return -1;
    change->node = hp->next_node++;
    snprintf(storage, sizeof(storage), "libvirt-%u-storage", change->node);
    snprintf(format, sizeof(format), "libvirt-%u-format", change->node);

    args = qemu_hotplug_args("driver", streq(change->disk_type, "block") ? "host_cdrom" : "file");
    json_object_object_add(args, "filename", json_object_new_string(given->source));
    json_object_object_add(args, "node-name", json_object_new_string(storage));
    json_object_object_add(args, "auto-read-only", json_object_new_boolean(1));
    json_object_object_add(args, "discard", json_object_new_string("unmap"));
    add_step(change, "blockdev-add", args, "blockdev-del", qemu_hotplug_args("node-name", storage));

    args = qemu_hotplug_args("driver", change->format);
    json_object_object_add(args, "node-name", json_object_new_string(format));
    json_object_object_add(args, "read-only", json_object_new_boolean(1));
    json_object_object_add(args, "file", json_object_new_string(storage));
    add_step(change, "blockdev-add", args, "blockdev-del", qemu_hotplug_args("node-name", format));
    return 0;
}

static struct json_object *insert_args(const char *id, unsigned int node)
{
    struct json_object *args = qemu_hotplug_args("id", id);
    char format[48];

    snprintf(format, sizeof(format), "libvirt-%u-format", node);
    json_object_object_add(args, "node-name", json_object_new_string(format));
    return args;
}

static int plan(struct media_change *change, const struct vb_device_def *given, struct qemu_hotplug *hp,
                const char *id, bool force, struct vb_error *err)
{
    struct json_object *args;

    if (plan_new_medium(change, given, hp, err) < 0)
        return -1;
    args = qemu_hotplug_args("id", id);
    json_object_object_add(args, "force", json_object_new_boolean(force));
    /* Not forced, a guest that locked the tray keeps it shut and blockdev-remove-medium fails
     * (libvirt waits 5 s for the guest to open it first). */
    add_step(change, "blockdev-open-tray", args, "blockdev-close-tray", qemu_hotplug_args("id", id));
    add_step(change, "blockdev-remove-medium", qemu_hotplug_args("id", id),
             change->old_node ? "blockdev-insert-medium" : NULL,
             change->old_node ? insert_args(id, change->old_node) : NULL);
    if (change->node)
        add_step(change, "blockdev-insert-medium", insert_args(id, change->node), "blockdev-remove-medium",
                 qemu_hotplug_args("id", id));
    add_step(change, "blockdev-close-tray", qemu_hotplug_args("id", id), NULL, NULL);
    return 0;
}

static void delete_nodes(struct qemu_dom *dom, unsigned int node)
{
    const char *const kinds[] = { "format", "storage" };
    char name[48];

    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        snprintf(name, sizeof(name), "libvirt-%u-%s", node, kinds[i]);
        qemu_hotplug_send_quiet(dom, "blockdev-del", qemu_hotplug_args("node-name", name));
    }
}

/* The live definition's disk gets the new <source file='...' index='N'/> (or none), the format. */
static int record_medium(struct media_change *change, struct vb_device_def *disk, struct vb_error *err)
{
    char index[16];

    if (!change->source)
        return vb_device_def_set_child_element(disk, "source", NULL, err);
    snprintf(index, sizeof(index), "%u", change->node);
    if (vb_device_def_set_attribute(disk, "type", change->disk_type, err) < 0 ||
        vb_device_def_set_child_element(disk, "source", "<source/>", err) < 0 ||
        vb_device_def_set_child_attribute(disk, "source", change->source_attr, change->source, err) < 0 ||
        vb_device_def_set_child_attribute(disk, "source", "index", index, err) < 0)
        return -1;
    return vb_device_def_set_child_attribute(disk, "driver", "type", change->format, err);
}

static void finish_change(struct media_change *change, int r, const struct vb_error *err)
{
    struct qemu_dom *dom = change->dom;
    struct vb_error commit_err = VB_ERROR_INIT;

    if (r == 0) {
        const struct vb_domain_def *live = dom->obj->def;
        int index = -1;

        for (size_t i = 0; i < live->n_devices && index < 0; i++)
            if (live->devices[i]->kind == VB_DEVICE_DISK && same_string(live->devices[i]->target_dev, change->target))
                index = (int) i;
        /* qemu has the new medium either way: a failure here (out of memory) is only logged */
        if (index >= 0 && record_medium(change, live->devices[index], &commit_err) < 0) {
            vb_log_warning("cannot record the new medium of '%s': %s", change->target, vb_error_message(&commit_err));
            vb_error_clear(&commit_err);
        }
        qemu_hotplug_save_live(dom);
        if (change->old_node)
            delete_nodes(dom, change->old_node);
        /* as libvirt, the persistent definition follows once the live change succeeded */
        if ((change->flags & VB_AFFECT_CONFIG) &&
            qemu_hotplug_update_config(dom->obj, dom->conn, change->xml, &commit_err) < 0)
            r = -1;
        err = &commit_err;
    }
    dom->hotplug->changing = NULL;
    qemu_dom_finish_call(dom, r, err);
    vb_error_clear(&commit_err);
    change_free(change);
}

static void on_step_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct media_change *change = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        qemu_hotplug_steps_undo(change->dom, &change->steps);
        finish_change(change, -1, &reply->err);
        return;
    }
    if (++change->steps.done == change->steps.n) {
        finish_change(change, 0, NULL);
    } else if (qemu_hotplug_steps_send(change->dom, &change->steps, on_step_reply, change, &err) < 0) {
        qemu_hotplug_steps_undo(change->dom, &change->steps);
        finish_change(change, -1, &err);
        vb_error_clear(&err);
    }
}

/* --- UpdateDevice ------------------------------------------------------------------------------- */

static struct media_change *new_change(const struct vb_device_def *given, const char *xml, unsigned int flags,
                                       struct vb_error *err)
{
    struct media_change *change = calloc(1, sizeof(*change));
    const char *type = given->type ? given->type : "file";

    if (!change) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    change->xml = xml;
    change->flags = flags;
    snprintf(change->target, sizeof(change->target), "%s", given->target_dev);
    change->source_attr = streq(type, "block") ? "dev" : "file";
    if (!(change->disk_type = strdup(type)) || (given->source && !(change->source = strdup(given->source)))) {
        change_free(change);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    return change;
}

static int change_live(struct vb_call *call, struct qemu_dom *dom, const struct vb_device_def *given,
                       const struct vb_device_def *live, const char *xml, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_hotplug *hp = qemu_hotplug_get(dom, err);
    struct qemu_disk_drive drive;
    struct media_change *change;

    if (!hp)
        return -1;
    if (!streq(disk_device(live), "cdrom") && !streq(disk_device(live), "floppy"))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "disk source can be changed only in removable drives");
    if (given->type && !streq(given->type, "file") && !streq(given->type, "block"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "unsupported configuration: disk '%s': disk type '%s' is not supported by the QEMU driver",
                            given->target_dev, given->type);
    if (qemu_disk_drive(live, &drive, err) < 0 || !(change = new_change(given, xml, flags, err)))
        return -1;
    change->dom = dom;
    change->old_node = qemu_hotplug_disk_node(dom, live);
    if (plan(change, given, hp, drive.id, flags & VB_DEVICE_MODIFY_FORCE, err) < 0 || qemu_hotplug_steps_send(change->dom, &change->steps, on_step_reply, change, err) < 0) {
        change_free(change);
        return -1;
    }
    hp->changing = change;
    return qemu_dom_wait(dom, call); /* replies come from the loop, after we return */
}

int qemu_hotplug_update_disk(struct vb_call *call, struct qemu_conn *conn, struct vb_domain_obj *obj,
                             const struct vb_device_def *given, const char *xml, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom;
    const struct vb_device_def *live;
    int index;
    bool differs;

    if (flags & VB_AFFECT_CONFIG) {
        const struct vb_domain_def *persistent = vb_domain_obj_persistent_def(obj);

        if ((index = find_disk(persistent, given)) < 0)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "target %s doesn't exist.",
                                given->target_dev ? given->target_dev : "");
        if (check_change(given, persistent->devices[index], err) < 0)
            return -1;
    }
    if (!(flags & VB_AFFECT_LIVE))
        return qemu_hotplug_update_config(obj, conn, xml, err);
    if (!(dom = qemu_dom_running(obj, err)))
        return -1;
    if ((index = find_disk(obj->def, given)) < 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "disk '%s' not found",
                            given->target_dev ? given->target_dev : "");
    live = obj->def->devices[index];
    if (check_change(given, live, err) < 0 || source_differs(given, live, &differs, err) < 0)
        return -1;
    if (differs)
        return change_live(call, dom, given, live, xml, flags);
    /* the same medium: nothing for qemu to do (libvirt's update then touches startupPolicy only) */
    return (flags & VB_AFFECT_CONFIG) ? qemu_hotplug_update_config(obj, conn, xml, err) : 0;
}
