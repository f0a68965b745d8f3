/* Private to the QEMU driver's snapshot files (qemu_snapshot*.c): the per-domain tree lives in
 * struct qemu_dom, its metadata under <config>/snapshot/<domain>/<name>.xml as libvirt's. */
#pragma once

#include "conf/snapshot_def.h"
#include "drivers/qemu/qemu_img_run.h"
#include "drivers/qemu/qemu_domain_private.h"
#include "drivers/snapshot_tree.h"

struct qemu_snapshot_live;

/* obj's snapshot tree, NULL when it has none (no per-domain state yet). */
struct vb_snapshot_tree *qemu_snapshot_tree(const struct vb_domain_obj *obj);

/* qemu_snapshot_store.c: snap's metadata file written (with <active> for the current one),
 * libvirt's "unable to save metadata for snapshot %s" when it cannot be. */
int qemu_snapshot_save(struct qemu_conn *conn, const struct vb_domain_obj *obj, const struct vb_snapshot_def *snap,
                       struct vb_error *err);
/* Every snapshot's file rewritten (parents and current changed), files of snapshots no longer
 * in the tree removed. Failures are logged: the tree in memory is what counts until restart. */
void qemu_snapshot_sync(struct qemu_conn *conn, const struct vb_domain_obj *obj);

/* qemu_snapshot_create.c, qemu_snapshot_ops.c: the slots, and what the live operations end
 * with: the new snapshot recorded, the deleted one's metadata removed, the snapshot's definition
 * made the domain's (qemu_snapshot_revert_definition: -1 with err, nothing changed). */
void qemu_snapshot_create_done(struct qemu_snapshot_op *op);
/* The same without ending the call: 0, or -1 with err (nothing recorded). */
int qemu_snapshot_record(struct qemu_snapshot_op *op, struct vb_error *err);
void qemu_snapshot_delete_metadata(struct qemu_snapshot_op *op);
int qemu_snapshot_revert_definition(struct qemu_snapshot_op *op, struct vb_error *err);
/* A revert done: Defined/FromSnapshot for a persistent domain (last, as libvirt), the call ends. */
void qemu_snapshot_revert_end(struct qemu_snapshot_op *op);
/* qemu_snapshot_live.c: create, delete and revert on a running qemu, and the start of a domain
 * from a snapshot (loadvm: the snapshot whose state qemu loads, NULL for a boot); each returns
 * 0 once under way (the operation ends its call) or -1 with err. */
int qemu_snapshot_live_create(struct qemu_snapshot_op *op, struct vb_error *err);
int qemu_snapshot_live_delete(struct qemu_snapshot_op *op, struct vb_error *err);
int qemu_snapshot_live_revert(struct qemu_snapshot_op *op, struct vb_error *err);
int qemu_snapshot_start(struct qemu_snapshot_op *op, const char *loadvm, bool paused, struct vb_error *err);
/* Ends the domain's qemu for op (shutoff/from_snapshot, Stopped/FromSnapshot); `after` follows
 * once it exited (0: the operation goes on or ended, -1: it fails with err). */
int qemu_snapshot_stop_qemu(struct qemu_snapshot_op *op,
                            int (*after)(struct qemu_snapshot_op *op, struct vb_error *err), struct vb_error *err);
/* Parks call on op, then runs `live` (which may end the call at once): VB_PENDING. */
int qemu_snapshot_live_start(struct qemu_snapshot_op *op, struct vb_call *call,
                             int (*live)(struct qemu_snapshot_op *op, struct vb_error *err));
/* qemu_snapshot_ops.c: `qemu-img snapshot -a` of a revert to a shut-off snapshot, the domain
 * shut off (and started after when the flags ask). 0 once under way, -1 with err. */
int qemu_snapshot_revert_disks(struct qemu_snapshot_op *op, struct vb_error *err);
void qemu_snapshot_live_free(struct qemu_snapshot_live *live);
/* qemu_snapshot_create.c, qemu_snapshot_ops.c: the slots. */
int qemu_snapshot_create_xml(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                             unsigned int flags, char **name);
int qemu_snapshot_delete(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                         unsigned int flags);
int qemu_snapshot_revert(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *name,
                         unsigned int flags);

/* The qemu-img snapshot steps of def's disks for op ("-c", "-a", "-d"): the disks whose
 * snapshot location is internal (libvirt's qemuDomainSnapshotForEachQcow2Raw), pool volumes
 * turned into their files, each { "snapshot", op, name, path, NULL }. -1 with libvirt's words
 * for a disk that is no local file; a disk in another format than qcow2 is refused for "-c",
 * skipped (logged) otherwise. */
struct qemu_snapshot_steps {
    const char *(*args)[5]; /* op and name borrowed (static, the snapshot's), path from paths */
    char **paths;           /* owned */
    size_t n;
};
int qemu_snapshot_steps_build(struct qemu_conn *conn, const struct vb_snapshot_def *snap,
                              const struct vb_domain_def *def, const char *op, struct qemu_snapshot_steps *steps,
                              struct vb_error *err);
void qemu_snapshot_steps_free(struct qemu_snapshot_steps *steps);
/* Appends copies of the steps of more to all (the names stay borrowed). */
int qemu_snapshot_steps_append(struct qemu_snapshot_steps *all, const struct qemu_snapshot_steps *more,
                               struct vb_error *err);

/* The snapshot operation under way on a domain (dom->snapshot_op); its call waits on dom. */
struct qemu_snapshot_op {
    struct qemu_dom *dom;
    struct vb_call *call;
    struct qemu_img_run *run; /* the qemu-img children under way, or NULL */
    /* What follows when the children ended (the run is freed after it returns). */
    void (*step_done)(struct qemu_snapshot_op *op, struct qemu_img_run_result *result);
    struct vb_snapshot_def *def; /* create: the snapshot being made (owned until stored) */
    struct vb_snapshot_def *snap; /* delete, revert: the snapshot in the tree */
    unsigned int flags;
    char **name_out;             /* create: the new snapshot's name */
    struct vb_error failure;     /* why a create failed, kept while its first disks are rolled back */
    struct qemu_snapshot_steps steps; /* create: the steps run, for the rollback */
    struct qemu_snapshot_live *live;  /* qemu_snapshot_live.c: the QMP job under way */
    bool stopping;                    /* qemu_snapshot_start.c: the operation is ending qemu, */
    int (*after_stop)(struct qemu_snapshot_op *op, struct vb_error *err); /* and goes on with this */
    bool starting;                    /* a revert started qemu, not ready yet */
    bool start_paused;                /* and leaves it paused */
};

/* A new operation for obj (refused while another snapshot operation or a call waits on it). */
struct qemu_snapshot_op *qemu_snapshot_op_new(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                              struct vb_error *err);
void qemu_snapshot_op_free(struct qemu_snapshot_op *op);
/* Starts the steps; op->step_done follows. */
int qemu_snapshot_op_run(struct qemu_snapshot_op *op, const struct qemu_snapshot_steps *steps, bool keep_going,
                         struct vb_error *err);
/* Runs op->steps, then op->step_done (at once when there are none), the call parked on the
 * domain meanwhile: VB_PENDING, or -1 with call->err (op not installed). */
int qemu_snapshot_op_start(struct qemu_snapshot_op *op, struct vb_call *call, bool keep_going);
/* Installs op on its domain and parks call there: VB_PENDING. */
int qemu_snapshot_op_wait(struct qemu_snapshot_op *op, struct vb_call *call);
/* Frees op and ends its call with r (err copied when r is -1; NULL or op->call's own: the call's
 * error stands). */
void qemu_snapshot_op_end(struct qemu_snapshot_op *op, int r, const struct vb_error *err);
