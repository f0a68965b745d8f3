/* The snapshot part of the driver table (libvirt's domainSnapshot* driver slots): a snapshot
 * is named by its domain's UUID and its own name. A driver fills the slots it supports; the
 * core answers "not supported" for a NULL slot or a driver without this table. */
#pragma once

#include <stddef.h>

#include "drivers/driver.h"

/* Snapshot name lists are NULL-terminated arrays of malloc'd strings, also counted. */
void vb_snapshot_names_free(char **names, size_t n);

/* Operation slots as in drivers/driver.h, on the domain object the core holds; names is a
 * registry read (from memory, at once) for front ends that enumerate snapshot objects. */
struct vb_snapshot_driver {
    /* Every snapshot of the domain, in creation order. */
    int (*names)(void *priv, vb_uuid_t uuid, char ***names, size_t *n, struct vb_error *err);
    /* Creates a snapshot from <domainsnapshot> XML; *name receives its name. */
    int (*create_xml)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *xml,
                      unsigned int flags, char **name);
    /* The domain's snapshots (flags: VB_SNAPSHOT_LIST_ROOTS, TOPOLOGICAL and the filters). */
    int (*list)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags, char ***names,
                size_t *n);
    /* 0 when the snapshot exists, else -1 with VB_ERR_NO_DOMAIN_SNAPSHOT. */
    int (*lookup_by_name)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                          unsigned int flags);
    int (*current)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags, char **name);
    int (*get_xml_desc)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                        unsigned int flags, char **xml);
    int (*get_parent)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                      unsigned int flags, char **parent);
    /* Direct children, or every descendant with VB_SNAPSHOT_LIST_DESCENDANTS. */
    int (*list_children)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                         unsigned int flags, char ***names, size_t *n);
    int (*is_current)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                      unsigned int flags, bool *result);
    int (*has_metadata)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                        unsigned int flags, bool *result);
    int (*delete)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name, unsigned int flags);
    /* Restores the snapshot's state and definition, emitting libvirt's lifecycle events. */
    int (*revert)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *name,
                  unsigned int flags);
};

/* libvirt's virDomainSnapshotCreateFlags. */
enum {
    VB_SNAPSHOT_CREATE_REDEFINE = 1 << 0,
    VB_SNAPSHOT_CREATE_CURRENT = 1 << 1,
    VB_SNAPSHOT_CREATE_NO_METADATA = 1 << 2,
    VB_SNAPSHOT_CREATE_HALT = 1 << 3,
    VB_SNAPSHOT_CREATE_DISK_ONLY = 1 << 4,
    VB_SNAPSHOT_CREATE_REUSE_EXT = 1 << 5,
    VB_SNAPSHOT_CREATE_QUIESCE = 1 << 6,
    VB_SNAPSHOT_CREATE_ATOMIC = 1 << 7,
    VB_SNAPSHOT_CREATE_LIVE = 1 << 8,
    VB_SNAPSHOT_CREATE_VALIDATE = 1 << 9,
};

/* libvirt's virDomainSnapshotListFlags (ROOTS for a domain's list, DESCENDANTS for children). */
enum {
    VB_SNAPSHOT_LIST_ROOTS = 1 << 0,
    VB_SNAPSHOT_LIST_DESCENDANTS = 1 << 0,
    VB_SNAPSHOT_LIST_METADATA = 1 << 1,
    VB_SNAPSHOT_LIST_LEAVES = 1 << 2,
    VB_SNAPSHOT_LIST_NO_LEAVES = 1 << 3,
    VB_SNAPSHOT_LIST_NO_METADATA = 1 << 4,
    VB_SNAPSHOT_LIST_INACTIVE = 1 << 5,
    VB_SNAPSHOT_LIST_ACTIVE = 1 << 6,
    VB_SNAPSHOT_LIST_DISK_ONLY = 1 << 7,
    VB_SNAPSHOT_LIST_INTERNAL = 1 << 8,
    VB_SNAPSHOT_LIST_EXTERNAL = 1 << 9,
    VB_SNAPSHOT_LIST_TOPOLOGICAL = 1 << 10,
};
#define VB_SNAPSHOT_FILTERS_LEAVES (VB_SNAPSHOT_LIST_LEAVES | VB_SNAPSHOT_LIST_NO_LEAVES)
#define VB_SNAPSHOT_FILTERS_METADATA (VB_SNAPSHOT_LIST_METADATA | VB_SNAPSHOT_LIST_NO_METADATA)
#define VB_SNAPSHOT_FILTERS_STATUS (VB_SNAPSHOT_LIST_INACTIVE | VB_SNAPSHOT_LIST_ACTIVE | VB_SNAPSHOT_LIST_DISK_ONLY)
#define VB_SNAPSHOT_FILTERS_LOCATION (VB_SNAPSHOT_LIST_INTERNAL | VB_SNAPSHOT_LIST_EXTERNAL)
#define VB_SNAPSHOT_FILTERS_ALL (VB_SNAPSHOT_FILTERS_LEAVES | VB_SNAPSHOT_FILTERS_METADATA | \
                                 VB_SNAPSHOT_FILTERS_STATUS | VB_SNAPSHOT_FILTERS_LOCATION)

/* libvirt's virDomainSnapshotDeleteFlags. */
enum {
    VB_SNAPSHOT_DELETE_CHILDREN = 1 << 0,
    VB_SNAPSHOT_DELETE_METADATA_ONLY = 1 << 1,
    VB_SNAPSHOT_DELETE_CHILDREN_ONLY = 1 << 2,
};

/* libvirt's virDomainSnapshotRevertFlags. */
enum {
    VB_SNAPSHOT_REVERT_RUNNING = 1 << 0,
    VB_SNAPSHOT_REVERT_PAUSED = 1 << 1,
    VB_SNAPSHOT_REVERT_FORCE = 1 << 2,
};

/* libvirt's VIR_DOMAIN_SNAPSHOT_XML_SECURE (the same bit as VIR_DOMAIN_XML_SECURE). */
enum { VB_SNAPSHOT_XML_SECURE = 1 << 0 };
