/* UpdateDevice of a disk in the QEMU driver, as libvirt's qemuDomainChangeDiskLive and
 * qemuDomainChangeMediaBlockdev: a CD-ROM's medium changed or ejected in the running qemu, and the
 * persistent definition changed through the store. The new medium's blockdev pair is added first
 * (a file qemu cannot open changes nothing), then blockdev-open-tray, blockdev-remove-medium,
 * blockdev-insert-medium and blockdev-close-tray; a failed step undoes those before it (the old
 * medium goes back in), and the old medium's nodes are deleted only once the new one is in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"
#include "util/time.h"

/* libvirt's CHANGE_MEDIA_TIMEOUT: how long a guest gets to open a tray it locked. */
#define TRAY_WAIT_USEC (5ull * 1000000ull)
#define TRAY_POLL_USEC (100ull * 1000ull)

struct media_change {
    struct qemu_dom *dom;
    const char *xml;          /* the caller's disk, for the persistent definition (the call keeps it) */
    unsigned int flags;       /* resolved VB_AFFECT_* */
    char target[64];          /* the disk's target dev, to find it in the live definition at the end */
    const char *source_attr;  /* "file" or "dev" (type='block') */
    char *disk_type, *source, *format; /* the new medium; source NULL: eject */
    unsigned int node, old_node; /* libvirt-N-* of the new medium and of the one in now (0: none) */
    struct hotplug_steps steps;
    char id[64];              /* the drive's qemu device id */
    bool force;               /* VIR_DOMAIN_DEVICE_MODIFY_FORCE: the tray opens even when locked */
    uint64_t tray_deadline;   /* CLOCK_MONOTONIC usec: the end of the wait for the tray */
    sd_event_source *timer;   /* the next look at the tray */
};

static void change_free(struct media_change *change)
{
    qemu_hotplug_steps_clear(&change->steps);
    sd_event_source_disable_unref(change->timer);
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

/* The attribute of a child element (<boot order>, <target tray>), "" when absent; NULL: no memory. */
static char *child_attr(const struct vb_device_def *dev, const char *child, const char *name)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, NULL);
    const struct vb_xml_element *element = el ? vb_xml_element_child(el, child) : NULL;
    const char *value = element ? vb_xml_element_attr(element, name) : NULL;

    return strdup(value ? value : "");
}

static int cannot_modify(const char *field, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify field '%s' of the disk", field);
}

/* libvirt's qemuDomainDiskChangeSupported, for what this model keeps: only the medium changes. */
static int check_change(const struct vb_device_def *given, const struct vb_device_def *orig, struct vb_error *err)
{
    _cleanup_free_ char *given_boot = child_attr(given, "boot", "order"), *orig_boot = child_attr(orig, "boot", "order");
    _cleanup_free_ char *given_tray = child_attr(given, "target", "tray"), *orig_tray = child_attr(orig, "target", "tray");

    if (!given_boot || !orig_boot || !given_tray || !orig_tray)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!streq(disk_device(given), disk_device(orig)))
        return cannot_modify("device", err);
    if (!streq(qemu_hotplug_disk_bus(given), qemu_hotplug_disk_bus(orig)))
        return cannot_modify("bus", err);
    /* an absent tray is a closed one */
    if (*given_tray && !streq(given_tray, *orig_tray ? orig_tray : "closed"))
        return cannot_modify("tray", err);
    if (*given_boot && !streq(given_boot, orig_boot))
        return cannot_modify("boot order", err);
    return 0;
}

/* The pool of a <disk type='volume'>'s <source pool volume> (dev->source is the volume), malloc'd. */
static char *source_pool(const struct vb_device_def *dev)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *view = vb_device_def_view(dev, NULL);
    const char *pool = view ? vb_xml_element_attr(vb_xml_element_child(view, "source"), "pool") : NULL;

    return pool ? strdup(pool) : NULL;
}

/* libvirt's virStorageSourceIsSameLocation plus the format (qemuDomainDiskSourceDiffers). */
static int source_differs(const struct vb_device_def *given, const struct vb_device_def *orig, bool *differs,
                          struct vb_error *err)
{
    _cleanup_free_ char *given_format = NULL, *orig_format = NULL;

    *differs = !streq_nullable(given->source, orig->source) || !streq_nullable(given->type, orig->type);
    if (!*differs && given->type && streq(given->type, "volume")) { /* the same volume name in another pool */
        _cleanup_free_ char *given_pool = source_pool(given), *orig_pool = source_pool(orig);

        *differs = !streq_nullable(given_pool, orig_pool);
    }
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
    /* Not forced, qemu asks a guest that locked the tray to open it: on_step_reply waits. */
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
            if (live->devices[i]->kind == VB_DEVICE_DISK && streq_nullable(live->devices[i]->target_dev, change->target))
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

static void fail_change(struct media_change *change, const struct vb_error *err)
{
    qemu_hotplug_steps_undo(change->dom, &change->steps);
    finish_change(change, -1, err);
}

static void on_step_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata);

static void run_next_step(struct media_change *change)
{
    struct vb_error err = VB_ERROR_INIT;

    if (change->steps.done == change->steps.n)
        finish_change(change, 0, NULL);
    else if (qemu_hotplug_steps_send(change->dom, &change->steps, on_step_reply, change, &err) < 0)
        fail_change(change, &err);
    vb_error_clear(&err);
}

/* query-block's tray_open for the drive; a drive without a tray counts as open. */
static bool tray_open(struct json_object *blocks, const char *id)
{
    size_t id_len = strlen(id);

    for (size_t i = 0; blocks && i < json_object_array_length(blocks); i++) {
        struct json_object *block = json_object_array_get_idx(blocks, i), *qdev, *open;
        const char *name = json_object_object_get_ex(block, "qdev", &qdev) ? json_object_get_string(qdev) : NULL;
        size_t len = name ? strlen(name) : 0;

        if (!name || !(streq(name, id) || (len > id_len && name[len - id_len - 1] == '/' &&
                                            streq(name + len - id_len, id))))
            continue;
        return !json_object_object_get_ex(block, "tray_open", &open) || json_object_get_boolean(open);
    }
    return true;
}

static void look_at_tray(struct media_change *change);

static int on_tray_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct media_change *change = userdata;

    change->timer = sd_event_source_disable_unref(change->timer);
    look_at_tray(change);
    return 0;
}

/* Arms the next look at the tray, or says why not (the wait is over, no loop). */
static int wait_for_tray(struct media_change *change, struct vb_error *err)
{
    uint64_t now = 0;
    int r;

    if (!change->dom->conn)
        return vb_error_set(err, VB_ERR_OPERATION_ABORTED, "connection closed while waiting for qemu");
    sd_event_now(change->dom->conn->loop, CLOCK_MONOTONIC, &now);
    if (now >= change->tray_deadline)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "timed out waiting to open tray of '%s'", change->target);
    r = sd_event_add_time_relative(change->dom->conn->loop, &change->timer, CLOCK_MONOTONIC, TRAY_POLL_USEC, VB_TIMER_ACCURACY_USEC,
                                   on_tray_timer, change);
    return r < 0 ? vb_error_set_errno(err, -r, "cannot add a timer") : 0;
}

/* As libvirt's qemuHotplugWaitForTrayEject: a guest that locked the tray was asked to open it. */
static void on_tray_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct media_change *change = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        fail_change(change, &reply->err);
    } else if (tray_open(reply->ret, change->id)) {
        run_next_step(change);
    } else if (wait_for_tray(change, &err) < 0) {
        fail_change(change, &err);
        vb_error_clear(&err);
    }
}

static void look_at_tray(struct media_change *change)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!change->dom->conn)
        vb_error_set(&err, VB_ERR_OPERATION_ABORTED, "connection closed while waiting for qemu");
    else if (!change->dom->proc)
        vb_error_set(&err, VB_ERR_OPERATION_INVALID, "domain is not running");
    else if (qemu_process_command(change->dom->proc, "query-block", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_tray_reply,
                                  change, &err) == 0)
        return;
    fail_change(change, &err);
    vb_error_clear(&err);
}

static void on_step_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct media_change *change = userdata;
    const char *command = change->steps.step[change->steps.done].command;

    if (reply->result < 0) {
        fail_change(change, &reply->err);
        return;
    }
    change->steps.done++;
    if (streq(command, "blockdev-open-tray") && !change->force) {
        uint64_t now = 0;

        if (change->dom->conn)
            sd_event_now(change->dom->conn->loop, CLOCK_MONOTONIC, &now);
        change->tray_deadline = now + TRAY_WAIT_USEC;
        look_at_tray(change);
        return;
    }
    run_next_step(change);
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
    memcpy(change->id, drive.id, sizeof(change->id));
    change->force = flags & VB_DEVICE_MODIFY_FORCE;
    if (plan(change, given, hp, drive.id, change->force, err) < 0 ||
        qemu_hotplug_steps_send(change->dom, &change->steps, on_step_reply, change, err) < 0) {
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

/* --- the tray ----------------------------------------------------------------------------------- */

void qemu_hotplug_tray_moved(struct qemu_dom *dom, struct json_object *data)
{
    struct vb_domain_def *live = dom->obj->def;
    struct json_object *id, *open;
    struct vb_error err = VB_ERROR_INIT;
    struct qemu_disk_drive drive;

    if (!json_object_object_get_ex(data, "id", &id) || !json_object_is_type(id, json_type_string) ||
        !json_object_object_get_ex(data, "tray-open", &open))
        return;
    for (size_t i = 0; i < live->n_devices; i++) {
        struct vb_device_def *disk = live->devices[i];

        if (disk->kind != VB_DEVICE_DISK || !streq(disk_device(disk), "cdrom") ||
            qemu_disk_drive(disk, &drive, NULL) < 0 || !streq(drive.id, json_object_get_string(id)))
            continue;
        if (vb_device_def_set_child_attribute(disk, "target", "tray", json_object_get_boolean(open) ? "open" : NULL,
                                              &err) < 0) {
            vb_log_warning("cannot record the tray of '%s': %s", drive.id, vb_error_message(&err));
            vb_error_clear(&err);
        }
        qemu_hotplug_save_live(dom);
        return;
    }
}
