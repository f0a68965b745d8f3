/* The tunables driver table: typed-parameter tunables of a domain, as libvirt's
 * domainGet/Set{Memory,Numa,Blkio,Interface}Parameters, domainGet/SetPerfEvents,
 * domainGet/SetBlockIoTune and
 * domainGet/SetSchedulerParametersFlags hypervisor slots. */
#pragma once

#include "drivers/driver.h"
#include "util/typed_params.h"

/* libvirt's VIR_TYPED_PARAM_STRING_OKAY, which libvirt's public API adds to Get flags. */
enum { VB_TYPED_PARAM_STRING_OKAY = 1 << 2 };

/* Every slot may be NULL ("not supported"). Operation slots as in drivers/driver.h. Get slots
 * append to params (left empty on failure); Set slots change nothing on failure. */
struct vb_tunables_driver {
    int (*get_memory_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                                 struct vb_typed_params *params);
    int (*set_memory_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom,
                                 const struct vb_typed_params *params, unsigned int flags);
    int (*get_scheduler_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                                    struct vb_typed_params *params);
    int (*set_scheduler_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom,
                                    const struct vb_typed_params *params, unsigned int flags);
    int (*get_numa_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                               struct vb_typed_params *params);
    int (*set_numa_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom,
                               const struct vb_typed_params *params, unsigned int flags);
    int (*get_blkio_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                                struct vb_typed_params *params);
    int (*set_blkio_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom,
                                const struct vb_typed_params *params, unsigned int flags);
    int (*get_perf_events)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                           struct vb_typed_params *params);
    int (*set_perf_events)(void *priv, struct vb_call *call, struct vb_domain_obj *dom,
                           const struct vb_typed_params *params, unsigned int flags);
    /* device: the interface's MAC address or target name. */
    int (*get_interface_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *device,
                                    unsigned int flags, struct vb_typed_params *params);
    int (*set_interface_parameters)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *device,
                                    const struct vb_typed_params *params, unsigned int flags);
    /* disk: the disk's target name or source path. */
    int (*get_block_io_tune)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *disk,
                             unsigned int flags, struct vb_typed_params *params);
    int (*set_block_io_tune)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *disk,
                             const struct vb_typed_params *params, unsigned int flags);
};
