/* A driver's set of domains, indexed by UUID, name and id, with libvirt's duplicate rules. */
#pragma once

#include <stddef.h>

#include "conf/domain_obj.h"

struct vb_domain_list;

struct vb_domain_list *vb_domain_list_new(void);
/* Frees the list and every domain in it. */
void vb_domain_list_free(struct vb_domain_list *list);

/* Checks whether def may be added: libvirt's virDomainObjListAdd rules. Returns the existing
 * domain with the same UUID and name (the caller updates it), NULL with *conflict == 0 when
 * it is new, or NULL with err set on a conflict:
 *   same UUID, other name → "domain '%s' is already defined with uuid %s"
 *   same name, other UUID → "domain '%s' already exists with uuid %s"
 *   same UUID, active, and live_add → "domain '%s' is already active" */
struct vb_domain_obj *vb_domain_list_check_add(struct vb_domain_list *list, const struct vb_domain_def *def,
                                               bool live_add, int *conflict, struct vb_error *err);

/* Adds a new domain object, taking the caller's reference. Fails with -ENOMEM leaving the list
 * unchanged (the reference is then still the caller's). */
int vb_domain_list_add(struct vb_domain_list *list, struct vb_domain_obj *obj);

/* A new domain object for def (taken), added to the list, which holds the only reference.
 * NULL when out of memory: def is freed and the list is unchanged. */
struct vb_domain_obj *vb_domain_list_add_def(struct vb_domain_list *list, struct vb_domain_def *def);

/* Removes obj and drops the list's reference: obj is freed unless a call still holds it, and is
 * marked removed. */
void vb_domain_list_remove(struct vb_domain_list *list, struct vb_domain_obj *obj);

/* Call after the domain's id changes so lookups by id stay right. */
int vb_domain_list_reindex_id(struct vb_domain_list *list, struct vb_domain_obj *obj, int old_id);

/* Re-indexes obj under new_name, for a rename; the caller then renames the definitions.
 * -EEXIST when another domain has that name, -ENOMEM; the list is unchanged on failure. */
int vb_domain_list_rename(struct vb_domain_list *list, struct vb_domain_obj *obj, const char *new_name);

struct vb_domain_obj *vb_domain_list_find_by_uuid(const struct vb_domain_list *list,
                                                  const unsigned char uuid[VB_UUID_LEN]);
struct vb_domain_obj *vb_domain_list_find_by_name(const struct vb_domain_list *list, const char *name);
struct vb_domain_obj *vb_domain_list_find_by_id(const struct vb_domain_list *list, int id);

size_t vb_domain_list_count(const struct vb_domain_list *list);

/* Snapshot of the objects in insertion order (the array is malloc'd, the objects are not
 * copied). Returns the count, or -ENOMEM. */
int vb_domain_list_collect(const struct vb_domain_list *list, struct vb_domain_obj ***objs);

/* The UUIDs of every domain, in insertion order, without touching the domain objects (fast for
 * listing thousands). malloc'd array; returns the count, or -ENOMEM. */
int vb_domain_list_collect_uuids(const struct vb_domain_list *list, unsigned char (**uuids)[VB_UUID_LEN]);
