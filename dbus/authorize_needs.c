/* From a D-Bus call to the polkit questions it needs answered: the ACL rule for its interface
 * and member (or property), the object its path or arguments name, and the flags its
 * arguments carry. Arguments are read and the message rewound, so handlers see it untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "conf/domain_def.h"
#include "dbus/authorize_needs.h"
#include "dbus/paths.h"
#include "policy/acl.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* Core calls made only to learn about an object: their errors are the handler's to report. */
#define QUIETLY(call, ...)                                   \
    ({                                                       \
        struct vb_error quiet_err_ = VB_ERROR_INIT;          \
        int quiet_r_ = call(__VA_ARGS__, &quiet_err_);       \
        vb_error_clear(&quiet_err_);                          \
        quiet_r_;                                            \
    })

static const char *strna(const char *s)
{
    return s ? s : "n/a";
}
#define MAX_PLAN_PERMISSIONS 16

/* What the table says about one call. */
struct plan {
    enum policy_target target;
    enum policy_filter filter;
    unsigned int object_arg;
    const struct policy_permission *permissions[MAX_PLAN_PERMISSIONS];
    size_t n;
};

/* The object a call is about, once resolved. */
struct target {
    const struct dbus_connect *dc;
    bool has_domain;
    char *name;
    char uuid[VB_UUID_STRING_LEN];
};

const char *auth_connect_driver(const struct dbus_connect *dc)
{
    const char *slash = strrchr(dc->path, '/');

    return slash ? slash + 1 : dc->path;
}

struct policy_details auth_need_details(const struct auth_need *need)
{
    return (struct policy_details){
        .connect_driver = need->connect_driver,
        .domain_name = need->domain_name,
        .domain_uuid = need->domain_uuid[0] ? need->domain_uuid : NULL,
    };
}

char *auth_domain_key(const char *sender, const struct dbus_connect *dc, const char *permission,
                      const struct vb_domain_ref *ref)
{
    struct policy_subject subject = { .kind = POLICY_SUBJECT_BUS_NAME, .bus_name = sender };
    char action[96], uuid[VB_UUID_STRING_LEN];
    struct policy_details details = { .connect_driver = auth_connect_driver(dc), .domain_name = ref->name,
                                      .domain_uuid = uuid };

    if (policy_action_id(POLICY_OBJECT_DOMAIN, permission, action, sizeof(action)) < 0)
        return NULL;
    vb_uuid_format(ref->uuid, uuid);
    return policy_polkit_key(&subject, action, &details);
}

void auth_needs_clear(struct auth_needs *needs)
{
    for (size_t i = 0; i < needs->n; i++) {
        free(needs->items[i].domain_name);
        free(needs->items[i].key);
    }
    free(needs->items);
    *needs = (struct auth_needs){ 0 };
}

/* --- reading arguments without consuming them ------------------------------------------ */

static int skip_args(sd_bus_message *m, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        const char *contents = NULL;
        char type, signature[256];
        int r = sd_bus_message_peek_type(m, &type, &contents);

        if (r <= 0)
            return r < 0 ? r : -ENXIO;
        if (!contents)
            snprintf(signature, sizeof(signature), "%c", type);
        else if (type == 'a')
            snprintf(signature, sizeof(signature), "a%s", contents);
        else if (type == 'r')
            snprintf(signature, sizeof(signature), "(%s)", contents);
        else
            snprintf(signature, sizeof(signature), "%c", type);
        r = sd_bus_message_skip(m, signature);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Reads argument index of basic type `type` into value; the message is rewound afterwards. */
static int read_arg(sd_bus_message *m, unsigned int index, char type, void *value)
{
    char actual;
    int r;

    sd_bus_message_rewind(m, true);
    r = skip_args(m, index);
    if (r >= 0)
        r = sd_bus_message_peek_type(m, &actual, NULL);
    if (r == 0 || (r > 0 && actual != type))
        r = -EINVAL;
    if (r > 0)
        r = sd_bus_message_read_basic(m, type, value);
    sd_bus_message_rewind(m, true);
    return r < 0 ? r : 0;
}

/* --- which rule ------------------------------------------------------------------------ */

static void plan_add_rule(struct plan *plan, const struct policy_rule *rule)
{
    plan->target = rule->target;
    plan->filter = rule->filter;
    plan->object_arg = rule->object_arg;
    for (const struct policy_permission *p = rule->permissions; p->name && plan->n < MAX_PLAN_PERMISSIONS; p++)
        plan->permissions[plan->n++] = p;
}

static int plan_properties(sd_bus_message *m, const char *member, struct plan *plan)
{
    const char *interface = NULL, *property = NULL;
    const struct policy_rule *rule = NULL;

    if (read_arg(m, 0, 's', &interface) < 0)
        return -ENOENT;
    if (streq(member, "GetAll")) {
        int n = policy_acl_get_all_permissions(interface, plan->permissions, MAX_PLAN_PERMISSIONS);
        if (n < 0)
            return -ENOENT;
        plan->n = (size_t) n;
        plan->target = streq(interface, DBUS_CONNECT_INTERFACE) ? POLICY_TARGET_CONNECT : POLICY_TARGET_DOMAIN_PATH;
        return 0;
    }
    if ((streq(member, "Get") || streq(member, "Set")) && read_arg(m, 1, 's', &property) >= 0)
        rule = policy_acl_find_property(interface, property, streq(member, "Set"));
    if (!rule)
        return -ENOENT;
    plan_add_rule(plan, rule);
    return 0;
}

static int make_plan(sd_bus_message *m, struct plan *plan)
{
    const char *interface = sd_bus_message_get_interface(m);
    const char *member = sd_bus_message_get_member(m);
    const struct policy_rule *rule;

    if (!interface || !member)
        return -ENOENT;
    if (streq(interface, PROPERTIES_INTERFACE))
        return plan_properties(m, member, plan);
    rule = policy_acl_find(interface, member);
    if (!rule)
        return -ENOENT;
    plan_add_rule(plan, rule);
    return 0;
}

/* --- which object ---------------------------------------------------------------------- */

enum path_kind { PATH_OTHER, PATH_CONNECT, PATH_DOMAIN, PATH_SNAPSHOT };

static bool has_child_prefix(const char *path, const char *prefix, const char *child)
{
    size_t len = strlen(prefix), child_len = strlen(child);

    return strncmp(path, prefix, len) == 0 && strncmp(path + len, child, child_len) == 0;
}

static const struct dbus_connect *connect_for_path(const struct dbus_frontend *frontend, const char *path,
                                                   enum path_kind *kind)
{
    for (size_t i = 0; i < frontend->n_connects; i++) {
        const struct dbus_connect *dc = &frontend->connects[i];

        if (streq(path, dc->path))
            *kind = PATH_CONNECT;
        else if (has_child_prefix(path, dc->path, "/domain/"))
            *kind = PATH_DOMAIN;
        else if (has_child_prefix(path, dc->path, "/domainsnapshot/"))
            *kind = PATH_SNAPSHOT;
        else
            continue;
        return dc;
    }
    return NULL;
}

/* ".../domainsnapshot/_<uuid as _>_<name>" → the owning domain's UUID. */
static int snapshot_domain_uuid(const struct dbus_connect *dc, const char *path, unsigned char uuid[VB_UUID_LEN])
{
    const char *leaf = path + strlen(dc->path) + strlen("/domainsnapshot/");
    size_t uuid_len = VB_UUID_STRING_LEN; /* "_" + 36 characters */
    _cleanup_free_ char *domain_path = NULL;

    if (strnlen(leaf, uuid_len + 1) <= uuid_len || leaf[uuid_len] != '_')
        return -EINVAL;
    if (asprintf(&domain_path, "%s/%.*s", dc->domain_prefix, (int) uuid_len, leaf) < 0)
        return -ENOMEM;
    return dbus_domain_uuid_from_path(dc->domain_prefix, domain_path, uuid);
}

static int target_from_ref(struct target *target, struct vb_domain_ref *ref)
{
    target->has_domain = true;
    target->name = TAKE_PTR(ref->name);
    vb_uuid_format(ref->uuid, target->uuid);
    return 1;
}

/* Returns 1 with the domain filled in, 0 when the path names no existing domain. */
static int target_from_uuid(struct target *target, const unsigned char uuid[VB_UUID_LEN])
{
    struct vb_domain_ref ref = { 0 };

    if (QUIETLY(vb_domain_lookup_by_uuid, target->dc->conn, uuid, &ref) < 0)
        return 0;
    return target_from_ref(target, &ref);
}

/* The domain a definition XML describes: its name, and the UUID it will have (the existing
 * domain's of that name, else the XML's). An XML that does not parse leaves no domain: the
 * check then carries the connection only and so matches no per-domain rule. */
static void target_from_xml(struct target *target, const char *xml)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    struct vb_domain_ref ref = { 0 };

    struct vb_error err = VB_ERROR_INIT;

    if (xml && *xml)
        def = vb_domain_def_parse_string(xml, &err);
    vb_error_clear(&err);
    if (!def || !def->name)
        return;
    if (QUIETLY(vb_domain_lookup_by_name, target->dc->conn, def->name, &ref) >= 0) {
        target_from_ref(target, &ref);
        return;
    }
    target->name = strdup(def->name);
    target->has_domain = target->name != NULL;
    if (strstr(xml, "<uuid"))
        vb_uuid_format(def->uuid, target->uuid);
}

char *auth_needs_not_found(const struct auth_needs *needs)
{
    const struct auth_need *visible = NULL;
    struct vb_error err = VB_ERROR_INIT;
    char *message;

    for (size_t i = 0; i < needs->n && !visible; i++)
        if (needs->items[i].kind == AUTH_NEED_VISIBLE)
            visible = &needs->items[i];
    if (needs->not_found == AUTH_NOT_FOUND_ID)
        vb_error_set(&err, VB_ERR_NO_DOMAIN, "no domain with matching id %d", (int) needs->not_found_id);
    else if (needs->not_found == AUTH_NOT_FOUND_NAME && visible)
        vb_error_set(&err, VB_ERR_NO_DOMAIN, "no domain with matching name '%s'", visible->domain_name);
    else
        vb_error_set(&err, VB_ERR_NO_DOMAIN, "no domain with matching uuid '%s'", visible ? visible->domain_uuid : "");
    message = err.message ? strdup(err.message) : NULL;
    vb_error_clear(&err);
    return message;
}

/* Resolves the object of a lookup; 1 found, 0 no such domain (the handler says so). */
static int resolve_lookup(sd_bus_message *m, enum policy_target kind, struct target *target,
                          struct auth_needs *needs)
{
    struct vb_domain_ref ref = { 0 };
    unsigned char uuid[VB_UUID_LEN];
    const char *text = NULL;
    int32_t id = 0;

    if (kind == POLICY_TARGET_LOOKUP_ID) {
        if (read_arg(m, 0, 'i', &id) < 0 || QUIETLY(vb_domain_lookup_by_id, target->dc->conn, id, &ref) < 0)
            return 0;
        needs->not_found = AUTH_NOT_FOUND_ID;
        needs->not_found_id = id;
    } else if (read_arg(m, 0, 's', &text) < 0) {
        return 0;
    } else if (kind == POLICY_TARGET_LOOKUP_NAME) {
        if (QUIETLY(vb_domain_lookup_by_name, target->dc->conn, text, &ref) < 0)
            return 0;
        needs->not_found = AUTH_NOT_FOUND_NAME;
    } else {
        if (vb_uuid_parse(text, uuid) < 0 || QUIETLY(vb_domain_lookup_by_uuid, target->dc->conn, uuid, &ref) < 0)
            return 0;
        needs->not_found = AUTH_NOT_FOUND_UUID;
    }
    return target_from_ref(target, &ref);
}

/* 1 when the call is about an object to check, 0 when it reaches no object (sd-bus or the
 * handler then answers UnknownObject/"not found"), negative on failure. */
static int resolve_target(sd_bus_message *m, const struct plan *plan, enum path_kind kind, struct target *target,
                          struct auth_needs *needs)
{
    unsigned char uuid[VB_UUID_LEN];
    const char *xml = NULL;

    switch (plan->target) {
    case POLICY_TARGET_CONNECT:
        return kind == PATH_CONNECT;
    case POLICY_TARGET_DOMAIN_PATH:
        if (kind != PATH_DOMAIN ||
            dbus_domain_uuid_from_path(target->dc->domain_prefix, sd_bus_message_get_path(m), uuid) < 0)
            return 0;
        break;
    case POLICY_TARGET_SNAPSHOT_PATH:
        if (kind != PATH_SNAPSHOT || snapshot_domain_uuid(target->dc, sd_bus_message_get_path(m), uuid) < 0)
            return 0;
        break;
    case POLICY_TARGET_LOOKUP_NAME:
    case POLICY_TARGET_LOOKUP_UUID:
    case POLICY_TARGET_LOOKUP_ID:
        return kind == PATH_CONNECT ? resolve_lookup(m, plan->target, target, needs) : 0;
    case POLICY_TARGET_DOMAIN_XML:
        if (kind != PATH_CONNECT)
            return 0;
        (void) read_arg(m, plan->object_arg, 's', &xml);
        target_from_xml(target, xml);
        return 1;
    default:
        return 0;
    }
    needs->not_found = AUTH_NOT_FOUND_UUID;
    return target_from_uuid(target, uuid);
}

/* --- the questions --------------------------------------------------------------------- */

static int add_need(struct auth_needs *needs, enum auth_need_kind kind, const char *sender, enum policy_object object,
                    const char *permission, const struct dbus_connect *dc, const char *name, const char *uuid)
{
    struct policy_subject subject = { .kind = POLICY_SUBJECT_BUS_NAME, .bus_name = sender };
    struct auth_need need = { .kind = kind, .connect_driver = auth_connect_driver(dc) };
    struct policy_details details;

    if (policy_action_id(object, permission, need.action, sizeof(need.action)) < 0)
        return -ENOBUFS;
    if (object == POLICY_OBJECT_DOMAIN && name) {
        need.domain_name = strdup(name);
        if (!need.domain_name)
            return -ENOMEM;
        snprintf(need.domain_uuid, sizeof(need.domain_uuid), "%s", uuid ? uuid : "");
    }
    details = auth_need_details(&need);
    need.key = policy_polkit_key(&subject, need.action, &details);
    for (size_t i = 0; need.key && i < needs->n; i++)
        if (streq(needs->items[i].key, need.key)) { /* asked already (a lookup's getattr) */
            free(need.key);
            free(need.domain_name);
            return 0;
        }
    if (need.key && needs->n == needs->allocated) {
        size_t allocated = needs->allocated ? needs->allocated * 2 : 8;
        struct auth_need *grown = realloc(needs->items, allocated * sizeof(*grown));

        if (grown) {
            needs->items = grown;
            needs->allocated = allocated;
        }
    }
    if (!need.key || needs->n == needs->allocated) {
        free(need.key);
        free(need.domain_name);
        return -ENOMEM;
    }
    needs->items[needs->n++] = need;
    return 0;
}

/* One question per listed domain: hide it (a filter) or refuse the call (all or nothing). */
static int add_domain_needs(struct auth_needs *needs, const char *sender, const struct dbus_connect *dc,
                            enum policy_filter filter)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    size_t n = 0;
    int r = 0;

    if (vb_domain_list(dc->conn, 0, &refs, &n, &err) < 0 || !refs) {
        vb_error_clear(&err); /* the handler reports the listing error itself */
        return 0;
    }
    for (size_t i = 0; r >= 0 && i < n; i++) {
        char uuid[VB_UUID_STRING_LEN];
        enum auth_need_kind kind = filter == POLICY_FILTER_DOMAIN_REQUIRED ? AUTH_NEED_REQUIRED : AUTH_NEED_FILTER;

        vb_uuid_format(refs[i].uuid, uuid);
        if (filter != POLICY_FILTER_DOMAIN_READ)
            r = add_need(needs, kind, sender, POLICY_OBJECT_DOMAIN, "getattr", dc, refs[i].name, uuid);
        if (r >= 0 && filter != POLICY_FILTER_DOMAIN_GETATTR)
            r = add_need(needs, kind, sender, POLICY_OBJECT_DOMAIN, "read", dc, refs[i].name, uuid);
    }
    vb_domain_refs_free(refs, n);
    return r;
}

static int add_permission_needs(sd_bus_message *m, const struct plan *plan, const struct target *target,
                                const char *sender, struct auth_needs *needs)
{
    int r;

    if (target->has_domain && plan->target != POLICY_TARGET_DOMAIN_XML) {
        r = add_need(needs, AUTH_NEED_VISIBLE, sender, POLICY_OBJECT_DOMAIN, "getattr", target->dc, target->name,
                     target->uuid);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < plan->n; i++) {
        const struct policy_permission *p = plan->permissions[i];
        uint32_t arg = 0;

        /* A condition whose argument cannot be read is taken as met: check more, not less. */
        if (p->when != POLICY_WHEN_ALWAYS && read_arg(m, p->arg, 'u', &arg) < 0) {
            r = add_need(needs, AUTH_NEED_REQUIRED, sender, p->object, p->name, target->dc, target->name, target->uuid);
        } else if (policy_permission_applies(p, arg)) {
            r = add_need(needs, AUTH_NEED_REQUIRED, sender, p->object, p->name, target->dc, target->name,
                         target->uuid);
        } else {
            r = 0;
        }
        if (r < 0)
            return r;
    }
    if (plan->filter != POLICY_FILTER_NONE)
        return add_domain_needs(needs, sender, target->dc, plan->filter);
    return 0;
}

static int build_all_connects(const struct dbus_frontend *frontend, sd_bus_message *m, const struct plan *plan,
                              const char *sender, struct auth_needs *needs)
{
    int r = 0;

    for (size_t i = 0; r >= 0 && i < frontend->n_connects; i++) {
        struct target target = { .dc = &frontend->connects[i] };

        r = add_permission_needs(m, plan, &target, sender, needs);
    }
    return r;
}

int auth_needs_build(const struct dbus_frontend *frontend, sd_bus_message *m, const char *sender,
                     struct auth_needs *needs, sd_bus_error *error)
{
    struct plan plan = { 0 };
    struct target target = { 0 };
    enum path_kind kind = PATH_OTHER;
    int r;

    if (make_plan(m, &plan) < 0)
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "access denied by policy: no authorization rule for %s.%s",
                                 strna(sd_bus_message_get_interface(m)), strna(sd_bus_message_get_member(m)));
    if (plan.target == POLICY_TARGET_NONE)
        return 0;
    if (plan.target == POLICY_TARGET_ALL_CONNECTS)
        return build_all_connects(frontend, m, &plan, sender, needs);
    target.dc = connect_for_path(frontend, sd_bus_message_get_path(m), &kind);
    if (!target.dc)
        return 0;
    r = resolve_target(m, &plan, kind, &target, needs);
    if (r > 0)
        r = add_permission_needs(m, &plan, &target, sender, needs);
    free(target.name);
    return r < 0 ? r : 0;
}
