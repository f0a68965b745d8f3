/* The test driver's configuration changes: vcpus, memory, autostart, metadata, devices. Each
 * change to the persistent definition is written to the store before memory is touched, and
 * every change is announced once it is made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/xml_util.h"
#include "drivers/test/test_private.h"

int test_edit_defs(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int affect, def_edit_fn edit,
                   const void *arg, struct vb_error *err)
{
    return vb_registry_edit_defs(obj, affect, edit, arg, &test_store_ops, conn, err);
}

int test_set_vcpus(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int count,
                   unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_vcpu_change change = { .count = count, .maximum = flags & VB_VCPU_MAXIMUM };
    int r;

    if (vb_registry_check_set_vcpus(obj, count, &flags, &call->err) < 0)
        return -1;
    r = test_edit_defs(conn, obj, flags, vb_registry_edit_vcpus, &change, &call->err);
    if (r == 0)
        test_emit_changed(conn, obj);
    return test_done(conn, call, r);
}

/* libvirt's QEMU driver announces a live change when the balloon reaches its target, which the
 * test guest does at once; libvirt has no event for a change to the persistent definition. */
static void emit_memory_change(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int affect)
{
    struct vb_event event;

    if (!(affect & VB_AFFECT_LIVE)) {
        test_emit_changed(conn, obj);
        return;
    }
    vb_event_init_domain(&event, "test", conn->uri, obj->def->uuid, obj->def->name,
                         VB_DOMAIN_EVENT_ID_BALLOON_CHANGE);
    event.payload.balloon_change.actual_kib = obj->def->current_memory_kib;
    test_emit_event(conn, obj, &event);
}

int test_set_memory(void *priv, struct vb_call *call, struct vb_domain_obj *obj, uint64_t kib, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct vb_memory_change change = { .kib = kib, .maximum = flags & VB_MEM_MAXIMUM };
    int r;

    VB_CHECK_FLAGS(flags, VB_MEM_LIVE | VB_MEM_CONFIG | VB_MEM_MAXIMUM, err);
    if (kib == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "memory size must be greater than zero");
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (change.maximum && (flags & VB_AFFECT_LIVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot resize the maximum memory on an active domain");
    r = test_edit_defs(conn, obj, flags, vb_registry_edit_memory, &change, err);
    if (r == 0)
        emit_memory_change(conn, obj, flags);
    return test_done(conn, call, r);
}

int test_set_autostart(void *priv, struct vb_call *call, struct vb_domain_obj *obj, bool autostart)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    bool changed = obj->autostart != autostart;

    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot set autostart for transient domain");
    if (conn->store && (test_persist_def(conn, vb_domain_obj_persistent_def(obj), err) < 0 ||
                        vb_domain_store_mark_autostart(conn->store, obj->def->uuid, autostart, err) < 0))
        return test_done(conn, call, -1);
    obj->autostart = autostart;
    if (changed)
        test_emit_changed(conn, obj);
    return test_done(conn, call, 0);
}

int test_get_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int type, const char *uri,
                      unsigned int flags, char **metadata)
{
    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, &call->err);
    *metadata = vb_registry_get_metadata(obj, type, uri, flags, &call->err);
    return test_done(priv, call, *metadata ? 0 : -1);
}

int test_set_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int type, const char *metadata,
                      const char *key, const char *uri, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct vb_event event;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (vb_registry_set_metadata(obj, type, metadata, key, uri, flags, &test_store_ops, conn, err) < 0)
        return test_done(conn, call, -1);
    /* libvirt's testDomainSetMetadata: one event, whichever definitions changed. */
    vb_event_init_domain(&event, "test", conn->uri, obj->def->uuid, obj->def->name,
                         VB_DOMAIN_EVENT_ID_METADATA_CHANGE);
    event.payload.metadata_change.type = type;
    event.payload.metadata_change.nsuri = (char *) uri; /* borrowed: test_emit_event copies */
    test_emit_event(conn, obj, &event);
    return test_done(conn, call, 0);
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

static int check_device_flags(const struct vb_domain_obj *obj, unsigned int *flags, unsigned int extra_flags,
                              struct vb_error *err)
{
    VB_CHECK_FLAGS(*flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG | extra_flags, err);
    return vb_domain_obj_resolve_affect(obj, flags, err);
}

/* How a device event names the device: libvirt sends its alias; one given without <alias> is
 * named by its disk target, its MAC address, or its element. */
static const char *device_name(const struct vb_device_def *dev)
{
    if (dev->kind == VB_DEVICE_DISK && dev->target_dev)
        return dev->target_dev;
    if (dev->kind == VB_DEVICE_INTERFACE && dev->mac)
        return dev->mac;
    return dev->element;
}

/* libvirt's QEMU driver announces a live hot(un)plug as DEVICE_ADDED / DEVICE_REMOVED; xml is the
 * device as the caller gave it (already parsed once, so well formed), dev the device changed. */
static void emit_device_event(struct test_conn *conn, struct vb_domain_obj *obj, int id, const char *xml,
                              const struct vb_device_def *dev)
{
    struct vb_error scratch = VB_ERROR_INIT;
    xmlDocPtr doc = vb_xml_parse_string(xml, "(device_definition)", &scratch);
    _cleanup_free_ char *alias = doc ? vb_xml_child_prop(xmlDocGetRootElement(doc), "alias", "name") : NULL;
    struct vb_event event;

    xmlFreeDoc(doc);
    vb_error_clear(&scratch);
    vb_event_init_domain(&event, "test", conn->uri, obj->def->uuid, obj->def->name, id);
    event.payload.device.dev_alias = alias ? alias : (char *) device_name(dev); /* borrowed */
    test_emit_event(conn, obj, &event);
}

int test_attach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct device_change change = { .xml = xml };

    if (check_device_flags(obj, &flags, 0, err) < 0)
        return -1;
    if (test_edit_defs(conn, obj, flags, edit_attach, &change, err) < 0)
        return test_done(conn, call, -1);
    /* The live definition's new device is its last one, with the MAC address it was given. */
    if (flags & VB_AFFECT_LIVE)
        emit_device_event(conn, obj, VB_DOMAIN_EVENT_ID_DEVICE_ADDED, xml, obj->def->devices[obj->def->n_devices - 1]);
    else
        test_emit_changed(conn, obj);
    return test_done(conn, call, 0);
}

int test_detach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct device_change change = { .xml = xml };
    _cleanup_(vb_device_def_freep) struct vb_device_def *given = NULL;

    if (check_device_flags(obj, &flags, 0, err) < 0)
        return -1;
    /* The device removed matches the one given by target, MAC or XML: both name it alike. */
    given = vb_device_def_parse_string(xml, err);
    if (!given)
        return -1;
    if (test_edit_defs(conn, obj, flags, edit_detach, &change, err) < 0)
        return test_done(conn, call, -1);
    if (flags & VB_AFFECT_LIVE)
        emit_device_event(conn, obj, VB_DOMAIN_EVENT_ID_DEVICE_REMOVED, xml, given);
    else
        test_emit_changed(conn, obj);
    return test_done(conn, call, 0);
}

int test_update_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct device_change change = { .xml = xml };
    int r;

    if (check_device_flags(obj, &flags, VB_DEVICE_MODIFY_FORCE, err) < 0)
        return -1;
    r = test_edit_defs(conn, obj, flags, edit_update, &change, err);
    if (r == 0)
        test_emit_changed(conn, obj);
    return test_done(conn, call, r);
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

int test_set_memory_stats_period(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int period,
                                 unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    int r;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    r = test_edit_defs(conn, obj, flags, edit_stats_period, &period, err);
    if (r == 0)
        test_emit_changed(conn, obj);
    return test_done(conn, call, r);
}
