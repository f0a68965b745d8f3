/* The domain API every front end calls (libvirt's libvirt-domain.c): checks arguments, then
 * runs the operation on the connection's driver, answering "not supported" for a missing slot.
 *
 * Registry reads (listing, lookups, state, info) answer at once with a struct vb_error. Every
 * other function is an operation: it takes a struct vb_call (drivers/call.h) and returns 0, -1
 * with call->err set, or VB_PENDING, when call->done runs later; outputs are written through
 * the pointers given, which must stay valid until the call ends. */
#pragma once

#include "api/connect.h"
#include "api/operation.h"

/* --- registry ----------------------------------------------------------------------------- */
int vb_domain_list(struct vb_connect *conn, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                   struct vb_error *err);
/* As vb_domain_list, for callers that need UUIDs only: refs may carry no name (faster). */
int vb_domain_list_uuids(struct vb_connect *conn, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                         struct vb_error *err);
int vb_domain_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err);
int vb_domain_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_domain_ref *ref,
                             struct vb_error *err);
int vb_domain_lookup_by_id(struct vb_connect *conn, int id, struct vb_domain_ref *ref, struct vb_error *err);
int vb_domain_get_state(struct vb_connect *conn, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err);
int vb_domain_get_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err);

/* --- operations on the connection ----------------------------------------------------------- */
int vb_domain_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                         struct vb_domain_ref *ref);
int vb_domain_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                         struct vb_domain_ref *ref);
int vb_domain_restore(struct vb_connect *conn, struct vb_call *call, const char *path, const char *dxml,
                      unsigned int flags);
int vb_domain_save_image_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *path,
                                      unsigned int flags, char **xml);
int vb_domain_save_image_define_xml(struct vb_connect *conn, struct vb_call *call, const char *path,
                                    const char *dxml, unsigned int flags);
/* Statistics of the domains named, in that order, leaving out those that no longer exist. */
int vb_domain_list_get_stats(struct vb_connect *conn, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN],
                             size_t n, unsigned int stats, unsigned int flags, struct vb_domain_stats **records,
                             size_t *n_records);

/* --- operations on a domain ------------------------------------------------------------------ */
int vb_domain_create(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_destroy(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_shutdown(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_reboot(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_reset(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_suspend(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_domain_resume(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
int vb_domain_managed_save(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_save(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *path, const char *dxml,
                   unsigned int flags);
int vb_domain_undefine(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                           char **xml);
int vb_domain_has_managed_save(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                               bool *result);
int vb_domain_managed_save_remove(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_domain_set_vcpus(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int count,
                        unsigned int flags);
int vb_domain_set_memory(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, uint64_t kib,
                         unsigned int flags);
int vb_domain_set_autostart(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, bool autostart);
int vb_domain_get_metadata(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, int type, const char *uri,
                           unsigned int flags, char **metadata);
int vb_domain_set_metadata(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, int type,
                           const char *metadata, const char *key, const char *uri, unsigned int flags);
int vb_domain_get_vcpus(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                        unsigned int *count);
int vb_domain_get_vcpu_pin_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                bool **maps, unsigned int *nvcpus, unsigned int *ncpus);
int vb_domain_pin_vcpu(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int vcpu,
                       const bool *cpumap, unsigned int ncpus, unsigned int flags);
int vb_domain_set_memory_stats_period(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, int period,
                                      unsigned int flags);
int vb_domain_get_job_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, struct vb_job_info *info);
int vb_domain_abort_job(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid);
/* libvirt's virDomainGetJobStats: flags COMPLETED (1), KEEP_COMPLETED (2). */
int vb_domain_get_job_stats(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                            int *type, struct vb_typed_params *params);
int vb_domain_get_block_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                             unsigned int flags, struct vb_block_info *info);
/* libvirt's virDomainBlockResize: size in bytes with VB_DOMAIN_BLOCK_RESIZE_BYTES, KiB otherwise. */
int vb_domain_block_resize(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                           uint64_t size, unsigned int flags);
/* libvirt's virDomainBlockPeek: *buffer (malloc'd, the caller frees it) gets size bytes of disk's
 * image at offset; size at most VB_DOMAIN_BLOCK_PEEK_MAX. */
int vb_domain_block_peek(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                         uint64_t offset, uint64_t size, unsigned int flags, uint8_t **buffer);
int vb_domain_interface_addresses(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int source,
                                  unsigned int flags, struct vb_iface **ifaces, size_t *n);
int vb_domain_attach_device(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                            unsigned int flags);
int vb_domain_detach_device(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                            unsigned int flags);
int vb_domain_update_device(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                            unsigned int flags);

/* libvirt's virDomainMigrateToURI3 (parameters other than the flags are not read yet). */
int vb_domain_migrate_to_uri3(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *dconnuri,
                              unsigned int flags);

/* For operations no driver implements yet: the domain must exist (libvirt-dbus looks it up
 * first), then libvirt's "not supported" naming op's API. */
int vb_domain_unsupported(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, enum vb_operation op);
