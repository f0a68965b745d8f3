/* A volume built on the sd-event loop (create, clone, resize, wipe): its qemu-img runs one after
 * another, each a child watched through a pidfd with its output in memory files, then a
 * `qemu-img info` reads the result back. The volume stays listed meanwhile, marked as being
 * built (libvirt's `building`), and its pool has an asynchronous job. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/call.h"
#include "drivers/qemu/qemu_process_private.h"
#include "drivers/qemu/qemu_storage_private.h"
#include "util/log.h"

#define STEP_ARGS_MAX 12
#define STEPS_MAX (QEMU_VOL_BUILD_STEPS_MAX + 1)
#define CHILD_OUTPUT_MAX (64 * 1024)

struct qemu_vol_build {
    struct qemu_vol_build *next; /* the pool's builds */
    struct qemu_conn *conn;
    struct qemu_pool *pool;
    struct vb_vol_def *vol;
    bool created;      /* a new volume: its file and entry go when the build fails */
    char *source_key;  /* a clone's source, in use meanwhile */
    struct vb_call *call;
    struct vb_object_ref *ref;
    char *args[STEPS_MAX][STEP_ARGS_MAX + 1];
    size_t n_steps, step;
    pid_t pid;
    int pidfd, out_fd, err_fd;
    sd_event_source *exit_source;
};

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The running child (if any) killed or reaped; *status its wait status (-1 when none). */
static void end_child(struct qemu_vol_build *build, bool kill_it, int *status)
{
    *status = -1;
    build->exit_source = sd_event_source_disable_unref(build->exit_source);
    close_fd(&build->pidfd);
    if (build->pid > 0) {
        if (kill_it)
            kill(build->pid, SIGKILL);
        while (waitpid(build->pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    build->pid = 0;
}

static void build_free(struct qemu_vol_build *build)
{
    int status;

    end_child(build, true, &status);
    close_fd(&build->out_fd);
    close_fd(&build->err_fd);
    for (size_t s = 0; s < STEPS_MAX; s++)
        for (size_t i = 0; i < STEP_ARGS_MAX && build->args[s][i]; i++)
            free(build->args[s][i]);
    free(build->source_key);
    free(build);
}

/* A memory file's text (at most CHILD_OUTPUT_MAX bytes), NUL-terminated; NULL when out of memory. */
static char *read_memfd(int fd)
{
    char *text = calloc(1, CHILD_OUTPUT_MAX + 1);
    size_t len = 0;
    ssize_t r;

    if (!text || fd < 0)
        return text;
    while (len < CHILD_OUTPUT_MAX && (r = pread(fd, text + len, CHILD_OUTPUT_MAX - len, (off_t) len)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        len += (size_t) r;
    }
    return text;
}

static void unlink_from_pool(struct qemu_vol_build *build)
{
    struct qemu_vol_build **p = &build->pool->builds;

    while (*p && *p != build)
        p = &(*p)->next;
    if (*p)
        *p = build->next;
}

void qemu_pool_drop_vol(struct qemu_pool *pool, struct vb_vol_def *vol)
{
    for (size_t i = 0; i < pool->n_vols; i++)
        if (pool->vols[i] == vol) {
            memmove(&pool->vols[i], &pool->vols[i + 1], (pool->n_vols - i - 1) * sizeof(*pool->vols));
            pool->n_vols--;
            break;
        }
    vb_vol_def_free(vol);
}

/* The build over: a failed new volume leaves no file and no entry, then the call ends. */
static void finish(struct qemu_vol_build *build, int r)
{
    struct vb_call *call = build->call;

    unlink_from_pool(build);
    if (r == 0 && build->ref && qemu_vol_fill_ref(build->pool, build->vol, build->ref, &call->err) < 0)
        r = -1;
    if (r < 0 && build->created) {
        unlink(build->vol->path);
        qemu_pool_drop_vol(build->pool, build->vol);
    }
    qemu_pool_update_sizes_quietly(build->pool);
    build_free(build);
    vb_call_complete(call, r);
}

static int on_child_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata);

/* Starts the current step with fresh memory files for its output. */
static int start_step(struct qemu_vol_build *build, struct vb_error *err)
{
    const char *const *args = (const char *const *) build->args[build->step];

    close_fd(&build->out_fd);
    close_fd(&build->err_fd);
    build->out_fd = memfd_create("qemu-img-stdout", MFD_CLOEXEC);
    build->err_fd = memfd_create("qemu-img-stderr", MFD_CLOEXEC);
    if (build->out_fd < 0 || build->err_fd < 0)
        return vb_error_set_errno(err, errno, "cannot create a memory file for qemu-img");
    build->pid = qemu_img_spawn_to(args, build->out_fd, build->err_fd, err);
    if (build->pid < 0) {
        build->pid = 0;
        return -1;
    }
    build->pidfd = qemu_pidfd_open(build->pid);
    if (build->pidfd < 0 ||
        sd_event_add_io(build->conn->loop, &build->exit_source, build->pidfd, EPOLLIN, on_child_exit, build) < 0) {
        int status;

        end_child(build, true, &status);
        return vb_error_set_errno(err, errno ? errno : ENOMEM, "cannot watch qemu-img for volume '%s'",
                                  build->vol->path);
    }
    return 0;
}

/* The info step's output read into the volume. */
static int take_info(struct qemu_vol_build *build, struct vb_error *err)
{
    _cleanup_free_ char *text = read_memfd(build->out_fd);
    struct qemu_img_info info;

    if (!text)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (qemu_img_parse_info(text, build->vol->path, &info, err) < 0)
        return -1;
    free(build->vol->format);
    build->vol->format = info.format;
    build->vol->capacity = info.capacity;
    build->vol->allocation = info.allocation;
    return 0;
}

static int on_child_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    struct qemu_vol_build *build = userdata;
    const char *const *args = (const char *const *) build->args[build->step];
    _cleanup_free_ char *errors = NULL;
    struct vb_error *err = &build->call->err;
    int status;

    end_child(build, false, &status);
    errors = read_memfd(build->err_fd);
    if (qemu_img_check_status(args, status, errors, err) < 0) {
        finish(build, -1);
        return 0;
    }
    if (++build->step < build->n_steps) {
        if (start_step(build, err) < 0)
            finish(build, -1);
        return 0;
    }
    finish(build, take_info(build, err));
    return 0;
}

static int copy_step(struct qemu_vol_build *build, const char *const *args, struct vb_error *err)
{
    char **step = build->args[build->n_steps++];

    for (size_t i = 0; args[i]; i++) {
        if (i == STEP_ARGS_MAX)
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "too many qemu-img arguments");
        if (!(step[i] = strdup(args[i])))
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

int qemu_vol_build_start(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_vol_def *vol,
                         const struct qemu_vol_build_spec *spec, struct vb_call *call, struct vb_object_ref *ref)
{
    const char *info[] = QEMU_IMG_INFO_ARGS(vol->path);
    struct qemu_vol_build *build;

    if (!conn->loop)
        return vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "no event loop to build volume '%s'", vol->name);
    build = calloc(1, sizeof(*build));
    if (!build)
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    *build = (struct qemu_vol_build){ .conn = conn, .pool = pool, .vol = vol, .created = spec->created, .call = call,
                                      .ref = ref, .pidfd = -1, .out_fd = -1, .err_fd = -1 };
    if (spec->source_key && !(build->source_key = strdup(spec->source_key))) {
        build_free(build);
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    }
    for (size_t i = 0; i < QEMU_VOL_BUILD_STEPS_MAX && spec->steps[i]; i++)
        if (copy_step(build, spec->steps[i], &call->err) < 0) {
            build_free(build);
            return -1;
        }
    if (copy_step(build, info, &call->err) < 0 || start_step(build, &call->err) < 0) {
        build_free(build);
        return -1;
    }
    build->next = pool->builds;
    pool->builds = build;
    return VB_PENDING;
}

void qemu_pool_builds_abort(struct qemu_pool *pool)
{
    while (pool->builds) {
        struct qemu_vol_build *build = pool->builds;
        int status;

        end_child(build, true, &status);
        vb_error_set(&build->call->err, VB_ERR_OPERATION_ABORTED,
                     "connection closed while building storage volume '%s'", build->vol->name);
        finish(build, -1);
    }
}

static const struct qemu_vol_build *find_build(const struct qemu_pool *pool, const struct vb_vol_def *vol)
{
    for (const struct qemu_vol_build *build = pool->builds; build; build = build->next)
        if (build->vol == vol)
            return build;
    return NULL;
}

bool qemu_vol_is_building(const struct qemu_pool *pool, const struct vb_vol_def *vol)
{
    return find_build(pool, vol) != NULL;
}

/* libvirt's in_use (a clone reads it) and building checks, in its order and words. */
int qemu_vol_check_idle(struct qemu_conn *conn, const struct qemu_pool *pool, const struct vb_vol_def *vol,
                        struct vb_error *err)
{
    for (size_t p = 0; p < conn->storage->n_pools; p++)
        for (const struct qemu_vol_build *b = conn->storage->pools[p]->builds; b; b = b->next)
            if (b->source_key && streq(b->source_key, vol->key))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, "volume '%s' is still in use.", vol->name);
    if (qemu_vol_is_building(pool, vol))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "volume '%s' is still being allocated.", vol->name);
    return 0;
}
