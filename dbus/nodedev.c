/* org.libvirt.NodeDevice: one object per node device under <connect>/nodedev (named by its
 * escaped name), and the node device methods of org.libvirt.Connect. */
#include "dbus/object_calls.h"

#define KIND DBUS_KIND_NODEDEV

/* --- org.libvirt.Connect --------------------------------------------------------------------- */

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_list(m, userdata, KIND, vb_nodedev_list, error);
}

static int method_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_from_xml(m, userdata, KIND, true, vb_nodedev_create_xml, error);
}

static int method_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, KIND, vb_nodedev_lookup_by_name, error);
}

static int method_lookup_scsi_host_by_wwn(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref ref = { 0 };
    const char *wwnn, *wwpn;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssu", &wwnn, &wwpn, &flags);

    if (r < 0)
        return r;
    r = vb_nodedev_lookup_scsi_host_by_wwn(dc->conn, wwnn, wwpn, flags, &ref, &err);
    return dbus_object_reply_ref(m, dc, KIND, r, &ref, &err, error);
}

/* --- org.libvirt.NodeDevice ------------------------------------------------------------------- */

static int do_destroy(struct dbus_object_call *c, uint32_t flags)
{
    return vb_nodedev_destroy(c->dc->conn, &c->base.core, c->name);
}

static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_destroy, error);
}

/* Detach, ReAttach, Reset: no driver serves them. */
#define UNSUPPORTED_OP(name, op)                                                                   \
    static int do_##name(struct dbus_object_call *c, uint32_t flags)                               \
    {                                                                                              \
        return vb_nodedev_unsupported(c->dc->conn, &c->base.core, op);                             \
    }
UNSUPPORTED_OP(detach, VB_OP_NODE_DEVICE_DETACH_FLAGS)
UNSUPPORTED_OP(re_attach, VB_OP_NODE_DEVICE_RE_ATTACH)
UNSUPPORTED_OP(reset, VB_OP_NODE_DEVICE_RESET)

static int method_detach(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *driver_name;
    int r = sd_bus_message_read(m, "s", &driver_name);

    return r < 0 ? r : dbus_object_method_run(m, userdata, true, NULL, do_detach, error);
}

static int method_re_attach(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_re_attach, error);
}

static int method_reset(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_reset, error);
}

static int do_list_caps(struct dbus_object_call *c, uint32_t flags)
{
    return vb_nodedev_list_caps(c->dc->conn, &c->base.core, c->name, &c->strv, &c->n_strv);
}

static int method_list_caps(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, dbus_object_append_strv, do_list_caps, error);
}

/* --- registration ---------------------------------------------------------------------------- */

static const sd_bus_vtable connect_nodedev_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("ListNodeDevices", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", devs), method_list,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeDeviceCreateXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", dev),
                            method_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeDeviceLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", dev),
                            method_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeDeviceLookupSCSIHostByWWN", SD_BUS_ARGS("s", wwnn, "s", wwpn, "u", flags),
                            SD_BUS_RESULT("o", dev), method_lookup_scsi_host_by_wwn, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("NodeDeviceEvent", SD_BUS_ARGS("o", dev, "i", event, "i", detail), 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable nodedev_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Name", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Parent", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Detach", SD_BUS_ARGS("s", driverName, "u", flags), SD_BUS_NO_RESULT, method_detach,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                            dbus_object_method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListCaps", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", names), method_list_caps,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ReAttach", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_re_attach,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reset, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_nodedev_register(struct dbus_connect *dc)
{
    int r = sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_nodedev_vtable, dc);

    if (r >= 0)
        r = dbus_object_subtree_register(dc, KIND, DBUS_NODEDEV_INTERFACE, nodedev_vtable);
    return r;
}
