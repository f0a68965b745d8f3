/* Events about networks, storage pools and node devices as org.libvirt signals: libvirt-dbus's
 * Connect.NetworkEvent, StoragePoolEvent, NodeDeviceEvent and StoragePool.Refresh, then what
 * libvirt-dbus lacks: the ObjectManager's InterfacesAdded/Removed as objects come and go and
 * PropertiesChanged on Active, Autostart and Persistent. Each connection remembers which object
 * paths it announced. The lifecycle signals (NetworkEvent, StoragePoolEvent, NodeDeviceEvent,
 * Refresh) reach only the peers that may see the object, as domain signals do
 * (dbus/signal_relay.c); the ObjectManager and PropertiesChanged signals go to every peer. */
#include <stdlib.h>
#include <string.h>

#include "dbus/object_calls.h"
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

/* Compares the object's existence with what was announced and announces the difference. */
static int announce(struct dbus_connect *dc, enum dbus_kind kind, const char *path, const struct dbus_object *o)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref ref;
    bool exists = dbus_object_lookup(o, &ref, &err) >= 0;
    char *announced = vb_hashmap_get(dc->announced_objects, path), *copy;
    int r;

    vb_error_clear(&err);
    vb_object_ref_clear(&ref);
    if (exists && announced)
        return kind == DBUS_KIND_NODEDEV ? 0
               : sd_bus_emit_properties_changed(dc->bus, path, interfaces[kind], "Active", "Autostart", "Persistent",
                                                NULL);
    if (exists) {
        copy = strdup(path);
        r = copy ? vb_hashmap_put(dc->announced_objects, copy, copy) : -ENOMEM;
        if (r < 0) {
            free(copy);
            return r;
        }
        return sd_bus_emit_interfaces_added(dc->bus, path, interfaces[kind], NULL);
    }
    if (!announced)
        return 0;
    r = sd_bus_emit_interfaces_removed(dc->bus, path, interfaces[kind], NULL);
    free(vb_hashmap_remove(dc->announced_objects, path));
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
        r = announce(dc, kind, path, &o);
    if (r < 0)
        vb_log_warning("could not announce %s %s: %s", vb_object_kind_to_string(event->object), event->name,
                       strerror(-r));
}
