/* Which libvirt ACL permissions each org.libvirt call needs: libvirt's `@acl:` annotations
 * (src/remote/remote_protocol.x) as a pure table, shared by every front end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum policy_object {
    POLICY_OBJECT_CONNECT,
    POLICY_OBJECT_DOMAIN,
};

/* When a permission applies, read from one unsigned argument of the call (libvirt's
 * `perm:FLAG`, `perm:!FLAG` and `perm::param:VALUE` forms). */
enum policy_when {
    POLICY_WHEN_ALWAYS,
    POLICY_WHEN_FLAGS_ALL,  /* (arg & value) == value */
    POLICY_WHEN_FLAGS_NONE, /* (arg & value) == 0 */
    POLICY_WHEN_ARG_EQUALS, /* arg == value */
};

struct policy_permission {
    enum policy_object object;
    const char *name; /* libvirt's permission name, "read_secure"; NULL ends a list */
    enum policy_when when;
    uint32_t value;
    unsigned int arg; /* index of the call argument the condition reads (type 'u') */
};

/* Which object the permissions are checked against. */
enum policy_target {
    POLICY_TARGET_NONE,          /* no object: allowed without a check (Introspect, Peer) */
    POLICY_TARGET_CONNECT,       /* the connection the object path names */
    POLICY_TARGET_DOMAIN_PATH,   /* the domain the object path names */
    POLICY_TARGET_SNAPSHOT_PATH, /* the domain owning the snapshot the path names */
    POLICY_TARGET_LOOKUP_NAME,   /* the domain named by argument 0 (a hidden one is "not found") */
    POLICY_TARGET_LOOKUP_UUID,
    POLICY_TARGET_LOOKUP_ID,
    POLICY_TARGET_DOMAIN_XML,    /* the domain the XML in argument `object_arg` describes */
    POLICY_TARGET_ALL_CONNECTS,  /* every connection (the ObjectManager at /org/libvirt) */
};

/* Per-domain checks of list results (libvirt's `@aclfilter:`). */
enum policy_filter {
    POLICY_FILTER_NONE,
    POLICY_FILTER_DOMAIN_GETATTR,  /* hide domains without domain:getattr */
    POLICY_FILTER_DOMAIN_READ,     /* hide domains without domain:read */
    POLICY_FILTER_DOMAIN_REQUIRED, /* every domain needs getattr and read, or the call is refused */
};

#define POLICY_MAX_PERMISSIONS 5

struct policy_rule {
    const char *interface;
    const char *member;
    enum policy_target target;
    enum policy_filter filter;
    unsigned int object_arg; /* POLICY_TARGET_DOMAIN_XML: which argument holds the XML */
    struct policy_permission permissions[POLICY_MAX_PERMISSIONS];
};

/* libvirt's flag values the conditions use. */
#define POLICY_DOMAIN_AFFECT_LIVE 1u
#define POLICY_DOMAIN_AFFECT_CONFIG 2u
#define POLICY_DOMAIN_XML_SECURE 1u
#define POLICY_DOMAIN_XML_MIGRATABLE 8u
#define POLICY_DOMAIN_GUEST_AGENT 2u /* VIR_DOMAIN_REBOOT_GUEST_AGENT, VIR_DOMAIN_SHUTDOWN_GUEST_AGENT */
#define POLICY_DOMAIN_VCPU_GUEST 8u
#define POLICY_SNAPSHOT_CREATE_QUIESCE 64u
#define POLICY_SNAPSHOT_XML_SECURE 1u
#define POLICY_INTERFACE_ADDRESSES_SRC_AGENT 1u

/* The rule for a method; NULL when there is none (the call must then be refused). */
const struct policy_rule *policy_acl_find(const char *interface, const char *member);

/* The rule for reading (Properties.Get) or writing (Properties.Set) one property; NULL when
 * there is none. */
const struct policy_rule *policy_acl_find_property(const char *interface, const char *property, bool write);

/* Properties.GetAll(interface): every permission any readable property of it needs, written to
 * out (deduplicated). Returns how many, or -ENOENT for an interface without properties. */
int policy_acl_get_all_permissions(const char *interface, const struct policy_permission **out, size_t max);

/* Whether p applies given the call's argument p->arg (ignored for POLICY_WHEN_ALWAYS). */
bool policy_permission_applies(const struct policy_permission *p, uint32_t arg);

/* "org.libvirt.api.domain.read-secure": libvirt's polkit action for a permission. Returns 0, or
 * -ENOBUFS when size is too small. */
int policy_action_id(enum policy_object object, const char *permission, char *buf, size_t size);

/* Every rule, for tests and tools that check coverage. */
const struct policy_rule *policy_acl_rules(size_t *n);
const struct policy_rule *policy_acl_property_rules(size_t *n, bool write);
