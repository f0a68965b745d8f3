/* The public network API: checks as libvirt's libvirt-network.c, dispatch to the network table. */
#include "api/checks.h"
#include "api/objects_internal.h"

#define NET_SLOT(conn, slot) VB_TABLE_SLOT(conn, network, slot)

int vb_network_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                    struct vb_error *err)
{
    *refs = NULL;
    *n = 0;
    return VB_REGISTRY_SLOT(conn, network, list, VB_OP_CONNECT_LIST_ALL_NETWORKS, err, flags, refs, n);
}

int vb_network_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_object_ref *ref,
                              struct vb_error *err)
{
    return VB_REGISTRY_SLOT(conn, network, lookup_by_uuid, VB_OP_NETWORK_LOOKUP_BY_UUID, err, uuid, ref);
}

int vb_network_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref,
                              struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virNetworkLookupByName", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, network, lookup_by_name, VB_OP_NETWORK_LOOKUP_BY_NAME, err, name, ref);
}

int vb_network_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xml", "virNetworkDefineXMLFlags", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_DEFINE_XML, NET_SLOT(conn, define_xml), xml, flags, ref);
}

int vb_network_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xmlDesc", "virNetworkCreateXMLFlags", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_CREATE_XML, NET_SLOT(conn, create_xml), xml, flags, ref);
}

int vb_network_create(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_CREATE, NET_SLOT(conn, create), uuid);
}

int vb_network_destroy(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_DESTROY, NET_SLOT(conn, destroy), uuid);
}

int vb_network_undefine(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_UNDEFINE, NET_SLOT(conn, undefine), uuid);
}

int vb_network_update(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int command,
                      unsigned int section, int parent_index, const char *xml, unsigned int flags)
{
    if (vb_check_non_null(xml, "xml", "virNetworkUpdate", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_UPDATE, NET_SLOT(conn, update), uuid, command, section,
                        parent_index, xml, flags);
}

int vb_network_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                            char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_GET_XML_DESC, NET_SLOT(conn, get_xml_desc), uuid, flags, xml);
}

int vb_network_set_autostart(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, bool autostart)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NETWORK_SET_AUTOSTART, NET_SLOT(conn, set_autostart), uuid, autostart);
}

int vb_network_get_dhcp_leases(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    (void) conn;
    (void) uuid;
    return vb_dispatch_unsupported(call, VB_OP_NETWORK_GET_DHCP_LEASES);
}
