/* A volume built on the sd-event loop (create, clone, resize, wipe): its qemu-img runs one after
 * another (qemu_img_run.c), then a `qemu-img info` reads the result back. The volume stays listed meanwhile, marked as being
 * built (libvirt's `building`), and its pool has an asynchronous job. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/call.h"
#include "drivers/qemu/qemu_img_run.h"
#include "drivers/qemu/qemu_storage_private.h"
#include "util/log.h"

struct qemu_vol_build {
    struct qemu_vol_build *next; /* the pool's builds */
    struct qemu_pool *pool;
    struct vb_vol_def *vol;
    bool created;      /* a new volume: its file and entry go when the build fails */
    char *source_key;  /* a clone's source, in use meanwhile */
    struct vb_call *call;
    struct vb_object_ref *ref;
    struct qemu_img_run *run; /* NULL once it ended */
};

static void build_free(struct qemu_vol_build *build)
{
    qemu_img_run_cancel(build->run);
    free(build->source_key);
    free(build);
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

/* The info step's output read into the volume. */
static int take_info(struct qemu_vol_build *build, const char *text, struct vb_error *err)
{
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

static void on_run_done(void *userdata, struct qemu_img_run_result *result)
{
    struct qemu_vol_build *build = userdata;

    build->run = NULL; /* freed by the runner once this returns */
    if (result->r < 0) {
        vb_error_move(&build->call->err, result->err);
        finish(build, -1);
        return;
    }
    finish(build, take_info(build, result->output, &build->call->err));
}

int qemu_vol_build_start(struct qemu_conn *conn, struct qemu_pool *pool, struct vb_vol_def *vol,
                         const struct qemu_vol_build_spec *spec, struct vb_call *call, struct vb_object_ref *ref)
{
    const char *info[] = QEMU_IMG_INFO_ARGS(vol->path);
    const char *const *steps[QEMU_VOL_BUILD_STEPS_MAX + 1];
    struct qemu_vol_build *build;
    size_t n = 0;

    if (!conn->loop)
        return vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "no event loop to build volume '%s'", vol->name);
    build = calloc(1, sizeof(*build));
    if (!build)
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    *build = (struct qemu_vol_build){ .pool = pool, .vol = vol, .created = spec->created, .call = call, .ref = ref };
    if (spec->source_key && !(build->source_key = strdup(spec->source_key))) {
        build_free(build);
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    }
    for (; n < QEMU_VOL_BUILD_STEPS_MAX && spec->steps[n]; n++)
        steps[n] = spec->steps[n];
    steps[n++] = info;
    build->run = qemu_img_run_start(conn->loop, steps, n, false, on_run_done, build, &call->err);
    if (!build->run) {
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

        qemu_img_run_cancel(build->run);
        build->run = NULL;
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
