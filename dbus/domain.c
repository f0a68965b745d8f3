/* org.libvirt.Domain: one object per domain under <connect>/domain, dispatched for every path
 * in the subtree so an unknown UUID answers "Domain not found" as libvirt-dbus does. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "dbus/reply.h"

int dbus_domain_uuid(struct dbus_connect *dc, const char *path, unsigned char uuid[VB_UUID_LEN], sd_bus_error *error)
{
    if (dbus_domain_uuid_from_path(dc->domain_prefix, path, uuid) < 0)
        return sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, "Domain not found");
    return 0;
}

int dbus_message_domain_uuid(sd_bus_message *m, struct dbus_connect *dc, unsigned char uuid[VB_UUID_LEN],
                             sd_bus_error *error)
{
    return dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
}

int dbus_reply_core_error(sd_bus_error *error, struct vb_error *err)
{
    int r = dbus_error_from_vb(error, err);

    vb_error_clear(err);
    return r;
}

/* --- lifecycle methods: the core may finish them later ------------------------------------ */

typedef int (*flagged_op)(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                          const struct vb_completion *done, struct vb_error *err);
typedef int (*plain_op)(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_completion *done,
                        struct vb_error *err);

static int run_lifecycle(sd_bus_message *m, struct dbus_connect *dc, flagged_op flagged, plain_op plain,
                         sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct dbus_pending *pending;
    uint32_t flags = 0;
    int r;

    if (flagged) {
        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
            return r;
    }
    r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
    if (r < 0)
        return r;
    pending = dbus_pending_new(m);
    if (!pending)
        return -ENOMEM;
    r = flagged ? flagged(dc->conn, uuid, flags, &pending->done, &err) : plain(dc->conn, uuid, &pending->done, &err);
    r = dbus_pending_finish(pending, r, &err, error);
    vb_error_clear(&err);
    return r;
}

int dbus_domain_start(sd_bus_message *m, struct dbus_connect *dc, uint32_t flags, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct dbus_pending *pending;
    int r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);

    if (r < 0)
        return r;
    pending = dbus_pending_new(m);
    if (!pending)
        return -ENOMEM;
    /* The caller's unique name owns an AUTODESTROY domain: it goes when the caller goes. */
    r = vb_domain_create(dc->conn, uuid, flags, sd_bus_message_get_sender(m), &pending->done, &err);
    r = dbus_pending_finish(pending, r, &err, error);
    vb_error_clear(&err);
    return r;
}

static int method_create(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    return r < 0 ? r : dbus_domain_start(m, userdata, flags, error);
}

static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, vb_domain_destroy, NULL, error);
}

static int method_shutdown(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, vb_domain_shutdown, NULL, error);
}

static int method_reboot(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, vb_domain_reboot, NULL, error);
}

static int method_reset(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, vb_domain_reset, NULL, error);
}

static int method_managed_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, vb_domain_managed_save, NULL, error);
}

static int method_suspend(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, NULL, vb_domain_suspend, error);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_lifecycle(m, userdata, NULL, vb_domain_resume, error);
}

/* --- immediate methods ---------------------------------------------------------------------- */

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
    if (r < 0)
        return r;
    if (vb_domain_undefine(dc->conn, uuid, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, NULL);
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *xml = NULL;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
    if (r < 0)
        return r;
    xml = vb_domain_get_xml_desc(dc->conn, uuid, flags, &err);
    if (!xml)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "s", xml);
}

static int method_get_state(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int state, reason, r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
    if (r < 0)
        return r;
    if (flags != 0)
        return sd_bus_error_setf(error, DBUS_LIBVIRT_ERROR, "invalid argument: %s: unsupported flags (0x%x)",
                                 "virDomainGetState", flags);
    if (vb_domain_get_state(dc->conn, uuid, &state, &reason, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "(ii)", (int32_t) state, (int32_t) reason);
}

/* --- properties ------------------------------------------------------------------------------ */

/* Reads the domain's info for a property getter; fails before anything is appended. */
static int domain_info_for(struct dbus_connect *dc, const char *path, struct vb_domain_info *info,
                           sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    int r = dbus_domain_uuid(dc, path, uuid, error);

    if (r < 0)
        return r;
    if (vb_domain_get_info(dc->conn, uuid, info, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return 0;
}

/* Appends one property's value from info (SchedulerType comes from its own call). */
static int append_property_value(sd_bus_message *reply, const char *property, const struct vb_domain_info *info)
{
    if (streq(property, "Active"))
        return sd_bus_message_append(reply, "b", info->id >= 0);
    if (streq(property, "Autostart"))
        return sd_bus_message_append(reply, "b", info->autostart);
    if (streq(property, "Id"))
        return sd_bus_message_append(reply, "u", (uint32_t) (info->id >= 0 ? info->id : 0));
    if (streq(property, "Name"))
        return sd_bus_message_append(reply, "s", info->name);
    if (streq(property, "OSType"))
        return sd_bus_message_append(reply, "s", info->os_type);
    if (streq(property, "Persistent"))
        return sd_bus_message_append(reply, "b", info->persistent);
    if (streq(property, "Updated"))
        return sd_bus_message_append(reply, "b", info->updated);
    if (streq(property, "UUID")) {
        char uuid_text[VB_UUID_STRING_LEN];

        vb_uuid_format(info->uuid, uuid_text);
        return sd_bus_message_append(reply, "s", uuid_text);
    }
    return -ENOENT;
}

/* One getter for every property read from the domain's info. */
static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    struct vb_domain_info info = { 0 };
    int r = domain_info_for(userdata, path, &info, error);

    if (r < 0)
        return r;
    r = append_property_value(reply, property, &info);
    vb_domain_info_clear(&info);
    return r;
}

static int property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *value, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    int autostart, r;

    r = sd_bus_message_read(value, "b", &autostart);
    if (r < 0)
        return r;
    r = dbus_domain_uuid(dc, path, uuid, error);
    if (r < 0)
        return r;
    if (vb_domain_set_autostart(dc->conn, uuid, autostart, &err) < 0)
        return dbus_reply_core_error(error, &err);
    dbus_objects_refresh(dc, uuid);
    return 0;
}

static int property_scheduler_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *type = NULL;
    int nparams = 0;
    int r = dbus_domain_uuid(dc, path, uuid, error);

    if (r < 0)
        return r;
    type = vb_domain_get_scheduler_type(dc->conn, uuid, &nparams, &err);
    if (!type)
        return dbus_reply_core_error(error, &err);
    return sd_bus_message_append(reply, "(si)", type, (int32_t) nparams);
}

/* {name: <<value>>}, libvirt-dbus's double wrap */
static int append_double_wrapped(sd_bus_message *reply, const char *name, const char *signature,
                                 const struct vb_domain_info *info, const char *sched_type, int sched_params)
{
    int r = sd_bus_message_open_container(reply, 'e', "sv");

    if (r >= 0)
        r = sd_bus_message_append(reply, "s", name);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'v', "v");
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'v', signature);
    if (r >= 0)
        r = sched_type ? sd_bus_message_append(reply, "(si)", sched_type, (int32_t) sched_params)
                       : append_property_value(reply, name, info);
    for (int depth = 0; r >= 0 && depth < 3; depth++)
        r = sd_bus_message_close_container(reply);
    return r;
}

/* Properties.GetAll for org.libvirt.Domain: the domain is read once for all its properties
 * (a generic GetAll would look it up once per property). A property that cannot be read
 * (SchedulerType from a driver without it) is left out, as libvirt-dbus leaves it out. */
static int handle_domain_get_all(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    static const char *const names[] = { "Active", "Autostart", "Id", "Name", "OSType", "Persistent", "Updated",
                                         "UUID" };
    static const char *const signatures[] = { "b", "b", "u", "s", "s", "b", "b", "s" };
    struct dbus_connect *dc = userdata;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_domain_info info = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *sched = NULL;
    const char *interface;
    int nparams = 0, r;

    if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll"))
        return 0;
    if (sd_bus_message_read(m, "s", &interface) < 0 || !streq(interface, DBUS_DOMAIN_INTERFACE)) {
        sd_bus_message_rewind(m, true);
        return 0;
    }
    r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
    if (r < 0)
        return r;
    if (vb_domain_get_info(dc->conn, uuid, &info, &err) < 0)
        return dbus_reply_core_error(error, &err);
    sched = vb_domain_get_scheduler_type(dc->conn, uuid, &nparams, &err);
    vb_error_clear(&err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
    for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(names); i++) {
        r = append_double_wrapped(reply, names[i], signatures[i], &info, NULL, 0);
        if (r >= 0 && streq(names[i], "Persistent") && sched)
            r = append_double_wrapped(reply, "SchedulerType", "(si)", &info, sched, nparams);
    }
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    vb_domain_info_clear(&info);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable domain_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Active", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_WRITABLE_PROPERTY("Autostart", "b", property_get, property_set_autostart, 0,
                             SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Id", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Name", "s", property_get, 0, 0),
    SD_BUS_PROPERTY("OSType", "s", property_get, 0, 0),
    SD_BUS_PROPERTY("Persistent", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("SchedulerType", "(si)", property_scheduler_type, 0, 0),
    SD_BUS_PROPERTY("Updated", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UUID", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_create,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_destroy,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetState", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(ii)", state), method_get_state,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), method_get_xml_desc,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ManagedSave", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_managed_save,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reboot", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_reboot,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_reset,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Resume", NULL, NULL, method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Shutdown", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_shutdown,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Suspend", NULL, NULL, method_suspend, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_undefine,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* Every path below the prefix is an object, so calls on an unknown UUID reach the methods and
 * answer "Domain not found"; the prefix itself is not one (ObjectManager must not list it). */
int dbus_domain_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;

    if (streq(path, dc->domain_prefix))
        return 0;
    *found = userdata;
    return 1;
}

static int domain_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    char **paths;
    size_t n = 0;

    if (vb_domain_list_uuids(dc->conn, 0, &refs, &n, &err) < 0)
        return dbus_reply_core_error(error, &err);
    paths = calloc(n + 1, sizeof(*paths));
    for (size_t i = 0; paths && i < n; i++) {
        paths[i] = dbus_connect_domain_path(dc, refs[i].uuid);
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

int dbus_domain_register(struct dbus_connect *dc)
{
    int r;

    r = sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE, domain_vtable,
                                   dbus_domain_find, dc);
    if (r < 0)
        return r;
    r = sd_bus_add_node_enumerator(dc->bus, NULL, dc->domain_prefix, domain_enumerate, dc);
    if (r < 0)
        return r;
    return sd_bus_add_fallback(dc->bus, NULL, dc->domain_prefix, handle_domain_get_all, dc);
}
