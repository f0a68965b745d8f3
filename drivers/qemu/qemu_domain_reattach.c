/* After a daemon restart (even kill -9): every domain whose qemu still runs is found again from
 * what the run directory keeps (libvirt's qemuProcessReconnect), and autostart domains start.
 *
 * The driver keeps RUN/NAME.status ("ID STATE REASON\n") beside the process module's pidfile,
 * monitor socket and live XML, so a reattached domain keeps its id and the reason of its state,
 * as libvirt's status XML does. It is rewritten whenever the state changes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qemu_domain_private.h"
#include "events/event.h"
#include "util/file.h"
#include "util/log.h"
#include "util/macros.h"

struct saved_status {
    int id, state, reason;
};

static char *status_path(const struct qemu_conn *conn, const char *name)
{
    char *path = NULL;

    return asprintf(&path, "%s/%s.status", conn->dirs.runtime, name) < 0 ? NULL : path;
}

void qemu_dom_save_status(struct qemu_dom *dom)
{
    struct vb_domain_obj *obj = dom->obj;
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *path = NULL;
    char line[64];
    int n;

    if (!dom->conn || !(path = status_path(dom->conn, obj->def->name)))
        return;
    n = snprintf(line, sizeof(line), "%d %d %d\n", obj->id, (int) obj->state, obj->reason);
    if (vb_file_write_atomic(path, line, (size_t) n, 0600, &err) < 0) {
        vb_log_warning("could not keep the status of '%s': %s", obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

void qemu_dom_remove_status(struct qemu_dom *dom)
{
    _cleanup_free_ char *path = dom->conn ? status_path(dom->conn, dom->obj->def->name) : NULL;

    if (path)
        unlink(path);
}

/* The saved status, or id -1 when there is none (a qemu started by an older daemon). */
static struct saved_status read_status(const struct qemu_conn *conn, const char *name)
{
    struct saved_status status = { .id = -1 };
    _cleanup_free_ char *path = status_path(conn, name);
    _cleanup_free_ char *text = path ? vb_file_read_all(path, 64, NULL, NULL) : NULL;

    if (!text || sscanf(text, "%d %d %d", &status.id, &status.state, &status.reason) != 3 || status.id <= 0)
        status.id = -1;
    return status;
}

/* A qemu whose domain is not defined (a transient domain): its live XML names it. */
static struct vb_domain_obj *add_transient(struct qemu_conn *conn, const char *name, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL, *xml = NULL;
    struct vb_domain_def *def;
    struct vb_domain_obj *obj;
    int conflict;

    if (asprintf(&path, "%s/%s.xml", conn->dirs.runtime, name) < 0) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    if (!(xml = vb_file_read_all(path, 16u << 20, NULL, err)) || !(def = vb_domain_def_parse_string(xml, err)))
        return NULL;
    if (!streq(def->name, name) || vb_domain_list_check_add(conn->domains, def, false, &conflict, err) ||
        conflict) {
        if (!vb_error_is_set(err))
            vb_error_set(err, VB_ERR_INTERNAL_ERROR, "live XML '%s' names another domain", path);
        vb_domain_def_free(def);
        return NULL;
    }
    if (!(obj = vb_domain_list_add_def(conn->domains, def)))
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return obj; /* the list holds it */
}

/* The domain is active again with its old id (or a new one), showing the definition qemu runs. */
static int adopt(struct qemu_conn *conn, struct qemu_dom *dom, struct saved_status status, struct vb_error *err)
{
    struct vb_domain_obj *obj = dom->obj;
    struct vb_domain_def *live;
    int id = status.id > 0 && !vb_domain_list_find_by_id(conn->domains, status.id) ? status.id : conn->next_id;

    if (status.state != VB_DOMAIN_RUNNING && status.state != VB_DOMAIN_PAUSED)
        status = (struct saved_status){ .state = VB_DOMAIN_RUNNING, .reason = VB_RUNNING_UNKNOWN };
    if (!(live = vb_domain_def_copy(qemu_process_def(dom->proc), err)) ||
        vb_domain_obj_mark_started(obj, id, status.state, status.reason, err) < 0) {
        vb_domain_def_free(live);
        return -1;
    }
    vb_domain_def_free(obj->def);
    obj->def = live;
    live->id = id;
    if (vb_domain_list_reindex_id(conn->domains, obj, -1) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (id >= conn->next_id)
        conn->next_id = id + 1;
    dom->running = status.state == VB_DOMAIN_RUNNING;
    dom->reattaching = true;
    return 0;
}

static void on_reconnect_hook_done(int result, const struct vb_error *err, void *userdata)
{
    struct qemu_dom *dom = userdata;

    dom->hook_run = NULL;
    if (result >= 0 || !dom->proc)
        return;
    /* libvirt's qemuProcessReconnect: a reconnect hook that fails ends the domain. */
    vb_log_warning("reconnect hook of domain '%s' failed, stopping it: %s", dom->obj->def->name,
                   vb_error_message(err));
    dom->stop_requested = true;
    if (qemu_process_stop(dom->proc, false, 0, NULL, NULL, NULL) < 0)
        dom->stop_requested = false;
}

void qemu_dom_run_reconnect_hook(struct qemu_dom *dom)
{
    static const enum qemu_hook_op ops[] = { QEMU_HOOK_RECONNECT };
    struct vb_error err = VB_ERROR_INIT;

    if (qemu_dom_run_hooks(dom, ops, ARRAY_SIZE(ops), on_reconnect_hook_done, dom, &err) < 0) {
        vb_log_warning("reconnect hook of domain '%s': %s", dom->obj->def->name, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

/* The qemu ended while the daemon was away: shutoff/crashed, as libvirt reports it. */
static void report_gone(struct qemu_conn *conn, struct qemu_dom *dom)
{
    struct vb_domain_obj *obj = dom->obj;

    vb_log_info("qemu of domain '%s' ended while virtbusd was not running", obj->def->name);
    qemu_dom_remove_status(dom);
    vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_CRASHED);
    qemu_emit(conn, obj, VB_EVENT_STOPPED, VB_EVENT_STOPPED_CRASHED);
    if (!obj->persistent) {
        qemu_snapshot_discard_all(conn, obj);
        vb_domain_list_remove(conn->domains, obj);
    }
}

static void reattach_one(struct qemu_conn *conn, const char *name)
{
    struct vb_error err = VB_ERROR_INIT;
    struct saved_status status = read_status(conn, name);
    struct vb_domain_obj *obj = vb_domain_list_find_by_name(conn->domains, name);
    struct qemu_process *proc = NULL;
    struct qemu_dom *dom;
    int r;

    if (!obj && (obj = add_transient(conn, name, &err)))
        qemu_snapshot_load(conn, obj); /* a transient domain's snapshots too, as libvirt's reconnect */
    if (!obj || !(dom = qemu_dom_get(conn, obj, &err)))
        goto fail;
    r = qemu_process_reattach(conn->loop, conn->dirs.runtime, name, &qemu_dom_process_callbacks, dom, &proc, &err);
    if (r == QEMU_REATTACH_GONE)
        report_gone(conn, dom);
    else if (r == QEMU_REATTACH_NOT_RUNNING)
        qemu_dom_remove_status(dom);
    else if (r == QEMU_REATTACH_ADOPTED) {
        dom->proc = proc;
        if (adopt(conn, dom, status, &err) < 0) {
            /* Unreachable but for memory: qemu keeps running and a later restart tries again. */
            dom->proc = NULL;
            qemu_process_free(proc);
            goto fail;
        }
        vb_log_info("reattached to qemu of domain '%s' (pid %d)", name, (int) qemu_process_pid(proc));
        return;
    }
    if (r >= 0)
        return;
fail:
    vb_log_warning("cannot reattach to qemu of domain '%s': %s", name, vb_error_message(&err));
    vb_error_clear(&err);
}

/* NAME of RUN/NAME.pid, or NULL for any other entry. */
static char *pidfile_domain_name(const char *entry)
{
    size_t len = strlen(entry);

    if (len <= 4 || entry[0] == '.' || !streq(entry + len - 4, ".pid"))
        return NULL;
    return strndup(entry, len - 4);
}

void qemu_domains_reattach(struct qemu_conn *conn)
{
    DIR *dir = opendir(conn->dirs.runtime);
    struct dirent *entry;

    if (!dir)
        return; /* nothing ran since the host booted */
    while ((entry = readdir(dir))) {
        _cleanup_free_ char *name = pidfile_domain_name(entry->d_name);

        if (name)
            reattach_one(conn, name);
    }
    closedir(dir);
}

void qemu_domains_autostart(struct qemu_conn *conn)
{
    struct vb_domain_obj **objs = NULL;
    int n = vb_domain_list_collect(conn->domains, &objs);

    for (int i = 0; i < n; i++) {
        const struct qemu_process_options options = { 0 };

        if (objs[i]->autostart && !vb_domain_obj_is_active(objs[i]))
            (void) qemu_dom_start_call(conn, NULL, objs[i], &options); /* failures are logged */
    }
    free(objs);
}
