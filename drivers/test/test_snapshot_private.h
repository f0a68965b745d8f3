/* Private to the test driver's snapshot files: per-domain snapshot state and shared helpers. */
#pragma once

#include <stdbool.h>

#include "conf/snapshot_def.h"
#include "drivers/snapshot_tree.h"
#include "drivers/test/test_private.h"

struct test_domain_private {
    struct vb_snapshot_tree tree;
};

struct test_domain_private *test_snapshot_private_of(const struct vb_domain_obj *obj);

/* The snapshot `name` of obj, or NULL with libvirt's VB_ERR_NO_DOMAIN_SNAPSHOT
 * "no domain snapshot with matching name '%s'". */
struct vb_snapshot_def *test_snapshot_lookup(const struct vb_domain_obj *obj, const char *name, struct vb_error *err);

/* Stops obj for a snapshot operation without dropping a transient domain (a revert may start
 * it again at once). */
void test_snapshot_stop(struct test_conn *conn, struct vb_domain_obj *obj);
void test_snapshot_pause(struct test_conn *conn, struct vb_domain_obj *obj, bool emit);

/* test_snapshot_revert.c: the snapshot table's revert slot */
int test_snapshot_revert(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                         unsigned int flags);
