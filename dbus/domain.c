/* org.libvirt.Domain: one object per domain under <connect>/domain. The object lookup decodes
 * the path once (dbus/objects.c); handlers get the domain as their userdata, read their
 * arguments, call one core function and answer through dbus/call.c, now or when the core ends
 * the call. This file: lifecycle, state, the properties and the interface's signals. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "dbus/properties.h"

/* --- lifecycle: the core may finish them later -------------------------------------------- */

typedef int (*flagged_op)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
typedef int (*plain_op)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);

static int run_flagged(sd_bus_message *m, struct dbus_domain *d, flagged_op op, sd_bus_error *error)
{
    struct dbus_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, op(d->dc->conn, &call->core, d->uuid, flags), error);
}

static int run_plain(sd_bus_message *m, struct dbus_domain *d, plain_op op, sd_bus_error *error)
{
    struct dbus_call *call = dbus_empty_call_new(d->dc->frontend, m);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, op(d->dc->conn, &call->core, d->uuid), error);
}

/* The caller's unique name owns an AUTODESTROY domain (dbus_call_new gives it to the core). */
static int method_create(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_create, error);
}

/* CreateWithFiles as libvirt's test driver answers it: the files are ignored (they belong to
 * the message and are closed with it). */
static int method_create_with_files(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    int r = sd_bus_message_skip(m, "ah");

    return r < 0 ? r : run_flagged(m, userdata, vb_domain_create, error);
}

static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_destroy, error);
}

static int method_shutdown(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_shutdown, error);
}

static int method_reboot(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_reboot, error);
}

static int method_reset(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_reset, error);
}

static int method_managed_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_managed_save, error);
}

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_flagged(m, userdata, vb_domain_undefine, error);
}

static int method_suspend(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_plain(m, userdata, vb_domain_suspend, error);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_plain(m, userdata, vb_domain_resume, error);
}

/* --- definition and state ------------------------------------------------------------------ */

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_string_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_string_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_get_xml_desc(d->dc->conn, &call->base.core, d->uuid, flags, &call->value);
    return dbus_call_finish(&call->base, r, error);
}

/* State is read from the driver's memory: answered at once. */
static int method_get_state(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct vb_error err = VB_ERROR_INIT;
    uint32_t flags;
    int state, reason, r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    if (flags != 0)
        return sd_bus_error_setf(error, DBUS_LIBVIRT_ERROR, "invalid argument: %s: unsupported flags (0x%x)",
                                 "virDomainGetState", flags);
    if (vb_domain_get_state(d->dc->conn, d->uuid, &state, &reason, &err) < 0)
        return dbus_error_take_vb(error, &err);
    return sd_bus_reply_method_return(m, "(ii)", (int32_t) state, (int32_t) reason);
}

/* --- properties: every one from one read of the domain's info ------------------------------- */

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct vb_domain_info info = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    int r;

    if (vb_domain_get_info(d->dc->conn, d->uuid, &info, &err) < 0)
        return dbus_error_take_vb(error, &err);
    r = dbus_domain_property_append_value(reply, property, &info);
    if (r == -ENOENT)
        r = sd_bus_error_setf(error, DBUS_LIBVIRT_ERROR, "%s", "this function is not supported by the connection "
                                                                "driver: virDomainGetSchedulerType");
    vb_domain_info_clear(&info);
    return r;
}

/* Properties.GetAll for org.libvirt.Domain: the domain is read once for all its properties, and
 * answered double-wrapped as libvirt-dbus does. */
static int handle_get_all(sd_bus_message *m, struct dbus_domain *d, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_domain_info info = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    int r;

    if (vb_domain_get_info(d->dc->conn, d->uuid, &info, &err) < 0)
        return dbus_error_take_vb(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = dbus_domain_properties_append(reply, &info, NULL, true);
    vb_domain_info_clear(&info);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

/* Properties.Set of Autostart goes through the core like any other change, so it may be
 * answered later; sd-bus's own setters answer at once, so the call is taken before them. */
static int handle_set_autostart(sd_bus_message *m, struct dbus_domain *d, sd_bus_error *error)
{
    struct dbus_call *call;
    int autostart, r = sd_bus_message_enter_container(m, 'v', "b");

    if (r <= 0)
        return r < 0 ? r : sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Autostart is a boolean");
    r = sd_bus_message_read(m, "b", &autostart);
    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_set_autostart(d->dc->conn, &call->core, d->uuid, autostart), error);
}

/* The Properties calls this file answers itself; others go on to sd-bus (a 0 return). */
static int handle_properties(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *interface, *property;
    struct dbus_connect *dc = userdata;
    void *found = NULL;
    bool get_all = sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll");
    int r;

    if (!get_all && !sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Set"))
        return 0;
    if (sd_bus_message_read(m, "s", &interface) < 0 || !streq(interface, DBUS_DOMAIN_INTERFACE) ||
        (!get_all && (sd_bus_message_read(m, "s", &property) < 0 || !streq(property, "Autostart")))) {
        sd_bus_message_rewind(m, true);
        return 0;
    }
    r = dbus_domain_find(sd_bus_message_get_bus(m), sd_bus_message_get_path(m), interface, dc, &found, error);
    if (r <= 0)
        return r;
    return get_all ? handle_get_all(m, found, error) : handle_set_autostart(m, found, error);
}

/* Declared for introspection; handle_properties answers Set before sd-bus would call it. */
static int property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *value, void *userdata, sd_bus_error *error)
{
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "Autostart is set through the core");
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
    SD_BUS_PROPERTY("SchedulerType", "(si)", property_get, 0, 0),
    SD_BUS_PROPERTY("Updated", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UUID", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_create, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CreateWithFiles", SD_BUS_ARGS("ah", files, "u", flags), SD_BUS_NO_RESULT,
                            method_create_with_files, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_destroy, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetState", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(ii)", state),
                            method_get_state, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                            method_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ManagedSave", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_managed_save, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reboot", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_reboot, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_reset, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Resume", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Shutdown", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_shutdown, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Suspend", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_suspend, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
    /* libvirt-dbus's domain signals (dbus/signals.c sends them) */
    SD_BUS_SIGNAL_WITH_ARGS("AgentEvent", SD_BUS_ARGS("i", state, "i", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS("BalloonChange", SD_BUS_ARGS("t", actual), 0),
    SD_BUS_SIGNAL_WITH_ARGS("BlockJob", SD_BUS_ARGS("s", disk, "i", type, "i", status), 0),
    SD_BUS_SIGNAL("ControlError", NULL, 0),
    SD_BUS_SIGNAL_WITH_ARGS("DeviceAdded", SD_BUS_ARGS("s", device), 0),
    SD_BUS_SIGNAL_WITH_ARGS("DeviceRemovalFailed", SD_BUS_ARGS("s", device), 0),
    SD_BUS_SIGNAL_WITH_ARGS("DeviceRemoved", SD_BUS_ARGS("s", device), 0),
    SD_BUS_SIGNAL_WITH_ARGS("DiskChange",
                            SD_BUS_ARGS("s", oldSrcPath, "s", newSrcPath, "s", device, "i", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS("Graphics",
                            SD_BUS_ARGS("i", phase, "(iss)", local, "(iss)", remote, "s", authScheme, "a(ss)",
                                        identities), 0),
    SD_BUS_SIGNAL_WITH_ARGS("IOError", SD_BUS_ARGS("s", srcPath, "s", device, "i", action, "s", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS("JobCompleted", SD_BUS_ARGS("a{sv}", params), 0),
    SD_BUS_SIGNAL_WITH_ARGS("MetadataChange", SD_BUS_ARGS("i", type, "s", nsuri), 0),
    SD_BUS_SIGNAL_WITH_ARGS("MigrationIteration", SD_BUS_ARGS("i", iteration), 0),
    SD_BUS_SIGNAL_WITH_ARGS("PMSuspend", SD_BUS_ARGS("i", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS("PMSuspendDisk", SD_BUS_ARGS("i", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS("PMWakeup", SD_BUS_ARGS("i", reason), 0),
    SD_BUS_SIGNAL("Reboot", NULL, 0),
    SD_BUS_SIGNAL_WITH_ARGS("RTCChange", SD_BUS_ARGS("x", utcoffset), 0),
    SD_BUS_SIGNAL_WITH_ARGS("TrayChange", SD_BUS_ARGS("s", device, "i", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS("Tunable", SD_BUS_ARGS("a{sv}", params), 0),
    SD_BUS_SIGNAL_WITH_ARGS("Watchdog", SD_BUS_ARGS("i", action), 0),
    SD_BUS_VTABLE_END,
};

int dbus_domain_register(struct dbus_connect *dc)
{
    int r;

    /* First, so it sees Properties.GetAll and .Set before the vtables do. */
    r = sd_bus_add_fallback(dc->bus, NULL, dc->domain_prefix, handle_properties, dc);
    if (r >= 0)
        r = sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE, domain_vtable,
                                       dbus_domain_find, dc);
    if (r >= 0)
        r = sd_bus_add_node_enumerator(dc->bus, NULL, dc->domain_prefix, dbus_domain_enumerate, dc);
    return r;
}
