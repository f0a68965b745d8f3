/* The tunables driver table: typed-parameter tunables of a domain, as libvirt's
 * domainGet/SetMemoryParameters and domainGet/SetSchedulerParametersFlags hypervisor slots. */
#pragma once

#include "drivers/driver.h"
#include "util/typed_params.h"

/* libvirt's VIR_TYPED_PARAM_STRING_OKAY, which libvirt's public API adds to Get flags. */
enum { VB_TYPED_PARAM_STRING_OKAY = 1 << 2 };

/* Every slot may be NULL ("not supported"). Get slots append to params (left empty on
 * failure); Set slots change nothing on failure. */
struct vb_tunables_driver {
    int (*get_memory_parameters)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_typed_params *params,
                                 struct vb_error *err);
    int (*set_memory_parameters)(void *priv, vb_uuid_t uuid, const struct vb_typed_params *params,
                                 unsigned int flags, struct vb_error *err);
    int (*get_scheduler_parameters)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_typed_params *params,
                                    struct vb_error *err);
    int (*set_scheduler_parameters)(void *priv, vb_uuid_t uuid, const struct vb_typed_params *params,
                                    unsigned int flags, struct vb_error *err);
};
