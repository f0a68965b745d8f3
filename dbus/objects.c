/* What libvirt-dbus lacks: the standard ObjectManager on /org/libvirt (InterfacesAdded/Removed as
 * domains appear and disappear) and PropertiesChanged when Active, Id, Autostart, Persistent or
 * Updated change. Each connection remembers what it last announced for every domain and, after
 * each lifecycle event, announces the difference. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/paths.h"
#include "util/hashmap.h"
#include "util/log.h"

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

/* Emits PropertiesChanged naming the properties whose values differ from what was announced. */
static void announce_changes(struct dbus_connect *dc, const char *path, struct announced *a,
                             const struct vb_domain_info *info)
{
    struct announced now = *a;
    char *names[6];
    size_t n = 0;
    int r;

    announced_from_info(&now, info);
    if (now.active != a->active)
        names[n++] = (char *) "Active";
    if (now.id != a->id)
        names[n++] = (char *) "Id";
    if (now.autostart != a->autostart)
        names[n++] = (char *) "Autostart";
    if (now.persistent != a->persistent)
        names[n++] = (char *) "Persistent";
    if (now.updated != a->updated)
        names[n++] = (char *) "Updated";
    names[n] = NULL;
    *a = now;
    if (n == 0)
        return;
    r = sd_bus_emit_properties_changed_strv(dc->bus, path, DBUS_DOMAIN_INTERFACE, names);
    if (r < 0)
        vb_log_warning("could not send PropertiesChanged for %s: %s", path, strerror(-r));
}

void dbus_objects_refresh(struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN])
{
    _cleanup_free_ char *path = dbus_connect_domain_path(dc, uuid);
    struct vb_domain_info info = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char key[VB_UUID_STRING_LEN];
    struct announced *a;
    bool exists;

    if (!path)
        return;
    vb_uuid_format(uuid, key);
    a = vb_hashmap_get(dc->announced, key);
    exists = vb_domain_get_info(dc->conn, uuid, &info, &err) == 0;
    vb_error_clear(&err);
    if (exists && !a) {
        if (remember(dc, uuid, &info) == 0)
            sd_bus_emit_object_added(dc->bus, path);
    } else if (!exists && a) {
        sd_bus_emit_object_removed(dc->bus, path);
        free(vb_hashmap_remove(dc->announced, key));
    } else if (exists) {
        announce_changes(dc, path, a, &info);
    }
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
