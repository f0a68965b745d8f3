/* The QEMU driver: connections, the domain registry and persistent definitions. Lifecycle
 * operations (qemu processes) live in their own files beside this one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/xml_util.h"
#include "drivers/domain_registry.h"
#include "drivers/driver_node.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/qemu/qemu_driver_private.h"
#include "drivers/qemu/qemu_hooks.h"
#include "drivers/qemu/qemu_process.h"
#include "drivers/qemu/qemu_storage.h"
#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"

static bool qemu_uri_matches(const char *uri)
{
    return strncmp(uri, "qemu://", 7) == 0;
}

/* Only the local qemu:///session and qemu:///system, as libvirt's qemuConnectOpen. */
static int qemu_check_uri(const char *uri, struct vb_error *err)
{
    if (streq(uri, "qemu:///session") || streq(uri, "qemu:///system"))
        return 0;
    return vb_error_set(err, VB_ERR_INVALID_ARG,
                        "unexpected QEMU URI path '%s', try qemu:///system or qemu:///session", uri);
}

struct vb_domain_obj *qemu_find_domain(struct qemu_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    return vb_registry_find(conn->domains, uuid, err);
}

void qemu_emit(struct qemu_conn *conn, const struct vb_domain_obj *obj, int event, int detail)
{
    if (conn->events)
        vb_event_emit_lifecycle(conn->events, "qemu", conn->uri, obj->def->uuid, obj->def->name, event, detail);
}

/* A managed save image left by an earlier run (libvirt's qemuDomainSnapshotLoad neighbour,
 * qemuDomainManagedSavePath checked at load). */
static void detect_managed_save(struct qemu_conn *conn, struct vb_domain_obj *obj)
{
    _cleanup_free_ char *path = qemu_managed_save_path(conn, obj->def->name);

    if (path && access(path, F_OK) == 0) {
        obj->has_managed_save = true;
        vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_SAVED);
    }
}

static int qemu_load_stored(struct vb_domain_def *def, bool autostart, void *userdata)
{
    struct qemu_conn *conn = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_obj *obj;
    int conflict;

    /* Two files naming one domain (copied by hand): the first, in name order, wins. */
    if (vb_domain_list_check_add(conn->domains, def, false, &conflict, &err) || conflict) {
        vb_log_warning("skipping stored domain '%s': %s", def->name,
                       conflict ? vb_error_message(&err) : "defined twice");
        vb_error_clear(&err);
        vb_domain_def_free(def);
        return 0;
    }
    if (!(obj = vb_domain_list_add_def(conn->domains, def))) {
        vb_log_warning("skipping a stored domain: out of memory");
        return 0;
    }
    obj->persistent = true;
    obj->autostart = autostart;
    detect_managed_save(conn, obj);
    qemu_snapshot_load(conn, obj);
    return 0;
}

static void qemu_connect_close(void *priv)
{
    struct qemu_conn *conn = priv;

    if (!conn)
        return;
    qemu_domains_release(conn);
    qemu_hooks_free(conn->hooks);
    qemu_storage_close(conn);
    vb_domain_list_free(conn->domains);
    vb_domain_store_free(conn->store);
    qemu_caps_free(conn->caps);
    qemu_dirs_clear(&conn->dirs);
    free(conn->uri);
    free(conn);
}

static int qemu_connect_open(const char *uri, const struct vb_driver_env *env, void **priv, struct vb_error *err)
{
    struct qemu_conn *conn;

    if (qemu_check_uri(uri, err) < 0)
        return -1;
    conn = calloc(1, sizeof(*conn));
    if (!conn)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *conn = (struct qemu_conn){ .events = env->events, .loop = env->loop, .next_id = 1 };
    if (!(conn->uri = strdup(uri)) || !(conn->domains = vb_domain_list_new())) {
        qemu_connect_close(conn);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (qemu_dirs_init(&conn->dirs, uri, env->qemu_root, err) < 0 || qemu_dirs_create(&conn->dirs, err) < 0 ||
        !(conn->store = vb_domain_store_open(conn->dirs.config, err)) ||
        !(conn->hooks = qemu_hooks_new(conn->loop, conn->dirs.config, err)) ||
        vb_domain_store_load_all(conn->store, qemu_load_stored, conn, err) < 0 ||
        qemu_caps_check_emulator(QEMU_EMULATOR, err) < 0 || qemu_storage_open(conn, env, err) < 0) {
        qemu_connect_close(conn);
        return -1;
    }
    qemu_domains_reattach(conn);
    qemu_domains_autostart(conn);
    *priv = conn;
    return 0;
}

/* --- registry ----------------------------------------------------------------------------- */

static int qemu_list_domains(void *priv, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                             struct vb_error *err)
{
    struct qemu_conn *conn = priv;

    return vb_registry_list(conn->domains, NULL, flags, refs, n, err);
}

static int qemu_lookup_by_uuid(void *priv, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err)
{
    struct qemu_conn *conn = priv;

    return vb_registry_lookup_by_uuid(conn->domains, uuid, ref, err);
}

static int qemu_lookup_by_name(void *priv, const char *name, struct vb_domain_ref *ref, struct vb_error *err)
{
    struct qemu_conn *conn = priv;

    return vb_registry_lookup_by_name(conn->domains, name, ref, err);
}

static int qemu_lookup_by_id(void *priv, int id, struct vb_domain_ref *ref, struct vb_error *err)
{
    struct qemu_conn *conn = priv;

    return vb_registry_lookup_by_id(conn->domains, id, ref, err);
}

static struct vb_domain_obj *qemu_domain_acquire(void *priv, vb_uuid_t uuid, struct vb_error *err)
{
    struct vb_domain_obj *obj = qemu_find_domain(priv, uuid, err);

    return obj ? vb_domain_obj_ref(obj) : NULL;
}

static int qemu_get_state(void *priv, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err)
{
    struct qemu_conn *conn = priv;

    return vb_registry_get_state(conn->domains, uuid, state, reason, err);
}

/* --- definitions -------------------------------------------------------------------------- */

static bool has_memballoon(const struct vb_domain_def *def)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (def->devices[i]->element && streq(def->devices[i]->element, "memballoon"))
            return true;
    return false;
}

/* libvirt adds a virtio balloon to every x86 definition that names none. */
static int add_default_memballoon(struct vb_domain_def *def, struct vb_error *err)
{
    _cleanup_(vb_device_def_freep) struct vb_device_def *balloon = NULL;

    if (has_memballoon(def))
        return 0;
    balloon = vb_device_def_parse_string("<memballoon model='virtio'/>", err);
    if (!balloon || vb_domain_def_add_device(def, balloon, err) < 0)
        return -1;
    TAKE_PTR(balloon);
    return 0;
}

/* What libvirt's qemu driver refuses at define: another hypervisor's XML. */
static int check_domain_type(const struct vb_domain_def *def, struct vb_error *err)
{
    if (def->virt_type && !streq(def->virt_type, "qemu") && !streq(def->virt_type, "kvm"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "Emulator '%s' does not "
                            "support virt type '%s'", QEMU_EMULATOR, def->virt_type);
    return 0;
}

int qemu_def_prepare(struct vb_domain_def *def, struct vb_error *err)
{
    if (vb_xml_check_illegal_chars("name", def->name, "\n", err) < 0 || check_domain_type(def, err) < 0 ||
        qemu_vcpus_check_def(def, err) < 0)
        return -1;
    return add_default_memballoon(def, err);
}

static int qemu_store_save(void *ctx, const struct vb_domain_def *def, struct vb_error *err)
{
    struct qemu_conn *conn = ctx;

    /* What the parser would refuse is refused, stored or not (as the test driver). */
    if (vb_domain_def_check_limits(def, err) < 0)
        return -1;
    return vb_domain_store_save(conn->store, def, err);
}

static int qemu_store_remove(void *ctx, const struct vb_domain_def *def, struct vb_error *err)
{
    struct qemu_conn *conn = ctx;

    return vb_domain_store_remove(conn->store, def->uuid, err);
}

const struct vb_registry_store_ops qemu_store_ops = { .save = qemu_store_save, .remove = qemu_store_remove };

static int qemu_define_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                           struct vb_domain_ref *ref)
{
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    struct vb_domain_obj *obj;
    bool existed;

    VB_CHECK_FLAGS(flags, VB_DEFINE_VALIDATE, err);
    def = vb_domain_def_parse_string(xml, err);
    if (!def || qemu_def_prepare(def, err) < 0)
        return -1;
    if (vb_registry_define(conn->domains, call, &def, &qemu_store_ops, conn, &obj, &existed) < 0)
        return -1;
    qemu_emit(conn, obj, VB_EVENT_DEFINED, existed ? VB_EVENT_DEFINED_UPDATED : VB_EVENT_DEFINED_ADDED);
    return vb_registry_fill_ref(obj, ref, err);
}

/* libvirt's view of autostart, $CONFIG/autostart/<name>.xml -> ../<uuid>.xml, kept beside the
 * store's marker (autostart/<uuid>, the truth read at load) for tools that look for it. */
static int update_autostart_link(struct qemu_conn *conn, const struct vb_domain_def *def, bool autostart,
                                 struct vb_error *err)
{
    _cleanup_free_ char *link = NULL, *target = NULL;
    char uuid[VB_UUID_STRING_LEN];

    vb_uuid_format(def->uuid, uuid);
    if (asprintf(&link, "%s/autostart/%s.xml", conn->dirs.config, def->name) < 0 ||
        asprintf(&target, "../%s.xml", uuid) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (unlink(link) < 0 && errno != ENOENT)
        return vb_error_set_errno(err, errno, "Failed to delete autostart link '%s'", link);
    if (autostart && symlink(target, link) < 0)
        return vb_error_set_errno(err, errno, "Failed to create symlink '%s' to '%s'", link, target);
    return 0;
}

static int qemu_undefine(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_UNDEFINE_MANAGED_SAVE | VB_UNDEFINE_SNAPSHOTS_METADATA | VB_UNDEFINE_NVRAM |
                   VB_UNDEFINE_KEEP_NVRAM | VB_UNDEFINE_CHECKPOINTS_METADATA, err);
    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot undefine transient domain");
    if (!vb_domain_obj_is_active(obj) && qemu_snapshot_count(obj) && !(flags & VB_UNDEFINE_SNAPSHOTS_METADATA))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot delete inactive domain with %zu snapshots",
                            qemu_snapshot_count(obj));
    if (obj->has_managed_save && !(flags & VB_UNDEFINE_MANAGED_SAVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                            "Refusing to undefine while domain managed save image exists");
    if (obj->has_managed_save && qemu_managed_save_remove(priv, call, obj, 0) < 0)
        return -1;
    if (update_autostart_link(conn, vb_domain_obj_persistent_def(obj), false, err) < 0 ||
        vb_domain_store_remove(conn->store, obj->def->uuid, err) < 0)
        return -1;
    if (!vb_domain_obj_is_active(obj))
        qemu_snapshot_discard_all(conn, obj);
    obj->autostart = false;
    qemu_emit(conn, obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_REMOVED);
    if (vb_domain_obj_is_active(obj)) {
        /* A running domain stays, transient, until it stops (libvirt's behaviour). */
        vb_domain_def_free(obj->next_def);
        obj->next_def = NULL;
        obj->persistent = false;
    } else {
        vb_domain_list_remove(conn->domains, obj); /* the core's reference keeps obj until we return */
    }
    return 0;
}

static int qemu_get_xml_desc(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                             char **xml)
{
    VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_UPDATE_CPU |
                   VB_DOMAIN_XML_MIGRATABLE, &call->err);
    *xml = vb_registry_format_xml(obj, flags, &call->err);
    return *xml ? 0 : -1;
}

static int qemu_set_autostart(void *priv, struct vb_call *call, struct vb_domain_obj *obj, bool autostart)
{
    struct qemu_conn *conn = priv;
    struct vb_error *err = &call->err;
    bool changed = obj->autostart != autostart;
    struct vb_event event;

    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot set autostart for transient domain");
    if (vb_domain_store_mark_autostart(conn->store, obj->def->uuid, autostart, err) < 0)
        return -1;
    if (update_autostart_link(conn, vb_domain_obj_persistent_def(obj), autostart, err) < 0) {
        if (vb_domain_store_mark_autostart(conn->store, obj->def->uuid, obj->autostart, NULL) < 0)
            vb_log_error("could not roll back the autostart marker of '%s'", obj->def->name);
        return -1;
    }
    obj->autostart = autostart;
    if (changed && conn->events) {
        vb_event_init_domain(&event, "qemu", conn->uri, obj->def->uuid, obj->def->name, VB_EVENT_ID_CHANGED);
        vb_event_emit(conn->events, &event);
    }
    return 0;
}

static int qemu_get_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int type, const char *uri,
                             unsigned int flags, char **metadata)
{
    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, &call->err);
    *metadata = vb_registry_get_metadata(obj, type, uri, flags, &call->err);
    return *metadata ? 0 : -1;
}

static int qemu_set_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int type,
                             const char *metadata, const char *key, const char *uri, unsigned int flags)
{
    struct qemu_conn *conn = priv;
    struct vb_event event;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, &call->err);
    if (vb_registry_set_metadata(obj, type, metadata, key, uri, flags, &qemu_store_ops, conn, &call->err) < 0)
        return -1;
    vb_event_init_domain(&event, "qemu", conn->uri, obj->def->uuid, obj->def->name,
                         VB_DOMAIN_EVENT_ID_METADATA_CHANGE);
    event.payload.metadata_change.type = type;
    event.payload.metadata_change.nsuri = (char *) uri; /* borrowed: the stream copies */
    if (conn->events)
        vb_event_emit(conn->events, &event);
    return 0;
}

static int qemu_has_managed_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                 bool *result)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    *result = obj->has_managed_save;
    return 0;
}

/* Slots not filled yet stay NULL: "not supported". */
const struct vb_driver vb_qemu_driver = {
    .name = "qemu",
    .node = &qemu_node_driver,
    .snapshot = &qemu_snapshot_driver,
    .network = &qemu_network_driver,
    .storage = &qemu_storage_driver,
    .guest = &qemu_guest_driver,
    .nodedev = &qemu_nodedev_driver,
    .interface = &qemu_interface_driver,
    .uri_matches = qemu_uri_matches,
    .connect_open = qemu_connect_open,
    .connect_close = qemu_connect_close,
    .client_gone = qemu_client_gone,
    .node_get_info = qemu_node_get_info,
    .get_hostname = qemu_get_hostname,
    .list_domains = qemu_list_domains,
    .lookup_by_uuid = qemu_lookup_by_uuid,
    .lookup_by_name = qemu_lookup_by_name,
    .lookup_by_id = qemu_lookup_by_id,
    .domain_acquire = qemu_domain_acquire,
    .get_state = qemu_get_state,
    .get_info = qemu_get_info,
    .define_xml = qemu_define_xml,
    .create_xml = qemu_create_xml,
    .undefine = qemu_undefine,
    .get_xml_desc = qemu_get_xml_desc,
    .set_autostart = qemu_set_autostart,
    .has_managed_save = qemu_has_managed_save,
    .managed_save_remove = qemu_managed_save_remove,
    .save = qemu_save,
    .managed_save = qemu_managed_save,
    .restore = qemu_restore,
    .save_image_get_xml_desc = qemu_save_image_get_xml_desc,
    .save_image_define_xml = qemu_save_image_define_xml,
    .get_metadata = qemu_get_metadata,
    .set_metadata = qemu_set_metadata,
    .create = qemu_create,
    .destroy = qemu_destroy,
    .shutdown = qemu_shutdown,
    .reset = qemu_reset,
    .reboot = qemu_reboot,
    .suspend = qemu_suspend,
    .resume = qemu_resume,
    .attach_device = qemu_attach_device,
    .detach_device = qemu_detach_device,
    .update_device = qemu_update_device,
    .set_memory = qemu_set_memory,
    .set_memory_stats_period = qemu_set_memory_stats_period,
    .set_vcpus = qemu_set_vcpus,
    .get_stats = qemu_get_stats,
    .get_block_info = qemu_get_block_info,
    .block_resize = qemu_block_resize,
    .block_peek = qemu_block_peek,
    .get_job_info = qemu_get_job_info,
    .abort_job = qemu_abort_job,
    .get_job_stats = qemu_get_job_stats,
    .interface_addresses = qemu_interface_addresses,
};
