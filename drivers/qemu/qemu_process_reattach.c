/* Finding a domain's qemu again after a daemon restart (libvirt's qemuProcessReconnect). */
#include "drivers/qemu/qemu_process_private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/macros.h"

/* Largest live XML read back. */
#define LIVE_XML_MAX (16u * 1024u * 1024u)

static void on_status(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_process *proc = userdata;
    struct json_object *running, *status;

    if (reply->result < 0) {
        qemu_process_abandon(proc, &reply->err);
        return;
    }
    /* The guest powered off while nobody listened: qemu (-no-shutdown) waits to be told to quit. */
    if (json_object_object_get_ex(reply->ret, "status", &status) &&
        streq(json_object_get_string(status), "shutdown"))
        proc->guest_shutdown = proc->shutdown_by_guest = true;
    qemu_process_become_ready(proc, json_object_object_get_ex(reply->ret, "running", &running) &&
                                        json_object_get_boolean(running));
}

static void after_handshake(struct qemu_process *proc)
{
    struct vb_error err = VB_ERROR_INIT;

    if (qmp_monitor_send(proc->mon, "query-status", NULL, proc->monitor_timeout_usec, on_status, proc, &err) < 0) {
        qemu_process_abandon(proc, &err);
        vb_error_clear(&err);
    }
}

/* Opens a pidfd on the pid and checks that it is still the process the pidfile names: once the
 * pidfd is open it pins that process, so a start time that matches afterwards proves it. */
static int open_if_same(struct qemu_process *proc, unsigned long long start_time)
{
    proc->pidfd = qemu_pidfd_open(proc->pid);
    if (proc->pidfd < 0)
        return -1;
    if (qemu_process_start_time(proc->pid) != start_time) {
        close(proc->pidfd);
        proc->pidfd = -1;
        return -1;
    }
    return 0;
}

static int read_live_xml(struct qemu_process *proc, struct vb_error *err)
{
    _cleanup_free_ char *xml = vb_file_read_all(proc->xml_path, LIVE_XML_MAX, NULL, err);

    if (!xml)
        return -1;
    proc->def = vb_domain_def_parse_string(xml, err);
    return proc->def ? 0 : -1;
}

int qemu_process_reattach(sd_event *loop, const char *run_dir, const char *name,
                          const struct qemu_process_callbacks *callbacks, void *userdata,
                          struct qemu_process **out, struct vb_error *err)
{
    struct qemu_process *proc = qemu_process_new(loop, callbacks, userdata);
    unsigned long long start_time = 0;
    int r;

    *out = NULL;
    if (!proc || qemu_process_set_paths(proc, run_dir, NULL, name) < 0) {
        qemu_process_free(proc);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    proc->reattached = true;
    r = qemu_process_read_pidfile(proc->pid_path, &proc->pid, &start_time, err);
    if (r == -ENOENT || (r == 0 && open_if_same(proc, start_time) < 0)) {
        qemu_process_remove_files(proc);
        qemu_process_free(proc);
        return r == -ENOENT ? QEMU_REATTACH_NOT_RUNNING : QEMU_REATTACH_GONE;
    }
    if (r < 0 || read_live_xml(proc, err) < 0 || qemu_process_watch_exit(proc, err) < 0 ||
        qemu_process_connect_monitor(proc, after_handshake, err) < 0) {
        qemu_process_free(proc);
        return -1;
    }
    *out = proc;
    return QEMU_REATTACH_ADOPTED;
}
