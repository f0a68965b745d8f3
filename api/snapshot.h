/* The domain snapshot API every front end calls (libvirt's libvirt-domain-snapshot.c): checks
 * arguments and flag combinations, then dispatches to the connection driver's snapshot table,
 * answering "not supported" when the driver has none or leaves the slot empty. A snapshot is
 * named by its domain's UUID and its own name. Operations as in api/domain.h. */
#pragma once

#include "api/connect.h"
#include "drivers/driver_snapshot.h"

/* Registry read: every snapshot of the domain, at once (for enumerating snapshot objects). */
int vb_snapshot_names(struct vb_connect *conn, vb_uuid_t uuid, char ***names, size_t *n, struct vb_error *err);

int vb_snapshot_create_xml(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                           unsigned int flags, char **name);
int vb_snapshot_list(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, char ***names,
                     size_t *n);
int vb_snapshot_lookup_by_name(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                               unsigned int flags);
int vb_snapshot_current(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                        char **name);
int vb_snapshot_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                             unsigned int flags, char **xml);
int vb_snapshot_get_parent(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                           unsigned int flags, char **parent);
int vb_snapshot_list_children(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                              unsigned int flags, char ***names, size_t *n);
int vb_snapshot_is_current(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                           unsigned int flags, bool *result);
int vb_snapshot_has_metadata(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                             unsigned int flags, bool *result);
int vb_snapshot_delete(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                       unsigned int flags);
int vb_snapshot_revert(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                       unsigned int flags);
