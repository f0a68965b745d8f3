/* org.libvirt.Interface: one object per host interface under <connect>/interface (named by its
 * escaped name), and the interface methods of org.libvirt.Connect. */
#include "dbus/errors.h"
#include "dbus/object_calls.h"

#define KIND DBUS_KIND_IFACE

/* --- org.libvirt.Connect --------------------------------------------------------------------- */

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_list(m, userdata, KIND, vb_interface_list, error);
}

static int method_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_from_xml(m, userdata, KIND, true, vb_interface_define_xml, error);
}

static int method_lookup_by_mac(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, KIND, vb_interface_lookup_by_mac, error);
}

static int method_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, KIND, vb_interface_lookup_by_name, error);
}

/* Interface transactions: no driver serves them. */
static int method_change(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *member = sd_bus_message_get_member(m);
    enum vb_operation op = streq(member, "InterfaceChangeBegin")    ? VB_OP_INTERFACE_CHANGE_BEGIN
                           : streq(member, "InterfaceChangeCommit") ? VB_OP_INTERFACE_CHANGE_COMMIT
                                                                    : VB_OP_INTERFACE_CHANGE_ROLLBACK;
    struct vb_error err = VB_ERROR_INIT;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    (void) userdata;
    if (r < 0)
        return r;
    vb_objects_unsupported(op, &err);
    return dbus_error_take_vb(error, &err);
}

/* --- org.libvirt.Interface -------------------------------------------------------------------- */

static int do_create(struct dbus_object_call *c, uint32_t flags)
{
    return vb_interface_create(c->dc->conn, &c->base.core, c->name, flags);
}

static int do_destroy(struct dbus_object_call *c, uint32_t flags)
{
    return vb_interface_destroy(c->dc->conn, &c->base.core, c->name, flags);
}

static int do_undefine(struct dbus_object_call *c, uint32_t flags)
{
    return vb_interface_undefine(c->dc->conn, &c->base.core, c->name);
}

static int method_create(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, true, NULL, do_create, error);
}

static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, true, NULL, do_destroy, error);
}

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_undefine, error);
}

/* --- registration ---------------------------------------------------------------------------- */

#define CHANGE(member)                                                                                  \
    SD_BUS_METHOD_WITH_ARGS(member, SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_change,            \
                            SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable connect_interface_vtable[] = {
    SD_BUS_VTABLE_START(0),
    CHANGE("InterfaceChangeBegin"),
    CHANGE("InterfaceChangeCommit"),
    CHANGE("InterfaceChangeRollback"),
    SD_BUS_METHOD_WITH_ARGS("InterfaceDefineXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", interface),
                            method_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("InterfaceLookupByMAC", SD_BUS_ARGS("s", mac), SD_BUS_RESULT("o", interface),
                            method_lookup_by_mac, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("InterfaceLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", interface),
                            method_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListInterfaces", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", interfaces), method_list,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable interface_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Active", "b", dbus_object_property_get, 0, 0),
    SD_BUS_PROPERTY("MAC", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Name", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_create,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_destroy,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                            dbus_object_method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_undefine,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_interface_register(struct dbus_connect *dc)
{
    int r = sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_interface_vtable, dc);

    if (r >= 0)
        r = dbus_object_subtree_register(dc, KIND, DBUS_IFACE_INTERFACE, interface_vtable);
    return r;
}
