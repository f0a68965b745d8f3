/* A pool's directory read on the sd-event loop: the files are listed at once, then each gets a
 * `qemu-img info` child whose output is read from an io source, one child at a time, so a
 * start or refresh of a large pool never holds the loop (a child's output ends when it exits,
 * so the wait for its status returns at once). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/call.h"
#include "drivers/qemu/qemu_storage_private.h"
#include "util/log.h"

#define INFO_OUTPUT_MAX (64 * 1024)

struct qemu_scan {
    struct qemu_conn *conn;
    struct qemu_pool *pool;
    struct vb_call *call;
    qemu_scan_done_fn done;
    void *userdata;
    char **names;
    size_t n_names, next;
    struct vb_vol_def **vols;
    size_t n_vols, vols_allocated;
    pid_t pid;             /* the running qemu-img, 0 between children */
    int fd;
    sd_event_source *io, *finish;
    char *out;
    size_t out_len;
};

static void end_child(struct qemu_scan *scan, bool kill_it, int *status)
{
    *status = -1;
    scan->io = sd_event_source_disable_unref(scan->io);
    if (scan->fd >= 0)
        close(scan->fd);
    scan->fd = -1;
    if (scan->pid > 0) {
        if (kill_it)
            kill(scan->pid, SIGKILL);
        while (waitpid(scan->pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    scan->pid = 0;
}

static void scan_free(struct qemu_scan *scan)
{
    int status;

    end_child(scan, true, &status);
    sd_event_source_disable_unref(scan->finish);
    qemu_names_free(scan->names, scan->n_names);
    qemu_vols_free(scan->vols, scan->n_vols);
    free(scan->out);
    free(scan);
}

static int on_finish(sd_event_source *source, void *userdata)
{
    struct qemu_scan *scan = userdata;
    struct qemu_pool *pool = scan->pool;
    int r;

    r = qemu_pool_set_vols(pool, scan->vols, scan->n_vols, scan->vols_allocated, &scan->call->err);
    scan->vols = NULL;
    scan->n_vols = 0;
    pool->scan = NULL;
    scan->done(scan->conn, pool, scan->call, r < 0 ? -1 : 0, scan->userdata);
    scan_free(scan);
    return 0;
}

/* The child's output, read to its end: a volume, or the file skipped (logged). */
static void take_output(struct qemu_scan *scan, int status)
{
    const char *name = scan->names[scan->next];
    _cleanup_free_ char *path = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct qemu_img_info info;
    struct vb_vol_def *vol;

    if (asprintf(&path, "%s/%s", scan->pool->def->target_path, name) < 0)
        return;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        vb_log_warning("storage volume '%s' skipped: qemu-img info failed", path);
        return;
    }
    if (qemu_img_parse_info(scan->out, path, &info, &err) < 0) {
        vb_log_warning("storage volume '%s' skipped: %s", path, vb_error_message(&err));
        vb_error_clear(&err);
        return;
    }
    vol = qemu_vol_from_info(scan->pool->def->target_path, name, &info);
    if (vol && qemu_vols_append(&scan->vols, &scan->n_vols, &scan->vols_allocated, vol, &err) < 0) {
        vb_vol_def_free(vol);
        vb_error_clear(&err);
    }
}

static void next_child(struct qemu_scan *scan);

static int on_output(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qemu_scan *scan = userdata;
    char chunk[4096];
    ssize_t r = read(fd, chunk, sizeof(chunk));
    int status;

    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (r > 0) {
        if (scan->out_len + (size_t) r < INFO_OUTPUT_MAX) {
            memcpy(scan->out + scan->out_len, chunk, (size_t) r);
            scan->out_len += (size_t) r;
            scan->out[scan->out_len] = '\0';
        }
        return 0;
    }
    end_child(scan, false, &status);
    take_output(scan, status);
    scan->next++;
    next_child(scan);
    return 0;
}

/* Starts qemu-img info for the next file; a file whose child cannot start is skipped. After
 * the last one the result is taken in from a deferred source. */
static void next_child(struct qemu_scan *scan)
{
    for (; scan->next < scan->n_names; scan->next++) {
        _cleanup_free_ char *path = NULL;
        struct vb_error err = VB_ERROR_INIT;
        int status;

        if (asprintf(&path, "%s/%s", scan->pool->def->target_path, scan->names[scan->next]) < 0)
            continue;
        {
            const char *args[] = QEMU_IMG_INFO_ARGS(path);

            scan->pid = qemu_img_spawn(args, &scan->fd, &err);
        }
        scan->out_len = 0;
        scan->out[0] = '\0';
        if (scan->pid > 0 && fcntl(scan->fd, F_SETFL, O_NONBLOCK) == 0 &&
            sd_event_add_io(scan->conn->loop, &scan->io, scan->fd, EPOLLIN, on_output, scan) >= 0)
            return;
        vb_log_warning("storage volume '%s' skipped: %s", path,
                       vb_error_is_set(&err) ? vb_error_message(&err) : "cannot watch qemu-img");
        vb_error_clear(&err);
        if (scan->pid <= 0)
            scan->pid = 0;
        end_child(scan, true, &status);
    }
    /* From the loop, even when no child ran: the call ends after its slot returned. */
    sd_event_source_set_enabled(scan->finish, SD_EVENT_ONESHOT);
}

int qemu_pool_scan_start(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_call *call,
                         qemu_scan_done_fn done, void *userdata, struct vb_error *err)
{
    struct qemu_scan *scan;

    if (qemu_pool_check_idle(pool, err) < 0)
        return -1;
    if (!conn->loop)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "no event loop to scan storage pool '%s'", pool->def->name);
    scan = calloc(1, sizeof(*scan));
    if (!scan)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *scan = (struct qemu_scan){ .conn = conn, .pool = pool, .call = call, .done = done, .userdata = userdata, .fd = -1,
                                .out = malloc(INFO_OUTPUT_MAX) };
    if (!scan->out || sd_event_add_defer(conn->loop, &scan->finish, on_finish, scan) < 0 ||
        sd_event_source_set_enabled(scan->finish, SD_EVENT_OFF) < 0) {
        scan_free(scan);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (qemu_pool_list_files(pool->def->target_path, &scan->names, &scan->n_names, err) < 0) {
        scan_free(scan);
        return -1;
    }
    pool->scan = scan;
    next_child(scan);
    return 0;
}

void qemu_pool_scan_abort(struct qemu_pool *pool)
{
    struct qemu_scan *scan = pool->scan;

    if (!scan)
        return;
    pool->scan = NULL;
    vb_error_set(&scan->call->err, VB_ERR_OPERATION_ABORTED, "connection closed while reading storage pool '%s'",
                 pool->def->name);
    vb_call_complete(scan->call, -1);
    scan_free(scan);
}

int qemu_pool_check_not_scanning(const struct qemu_pool *pool, struct vb_error *err)
{
    if (!pool->scan)
        return 0;
    return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "pool '%s' has asynchronous jobs running.", pool->def->name);
}

int qemu_pool_check_idle(const struct qemu_pool *pool, struct vb_error *err)
{
    if (pool->builds)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "pool '%s' has asynchronous jobs running.", pool->def->name);
    return qemu_pool_check_not_scanning(pool, err);
}
