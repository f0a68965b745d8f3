/* What the QEMU driver's hotplug files share (qemu_hotplug.c: attach, update; qemu_hotplug_detach.c:
 * detach and DEVICE_DELETED): device names in qemu, the flags check, the live XML rewrite. */
#pragma once

#include "drivers/qemu/qemu_domain_private.h"

struct removal;
struct attach_op;
struct stats_query;

/* Per-domain hotplug state (dom->hotplug). */
struct media_change;

struct qemu_hotplug {
    unsigned int next_node; /* the next libvirt-N-storage/-format pair to use (never reused in a run) */
    unsigned int next_net;  /* the next netN / hostnetN */
    struct removal *removals; /* device_del sent, DEVICE_DELETED not seen yet */
    struct attach_op *attaching; /* the attach under way (one at a time: the core holds the job) */
    struct stats_query *stats_queries; /* qemu_block_stats.c: query-blockstats under way */
    struct media_change *changing; /* qemu_hotplug_media.c: the medium change under way */
    struct link_change *linking;   /* qemu_hotplug_link.c: the link state change under way */
    /* Blockdev pairs (N of libvirt-N-*) of disks found gone at reattach whose device qemu may
     * not have finalized yet (it holds the nodes until then, and says DEVICE_DELETED once it
     * let go): deleted again at the next DEVICE_DELETED. */
    unsigned int orphan_nodes[8];
    size_t n_orphan_nodes;
};

/* qemu_block_stats.c: GetStats' block counters for records[0..n) of the running domains, answering
 * VB_PENDING (the call ends when every qemu answered) or 0 when no qemu was asked. */
int qemu_block_stats_gather(struct vb_call *call, struct qemu_conn *conn, struct vb_domain_stats *records, size_t n);
/* Counts the queries of a qemu that went (their replies never come) as answered. */
void qemu_block_stats_abandon(struct qemu_hotplug *hp);

/* qemu_hotplug.c: forgets the attach under way when its qemu went (its replies never come). */
void qemu_hotplug_attach_abandon(struct qemu_hotplug *hp);

/* dom->hotplug, created on first use. */
struct qemu_hotplug *qemu_hotplug_get(struct qemu_dom *dom, struct vb_error *err);
/* qemu_hotplug_detach.c: a disk or NIC qemu no longer lists (reattach): it leaves the live
 * definition, its backend is deleted (and, for a disk, deleted again at the next DEVICE_DELETED
 * in case qemu still held it), and DeviceRemoved is announced. */
void qemu_hotplug_device_gone_while_away(struct qemu_dom *dom, const char *alias);

/* libvirt's device flags check: LIVE | CONFIG (| extra), CURRENT resolved against the state. */
int qemu_hotplug_check_flags(const struct vb_domain_obj *obj, unsigned int *flags, unsigned int extra,
                             struct vb_error *err);

/* The <alias name> of a device in a live definition, malloc'd, or NULL. */
char *qemu_hotplug_alias(const struct vb_device_def *dev);
/* A disk's <driver type> ("raw" when absent), malloc'd; NULL with err when out of memory. */
char *qemu_disk_format(const struct vb_device_def *dev, struct vb_error *err);
/* qemu_block_info.c: the type and file of a disk of obj's definition as qemu was given them: for
 * a pool-volume disk (<disk type='volume'>) of a running domain, "file" and the volume's file,
 * asked of its pool (qemu_storage_disk_file); dev's own type and source otherwise. */
struct qemu_disk_file {
    const char *type; /* NULL: file */
    const char *path; /* borrowed: use it at once */
};
int qemu_disk_file(struct qemu_conn *conn, const struct vb_domain_obj *obj, const struct vb_device_def *dev,
                   struct qemu_disk_file *file, struct vb_error *err);
/* The index of a virtio disk's target name (vda 0, vdb 1, ..., vdaa 26), or -1. */
int qemu_hotplug_disk_index(const char *target);

/* The qemu names of a device of the running domain: its id (virtio-disk1, net0) and, for a disk,
 * its blockdev number N (libvirt-N-format), for an interface its netdev (hostnet0). Devices
 * hotplugged carry theirs in the live definition; those qemu started with are named as the
 * command line builder named them. -1 with err for devices that cannot be unplugged. */
struct device_names {
    char alias[64];
    char netdev[64];   /* "" for disks */
    unsigned int node; /* 0 for interfaces */
};
int qemu_hotplug_names(struct qemu_dom *dom, const struct vb_device_def *dev, struct device_names *names,
                       struct vb_error *err);

/* The blockdev number N (libvirt-N-format) of the medium a disk of the running domain has now,
 * 0 when it has none. */
unsigned int qemu_hotplug_disk_node(struct qemu_dom *dom, const struct vb_device_def *dev);
/* A disk's bus: <target bus>, else what its target name implies ("" when neither says). */
const char *qemu_hotplug_disk_bus(const struct vb_device_def *dev);

/* Rewrites RUN/NAME.xml from obj->def after a live change (a failure is logged: qemu has the
 * device either way). */
void qemu_hotplug_save_live(struct qemu_dom *dom);

/* libvirt's "no target device vdb" / "no device matching MAC address ..." for a device not found. */
int qemu_hotplug_report_missing(const struct vb_device_def *dev, struct vb_error *err);

/* Announces DEVICE_ADDED / DEVICE_REMOVED for alias. */
void qemu_hotplug_emit(struct qemu_dom *dom, int id, const char *alias);

/* {"key": "value"}, the arguments most hotplug commands take. */
struct json_object *qemu_hotplug_args(const char *key, const char *value);

/* QMP commands run one after the other, each with the command that undoes it (undo NULL: nothing
 * to undo), for a change that either happens whole or not at all. */
#define HOTPLUG_STEPS_MAX 6
struct hotplug_step {
    const char *command, *undo;
    struct json_object *args, *undo_args; /* owned */
    bool has_fd;                          /* fd (owned) goes with the command (getfd) */
    int fd;
};
struct hotplug_steps {
    struct hotplug_step step[HOTPLUG_STEPS_MAX];
    size_t n, done; /* done: how many qemu carried out */
};
void qemu_hotplug_steps_add(struct hotplug_steps *steps, const char *command, struct json_object *args,
                            const char *undo, struct json_object *undo_args);
/* The same for a command that passes fd to qemu (getfd); the steps own fd from here on. */
void qemu_hotplug_steps_add_fd(struct hotplug_steps *steps, const char *command, struct json_object *args, int fd,
                               const char *undo, struct json_object *undo_args);
/* Sends step[done]; its reply goes to `reply`, which counts it done. */
int qemu_hotplug_steps_send(struct qemu_dom *dom, struct hotplug_steps *steps, qmp_reply_fn reply, void *userdata,
                            struct vb_error *err);
/* Undoes the steps done, the last first (replies only logged). */
void qemu_hotplug_steps_undo(struct qemu_dom *dom, struct hotplug_steps *steps);
void qemu_hotplug_steps_clear(struct hotplug_steps *steps);

/* Sends a command whose reply nobody waits for (rollbacks, blockdev-del after DEVICE_DELETED):
 * a failure is logged. Takes args. */
void qemu_hotplug_send_quiet(struct qemu_dom *dom, const char *command, struct json_object *args);

/* qemu_hotplug_scsi.c: a SCSI disk attached live. The disk (dev, the live definition's copy) gets
 * its <address type='drive'>; device is the scsi-hd/scsi-cd device_add arguments without `drive`
 * (owned by the caller); add_controller when the guest has no SCSI controller yet (a
 * virtio-scsi-pci with id scsi0 must be added first). */
struct scsi_plan {
    char alias[64];
    struct json_object *device;
    bool add_controller;
};
int qemu_hotplug_scsi_plan(struct qemu_dom *dom, struct vb_device_def *dev, struct scsi_plan *plan,
                           struct vb_error *err);
/* Whether def has neither a SCSI controller nor a SCSI disk (for which the command line adds one):
 * a SCSI disk attached to it brings libvirt's implicit controller, virtio-scsi here. */
bool qemu_hotplug_scsi_needs_controller(const struct vb_domain_def *def);
/* <controller type='scsi' index='0' model='virtio-scsi'/>, with <alias name='scsi0'/> when live. */
struct vb_device_def *qemu_hotplug_scsi_controller_def(bool live, struct vb_error *err);

/* qemu_hotplug_media.c: UpdateDevice of a disk (a CD-ROM's medium changed or ejected, live
 * through QMP and/or in the persistent definition), flags resolved. */
int qemu_hotplug_update_disk(struct vb_call *call, struct qemu_conn *conn, struct vb_domain_obj *obj,
                             const struct vb_device_def *given, const char *xml, unsigned int flags);
/* Forgets the change under way when its qemu went (its replies never come); true if there was one. */
bool qemu_hotplug_media_abandon(struct qemu_hotplug *hp);
/* qemu_hotplug_link.c: UpdateDevice of a NIC (live: its link state, `set_link`). */
int qemu_hotplug_update_nic(struct vb_call *call, struct qemu_conn *conn, struct vb_domain_obj *obj,
                            const struct vb_device_def *given, const char *xml, unsigned int flags);
void qemu_hotplug_link_free(struct link_change *change);
/* qemu_hotplug.c: the persistent definition's device replaced by xml's (UpdateDevice, CONFIG). */
int qemu_hotplug_update_config(struct vb_domain_obj *obj, struct qemu_conn *conn, const char *xml,
                               struct vb_error *err);
