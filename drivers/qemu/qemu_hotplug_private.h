/* What the QEMU driver's hotplug files share (qemu_hotplug.c: attach, update; qemu_hotplug_detach.c:
 * detach and DEVICE_DELETED): device names in qemu, the flags check, the live XML rewrite. */
#pragma once

#include "drivers/qemu/qemu_domain_private.h"

struct removal;
struct attach_op;
struct stats_query;

/* Per-domain hotplug state (dom->hotplug). */
struct qemu_hotplug {
    unsigned int next_node; /* the next libvirt-N-storage/-format pair to use (never reused in a run) */
    unsigned int next_net;  /* the next netN / hostnetN */
    struct removal *removals; /* device_del sent, DEVICE_DELETED not seen yet */
    struct attach_op *attaching; /* the attach under way (one at a time: the core holds the job) */
    struct stats_query *stats_queries; /* qemu_block_stats.c: query-blockstats under way */
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

/* libvirt's device flags check: LIVE | CONFIG (| extra), CURRENT resolved against the state. */
int qemu_hotplug_check_flags(const struct vb_domain_obj *obj, unsigned int *flags, unsigned int extra,
                             struct vb_error *err);

/* The <alias name> of a device in a live definition, malloc'd, or NULL. */
char *qemu_hotplug_alias(const struct vb_device_def *dev);
/* A disk's <driver type> ("raw" when absent), malloc'd; NULL with err when out of memory. */
char *qemu_disk_format(const struct vb_device_def *dev, struct vb_error *err);
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

/* Rewrites RUN/NAME.xml from obj->def after a live change (a failure is logged: qemu has the
 * device either way). */
void qemu_hotplug_save_live(struct qemu_dom *dom);

/* libvirt's "no target device vdb" / "no device matching MAC address ..." for a device not found. */
int qemu_hotplug_report_missing(const struct vb_device_def *dev, struct vb_error *err);

/* Announces DEVICE_ADDED / DEVICE_REMOVED for alias. */
void qemu_hotplug_emit(struct qemu_dom *dom, int id, const char *alias);

/* Sends a command whose reply nobody waits for (rollbacks, blockdev-del after DEVICE_DELETED):
 * a failure is logged. Takes args. */
void qemu_hotplug_send_quiet(struct qemu_dom *dom, const char *command, struct json_object *args);
