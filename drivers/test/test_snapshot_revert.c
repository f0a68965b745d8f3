/* The test driver's snapshot revert: a domain's state and definitions back to a snapshot's,
 * with libvirt's "from snapshot" lifecycle events. */
#include <stdlib.h>
#include <string.h>

#include "conf/snapshot_def.h"
#include "drivers/driver_snapshot.h"
#include "drivers/test/test_private.h"
#include "drivers/test/test_snapshot_private.h"
#include "util/log.h"

/* --- shared state changes -------------------------------------------------------------------- */

/* Stops obj for a snapshot operation; unlike test_domain_stop it never drops a transient
 * domain, which a revert may start again at once. */
void test_snapshot_stop(struct test_conn *conn, struct vb_domain_obj *obj)
{
    int old_id = obj->id;

    vb_domain_obj_mark_stopped(obj, VB_SHUTOFF_FROM_SNAPSHOT);
    if (vb_domain_list_reindex_id(conn->domains, obj, old_id) < 0)
        vb_log_warning("could not reindex domain '%s'", obj->def->name);
    test_emit(conn, obj, VB_EVENT_STOPPED, VB_EVENT_STOPPED_FROM_SNAPSHOT);
}

void test_snapshot_pause(struct test_conn *conn, struct vb_domain_obj *obj, bool emit)
{
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, VB_PAUSED_FROM_SNAPSHOT);
    if (emit)
        test_emit(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_FROM_SNAPSHOT);
}

/* --- revert ------------------------------------------------------------------------------ */

static int check_revert(const struct vb_domain_obj *obj, const struct vb_snapshot_def *snap, unsigned int flags,
                        struct vb_error *err)
{
    bool start = flags & (VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED);

    if (!obj->persistent && !vb_snapshot_state_is_online(snap->state) && !start)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                            "transient domain needs to request run or pause to revert to inactive snapshot");
    if (!snap->dom)
        return vb_error_set(err, VB_ERR_SNAPSHOT_REVERT_RISKY, "snapshot '%s' lacks domain '%s' rollback info",
                            snap->name, obj->def->name);
    if (!(flags & VB_SNAPSHOT_REVERT_FORCE) && vb_domain_obj_is_active(obj) &&
        !vb_snapshot_state_is_online(snap->state) && start)
        return vb_error_set(err, VB_ERR_SNAPSHOT_REVERT_RISKY, "%s", "must respawn guest to start inactive snapshot");
    return 0;
}

/* The definitions a revert installs, made before anything changes. */
struct revert_defs {
    struct vb_domain_def *live; /* the running (or only) definition */
    struct vb_domain_def *next; /* the next-boot definition of an active persistent domain */
};

static void revert_defs_clear(struct revert_defs *defs)
{
    vb_domain_def_free(defs->live);
    vb_domain_def_free(defs->next);
}

static int revert_defs_prepare(struct test_conn *conn, const struct vb_domain_obj *obj,
                               const struct vb_snapshot_def *snap, struct revert_defs *defs, struct vb_error *err)
{
    defs->live = vb_domain_def_copy(snap->dom, err);
    if (!defs->live)
        return -1;
    if (obj->persistent && vb_domain_obj_is_active(obj) && vb_snapshot_state_is_online(snap->state)) {
        defs->next = vb_domain_def_copy(snap->dom, err);
        if (!defs->next)
            return -1;
    }
    /* The snapshot's definition becomes the persistent one: store it first. */
    return obj->persistent ? test_persist_def(conn, snap->dom, err) : 0;
}

/* Starts the (inactive) domain on defs->live, as libvirt's transitions 2 and 3. */
static int start_on_snapshot(struct test_conn *conn, struct vb_domain_obj *obj, struct revert_defs *defs,
                             bool paused, struct vb_error *err)
{
    struct vb_domain_def *old = obj->def;

    obj->def = defs->live;
    obj->def->id = -1;
    if (test_domain_start(conn, obj, VB_RUNNING_FROM_SNAPSHOT, VB_EVENT_STARTED_FROM_SNAPSHOT, false, err) < 0) {
        obj->def = old;
        return -1;
    }
    defs->live = NULL;
    vb_domain_def_free(old);
    if (paused)
        test_snapshot_pause(conn, obj, true);
    return 0;
}

/* Transitions 5, 6, 8, 9: the running guest takes the snapshot's definition in place. Returns
 * whether a lifecycle event announced it (a paused guest that stays paused has none). */
static bool revert_active_online(struct test_conn *conn, struct vb_domain_obj *obj, struct revert_defs *defs,
                                 bool paused)
{
    bool was_paused = obj->state == VB_DOMAIN_PAUSED;

    defs->live->id = obj->id;
    vb_domain_def_free(obj->def);
    obj->def = TAKE_PTR(defs->live);
    if (defs->next) {
        defs->next->id = -1;
        vb_domain_def_free(obj->next_def);
        obj->next_def = TAKE_PTR(defs->next);
    }
    obj->updated = false;
    if (paused) {
        test_snapshot_pause(conn, obj, !was_paused);
        return !was_paused;
    }
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_FROM_SNAPSHOT);
    test_emit(conn, obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_FROM_SNAPSHOT);
    return true;
}

/* Transitions 1, 4, 7 and, when asked to run or pause, 2 and 3 after them. Only transition 1,
 * an inactive domain staying inactive, has no lifecycle event. */
static int revert_offline(struct test_conn *conn, struct vb_domain_obj *obj, struct revert_defs *defs,
                          unsigned int flags, bool *announced, struct vb_error *err)
{
    *announced = vb_domain_obj_is_active(obj);
    if (*announced)
        test_snapshot_stop(conn, obj);
    if (flags & (VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED)) {
        *announced = true;
        return start_on_snapshot(conn, obj, defs, flags & VB_SNAPSHOT_REVERT_PAUSED, err);
    }
    defs->live->id = -1;
    vb_domain_def_free(obj->def);
    obj->def = TAKE_PTR(defs->live);
    return 0;
}

/* *announced: whether a lifecycle event told of the revert. */
static int revert_to(struct test_conn *conn, struct vb_domain_obj *obj, const struct vb_snapshot_def *snap,
                     struct revert_defs *defs, unsigned int flags, bool *announced, struct vb_error *err)
{
    bool paused = !(flags & VB_SNAPSHOT_REVERT_RUNNING) &&
                  (snap->state == VB_SNAPSHOT_PAUSED || (flags & VB_SNAPSHOT_REVERT_PAUSED));

    if (!vb_snapshot_state_is_online(snap->state))
        return revert_offline(conn, obj, defs, flags, announced, err);
    *announced = true;
    if (!vb_domain_obj_is_active(obj))
        return start_on_snapshot(conn, obj, defs, paused, err);
    *announced = revert_active_online(conn, obj, defs, paused);
    return 0;
}

/* libvirt's testDomainRevertToSnapshot, with the domain's state following its events. A revert
 * no lifecycle event tells of still changed the definition: it is announced as a change. */
int test_snapshot_revert(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                         unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct revert_defs defs = { 0 };
    struct vb_snapshot_def *snap;
    bool announced = false;
    int r = -1;

    VB_CHECK_FLAGS(flags, VB_SNAPSHOT_REVERT_RUNNING | VB_SNAPSHOT_REVERT_PAUSED | VB_SNAPSHOT_REVERT_FORCE, err);
    snap = test_snapshot_lookup(obj, name, err);
    if (!snap || check_revert(obj, snap, flags, err) < 0)
        return -1;
    if (revert_defs_prepare(conn, obj, snap, &defs, err) == 0)
        r = revert_to(conn, obj, snap, &defs, flags, &announced, err);
    revert_defs_clear(&defs);
    if (r == 0) {
        test_snapshot_private_of(obj)->tree.current = snap;
        if (!announced)
            test_emit_changed(conn, obj);
    }
    return test_done(conn, call, r);
}
