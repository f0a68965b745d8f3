/* The public snapshot API: argument and flag checks, then dispatch to the driver's snapshot table. */
#include <stdlib.h>

#include "api/checks.h"
#include "api/dispatch.h"
#include "api/snapshot.h"
#include "conf/domain_obj.h"

#define SNAPSHOTS(conn) ((conn)->driver->snapshot)
#define HAS_SNAPSHOT_SLOT(conn, slot) (SNAPSHOTS(conn) && SNAPSHOTS(conn)->slot)

void vb_snapshot_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int vb_snapshot_names(struct vb_connect *conn, vb_uuid_t uuid, char ***names, size_t *n, struct vb_error *err)
{
    *names = NULL;
    *n = 0;
    if (!HAS_SNAPSHOT_SLOT(conn, names))
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "%s", "virDomainListAllSnapshots");
    return SNAPSHOTS(conn)->names(conn->priv, uuid, names, n, err);
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

struct create_xml_args { const char *xml; unsigned int flags; char **name; };
VB_INVOKE(create_xml, SNAPSHOTS(conn)->create_xml(conn->priv, call, obj, a->xml, a->flags, a->name))

int vb_snapshot_create_xml(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                           unsigned int flags, char **name)
{
    *name = NULL;
    if (vb_check_non_null(xml, "xmlDesc", "virDomainSnapshotCreateXML", &call->err) < 0 ||
        check_create_flags(flags, &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_CREATE_XML, uuid, create_xml, HAS_SNAPSHOT_SLOT(conn, create_xml),
                xml, flags, name);
}

struct list_args { unsigned int flags; char ***names; size_t *n; };
VB_INVOKE(list, SNAPSHOTS(conn)->list(conn->priv, call, obj, a->flags, a->names, a->n))

int vb_snapshot_list(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, char ***names,
                     size_t *n)
{
    *names = NULL;
    *n = 0;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_LIST_ALL_SNAPSHOTS, uuid, list, HAS_SNAPSHOT_SLOT(conn, list), flags, names,
                n);
}

struct lookup_by_name_args { const char *name; unsigned int flags; };
VB_INVOKE(lookup_by_name, SNAPSHOTS(conn)->lookup_by_name(conn->priv, call, obj, a->name, a->flags))

int vb_snapshot_lookup_by_name(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                               unsigned int flags)
{
    if (vb_check_non_null(name, "name", "virDomainSnapshotLookupByName", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, uuid, lookup_by_name,
                HAS_SNAPSHOT_SLOT(conn, lookup_by_name), name, flags);
}

struct current_args { unsigned int flags; char **name; };
VB_INVOKE(current, SNAPSHOTS(conn)->current(conn->priv, call, obj, a->flags, a->name))

int vb_snapshot_current(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                        char **name)
{
    *name = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_CURRENT, uuid, current, HAS_SNAPSHOT_SLOT(conn, current), flags,
                name);
}

struct get_xml_desc_args { const char *name; unsigned int flags; char **xml; };
VB_INVOKE(get_xml_desc, SNAPSHOTS(conn)->get_xml_desc(conn->priv, call, obj, a->name, a->flags, a->xml))

int vb_snapshot_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                             unsigned int flags, char **xml)
{
    *xml = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_GET_XML_DESC, uuid, get_xml_desc,
                HAS_SNAPSHOT_SLOT(conn, get_xml_desc), name, flags, xml);
}

struct get_parent_args { const char *name; unsigned int flags; char **parent; };
VB_INVOKE(get_parent, SNAPSHOTS(conn)->get_parent(conn->priv, call, obj, a->name, a->flags, a->parent))

int vb_snapshot_get_parent(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                           unsigned int flags, char **parent)
{
    *parent = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_GET_PARENT, uuid, get_parent, HAS_SNAPSHOT_SLOT(conn, get_parent),
                name, flags, parent);
}

struct list_children_args { const char *name; unsigned int flags; char ***names; size_t *n; };
VB_INVOKE(list_children, SNAPSHOTS(conn)->list_children(conn->priv, call, obj, a->name, a->flags, a->names, a->n))

int vb_snapshot_list_children(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                              unsigned int flags, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN, uuid, list_children,
                HAS_SNAPSHOT_SLOT(conn, list_children), name, flags, names, n);
}

struct is_current_args { const char *name; unsigned int flags; bool *result; };
VB_INVOKE(is_current, SNAPSHOTS(conn)->is_current(conn->priv, call, obj, a->name, a->flags, a->result))

int vb_snapshot_is_current(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                           unsigned int flags, bool *result)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_IS_CURRENT, uuid, is_current, HAS_SNAPSHOT_SLOT(conn, is_current),
                name, flags, result);
}

struct has_metadata_args { const char *name; unsigned int flags; bool *result; };
VB_INVOKE(has_metadata, SNAPSHOTS(conn)->has_metadata(conn->priv, call, obj, a->name, a->flags, a->result))

int vb_snapshot_has_metadata(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                             unsigned int flags, bool *result)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_HAS_METADATA, uuid, has_metadata,
                HAS_SNAPSHOT_SLOT(conn, has_metadata), name, flags, result);
}

struct delete_args { const char *name; unsigned int flags; };
VB_INVOKE(delete, SNAPSHOTS(conn)->delete(conn->priv, call, obj, a->name, a->flags))

int vb_snapshot_delete(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                       unsigned int flags)
{
    if (vb_check_exclusive_flags(flags, VB_SNAPSHOT_DELETE_CHILDREN, "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN",
                                 VB_SNAPSHOT_DELETE_CHILDREN_ONLY, "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY",
                                 &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SNAPSHOT_DELETE, uuid, delete, HAS_SNAPSHOT_SLOT(conn, delete), name, flags);
}

struct revert_args { const char *name; unsigned int flags; };
VB_INVOKE(revert, SNAPSHOTS(conn)->revert(conn->priv, call, obj, a->name, a->flags))

int vb_snapshot_revert(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *name,
                       unsigned int flags)
{
    if (vb_check_exclusive_flags(flags, VB_SNAPSHOT_REVERT_RUNNING, "VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING",
                                 VB_SNAPSHOT_REVERT_PAUSED, "VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_REVERT_TO_SNAPSHOT, uuid, revert, HAS_SNAPSHOT_SLOT(conn, revert), name,
                flags);
}
