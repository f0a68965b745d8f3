/* The test driver's I/O threads, as libvirt's test driver keeps them: in the domain definition
 * (<iothreads>, <iothreadids>, <cputune><iothreadpin>), live and next-boot apart. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_iothreads.h"
#include "drivers/test/test_private.h"

enum iothread_op { IOTHREAD_ADD, IOTHREAD_DEL, IOTHREAD_PIN };

struct iothread_change {
    enum iothread_op op;
    unsigned int id;
    unsigned int ncpus;  /* the node's CPUs: the size of every map in the definition */
    const bool *cpumap;  /* IOTHREAD_PIN: ncpus entries */
};

static struct vb_iothread *find_thread(struct vb_iothreads *threads, unsigned int id)
{
    for (size_t i = 0; i < threads->n; i++)
        if (threads->items[i].id == id)
            return &threads->items[i];
    return NULL;
}

static int add_thread(struct vb_iothreads *threads, unsigned int id, struct vb_error *err)
{
    struct vb_iothread *items;

    if (find_thread(threads, id))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "an IOThread is already using iothread_id '%u'", id);
    if (threads->n >= VB_DOMAIN_IOTHREADS_MAX)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "iothreads count %zu exceeds the limit of %d",
                            threads->n + 1, VB_DOMAIN_IOTHREADS_MAX);
    items = realloc(threads->items, (threads->n + 1) * sizeof(*items));
    if (!items)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    threads->items = items;
    items[threads->n++] = (struct vb_iothread){ .id = id };
    return 0;
}

static int del_thread(struct vb_iothreads *threads, unsigned int id, struct vb_error *err)
{
    struct vb_iothread *thread = find_thread(threads, id);
    size_t at;

    if (!thread)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "cannot find IOThread '%u' in iothreadids list", id);
    at = (size_t) (thread - threads->items);
    free(thread->cpumap);
    memmove(thread, thread + 1, (threads->n - at - 1) * sizeof(*thread));
    threads->n--;
    return 0;
}

static int pin_thread(struct vb_iothreads *threads, unsigned int id, const bool *cpumap, struct vb_error *err)
{
    struct vb_iothread *thread = find_thread(threads, id);
    bool *copy;

    if (!thread)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "iothreadid %u not found", id);
    copy = malloc((threads->ncpus + 1) * sizeof(*copy));
    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(copy, cpumap, threads->ncpus * sizeof(*copy));
    free(thread->cpumap);
    thread->cpumap = copy;
    return 0;
}

static int edit_iothreads(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    const struct iothread_change *change = arg;
    struct vb_iothreads threads;
    int r;

    if (vb_domain_def_get_iothreads(def, change->ncpus, &threads, err) < 0)
        return -1;
    if (change->op == IOTHREAD_ADD)
        r = add_thread(&threads, change->id, err);
    else if (change->op == IOTHREAD_DEL)
        r = del_thread(&threads, change->id, err);
    else
        r = pin_thread(&threads, change->id, change->cpumap, err);
    if (r >= 0)
        r = vb_domain_def_set_iothreads(def, &threads, err);
    vb_iothreads_clear(&threads);
    return r;
}

/* Edits the definitions flags (resolved) name; libvirt announces these changes with no event. */
static int change_iothreads(struct test_conn *conn, struct vb_call *call, struct vb_domain_obj *obj,
                            const struct iothread_change *change, unsigned int flags)
{
    int r = test_edit_defs(conn, obj, flags, edit_iothreads, change, &call->err);

    if (r == 0)
        test_emit_changed(conn, obj);
    return test_done(conn, call, r);
}

/* libvirt's virDomainObjGetOneDef: LIVE and CONFIG together are refused. */
static int check_one_def(unsigned int flags, struct vb_error *err)
{
    if ((flags & VB_AFFECT_LIVE) && (flags & VB_AFFECT_CONFIG))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
    return 0;
}

int test_add_iothread(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int id,
                      unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct iothread_change change = { .op = IOTHREAD_ADD, .id = id, .ncpus = TEST_HOST_MAP_CPUS };

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (id == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid value of 0 for iothread_id");
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    return change_iothreads(priv, call, obj, &change, flags);
}

int test_del_iothread(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int id,
                      unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct iothread_change change = { .op = IOTHREAD_DEL, .id = id, .ncpus = TEST_HOST_MAP_CPUS };

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    return change_iothreads(priv, call, obj, &change, flags);
}

/* libvirt's qemuDomainPinIOThread announces a live pin as the tunable "cputune.iothreadpin<N>",
 * a CPU list; made before the pin changes, so a failure changes nothing. */
static int pin_live(struct test_conn *conn, struct vb_domain_obj *obj, const struct iothread_change *change,
                    struct vb_error *err)
{
    _cleanup_free_ char *cpus = vb_cpuset_format(change->cpumap, change->ncpus);
    struct vb_event event;
    int r;

    if (!cpus)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    vb_event_init_domain(&event, "test", conn->uri, obj->def->uuid, obj->def->name, VB_DOMAIN_EVENT_ID_TUNABLE);
    r = vb_typed_params_add_string(&event.payload.params, err, cpus, "cputune.iothreadpin%u", change->id);
    if (r == 0)
        r = test_edit_defs(conn, obj, VB_AFFECT_LIVE, edit_iothreads, change, err);
    if (r == 0)
        test_emit_event(conn, obj, &event);
    vb_typed_params_clear(&event.payload.params);
    return r;
}

/* A map longer than the node is cut to it; a shorter one leaves the rest unset. */
int test_pin_iothread(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int id,
                      const bool *cpumap, unsigned int ncpus, unsigned int flags)
{
    struct vb_error *err = &call->err;
    unsigned int node = TEST_HOST_MAP_CPUS;
    _cleanup_free_ bool *map = calloc(node + 1, sizeof(*map));
    struct iothread_change change = { .op = IOTHREAD_PIN, .id = id, .ncpus = node, .cpumap = map };
    bool any = false;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (check_one_def(flags, err) < 0)
        return -1;
    if (!map)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int c = 0; c < ncpus && c < node; c++) {
        map[c] = cpumap[c];
        any = any || map[c];
    }
    if (!any)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Empty iothread cpumap list for pinning");
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (!(flags & VB_AFFECT_LIVE))
        return change_iothreads(priv, call, obj, &change, flags);
    return test_done(priv, call, pin_live(priv, obj, &change, err));
}

static int fill_info(struct vb_iothread_info *info, const struct vb_iothread *thread, unsigned int ncpus)
{
    info->id = thread->id;
    info->ncpus = ncpus;
    info->cpumap = calloc(ncpus + 1, sizeof(bool));
    if (!info->cpumap)
        return -1;
    for (unsigned int c = 0; c < ncpus; c++)
        info->cpumap[c] = thread->cpumap ? thread->cpumap[c] : true;
    return 0;
}

/* One info per thread, each map ncpus entries (the threads' maps are as long). */
static int fill_infos(const struct vb_iothreads *threads, unsigned int ncpus, struct vb_iothread_info **infos,
                      size_t *n, struct vb_error *err)
{
    struct vb_iothread_info *out = calloc(threads->n + 1, sizeof(*out));

    for (size_t i = 0; out && i < threads->n; i++)
        if (fill_info(&out[i], &threads->items[i], ncpus) < 0) {
            vb_iothread_infos_free(out, threads->n);
            out = NULL;
        }
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *infos = out;
    *n = threads->n;
    return 0;
}

/* Unpinned threads report every CPU of the node (libvirt's test driver reports the real host's). */
int test_get_iothread_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                           struct vb_iothread_info **infos, size_t *n)
{
    struct vb_error *err = &call->err;
    unsigned int node = TEST_HOST_MAP_CPUS;
    struct vb_iothreads threads;
    int r;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (check_one_def(flags, err) < 0 || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (vb_domain_def_get_iothreads(flags & VB_AFFECT_CONFIG ? vb_domain_obj_persistent_def(obj) : obj->def, node,
                                    &threads, err) < 0)
        return test_done(priv, call, -1);
    r = fill_infos(&threads, node, infos, n, err);
    vb_iothreads_clear(&threads);
    return test_done(priv, call, r);
}
