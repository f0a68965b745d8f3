/* Which libvirt ACL permissions each operation needs: libvirt's `@acl:` and `@aclfilter:`
 * annotations (src/remote/remote_protocol.x) as one table keyed by operation, shared by every
 * front end. An operation without a rule is refused. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/operation.h"

enum policy_object {
    POLICY_OBJECT_CONNECT,
    POLICY_OBJECT_DOMAIN,
    POLICY_OBJECT_NETWORK,
    POLICY_OBJECT_STORAGE_POOL,
    POLICY_OBJECT_STORAGE_VOL,
    POLICY_OBJECT_NODE_DEVICE,
    POLICY_OBJECT_INTERFACE,
    POLICY_OBJECT_SECRET,
    POLICY_OBJECT_NWFILTER,
};

/* When a permission applies, read from the request's flags (libvirt's `perm:FLAG` and
 * `perm:!FLAG` forms; for InterfaceAddresses libvirt passes the source as the flags). */
enum policy_when {
    POLICY_WHEN_ALWAYS,
    POLICY_WHEN_FLAGS_ALL,  /* (flags & value) == value */
    POLICY_WHEN_FLAGS_NONE, /* (flags & value) == 0 */
};

struct policy_permission {
    enum policy_object object;
    const char *name; /* libvirt's permission name, "read_secure"; NULL ends a list */
    enum policy_when when;
    uint32_t value;
};

/* What each object of a list needs to be listed (libvirt's `@aclfilter:`); an object missing one
 * is left out, never refused. */
enum {
    POLICY_FILTER_GETATTR = 1 << 0,
    POLICY_FILTER_READ = 1 << 1,
};

#define POLICY_MAX_PERMISSIONS 5

struct policy_rule {
    bool defined;      /* false: no rule, the operation is refused */
    unsigned int list_filter; /* POLICY_FILTER_*: the operation returns objects, filtered so */
    enum policy_object list_object; /* of which kind (POLICY_OBJECT_DOMAIN unless said) */
    /* Lists the objects of every kind too (Introspect, GetManagedObjects): each needs getattr,
     * as in its kind's own list. */
    bool list_every_kind;
    struct policy_permission permissions[POLICY_MAX_PERMISSIONS];
};

/* The rule for op; never NULL (an undefined rule has defined == false). */
const struct policy_rule *policy_rule_for(enum vb_operation op);

/* Whether p applies given the request's flags. */
bool policy_permission_applies(const struct policy_permission *p, uint32_t flags);

/* "org.libvirt.api.domain.read-secure": libvirt's polkit action for a permission. Returns 0, or
 * -ENOBUFS when size is too small. */
int policy_action_id(enum policy_object object, const char *permission, char *buf, size_t size);
