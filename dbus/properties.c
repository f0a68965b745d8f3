/* The double-wrapped Properties.GetAll that libvirt-dbus clients (cockpit-machines) expect. */
#include <stdlib.h>
#include <string.h>

#include "dbus/paths.h"
#include "dbus/properties.h"
#include "drivers/driver.h"
#include "util/macros.h"

struct get_all_handler {
    const char *interface;
    const sd_bus_vtable *vtable;
    void *userdata;
};

/* Appends {name: <<value>>}; a failing getter is skipped, as libvirt-dbus skips it. Getters
 * must fail before appending anything so the message stays consistent. */
static int append_property(sd_bus_message *reply, sd_bus_message *call, const char *interface,
                           const sd_bus_vtable *entry, void *userdata)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    const char *member = entry->x.property.member;
    const char *signature = entry->x.property.signature;
    int r;

    r = sd_bus_message_open_container(reply, 'e', "sv");
    if (r < 0)
        return r;
    r = sd_bus_message_append(reply, "s", member);
    if (r < 0)
        return r;
    r = sd_bus_message_open_container(reply, 'v', "v");
    if (r < 0)
        return r;
    r = sd_bus_message_open_container(reply, 'v', signature);
    if (r < 0)
        return r;
    r = entry->x.property.get(sd_bus_message_get_bus(call), sd_bus_message_get_path(call), interface, member,
                              reply, userdata, &error);
    if (r < 0)
        return r;
    r = sd_bus_message_close_container(reply);
    if (r < 0)
        return r;
    r = sd_bus_message_close_container(reply);
    if (r < 0)
        return r;
    return sd_bus_message_close_container(reply);
}

/* A property whose getter fails cannot be rolled back out of a message, so each one is first
 * tried on a scratch message; only those that succeed are appended to the reply. */
static bool property_readable(sd_bus_message *call, const char *interface, const sd_bus_vtable *entry,
                              void *userdata)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *scratch = NULL;

    if (sd_bus_message_new_method_return(call, &scratch) < 0 ||
        sd_bus_message_open_container(scratch, 'a', "{sv}") < 0)
        return false;
    return append_property(scratch, call, interface, entry, userdata) >= 0;
}

static int handle_get_all(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
    struct get_all_handler *handler = userdata;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    const char *interface;
    int r;

    if (!sd_bus_message_is_method_call(call, "org.freedesktop.DBus.Properties", "GetAll"))
        return 0;
    r = sd_bus_message_read(call, "s", &interface);
    if (r < 0 || !streq(interface, handler->interface)) {
        sd_bus_message_rewind(call, true);
        return 0;
    }
    r = sd_bus_message_new_method_return(call, &reply);
    if (r < 0)
        return r;
    r = sd_bus_message_open_container(reply, 'a', "{sv}");
    if (r < 0)
        return r;
    for (const sd_bus_vtable *v = handler->vtable; v->type != _SD_BUS_VTABLE_END; v++) {
        if (v->type != _SD_BUS_VTABLE_PROPERTY && v->type != _SD_BUS_VTABLE_WRITABLE_PROPERTY)
            continue;
        if (!property_readable(call, handler->interface, v, handler->userdata))
            continue;
        r = append_property(reply, call, handler->interface, v, handler->userdata);
        if (r < 0)
            return r;
    }
    r = sd_bus_message_close_container(reply);
    if (r < 0)
        return r;
    return sd_bus_send(NULL, reply, NULL);
}

int dbus_interfaces_added_new(sd_bus *bus, const char *path, sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    int r = sd_bus_message_new_signal(bus, &m, DBUS_ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
                                      "InterfacesAdded");

    if (r >= 0)
        r = sd_bus_message_append(m, "o", path);
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'a', "{sa{sv}}");
    if (r >= 0)
        *out = TAKE_PTR(m);
    return r;
}

static void get_all_handler_free(void *userdata)
{
    free(userdata);
}

int dbus_properties_add_get_all(sd_bus *bus, const char *path, bool fallback, const char *interface,
                                const sd_bus_vtable *vtable, void *userdata)
{
    struct get_all_handler *handler = calloc(1, sizeof(*handler));
    sd_bus_slot *slot = NULL;
    int r;

    if (!handler)
        return -ENOMEM;
    *handler = (struct get_all_handler){ .interface = interface, .vtable = vtable, .userdata = userdata };
    r = fallback ? sd_bus_add_fallback(bus, &slot, path, handle_get_all, handler)
                 : sd_bus_add_object(bus, &slot, path, handle_get_all, handler);
    if (r < 0) {
        free(handler);
        return r;
    }
    sd_bus_slot_set_destroy_callback(slot, get_all_handler_free);
    /* The bus keeps the slot (and frees the handler with it) once it floats. */
    sd_bus_slot_set_floating(slot, true);
    sd_bus_slot_unref(slot);
    return 0;
}

/* --- org.libvirt.Domain's properties, from one read of the domain ---------------------------- */

static const struct {
    const char *name;
    const char *signature;
} domain_properties[] = {
    { "Active", "b" }, { "Autostart", "b" }, { "Id", "u" }, { "Name", "s" }, { "OSType", "s" },
    { "Persistent", "b" }, { "SchedulerType", "(si)" }, { "Updated", "b" }, { "UUID", "s" },
};

int dbus_domain_property_append_value(sd_bus_message *m, const char *property, const struct vb_domain_info *info)
{
    if (streq(property, "Active"))
        return sd_bus_message_append(m, "b", info->id >= 0);
    if (streq(property, "Autostart"))
        return sd_bus_message_append(m, "b", info->autostart);
    if (streq(property, "Id"))
        return sd_bus_message_append(m, "u", (uint32_t) (info->id >= 0 ? info->id : 0));
    if (streq(property, "Name"))
        return sd_bus_message_append(m, "s", info->name);
    if (streq(property, "OSType"))
        return sd_bus_message_append(m, "s", info->os_type);
    if (streq(property, "Persistent"))
        return sd_bus_message_append(m, "b", info->persistent);
    if (streq(property, "SchedulerType") && info->scheduler_type)
        return sd_bus_message_append(m, "(si)", info->scheduler_type, (int32_t) info->scheduler_nparams);
    if (streq(property, "Updated"))
        return sd_bus_message_append(m, "b", info->updated);
    if (streq(property, "UUID")) {
        char uuid_text[VB_UUID_STRING_LEN];

        vb_uuid_format(info->uuid, uuid_text);
        return sd_bus_message_append(m, "s", uuid_text);
    }
    return -ENOENT;
}

static bool named(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (streq(*names, name))
            return true;
    return !names;
}

static int append_domain_property(sd_bus_message *m, const struct vb_domain_info *info, size_t i, bool double_wrap)
{
    const char *signature = domain_properties[i].signature;
    int r = sd_bus_message_open_container(m, 'e', "sv");

    if (r >= 0)
        r = sd_bus_message_append(m, "s", domain_properties[i].name);
    if (r >= 0 && double_wrap)
        r = sd_bus_message_open_container(m, 'v', "v");
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'v', signature);
    if (r >= 0)
        r = dbus_domain_property_append_value(m, domain_properties[i].name, info);
    for (int depth = double_wrap ? 3 : 2; r >= 0 && depth > 0; depth--)
        r = sd_bus_message_close_container(m);
    return r;
}

int dbus_domain_properties_append(sd_bus_message *m, const struct vb_domain_info *info, const char *const *names,
                                  bool double_wrap)
{
    int r = sd_bus_message_open_container(m, 'a', "{sv}");

    for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(domain_properties); i++) {
        if (!named(names, domain_properties[i].name))
            continue;
        if (streq(domain_properties[i].name, "SchedulerType") && !info->scheduler_type)
            continue;
        r = append_domain_property(m, info, i, double_wrap);
    }
    return r < 0 ? r : sd_bus_message_close_container(m);
}
