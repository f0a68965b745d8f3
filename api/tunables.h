/* The public tunables API: argument checks as libvirt's libvirt-domain.c, dispatch to the
 * driver's tunables table, "not supported" when it has none or leaves the slot empty.
 * Operations as in api/domain.h. */
#pragma once

#include "api/connect.h"
#include "drivers/driver_tunables.h"

int vb_domain_get_memory_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                    struct vb_typed_params *params);
int vb_domain_set_memory_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                    const struct vb_typed_params *params, unsigned int flags);
int vb_domain_get_scheduler_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                       unsigned int flags, struct vb_typed_params *params);
int vb_domain_set_scheduler_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                       const struct vb_typed_params *params, unsigned int flags);
int vb_domain_get_numa_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                  struct vb_typed_params *params);
int vb_domain_set_numa_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                  const struct vb_typed_params *params, unsigned int flags);
int vb_domain_get_blkio_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                   struct vb_typed_params *params);
int vb_domain_set_blkio_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                   const struct vb_typed_params *params, unsigned int flags);
int vb_domain_get_perf_events(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                              struct vb_typed_params *params);
int vb_domain_set_perf_events(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                              const struct vb_typed_params *params, unsigned int flags);
int vb_domain_get_interface_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                       const char *device, unsigned int flags, struct vb_typed_params *params);
int vb_domain_set_interface_parameters(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                                       const char *device, const struct vb_typed_params *params, unsigned int flags);
int vb_domain_get_block_io_tune(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                                unsigned int flags, struct vb_typed_params *params);
int vb_domain_set_block_io_tune(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                                const struct vb_typed_params *params, unsigned int flags);
