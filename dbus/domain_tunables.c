/* org.libvirt.Domain methods for typed-parameter tunables: memory, scheduler, NUMA, block I/O
 * and interface parameters, block I/O tuning, and perf events.
 * Results are a{sv} with libvirt-dbus's double wrap; arguments arrive single-wrapped. */
#include "api/domain.h"
#include "api/tunables.h"
#include "dbus/bus.h"
#include "dbus/typed_params.h"

typedef int (*get_params_fn)(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                             struct vb_typed_params *params, struct vb_error *err);
typedef int (*set_params_fn)(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_typed_params *params,
                             unsigned int flags, struct vb_error *err);
typedef int (*get_device_params_fn)(struct vb_connect *conn, vb_uuid_t uuid, const char *device, unsigned int flags,
                                    struct vb_typed_params *params, struct vb_error *err);
typedef int (*set_device_params_fn)(struct vb_connect *conn, vb_uuid_t uuid, const char *device,
                                    const struct vb_typed_params *params, unsigned int flags, struct vb_error *err);

/* The domain the call is made on; "Domain not found" first, as libvirt-dbus looks it up
 * before calling libvirt. */
static int message_domain(sd_bus_message *m, struct dbus_connect *dc, unsigned char uuid[VB_UUID_LEN],
                          sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    int r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);

    if (r < 0)
        return r;
    if (vb_domain_lookup_by_uuid(dc->conn, uuid, &ref, &err) < 0)
        return dbus_reply_core_error(error, &err);
    vb_domain_ref_clear(&ref);
    return 0;
}

/* Sends params as the method's a{sv} result (double-wrapped); clears them. */
static int reply_params(sd_bus_message *m, struct vb_typed_params *params)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    int r = sd_bus_message_new_method_return(m, &reply);

    if (r >= 0)
        r = dbus_typed_params_append(reply, params);
    vb_typed_params_clear(params);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int run_get_params(sd_bus_message *m, struct dbus_connect *dc, get_params_fn get, sd_bus_error *error)
{
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = message_domain(m, dc, uuid, error)) < 0)
        return r;
    if (get(dc->conn, uuid, flags, &params, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_params(m, &params);
}

static int run_get_device_params(sd_bus_message *m, struct dbus_connect *dc, get_device_params_fn get,
                                 sd_bus_error *error)
{
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *device;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "su", &device, &flags)) < 0 || (r = message_domain(m, dc, uuid, error)) < 0)
        return r;
    if (get(dc->conn, uuid, device, flags, &params, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_params(m, &params);
}

static int run_set_params(sd_bus_message *m, struct dbus_connect *dc, set_params_fn set, sd_bus_error *error)
{
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    r = dbus_typed_params_read(m, &params, &err);
    if (r < 0)
        return vb_error_is_set(&err) ? dbus_reply_core_error(error, &err) : r;
    if ((r = sd_bus_message_read(m, "u", &flags)) >= 0 && (r = message_domain(m, dc, uuid, error)) >= 0 &&
        (r = set(dc->conn, uuid, &params, flags, &err)) < 0)
        r = dbus_reply_core_error(error, &err);
    vb_typed_params_clear(&params);
    if (r < 0)
        return r;
    dbus_objects_refresh(dc, uuid);
    return sd_bus_reply_method_return(m, NULL);
}

static int run_set_device_params(sd_bus_message *m, struct dbus_connect *dc, set_device_params_fn set,
                                 sd_bus_error *error)
{
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *device;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "s", &device)) < 0)
        return r;
    r = dbus_typed_params_read(m, &params, &err);
    if (r < 0)
        return vb_error_is_set(&err) ? dbus_reply_core_error(error, &err) : r;
    if ((r = sd_bus_message_read(m, "u", &flags)) >= 0 && (r = message_domain(m, dc, uuid, error)) >= 0 &&
        (r = set(dc->conn, uuid, device, &params, flags, &err)) < 0)
        r = dbus_reply_core_error(error, &err);
    vb_typed_params_clear(&params);
    if (r < 0)
        return r;
    dbus_objects_refresh(dc, uuid);
    return sd_bus_reply_method_return(m, NULL);
}

static int method_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_params(m, userdata, vb_domain_get_memory_parameters, error);
}

static int method_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_params(m, userdata, vb_domain_set_memory_parameters, error);
}

static int method_get_scheduler_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_params(m, userdata, vb_domain_get_scheduler_parameters, error);
}

static int method_set_scheduler_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_params(m, userdata, vb_domain_set_scheduler_parameters, error);
}

static int method_get_numa_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_params(m, userdata, vb_domain_get_numa_parameters, error);
}

static int method_set_numa_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_params(m, userdata, vb_domain_set_numa_parameters, error);
}

static int method_get_block_io_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_params(m, userdata, vb_domain_get_blkio_parameters, error);
}

static int method_set_block_io_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_params(m, userdata, vb_domain_set_blkio_parameters, error);
}

static int method_get_perf_events(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_params(m, userdata, vb_domain_get_perf_events, error);
}

static int method_set_perf_events(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_params(m, userdata, vb_domain_set_perf_events, error);
}

static int method_get_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_device_params(m, userdata, vb_domain_get_interface_parameters, error);
}

static int method_set_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_device_params(m, userdata, vb_domain_set_interface_parameters, error);
}

static int method_get_block_io_tune(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_get_device_params(m, userdata, vb_domain_get_block_io_tune, error);
}

static int method_set_block_io_tune(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_set_device_params(m, userdata, vb_domain_set_block_io_tune, error);
}

static const sd_bus_vtable domain_tunables_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("GetMemoryParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", memoryParameters),
                            method_get_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetSchedulerParameters", SD_BUS_ARGS("u", flags),
                            SD_BUS_RESULT("a{sv}", schedulerParameters), method_get_scheduler_parameters,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMemoryParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                            method_set_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetSchedulerParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                            method_set_scheduler_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetBlockIOParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", blkioParameters),
                            method_get_block_io_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetBlockIOTune", SD_BUS_ARGS("s", disk, "u", flags),
                            SD_BUS_RESULT("a{sv}", blockIOTune), method_get_block_io_tune,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetInterfaceParameters", SD_BUS_ARGS("s", device, "u", flags),
                            SD_BUS_RESULT("a{sv}", parameters), method_get_interface_parameters,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetNumaParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", numaParameters),
                            method_get_numa_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetPerfEvents", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", perfEvents),
                            method_get_perf_events, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetBlockIOParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                            method_set_block_io_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetBlockIOTune", SD_BUS_ARGS("s", disk, "a{sv}", params, "u", flags),
                            SD_BUS_NO_RESULT, method_set_block_io_tune, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetInterfaceParameters", SD_BUS_ARGS("s", device, "a{sv}", params, "u", flags),
                            SD_BUS_NO_RESULT, method_set_interface_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetNumaParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                            method_set_numa_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetPerfEvents", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                            method_set_perf_events, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_tunables_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE,
                                      domain_tunables_vtable, dbus_domain_find, dc);
}
