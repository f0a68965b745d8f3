/* What api/network.c, storage.c and host_devices.c share: calling a secondary table's slot.
 * Private to api/. */
#pragma once

#include "api/dispatch.h"
#include "api/objects.h"

/* A registry read: the slot of table (either may be NULL), or "not supported" naming op. */
#define VB_REGISTRY_SLOT(conn, table, slot, op, err, ...)                                        \
    (((conn)->driver->table && (conn)->driver->table->slot)                                      \
         ? (conn)->driver->table->slot((conn)->priv, __VA_ARGS__, (err))                         \
         : vb_objects_unsupported((op), (err)))

/* The slot of a table, or NULL. */
#define VB_TABLE_SLOT(conn, table, slot) ((conn)->driver->table ? (conn)->driver->table->slot : NULL)

/* libvirt's virCheckNonNullArgGoto for an operation's string argument. */
static inline int vb_objects_check_arg(const char *arg, const char *name, const char *api, struct vb_call *call)
{
    if (vb_check_non_null(arg, name, api, &call->err) < 0)
        return -1;
    return vb_check_string_max(arg, name, api, &call->err);
}
