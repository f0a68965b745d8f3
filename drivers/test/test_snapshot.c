/* The test driver's domain snapshots: metadata in memory, kept per domain in the domain
 * object's driver data, with the semantics and wording of libvirt's test driver. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/snapshot_def.h"
#include "drivers/driver_snapshot.h"
#include "drivers/test/test_private.h"
#include "drivers/test/test_snapshot.h"
#include "drivers/test/test_snapshot_private.h"
#include "util/log.h"


static void private_free(void *data)
{
    struct test_domain_private *p = data;

    for (size_t i = 0; i < p->n; i++)
        vb_snapshot_def_free(p->snaps[i]);
    free(p->snaps);
    free(p);
}

struct test_domain_private *test_snapshot_private_of(const struct vb_domain_obj *obj)
{
    return obj->driver_data_free == private_free ? obj->driver_data : NULL;
}

static struct test_domain_private *private_ensure(struct vb_domain_obj *obj, struct vb_error *err)
{
    struct test_domain_private *p = test_snapshot_private_of(obj);

    if (p)
        return p;
    if (obj->driver_data) {
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "domain '%s' carries foreign driver data", obj->def->name);
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (!p) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    obj->driver_data = p;
    obj->driver_data_free = private_free;
    return p;
}

int test_snapshot_count(struct vb_domain_obj *obj)
{
    const struct test_domain_private *p = test_snapshot_private_of(obj);

    return p ? (int) p->n : 0;
}

int test_snapshot_check_undefine(struct vb_domain_obj *obj, unsigned int flags, struct vb_error *err)
{
    int n = test_snapshot_count(obj);

    if (!vb_domain_obj_is_active(obj) && n > 0 && !(flags & VB_UNDEFINE_SNAPSHOTS_METADATA))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot delete inactive domain with %d snapshots", n);
    return 0;
}

/* --- lookups -------------------------------------------------------------------------------- */

static long find_index(const struct test_domain_private *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->n; i++)
        if (streq(p->snaps[i]->name, name))
            return (long) i;
    return -1;
}

static struct vb_snapshot_def *find_snapshot(const struct test_domain_private *p, const char *name)
{
    long i = find_index(p, name);

    return i < 0 ? NULL : p->snaps[i];
}

struct vb_snapshot_def *test_snapshot_lookup(const struct vb_domain_obj *obj, const char *name, struct vb_error *err)
{
    struct vb_snapshot_def *snap = find_snapshot(test_snapshot_private_of(obj), name);

    if (!snap)
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, "no domain snapshot with matching name '%s'", name);
    return snap;
}

static bool is_child_of(const struct vb_snapshot_def *snap, const struct vb_snapshot_def *parent)
{
    return parent ? snap->parent_name && streq(snap->parent_name, parent->name) : !snap->parent_name;
}

static bool has_children(const struct test_domain_private *p, const struct vb_snapshot_def *snap)
{
    for (size_t i = 0; i < p->n; i++)
        if (is_child_of(p->snaps[i], snap))
            return true;
    return false;
}

static bool is_descendant(const struct test_domain_private *p, const struct vb_snapshot_def *snap,
                          const struct vb_snapshot_def *ancestor)
{
    /* Bounded by the snapshot count, so inconsistent metadata can never loop. */
    for (size_t steps = 0; snap && snap->parent_name && steps < p->n; steps++) {
        if (streq(snap->parent_name, ancestor->name))
            return true;
        snap = find_snapshot(p, snap->parent_name);
    }
    return false;
}

/* --- listing ------------------------------------------------------------------------------- */

/* libvirt's virDomainSnapshotFilter; every snapshot here has metadata. */
static bool filter_matches(const struct test_domain_private *p, const struct vb_snapshot_def *snap,
                           unsigned int flags)
{
    bool leaf = !has_children(p, snap);
    enum vb_snapshot_state state = snap->state;

    if ((flags & VB_SNAPSHOT_FILTERS_LEAVES) &&
        ((leaf && !(flags & VB_SNAPSHOT_LIST_LEAVES)) || (!leaf && !(flags & VB_SNAPSHOT_LIST_NO_LEAVES))))
        return false;
    if ((flags & VB_SNAPSHOT_FILTERS_METADATA) && !(flags & VB_SNAPSHOT_LIST_METADATA))
        return false;
    if (flags & VB_SNAPSHOT_FILTERS_STATUS) {
        if (!(flags & VB_SNAPSHOT_LIST_INACTIVE) && state == VB_SNAPSHOT_SHUTOFF)
            return false;
        if (!(flags & VB_SNAPSHOT_LIST_DISK_ONLY) && state == VB_SNAPSHOT_DISK_SNAPSHOT)
            return false;
        if (!(flags & VB_SNAPSHOT_LIST_ACTIVE) && state != VB_SNAPSHOT_SHUTOFF && state != VB_SNAPSHOT_DISK_SNAPSHOT)
            return false;
    }
    if ((flags & VB_SNAPSHOT_LIST_INTERNAL) && vb_snapshot_def_is_external(snap))
        return false;
    if ((flags & VB_SNAPSHOT_LIST_EXTERNAL) && !vb_snapshot_def_is_external(snap))
        return false;
    return true;
}

struct collector {
    const struct test_domain_private *p;
    unsigned int flags;
    char **names;
    size_t used;
};

static int collect_one(struct collector *c, const struct vb_snapshot_def *snap)
{
    if (!filter_matches(c->p, snap, c->flags))
        return 0;
    c->names[c->used] = strdup(snap->name);
    if (!c->names[c->used])
        return -1;
    c->used++;
    return 0;
}

/* Depth first from the children of `parent` (NULL: the roots): parents before children. */
static int collect_topological(struct collector *c, const struct vb_snapshot_def *parent, bool all_levels,
                               size_t depth)
{
    for (size_t i = 0; i < c->p->n && depth <= c->p->n; i++) {
        const struct vb_snapshot_def *snap = c->p->snaps[i];

        if (!is_child_of(snap, parent))
            continue;
        if (collect_one(c, snap) < 0 || (all_levels && collect_topological(c, snap, true, depth + 1) < 0))
            return -1;
    }
    return 0;
}

static int collect_in_order(struct collector *c, const struct vb_snapshot_def *parent, bool all_levels)
{
    for (size_t i = 0; i < c->p->n; i++) {
        const struct vb_snapshot_def *snap = c->p->snaps[i];
        bool in_scope = all_levels ? !parent || is_descendant(c->p, snap, parent) : is_child_of(snap, parent);

        if (in_scope && collect_one(c, snap) < 0)
            return -1;
    }
    return 0;
}

/* The names of the snapshots below `parent` (NULL: of the whole domain). */
static int collect_names(const struct test_domain_private *p, const struct vb_snapshot_def *parent,
                         bool all_levels, unsigned int flags, char ***names, size_t *n, struct vb_error *err)
{
    static const struct test_domain_private empty = { 0 };
    struct collector c = { .p = p ? p : &empty, .flags = flags };
    int r;

    c.names = calloc(c.p->n + 1, sizeof(*c.names));
    if (!c.names)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (flags & VB_SNAPSHOT_LIST_TOPOLOGICAL)
        r = collect_topological(&c, parent, all_levels, 0);
    else
        r = collect_in_order(&c, parent, all_levels);
    if (r < 0) {
        vb_snapshot_names_free(c.names, c.used);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    *names = c.names;
    *n = c.used;
    return 0;
}

/* The registry read behind D-Bus object enumeration: every snapshot, in creation order. */
static int test_snapshot_names(void *priv, vb_uuid_t uuid, char ***names, size_t *n, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    if (!obj)
        return -1;
    return collect_names(test_snapshot_private_of(obj), NULL, true, 0, names, n, err);
}

#define LIST_FLAGS (VB_SNAPSHOT_LIST_ROOTS | VB_SNAPSHOT_LIST_TOPOLOGICAL | VB_SNAPSHOT_FILTERS_ALL)

static int test_snapshot_list(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                              char ***names, size_t *n)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, LIST_FLAGS, err);
    if (collect_names(test_snapshot_private_of(obj), NULL, !(flags & VB_SNAPSHOT_LIST_ROOTS), flags, names, n,
                      err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

static int test_snapshot_list_children(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                       unsigned int flags, char ***names, size_t *n)
{
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;

    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_DESCENDANTS | VB_SNAPSHOT_LIST_TOPOLOGICAL | VB_SNAPSHOT_FILTERS_ALL, err);
    snap = test_snapshot_lookup(obj, name, err);
    if (!snap || collect_names(test_snapshot_private_of(obj), snap, flags & VB_SNAPSHOT_LIST_DESCENDANTS, flags,
                               names, n, err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

/* --- single snapshot queries --------------------------------------------------------------- */

static char *dup_or_error(const char *text, struct vb_error *err)
{
    char *copy = strdup(text);

    if (!copy)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return copy;
}

static int test_snapshot_lookup_by_name(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                        unsigned int flags)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!test_snapshot_lookup(obj, name, err))
        return -1;
    return test_done(priv, call, 0);
}

static int test_snapshot_current(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                 char **name)
{
    struct vb_error *err = &call->err;
    const struct test_domain_private *p = test_snapshot_private_of(obj);

    VB_CHECK_FLAGS(flags, 0, err);
    if (!p || !p->current)
        return vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, "the domain does not have a current snapshot");
    *name = dup_or_error(p->current->name, err);
    return test_done(priv, call, *name ? 0 : -1);
}

static int test_snapshot_get_xml_desc(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                      unsigned int flags, char **xml)
{
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;
    char text[VB_UUID_STRING_LEN];

    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_XML_SECURE, err);
    snap = test_snapshot_lookup(obj, name, err);
    if (!snap)
        return -1;
    vb_uuid_format(obj->def->uuid, text);
    *xml = vb_snapshot_def_format(snap, text, flags & VB_SNAPSHOT_XML_SECURE, err);
    return test_done(priv, call, *xml ? 0 : -1);
}

static int test_snapshot_get_parent(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                    unsigned int flags, char **parent)
{
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;

    VB_CHECK_FLAGS(flags, 0, err);
    snap = test_snapshot_lookup(obj, name, err);
    if (!snap)
        return -1;
    if (!snap->parent_name)
        return vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, "snapshot '%s' does not have a parent", snap->name);
    *parent = dup_or_error(snap->parent_name, err);
    return test_done(priv, call, *parent ? 0 : -1);
}

static int test_snapshot_is_current(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                    unsigned int flags, bool *result)
{
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;

    VB_CHECK_FLAGS(flags, 0, err);
    snap = test_snapshot_lookup(obj, name, err);
    if (!snap)
        return -1;
    *result = test_snapshot_private_of(obj)->current == snap;
    return test_done(priv, call, 0);
}

/* Every snapshot of the test driver has metadata. */
static int test_snapshot_has_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                      unsigned int flags, bool *result)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!test_snapshot_lookup(obj, name, err))
        return -1;
    *result = true;
    return test_done(priv, call, 0);
}

/* --- create ----------------------------------------------------------------------------- */

/* libvirt's virDomainSnapshotCheckCycles. */
static int check_cycles(const struct test_domain_private *p, const struct vb_snapshot_def *def,
                        struct vb_error *err)
{
    const struct vb_snapshot_def *other;

    if (!def->parent_name)
        return 0;
    if (streq(def->name, def->parent_name))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "cannot set snapshot %s as its own parent", def->name);
    other = find_snapshot(p, def->parent_name);
    if (!other)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "parent %s for snapshot %s not found", def->parent_name,
                            def->name);
    for (size_t steps = 0; other && other->parent_name && steps <= p->n; steps++) {
        if (streq(other->parent_name, def->name))
            return vb_error_set(err, VB_ERR_INVALID_ARG, "parent %s would create cycle to %s", other->name,
                                def->name);
        other = find_snapshot(p, other->parent_name);
    }
    return 0;
}

bool test_snapshot_is_online_state(enum vb_snapshot_state state)
{
    return state == VB_SNAPSHOT_RUNNING || state == VB_SNAPSHOT_PAUSED;
}

/* libvirt's virDomainSnapshotRedefineValidate. */
static int check_redefine(const struct vb_domain_obj *obj, const struct vb_snapshot_def *def,
                          const struct vb_snapshot_def *existing, struct vb_error *err)
{
    if (def->dom && memcmp(def->dom->uuid, obj->def->uuid, VB_UUID_LEN) != 0) {
        char text[VB_UUID_STRING_LEN];

        vb_uuid_format(obj->def->uuid, text);
        return vb_error_set(err, VB_ERR_INVALID_ARG, "definition for snapshot %s must use uuid %s", def->name, text);
    }
    if (!existing)
        return 0;
    if (test_snapshot_is_online_state(existing->state) != test_snapshot_is_online_state(def->state))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "cannot change between online and offline snapshot state in snapshot %s", def->name);
    if ((existing->state == VB_SNAPSHOT_DISK_SNAPSHOT) != (def->state == VB_SNAPSHOT_DISK_SNAPSHOT))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "cannot change between disk only and full system in snapshot %s", def->name);
    return 0;
}

/* libvirt's virDomainSnapshotRedefinePrep. A redefinition without <domain> keeps the domain of
 * the snapshot it replaces, so the snapshot can still be reverted to. */
static int prepare_redefine(const struct vb_domain_obj *obj, struct vb_snapshot_def *def,
                            struct vb_snapshot_def **existing, struct vb_error *err)
{
    const struct test_domain_private *p = test_snapshot_private_of(obj);
    enum vb_snapshot_location location = VB_SNAPSHOT_LOCATION_INTERNAL;

    if (check_cycles(p, def, err) < 0)
        return -1;
    *existing = find_snapshot(p, def->name);
    if (check_redefine(obj, def, *existing, err) < 0)
        return -1;
    if (!def->dom && *existing && (*existing)->dom) {
        def->dom = vb_domain_def_copy((*existing)->dom, err);
        if (!def->dom)
            return -1;
    }
    if (def->state == VB_SNAPSHOT_DISK_SNAPSHOT || vb_snapshot_def_is_external(def))
        location = VB_SNAPSHOT_LOCATION_EXTERNAL;
    return vb_snapshot_def_align_disks(def, location, true, err);
}

/* libvirt's testDomainSnapshotAlignDisks plus the parent link of a new snapshot. */
static int prepare_new(const struct vb_domain_obj *obj, struct vb_snapshot_def *def, struct vb_error *err)
{
    const struct test_domain_private *p = test_snapshot_private_of(obj);
    enum vb_snapshot_location location = VB_SNAPSHOT_LOCATION_INTERNAL;
    bool match = true;

    def->dom = vb_domain_def_copy(obj->def, err);
    if (!def->dom)
        return -1;
    def->state = (enum vb_snapshot_state) obj->state;
    if (def->memory == VB_SNAPSHOT_LOCATION_EXTERNAL) {
        location = VB_SNAPSHOT_LOCATION_EXTERNAL;
        match = false;
    } else {
        def->memory = def->state == VB_SNAPSHOT_SHUTOFF ? VB_SNAPSHOT_LOCATION_NO : VB_SNAPSHOT_LOCATION_INTERNAL;
    }
    if (vb_snapshot_def_align_disks(def, location, match, err) < 0)
        return -1;
    if (find_snapshot(p, def->name))
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "domain moment %s already exists", def->name);
    if (p && p->current) {
        def->parent_name = strdup(p->current->name);
        if (!def->parent_name)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

/* Adds def (taking it), or puts it in the place of `existing`; cannot fail once p has room. */
static int store_snapshot(struct vb_domain_obj *obj, struct vb_snapshot_def *def, struct vb_snapshot_def *existing,
                          bool make_current, struct vb_error *err)
{
    struct test_domain_private *p = private_ensure(obj, err);

    if (!p)
        return -1;
    if (existing) {
        p->snaps[find_index(p, existing->name)] = def;
        if (p->current == existing)
            p->current = def;
        vb_snapshot_def_free(existing);
    } else {
        if (p->n == p->cap) {
            size_t cap = p->cap ? 2 * p->cap : 4;
            struct vb_snapshot_def **grown = realloc(p->snaps, cap * sizeof(*grown));

            if (!grown)
                return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            p->snaps = grown;
            p->cap = cap;
        }
        p->snaps[p->n++] = def;
    }
    if (make_current)
        p->current = def;
    return 0;
}

#define CREATE_FLAGS (VB_SNAPSHOT_CREATE_REDEFINE | VB_SNAPSHOT_CREATE_CURRENT | VB_SNAPSHOT_CREATE_HALT | \
                      VB_SNAPSHOT_CREATE_QUIESCE | VB_SNAPSHOT_CREATE_ATOMIC | VB_SNAPSHOT_CREATE_LIVE |  \
                      VB_SNAPSHOT_CREATE_VALIDATE)

static int test_snapshot_create_xml(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                                    unsigned int flags, char **name)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    bool redefine = flags & VB_SNAPSHOT_CREATE_REDEFINE;
    _cleanup_(vb_snapshot_def_freep) struct vb_snapshot_def *def = NULL;
    struct vb_snapshot_def *existing = NULL;
    _cleanup_free_ char *out = NULL;

    VB_CHECK_FLAGS(flags, CREATE_FLAGS, err);
    if (!obj->persistent && (flags & VB_SNAPSHOT_CREATE_HALT))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot halt after transient domain snapshot");
    def = vb_snapshot_def_parse_string(xml, redefine ? VB_SNAPSHOT_PARSE_REDEFINE : 0, err);
    if (!def)
        return -1;
    if ((redefine ? prepare_redefine(obj, def, &existing, err) : prepare_new(obj, def, err)) < 0)
        return -1;
    out = dup_or_error(def->name, err);
    if (!out || store_snapshot(obj, def, existing, !redefine || (flags & VB_SNAPSHOT_CREATE_CURRENT), err) < 0)
        return test_done(conn, call, -1);
    TAKE_PTR(def);
    if (!redefine && (flags & VB_SNAPSHOT_CREATE_HALT) && vb_domain_obj_is_active(obj))
        test_snapshot_stop(conn, obj);
    /* libvirt has no event for a new snapshot. */
    test_emit_changed(conn, obj);
    *name = TAKE_PTR(out);
    return test_done(conn, call, 0);
}

/* --- delete ------------------------------------------------------------------------------ */

static void remove_at(struct test_domain_private *p, size_t index)
{
    vb_snapshot_def_free(p->snaps[index]);
    memmove(&p->snaps[index], &p->snaps[index + 1], (p->n - index - 1) * sizeof(*p->snaps));
    p->n--;
}

/* Drops every descendant of snap; if the current snapshot was one, snap becomes current. */
static int remove_descendants(struct test_domain_private *p, struct vb_snapshot_def *snap, struct vb_error *err)
{
    _cleanup_free_ bool *doomed = calloc(p->n ? p->n : 1, sizeof(*doomed));

    if (!doomed)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < p->n; i++)
        doomed[i] = is_descendant(p, p->snaps[i], snap);
    for (size_t i = p->n; i-- > 0;) {
        if (!doomed[i])
            continue;
        if (p->current == p->snaps[i])
            p->current = snap;
        remove_at(p, i);
    }
    return 0;
}

/* Gives snap's children snap's parent, all or nothing. */
static int reparent_children(struct test_domain_private *p, const struct vb_snapshot_def *snap, struct vb_error *err)
{
    _cleanup_free_ char **names = calloc(p->n ? p->n : 1, sizeof(*names));

    if (!names)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < p->n; i++) {
        if (!is_child_of(p->snaps[i], snap) || !snap->parent_name)
            continue;
        names[i] = strdup(snap->parent_name);
        if (!names[i]) {
            for (size_t j = 0; j < i; j++)
                free(names[j]);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    for (size_t i = 0; i < p->n; i++) {
        if (!is_child_of(p->snaps[i], snap))
            continue;
        free(p->snaps[i]->parent_name);
        p->snaps[i]->parent_name = names[i];
    }
    return 0;
}

/* libvirt's testDomainSnapshotDelete. The test driver keeps nothing but metadata, so
 * METADATA_ONLY deletes exactly what a plain delete does. */
static int delete_snapshot(struct test_domain_private *p, struct vb_snapshot_def *snap, unsigned int flags,
                           struct vb_error *err)
{
    if (flags & (VB_SNAPSHOT_DELETE_CHILDREN | VB_SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        if (remove_descendants(p, snap, err) < 0)
            return -1;
    } else if (reparent_children(p, snap, err) < 0) {
        return -1;
    }
    if (flags & VB_SNAPSHOT_DELETE_CHILDREN_ONLY)
        return 0;
    if (p->current == snap)
        p->current = find_snapshot(p, snap->parent_name);
    remove_at(p, (size_t) find_index(p, snap->name));
    return 0;
}

static int test_snapshot_delete(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct vb_snapshot_def *snap;

    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_DELETE_CHILDREN | VB_SNAPSHOT_DELETE_METADATA_ONLY |
                   VB_SNAPSHOT_DELETE_CHILDREN_ONLY, err);
    snap = test_snapshot_lookup(obj, name, err);
    if (!snap)
        return -1;
    if (delete_snapshot(test_snapshot_private_of(obj), snap, flags, err) < 0)
        return test_done(conn, call, -1);
    /* libvirt has no event for a deleted snapshot. */
    test_emit_changed(conn, obj);
    return test_done(conn, call, 0);
}

const struct vb_snapshot_driver vb_test_snapshot_driver = {
    .names = test_snapshot_names,
    .create_xml = test_snapshot_create_xml,
    .list = test_snapshot_list,
    .lookup_by_name = test_snapshot_lookup_by_name,
    .current = test_snapshot_current,
    .get_xml_desc = test_snapshot_get_xml_desc,
    .get_parent = test_snapshot_get_parent,
    .list_children = test_snapshot_list_children,
    .is_current = test_snapshot_is_current,
    .has_metadata = test_snapshot_has_metadata,
    .delete = test_snapshot_delete,
    .revert = test_snapshot_revert,
};
