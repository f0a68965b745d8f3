/* The registry slots every driver answers the same way from its vb_domain_list: listing with
 * libvirt's filter flags, lookups by uuid, name and id, and the refs they hand out. */
#pragma once

#include "conf/domain_list.h"
#include "conf/domain_obj.h"
#include "drivers/driver.h"

/* Whether a domain has snapshots, for the HAS_SNAPSHOT / NO_SNAPSHOT filters (NULL: never). */
typedef bool (*vb_registry_has_snapshot_fn)(const struct vb_domain_obj *obj);

/* The domain with uuid (not referenced), or NULL with libvirt's "no domain with matching uuid". */
struct vb_domain_obj *vb_registry_find(const struct vb_domain_list *list, vb_uuid_t uuid, struct vb_error *err);
int vb_registry_fill_ref(const struct vb_domain_obj *obj, struct vb_domain_ref *ref, struct vb_error *err);
/* libvirt's virConnectListAllDomains over list (flags: VB_LIST_*, VB_LIST_UUIDS_ONLY). */
int vb_registry_list(const struct vb_domain_list *list, vb_registry_has_snapshot_fn has_snapshot, unsigned int flags,
                     struct vb_domain_ref **refs, size_t *n, struct vb_error *err);
int vb_registry_lookup_by_uuid(const struct vb_domain_list *list, vb_uuid_t uuid, struct vb_domain_ref *ref,
                               struct vb_error *err);
int vb_registry_lookup_by_name(const struct vb_domain_list *list, const char *name, struct vb_domain_ref *ref,
                               struct vb_error *err);
int vb_registry_lookup_by_id(const struct vb_domain_list *list, int id, struct vb_domain_ref *ref,
                             struct vb_error *err);
/* Fills the fields of info every driver reads from the object (not cpu_time_ns nor the
 * scheduler, which are the hypervisor's). */
int vb_registry_fill_info(const struct vb_domain_obj *obj, struct vb_domain_info *info, struct vb_error *err);

/* The definition GetXMLDesc asks for (VB_DOMAIN_XML_INACTIVE: the persistent one), formatted. */
char *vb_registry_format_xml(struct vb_domain_obj *obj, unsigned int flags, struct vb_error *err);

/* How a driver stores a persistent definition (and takes it back when adding it failed). */
struct vb_registry_store_ops {
    int (*save)(void *ctx, const struct vb_domain_def *def, struct vb_error *err);
    int (*remove)(void *ctx, const struct vb_domain_def *def, struct vb_error *err);
};

/* libvirt's DefineXML on list: a new persistent domain, or a new persistent definition for the
 * domain of the same name and UUID (waiting for its job). Takes *def (NULL afterwards on
 * success); on failure nothing changed. *obj is the domain, *existed whether it was there. */
int vb_registry_define(struct vb_domain_list *list, struct vb_call *call, struct vb_domain_def **def,
                       const struct vb_registry_store_ops *store, void *ctx, struct vb_domain_obj **obj,
                       bool *existed);

/* A domain to start def (taken) in, libvirt's virDomainObjListAdd with ADD_LIVE: the defined
 * domain of that UUID and name, its persistent definition kept for the next boot (next_def)
 * while def runs, or a new transient domain added to list. NULL with err on a conflict (the
 * check_add words, "domain 'X' is already active" included) or out of memory. */
struct vb_domain_obj *vb_registry_add_live(struct vb_domain_list *list, struct vb_domain_def *def,
                                           struct vb_error *err);
/* Undoes vb_registry_add_live after a failed start: a transient domain leaves list, a defined
 * one gets its persistent definition back. */
void vb_registry_drop_live(struct vb_domain_list *list, struct vb_domain_obj *obj);

/* An edit of one definition; it changes nothing when it fails. */
typedef int (*vb_def_edit_fn)(struct vb_domain_def *def, const void *arg, struct vb_error *err);

/* Applies edit to the definitions `affect` (resolved VB_AFFECT_LIVE / CONFIG flags) names,
 * checking LIVE on a copy before CONFIG is stored; changes nothing when an edit fails. */
int vb_registry_edit_defs(struct vb_domain_obj *obj, unsigned int affect, vb_def_edit_fn edit, const void *arg,
                          const struct vb_registry_store_ops *store, void *ctx, struct vb_error *err);

/* SetMemory's edit (arg: struct vb_memory_change): the maximum (current lowered to fit), or the
 * current size, refused above the maximum with libvirt's "cannot set memory higher than max memory". */
struct vb_memory_change {
    uint64_t kib;
    bool maximum;
};
int vb_registry_edit_memory(struct vb_domain_def *def, const void *arg, struct vb_error *err);

/* SetVcpus' edit (arg: struct vb_vcpu_change): the maximum (current lowered to fit), or the
 * current count, refused above the maximum with libvirt's words. */
struct vb_vcpu_change {
    unsigned int count;
    bool maximum;
};
int vb_registry_edit_vcpus(struct vb_domain_def *def, const void *arg, struct vb_error *err);
/* SetVcpus' checks before anything changes: flags, a count of 0 or past VB_DOMAIN_VCPUS_MAX,
 * and the affect flags resolved (*flags); a live maximum refused. */
int vb_registry_check_set_vcpus(const struct vb_domain_obj *obj, unsigned int count, unsigned int *flags,
                                struct vb_error *err);

/* The disk GetBlockInfo names by target ("vda") or source path, or NULL. */
const struct vb_device_def *vb_registry_find_disk(const struct vb_domain_def *def, const char *disk);

/* GetStats' PREFIX.count and PREFIX.N.name (disk target, interface target or MAC) and, for
 * disks, PREFIX.N.path, over obj's devices of kind (prefix "block" or "net"). */
int vb_registry_stats_devices(const struct vb_domain_obj *obj, enum vb_device_kind kind, const char *prefix,
                              struct vb_typed_params *out, struct vb_error *err);

/* libvirt's GetMetadata / SetMetadata on obj's definitions (flags: VB_AFFECT_*, resolved here). */
char *vb_registry_get_metadata(struct vb_domain_obj *obj, int type, const char *uri, unsigned int flags,
                               struct vb_error *err);
int vb_registry_set_metadata(struct vb_domain_obj *obj, int type, const char *metadata, const char *key,
                             const char *uri, unsigned int flags, const struct vb_registry_store_ops *store,
                             void *ctx, struct vb_error *err);

/* The host's name (gethostname), malloc'd. */
char *vb_registry_hostname(struct vb_error *err);

int vb_registry_get_state(const struct vb_domain_list *list, vb_uuid_t uuid, int *state, int *reason,
                          struct vb_error *err);

/* With VB_START_AUTODESTROY in flags, client owns obj: its domain goes when the client goes. */
int vb_registry_remember_autodestroy(struct vb_domain_obj *obj, unsigned int flags, vb_client_id client,
                                     struct vb_error *err);
