/* The public storage API: checks as libvirt's libvirt-storage.c, dispatch to the storage table. */
#include "api/checks.h"
#include "api/objects_internal.h"

#define STORAGE_SLOT(conn, slot) VB_TABLE_SLOT(conn, storage, slot)

int vb_pool_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                 struct vb_error *err)
{
    *refs = NULL;
    *n = 0;
    return VB_REGISTRY_SLOT(conn, storage, list_pools, VB_OP_CONNECT_LIST_ALL_STORAGE_POOLS, err, flags, refs, n);
}

int vb_pool_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err)
{
    return VB_REGISTRY_SLOT(conn, storage, pool_lookup_by_uuid, VB_OP_STORAGE_POOL_LOOKUP_BY_UUID, err, uuid, ref);
}

int vb_pool_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref, struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virStoragePoolLookupByName", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, storage, pool_lookup_by_name, VB_OP_STORAGE_POOL_LOOKUP_BY_NAME, err, name, ref);
}

int vb_pool_list_volumes(struct vb_connect *conn, vb_uuid_t pool, unsigned int flags, struct vb_object_ref **refs,
                         size_t *n, struct vb_error *err)
{
    *refs = NULL;
    *n = 0;
    return VB_REGISTRY_SLOT(conn, storage, list_volumes, VB_OP_STORAGE_POOL_LIST_ALL_VOLUMES, err, pool, flags, refs,
                            n);
}

int vb_vol_lookup_by_key(struct vb_connect *conn, const char *key, struct vb_object_ref *ref, struct vb_error *err)
{
    if (vb_check_non_null(key, "key", "virStorageVolLookupByKey", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, storage, vol_lookup_by_key, VB_OP_STORAGE_VOL_LOOKUP_BY_KEY, err, key, ref);
}

int vb_vol_lookup_by_path(struct vb_connect *conn, const char *path, struct vb_object_ref *ref, struct vb_error *err)
{
    if (vb_check_non_null(path, "path", "virStorageVolLookupByPath", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, storage, vol_lookup_by_path, VB_OP_STORAGE_VOL_LOOKUP_BY_PATH, err, path, ref);
}

int vb_vol_lookup_by_name(struct vb_connect *conn, vb_uuid_t pool, const char *name, struct vb_object_ref *ref,
                          struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virStorageVolLookupByName", err) < 0)
        return -1;
    return VB_REGISTRY_SLOT(conn, storage, vol_lookup_by_name, VB_OP_STORAGE_VOL_LOOKUP_BY_NAME, err, pool, name,
                            ref);
}

int vb_find_pool_sources(struct vb_connect *conn, struct vb_call *call, const char *type, const char *spec,
                         unsigned int flags, char **xml)
{
    *xml = NULL;
    if (vb_check_non_null(type, "type", "virConnectFindStoragePoolSources", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_FIND_STORAGE_POOL_SOURCES, STORAGE_SLOT(conn, find_pool_sources),
                        type, spec, flags, xml);
}

int vb_pool_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                       struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xml", "virStoragePoolDefineXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_DEFINE_XML, STORAGE_SLOT(conn, pool_define_xml), xml, flags,
                        ref);
}

int vb_pool_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                       struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xmlDesc", "virStoragePoolCreateXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_CREATE_XML, STORAGE_SLOT(conn, pool_create_xml), xml, flags,
                        ref);
}

int vb_pool_build(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    if (vb_check_exclusive_flags(flags, VB_POOL_BUILD_NO_OVERWRITE, "VIR_STORAGE_POOL_BUILD_NO_OVERWRITE",
                                 VB_POOL_BUILD_OVERWRITE, "VIR_STORAGE_POOL_BUILD_OVERWRITE", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_BUILD, STORAGE_SLOT(conn, pool_build), uuid, flags);
}

int vb_pool_create(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_CREATE, STORAGE_SLOT(conn, pool_create), uuid, flags);
}

int vb_pool_destroy(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_DESTROY, STORAGE_SLOT(conn, pool_destroy), uuid);
}

int vb_pool_delete(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_DELETE, STORAGE_SLOT(conn, pool_delete), uuid, flags);
}

int vb_pool_undefine(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_UNDEFINE, STORAGE_SLOT(conn, pool_undefine), uuid);
}

int vb_pool_refresh(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_REFRESH, STORAGE_SLOT(conn, pool_refresh), uuid, flags);
}

int vb_pool_get_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, struct vb_pool_info *info)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_GET_INFO, STORAGE_SLOT(conn, pool_get_info), uuid, info);
}

int vb_pool_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                         char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_GET_XML_DESC, STORAGE_SLOT(conn, pool_get_xml_desc), uuid,
                        flags, xml);
}

int vb_pool_set_autostart(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, bool autostart)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_POOL_SET_AUTOSTART, STORAGE_SLOT(conn, pool_set_autostart), uuid,
                        autostart);
}

int vb_vol_create_xml(struct vb_connect *conn, struct vb_call *call, vb_uuid_t pool, const char *xml,
                      unsigned int flags, struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xmlDesc", "virStorageVolCreateXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_CREATE_XML, STORAGE_SLOT(conn, vol_create_xml), pool, xml,
                        flags, ref);
}

int vb_vol_create_xml_from(struct vb_connect *conn, struct vb_call *call, vb_uuid_t pool, const char *xml,
                           const char *clone_key, unsigned int flags, struct vb_object_ref *ref)
{
    if (vb_check_non_null(xml, "xmlDesc", "virStorageVolCreateXMLFrom", &call->err) < 0 ||
        vb_check_non_null(clone_key, "clonevol", "virStorageVolCreateXMLFrom", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_CREATE_XML_FROM, STORAGE_SLOT(conn, vol_create_xml_from), pool,
                        xml, clone_key, flags, ref);
}

int vb_vol_delete(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_DELETE, STORAGE_SLOT(conn, vol_delete), key, flags);
}

int vb_vol_get_info(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int flags,
                    struct vb_vol_info *info)
{
    VB_CHECK_FLAGS(flags, 1, &call->err); /* VIR_STORAGE_VOL_GET_PHYSICAL */
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_GET_INFO, STORAGE_SLOT(conn, vol_get_info), key, info);
}

int vb_vol_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int flags,
                        char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_GET_XML_DESC, STORAGE_SLOT(conn, vol_get_xml_desc), key, flags,
                        xml);
}

int vb_vol_resize(struct vb_connect *conn, struct vb_call *call, const char *key, uint64_t capacity,
                  unsigned int flags)
{
    /* libvirt's virStorageVolResize: a zero capacity only means something relative. */
    if (capacity == 0 && !(flags & (VB_VOL_RESIZE_DELTA | VB_VOL_RESIZE_SHRINK)))
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG,
                            "capacity in virStorageVolResize must be non-zero without "
                            "VIR_STORAGE_VOL_RESIZE_DELTA or VIR_STORAGE_VOL_RESIZE_SHRINK");
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_RESIZE, STORAGE_SLOT(conn, vol_resize), key, capacity, flags);
}

int vb_vol_wipe(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int pattern,
                unsigned int flags)
{
    return VB_CALL_SLOT(conn, call, VB_OP_STORAGE_VOL_WIPE, STORAGE_SLOT(conn, vol_wipe), key, pattern, flags);
}
