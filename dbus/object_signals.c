/* Events about networks, storage pools and node devices as org.libvirt signals: libvirt-dbus's
 * Connect.NetworkEvent, StoragePoolEvent, NodeDeviceEvent and StoragePool.Refresh, then what
 * libvirt-dbus lacks: the ObjectManager's InterfacesAdded/Removed as objects come and go and
 * PropertiesChanged on Active, Autostart and Persistent. Each connection remembers which object
 * paths it announced. The lifecycle signals (NetworkEvent, StoragePoolEvent, NodeDeviceEvent,
 * Refresh) reach only the peers that may see the object, as domain signals do
 * (dbus/signal_relay.c), and so do their InterfacesAdded/Removed and PropertiesChanged. */
#include <stdlib.h>
#include <string.h>

#include "dbus/object_calls.h"
#include "dbus/paths.h"
#include "dbus/properties.h"
#include "dbus/signal_relay.h"
#include "util/hashmap.h"
#include "util/log.h"

static void free_path(void *value)
{
    free(value);
}

/* The paths of the objects that exist now, so the first event about one is not taken for its
 * arrival. */
static int remember_existing(struct dbus_connect *dc, enum dbus_kind kind)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *refs = NULL;
    size_t n = 0;
    int r = 0;

    if (dbus_objects_list(dc, kind, &refs, &n, &err) < 0) {
        vb_error_clear(&err); /* a driver without the kind */
        return 0;
    }
    for (size_t i = 0; r >= 0 && i < n; i++) {
        char *path = dbus_object_path(dc, kind, &refs[i]);

        r = path ? vb_hashmap_put(dc->announced_objects, path, path) : -ENOMEM;
        if (r < 0)
            free(path);
    }
    vb_object_refs_free(refs, n);
    return r;
}

int dbus_object_signals_init(struct dbus_connect *dc)
{
    int r;

    dc->announced_objects = vb_hashmap_new();
    if (!dc->announced_objects)
        return -ENOMEM;
    r = remember_existing(dc, DBUS_KIND_NETWORK);
    if (r >= 0)
        r = remember_existing(dc, DBUS_KIND_POOL);
    if (r >= 0)
        r = remember_existing(dc, DBUS_KIND_NODEDEV);
    return r;
}

void dbus_object_signals_free(struct dbus_connect *dc)
{
    vb_hashmap_free_with(dc->announced_objects, free_path);
    dc->announced_objects = NULL;
}

static const char *const interfaces[DBUS_KIND_COUNT] = {
    DBUS_NETWORK_INTERFACE, DBUS_POOL_INTERFACE, DBUS_VOL_INTERFACE, DBUS_NODEDEV_INTERFACE, DBUS_IFACE_INTERFACE,
};

static int send_lifecycle(struct dbus_connect *dc, enum dbus_kind kind, const char *path, const struct vb_event *e)
{
    int event = e->payload.lifecycle.event, detail = e->payload.lifecycle.detail;
    sd_bus_message *m = NULL;
    int r;

    if (kind == DBUS_KIND_POOL && e->id == VB_STORAGE_POOL_EVENT_ID_REFRESH) {
        r = sd_bus_message_new_signal(dc->bus, &m, path, DBUS_POOL_INTERFACE, "Refresh");
    } else if (e->id != VB_OBJECT_EVENT_ID_LIFECYCLE) {
        return 0;
    } else if (kind == DBUS_KIND_NETWORK) {
        r = sd_bus_message_new_signal(dc->bus, &m, dc->path, DBUS_CONNECT_INTERFACE, "NetworkEvent");
        if (r >= 0)
            r = sd_bus_message_append(m, "oi", path, event);
    } else {
        r = sd_bus_message_new_signal(dc->bus, &m, dc->path, DBUS_CONNECT_INTERFACE,
                                      kind == DBUS_KIND_POOL ? "StoragePoolEvent" : "NodeDeviceEvent");
        if (r >= 0)
            r = sd_bus_message_append(m, "oii", path, event, detail);
    }
    if (r < 0) {
        sd_bus_message_unref(m);
        return r;
    }
    dbus_signal_relay_send_object(dc->frontend, dc, dbus_kind_list_operation(kind), e->uuid, e->name, m);
    return 0;
}

/* What InterfacesAdded carries of each kind, and what PropertiesChanged reports. */
static const char *const added_properties[DBUS_KIND_COUNT][6] = {
    [DBUS_KIND_NETWORK] = { "Active", "Autostart", "Name", "Persistent", "UUID", NULL },
    [DBUS_KIND_POOL] = { "Active", "Autostart", "Name", "Persistent", "UUID", NULL },
    [DBUS_KIND_NODEDEV] = { "Name", "Parent", NULL },
};
static const char *const changed_properties[] = { "Active", "Autostart", "Persistent", NULL };

enum announcement { ANNOUNCE_CHANGED, ANNOUNCE_ADDED, ANNOUNCE_REMOVED };

static int new_announcement(struct dbus_connect *dc, enum dbus_kind kind, const char *path, enum announcement what,
                            const struct vb_object_ref *ref, sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    int r;

    if (what == ANNOUNCE_CHANGED) {
        r = sd_bus_message_new_signal(dc->bus, &m, path, "org.freedesktop.DBus.Properties", "PropertiesChanged");
        if (r >= 0)
            r = sd_bus_message_append(m, "s", interfaces[kind]);
        if (r >= 0)
            r = dbus_object_properties_append(m, ref, changed_properties);
        if (r >= 0)
            r = sd_bus_message_append(m, "as", 0);
    } else if (what == ANNOUNCE_ADDED) {
        r = dbus_interfaces_added_new(dc->bus, path, &m);
        if (r >= 0)
            r = sd_bus_message_open_container(m, 'e', "sa{sv}");
        if (r >= 0)
            r = sd_bus_message_append(m, "s", interfaces[kind]);
        if (r >= 0)
            r = dbus_object_properties_append(m, ref, added_properties[kind]);
        if (r >= 0)
            r = sd_bus_message_close_container(m);
        if (r >= 0)
            r = sd_bus_message_close_container(m);
    } else {
        r = sd_bus_message_new_signal(dc->bus, &m, DBUS_ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
                                      "InterfacesRemoved");
        if (r >= 0)
            r = sd_bus_message_append(m, "oas", path, 1, interfaces[kind]);
    }
    if (r >= 0)
        *out = TAKE_PTR(m);
    return r;
}

/* Sends an announcement to the peers that may see the object (the event names it). */
static int send_announcement(struct dbus_connect *dc, enum dbus_kind kind, const char *path, enum announcement what,
                             const struct vb_object_ref *ref, const struct vb_event *e)
{
    sd_bus_message *m = NULL;
    int r = new_announcement(dc, kind, path, what, ref, &m);

    if (r < 0)
        return r;
    dbus_signal_relay_send_object(dc->frontend, dc, dbus_kind_list_operation(kind), e->uuid, e->name, m);
    return 0;
}

/* Compares the object's existence with what was announced and announces the difference. */
static int announce(struct dbus_connect *dc, enum dbus_kind kind, const char *path, const struct dbus_object *o,
                    const struct vb_event *e)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref ref;
    bool exists = dbus_object_lookup(o, &ref, &err) >= 0;
    char *announced = vb_hashmap_get(dc->announced_objects, path), *copy;
    int r = 0;

    vb_error_clear(&err);
    if (exists && announced) {
        if (kind != DBUS_KIND_NODEDEV)
            r = send_announcement(dc, kind, path, ANNOUNCE_CHANGED, &ref, e);
    } else if (exists) {
        copy = strdup(path);
        r = copy ? vb_hashmap_put(dc->announced_objects, copy, copy) : -ENOMEM;
        if (r < 0)
            free(copy);
        else
            r = send_announcement(dc, kind, path, ANNOUNCE_ADDED, &ref, e);
    } else if (announced) {
        r = send_announcement(dc, kind, path, ANNOUNCE_REMOVED, NULL, e);
        free(vb_hashmap_remove(dc->announced_objects, path));
    }
    if (exists)
        vb_object_ref_clear(&ref);
    return r;
}

static int kind_of(enum vb_object_kind object, enum dbus_kind *kind)
{
    switch (object) {
    case VB_OBJECT_NETWORK:
        *kind = DBUS_KIND_NETWORK;
        return 0;
    case VB_OBJECT_STORAGE_POOL:
        *kind = DBUS_KIND_POOL;
        return 0;
    case VB_OBJECT_NODE_DEVICE:
        *kind = DBUS_KIND_NODEDEV;
        return 0;
    default:
        return -ENOENT; /* domains have their own path (dbus/signals.c); secrets none yet */
    }
}

void dbus_object_signals_on_event(struct dbus_connect *dc, const struct vb_event *event)
{
    struct dbus_object o = { .dc = dc, .name = event->name };
    struct vb_object_ref ref = { .name = event->name };
    _cleanup_free_ char *path = NULL;
    enum dbus_kind kind;
    int r;

    if (kind_of(event->object, &kind) < 0 || !event->name)
        return;
    o.kind = kind;
    memcpy(o.uuid, event->uuid, VB_UUID_LEN);
    memcpy(ref.uuid, event->uuid, VB_UUID_LEN);
    path = dbus_object_path(dc, kind, &ref);
    if (!path)
        return;
    r = send_lifecycle(dc, kind, path, event);
    if (r >= 0)
        r = announce(dc, kind, path, &o, event);
    if (r < 0)
        vb_log_warning("could not announce %s %s: %s", vb_object_kind_to_string(event->object), event->name,
                       strerror(-r));
}
