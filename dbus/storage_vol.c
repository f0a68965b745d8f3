/* org.libvirt.StorageVol: one object per volume under <connect>/storagevol, named by its key. */
#include "dbus/object_calls.h"

#define KIND DBUS_KIND_VOL

static int do_delete(struct dbus_object_call *c, uint32_t flags)
{
    return vb_vol_delete(c->dc->conn, &c->base.core, c->name, flags);
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, true, NULL, do_delete, error);
}

static int append_info(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_vol_info *i = &((struct dbus_object_call *) call)->vol_info;

    return sd_bus_message_append(reply, "(itt)", (int32_t) i->type, (uint64_t) i->capacity, (uint64_t) i->allocation);
}

static int do_get_info(struct dbus_object_call *c, uint32_t flags)
{
    return vb_vol_get_info(c->dc->conn, &c->base.core, c->name, flags, &c->vol_info);
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, true, append_info, do_get_info, error);
}

/* Resize(t capacity, u flags) and Wipe(u pattern, u flags): the first argument is read again
 * from the message, which the call keeps (a call may run again after polkit answers). */
static int first_argument(struct dbus_object_call *c, char type, void *value)
{
    int r = sd_bus_message_rewind(c->base.message, true);

    if (r >= 0)
        r = sd_bus_message_read_basic(c->base.message, type, value);
    return r < 0 ? vb_error_set(&c->base.core.err, VB_ERR_INVALID_ARG, "cannot read the call's arguments") : 0;
}

static int do_resize(struct dbus_object_call *c, uint32_t flags)
{
    uint64_t capacity;

    if (first_argument(c, 't', &capacity) < 0)
        return -1;
    return vb_vol_resize(c->dc->conn, &c->base.core, c->name, capacity, flags);
}

static int do_wipe(struct dbus_object_call *c, uint32_t flags)
{
    uint32_t pattern;

    if (first_argument(c, 'u', &pattern) < 0)
        return -1;
    return vb_vol_wipe(c->dc->conn, &c->base.core, c->name, pattern, flags);
}

static int method_resize(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    uint64_t capacity;
    int r = sd_bus_message_read(m, "t", &capacity);

    return r < 0 ? r : dbus_object_method_run(m, userdata, true, NULL, do_resize, error);
}

static int method_wipe(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    uint32_t pattern;
    int r = sd_bus_message_read(m, "u", &pattern);

    return r < 0 ? r : dbus_object_method_run(m, userdata, true, NULL, do_wipe, error);
}

static const sd_bus_vtable vol_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Name", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Key", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Path", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_delete,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(itt)", info), method_get_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                            dbus_object_method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Resize", SD_BUS_ARGS("t", capacity, "u", flags), SD_BUS_NO_RESULT, method_resize,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Wipe", SD_BUS_ARGS("u", pattern, "u", flags), SD_BUS_NO_RESULT, method_wipe,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_storage_vol_register(struct dbus_connect *dc)
{
    return dbus_object_subtree_register(dc, KIND, DBUS_VOL_INTERFACE, vol_vtable);
}
