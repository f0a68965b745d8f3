/* Starting qemu for a domain (libvirt's qemuProcessStart): launch with -S, pidfile, live XML,
 * QMP, then `cont`. */
#include "drivers/qemu/qemu_process_private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_tap.h"
#include "util/file.h"
#include "util/macros.h"

static void on_cont(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_process *proc = userdata;

    if (reply->result < 0) {
        qemu_process_abandon(proc, &reply->err);
        return;
    }
    qemu_process_become_ready(proc, true);
}

static void continue_start(struct qemu_process *proc)
{
    struct vb_error err = VB_ERROR_INIT;

    if (proc->start_paused) {
        qemu_process_become_ready(proc, false);
        return;
    }
    if (qmp_monitor_send(proc->mon, "cont", NULL, proc->monitor_timeout_usec, on_cont, proc, &err) < 0) {
        qemu_process_abandon(proc, &err);
        vb_error_clear(&err);
    }
}

static void after_vcpus(struct qemu_process *proc)
{
    struct vb_error err = VB_ERROR_INIT;

    if (qemu_process_prepare_devices(proc, continue_start, &err) < 0) {
        qemu_process_abandon(proc, &err);
        vb_error_clear(&err);
    }
}

static void after_handshake(struct qemu_process *proc)
{
    struct vb_error err = VB_ERROR_INIT;

    if (qemu_process_setup_vcpus(proc, after_vcpus, &err) < 0) {
        qemu_process_abandon(proc, &err);
        vb_error_clear(&err);
    }
}

/* Opens the log for appending and writes libvirt's kind of header; records where qemu's own
 * output will begin. */
static int open_log(struct qemu_process *proc, char *const *argv, struct vb_error *err)
{
    _cleanup_free_ char *line = qemu_argv_to_string(argv);
    char stamp[64];
    time_t now = time(NULL);
    struct tm tm;
    int fd;

    fd = open(proc->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return vb_error_set_errno(err, errno, "failed to create logfile %s", proc->log_path);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
    if (dprintf(fd, "%s+0000: starting up\n%s\n", stamp, line ? line : argv[0]) < 0) {
        close(fd);
        return vb_error_set_errno(err, errno, "cannot write to logfile %s", proc->log_path);
    }
    proc->log_start = lseek(fd, 0, SEEK_END);
    return fd;
}

int qemu_process_write_live_def(const struct qemu_process *proc, const struct vb_domain_def *def,
                                struct vb_error *err)
{
    _cleanup_free_ char *xml = vb_domain_def_format(def, 0, err);

    if (!xml)
        return -1;
    return vb_file_write_atomic(proc->xml_path, xml, strlen(xml), 0600, err);
}

static int write_live_xml(const struct qemu_process *proc, struct vb_error *err)
{
    return qemu_process_write_live_def(proc, proc->def, err);
}

/* A live pidfile means a qemu of that name runs (perhaps one we have not reattached yet). */
static int check_not_running(const struct qemu_process *proc, struct vb_error *err)
{
    pid_t pid;
    unsigned long long start_time;
    struct vb_error ignored = VB_ERROR_INIT;

    if (qemu_process_read_pidfile(proc->pid_path, &pid, &start_time, &ignored) == 0 &&
        qemu_process_start_time(pid) == start_time)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain '%s' is already running (pid %d)", proc->name,
                            (int) pid);
    vb_error_clear(&ignored);
    return 0;
}

/* After fork: the pid is watched and recorded, or qemu is killed and reaped. */
static int adopt_child(struct qemu_process *proc, struct vb_error *err)
{
    proc->pidfd = qemu_pidfd_open(proc->pid);
    if (proc->pidfd < 0)
        vb_error_set_errno(err, errno, "cannot open a pidfd for process %d", (int) proc->pid);
    else if (qemu_process_watch_exit(proc, err) == 0 && qemu_process_write_pidfile(proc, err) == 0 &&
             write_live_xml(proc, err) == 0 && qemu_process_connect_monitor(proc, after_handshake, err) == 0)
        return 0;
    return -1;
}

struct tap_fds {
    int *fds; /* one per interface, in the definition's order; -1: no tap */
    size_t n;
};

static void tap_fds_close(struct tap_fds *taps)
{
    for (size_t i = 0; taps->fds && i < taps->n; i++)
        if (taps->fds[i] >= 0)
            close(taps->fds[i]);
    free(taps->fds);
    *taps = (struct tap_fds){ 0 };
}

/* Opens the tap of every ethernet interface and writes its name into the definition qemu
 * starts with (the live XML): <target dev='vnet0'/>. */
static int open_taps(struct qemu_process *proc, struct tap_fds *taps, struct vb_error *err)
{
    size_t n_ifaces = 0;

    for (size_t i = 0; i < proc->def->n_devices; i++)
        n_ifaces += proc->def->devices[i]->kind == VB_DEVICE_INTERFACE;
    if (!(taps->fds = malloc((n_ifaces ? n_ifaces : 1) * sizeof(*taps->fds))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < proc->def->n_devices; i++) {
        struct vb_device_def *dev = proc->def->devices[i];
        _cleanup_free_ char *ifname = NULL;
        int fd;

        if (dev->kind != VB_DEVICE_INTERFACE)
            continue;
        taps->fds[taps->n++] = -1;
        if (!dev->type || !streq(dev->type, "ethernet"))
            continue;
        if ((fd = qemu_tap_open(dev, &ifname, err)) < 0)
            return -1;
        taps->fds[taps->n - 1] = fd;
        if (!(dev->target_dev && streq(dev->target_dev, ifname)) &&
            vb_device_def_set_child_attribute(dev, "target", "dev", ifname, err) < 0)
            return -1;
    }
    return 0;
}

static int launch(struct qemu_process *proc, const struct qemu_process_options *options, struct vb_error *err)
{
    _cleanup_(tap_fds_close) struct tap_fds taps = { 0 };
    const struct qemu_command_options command = { .monitor_path = proc->monitor_path,
                                                  .kvm_usable = options->kvm_usable,
                                                  .incoming_defer = options->incoming_defer,
                                                  .loadvm = options->loadvm };
    _cleanup_(qemu_argv_freep) char **argv = NULL;
    _cleanup_close_ int log_fd = -1;

    if (check_not_running(proc, err) < 0 || !(argv = qemu_command_build(proc->def, &command, err)) ||
        open_taps(proc, &taps, err) < 0)
        return -1;
    qemu_process_remove_files(proc); /* a dead run's leftovers */
    log_fd = open_log(proc, argv, err);
    if (log_fd < 0)
        return -1;
    proc->pid = qemu_process_spawn(argv, log_fd, taps.fds, taps.n, err);
    if (proc->pid < 0)
        return -1;
    if (adopt_child(proc, err) == 0)
        return 0;
    kill(proc->pid, SIGKILL);
    waitpid(proc->pid, NULL, 0); /* at once: SIGKILL cannot be caught */
    qemu_process_remove_files(proc);
    return -1;
}

struct qemu_process *qemu_process_start(sd_event *loop, const struct vb_domain_def *def,
                                        const struct qemu_process_paths *paths,
                                        const struct qemu_process_options *options,
                                        const struct qemu_process_callbacks *callbacks, void *userdata,
                                        struct vb_error *err)
{
    struct qemu_process *proc = qemu_process_new(loop, callbacks, userdata);

    if (!proc || qemu_process_set_paths(proc, paths->run_dir, paths->log_dir, def->name) < 0 ||
        !(proc->def = vb_domain_def_copy(def, err))) {
        if (!vb_error_is_set(err))
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        qemu_process_free(proc);
        return NULL;
    }
    proc->start_paused = options->start_paused;
    if (options->monitor_timeout_usec)
        proc->monitor_timeout_usec = options->monitor_timeout_usec;
    if (launch(proc, options, err) < 0) {
        qemu_process_free(proc);
        return NULL;
    }
    return proc;
}
