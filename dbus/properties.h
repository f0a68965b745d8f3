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

/* A new ObjectManager InterfacesAdded signal about path, its a{sa{sv}} opened for the caller to
 * fill and close. */
int dbus_interfaces_added_new(sd_bus *bus, const char *path, sd_bus_message **out);

struct vb_domain_info;

/* Appends org.libvirt.Domain's properties from info to m as one a{sv}: all of them (names NULL)
 * or those named (NULL-terminated), single-wrapped (InterfacesAdded, PropertiesChanged) or
 * double-wrapped as libvirt-dbus answers GetAll. SchedulerType is left out when the driver has
 * no scheduler, as libvirt-dbus leaves out a property it cannot read. */
int dbus_domain_properties_append(sd_bus_message *m, const struct vb_domain_info *info, const char *const *names,
                                  bool double_wrap);
/* Appends one org.libvirt.Domain property's value (for a property getter); -ENOENT when info
 * has no value for it. */
int dbus_domain_property_append_value(sd_bus_message *m, const char *property, const struct vb_domain_info *info);
