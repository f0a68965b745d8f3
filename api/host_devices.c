/* The public node device and host interface API: checks as libvirt's libvirt-nodedev.c and
 * libvirt-interface.c, dispatch to the nodedev and interface tables. */
#include "api/checks.h"
#include "api/objects_internal.h"

#define NODEDEV_SLOT(conn, slot) VB_TABLE_SLOT(conn, nodedev, slot)
#define IFACE_SLOT(conn, slot) VB_TABLE_SLOT(conn, interface, slot)

int vb_nodedev_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                    struct vb_error *err)
{
    *refs = NULL;
    *n = 0;
    return VB_REGISTRY_SLOT(conn, nodedev, list, VB_OP_CONNECT_LIST_ALL_NODE_DEVICES, err, flags, refs, n);
}

int vb_nodedev_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref,
                              struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virNodeDeviceLookupByName", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, nodedev, lookup_by_name, VB_OP_NODE_DEVICE_LOOKUP_BY_NAME, err, name, ref);
}

int vb_nodedev_lookup_scsi_host_by_wwn(struct vb_connect *conn, const char *wwnn, const char *wwpn,
                                       unsigned int flags, struct vb_object_ref *ref, struct vb_error *err)
{
    if (vb_check_non_null(wwnn, "wwnn", "virNodeDeviceLookupSCSIHostByWWN", err) < 0 ||
        vb_check_non_null(wwpn, "wwpn", "virNodeDeviceLookupSCSIHostByWWN", err) < 0)
        return -1;
    VB_CHECK_FLAGS(flags, 0, err);
    return VB_REGISTRY_SLOT(conn, nodedev, lookup_scsi_host_by_wwn, VB_OP_NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN, err,
                            wwnn, wwpn, ref);
}

int vb_nodedev_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xmlDesc", "virNodeDeviceCreateXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_DEVICE_CREATE_XML, NODEDEV_SLOT(conn, create_xml), xml, flags, ref);
}

int vb_nodedev_destroy(struct vb_connect *conn, struct vb_call *call, const char *name)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_DEVICE_DESTROY, NODEDEV_SLOT(conn, destroy), name);
}

int vb_nodedev_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags,
                            char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_DEVICE_GET_XML_DESC, NODEDEV_SLOT(conn, get_xml_desc), name, flags,
                        xml);
}

int vb_nodedev_list_caps(struct vb_connect *conn, struct vb_call *call, const char *name, char ***caps, size_t *n)
{
    *caps = NULL;
    *n = 0;
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_DEVICE_LIST_CAPS, NODEDEV_SLOT(conn, list_caps), name, caps, n);
}

int vb_nodedev_unsupported(struct vb_connect *conn, struct vb_call *call, enum vb_operation op)
{
    (void) conn;
    return vb_dispatch_unsupported(call, op);
}

int vb_interface_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                      struct vb_error *err)
{
    *refs = NULL;
    *n = 0;
    return VB_REGISTRY_SLOT(conn, interface, list, VB_OP_CONNECT_LIST_ALL_INTERFACES, err, flags, refs, n);
}

int vb_interface_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref,
                                struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virInterfaceLookupByName", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, interface, lookup_by_name, VB_OP_INTERFACE_LOOKUP_BY_NAME, err, name, ref);
}

int vb_interface_lookup_by_mac(struct vb_connect *conn, const char *mac, struct vb_object_ref *ref,
                               struct vb_error *err)
{
    if (vb_check_non_null(mac, "macstr", "virInterfaceLookupByMACString", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, interface, lookup_by_mac, VB_OP_INTERFACE_LOOKUP_BY_MAC_STRING, err, mac, ref);
}

int vb_interface_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                            struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xml", "virInterfaceDefineXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_INTERFACE_DEFINE_XML, IFACE_SLOT(conn, define_xml), xml, flags, ref);
}

int vb_interface_undefine(struct vb_connect *conn, struct vb_call *call, const char *name)
{
    return VB_CALL_SLOT(conn, call, VB_OP_INTERFACE_UNDEFINE, IFACE_SLOT(conn, undefine), name);
}

int vb_interface_create(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_INTERFACE_CREATE, IFACE_SLOT(conn, create), name, flags);
}

int vb_interface_destroy(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_INTERFACE_DESTROY, IFACE_SLOT(conn, destroy), name, flags);
}

int vb_interface_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags,
                              char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_INTERFACE_GET_XML_DESC, IFACE_SLOT(conn, get_xml_desc), name, flags, xml);
}
