/* The test driver's networks, storage pools and volumes, node devices and host interfaces:
 * in-memory lists with libvirt's test-driver rules (src/test/test_driver.c). Private to the
 * test driver. */
#pragma once

#include "conf/host_device_def.h"
#include "conf/network_def.h"
#include "conf/storage_def.h"
#include "drivers/driver_host_devices.h"
#include "drivers/driver_network.h"
#include "drivers/driver_storage.h"
#include "drivers/test/test_private.h"
#include "util/hashmap.h"

struct test_network {
    struct vb_network_def *def;
    bool active, persistent, autostart;
};

struct test_pool {
    struct vb_pool_def *def;
    bool active, persistent, autostart;
    struct vb_vol_def **vols;            /* in creation order */
    size_t n_vols, vols_allocated;
    struct vb_hashmap *vols_by_name;     /* the same volumes by name (NULL until the first) */
};

struct test_iface {
    struct vb_iface_def *def;
    bool active;
};

struct test_objects {
    struct test_network **networks;
    size_t n_networks, networks_allocated;
    struct test_pool **pools;
    size_t n_pools, pools_allocated;
    struct vb_nodedev_def **devices;
    size_t n_devices, devices_allocated;
    struct test_iface **ifaces;
    size_t n_ifaces, ifaces_allocated;
};

extern const struct vb_network_driver vb_test_network_driver;     /* test_network.c */
extern const struct vb_storage_driver vb_test_storage_driver;     /* test_storage_pool.c */
extern const struct vb_nodedev_driver vb_test_nodedev_driver;     /* test_nodedev.c */
extern const struct vb_interface_driver vb_test_interface_driver; /* test_interface.c */

/* test_objects.c: the lists and libvirt's default objects */
struct test_objects *test_objects_new(void);
void test_objects_free(struct test_objects *objects);
/* test:///default's network, pool, interface and node devices, as libvirt 9.0 serves them. */
int test_objects_load_default(struct test_conn *conn, struct vb_error *err);
/* Appends item to a growing array of pointers; 0 or -ENOMEM. */
int test_array_append(void ***items, size_t *n, size_t *allocated, void *item);
/* Removes entry index, keeping the order. */
void test_array_remove(void **items, size_t *n, size_t index);
/* Emits a lifecycle (or refresh) event about a network, pool or node device. */
void test_emit_object(struct test_conn *conn, enum vb_object_kind kind, const unsigned char *uuid, const char *name,
                      int id, int event);
/* Fills a new ref: name copied, the rest set by the caller. 0 or -1 (VB_ERR_NO_MEMORY). */
int test_ref_named(struct vb_object_ref *ref, const char *name, struct vb_error *err);
/* A growable array of refs the list slots fill. */
int test_refs_append(struct vb_object_ref **refs, size_t *n, size_t *allocated, struct vb_object_ref *ref,
                     struct vb_error *err);

/* test_storage_pool.c */
void test_pool_free(struct test_pool *pool);
struct test_pool *test_pool_find_by_uuid(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err);
/* test_storage_vol.c: the volume slots */
int test_pool_list_volumes(void *priv, vb_uuid_t pool, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                           struct vb_error *err);
int test_vol_lookup_by_key(void *priv, const char *key, struct vb_object_ref *ref, struct vb_error *err);
int test_vol_lookup_by_path(void *priv, const char *path, struct vb_object_ref *ref, struct vb_error *err);
int test_vol_lookup_by_name(void *priv, vb_uuid_t pool, const char *name, struct vb_object_ref *ref,
                            struct vb_error *err);
int test_vol_create_xml(void *priv, struct vb_call *call, vb_uuid_t pool, const char *xml, unsigned int flags,
                        struct vb_object_ref *ref);
int test_vol_create_xml_from(void *priv, struct vb_call *call, vb_uuid_t pool, const char *xml, const char *clone_key,
                             unsigned int flags, struct vb_object_ref *ref);
int test_vol_delete(void *priv, struct vb_call *call, const char *key, unsigned int flags);
int test_vol_get_info(void *priv, struct vb_call *call, const char *key, struct vb_vol_info *info);
int test_vol_get_xml_desc(void *priv, struct vb_call *call, const char *key, unsigned int flags, char **xml);
/* test_nodedev.c */
int test_nodedev_add(struct test_conn *conn, const char *xml, struct vb_error *err);
/* test_interface.c */
void test_iface_free(struct test_iface *iface);
int test_iface_add(struct test_conn *conn, const char *xml, bool active, struct vb_error *err);
/* test_network.c */
void test_network_free(struct test_network *net);
int test_network_add(struct test_conn *conn, const char *xml, bool active, struct vb_error *err);
int test_pool_add(struct test_conn *conn, const char *xml, bool active, struct vb_error *err);
