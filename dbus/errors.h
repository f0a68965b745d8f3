/* Core errors as D-Bus errors: one table, one place. */
#pragma once

#include <systemd/sd-bus.h>

#include "util/error.h"

#define DBUS_LIBVIRT_ERROR "org.libvirt.Error"

/* Sets error from err and returns the negative value sd-bus handlers return. */
int dbus_error_from_vb(sd_bus_error *error, const struct vb_error *err);
/* The same, and clears err. */
int dbus_error_take_vb(sd_bus_error *error, struct vb_error *err);
