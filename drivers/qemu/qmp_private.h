/* Private to drivers/qemu/qmp*.c: the monitor and its pending commands. */
#pragma once

#include "drivers/qemu/qmp.h"

enum qmp_state {
    QMP_STATE_CONNECTING,  /* the socket is not there yet: retrying */
    QMP_STATE_GREETING,    /* connected, waiting for {"QMP": ...} */
    QMP_STATE_NEGOTIATING, /* qmp_capabilities sent */
    QMP_STATE_READY,
    QMP_STATE_CLOSED,
};

struct qmp_command {
    struct qmp_command *prev, *next;
    struct qmp_monitor *mon;
    char id[32];
    char *name;
    char *line;            /* the request, until it is queued for writing */
    int fd;                /* sent with the request (SCM_RIGHTS), owned until queued; -1: none */
    sd_event_source *timer; /* NULL for qmp_capabilities, which the handshake deadline covers */
    uint64_t timeout_usec;
    qmp_reply_fn done;
    void *userdata;
};

struct qmp_monitor {
    unsigned int refs;    /* one for the owner, one per dispatch in progress */
    bool freed;           /* the owner let go: no callback may run any more */
    enum qmp_state state;
    sd_event *loop;
    int fd;
    char *path;           /* for connect retries and messages; NULL for an fd */
    sd_event_source *io, *handshake, *retry;
    uint64_t handshake_timeout_usec;
    int last_connect_errno;
    const struct qmp_callbacks *callbacks;
    void *userdata;

    char *in;
    size_t in_len, in_size, in_scanned; /* bytes held, allocated, known to hold no newline */
    char *out;
    size_t out_len, out_sent;
    /* Descriptors to send with the output: each rides with the byte at its offset in `out`,
     * the first byte of the request that names it (qemu's getfd takes the descriptor that came
     * with its command). Owned; offsets increase. */
    struct qmp_out_fd {
        size_t offset;
        int fd;
    } *out_fds;
    size_t n_out_fds;

    struct qmp_command *first, *last; /* pending commands, in the order sent */
    uint64_t next_serial;
};


/* The monitor may still run callbacks (neither freed by its owner nor closed). */
bool qmp_monitor_alive(const struct qmp_monitor *mon);
/* Appends text to what is written to qemu when the socket is ready, with fd (taken on success;
 * -1: none) sent along with its first byte. Returns 0 or -ENOMEM. */
int qmp_monitor_queue_output(struct qmp_monitor *mon, const char *text, int fd);

/* Commands, in qmp_commands.c. */
struct qmp_command *qmp_command_new(struct qmp_monitor *mon, const char *name, struct json_object *arguments,
                                    qmp_reply_fn done, void *userdata);
void qmp_command_free(struct qmp_command *cmd);
void qmp_command_append(struct qmp_monitor *mon, struct qmp_command *cmd);
void qmp_command_unlink(struct qmp_command *cmd);
/* Queues the command's request for writing, once. Returns 0 or -ENOMEM. */
int qmp_command_transmit(struct qmp_command *cmd);
/* The pending command with this id, or NULL. */
struct qmp_command *qmp_command_find(struct qmp_monitor *mon, const char *id);
/* Ends a command: it leaves the list before its callback runs, so the callback may do anything,
 * freeing the monitor included. */
void qmp_command_finish(struct qmp_command *cmd, struct qmp_reply *reply);
void qmp_command_fail(struct qmp_command *cmd, const struct vb_error *err);
