/* The public snapshot API: argument and flag checks, then dispatch to the driver's snapshot table. */
#include <stdlib.h>

#include "api/checks.h"
#include "api/snapshot.h"

/* The driver's slot, or NULL when the driver has no snapshot table or leaves it empty. */
#define SNAPSHOT_SLOT(conn, slot) ((conn)->driver->snapshot ? (conn)->driver->snapshot->slot : NULL)

#define DISPATCH_INT(conn, slot, api, err, ...)                                  \
    do {                                                                         \
        if (!SNAPSHOT_SLOT(conn, slot))                                          \
            return vb_error_set((err), VB_ERR_NO_SUPPORT, "%s", (api));          \
        return (conn)->driver->snapshot->slot((conn)->priv, __VA_ARGS__);        \
    } while (0)

void vb_snapshot_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int check_create_flags(unsigned int flags, struct vb_error *err)
{
    /* libvirt's VIR_REQUIRE_FLAG_RET(CURRENT, REDEFINE) and its exclusions, spelled as libvirt does. */
    if ((flags & VB_SNAPSHOT_CREATE_CURRENT) && !(flags & VB_SNAPSHOT_CREATE_REDEFINE))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Flag '%s' is required by flag '%s'",
                            "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE", "VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT");
    if (vb_check_exclusive_flags(flags, VB_SNAPSHOT_CREATE_REDEFINE, "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE",
                        VB_SNAPSHOT_CREATE_NO_METADATA, "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA", err) < 0)
        return -1;
    return vb_check_exclusive_flags(flags, VB_SNAPSHOT_CREATE_REDEFINE, "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE",
                           VB_SNAPSHOT_CREATE_HALT, "VIR_DOMAIN_SNAPSHOT_CREATE_HALT", err);
}

int vb_snapshot_create_xml(struct vb_connect *conn, vb_uuid_t uuid, const char *xml, unsigned int flags,
                           char **name, struct vb_error *err)
{
    if (vb_check_non_null(xml, "xmlDesc", "virDomainSnapshotCreateXML", err) < 0 || check_create_flags(flags, err) < 0)
        return -1;
    DISPATCH_INT(conn, create_xml, "virDomainSnapshotCreateXML", err, uuid, xml, flags, name, err);
}

int vb_snapshot_list(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, char ***names, size_t *n,
                     struct vb_error *err)
{
    DISPATCH_INT(conn, list, "virDomainListAllSnapshots", err, uuid, flags, names, n, err);
}

int vb_snapshot_lookup_by_name(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                               struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virDomainSnapshotLookupByName", err) < 0)
        return -1;
    DISPATCH_INT(conn, lookup_by_name, "virDomainSnapshotLookupByName", err, uuid, name, flags, err);
}

int vb_snapshot_current(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, char **name,
                        struct vb_error *err)
{
    DISPATCH_INT(conn, current, "virDomainSnapshotCurrent", err, uuid, flags, name, err);
}

char *vb_snapshot_get_xml_desc(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                               struct vb_error *err)
{
    if (!SNAPSHOT_SLOT(conn, get_xml_desc)) {
        vb_error_set(err, VB_ERR_NO_SUPPORT, "%s", "virDomainSnapshotGetXMLDesc");
        return NULL;
    }
    return conn->driver->snapshot->get_xml_desc(conn->priv, uuid, name, flags, err);
}

int vb_snapshot_get_parent(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                           char **parent, struct vb_error *err)
{
    DISPATCH_INT(conn, get_parent, "virDomainSnapshotGetParent", err, uuid, name, flags, parent, err);
}

int vb_snapshot_list_children(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                              char ***names, size_t *n, struct vb_error *err)
{
    DISPATCH_INT(conn, list_children, "virDomainSnapshotListAllChildren", err, uuid, name, flags, names, n, err);
}

int vb_snapshot_is_current(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                           struct vb_error *err)
{
    DISPATCH_INT(conn, is_current, "virDomainSnapshotIsCurrent", err, uuid, name, flags, err);
}

int vb_snapshot_has_metadata(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                             struct vb_error *err)
{
    DISPATCH_INT(conn, has_metadata, "virDomainSnapshotHasMetadata", err, uuid, name, flags, err);
}

int vb_snapshot_delete(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                       struct vb_error *err)
{
    if (vb_check_exclusive_flags(flags, VB_SNAPSHOT_DELETE_CHILDREN, "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN",
                        VB_SNAPSHOT_DELETE_CHILDREN_ONLY, "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY", err) < 0)
        return -1;
    DISPATCH_INT(conn, delete, "virDomainSnapshotDelete", err, uuid, name, flags, err);
}

int vb_snapshot_revert(struct vb_connect *conn, vb_uuid_t uuid, const char *name, unsigned int flags,
                       struct vb_error *err)
{
    if (vb_check_exclusive_flags(flags, VB_SNAPSHOT_REVERT_RUNNING, "VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING",
                        VB_SNAPSHOT_REVERT_PAUSED, "VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED", err) < 0)
        return -1;
    DISPATCH_INT(conn, revert, "virDomainRevertToSnapshot", err, uuid, name, flags, err);
}
