/* The public API of networks, storage pools and volumes, node devices and host interfaces
 * (libvirt's libvirt-network.c, libvirt-storage.c, libvirt-nodedev.c, libvirt-interface.c):
 * argument and flag checks, then dispatch to the connection's secondary driver tables, "not
 * supported" for a missing table or slot. Registry reads answer at once with err; operations
 * answer 0, -1 (call->err) or VB_PENDING (drivers/call.h). Refs are filled by the driver and
 * owned by the caller (vb_object_ref_clear / vb_object_refs_free). Secrets and network filters
 * have no driver anywhere: every call about them answers "not supported". */
#pragma once

#include "api/connect.h"
#include "api/operation.h"
#include "drivers/driver_host_devices.h"
#include "drivers/driver_network.h"
#include "drivers/driver_storage.h"

/* --- networks (api/network.c) ------------------------------------------------------------- */
int vb_network_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                    struct vb_error *err);
int vb_network_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_object_ref *ref,
                              struct vb_error *err);
int vb_network_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref,
                              struct vb_error *err);
int vb_network_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref);
int vb_network_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref);
int vb_network_create(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_network_destroy(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_network_undefine(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_network_update(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int command,
                      unsigned int section, int parent_index, const char *xml, unsigned int flags);
int vb_network_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                            char **xml);
int vb_network_set_autostart(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, bool autostart);
int vb_network_get_dhcp_leases(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);

/* --- storage pools and volumes (api/storage.c) --------------------------------------------- */
int vb_pool_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                 struct vb_error *err);
int vb_pool_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err);
int vb_pool_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref, struct vb_error *err);
int vb_pool_list_volumes(struct vb_connect *conn, vb_uuid_t pool, unsigned int flags, struct vb_object_ref **refs,
                         size_t *n, struct vb_error *err);
int vb_vol_lookup_by_key(struct vb_connect *conn, const char *key, struct vb_object_ref *ref, struct vb_error *err);
int vb_vol_lookup_by_path(struct vb_connect *conn, const char *path, struct vb_object_ref *ref, struct vb_error *err);
int vb_vol_lookup_by_name(struct vb_connect *conn, vb_uuid_t pool, const char *name, struct vb_object_ref *ref,
                          struct vb_error *err);
int vb_find_pool_sources(struct vb_connect *conn, struct vb_call *call, const char *type, const char *spec,
                         unsigned int flags, char **xml);
int vb_pool_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                       struct vb_object_ref *ref);
int vb_pool_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                       struct vb_object_ref *ref);
int vb_pool_build(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_pool_create(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_pool_destroy(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_pool_delete(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_pool_undefine(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_pool_refresh(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_pool_get_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, struct vb_pool_info *info);
int vb_pool_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                         char **xml);
int vb_pool_set_autostart(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, bool autostart);
int vb_vol_create_xml(struct vb_connect *conn, struct vb_call *call, vb_uuid_t pool, const char *xml,
                      unsigned int flags, struct vb_object_ref *ref);
int vb_vol_create_xml_from(struct vb_connect *conn, struct vb_call *call, vb_uuid_t pool, const char *xml,
                           const char *clone_key, unsigned int flags, struct vb_object_ref *ref);
int vb_vol_delete(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int flags);
int vb_vol_get_info(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int flags,
                    struct vb_vol_info *info);
int vb_vol_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int flags,
                        char **xml);
int vb_vol_resize(struct vb_connect *conn, struct vb_call *call, const char *key, uint64_t capacity,
                  unsigned int flags);
int vb_vol_wipe(struct vb_connect *conn, struct vb_call *call, const char *key, unsigned int pattern,
                unsigned int flags);

/* --- node devices and host interfaces (api/host_devices.c) ---------------------------------- */
int vb_nodedev_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                    struct vb_error *err);
int vb_nodedev_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref,
                              struct vb_error *err);
int vb_nodedev_lookup_scsi_host_by_wwn(struct vb_connect *conn, const char *wwnn, const char *wwpn,
                                       unsigned int flags, struct vb_object_ref *ref, struct vb_error *err);
int vb_nodedev_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                          struct vb_object_ref *ref);
int vb_nodedev_destroy(struct vb_connect *conn, struct vb_call *call, const char *name);
int vb_nodedev_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags,
                            char **xml);
int vb_nodedev_list_caps(struct vb_connect *conn, struct vb_call *call, const char *name, char ***caps, size_t *n);
/* Detach, ReAttach, Reset: no driver serves them ("not supported"). */
int vb_nodedev_unsupported(struct vb_connect *conn, struct vb_call *call, enum vb_operation op);

int vb_interface_list(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                      struct vb_error *err);
int vb_interface_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_object_ref *ref,
                                struct vb_error *err);
int vb_interface_lookup_by_mac(struct vb_connect *conn, const char *mac, struct vb_object_ref *ref,
                               struct vb_error *err);
int vb_interface_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                            struct vb_object_ref *ref);
int vb_interface_undefine(struct vb_connect *conn, struct vb_call *call, const char *name);
int vb_interface_create(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags);
int vb_interface_destroy(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags);
int vb_interface_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *name, unsigned int flags,
                              char **xml);

/* --- secrets, network filters, interface transactions (api/objects.c): "not supported" ---- */
/* The registry answer for a kind no driver serves (list or lookup of secrets, nwfilters). */
int vb_objects_unsupported(enum vb_operation op, struct vb_error *err);
