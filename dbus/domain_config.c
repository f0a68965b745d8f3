/* org.libvirt.Domain methods that change or read configuration: vcpus and pinning, memory,
 * metadata, devices, saving. An empty string stands for NULL where libvirt-dbus says so. */
#include <stdlib.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/call_args.h"
#include "dbus/errors.h"

/* --- vcpus ------------------------------------------------------------------------------------- */

static int method_set_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    uint32_t vcpus, flags;
    int r = sd_bus_message_read(m, "uu", &vcpus, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_set_vcpus(d->dc->conn, &call->core, d->uuid, vcpus, flags), error);
}

struct vcpus_call {
    struct dbus_call base;
    unsigned int count;
};

static int append_vcpus(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "u", (uint32_t) ((struct vcpus_call *) call)->count);
}

static int method_get_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct vcpus_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_vcpus, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_domain_get_vcpus(d->dc->conn, &call->base.core, d->uuid, flags, &call->count);
    return dbus_call_finish(&call->base, r, error);
}

static int method_pin_vcpu(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_cpumap_call *call;
    uint32_t vcpu, flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &vcpu)) < 0 ||
        (r = dbus_cpumap_call_read(d->dc->frontend, m, &flags, &call)) < 0)
        return r;
    r = vb_domain_pin_vcpu(d->dc->conn, &call->base.core, d->uuid, vcpu, call->cpumap, call->ncpus, flags);
    return dbus_call_finish(&call->base, r, error);
}

/* One row of ncpus booleans per vcpu. */
struct vcpu_pin_info_call {
    struct dbus_call base;
    bool *maps;
    unsigned int nvcpus, ncpus;
};

static int append_vcpu_pin_info(struct dbus_call *call, sd_bus_message *reply)
{
    struct vcpu_pin_info_call *c = (struct vcpu_pin_info_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "ab");

    for (unsigned int v = 0; r >= 0 && v < c->nvcpus; v++) {
        r = sd_bus_message_open_container(reply, 'a', "b");
        for (unsigned int cpu = 0; r >= 0 && cpu < c->ncpus; cpu++)
            r = sd_bus_message_append(reply, "b", (int) c->maps[v * c->ncpus + cpu]);
        if (r >= 0)
            r = sd_bus_message_close_container(reply);
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_vcpu_pin_info(struct dbus_call *call)
{
    free(((struct vcpu_pin_info_call *) call)->maps);
}

static int method_get_vcpu_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct vcpu_pin_info_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_vcpu_pin_info, clear_vcpu_pin_info);
    if (!call)
        return -ENOMEM;
    r = vb_domain_get_vcpu_pin_info(d->dc->conn, &call->base.core, d->uuid, flags, &call->maps, &call->nvcpus,
                                    &call->ncpus);
    return dbus_call_finish(&call->base, r, error);
}

/* --- memory and metadata ----------------------------------------------------------------------- */

static int method_set_memory(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    uint64_t kib;
    uint32_t flags;
    int r = sd_bus_message_read(m, "tu", &kib, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_set_memory(d->dc->conn, &call->core, d->uuid, kib, flags), error);
}

static int method_set_memory_stats_period(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    int32_t period;
    uint32_t flags;
    int r = sd_bus_message_read(m, "iu", &period, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_set_memory_stats_period(d->dc->conn, &call->core, d->uuid, period, flags);
    return dbus_call_finish(call, r, error);
}

static int method_get_metadata(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_string_call *call;
    const char *uri;
    int32_t type;
    uint32_t flags;
    int r = sd_bus_message_read(m, "isu", &type, &uri, &flags);

    if (r < 0)
        return r;
    call = dbus_string_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_get_metadata(d->dc->conn, &call->base.core, d->uuid, type, dbus_empty_to_null(uri), flags,
                               &call->value);
    return dbus_call_finish(&call->base, r, error);
}

static int method_set_metadata(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *value, *key, *uri;
    int32_t type;
    uint32_t flags;
    int r = sd_bus_message_read(m, "isssu", &type, &value, &key, &uri, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_set_metadata(d->dc->conn, &call->core, d->uuid, type, dbus_empty_to_null(value),
                               dbus_empty_to_null(key), dbus_empty_to_null(uri), flags);
    return dbus_call_finish(call, r, error);
}

/* --- devices ------------------------------------------------------------------------------------ */

typedef int (*device_op)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                         unsigned int flags);

static int run_device_op(sd_bus_message *m, struct dbus_domain *d, device_op op, sd_bus_error *error)
{
    struct dbus_call *call;
    const char *xml;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, op(d->dc->conn, &call->core, d->uuid, xml, flags), error);
}

static int method_attach_device(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_device_op(m, userdata, vb_domain_attach_device, error);
}

static int method_detach_device(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_device_op(m, userdata, vb_domain_detach_device, error);
}

static int method_update_device(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_device_op(m, userdata, vb_domain_update_device, error);
}

/* --- saving ------------------------------------------------------------------------------------- */

static int method_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *to, *xml;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssu", &to, &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_save(d->dc->conn, &call->core, d->uuid, to, dbus_empty_to_null(xml), flags);
    return dbus_call_finish(call, r, error);
}

struct managed_save_call {
    struct dbus_call base;
    bool exists;
};

static int append_managed_save(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "b", (int) ((struct managed_save_call *) call)->exists);
}

static int method_has_managed_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct managed_save_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    /* Refused before the domain is looked up, as before. */
    if (flags != 0)
        return sd_bus_error_setf(error, DBUS_LIBVIRT_ERROR, "invalid argument: %s: unsupported flags (0x%x)",
                                 "virDomainHasManagedSaveImage", flags);
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_managed_save, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_domain_has_managed_save(d->dc->conn, &call->base.core, d->uuid, flags, &call->exists);
    return dbus_call_finish(&call->base, r, error);
}

static int method_managed_save_remove(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_managed_save_remove(d->dc->conn, &call->core, d->uuid, flags), error);
}

static const sd_bus_vtable domain_config_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("AttachDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_attach_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DetachDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_detach_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetMetadata", SD_BUS_ARGS("i", type, "s", uri, "u", flags),
                            SD_BUS_RESULT("s", metadata), method_get_metadata, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetVcpuPinInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("aab", vcpuPinInfo),
                            method_get_vcpu_pin_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetVcpus", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("u", vcpus), method_get_vcpus,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("HasManagedSaveImage", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("b", managedSaveImage),
                            method_has_managed_save, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ManagedSaveRemove", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_managed_save_remove, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PinVcpu", SD_BUS_ARGS("u", vcpu, "ab", cpumap, "u", flags), SD_BUS_NO_RESULT,
                            method_pin_vcpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Save", SD_BUS_ARGS("s", to, "s", xml, "u", flags), SD_BUS_NO_RESULT, method_save,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMemory", SD_BUS_ARGS("t", memory, "u", flags), SD_BUS_NO_RESULT,
                            method_set_memory, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMemoryStatsPeriod", SD_BUS_ARGS("i", period, "u", flags), SD_BUS_NO_RESULT,
                            method_set_memory_stats_period, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMetadata", SD_BUS_ARGS("i", type, "s", metadata, "s", key, "s", uri, "u", flags),
                            SD_BUS_NO_RESULT, method_set_metadata, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetVcpus", SD_BUS_ARGS("u", vcpus, "u", flags), SD_BUS_NO_RESULT, method_set_vcpus,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("UpdateDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_update_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_config_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE, domain_config_vtable,
                                      dbus_domain_find, dc);
}
