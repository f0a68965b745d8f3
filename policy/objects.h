/* The identity polkit rules see of each object kind (libvirt's viraccessdriverpolkit.c: which
 * attributes name a domain, a network, a pool, a volume, a node device, an interface), how a
 * request's object is resolved to it, how the objects a list operation returns are listed, and
 * the "not found" error a hidden object answers. Private to policy/. */
#pragma once

#include <stddef.h>

#include "api/objects.h"
#include "policy/acl.h"
#include "policy/engine.h"

/* An object's identity: its kind and its attributes (names static, values owned). */
struct policy_identity {
    enum policy_object kind; /* POLICY_OBJECT_CONNECT: no object, the connection alone */
    const char *names[POLICY_MAX_DETAILS];
    char *values[POLICY_MAX_DETAILS]; /* NULL: unknown (left out of polkit's details) */
    size_t n;
};

void policy_identity_clear(struct policy_identity *id);
/* Appends one attribute (value copied; NULL or "" is kept as unknown). 0 or -ENOMEM. */
int policy_identity_add(struct policy_identity *id, const char *name, const char *value);
/* The value of attribute name, or NULL. */
const char *policy_identity_get(const struct policy_identity *id, const char *name);
/* Copies into dst the attributes a permission on object sees (a volume's and a pool's pool_*
 * attributes reach storage_pool and storage_vol permissions alike). 0 or -ENOMEM. */
int policy_identity_for(const struct policy_identity *id, enum policy_object object, struct policy_identity *dst);

/* A domain's identity: domain_name and domain_uuid. */
int policy_identity_of_domain(const unsigned char uuid[VB_UUID_LEN], const char *name, struct policy_identity *id);
/* The identity of an object of kind that ref (as the core fills it) names. */
int policy_identity_of_object(struct vb_connect *conn, enum policy_object kind, const struct vb_object_ref *ref,
                              struct policy_identity *id);

/* Resolves a request naming a network, pool, volume, node device or interface: 1 with *id
 * filled, 0 when no such object exists (the core answers "not found" itself), -ENOMEM. */
int policy_object_resolve(const struct policy_request *req, struct policy_identity *id);

/* The objects of kind an operation lists (volumes: of the pool req names). 0, or -1 when they
 * cannot be listed (the handler reports that itself). */
int policy_objects_list(const struct policy_request *req, enum policy_object kind, struct vb_object_ref **refs,
                        size_t *n);

/* Every object of kind on conn (volumes: of every active pool). 0, or -1 (none to list). */
int policy_objects_list_all(struct vb_connect *conn, enum policy_object kind, struct vb_object_ref **refs,
                            size_t *n);

/* The "not found" error of a hidden network, pool, volume, node device or interface, worded as
 * the core words a missing one. */
void policy_object_not_found(const struct policy_request *req, struct vb_error *err);
