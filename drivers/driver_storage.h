/* The storage driver table (libvirt's virStorageDriver, kept to what we serve), reachable from
 * a connection (vb_driver.storage). Pools are named by UUID, volumes by key. Registry slots
 * answer from memory at once; operation slots take the call. */
#pragma once

#include <stdint.h>

#include "drivers/driver_objects.h"

/* libvirt's virStoragePoolInfo and virStorageVolInfo. */
struct vb_pool_info {
    int state; /* virStoragePoolState: 0 inactive, 2 running */
    uint64_t capacity, allocation, available;
};

struct vb_vol_info {
    int type; /* virStorageVolType */
    uint64_t capacity, allocation;
};

struct vb_storage_driver {
    /* --- registry ------------------------------------------------------------------------ */
    int (*list_pools)(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n, struct vb_error *err);
    int (*pool_lookup_by_uuid)(void *priv, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err);
    int (*pool_lookup_by_name)(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err);
    /* The volumes of an active pool. */
    int (*list_volumes)(void *priv, vb_uuid_t pool, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                        struct vb_error *err);
    int (*vol_lookup_by_key)(void *priv, const char *key, struct vb_object_ref *ref, struct vb_error *err);
    int (*vol_lookup_by_path)(void *priv, const char *path, struct vb_object_ref *ref, struct vb_error *err);
    int (*vol_lookup_by_name)(void *priv, vb_uuid_t pool, const char *name, struct vb_object_ref *ref,
                              struct vb_error *err);
    /* --- operations on the connection and on pools ---------------------------------------- */
    int (*find_pool_sources)(void *priv, struct vb_call *call, const char *type, const char *spec,
                             unsigned int flags, char **xml);
    int (*pool_define_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                           struct vb_object_ref *ref);
    int (*pool_create_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                           struct vb_object_ref *ref);
    int (*pool_build)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
    int (*pool_create)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
    int (*pool_destroy)(void *priv, struct vb_call *call, vb_uuid_t uuid);
    int (*pool_delete)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
    int (*pool_undefine)(void *priv, struct vb_call *call, vb_uuid_t uuid);
    int (*pool_refresh)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
    int (*pool_get_info)(void *priv, struct vb_call *call, vb_uuid_t uuid, struct vb_pool_info *info);
    int (*pool_get_xml_desc)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, char **xml);
    int (*pool_set_autostart)(void *priv, struct vb_call *call, vb_uuid_t uuid, bool autostart);
    /* --- operations on volumes (named by key) ------------------------------------------- */
    int (*vol_create_xml)(void *priv, struct vb_call *call, vb_uuid_t pool, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref);
    int (*vol_create_xml_from)(void *priv, struct vb_call *call, vb_uuid_t pool, const char *xml,
                               const char *clone_key, unsigned int flags, struct vb_object_ref *ref);
    int (*vol_delete)(void *priv, struct vb_call *call, const char *key, unsigned int flags);
    int (*vol_get_info)(void *priv, struct vb_call *call, const char *key, struct vb_vol_info *info);
    int (*vol_get_xml_desc)(void *priv, struct vb_call *call, const char *key, unsigned int flags, char **xml);
    /* capacity in bytes, flags VB_VOL_RESIZE_*; pattern virStorageVolWipeAlgorithm (0: zeros). */
    int (*vol_resize)(void *priv, struct vb_call *call, const char *key, uint64_t capacity, unsigned int flags);
    int (*vol_wipe)(void *priv, struct vb_call *call, const char *key, unsigned int pattern, unsigned int flags);
};

enum { VB_POOL_STATE_INACTIVE = 0, VB_POOL_STATE_BUILDING = 1, VB_POOL_STATE_RUNNING = 2 };
enum { VB_POOL_BUILD_NEW = 0, VB_POOL_BUILD_REPAIR = 1 << 0, VB_POOL_BUILD_RESIZE = 1 << 1,
       VB_POOL_BUILD_NO_OVERWRITE = 1 << 2, VB_POOL_BUILD_OVERWRITE = 1 << 3 };
enum { VB_POOL_DEFINE_VALIDATE = 1 << 0 };
enum { VB_VOL_CREATE_VALIDATE = 1 << 2 };
/* libvirt's virStorageVolResizeFlags. */
enum { VB_VOL_RESIZE_ALLOCATE = 1 << 0, VB_VOL_RESIZE_DELTA = 1 << 1, VB_VOL_RESIZE_SHRINK = 1 << 2 };
