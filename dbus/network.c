/* org.libvirt.Network: one object per network under <connect>/network (named by UUID), and the
 * network methods of org.libvirt.Connect. Each handler reads its arguments, calls one core
 * function and answers through the shared call (dbus/object_calls.h). */
#include "dbus/object_calls.h"

#define KIND DBUS_KIND_NETWORK

/* --- org.libvirt.Connect --------------------------------------------------------------------- */

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_list(m, userdata, KIND, vb_network_list, error);
}

static int method_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_from_xml(m, userdata, KIND, false, vb_network_create_xml, error);
}

static int method_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_from_xml(m, userdata, KIND, false, vb_network_define_xml, error);
}

static int method_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_lookup(m, userdata, KIND, vb_network_lookup_by_name, error);
}

/* --- org.libvirt.Network --------------------------------------------------------------------- */

static int do_create(struct dbus_object_call *c, uint32_t flags)
{
    return vb_network_create(c->dc->conn, &c->base.core, c->uuid);
}

static int do_destroy(struct dbus_object_call *c, uint32_t flags)
{
    return vb_network_destroy(c->dc->conn, &c->base.core, c->uuid);
}

static int do_undefine(struct dbus_object_call *c, uint32_t flags)
{
    return vb_network_undefine(c->dc->conn, &c->base.core, c->uuid);
}

static int method_create(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_create, error);
}

static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_destroy, error);
}

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return dbus_object_method_run(m, userdata, false, NULL, do_undefine, error);
}

static int do_get_dhcp_leases(struct dbus_object_call *c, uint32_t flags)
{
    return vb_network_get_dhcp_leases(c->dc->conn, &c->base.core, c->uuid);
}

static int method_get_dhcp_leases(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *mac;
    int r = sd_bus_message_read(m, "s", &mac);

    return r < 0 ? r : dbus_object_method_run(m, userdata, true, NULL, do_get_dhcp_leases, error);
}

static int method_update(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_object *o = userdata;
    uint32_t command, section, flags;
    struct dbus_object_call *call;
    int32_t parent_index;
    const char *xml;
    int r = sd_bus_message_read(m, "uuisu", &command, &section, &parent_index, &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_object_call_new(o->dc, m, KIND, o, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_network_update(o->dc->conn, &call->base.core, call->uuid, command, section, parent_index, xml, flags);
    return dbus_call_finish(&call->base, r, error);
}

/* --- registration ---------------------------------------------------------------------------- */

static const sd_bus_vtable connect_network_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("ListNetworks", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", networks), method_list,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NetworkCreateXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", network),
                            method_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NetworkDefineXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", network),
                            method_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NetworkLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", network),
                            method_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NetworkLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", network),
                            dbus_object_method_network_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("NetworkEvent", SD_BUS_ARGS("o", network, "i", event), 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable network_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Active", "b", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_WRITABLE_PROPERTY("Autostart", "b", dbus_object_property_get, dbus_object_property_set_autostart, 0,
                             SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Name", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Persistent", "b", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UUID", "s", dbus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_create, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetDHCPLeases", SD_BUS_ARGS("s", mac, "u", flags), SD_BUS_RESULT("a(sxisssuss)", leases),
                            method_get_dhcp_leases, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                            dbus_object_method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_undefine,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Update", SD_BUS_ARGS("u", command, "u", section, "i", parentIndex, "s", xml, "u", flags),
                            SD_BUS_NO_RESULT, method_update, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_network_register(struct dbus_connect *dc)
{
    int r = sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_network_vtable, dc);

    if (r >= 0)
        r = sd_bus_add_fallback(dc->bus, NULL, dc->object_prefix[KIND], dbus_object_handle_set_autostart,
                                &dc->found_object[KIND]);
    if (r >= 0)
        r = dbus_object_subtree_register(dc, KIND, DBUS_NETWORK_INTERFACE, network_vtable);
    return r;
}
