/* Properties.GetAll the way libvirt-dbus answers it: every value a variant inside a variant,
 * and a property whose getter fails left out instead of failing the call. */
#pragma once

#include <stdbool.h>

#include <systemd/sd-bus.h>

/* Installs a handler at path (fallback: for every path below it too) that answers
 * org.freedesktop.DBus.Properties.GetAll(interface) from vtable's property getters.
 * Other calls are left to sd-bus. */
int dbus_properties_add_get_all(sd_bus *bus, const char *path, bool fallback, const char *interface,
                                const sd_bus_vtable *vtable, void *userdata);
