/* The registry slots drivers share: listing with libvirt's filters and lookups. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "drivers/domain_registry.h"
#include "util/log.h"
#include "util/macros.h"

struct vb_domain_obj *vb_registry_find(const struct vb_domain_list *list, vb_uuid_t uuid, struct vb_error *err)
{
    struct vb_domain_obj *obj = vb_domain_list_find_by_uuid(list, uuid);

    if (!obj) {
        char text[VB_UUID_STRING_LEN];

        vb_uuid_format(uuid, text);
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching uuid '%s'", text);
    }
    return obj;
}

int vb_registry_fill_ref(const struct vb_domain_obj *obj, struct vb_domain_ref *ref, struct vb_error *err)
{
    ref->name = strdup(obj->def->name);
    if (!ref->name)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(ref->uuid, obj->def->uuid, VB_UUID_LEN);
    ref->id = obj->id;
    return 0;
}

static bool list_filter_matches(const struct vb_domain_obj *obj, vb_registry_has_snapshot_fn has_snapshot,
                                unsigned int flags)
{
    bool active = vb_domain_obj_is_active(obj);

#define KEEP_IF(yes_flag, no_flag, cond) \
    if ((flags & ((yes_flag) | (no_flag))) && \
        !(((flags & (yes_flag)) && (cond)) || ((flags & (no_flag)) && !(cond)))) \
        return false
    KEEP_IF(VB_LIST_ACTIVE, VB_LIST_INACTIVE, active);
    KEEP_IF(VB_LIST_PERSISTENT, VB_LIST_TRANSIENT, obj->persistent);
    KEEP_IF(VB_LIST_MANAGEDSAVE, VB_LIST_NO_MANAGEDSAVE, obj->has_managed_save);
    KEEP_IF(VB_LIST_AUTOSTART, VB_LIST_NO_AUTOSTART, obj->autostart);
    KEEP_IF(VB_LIST_HAS_SNAPSHOT, VB_LIST_NO_SNAPSHOT, has_snapshot && has_snapshot(obj));
    KEEP_IF(VB_LIST_HAS_CHECKPOINT, VB_LIST_NO_CHECKPOINT, false);
#undef KEEP_IF
    if (flags & (VB_LIST_RUNNING | VB_LIST_PAUSED | VB_LIST_SHUTOFF | VB_LIST_OTHER)) {
        bool running = obj->state == VB_DOMAIN_RUNNING, paused = obj->state == VB_DOMAIN_PAUSED;
        bool shutoff = obj->state == VB_DOMAIN_SHUTOFF, other = !running && !paused && !shutoff;

        if (!((flags & VB_LIST_RUNNING && running) || (flags & VB_LIST_PAUSED && paused) ||
              (flags & VB_LIST_SHUTOFF && shutoff) || (flags & VB_LIST_OTHER && other)))
            return false;
    }
    return true;
}

/* Listing every domain by UUID alone is the common case (ListDomains(0)) and must scale to
 * thousands of domains, so it reads only the list's own copies of the UUIDs. */
static int list_all_uuids(const struct vb_domain_list *list, struct vb_domain_ref **refs, size_t *n, struct vb_error *err)
{
    _cleanup_free_ unsigned char (*uuids)[VB_UUID_LEN] = NULL;
    struct vb_domain_ref *out;
    int count = vb_domain_list_collect_uuids(list, &uuids);

    if (count < 0 || !(out = calloc((size_t) count + 1, sizeof(*out))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (int i = 0; i < count; i++) {
        memcpy(out[i].uuid, uuids[i], VB_UUID_LEN);
        out[i].id = -1;
    }
    *refs = out;
    *n = (size_t) count;
    return 0;
}

int vb_registry_list(const struct vb_domain_list *list, vb_registry_has_snapshot_fn has_snapshot, unsigned int flags,
                     struct vb_domain_ref **refs, size_t *n, struct vb_error *err)
{
    _cleanup_free_ struct vb_domain_obj **objs = NULL;
    bool uuids_only = flags & VB_LIST_UUIDS_ONLY;
    struct vb_domain_ref *out;
    int count;
    size_t used = 0;

    flags &= ~(unsigned int) VB_LIST_UUIDS_ONLY;
    VB_CHECK_FLAGS(flags, 0xffff, err);
    if (uuids_only && flags == 0)
        return list_all_uuids(list, refs, n, err);
    count = vb_domain_list_collect(list, &objs);
    if (count < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    out = calloc((size_t) count + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (int i = 0; i < count; i++) {
        if (!list_filter_matches(objs[i], has_snapshot, flags))
            continue;
        if (uuids_only) {
            memcpy(out[used].uuid, objs[i]->def->uuid, VB_UUID_LEN);
            out[used].id = objs[i]->id;
        } else if (vb_registry_fill_ref(objs[i], &out[used], err) < 0) {
            vb_domain_refs_free(out, used);
            return -1;
        }
        used++;
    }
    *refs = out;
    *n = used;
    return 0;
}

int vb_registry_lookup_by_uuid(const struct vb_domain_list *list, vb_uuid_t uuid, struct vb_domain_ref *ref,
                               struct vb_error *err)
{
    struct vb_domain_obj *obj = vb_registry_find(list, uuid, err);

    return obj ? vb_registry_fill_ref(obj, ref, err) : -1;
}

int vb_registry_lookup_by_name(const struct vb_domain_list *list, const char *name, struct vb_domain_ref *ref,
                               struct vb_error *err)
{
    struct vb_domain_obj *obj = vb_domain_list_find_by_name(list, name);

    if (!obj)
        return vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching name '%s'", name);
    return vb_registry_fill_ref(obj, ref, err);
}

int vb_registry_lookup_by_id(const struct vb_domain_list *list, int id, struct vb_domain_ref *ref,
                             struct vb_error *err)
{
    struct vb_domain_obj *obj = vb_domain_list_find_by_id(list, id);

    if (!obj)
        return vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching id %d", id);
    return vb_registry_fill_ref(obj, ref, err);
}

int vb_registry_get_state(const struct vb_domain_list *list, vb_uuid_t uuid, int *state, int *reason,
                          struct vb_error *err)
{
    struct vb_domain_obj *obj = vb_registry_find(list, uuid, err);

    if (!obj)
        return -1;
    *state = obj->state;
    *reason = obj->reason;
    return 0;
}

int vb_registry_fill_info(const struct vb_domain_obj *obj, struct vb_domain_info *info, struct vb_error *err)
{
    *info = (struct vb_domain_info){
        .state = obj->state,
        .reason = obj->reason,
        .max_memory_kib = obj->def->max_memory_kib,
        .memory_kib = obj->def->current_memory_kib,
        .vcpus = obj->def->vcpus_current,
        .persistent = obj->persistent,
        .autostart = obj->autostart,
        .updated = obj->updated,
        .has_managed_save = obj->has_managed_save,
        .id = obj->id,
        .name = strdup(obj->def->name),
        .os_type = strdup(obj->def->os_type ? obj->def->os_type : "hvm"),
    };
    memcpy(info->uuid, obj->def->uuid, VB_UUID_LEN);
    if (!info->name || !info->os_type) {
        vb_domain_info_clear(info);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

char *vb_registry_format_xml(struct vb_domain_obj *obj, unsigned int flags, struct vb_error *err)
{
    const struct vb_domain_def *def = (flags & VB_DOMAIN_XML_INACTIVE) ? vb_domain_obj_persistent_def(obj) : obj->def;

    return vb_domain_def_format(def, flags, err);
}

/* A new domain for *def; nothing changes on failure (the stored copy is taken back). */
static int add_new_domain(struct vb_domain_list *list, struct vb_domain_def **def,
                          const struct vb_registry_store_ops *store, void *ctx, struct vb_domain_obj **objp,
                          struct vb_error *err)
{
    struct vb_domain_obj *obj = vb_domain_obj_new(*def);

    if (!obj || vb_domain_list_add(list, obj) < 0) {
        if (obj)
            obj->def = NULL; /* still the caller's */
        vb_domain_obj_unref(obj);
        if (store->remove(ctx, *def, NULL) < 0)
            vb_log_error("could not roll back the stored definition of '%s'", (*def)->name);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    *def = NULL;
    obj->persistent = true;
    *objp = obj;
    return 0;
}

struct vb_domain_obj *vb_registry_add_live(struct vb_domain_list *list, struct vb_domain_def *def,
                                           struct vb_error *err)
{
    struct vb_domain_obj *obj;
    int conflict;

    obj = vb_domain_list_check_add(list, def, true, &conflict, err);
    if (conflict) {
        vb_domain_def_free(def);
        return NULL;
    }
    if (obj) {
        /* The persistent definition waits for the next boot; def runs now. */
        vb_domain_def_free(obj->next_def);
        obj->next_def = obj->def;
        obj->def = def;
        return obj;
    }
    if (!(obj = vb_domain_list_add_def(list, def)))
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return obj;
}

void vb_registry_drop_live(struct vb_domain_list *list, struct vb_domain_obj *obj)
{
    if (!obj->persistent) {
        if (!obj->removed)
            vb_domain_list_remove(list, obj);
        return;
    }
    if (obj->next_def) {
        vb_domain_def_free(obj->def);
        obj->def = obj->next_def;
        obj->next_def = NULL;
    }
}

int vb_registry_define(struct vb_domain_list *list, struct vb_call *call, struct vb_domain_def **def,
                       const struct vb_registry_store_ops *store, void *ctx, struct vb_domain_obj **objp,
                       bool *existed)
{
    struct vb_error *err = &call->err;
    struct vb_domain_obj *obj;
    int conflict;

    obj = vb_domain_list_check_add(list, *def, false, &conflict, err);
    if (conflict)
        return -1;
    /* Redefining a domain another call works on waits for that call, as any change does. */
    if (obj && vb_call_hold(call, obj, VB_JOB_MODIFY) < 0)
        return -1;
    if (store->save(ctx, *def, err) < 0)
        return -1;
    *existed = obj != NULL;
    if (!obj)
        return add_new_domain(list, def, store, ctx, objp, err);
    vb_domain_obj_assign_persistent_def(obj, TAKE_PTR(*def));
    *objp = obj;
    return 0;
}

char *vb_registry_hostname(struct vb_error *err)
{
    char name[HOST_NAME_MAX + 1];
    char *copy;

    if (gethostname(name, sizeof(name)) < 0) {
        vb_error_set_errno(err, errno, "cannot get hostname");
        return NULL;
    }
    name[HOST_NAME_MAX] = '\0';
    copy = strdup(name);
    if (!copy)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return copy;
}

/* Applies edit to a copy of the persistent definition, stores it, then swaps it in. */
static int edit_persistent_def(struct vb_domain_obj *obj, vb_def_edit_fn edit, const void *arg,
                               const struct vb_registry_store_ops *store, void *ctx, struct vb_error *err)
{
    struct vb_domain_def *current = vb_domain_obj_persistent_def(obj);
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *copy = vb_domain_def_copy(current, err);

    if (!copy || edit(copy, arg, err) < 0 || store->save(ctx, copy, err) < 0)
        return -1;
    if (vb_domain_obj_is_active(obj)) {
        vb_domain_def_free(obj->next_def);
        obj->next_def = TAKE_PTR(copy);
    } else {
        vb_domain_def_free(obj->def);
        obj->def = TAKE_PTR(copy);
    }
    return 0;
}

/* Applies edit to the running definition; edits change nothing when they fail. */
static int edit_live_def(struct vb_domain_obj *obj, vb_def_edit_fn edit, const void *arg, struct vb_error *err)
{
    if (edit(obj->def, arg, err) < 0)
        return -1;
    if (obj->persistent)
        obj->updated = true;
    return 0;
}

/* LIVE and CONFIG are checked before either is applied, so a refused CONFIG edit leaves the
 * live definition untouched too. */
int vb_registry_edit_defs(struct vb_domain_obj *obj, unsigned int affect, vb_def_edit_fn edit, const void *arg,
                          const struct vb_registry_store_ops *store, void *ctx, struct vb_error *err)
{
    if (affect & VB_AFFECT_LIVE) {
        _cleanup_(vb_domain_def_freep) struct vb_domain_def *probe = vb_domain_def_copy(obj->def, err);

        if (!probe || edit(probe, arg, err) < 0)
            return -1;
    }
    if ((affect & VB_AFFECT_CONFIG) && edit_persistent_def(obj, edit, arg, store, ctx, err) < 0)
        return -1;
    if ((affect & VB_AFFECT_LIVE) && edit_live_def(obj, edit, arg, err) < 0)
        return -1;
    return 0;
}


char *vb_registry_get_metadata(struct vb_domain_obj *obj, int type, const char *uri, unsigned int flags,
                               struct vb_error *err)
{
    const struct vb_domain_def *def;

    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return NULL;
    if ((flags & VB_AFFECT_LIVE) && (flags & VB_AFFECT_CONFIG)) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "'live' and 'config' flags are mutually exclusive");
        return NULL;
    }
    def = (flags & VB_AFFECT_CONFIG) ? vb_domain_obj_persistent_def(obj) : obj->def;
    return vb_domain_def_get_metadata(def, (enum vb_metadata_type) type, uri, err);
}

struct metadata_change {
    int type;
    const char *value, *key, *uri;
};

static int edit_metadata(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct metadata_change *change = arg;

    return vb_domain_def_set_metadata(def, (enum vb_metadata_type) change->type, change->value, change->key,
                                      change->uri, err);
}

int vb_registry_set_metadata(struct vb_domain_obj *obj, int type, const char *metadata, const char *key,
                             const char *uri, unsigned int flags, const struct vb_registry_store_ops *store,
                             void *ctx, struct vb_error *err)
{
    struct metadata_change change = { .type = type, .value = metadata, .key = key, .uri = uri };

    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (type < VB_METADATA_DESCRIPTION || type > VB_METADATA_ELEMENT)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
    return vb_registry_edit_defs(obj, flags, edit_metadata, &change, store, ctx, err);
}

int vb_registry_remember_autodestroy(struct vb_domain_obj *obj, unsigned int flags, vb_client_id client,
                                     struct vb_error *err)
{
    if (!(flags & VB_START_AUTODESTROY))
        return 0;
    if (!client)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "autodestroy needs a client connection");
    obj->autodestroy_owner = strdup(client);
    return obj->autodestroy_owner ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

int vb_registry_edit_vcpus(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct vb_vcpu_change *change = arg;

    if (change->maximum)
        return vb_domain_def_set_vcpus_max(def, change->count, err);
    if (change->count > def->vcpus_max)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "requested cpu amount exceeds maximum (%u > %u)",
                            change->count, def->vcpus_max);
    vb_domain_def_set_vcpus_config(def, change->count);
    return 0;
}

int vb_registry_check_set_vcpus(const struct vb_domain_obj *obj, unsigned int count, unsigned int *flags,
                                struct vb_error *err)
{
    bool maximum = *flags & VB_VCPU_MAXIMUM;

    VB_CHECK_FLAGS(*flags, VB_VCPU_LIVE | VB_VCPU_CONFIG | VB_VCPU_MAXIMUM, err);
    if (count == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "argument unsupported: vcpu count must be greater than zero");
    if (count > VB_DOMAIN_VCPUS_MAX)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "requested cpu amount exceeds maximum supported amount (%u > %u)",
                            count, VB_DOMAIN_VCPUS_MAX);
    *flags &= ~(unsigned int) VB_VCPU_MAXIMUM;
    if (vb_domain_obj_resolve_affect(obj, flags, err) < 0)
        return -1;
    if (maximum && (*flags & VB_AFFECT_LIVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot hotplug vcpus for an active domain");
    return 0;
}

int vb_registry_edit_memory(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct vb_memory_change *change = arg;

    if (change->maximum) {
        def->max_memory_kib = change->kib;
        if (def->current_memory_kib > change->kib)
            def->current_memory_kib = change->kib;
        return 0;
    }
    if (change->kib > def->max_memory_kib)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "cannot set memory higher than max memory");
    def->current_memory_kib = change->kib;
    return 0;
}

int vb_registry_stats_devices(const struct vb_domain_obj *obj, enum vb_device_kind kind, const char *prefix,
                              struct vb_typed_params *out, struct vb_error *err)
{
    const struct vb_domain_def *def = obj->def;
    unsigned int count = 0;

    for (size_t i = 0; i < def->n_devices; i++) {
        const struct vb_device_def *dev = def->devices[i];
        const char *name = kind == VB_DEVICE_DISK ? dev->target_dev : (dev->target_dev ? dev->target_dev : dev->mac);

        if (dev->kind != kind)
            continue;
        if (vb_typed_params_add_string(out, err, name ? name : "", "%s.%u.name", prefix, count) < 0)
            return -1;
        if (kind == VB_DEVICE_DISK && dev->source &&
            vb_typed_params_add_string(out, err, dev->source, "%s.%u.path", prefix, count) < 0)
            return -1;
        count++;
    }
    return vb_typed_params_add_uint(out, err, count, "%s.count", prefix);
}

const struct vb_device_def *vb_registry_find_disk(const struct vb_domain_def *def, const char *disk)
{
    for (size_t i = 0; i < def->n_devices; i++) {
        const struct vb_device_def *dev = def->devices[i];

        if (dev->kind == VB_DEVICE_DISK &&
            ((dev->target_dev && streq(dev->target_dev, disk)) || (dev->source && streq(dev->source, disk))))
            return dev;
    }
    return NULL;
}
