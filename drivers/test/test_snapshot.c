/* The test driver's domain snapshots: metadata in memory, a snapshot tree (drivers/snapshot_tree.c)
 * per domain in the domain object's driver data, with the semantics and wording of libvirt's test driver. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/snapshot_def.h"
#include "drivers/driver_snapshot.h"
#include "drivers/snapshot_tree.h"
#include "drivers/test/test_private.h"
#include "drivers/test/test_snapshot.h"
#include "drivers/test/test_snapshot_private.h"
#include "util/log.h"


static void private_free(void *data)
{
    struct test_domain_private *p = data;

    vb_snapshot_tree_clear(&p->tree);
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

    return p ? (int) p->tree.n : 0;
}

int test_snapshot_check_undefine(struct vb_domain_obj *obj, unsigned int flags, struct vb_error *err)
{
    int n = test_snapshot_count(obj);

    if (!vb_domain_obj_is_active(obj) && n > 0 && !(flags & VB_UNDEFINE_SNAPSHOTS_METADATA))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot delete inactive domain with %d snapshots", n);
    return 0;
}

struct vb_snapshot_def *test_snapshot_lookup(const struct vb_domain_obj *obj, const char *name, struct vb_error *err)
{
    const struct test_domain_private *p = test_snapshot_private_of(obj);

    return vb_snapshot_tree_lookup(p ? &p->tree : NULL, name, err);
}

static const struct vb_snapshot_tree *tree_of(const struct vb_domain_obj *obj)
{
    const struct test_domain_private *p = test_snapshot_private_of(obj);

    return p ? &p->tree : NULL;
}

/* --- listing ------------------------------------------------------------------------------- */

/* The registry read behind D-Bus object enumeration: every snapshot, in creation order. */
static int test_snapshot_names(void *priv, vb_uuid_t uuid, char ***names, size_t *n, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    if (!obj)
        return -1;
    return vb_snapshot_tree_names(tree_of(obj), NULL, true, 0, names, n, err);
}

#define LIST_FLAGS (VB_SNAPSHOT_LIST_ROOTS | VB_SNAPSHOT_LIST_TOPOLOGICAL | VB_SNAPSHOT_FILTERS_ALL)

static int test_snapshot_list(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                              char ***names, size_t *n)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, LIST_FLAGS, err);
    if (vb_snapshot_tree_names(tree_of(obj), NULL, !(flags & VB_SNAPSHOT_LIST_ROOTS), flags, names, n,
                      err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

static int test_snapshot_list_children(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                       unsigned int flags, char ***names, size_t *n)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_LIST_DESCENDANTS | VB_SNAPSHOT_LIST_TOPOLOGICAL | VB_SNAPSHOT_FILTERS_ALL, err);
    if (vb_snapshot_tree_children(tree_of(obj), name, flags, names, n, err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

/* --- single snapshot queries --------------------------------------------------------------- */

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
    VB_CHECK_FLAGS(flags, 0, &call->err);
    *name = vb_snapshot_tree_current_name(tree_of(obj), &call->err);
    return test_done(priv, call, *name ? 0 : -1);
}

static int test_snapshot_get_xml_desc(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                      unsigned int flags, char **xml)
{
    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_XML_SECURE, &call->err);
    *xml = vb_snapshot_tree_format(tree_of(obj), obj->def->uuid, name, flags & VB_SNAPSHOT_XML_SECURE, &call->err);
    return test_done(priv, call, *xml ? 0 : -1);
}

static int test_snapshot_get_parent(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                    unsigned int flags, char **parent)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    *parent = vb_snapshot_tree_parent_name(tree_of(obj), name, &call->err);
    return test_done(priv, call, *parent ? 0 : -1);
}

static int test_snapshot_is_current(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                                    unsigned int flags, bool *result)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    if (vb_snapshot_tree_is_current(tree_of(obj), name, result, &call->err) < 0)
        return -1;
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

/* libvirt's testDomainSnapshotAlignDisks plus the parent link of a new snapshot. */
static int prepare_new(const struct vb_domain_obj *obj, struct vb_snapshot_def *def, struct vb_error *err)
{
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
    return vb_snapshot_tree_prepare_new(tree_of(obj), def, err);
}

/* Adds def (taking it), or puts it in the place of `existing`. */
static int store_snapshot(struct vb_domain_obj *obj, struct vb_snapshot_def *def, struct vb_snapshot_def *existing,
                          bool make_current, struct vb_error *err)
{
    struct test_domain_private *p = private_ensure(obj, err);

    return p ? vb_snapshot_tree_store(&p->tree, def, existing, make_current, err) : -1;
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
    if ((redefine ? vb_snapshot_tree_prepare_redefine(tree_of(obj), obj->def->uuid, def, &existing, err)
                  : prepare_new(obj, def, err)) < 0)
        return -1;
    out = strdup(def->name);
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (store_snapshot(obj, def, existing, !redefine || (flags & VB_SNAPSHOT_CREATE_CURRENT), err) < 0)
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
    /* The test driver keeps nothing but metadata: METADATA_ONLY deletes what a plain delete does. */
    if (vb_snapshot_tree_delete(&test_snapshot_private_of(obj)->tree, snap, flags, err) < 0)
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
