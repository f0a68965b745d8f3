/* org.libvirt.StoragePool: one object per pool under <connect>/storagepool (named by UUID), and
 * the storage methods of org.libvirt.Connect. */
#include "dbus/object_calls.h"

#define KIND DBUS_KIND_POOL

/* --- org.libvirt.Connect --------------------------------------------------------------------- */

static int method_find_pool_sources(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_object_call *call;
    const char *type, *spec;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssu", &type, &spec, &flags);

    if (r < 0)
        return r;
    call = dbus_object_call_new(dc, m, KIND, NULL, dbus_object_append_text);
    if (!call)
        return -ENOMEM;
    r = vb_find_pool_sources(dc->conn, &call->base.core, type, dbus_empty_to_null(spec), flags, &call->text);
    return dbus_call_finish(&call->base, r, error);
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_list(m, userdata, KIND, vb_pool_list, error);
}

static int method_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_from_xml(m, userdata, KIND, true, vb_pool_create_xml, error);
}

static int method_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_from_xml(m, userdata, KIND, true, vb_pool_define_xml, error);
}

static int method_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, KIND, vb_pool_lookup_by_name, error);
}

static int method_vol_lookup_by_key(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, DBUS_KIND_VOL, vb_vol_lookup_by_key, error);
}

static int method_vol_lookup_by_path(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, DBUS_KIND_VOL, vb_vol_lookup_by_path, error);
}

/* --- org.libvirt.StoragePool ------------------------------------------------------------------ */

/* X(name, core function): a method with flags and no result, on the pool's UUID. */
#define POOL_FLAG_METHODS(X) X(build, vb_pool_build) X(create, vb_pool_create) X(delete, vb_pool_delete) \
    X(refresh, vb_pool_refresh)
#define POOL_FLAG_METHOD(name, fn)                                                                   \
    static int do_##name(struct dbus_object_call *c, uint32_t flags)                                 \
    {                                                                                                \
        return fn(c->dc->conn, &c->base.core, c->uuid, flags);                                       \
    }                                                                                                \
    static int method_##name(sd_bus_message *m, void *userdata, sd_bus_error *error)                 \
    {                                                                                                \
        return dbus_object_method_run(m, userdata, true, NULL, do_##name, error);                    \
    }
POOL_FLAG_METHODS(POOL_FLAG_METHOD)

static int do_destroy(struct dbus_object_call *c, uint32_t flags)
{
    return vb_pool_destroy(c->dc->conn, &c->base.core, c->uuid);
}

static int do_undefine(struct dbus_object_call *c, uint32_t flags)
{
    return vb_pool_undefine(c->dc->conn, &c->base.core, c->uuid);
}

static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_destroy, error);
}

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_undefine, error);
}

static int append_info(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_pool_info *i = &((struct dbus_object_call *) call)->pool_info;

    return sd_bus_message_append(reply, "(ittt)", (int32_t) i->state, (uint64_t) i->capacity,
                                 (uint64_t) i->allocation, (uint64_t) i->available);
}

static int do_get_info(struct dbus_object_call *c, uint32_t flags)
{
    return vb_pool_get_info(c->dc->conn, &c->base.core, c->uuid, &c->pool_info);
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, append_info, do_get_info, error);
}

static int method_list_volumes(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_object *o = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *refs = NULL;
    uint32_t flags;
    size_t n = 0;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    r = vb_pool_list_volumes(o->dc->conn, o->uuid, flags, &refs, &n, &err);
    return dbus_object_reply_refs(m, o->dc, DBUS_KIND_VOL, r, refs, n, &err, error);
}

/* StorageVolCreateXML(s xml, u flags) and StorageVolCreateXMLFrom(s xml, s key, u flags). */
static int vol_create(sd_bus_message *m, struct dbus_object *o, bool from, sd_bus_error *error)
{
    struct dbus_object_call *call;
    const char *xml, *key = NULL;
    uint32_t flags;
    int r = from ? sd_bus_message_read(m, "ssu", &xml, &key, &flags) : sd_bus_message_read(m, "su", &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_object_call_new(o->dc, m, KIND, o, dbus_object_append_path);
    if (!call)
        return -ENOMEM;
    call->kind = DBUS_KIND_VOL; /* what it answers */
    r = from ? vb_vol_create_xml_from(o->dc->conn, &call->base.core, call->uuid, xml, key, flags, &call->ref)
             : vb_vol_create_xml(o->dc->conn, &call->base.core, call->uuid, xml, flags, &call->ref);
    return dbus_call_finish(&call->base, r, error);
}

static int method_vol_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return vol_create(m, userdata, false, error);
}

static int method_vol_create_xml_from(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return vol_create(m, userdata, true, error);
}

static int method_vol_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_object *o = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref ref = { 0 };
    const char *name;
    int r = sd_bus_message_read(m, "s", &name);

    if (r < 0)
        return r;
    r = vb_vol_lookup_by_name(o->dc->conn, o->uuid, name, &ref, &err);
    return dbus_object_reply_ref(m, o->dc, DBUS_KIND_VOL, r, &ref, &err, error);
}

/* --- registration ---------------------------------------------------------------------------- */

#define LOOKUP(member, arg, result, handler)                                                       \
    SD_BUS_METHOD_WITH_ARGS(member, SD_BUS_ARGS("s", arg), SD_BUS_RESULT("o", result), handler,   \
                            SD_BUS_VTABLE_UNPRIVILEGED)
#define FLAGS_ONLY(member, handler)                                                                \
    SD_BUS_METHOD_WITH_ARGS(member, SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, handler, SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable connect_storage_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("FindStoragePoolSources", SD_BUS_ARGS("s", type, "s", srcSpec, "u", flags),
                            SD_BUS_RESULT("s", storagePoolSources), method_find_pool_sources,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListStoragePools", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", storagePools),
                            method_list, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("StoragePoolCreateXML", SD_BUS_ARGS("s", xml, "u", flags),
                            SD_BUS_RESULT("o", storagePool), method_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("StoragePoolDefineXML", SD_BUS_ARGS("s", xml, "u", flags),
                            SD_BUS_RESULT("o", storagePool), method_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    LOOKUP("StoragePoolLookupByName", name, storagePool, method_lookup_by_name),
    LOOKUP("StoragePoolLookupByUUID", uuid, storagePool, dbus_object_method_pool_by_uuid),
    LOOKUP("StorageVolLookupByKey", key, storageVol, method_vol_lookup_by_key),
    LOOKUP("StorageVolLookupByPath", path, storageVol, method_vol_lookup_by_path),
    SD_BUS_SIGNAL_WITH_ARGS("StoragePoolEvent", SD_BUS_ARGS("o", storagePool, "i", event, "i", detail), 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable pool_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Active", "b", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_WRITABLE_PROPERTY("Autostart", "b", dbus_object_property_get, dbus_object_property_set_autostart, 0,
                             SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Name", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Persistent", "b", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UUID", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    FLAGS_ONLY("Build", method_build),
    FLAGS_ONLY("Create", method_create),
    FLAGS_ONLY("Delete", method_delete),
    SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ittt)", info), method_get_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                            dbus_object_method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListStorageVolumes", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", storageVols),
                            method_list_volumes, SD_BUS_VTABLE_UNPRIVILEGED),
    FLAGS_ONLY("Refresh", method_refresh),
    SD_BUS_METHOD_WITH_ARGS("StorageVolCreateXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", storageVol),
                            method_vol_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("StorageVolCreateXMLFrom", SD_BUS_ARGS("s", xml, "s", key, "u", flags),
                            SD_BUS_RESULT("o", storageVol), method_vol_create_xml_from, SD_BUS_VTABLE_UNPRIVILEGED),
    LOOKUP("StorageVolLookupByName", name, storageVol, method_vol_lookup_by_name),
    SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_undefine,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("Refresh", NULL, 0),
    SD_BUS_VTABLE_END,
};

int dbus_storage_pool_register(struct dbus_connect *dc)
{
    int r = sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_storage_vtable, dc);

    if (r >= 0)
        r = sd_bus_add_fallback(dc->bus, NULL, dc->object_prefix[KIND], dbus_object_handle_set_autostart,
                                &dc->found_object[KIND]);
    if (r >= 0)
        r = dbus_object_subtree_register(dc, KIND, DBUS_POOL_INTERFACE, pool_vtable);
    return r;
}
