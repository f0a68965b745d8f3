/* The test driver's configuration changes: vcpus, memory, autostart, metadata. Each change to
 * the persistent definition is written to the store before memory is touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_private.h"

/* Applies edit to a copy of the persistent definition, stores it, then swaps it in. */
static int edit_persistent_def(struct test_conn *conn, struct vb_domain_obj *obj, def_edit_fn edit,
                               const void *arg, struct vb_error *err)
{
    struct vb_domain_def *current = vb_domain_obj_persistent_def(obj);
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *copy = vb_domain_def_copy(current, err);

    if (!copy || edit(copy, arg, err) < 0 || test_persist_def(conn, copy, err) < 0)
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
static int edit_live_def(struct vb_domain_obj *obj, def_edit_fn edit, const void *arg, struct vb_error *err)
{
    if (edit(obj->def, arg, err) < 0)
        return -1;
    if (obj->persistent)
        obj->updated = true;
    return 0;
}

/* LIVE and CONFIG are checked before either is applied, so a refused CONFIG edit leaves the
 * live definition untouched too. */
static int edit_defs(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int affect, def_edit_fn edit,
                     const void *arg, struct vb_error *err)
{
    if (affect & VB_AFFECT_LIVE) {
        _cleanup_(vb_domain_def_freep) struct vb_domain_def *probe = vb_domain_def_copy(obj->def, err);

        if (!probe || edit(probe, arg, err) < 0)
            return -1;
    }
    if ((affect & VB_AFFECT_CONFIG) && edit_persistent_def(conn, obj, edit, arg, err) < 0)
        return -1;
    if ((affect & VB_AFFECT_LIVE) && edit_live_def(obj, edit, arg, err) < 0)
        return -1;
    return 0;
}

int test_edit_defs(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int affect, def_edit_fn edit,
                   const void *arg, struct vb_error *err)
{
    return edit_defs(conn, obj, affect, edit, arg, err);
}

struct vcpu_change {
    unsigned int count;
    bool maximum;
};

static int edit_vcpus(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct vcpu_change *change = arg;

    if (change->maximum) {
        def->vcpus_max = change->count;
        if (def->vcpus_current > change->count)
            def->vcpus_current = change->count;
        return 0;
    }
    if (change->count > def->vcpus_max)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "requested cpu amount exceeds maximum (%u > %u)",
                            change->count, def->vcpus_max);
    def->vcpus_current = change->count;
    return 0;
}

int test_set_vcpus(void *priv, vb_uuid_t uuid, unsigned int count, unsigned int flags, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    struct vcpu_change change = { .count = count, .maximum = flags & VB_VCPU_MAXIMUM };
    int r;

    VB_CHECK_FLAGS(flags, VB_VCPU_LIVE | VB_VCPU_CONFIG | VB_VCPU_MAXIMUM, err);
    if (!obj)
        return -1;
    if (count == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "argument unsupported: vcpu count must be greater than zero");
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (change.maximum && (flags & VB_AFFECT_LIVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot hotplug vcpus for an active domain");
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, "virDomainSetVcpusFlags", err) < 0)
        return -1;
    r = edit_defs(conn, obj, flags, edit_vcpus, &change, err);
    vb_domain_job_end(&obj->job);
    return r;
}

struct memory_change {
    uint64_t kib;
    bool maximum;
};

static int edit_memory(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct memory_change *change = arg;

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

int test_set_memory(void *priv, vb_uuid_t uuid, uint64_t kib, unsigned int flags, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    struct memory_change change = { .kib = kib, .maximum = flags & VB_MEM_MAXIMUM };
    int r;

    VB_CHECK_FLAGS(flags, VB_MEM_LIVE | VB_MEM_CONFIG | VB_MEM_MAXIMUM, err);
    if (!obj)
        return -1;
    if (kib == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "memory size must be greater than zero");
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (change.maximum && (flags & VB_AFFECT_LIVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot resize the maximum memory on an active domain");
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, "virDomainSetMemoryFlags", err) < 0)
        return -1;
    r = edit_defs(conn, obj, flags, edit_memory, &change, err);
    vb_domain_job_end(&obj->job);
    return r;
}

int test_set_autostart(void *priv, vb_uuid_t uuid, bool autostart, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);

    if (!obj)
        return -1;
    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot set autostart for transient domain");
    if (conn->store && test_persist_def(conn, vb_domain_obj_persistent_def(obj), err) < 0)
        return -1;
    if (conn->store && vb_domain_store_set_autostart(conn->store, obj->def->name, autostart, err) < 0)
        return -1;
    obj->autostart = autostart;
    return 0;
}

char *test_get_metadata(void *priv, vb_uuid_t uuid, int type, const char *uri, unsigned int flags,
                        struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);
    const struct vb_domain_def *def;

    if (flags & ~(unsigned int) (VB_AFFECT_LIVE | VB_AFFECT_CONFIG)) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "%s: unsupported flags (0x%x)", __func__, flags);
        return NULL;
    }
    if (!obj || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
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

int test_set_metadata(void *priv, vb_uuid_t uuid, int type, const char *metadata, const char *key,
                      const char *uri, unsigned int flags, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    struct metadata_change change = { .type = type, .value = metadata, .key = key, .uri = uri };
    int r;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (!obj || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (type < VB_METADATA_DESCRIPTION || type > VB_METADATA_ELEMENT)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, "virDomainSetMetadata", err) < 0)
        return -1;
    r = edit_defs(conn, obj, flags, edit_metadata, &change, err);
    vb_domain_job_end(&obj->job);
    return r;
}

/* --- devices -------------------------------------------------------------------------------- */

/* Each definition gets its own parse of the device XML, so live and config never share nodes. */
struct device_change {
    const char *xml;
};

static int edit_attach(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct device_change *change = arg;
    struct vb_device_def *dev = vb_device_def_parse_string(change->xml, err);

    if (!dev)
        return -1;
    if (vb_domain_def_add_device(def, dev, err) < 0) {
        vb_device_def_free(dev);
        return -1;
    }
    return 0;
}

static int report_missing_device(const struct vb_device_def *dev, struct vb_error *err)
{
    if (dev->kind == VB_DEVICE_DISK && dev->target_dev)
        return vb_error_set(err, VB_ERR_DEVICE_MISSING, "no target device %s", dev->target_dev);
    if (dev->kind == VB_DEVICE_INTERFACE && dev->mac)
        return vb_error_set(err, VB_ERR_DEVICE_MISSING, "no device matching MAC address %s found", dev->mac);
    return vb_error_set(err, VB_ERR_DEVICE_MISSING, "matching %s device not found", dev->element);
}

static int edit_detach(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct device_change *change = arg;
    _cleanup_(vb_device_def_freep) struct vb_device_def *dev = vb_device_def_parse_string(change->xml, err);
    int index;

    if (!dev)
        return -1;
    index = vb_domain_def_find_device(def, dev);
    if (index < 0)
        return report_missing_device(dev, err);
    vb_domain_def_remove_device(def, (size_t) index);
    return 0;
}

static int edit_update(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct device_change *change = arg;
    struct vb_device_def *dev = vb_device_def_parse_string(change->xml, err);
    int index;

    if (!dev)
        return -1;
    index = vb_domain_def_find_device(def, dev);
    if (index < 0) {
        report_missing_device(dev, err);
        vb_device_def_free(dev);
        return -1;
    }
    /* The new device replaces the old one in place, keeping its position. */
    vb_device_def_free(def->devices[index]);
    def->devices[index] = dev;
    return 0;
}

static int change_devices(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, unsigned int extra_flags,
                          def_edit_fn edit, const char *operation, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    struct device_change change = { .xml = xml };
    int r;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | extra_flags, err);
    if (!obj || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, operation, err) < 0)
        return -1;
    r = edit_defs(conn, obj, flags, edit, &change, err);
    vb_domain_job_end(&obj->job);
    return r;
}

int test_attach_device(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err)
{
    return change_devices(priv, uuid, xml, flags, 0, edit_attach, "virDomainAttachDeviceFlags", err);
}

int test_detach_device(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err)
{
    return change_devices(priv, uuid, xml, flags, 0, edit_detach, "virDomainDetachDeviceFlags", err);
}

int test_update_device(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err)
{
    return change_devices(priv, uuid, xml, flags, VB_DEVICE_MODIFY_FORCE, edit_update, "virDomainUpdateDeviceFlags",
                          err);
}

/* --- memory balloon statistics period ------------------------------------------------------- */

static struct vb_device_def *find_balloon(struct vb_domain_def *def)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (def->devices[i]->element && streq(def->devices[i]->element, "memballoon"))
            return def->devices[i];
    return NULL;
}

/* Sets <stats period='N'/> inside <memballoon> (removed when N is 0), as libvirt formats it. */
static int edit_stats_period(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const int *period = arg;
    struct vb_device_def *balloon = find_balloon(def);
    char text[16];

    if (!balloon)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR,
                            "No memory balloon device configured, can not set the collection period");
    snprintf(text, sizeof(text), "%d", *period);
    return vb_device_def_set_child_attribute(balloon, "stats", "period", *period ? text : NULL, err);
}

int test_set_memory_stats_period(void *priv, vb_uuid_t uuid, int period, unsigned int flags, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    int r;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (!obj || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, "virDomainSetMemoryStatsPeriod", err) < 0)
        return -1;
    r = edit_defs(conn, obj, flags, edit_stats_period, &period, err);
    vb_domain_job_end(&obj->job);
    return r;
}
