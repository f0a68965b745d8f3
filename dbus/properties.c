/* The double-wrapped Properties.GetAll that libvirt-dbus clients (cockpit-machines) expect. */
#include <stdlib.h>
#include <string.h>

#include "dbus/properties.h"
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
