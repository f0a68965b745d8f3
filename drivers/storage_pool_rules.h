/* libvirt's rules for a new storage pool definition against the pools a driver has
 * (virStoragePoolObjIsDuplicate, virStoragePoolObjSourceFindDuplicate) and the active/inactive
 * check of pool operations, shared by the test and QEMU drivers whatever their pool lists. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "conf/storage_def.h"

/* How a rule reads a driver's pool list: pool i's definition, and whether it is active. */
struct vb_pool_list_view {
    const void *pools;
    size_t n;
    const struct vb_pool_def *(*def_at)(const void *pools, size_t i, bool *active);
};

/* The index of the pool def would replace (same UUID and name), -1 for a new pool, or -2 with
 * libvirt's error: "Storage source conflict with pool: 'X'" (another dir pool with that target),
 * "pool 'X' is already defined with uuid U", "pool 'X' already exists with uuid U", or, for
 * live (CreateXML) on an active pool, "pool is already active as 'X'". */
ssize_t vb_pool_find_duplicate(const struct vb_pool_list_view *list, const struct vb_pool_def *def, bool live,
                               struct vb_error *err);

/* 0, or -1 with "storage pool 'X' is not active" / "storage pool 'X' is active"
 * (VB_ERR_OPERATION_INVALID) when the pool is not in the state an operation needs. */
int vb_pool_check_state(const struct vb_pool_def *def, bool active, bool want_active, struct vb_error *err);
