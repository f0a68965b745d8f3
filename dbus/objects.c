/* Domain objects on the bus: the lookup that decodes a domain or snapshot path once, the
 * enumerator that lists the domains a caller may see, and what libvirt-dbus lacks: the standard
 * ObjectManager's InterfacesAdded/Removed as domains come and go, and PropertiesChanged when
 * Active, Id, Autostart, Persistent or Updated change. Each connection remembers what it last
 * announced for every domain and, after each event about it, announces the difference, only
 * to the peers that may see the domain (dbus/signals.c). */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "dbus/properties.h"
#include "policy/engine.h"
#include "util/hashmap.h"
#include "util/log.h"

/* --- lookups ------------------------------------------------------------------------------- */

int dbus_domain_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;

    /* The prefix itself is not an object (the ObjectManager must not list it). */
    if (streq(path, dc->domain_prefix))
        return 0;
    if (dbus_domain_uuid_from_path(dc->domain_prefix, path, dc->found_domain.uuid) < 0)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, "Domain not found");
    *found = &dc->found_domain;
    return 1;
}

int dbus_snapshot_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                       sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    char *name = NULL;

    if (streq(path, dc->snapshot_prefix))
        return 0;
    if (dbus_snapshot_from_path(dc->snapshot_prefix, path, dc->found_snapshot.uuid, &name) < 0)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, "Domain snapshot not found");
    free(dc->found_snapshot.name);
    dc->found_snapshot.name = name;
    *found = &dc->found_snapshot;
    return 1;
}

/* The listing operation the call being dispatched stands for: its rule says what a listed
 * domain needs. */
static enum vb_operation listing_operation(sd_bus_message *m)
{
    const char *member = m ? sd_bus_message_get_member(m) : NULL;

    return member && streq(member, "GetManagedObjects") ? VB_OP_BUS_GET_MANAGED_OBJECTS : VB_OP_BUS_INTROSPECT;
}

int dbus_domain_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    sd_bus_message *current = sd_bus_get_current_message(bus);
    struct policy_check *check = current ? dbus_frontend_current_check(dc->frontend, current) : NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    char **paths;
    size_t n = 0;

    if (vb_domain_list_uuids(dc->conn, 0, &refs, &n, &err) < 0)
        return dbus_error_take_vb(error, &err);
    /* Introspect and GetManagedObjects list exactly the domains the caller may see. */
    policy_check_filter_domains(check, listing_operation(current), dc->conn, refs, &n);
    paths = calloc(n + 1, sizeof(*paths));
    for (size_t i = 0; paths && i < n; i++) {
        paths[i] = dbus_domain_path(dc->domain_prefix, refs[i].uuid);
        if (!paths[i]) {
            for (size_t j = 0; j < i; j++)
                free(paths[j]);
            free(paths);
            paths = NULL;
        }
    }
    vb_domain_refs_free(refs, n);
    if (!paths)
        return -ENOMEM;
    *nodes = paths;
    return 1;
}

/* --- announcements ------------------------------------------------------------------------- */

struct announced {
    char key[VB_UUID_STRING_LEN];
    bool active, autostart, persistent, updated;
    int id;
};

static void announced_from_info(struct announced *a, const struct vb_domain_info *info)
{
    a->active = info->id >= 0;
    a->id = info->id;
    a->autostart = info->autostart;
    a->persistent = info->persistent;
    a->updated = info->updated;
}

static int remember(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], const struct vb_domain_info *info)
{
    struct announced *a = calloc(1, sizeof(*a));

    if (!a)
        return -ENOMEM;
    vb_uuid_format(uuid, a->key);
    announced_from_info(a, info);
    if (vb_hashmap_put(dc->announced, a->key, a) < 0) {
        free(a);
        return -ENOMEM;
    }
    return 0;
}

static int append_empty_interface(sd_bus_message *m, const char *interface)
{
    return sd_bus_message_append(m, "{sa{sv}}", interface, 0);
}

/* InterfacesAdded(o, a{sa{sv}}) as sd-bus words it: the standard interfaces, then
 * org.libvirt.Domain with its properties. */
static int new_interfaces_added(struct dbus_connect *dc, const char *path, const struct vb_domain_info *info,
                                sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    int r = dbus_interfaces_added_new(dc->bus, path, &m);

    if (r >= 0)
        r = append_empty_interface(m, "org.freedesktop.DBus.Peer");
    if (r >= 0)
        r = append_empty_interface(m, "org.freedesktop.DBus.Introspectable");
    if (r >= 0)
        r = append_empty_interface(m, "org.freedesktop.DBus.Properties");
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'e', "sa{sv}");
    if (r >= 0)
        r = sd_bus_message_append(m, "s", DBUS_DOMAIN_INTERFACE);
    if (r >= 0)
        r = dbus_domain_properties_append(m, info, NULL, false);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    if (r >= 0)
        *out = TAKE_PTR(m);
    return r;
}

static int new_interfaces_removed(struct dbus_connect *dc, const char *path, sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    int r = sd_bus_message_new_signal(dc->bus, &m, DBUS_ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
                                      "InterfacesRemoved");

    if (r >= 0)
        r = sd_bus_message_append(m, "oas", path, 4, "org.freedesktop.DBus.Peer",
                                  "org.freedesktop.DBus.Introspectable", "org.freedesktop.DBus.Properties",
                                  DBUS_DOMAIN_INTERFACE);
    if (r >= 0)
        *out = TAKE_PTR(m);
    return r;
}

/* PropertiesChanged for the properties whose values differ from what was announced. */
static int new_properties_changed(struct dbus_connect *dc, const char *path, struct announced *a,
                                  const struct vb_domain_info *info, sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    struct announced now = *a;
    const char *names[6];
    size_t n = 0;
    int r;

    announced_from_info(&now, info);
    if (now.active != a->active)
        names[n++] = "Active";
    if (now.id != a->id)
        names[n++] = "Id";
    if (now.autostart != a->autostart)
        names[n++] = "Autostart";
    if (now.persistent != a->persistent)
        names[n++] = "Persistent";
    if (now.updated != a->updated)
        names[n++] = "Updated";
    names[n] = NULL;
    *a = now;
    if (n == 0)
        return 0;
    r = sd_bus_message_new_signal(dc->bus, &m, path, "org.freedesktop.DBus.Properties", "PropertiesChanged");
    if (r >= 0)
        r = sd_bus_message_append(m, "s", DBUS_DOMAIN_INTERFACE);
    if (r >= 0)
        r = dbus_domain_properties_append(m, info, names, false);
    if (r >= 0)
        r = sd_bus_message_append(m, "as", 0);
    if (r >= 0)
        *out = TAKE_PTR(m);
    return r;
}

void dbus_objects_refresh(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], const char *name)
{
    _cleanup_free_ char *path = dbus_domain_path(dc->domain_prefix, uuid);
    struct vb_domain_info info = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    sd_bus_message *m = NULL;
    char key[VB_UUID_STRING_LEN];
    struct announced *a;
    bool exists;
    int r = 0;

    if (!path)
        return;
    vb_uuid_format(uuid, key);
    a = vb_hashmap_get(dc->announced, key);
    exists = vb_domain_get_info(dc->conn, uuid, &info, &err) == 0;
    vb_error_clear(&err);
    if (exists && !a) {
        r = remember(dc, uuid, &info);
        if (r >= 0)
            r = new_interfaces_added(dc, path, &info, &m);
    } else if (!exists && a) {
        free(vb_hashmap_remove(dc->announced, key));
        r = new_interfaces_removed(dc, path, &m);
    } else if (exists) {
        r = new_properties_changed(dc, path, a, &info, &m);
    }
    if (r < 0)
        vb_log_warning("could not announce the change of %s: %s", path, strerror(-r));
    if (m)
        dbus_signals_send(dc, uuid, exists ? info.name : name, m);
    vb_domain_info_clear(&info);
}

int dbus_objects_init(struct dbus_connect *dc)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    size_t n = 0;

    dc->announced = vb_hashmap_new();
    if (!dc->announced)
        return -ENOMEM;
    if (vb_domain_list(dc->conn, 0, &refs, &n, &err) < 0) {
        vb_log_error("cannot list domains of %s: %s", dc->conn->uri, vb_error_message(&err));
        vb_error_clear(&err);
        return -EIO;
    }
    for (size_t i = 0; i < n; i++) {
        struct vb_domain_info info = { 0 };

        if (vb_domain_get_info(dc->conn, refs[i].uuid, &info, &err) == 0)
            remember(dc, refs[i].uuid, &info);
        vb_error_clear(&err);
        vb_domain_info_clear(&info);
    }
    vb_domain_refs_free(refs, n);
    return 0;
}

void dbus_objects_free(struct dbus_connect *dc)
{
    vb_hashmap_free_with(dc->announced, free);
    dc->announced = NULL;
}
