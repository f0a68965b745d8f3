/* The public tunables API: argument checks as libvirt's libvirt-domain.c, dispatch to the
 * driver's tunables table. */
#include "api/checks.h"
#include "api/dispatch.h"
#include "api/tunables.h"
#include "conf/domain_obj.h"

#define TUNABLES(conn) ((conn)->driver->tunables)
#define HAS_TUNABLES_SLOT(conn, slot) (TUNABLES(conn) && TUNABLES(conn)->slot)

/* libvirt's VIR_EXCLUSIVE_FLAGS_GOTO(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG). */
static int check_affect_exclusive(unsigned int flags, struct vb_error *err)
{
    return vb_check_exclusive_flags(flags, VB_AFFECT_LIVE, "VIR_DOMAIN_AFFECT_LIVE", VB_AFFECT_CONFIG,
                                    "VIR_DOMAIN_AFFECT_CONFIG", err);
}

/* libvirt's virCheckNonNullArg(params): an empty a{sv} reaches libvirt as a NULL array. */
static int check_params(const struct vb_typed_params *params, const char *api, struct vb_error *err)
{
    if (!params || params->n == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "params in %s must not be NULL", api);
    return 0;
}

struct get_memory_parameters_args { unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_memory_parameters, TUNABLES(conn)->get_memory_parameters(conn->priv, call, obj, a->flags, a->params))

int vb_domain_get_memory_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
    struct vb_typed_params *params)
{
    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_MEMORY_PARAMETERS, uuid, get_memory_parameters, HAS_TUNABLES_SLOT(conn, get_memory_parameters), flags, params);
}

struct set_memory_parameters_args { const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_memory_parameters, TUNABLES(conn)->set_memory_parameters(conn->priv, call, obj, a->params, a->flags))

int vb_domain_set_memory_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const struct vb_typed_params *params,
    unsigned int flags)
{
    if (check_params(params, "virDomainSetMemoryParameters", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_MEMORY_PARAMETERS, uuid, set_memory_parameters, HAS_TUNABLES_SLOT(conn, set_memory_parameters), params, flags);
}

struct get_scheduler_parameters_args { unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_scheduler_parameters, TUNABLES(conn)->get_scheduler_parameters(conn->priv, call, obj, a->flags, a->params))

int vb_domain_get_scheduler_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
    struct vb_typed_params *params)
{
    /* Not adding VB_TYPED_PARAM_STRING_OKAY: libvirt's test driver refuses any flag here. */
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_SCHEDULER_PARAMETERS, uuid, get_scheduler_parameters, HAS_TUNABLES_SLOT(conn, get_scheduler_parameters), flags, params);
}

struct set_scheduler_parameters_args { const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_scheduler_parameters, TUNABLES(conn)->set_scheduler_parameters(conn->priv, call, obj, a->params, a->flags))

int vb_domain_set_scheduler_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const struct vb_typed_params *params,
    unsigned int flags)
{
    if (check_params(params, "virDomainSetSchedulerParametersFlags", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_SCHEDULER_PARAMETERS, uuid, set_scheduler_parameters, HAS_TUNABLES_SLOT(conn, set_scheduler_parameters), params, flags);
}

struct get_numa_parameters_args { unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_numa_parameters, TUNABLES(conn)->get_numa_parameters(conn->priv, call, obj, a->flags, a->params))

int vb_domain_get_numa_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
    struct vb_typed_params *params)
{
    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_NUMA_PARAMETERS, uuid, get_numa_parameters, HAS_TUNABLES_SLOT(conn, get_numa_parameters), flags, params);
}

struct set_numa_parameters_args { const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_numa_parameters, TUNABLES(conn)->set_numa_parameters(conn->priv, call, obj, a->params, a->flags))

int vb_domain_set_numa_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const struct vb_typed_params *params,
    unsigned int flags)
{
    if (check_params(params, "virDomainSetNumaParameters", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_NUMA_PARAMETERS, uuid, set_numa_parameters, HAS_TUNABLES_SLOT(conn, set_numa_parameters), params, flags);
}

struct get_blkio_parameters_args { unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_blkio_parameters, TUNABLES(conn)->get_blkio_parameters(conn->priv, call, obj, a->flags, a->params))

int vb_domain_get_blkio_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
    struct vb_typed_params *params)
{
    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_BLKIO_PARAMETERS, uuid, get_blkio_parameters, HAS_TUNABLES_SLOT(conn, get_blkio_parameters), flags, params);
}

struct set_blkio_parameters_args { const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_blkio_parameters, TUNABLES(conn)->set_blkio_parameters(conn->priv, call, obj, a->params, a->flags))

int vb_domain_set_blkio_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const struct vb_typed_params *params,
    unsigned int flags)
{
    if (check_params(params, "virDomainSetBlkioParameters", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_BLKIO_PARAMETERS, uuid, set_blkio_parameters, HAS_TUNABLES_SLOT(conn, set_blkio_parameters), params, flags);
}

struct get_perf_events_args { unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_perf_events, TUNABLES(conn)->get_perf_events(conn->priv, call, obj, a->flags, a->params))

int vb_domain_get_perf_events(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
    struct vb_typed_params *params)
{
    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_PERF_EVENTS, uuid, get_perf_events, HAS_TUNABLES_SLOT(conn, get_perf_events), flags, params);
}

struct set_perf_events_args { const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_perf_events, TUNABLES(conn)->set_perf_events(conn->priv, call, obj, a->params, a->flags))

int vb_domain_set_perf_events(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const struct vb_typed_params *params,
    unsigned int flags)
{
    if (check_params(params, "virDomainSetPerfEvents", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_PERF_EVENTS, uuid, set_perf_events, HAS_TUNABLES_SLOT(conn, set_perf_events), params, flags);
}

struct get_interface_parameters_args { const char *device; unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_interface_parameters, TUNABLES(conn)->get_interface_parameters(conn->priv, call, obj, a->device, a->flags, a->params))

int vb_domain_get_interface_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *device, unsigned int flags,
    struct vb_typed_params *params)
{
    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_INTERFACE_PARAMETERS, uuid, get_interface_parameters, HAS_TUNABLES_SLOT(conn, get_interface_parameters), device, flags, params);
}

struct set_interface_parameters_args { const char *device; const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_interface_parameters, TUNABLES(conn)->set_interface_parameters(conn->priv, call, obj, a->device, a->params, a->flags))

int vb_domain_set_interface_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *device, const struct vb_typed_params *params,
    unsigned int flags)
{
    if (check_params(params, "virDomainSetInterfaceParameters", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_INTERFACE_PARAMETERS, uuid, set_interface_parameters, HAS_TUNABLES_SLOT(conn, set_interface_parameters), device, params, flags);
}

struct get_block_io_tune_args { const char *disk; unsigned int flags; struct vb_typed_params *params; };
VB_INVOKE(get_block_io_tune, TUNABLES(conn)->get_block_io_tune(conn->priv, call, obj, a->disk, a->flags, a->params))

int vb_domain_get_block_io_tune(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk, unsigned int flags,
    struct vb_typed_params *params)
{
    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_BLOCK_IO_TUNE, uuid, get_block_io_tune, HAS_TUNABLES_SLOT(conn, get_block_io_tune), disk, flags, params);
}

struct set_block_io_tune_args { const char *disk; const struct vb_typed_params *params; unsigned int flags; };
VB_INVOKE(set_block_io_tune, TUNABLES(conn)->set_block_io_tune(conn->priv, call, obj, a->disk, a->params, a->flags))

int vb_domain_set_block_io_tune(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk, const struct vb_typed_params *params,
    unsigned int flags)
{
    /* libvirt's virCheckPositiveArgGoto(nparams), which virDomainSetBlockIoTune checks first. */
    if (!params || params->n == 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "nparams in virDomainSetBlockIoTune must be greater than zero");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_BLOCK_IO_TUNE, uuid, set_block_io_tune, HAS_TUNABLES_SLOT(conn, set_block_io_tune), disk, params, flags);
}
