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

/* The node's CPUs: an unpinned thread runs on all of them. */
static unsigned int node_cpus(const struct test_conn *conn)
{
    const struct vb_node_info *node = &conn->node;

    return node->nodes * node->sockets * node->cores * node->threads;
}

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

static int change_iothreads(struct test_conn *conn, vb_uuid_t uuid, const struct iothread_change *change,
                            unsigned int flags, const char *operation, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    int r;

    if (!obj || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, operation, err) < 0)
        return -1;
    r = test_edit_defs(conn, obj, flags, edit_iothreads, change, err);
    vb_domain_job_end(&obj->job);
    return r;
}

/* libvirt's virDomainObjGetOneDef: LIVE and CONFIG together are refused. */
static int check_one_def(unsigned int flags, struct vb_error *err)
{
    if ((flags & VB_AFFECT_LIVE) && (flags & VB_AFFECT_CONFIG))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
    return 0;
}

int test_add_iothread(void *priv, vb_uuid_t uuid, unsigned int id, unsigned int flags, struct vb_error *err)
{
    struct iothread_change change = { .op = IOTHREAD_ADD, .id = id, .ncpus = node_cpus(priv) };

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (id == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid value of 0 for iothread_id");
    return change_iothreads(priv, uuid, &change, flags, "virDomainAddIOThread", err);
}

int test_del_iothread(void *priv, vb_uuid_t uuid, unsigned int id, unsigned int flags, struct vb_error *err)
{
    struct iothread_change change = { .op = IOTHREAD_DEL, .id = id, .ncpus = node_cpus(priv) };

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    return change_iothreads(priv, uuid, &change, flags, "virDomainDelIOThread", err);
}

/* A map longer than the node is cut to it; a shorter one leaves the rest unset. */
int test_pin_iothread(void *priv, vb_uuid_t uuid, unsigned int id, const bool *cpumap, unsigned int ncpus,
                      unsigned int flags, struct vb_error *err)
{
    unsigned int node = node_cpus(priv);
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
    return change_iothreads(priv, uuid, &change, flags, "virDomainPinIOThread", err);
}

static int fill_info(struct vb_iothread_info *info, const struct vb_iothread *thread, unsigned int node,
                     unsigned int ncpus)
{
    info->id = thread->id;
    info->ncpus = ncpus;
    info->cpumap = calloc(ncpus + 1, sizeof(bool));
    if (!info->cpumap)
        return -1;
    for (unsigned int c = 0; c < ncpus && c < node; c++)
        info->cpumap[c] = thread->cpumap ? thread->cpumap[c] : true;
    return 0;
}

/* Unpinned threads report every CPU of the node (libvirt's test driver reports the real host's). */
int test_get_iothread_info(void *priv, vb_uuid_t uuid, unsigned int ncpus, struct vb_iothread_info **infos,
                           unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    struct vb_iothreads threads;
    unsigned int node = node_cpus(priv);
    struct vb_iothread_info *out;
    size_t n;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    obj = test_find_domain(priv, uuid, err);
    if (!obj || check_one_def(flags, err) < 0 || vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (vb_domain_def_get_iothreads(flags & VB_AFFECT_CONFIG ? vb_domain_obj_persistent_def(obj) : obj->def, node,
                                    &threads, err) < 0)
        return -1;
    n = threads.n;
    out = calloc(n + 1, sizeof(*out));
    for (size_t i = 0; out && i < n; i++)
        if (fill_info(&out[i], &threads.items[i], node, ncpus) < 0) {
            vb_iothread_infos_free(out, n);
            out = NULL;
        }
    vb_iothreads_clear(&threads);
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *infos = out;
    return (int) n;
}
