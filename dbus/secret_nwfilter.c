/* The secret and network filter methods of org.libvirt.Connect. No virtbus driver serves
 * secrets or network filters (libvirt's test driver has neither): every call answers libvirt's
 * "this function is not supported by the connection driver", naming the API. */
#include "api/objects.h"
#include "dbus/bus.h"
#include "dbus/errors.h"

struct unsupported_method {
    const char *member;
    enum vb_operation op;
};

static const struct unsupported_method methods[] = {
    { "ListNWFilters", VB_OP_CONNECT_LIST_ALL_NWFILTERS },
    { "ListSecrets", VB_OP_CONNECT_LIST_ALL_SECRETS },
    { "NWFilterDefineXML", VB_OP_NWFILTER_DEFINE_XML },
    { "NWFilterLookupByName", VB_OP_NWFILTER_LOOKUP_BY_NAME },
    { "NWFilterLookupByUUID", VB_OP_NWFILTER_LOOKUP_BY_UUID },
    { "SecretDefineXML", VB_OP_SECRET_DEFINE_XML },
    { "SecretLookupByUUID", VB_OP_SECRET_LOOKUP_BY_UUID },
    { "SecretLookupByUsage", VB_OP_SECRET_LOOKUP_BY_USAGE },
};

static int method_unsupported(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *member = sd_bus_message_get_member(m);
    struct vb_error err = VB_ERROR_INIT;

    (void) userdata;
    for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
        if (streq(methods[i].member, member)) {
            vb_objects_unsupported(methods[i].op, &err);
            return dbus_error_take_vb(error, &err);
        }
    return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_METHOD, member);
}

/* One argument (in_type in_name), one result. */
#define UNSUPPORTED(member, in_type, in_name, out_type, out_name)                                      \
    SD_BUS_METHOD_WITH_ARGS(member, SD_BUS_ARGS(in_type, in_name), SD_BUS_RESULT(out_type, out_name), \
                            method_unsupported, SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable connect_vtable[] = {
    SD_BUS_VTABLE_START(0),
    UNSUPPORTED("ListNWFilters", "u", flags, "ao", nwfilters),
    UNSUPPORTED("ListSecrets", "u", flags, "ao", secrets),
    UNSUPPORTED("NWFilterDefineXML", "s", xml, "o", nwfilter),
    UNSUPPORTED("NWFilterLookupByName", "s", name, "o", nwfilter),
    UNSUPPORTED("NWFilterLookupByUUID", "s", uuid, "o", nwfilter),
    SD_BUS_METHOD_WITH_ARGS("SecretDefineXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", secret),
                            method_unsupported, SD_BUS_VTABLE_UNPRIVILEGED),
    UNSUPPORTED("SecretLookupByUUID", "s", uuid, "o", secret),
    SD_BUS_METHOD_WITH_ARGS("SecretLookupByUsage", SD_BUS_ARGS("i", usageType, "s", usageID),
                            SD_BUS_RESULT("o", secret), method_unsupported, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("SecretEvent", SD_BUS_ARGS("o", secret, "i", event, "i", detail), 0),
    SD_BUS_VTABLE_END,
};

int dbus_secret_nwfilter_register(struct dbus_connect *dc)
{
    return sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_vtable, dc);
}
