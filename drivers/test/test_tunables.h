/* Shared by the test driver's tunables files: libvirt's typed-parameter checks and the
 * LIVE-or-CONFIG definition edit its Set functions make. */
#pragma once

#include "drivers/driver_tunables.h"
#include "drivers/test/test_private.h"

struct test_param_key {
    const char *name;
    enum vb_param_type type;
};

/* libvirt's virTypedParamsValidate: every name known, of its type, given once. */
int test_params_validate(const struct vb_typed_params *params, const struct test_param_key *keys, size_t n_keys,
                         struct vb_error *err);

/* libvirt's virCheckFlags, naming libvirt's test-driver function. */
int test_check_flags(unsigned int flags, unsigned int supported, const char *function, struct vb_error *err);

/* libvirt's virDomainObjGetOneDef: the one definition the flags name (flags resolved). */
struct vb_domain_def *test_one_def(struct vb_domain_obj *obj, unsigned int *flags, struct vb_error *err);

typedef int (*test_def_edit_fn)(struct vb_domain_def *def, const void *arg, struct vb_error *err);

/* Applies edit to a copy of the one definition the flags name, stores a persistent one, then
 * swaps the copy in, so a failed edit changes nothing. */
int test_edit_one_def(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int flags, test_def_edit_fn edit,
                      const void *arg, struct vb_error *err);

/* How a Set ends when libvirt announces it with no event of its own: flags the domain refuses
 * fail at once; otherwise test_edit_one_def, the "changed" event on success, and test_done. */
int test_set_one_def(struct test_conn *conn, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                     test_def_edit_fn edit, const void *arg);

/* In test_tunables_numa.c. */
int test_get_numa_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                             struct vb_typed_params *params);
int test_set_numa_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                             const struct vb_typed_params *params, unsigned int flags);
int test_get_perf_events(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                         struct vb_typed_params *params);
int test_set_perf_events(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                         const struct vb_typed_params *params, unsigned int flags);

/* In test_tunables_devices.c. */
int test_get_blkio_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                              struct vb_typed_params *params);
int test_set_blkio_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj,
                              const struct vb_typed_params *params, unsigned int flags);
int test_get_interface_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *device,
                                  unsigned int flags, struct vb_typed_params *params);
int test_set_interface_parameters(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *device,
                                  const struct vb_typed_params *params, unsigned int flags);

/* In test_tunables_iotune.c. */
int test_get_block_io_tune(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                           unsigned int flags, struct vb_typed_params *params);
int test_set_block_io_tune(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                           const struct vb_typed_params *params, unsigned int flags);
