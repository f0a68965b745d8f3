/* The public tunables API: argument checks as libvirt's libvirt-domain.c, dispatch to the
 * driver's tunables table. */
#include "api/checks.h"
#include "api/tunables.h"
#include "conf/domain_obj.h"

/* The driver's tunables slot, or NULL for a driver without a tunables table or that slot. */
#define TUNABLES_FN(conn, slot) ((conn)->driver->tunables ? (conn)->driver->tunables->slot : NULL)
#define TUNABLES_FN_TYPE(conn, slot) __typeof__((conn)->driver->tunables->slot)

/* libvirt's VIR_EXCLUSIVE_FLAGS_GOTO(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG). */
static int check_affect_exclusive(unsigned int flags, struct vb_error *err)
{
    if ((flags & VB_AFFECT_LIVE) && (flags & VB_AFFECT_CONFIG))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Flags '%s' and '%s' are mutually exclusive",
                            "VIR_DOMAIN_AFFECT_LIVE", "VIR_DOMAIN_AFFECT_CONFIG");
    return 0;
}

/* libvirt's virCheckNonNullArg(params): an empty a{sv} reaches libvirt as a NULL array. */
static int check_params(const struct vb_typed_params *params, const char *api, struct vb_error *err)
{
    if (!params || params->n == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "params in %s must not be NULL", api);
    return 0;
}

int vb_domain_get_memory_parameters(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                                    struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_memory_parameters) fn = TUNABLES_FN(conn, get_memory_parameters);

    /* libvirt's remote client speaks typed-parameter strings. */
    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetMemoryParameters", err);
    return fn(conn->priv, uuid, flags, params, err);
}

int vb_domain_set_memory_parameters(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_typed_params *params,
                                    unsigned int flags, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_memory_parameters) fn = TUNABLES_FN(conn, set_memory_parameters);

    if (check_params(params, "virDomainSetMemoryParameters", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetMemoryParameters", err);
    return fn(conn->priv, uuid, params, flags, err);
}

int vb_domain_get_scheduler_parameters(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                                       struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_scheduler_parameters) fn = TUNABLES_FN(conn, get_scheduler_parameters);

    /* Not adding VB_TYPED_PARAM_STRING_OKAY: libvirt's test driver refuses any flag here. */
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetSchedulerParametersFlags", err);
    return fn(conn->priv, uuid, flags, params, err);
}

int vb_domain_set_scheduler_parameters(struct vb_connect *conn, vb_uuid_t uuid,
                                       const struct vb_typed_params *params, unsigned int flags,
                                       struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_scheduler_parameters) fn = TUNABLES_FN(conn, set_scheduler_parameters);

    if (check_params(params, "virDomainSetSchedulerParametersFlags", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetSchedulerParametersFlags", err);
    return fn(conn->priv, uuid, params, flags, err);
}

int vb_domain_get_numa_parameters(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                         struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_numa_parameters) fn = TUNABLES_FN(conn, get_numa_parameters);

    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetNumaParameters", err);
    return fn(conn->priv, uuid, flags, params, err);
}

int vb_domain_set_numa_parameters(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_typed_params *params,
                         unsigned int flags, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_numa_parameters) fn = TUNABLES_FN(conn, set_numa_parameters);

    if (check_params(params, "virDomainSetNumaParameters", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetNumaParameters", err);
    return fn(conn->priv, uuid, params, flags, err);
}

int vb_domain_get_blkio_parameters(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                         struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_blkio_parameters) fn = TUNABLES_FN(conn, get_blkio_parameters);

    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetBlkioParameters", err);
    return fn(conn->priv, uuid, flags, params, err);
}

int vb_domain_set_blkio_parameters(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_typed_params *params,
                         unsigned int flags, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_blkio_parameters) fn = TUNABLES_FN(conn, set_blkio_parameters);

    if (check_params(params, "virDomainSetBlkioParameters", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetBlkioParameters", err);
    return fn(conn->priv, uuid, params, flags, err);
}

int vb_domain_get_perf_events(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                         struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_perf_events) fn = TUNABLES_FN(conn, get_perf_events);

    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetPerfEvents", err);
    return fn(conn->priv, uuid, flags, params, err);
}

int vb_domain_set_perf_events(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_typed_params *params,
                         unsigned int flags, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_perf_events) fn = TUNABLES_FN(conn, set_perf_events);

    if (check_params(params, "virDomainSetPerfEvents", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetPerfEvents", err);
    return fn(conn->priv, uuid, params, flags, err);
}

int vb_domain_get_interface_parameters(struct vb_connect *conn, vb_uuid_t uuid, const char *device,
                                       unsigned int flags, struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_interface_parameters) fn = TUNABLES_FN(conn, get_interface_parameters);

    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetInterfaceParameters", err);
    return fn(conn->priv, uuid, device, flags, params, err);
}

int vb_domain_set_interface_parameters(struct vb_connect *conn, vb_uuid_t uuid, const char *device,
                                       const struct vb_typed_params *params, unsigned int flags,
                                       struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_interface_parameters) fn = TUNABLES_FN(conn, set_interface_parameters);

    if (check_params(params, "virDomainSetInterfaceParameters", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetInterfaceParameters", err);
    return fn(conn->priv, uuid, device, params, flags, err);
}

int vb_domain_get_block_io_tune(struct vb_connect *conn, vb_uuid_t uuid, const char *disk, unsigned int flags,
                                struct vb_typed_params *params, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, get_block_io_tune) fn = TUNABLES_FN(conn, get_block_io_tune);

    flags |= VB_TYPED_PARAM_STRING_OKAY;
    if (check_affect_exclusive(flags, err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetBlockIoTune", err);
    return fn(conn->priv, uuid, disk, flags, params, err);
}

int vb_domain_set_block_io_tune(struct vb_connect *conn, vb_uuid_t uuid, const char *disk,
                                const struct vb_typed_params *params, unsigned int flags, struct vb_error *err)
{
    TUNABLES_FN_TYPE(conn, set_block_io_tune) fn = TUNABLES_FN(conn, set_block_io_tune);

    /* libvirt's virCheckPositiveArgGoto(nparams), which virDomainSetBlockIoTune checks first. */
    if (!params || params->n == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "nparams in virDomainSetBlockIoTune must be greater than zero");
    if (!fn)
        return vb_check_report_unsupported("virDomainSetBlockIoTune", err);
    return fn(conn->priv, uuid, disk, params, flags, err);
}
