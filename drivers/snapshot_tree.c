/* A domain's snapshot tree, shared by the test and QEMU drivers: lookups, listings with
 * libvirt's filters, the checks of a new or redefined snapshot and the metadata side of delete. */
#include <stdlib.h>
#include <string.h>

#include "drivers/driver_snapshot.h"
#include "drivers/snapshot_tree.h"
#include "util/macros.h"

void vb_snapshot_tree_clear(struct vb_snapshot_tree *tree)
{
    for (size_t i = 0; i < tree->n; i++)
        vb_snapshot_def_free(tree->snaps[i]);
    free(tree->snaps);
    *tree = (struct vb_snapshot_tree){ 0 };
}

/* --- lookups -------------------------------------------------------------------------------- */

static long find_index(const struct vb_snapshot_tree *tree, const char *name)
{
    for (size_t i = 0; tree && name && i < tree->n; i++)
        if (streq(tree->snaps[i]->name, name))
            return (long) i;
    return -1;
}

struct vb_snapshot_def *vb_snapshot_tree_find(const struct vb_snapshot_tree *tree, const char *name)
{
    long i = find_index(tree, name);

    return i < 0 ? NULL : tree->snaps[i];
}

struct vb_snapshot_def *vb_snapshot_tree_lookup(const struct vb_snapshot_tree *tree, const char *name,
                                                struct vb_error *err)
{
    struct vb_snapshot_def *snap = vb_snapshot_tree_find(tree, name);

    if (!snap)
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, "no domain snapshot with matching name '%s'", name);
    return snap;
}

static bool is_child_of(const struct vb_snapshot_def *snap, const struct vb_snapshot_def *parent)
{
    return parent ? snap->parent_name && streq(snap->parent_name, parent->name) : !snap->parent_name;
}

static bool has_children(const struct vb_snapshot_tree *tree, const struct vb_snapshot_def *snap)
{
    for (size_t i = 0; i < tree->n; i++)
        if (is_child_of(tree->snaps[i], snap))
            return true;
    return false;
}

static bool is_descendant(const struct vb_snapshot_tree *tree, const struct vb_snapshot_def *snap,
                          const struct vb_snapshot_def *ancestor)
{
    /* Bounded by the snapshot count, so inconsistent metadata can never loop. */
    for (size_t steps = 0; snap && snap->parent_name && steps < tree->n; steps++) {
        if (streq(snap->parent_name, ancestor->name))
            return true;
        snap = vb_snapshot_tree_find(tree, snap->parent_name);
    }
    return false;
}

bool vb_snapshot_state_is_online(enum vb_snapshot_state state)
{
    return state == VB_SNAPSHOT_RUNNING || state == VB_SNAPSHOT_PAUSED;
}

/* --- listing ------------------------------------------------------------------------------- */

/* libvirt's virDomainSnapshotFilter; every snapshot here has metadata. */
static bool filter_matches(const struct vb_snapshot_tree *tree, const struct vb_snapshot_def *snap,
                           unsigned int flags)
{
    bool leaf = !has_children(tree, snap);
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
    const struct vb_snapshot_tree *tree;
    unsigned int flags;
    char **names;
    size_t used;
};

static int collect_one(struct collector *c, const struct vb_snapshot_def *snap)
{
    if (!filter_matches(c->tree, snap, c->flags))
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
    for (size_t i = 0; i < c->tree->n && depth <= c->tree->n; i++) {
        const struct vb_snapshot_def *snap = c->tree->snaps[i];

        if (!is_child_of(snap, parent))
            continue;
        if (collect_one(c, snap) < 0 || (all_levels && collect_topological(c, snap, true, depth + 1) < 0))
            return -1;
    }
    return 0;
}

static int collect_in_order(struct collector *c, const struct vb_snapshot_def *parent, bool all_levels)
{
    for (size_t i = 0; i < c->tree->n; i++) {
        const struct vb_snapshot_def *snap = c->tree->snaps[i];
        bool in_scope = all_levels ? !parent || is_descendant(c->tree, snap, parent) : is_child_of(snap, parent);

        if (in_scope && collect_one(c, snap) < 0)
            return -1;
    }
    return 0;
}

int vb_snapshot_tree_names(const struct vb_snapshot_tree *tree, const struct vb_snapshot_def *parent,
                           bool all_levels, unsigned int flags, char ***names, size_t *n, struct vb_error *err)
{
    static const struct vb_snapshot_tree empty = { 0 };
    struct collector c = { .tree = tree ? tree : &empty, .flags = flags };
    int r;

    c.names = calloc(c.tree->n + 1, sizeof(*c.names));
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

/* --- single snapshot queries --------------------------------------------------------------- */

static char *dup_or_error(const char *text, struct vb_error *err)
{
    char *copy = strdup(text);

    if (!copy)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return copy;
}

int vb_snapshot_tree_children(const struct vb_snapshot_tree *tree, const char *name, unsigned int flags,
                              char ***names, size_t *n, struct vb_error *err)
{
    const struct vb_snapshot_def *snap = vb_snapshot_tree_lookup(tree, name, err);

    if (!snap)
        return -1;
    return vb_snapshot_tree_names(tree, snap, flags & VB_SNAPSHOT_LIST_DESCENDANTS, flags, names, n, err);
}

char *vb_snapshot_tree_current_name(const struct vb_snapshot_tree *tree, struct vb_error *err)
{
    if (!tree || !tree->current) {
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, "the domain does not have a current snapshot");
        return NULL;
    }
    return dup_or_error(tree->current->name, err);
}

char *vb_snapshot_tree_format(const struct vb_snapshot_tree *tree, const unsigned char *domain_uuid,
                              const char *name, bool secure, struct vb_error *err)
{
    const struct vb_snapshot_def *snap = vb_snapshot_tree_lookup(tree, name, err);
    char text[VB_UUID_STRING_LEN];

    if (!snap)
        return NULL;
    vb_uuid_format(domain_uuid, text);
    return vb_snapshot_def_format(snap, text, secure, err);
}

char *vb_snapshot_tree_parent_name(const struct vb_snapshot_tree *tree, const char *name, struct vb_error *err)
{
    const struct vb_snapshot_def *snap = vb_snapshot_tree_lookup(tree, name, err);

    if (!snap)
        return NULL;
    if (!snap->parent_name) {
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, "snapshot '%s' does not have a parent", snap->name);
        return NULL;
    }
    return dup_or_error(snap->parent_name, err);
}

int vb_snapshot_tree_is_current(const struct vb_snapshot_tree *tree, const char *name, bool *result,
                                struct vb_error *err)
{
    const struct vb_snapshot_def *snap = vb_snapshot_tree_lookup(tree, name, err);

    if (!snap)
        return -1;
    *result = tree->current == snap;
    return 0;
}

/* --- create ----------------------------------------------------------------------------- */

/* libvirt's virDomainSnapshotCheckCycles. */
static int check_cycles(const struct vb_snapshot_tree *tree, const struct vb_snapshot_def *def,
                        struct vb_error *err)
{
    const struct vb_snapshot_def *other;

    if (!def->parent_name)
        return 0;
    if (streq(def->name, def->parent_name))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "cannot set snapshot %s as its own parent", def->name);
    other = vb_snapshot_tree_find(tree, def->parent_name);
    if (!other)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "parent %s for snapshot %s not found", def->parent_name,
                            def->name);
    for (size_t steps = 0; other && other->parent_name && steps <= tree->n; steps++) {
        if (streq(other->parent_name, def->name))
            return vb_error_set(err, VB_ERR_INVALID_ARG, "parent %s would create cycle to %s", other->name,
                                def->name);
        other = vb_snapshot_tree_find(tree, other->parent_name);
    }
    return 0;
}

/* libvirt's virDomainSnapshotRedefineValidate. */
static int check_redefine(const unsigned char *domain_uuid, const struct vb_snapshot_def *def,
                          const struct vb_snapshot_def *existing, struct vb_error *err)
{
    if (def->dom && memcmp(def->dom->uuid, domain_uuid, VB_UUID_LEN) != 0) {
        char text[VB_UUID_STRING_LEN];

        vb_uuid_format(domain_uuid, text);
        return vb_error_set(err, VB_ERR_INVALID_ARG, "definition for snapshot %s must use uuid %s", def->name, text);
    }
    if (!existing)
        return 0;
    if (vb_snapshot_state_is_online(existing->state) != vb_snapshot_state_is_online(def->state))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "cannot change between online and offline snapshot state in snapshot %s", def->name);
    if ((existing->state == VB_SNAPSHOT_DISK_SNAPSHOT) != (def->state == VB_SNAPSHOT_DISK_SNAPSHOT))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "cannot change between disk only and full system in snapshot %s", def->name);
    return 0;
}

/* A redefinition without <domain> keeps the domain of the snapshot it replaces, so the
 * snapshot can still be reverted to. */
int vb_snapshot_tree_prepare_redefine(const struct vb_snapshot_tree *tree, const unsigned char *domain_uuid,
                                      struct vb_snapshot_def *def, struct vb_snapshot_def **existing,
                                      struct vb_error *err)
{
    enum vb_snapshot_location location = VB_SNAPSHOT_LOCATION_INTERNAL;

    if (check_cycles(tree, def, err) < 0)
        return -1;
    *existing = vb_snapshot_tree_find(tree, def->name);
    if (check_redefine(domain_uuid, def, *existing, err) < 0)
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

int vb_snapshot_tree_prepare_new(const struct vb_snapshot_tree *tree, struct vb_snapshot_def *def,
                                 struct vb_error *err)
{
    if (vb_snapshot_tree_find(tree, def->name))
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "domain moment %s already exists", def->name);
    if (tree && tree->current) {
        def->parent_name = strdup(tree->current->name);
        if (!def->parent_name)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

int vb_snapshot_tree_store(struct vb_snapshot_tree *tree, struct vb_snapshot_def *def,
                           struct vb_snapshot_def *existing, bool make_current, struct vb_error *err)
{
    if (existing) {
        tree->snaps[find_index(tree, existing->name)] = def;
        if (tree->current == existing)
            tree->current = def;
        vb_snapshot_def_free(existing);
    } else {
        if (tree->n == tree->cap) {
            size_t cap = tree->cap ? 2 * tree->cap : 4;
            struct vb_snapshot_def **grown = realloc(tree->snaps, cap * sizeof(*grown));

            if (!grown)
                return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            tree->snaps = grown;
            tree->cap = cap;
        }
        tree->snaps[tree->n++] = def;
    }
    if (make_current)
        tree->current = def;
    return 0;
}

/* --- delete ------------------------------------------------------------------------------ */

static void remove_at(struct vb_snapshot_tree *tree, size_t index)
{
    vb_snapshot_def_free(tree->snaps[index]);
    memmove(&tree->snaps[index], &tree->snaps[index + 1], (tree->n - index - 1) * sizeof(*tree->snaps));
    tree->n--;
}

/* Drops every descendant of snap; if the current snapshot was one, snap becomes current. */
static int remove_descendants(struct vb_snapshot_tree *tree, struct vb_snapshot_def *snap, struct vb_error *err)
{
    _cleanup_free_ bool *doomed = calloc(tree->n ? tree->n : 1, sizeof(*doomed));

    if (!doomed)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < tree->n; i++)
        doomed[i] = is_descendant(tree, tree->snaps[i], snap);
    for (size_t i = tree->n; i-- > 0;) {
        if (!doomed[i])
            continue;
        if (tree->current == tree->snaps[i])
            tree->current = snap;
        remove_at(tree, i);
    }
    return 0;
}

/* Gives snap's children snap's parent, all or nothing. */
static int reparent_children(struct vb_snapshot_tree *tree, const struct vb_snapshot_def *snap,
                             struct vb_error *err)
{
    _cleanup_free_ char **names = calloc(tree->n ? tree->n : 1, sizeof(*names));

    if (!names)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < tree->n; i++) {
        if (!is_child_of(tree->snaps[i], snap) || !snap->parent_name)
            continue;
        names[i] = strdup(snap->parent_name);
        if (!names[i]) {
            for (size_t j = 0; j < i; j++)
                free(names[j]);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    for (size_t i = 0; i < tree->n; i++) {
        if (!is_child_of(tree->snaps[i], snap))
            continue;
        free(tree->snaps[i]->parent_name);
        tree->snaps[i]->parent_name = names[i];
    }
    return 0;
}

int vb_snapshot_tree_delete(struct vb_snapshot_tree *tree, struct vb_snapshot_def *snap, unsigned int flags,
                            struct vb_error *err)
{
    if (flags & (VB_SNAPSHOT_DELETE_CHILDREN | VB_SNAPSHOT_DELETE_CHILDREN_ONLY)) {
        if (remove_descendants(tree, snap, err) < 0)
            return -1;
    } else if (reparent_children(tree, snap, err) < 0) {
        return -1;
    }
    if (flags & VB_SNAPSHOT_DELETE_CHILDREN_ONLY)
        return 0;
    if (tree->current == snap)
        tree->current = vb_snapshot_tree_find(tree, snap->parent_name);
    remove_at(tree, (size_t) find_index(tree, snap->name));
    return 0;
}
