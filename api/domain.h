/* The domain API every front end calls (libvirt's libvirt-domain.c): checks arguments, then
 * dispatches to the connection's driver, answering "not supported" for a missing slot.
 * Lifecycle calls may complete later: they return VB_PENDING and call `done` once. */
#pragma once

#include "api/connect.h"

int vb_domain_list(struct vb_connect *conn, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                   struct vb_error *err);
int vb_domain_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err);
int vb_domain_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_domain_ref *ref,
                             struct vb_error *err);
int vb_domain_lookup_by_id(struct vb_connect *conn, int id, struct vb_domain_ref *ref, struct vb_error *err);

int vb_domain_define_xml(struct vb_connect *conn, const char *xml, unsigned int flags, struct vb_domain_ref *ref,
                         struct vb_error *err);
int vb_domain_undefine(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
char *vb_domain_get_xml_desc(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);

int vb_domain_create_xml(struct vb_connect *conn, const char *xml, unsigned int flags, vb_client_id client,
                         struct vb_domain_ref *ref, const struct vb_completion *done, struct vb_error *err);
int vb_domain_create(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, vb_client_id client,
                     const struct vb_completion *done, struct vb_error *err);
int vb_domain_destroy(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                      struct vb_error *err);
int vb_domain_shutdown(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                       struct vb_error *err);
int vb_domain_reboot(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                     struct vb_error *err);
int vb_domain_reset(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                    struct vb_error *err);
int vb_domain_suspend(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err);
int vb_domain_resume(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err);
int vb_domain_managed_save(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                           const struct vb_completion *done, struct vb_error *err);
int vb_domain_save(struct vb_connect *conn, vb_uuid_t uuid, const char *path, const char *dxml, unsigned int flags,
                   const struct vb_completion *done, struct vb_error *err);
int vb_domain_restore(struct vb_connect *conn, const char *path, const char *dxml, unsigned int flags,
                      const struct vb_completion *done, struct vb_error *err);

int vb_domain_get_state(struct vb_connect *conn, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err);
int vb_domain_get_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err);
int vb_domain_has_managed_save(struct vb_connect *conn, vb_uuid_t uuid, struct vb_error *err);
int vb_domain_managed_save_remove(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
int vb_domain_set_vcpus(struct vb_connect *conn, vb_uuid_t uuid, unsigned int count, unsigned int flags,
                        struct vb_error *err);
int vb_domain_set_memory(struct vb_connect *conn, vb_uuid_t uuid, uint64_t kib, unsigned int flags,
                         struct vb_error *err);
int vb_domain_set_autostart(struct vb_connect *conn, vb_uuid_t uuid, bool autostart, struct vb_error *err);
char *vb_domain_get_metadata(struct vb_connect *conn, vb_uuid_t uuid, int type, const char *uri, unsigned int flags,
                             struct vb_error *err);
int vb_domain_set_metadata(struct vb_connect *conn, vb_uuid_t uuid, int type, const char *metadata, const char *key,
                           const char *uri, unsigned int flags, struct vb_error *err);
