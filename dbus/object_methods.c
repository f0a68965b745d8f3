/* The handlers every non-domain kind shares: lists, lookups, definitions, GetXMLDesc and the
 * plumbing of a method on one object. */
#include <stdlib.h>

#include "dbus/errors.h"
#include "dbus/object_calls.h"

int dbus_object_method_list(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, dbus_object_list_fn fn,
                            sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *refs = NULL;
    uint32_t flags;
    size_t n = 0;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    r = fn(dc->conn, flags, &refs, &n, &err);
    return dbus_object_reply_refs(m, dc, kind, r, refs, n, &err, error);
}

int dbus_object_method_lookup(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind,
                              dbus_object_lookup_fn fn, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref ref = { 0 };
    const char *text;
    int r = sd_bus_message_read(m, "s", &text);

    if (r < 0)
        return r;
    r = fn(dc->conn, text, &ref, &err);
    return dbus_object_reply_ref(m, dc, kind, r, &ref, &err, error);
}

/* libvirt's vir*LookupByUUIDString: the string parsed first. */
static int by_uuid_string(struct vb_connect *conn, const char *text, struct vb_object_ref *ref, struct vb_error *err,
                          enum dbus_kind kind)
{
    unsigned char uuid[VB_UUID_LEN];
    const char *api = kind == DBUS_KIND_NETWORK ? "virNetworkLookupByUUIDString" : "virStoragePoolLookupByUUIDString";

    if (vb_uuid_parse(text, uuid) < 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s: uuidstr is malformed", api);
    return kind == DBUS_KIND_NETWORK ? vb_network_lookup_by_uuid(conn, uuid, ref, err)
                                     : vb_pool_lookup_by_uuid(conn, uuid, ref, err);
}

static int network_by_uuid(struct vb_connect *conn, const char *text, struct vb_object_ref *ref, struct vb_error *err)
{
    return by_uuid_string(conn, text, ref, err, DBUS_KIND_NETWORK);
}

static int pool_by_uuid(struct vb_connect *conn, const char *text, struct vb_object_ref *ref, struct vb_error *err)
{
    return by_uuid_string(conn, text, ref, err, DBUS_KIND_POOL);
}

int dbus_object_method_network_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, DBUS_KIND_NETWORK, network_by_uuid, error);
}

int dbus_object_method_pool_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, DBUS_KIND_POOL, pool_by_uuid, error);
}

int dbus_object_method_run(sd_bus_message *m, struct dbus_object *o, bool with_flags, dbus_call_append_fn append,
                           dbus_object_op_fn op, sd_bus_error *error)
{
    struct dbus_object_call *call;
    uint32_t flags = 0;
    int r = with_flags ? sd_bus_message_read(m, "u", &flags) : 0;

    if (r < 0)
        return r;
    call = dbus_object_call_new(o->dc, m, o->kind, o, append);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, op(call, flags), error);
}

static int get_xml_desc(struct dbus_object_call *c, uint32_t flags)
{
    struct vb_connect *conn = c->dc->conn;
    struct vb_call *core = &c->base.core;

    switch (c->kind) {
    case DBUS_KIND_NETWORK:
        return vb_network_get_xml_desc(conn, core, c->uuid, flags, &c->text);
    case DBUS_KIND_POOL:
        return vb_pool_get_xml_desc(conn, core, c->uuid, flags, &c->text);
    case DBUS_KIND_VOL:
        return vb_vol_get_xml_desc(conn, core, c->name, flags, &c->text);
    case DBUS_KIND_NODEDEV:
        return vb_nodedev_get_xml_desc(conn, core, c->name, flags, &c->text);
    case DBUS_KIND_IFACE:
        return vb_interface_get_xml_desc(conn, core, c->name, flags, &c->text);
    case DBUS_KIND_COUNT:
        break;
    }
    return vb_error_set(&core->err, VB_ERR_INTERNAL_ERROR, "unknown object kind");
}

int dbus_object_method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, true, dbus_object_append_text, get_xml_desc, error);
}

int dbus_object_method_from_xml(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, bool with_flags,
                                dbus_object_from_xml_fn fn, sd_bus_error *error)
{
    struct dbus_object_call *call;
    const char *xml;
    uint32_t flags = 0;
    int r = with_flags ? sd_bus_message_read(m, "su", &xml, &flags) : sd_bus_message_read(m, "s", &xml);

    if (r < 0)
        return r;
    call = dbus_object_call_new(dc, m, kind, NULL, dbus_object_append_path);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, fn(dc->conn, &call->base.core, xml, flags, &call->ref), error);
}

int dbus_object_property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                       sd_bus_message *value, void *userdata, sd_bus_error *error)
{
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "Autostart is set through the core");
}
