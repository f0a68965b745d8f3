/* Mapping of core error codes to D-Bus error names. libvirt-dbus sends every libvirt error as
 * org.libvirt.Error with libvirt's message, and clients match on that; we add AccessDenied. */
#include "dbus/errors.h"

struct error_name {
    enum vb_error_code code;
    const char *name;
};

static const struct error_name error_names[] = {
    { VB_ERR_ACCESS_DENIED, SD_BUS_ERROR_ACCESS_DENIED },
    { VB_ERR_OPERATION_DENIED, SD_BUS_ERROR_ACCESS_DENIED },
    { VB_ERR_NO_MEMORY, SD_BUS_ERROR_NO_MEMORY },
};

int dbus_error_from_vb(sd_bus_error *error, const struct vb_error *err)
{
    const char *name = DBUS_LIBVIRT_ERROR;

    for (size_t i = 0; i < ARRAY_SIZE(error_names); i++)
        if (err && error_names[i].code == err->code)
            name = error_names[i].name;
    return sd_bus_error_set(error, name, vb_error_message(err));
}

int dbus_error_take_vb(sd_bus_error *error, struct vb_error *err)
{
    int r = dbus_error_from_vb(error, err);

    vb_error_clear(err);
    return r;
}
