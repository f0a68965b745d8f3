/* Internals shared by the qemu_process*.c files. */
#pragma once

#include "drivers/qemu/qemu_process.h"

enum qemu_process_phase {
    QEMU_PROCESS_STARTING, /* launched or reattaching, not ready yet */
    QEMU_PROCESS_READY,
    QEMU_PROCESS_ENDED,    /* exited or failed was called */
};

struct qemu_process {
    sd_event *loop;
    struct qemu_process_callbacks callbacks;
    void *userdata;
    enum qemu_process_phase phase;
    bool reattached;    /* not our child: no waitpid, no exit status */
    bool start_paused;

    char *name, *monitor_path, *pid_path, *xml_path, *log_path;
    struct vb_domain_def *def;
    long long log_start; /* where this run's output begins in the log */

    pid_t pid;
    int pidfd;
    sd_event_source *exit_source;
    struct qmp_monitor *mon;
    void (*after_handshake)(struct qemu_process *proc); /* runs once QMP is up */
    uint64_t monitor_timeout_usec;
    struct vb_error start_error; /* why a start is being abandoned (qemu killed, exit awaited) */

    bool requested, guest_shutdown, shutdown_by_guest;
    sd_event_source *stop_timer;
    qemu_process_stop_fn stop_done;
    void *stop_userdata;
    bool stop_graceful, stop_killed;
};

/* qemu_process_files.c */
int qemu_process_set_paths(struct qemu_process *proc, const char *run_dir, const char *log_dir, const char *name);
/* Field 22 of /proc/PID/stat (start time in clock ticks since boot); 0 when unreadable or the
 * process is a zombie (it ended; nobody reaped it yet). */
unsigned long long qemu_process_start_time(pid_t pid);
int qemu_process_write_pidfile(const struct qemu_process *proc, struct vb_error *err);
/* Reads "PID STARTTIME"; 0, or -ENOENT when there is none, or -1 with err. */
int qemu_process_read_pidfile(const char *path, pid_t *pid, unsigned long long *start_time, struct vb_error *err);
/* The last non-empty line qemu wrote to the log since `from`; "" when none. Caller frees. */
char *qemu_process_log_last_line(const char *log_path, long long from);
/* Removes the socket, pidfile and live XML. */
void qemu_process_remove_files(const struct qemu_process *proc);

/* qemu_process_devices.c: the pty paths of query-chardev's answer (chardevs) into def's pty serial
 * ports (<source path>) and the consoles on them (tty= too). */
int qemu_pty_paths_apply(struct vb_domain_def *def, struct json_object *chardevs, struct vb_error *err);
/* Before the guest runs: when def has a pty serial port, query-chardev, the paths into proc->def
 * and the live XML; interfaces defined with their link down: set_link; then `then` (at once when
 * there is nothing to do). A failure abandons the start. */
int qemu_process_prepare_devices(struct qemu_process *proc, void (*then)(struct qemu_process *proc),
                                 struct vb_error *err);

/* qemu_process_vcpus.c: before the guest runs, when def has <vcpus>: its enabled hotpluggable vCPUs
 * added by device_add in their order, then query-cpus-fast into proc->def and the live XML; then
 * `then`. A failure abandons the start. */
int qemu_process_setup_vcpus(struct qemu_process *proc, void (*then)(struct qemu_process *proc),
                             struct vb_error *err);

/* qemu_process_spawn.c: forks and execs argv in a new session, stdin /dev/null, stdout and
 * stderr to log_fd, pass_fds[i] (those >= 0) as fd QEMU_TAP_FD_BASE + i, nothing else open.
 * The caller keeps its fds. Returns the pid, or -1 with err. */
pid_t qemu_process_spawn(char *const *argv, int log_fd, const int *pass_fds, size_t n_pass, struct vb_error *err);
int qemu_pidfd_open(pid_t pid);
int qemu_pidfd_send_signal(int pidfd, int sig);

/* qemu_process.c */
struct qemu_process *qemu_process_new(sd_event *loop, const struct qemu_process_callbacks *callbacks,
                                      void *userdata);
/* Watches proc->pidfd for the exit. */
int qemu_process_watch_exit(struct qemu_process *proc, struct vb_error *err);
/* Connects QMP at proc->monitor_path; on ready runs `then`. */
int qemu_process_connect_monitor(struct qemu_process *proc, void (*then)(struct qemu_process *proc),
                                 struct vb_error *err);
/* Start or reattach failed with err: kill qemu (if alive), and report `failed` once it ended. */
void qemu_process_abandon(struct qemu_process *proc, const struct vb_error *err);
void qemu_process_become_ready(struct qemu_process *proc, bool running);
