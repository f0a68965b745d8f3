/* A non-blocking QMP (QEMU Machine Protocol) client on the sd-event loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "util/error.h"

/* Longest line accepted from qemu. Its largest real reply (query-qmp-schema) is a few hundred
 * KiB; a longer line means a broken or hostile peer, and the connection is closed. */
#define QMP_LINE_MAX (4u * 1024u * 1024u)

struct qmp_monitor;

/* How a command ended. Valid only during the callback. */
struct qmp_reply {
    int result;              /* 0: qemu returned `ret`; -1: `err` says why */
    struct json_object *ret; /* qemu's "return" value (borrowed; take a reference to keep it) */
    const char *error_class; /* qemu's error class when qemu answered with an error, else NULL */
    struct vb_error err;     /* qemu's error, a timeout, or the monitor closing */
};

/* An asynchronous QMP event. Valid only during the callback. */
struct qmp_event {
    const char *name;         /* "SHUTDOWN", "STOP", ... */
    struct json_object *data; /* its "data" object, NULL when qemu sent none (borrowed) */
    uint64_t timestamp_usec;  /* qemu's wall-clock time of the event, 0 if it sent none */
};

typedef void (*qmp_reply_fn)(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata);

/* Every callback may send commands and may free the monitor. */
struct qmp_callbacks {
    /* The greeting was read and qmp_capabilities accepted (optional). */
    void (*ready)(struct qmp_monitor *mon, void *userdata);
    /* An event, in the order qemu sent it relative to replies and other events (optional). */
    void (*event)(struct qmp_monitor *mon, const struct qmp_event *event, void *userdata);
    /* The connection is gone: qemu closed it (err: "End of file from qemu monitor"), a read or
     * write failed, qemu sent something that is not QMP, a line exceeded QMP_LINE_MAX, or the
     * handshake timed out. Runs once, after every pending command has failed with the same
     * cause; nothing runs after it. The monitor must still be freed (here is fine). */
    void (*closed)(struct qmp_monitor *mon, const struct vb_error *err, void *userdata);
};

/* Connects to qemu's QMP unix socket at `path`, retrying while the socket does not exist yet or
 * refuses (qemu still starting), reads the greeting and negotiates capabilities, all within
 * `timeout_usec`; past it the monitor closes with VB_ERR_OPERATION_TIMEOUT. Returns the monitor
 * at once (the handshake goes on from the loop), or NULL with err set. */
struct qmp_monitor *qmp_monitor_connect(sd_event *loop, const char *path, uint64_t timeout_usec,
                                        const struct qmp_callbacks *callbacks, void *userdata,
                                        struct vb_error *err);

/* The same over an already connected socket (a socketpair, a descriptor passed by qemu's parent);
 * takes fd, closing it on failure. */
struct qmp_monitor *qmp_monitor_open_fd(sd_event *loop, int fd, uint64_t timeout_usec,
                                        const struct qmp_callbacks *callbacks, void *userdata,
                                        struct vb_error *err);

/* Sends `command` with `arguments` (a JSON object, taken; may be NULL) and a unique id.
 * `done` runs exactly once, from the loop, never from inside this call: with qemu's reply, or
 * after `timeout_usec` with VB_ERR_OPERATION_TIMEOUT (a late reply is then dropped), or when
 * the monitor closes. Commands sent before the handshake ends wait for it. Returns 0, or -1
 * with err set (monitor closed, out of memory) and done never runs. */
int qmp_monitor_send(struct qmp_monitor *mon, const char *command, struct json_object *arguments,
                     uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err);

/* The same, with a copy of fd sent along (SCM_RIGHTS) with the request's first byte, as qemu's
 * `getfd` and `add-fd` expect; fd stays the caller's. The copy is closed once sent, or when the
 * monitor closes first. -1 with err when fd is not open. */
int qmp_monitor_send_fd(struct qmp_monitor *mon, const char *command, struct json_object *arguments, int fd,
                        uint64_t timeout_usec, qmp_reply_fn done, void *userdata, struct vb_error *err);

/* True once the handshake is done and until the connection closes. */
bool qmp_monitor_is_ready(const struct qmp_monitor *mon);

/* Closes the connection and frees the monitor. Pending commands are dropped without their
 * callbacks, and no callback runs after this. Safe from inside any callback; NULL is fine. */
void qmp_monitor_free(struct qmp_monitor *mon);

DEFINE_CLEANUP_FUNC(struct qmp_monitor, qmp_monitor_free)
