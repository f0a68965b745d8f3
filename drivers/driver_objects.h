/* How the network, storage, node device and host interface tables name their objects: one
 * reference type, its fields read per kind, so lists, lookups and front ends share one shape. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"

/*              name         uuid   key          path         parent        mac
 * network      its name     yes    -            -            -             -
 * pool         its name     yes    -            target path  -             -
 * volume       its name     -      its key      its path     pool's name   -
 * node device  its name     -      -            -            parent or NULL -
 * interface    its name     -      -            -            -             its MAC
 * active / persistent / autostart where the kind has them (a node device is always active);
 * sizes in bytes for pools (capacity, allocation, available) and volumes (capacity, allocation). */
struct vb_object_ref {
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    char *key;
    char *path;
    char *parent;
    char *mac;
    bool active, persistent, autostart;
    uint64_t capacity, allocation, available;
};

void vb_object_ref_clear(struct vb_object_ref *ref);
void vb_object_refs_free(struct vb_object_ref *refs, size_t n);
/* Deep copy; 0 or -ENOMEM (dst then holds nothing). */
int vb_object_ref_copy(struct vb_object_ref *dst, const struct vb_object_ref *src);
/* Moves *ref to the end of a growing array (*ref left empty); on failure *ref is cleared and
 * -1 returned with VB_ERR_NO_MEMORY. */
int vb_object_refs_append(struct vb_object_ref **refs, size_t *n, size_t *allocated, struct vb_object_ref *ref,
                          struct vb_error *err);

/* libvirt's virConnectListAllNetworksFlags / virConnectListAllStoragePoolsFlags (the common
 * part) and virConnectListAllInterfacesFlags. */
enum {
    VB_LIST_OBJ_INACTIVE = 1 << 0,
    VB_LIST_OBJ_ACTIVE = 1 << 1,
    VB_LIST_OBJ_PERSISTENT = 1 << 2,
    VB_LIST_OBJ_TRANSIENT = 1 << 3,
    VB_LIST_OBJ_AUTOSTART = 1 << 4,
    VB_LIST_OBJ_NO_AUTOSTART = 1 << 5,
};
#define VB_LIST_OBJ_FILTERS 0x3f
/* Whether ref passes libvirt's list filter flags (each pair: neither or both set = no filter). */
bool vb_object_ref_matches(const struct vb_object_ref *ref, unsigned int flags);
