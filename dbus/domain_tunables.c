/* org.libvirt.Domain methods for typed-parameter tunables: memory, scheduler, NUMA, block I/O
 * and interface parameters, block I/O tuning, and perf events.
 * Results are a{sv} with libvirt-dbus's double wrap; arguments arrive single-wrapped. */
#include "api/domain.h"
#include "api/tunables.h"
#include "dbus/bus.h"
#include "dbus/call_args.h"
#include "dbus/errors.h"
#include "dbus/typed_params.h"

typedef int (*get_params_fn)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                             struct vb_typed_params *params);
typedef int (*set_params_fn)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                             const struct vb_typed_params *params, unsigned int flags);
typedef int (*get_device_params_fn)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                    const char *device, unsigned int flags, struct vb_typed_params *params);
typedef int (*set_device_params_fn)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                    const char *device, const struct vb_typed_params *params, unsigned int flags);

/* --- typed parameters a call keeps (dbus/call_args.h) ---------------------------------------- */

static void clear_params_input(struct dbus_call *call)
{
    vb_typed_params_clear(&((struct dbus_params_input_call *) call)->params);
}

int dbus_params_input_call_read(struct dbus_frontend *frontend, sd_bus_message *m, uint32_t *flags,
                                struct dbus_params_input_call **out, sd_bus_error *error)
{
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    struct dbus_params_input_call *call = NULL;
    int r = dbus_typed_params_read(m, &params, &err);

    if (r < 0 && vb_error_is_set(&err))
        r = dbus_error_take_vb(error, &err);
    if (r >= 0)
        r = sd_bus_message_read(m, "u", flags);
    if (r >= 0 && !(call = dbus_call_new(frontend, m, sizeof(*call), NULL, clear_params_input)))
        r = -ENOMEM;
    if (r < 0) {
        vb_typed_params_clear(&params);
        return r;
    }
    call->params = params;
    *out = call;
    return 0;
}

/* --- the methods --------------------------------------------------------------------------- */

/* "Domain not found" before any argument check, as libvirt-dbus looks the domain up before
 * calling libvirt (the core checks arguments first). 0, or -1 with call->err set. */
static int check_domain(struct dbus_domain *d, struct vb_call *call)
{
    struct vb_domain_ref ref = { 0 };
    int r = vb_domain_lookup_by_uuid(d->dc->conn, d->uuid, &ref, &call->err);

    vb_domain_ref_clear(&ref);
    return r < 0 ? -1 : 0;
}

static int run_get_params(sd_bus_message *m, struct dbus_domain *d, get_params_fn get, sd_bus_error *error)
{
    struct dbus_params_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_params_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = check_domain(d, &call->base.core);
    if (r == 0)
        r = get(d->dc->conn, &call->base.core, d->uuid, flags, &call->params);
    return dbus_call_finish(&call->base, r, error);
}

static int run_get_device_params(sd_bus_message *m, struct dbus_domain *d, get_device_params_fn get,
                                 sd_bus_error *error)
{
    struct dbus_params_call *call;
    const char *device;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &device, &flags);

    if (r < 0)
        return r;
    call = dbus_params_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = check_domain(d, &call->base.core);
    if (r == 0)
        r = get(d->dc->conn, &call->base.core, d->uuid, device, flags, &call->params);
    return dbus_call_finish(&call->base, r, error);
}

static int run_set_params(sd_bus_message *m, struct dbus_domain *d, set_params_fn set, sd_bus_error *error)
{
    struct dbus_params_input_call *call;
    uint32_t flags;
    int r = dbus_params_input_call_read(d->dc->frontend, m, &flags, &call, error);

    if (r < 0)
        return r;
    r = check_domain(d, &call->base.core);
    if (r == 0)
        r = set(d->dc->conn, &call->base.core, d->uuid, &call->params, flags);
    return dbus_call_finish(&call->base, r, error);
}

static int run_set_device_params(sd_bus_message *m, struct dbus_domain *d, set_device_params_fn set,
                                 sd_bus_error *error)
{
    struct dbus_params_input_call *call;
    const char *device;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "s", &device)) < 0 ||
        (r = dbus_params_input_call_read(d->dc->frontend, m, &flags, &call, error)) < 0)
        return r;
    r = check_domain(d, &call->base.core);
    if (r == 0)
        r = set(d->dc->conn, &call->base.core, d->uuid, device, &call->params, flags);
    return dbus_call_finish(&call->base, r, error);
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
