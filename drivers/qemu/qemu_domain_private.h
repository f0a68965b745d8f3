/* Per-domain lifecycle state of the QEMU driver and the helpers every operation file shares
 * (qemu_domain.c). Operation files (qemu_domain_ops.c, and one file per group of operations
 * beside it) include this after qemu_driver_private.h. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "drivers/call.h"
#include "drivers/qemu/qemu_driver_private.h"
#include "drivers/qemu/qemu_event_map.h"
#include "drivers/qemu/qemu_process.h"

#define QEMU_COMMAND_TIMEOUT_USEC (30ull * 1000u * 1000u)

struct qemu_hotplug;

/* Per-domain state (obj->driver_data), also on conn->doms so a closing connection finds it. */
struct qemu_dom {
    struct qemu_conn *conn;   /* NULL once the connection closed */
    struct vb_domain_obj *obj; /* the owner (borrowed) */
    struct qemu_process *proc; /* NULL while shut off */
    struct vb_call *call;      /* the call waiting for qemu (one at a time: the core holds the job) */
    bool running;             /* the vCPUs run, as the driver knows it (for qemu_event_map) */
    bool stop_requested;      /* destroy asked for the end */
    bool got_shutdown;        /* qemu reported SHUTDOWN: a later STOP is ignored (libvirt) */
    struct qemu_dom *next;
    struct qemu_hotplug *hotplug; /* qemu_hotplug*.c: names in use, removals pending; NULL until used */
    uint64_t balloon_kib;          /* qemu_domain_stats.c: the SetMemory waiting on `balloon` */
    unsigned int balloon_flags;
};

/* obj's state, created on first use (NULL with err set when out of memory). */
struct qemu_dom *qemu_dom_get(struct qemu_conn *conn, struct vb_domain_obj *obj, struct vb_error *err);
/* obj's state when its qemu runs; NULL with libvirt's "domain is not running" otherwise. */
struct qemu_dom *qemu_dom_running(struct vb_domain_obj *obj, struct vb_error *err);
/* Parks call on dom until qemu answers; returns VB_PENDING for the slot to return. */
int qemu_dom_wait(struct qemu_dom *dom, struct vb_call *call);
/* Ends the call waiting on dom, if any: r 0, or -1 with err copied into the call. */
void qemu_dom_finish_call(struct qemu_dom *dom, int r, const struct vb_error *err);
/* Sends a QMP command with no arguments to obj's qemu; the call ends with qemu's reply. */
int qemu_dom_command_call(struct vb_call *call, struct vb_domain_obj *obj, const char *command);
/* Announces one mapped QMP event on the connection's stream. */
void qemu_dom_emit_mapped(struct qemu_dom *dom, const struct qemu_domain_event *ev);
/* Unlinks dom from its connection's list (connection close). */
void qemu_dom_unlink(struct qemu_dom *dom);

/* qemu_domain_ops.c: the process callbacks every qemu of a domain runs with (start, restore,
 * reattach): state changes, events, the end of waiting calls. */
extern const struct qemu_process_callbacks qemu_dom_process_callbacks;
/* Starts obj's qemu (obj inactive; kvm refused without /dev/kvm; options->kvm_usable is filled):
 * `ready` later marks it started and ends dom->call. NULL with err set when nothing started. */
/* qemu_hotplug_detach.c: DEVICE_DELETED for alias (the device leaves the live definition, its
 * backend is deleted, a waiting DetachDevice returns); the process ended (removals dropped);
 * dom->hotplug freed. */
void qemu_hotplug_device_deleted(struct qemu_dom *dom, const char *alias);
void qemu_hotplug_process_gone(struct qemu_dom *dom);
/* Connection close: forgets what waits on qemu's replies (the call itself is ended by the caller). */
void qemu_hotplug_release(struct qemu_dom *dom);
void qemu_hotplug_free(struct qemu_hotplug *hp);
/* qemu_domain_stats.c: BALLOON_CHANGE's `actual` becomes the live definition's current memory. */
void qemu_balloon_changed(struct qemu_dom *dom, struct json_object *data);

struct qemu_dom *qemu_dom_start(struct qemu_conn *conn, struct vb_domain_obj *obj,
                                struct qemu_process_options *options, struct vb_error *err);
