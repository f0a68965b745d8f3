/* The virtio balloon's guest statistics in the QEMU driver: MemoryStats (`query-balloon`, then the
 * balloon's `guest-stats` QOM property, then qemu's RSS, as libvirt's qemuDomainMemoryStatsInternal)
 * and SetMemoryStatsPeriod (`guest-stats-polling-interval`, kept as <memballoon><stats period>,
 * and set again when qemu starts, as libvirt's qemuProcessSetupBalloon). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_view.h"
#include "drivers/domain_registry.h"
#include "drivers/driver_guest.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"

#define BALLOON_PATH "/machine/peripheral/balloon0" /* qemu_command_other.c: id=balloon0 */

/* virDomainMemoryStatTags */
enum { STAT_SWAP_IN, STAT_SWAP_OUT, STAT_MAJOR_FAULT, STAT_MINOR_FAULT, STAT_UNUSED, STAT_AVAILABLE,
       STAT_ACTUAL_BALLOON, STAT_RSS, STAT_USABLE, STAT_LAST_UPDATE, STAT_DISK_CACHES, STAT_HUGETLB_PGALLOC,
       STAT_HUGETLB_PGFAIL };

struct memstats_op {
    struct qemu_dom *dom;
    struct vb_memory_stat *stats; /* the caller's, n of them (the call keeps them while it waits) */
    unsigned int n, *filled;
};

static struct vb_device_def *virtio_balloon(const struct vb_domain_def *def)
{
    for (size_t i = 0; def && i < def->n_devices; i++)
        if (def->devices[i]->element && streq(def->devices[i]->element, "memballoon")) {
            _cleanup_free_ char *model = vb_device_def_get_attribute(def->devices[i], "model");

            return model && streq(model, "virtio") ? def->devices[i] : NULL;
        }
    return NULL;
}

static void add_stat(struct memstats_op *op, int tag, unsigned long long value)
{
    if (*op->filled < op->n)
        op->stats[(*op->filled)++] = (struct vb_memory_stat){ .tag = tag, .value = value };
}

/* qemu's RSS in KiB (field 24 of /proc/PID/stat, in pages), as libvirt's qemuGetProcessInfo. */
static void add_rss(struct memstats_op *op)
{
    char path[64], line[1024], *p;
    long pages, page_size = sysconf(_SC_PAGESIZE);
    FILE *f;
    bool ok;

    if (!op->dom->proc)
        return;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int) qemu_process_pid(op->dom->proc));
    if (!(f = fopen(path, "re")))
        return;
    ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    if (ok && (p = strrchr(line, ')')) && page_size > 0 &&
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %*u %*u %ld",
               &pages) == 1 && pages >= 0)
        add_stat(op, STAT_RSS, (unsigned long long) pages * (unsigned long long) page_size / 1024u);
}

static void finish(struct memstats_op *op)
{
    add_rss(op);
    qemu_dom_finish_call(op->dom, 0, NULL);
    free(op);
}

/* libvirt's GET_BALLOON_STATS: a field qemu has, with a value that is not negative (-1: the guest
 * did not say), in libvirt's order and units. */
static void on_guest_stats(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    static const struct { const char *field; int tag; unsigned int divisor; } map[] = {
        { "stat-swap-in", STAT_SWAP_IN, 1024 },          { "stat-swap-out", STAT_SWAP_OUT, 1024 },
        { "stat-major-faults", STAT_MAJOR_FAULT, 1 },    { "stat-minor-faults", STAT_MINOR_FAULT, 1 },
        { "stat-free-memory", STAT_UNUSED, 1024 },       { "stat-total-memory", STAT_AVAILABLE, 1024 },
        { "stat-available-memory", STAT_USABLE, 1024 },  { "last-update", STAT_LAST_UPDATE, 1 },
        { "stat-disk-caches", STAT_DISK_CACHES, 1024 },  { "stat-htlb-pgalloc", STAT_HUGETLB_PGALLOC, 1 },
        { "stat-htlb-pgfail", STAT_HUGETLB_PGFAIL, 1 },
    };
    struct memstats_op *op = userdata;
    struct json_object *stats = NULL, *value;

    /* No statistics (none asked for, or an old qemu) is no error: the balloon size stands alone. */
    if (reply->result == 0)
        json_object_object_get_ex(reply->ret, "stats", &stats);
    for (size_t i = 0; stats && i < ARRAY_SIZE(map); i++) {
        struct json_object *from = streq(map[i].field, "last-update") ? reply->ret : stats;

        if (json_object_object_get_ex(from, map[i].field, &value) && json_object_get_int64(value) >= 0)
            add_stat(op, map[i].tag, (unsigned long long) json_object_get_int64(value) / map[i].divisor);
    }
    finish(op);
}

static void on_balloon(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct memstats_op *op = userdata;
    struct json_object *actual, *args;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        qemu_dom_finish_call(op->dom, -1, &reply->err);
        free(op);
        return;
    }
    if (json_object_object_get_ex(reply->ret, "actual", &actual))
        add_stat(op, STAT_ACTUAL_BALLOON, (unsigned long long) json_object_get_int64(actual) / 1024u);
    args = json_object_new_object();
    json_object_object_add(args, "path", json_object_new_string(BALLOON_PATH));
    json_object_object_add(args, "property", json_object_new_string("guest-stats"));
    if (qemu_process_command(op->dom->proc, "qom-get", args, QEMU_COMMAND_TIMEOUT_USEC, on_guest_stats, op, &err) < 0) {
        vb_error_clear(&err);
        finish(op);
    }
}

static int qemu_memory_stats(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int n,
                             unsigned int flags, struct vb_memory_stat *stats, unsigned int *filled)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom;
    struct memstats_op *op;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!(dom = qemu_dom_running(obj, err)))
        return -1;
    if (!(op = calloc(1, sizeof(*op))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *op = (struct memstats_op){ .dom = dom, .stats = stats, .n = n, .filled = filled };
    *filled = 0;
    if (!virtio_balloon(obj->def)) { /* libvirt: the RSS alone */
        add_rss(op);
        free(op);
        return 0;
    }
    if (qemu_process_command(dom->proc, "query-balloon", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_balloon, op, err) < 0) {
        free(op);
        return -1;
    }
    return qemu_dom_wait(dom, call);
}

const struct vb_guest_driver qemu_guest_driver = {
    .memory_stats = qemu_memory_stats,
};

/* --- the collection period --------------------------------------------------------------------- */

static int send_period(struct qemu_dom *dom, int period, qmp_reply_fn done, void *userdata, struct vb_error *err)
{
    struct json_object *args = json_object_new_object();

    json_object_object_add(args, "path", json_object_new_string(BALLOON_PATH));
    json_object_object_add(args, "property", json_object_new_string("guest-stats-polling-interval"));
    json_object_object_add(args, "value", json_object_new_int(period));
    return qemu_process_command(dom->proc, "qom-set", args, QEMU_COMMAND_TIMEOUT_USEC, done, userdata, err);
}

static int edit_period(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    struct vb_device_def *balloon = virtio_balloon(def);
    char text[16];

    if (!balloon)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                            "No memory balloon device configured, can not set the collection period");
    snprintf(text, sizeof(text), "%d", *(const int *) arg);
    return vb_device_def_set_child_attribute(balloon, "stats", "period", text, err);
}

struct period_change {
    struct qemu_dom *dom;
    int period;
    unsigned int affect;
};

static void on_period_set(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct period_change *change = userdata;
    struct qemu_dom *dom = change->dom;
    struct vb_error err = VB_ERROR_INIT;
    int r = -1;

    if (reply->result < 0)
        vb_error_set(&err, VB_ERR_OPERATION_INVALID, "unable to set balloon driver collection period");
    else if (edit_period(dom->obj->def, &change->period, &err) == 0)
        r = (change->affect & VB_AFFECT_CONFIG)
                ? vb_registry_edit_defs(dom->obj, VB_AFFECT_CONFIG, edit_period, &change->period, &qemu_store_ops,
                                        dom->conn, &err)
                : 0;
    qemu_hotplug_save_live(dom);
    qemu_dom_finish_call(dom, r, &err);
    vb_error_clear(&err);
    free(change);
}

int qemu_set_memory_stats_period(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int period,
                                 unsigned int flags)
{
    struct vb_error *err = &call->err;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *probe = NULL;
    struct qemu_dom *dom;
    struct period_change *change;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err); /* the API refused period < 0 */
    if (vb_domain_obj_resolve_affect(obj, &flags, err) < 0)
        return -1;
    if (!(flags & VB_AFFECT_LIVE))
        return vb_registry_edit_defs(obj, flags, edit_period, &period, &qemu_store_ops, priv, err);
    /* Both definitions must have the balloon before qemu is asked (checked on copies). */
    if (!(dom = qemu_dom_running(obj, err)) || !(probe = vb_domain_def_copy(obj->def, err)) ||
        edit_period(probe, &period, err) < 0)
        return -1;
    vb_domain_def_free(TAKE_PTR(probe));
    if ((flags & VB_AFFECT_CONFIG) && (!(probe = vb_domain_def_copy(vb_domain_obj_persistent_def(obj), err)) ||
                                       edit_period(probe, &period, err) < 0))
        return -1;
    if (!(change = calloc(1, sizeof(*change))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *change = (struct period_change){ .dom = dom, .period = period, .affect = flags };
    if (send_period(dom, period, on_period_set, change, err) < 0) {
        free(change);
        return -1;
    }
    return qemu_dom_wait(dom, call);
}

static void log_period_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    if (reply->result < 0)
        vb_log_warning("guest-stats-polling-interval: %s", vb_error_message(&reply->err));
}

void qemu_balloon_start(struct qemu_dom *dom)
{
    struct vb_device_def *balloon = virtio_balloon(dom->obj->def);
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = balloon ? vb_device_def_view(balloon, NULL) : NULL;
    const struct vb_xml_element *stats = el ? vb_xml_element_child(el, "stats") : NULL;
    const char *period = stats ? vb_xml_element_attr(stats, "period") : NULL;
    struct vb_error err = VB_ERROR_INIT;

    if (period && atoi(period) > 0 && send_period(dom, atoi(period), log_period_reply, NULL, &err) < 0) {
        vb_log_warning("guest-stats-polling-interval: %s", vb_error_message(&err));
        vb_error_clear(&err);
    }
}
