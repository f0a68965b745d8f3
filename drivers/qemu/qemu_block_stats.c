/* GetStats' block I/O counters (block.N.rd.bytes, ...) from qemu's `query-blockstats`, one query per
 * running domain listed; the call ends when every qemu answered, or went away (libvirt's
 * qemuDomainGetStatsBlock reads the same command). */
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/macros.h"

struct stats_gather {
    struct vb_call *call;
    struct vb_domain_stats *records; /* the call's output: valid until it ends */
    size_t pending;
};

struct stats_query {
    struct stats_gather *gather;
    struct qemu_dom *dom;
    size_t record;
    struct stats_query *next; /* on dom->hotplug->stats_queries */
};

static void gather_done(struct stats_gather *gather)
{
    if (--gather->pending > 0)
        return;
    vb_call_complete(gather->call, 0);
    free(gather);
}

static void query_finish(struct stats_query *query)
{
    for (struct stats_query **p = &query->dom->hotplug->stats_queries; *p; p = &(*p)->next)
        if (*p == query) {
            *p = query->next;
            break;
        }
    gather_done(query->gather);
    free(query);
}

/* "/machine/peripheral/virtio-disk1/virtio-backend" -> "virtio-disk1" in alias. */
static bool qdev_alias(const char *qdev, char *alias, size_t size)
{
    static const char prefix[] = "/machine/peripheral/";
    const char *start, *end;

    if (!qdev || strncmp(qdev, prefix, sizeof(prefix) - 1) != 0)
        return false;
    start = qdev + sizeof(prefix) - 1;
    end = strchr(start, '/');
    if (!end)
        end = start + strlen(start);
    if ((size_t) (end - start) >= size)
        return false;
    memcpy(alias, start, (size_t) (end - start));
    alias[end - start] = '\0';
    return true;
}

/* The N of block.N (the disk's place among the domain's disks) for the device qemu names alias. */
static int disk_number(struct qemu_dom *dom, const char *alias)
{
    const struct vb_domain_def *def = dom->obj->def;
    struct device_names names;
    int n = 0;

    for (size_t i = 0; i < def->n_devices; i++) {
        if (def->devices[i]->kind != VB_DEVICE_DISK)
            continue;
        if (qemu_hotplug_names(dom, def->devices[i], &names, NULL) == 0 && streq(names.alias, alias))
            return n;
        n++;
    }
    return -1;
}

static int add_counters(struct vb_typed_params *out, int n, struct json_object *stats)
{
    static const char *const map[][2] = {
        { "rd_operations", "rd.reqs" },  { "rd_bytes", "rd.bytes" },  { "rd_total_time_ns", "rd.times" },
        { "wr_operations", "wr.reqs" },  { "wr_bytes", "wr.bytes" },  { "wr_total_time_ns", "wr.times" },
        { "flush_operations", "fl.reqs" }, { "flush_total_time_ns", "fl.times" },
    };
    struct json_object *value;

    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        if (json_object_object_get_ex(stats, map[i][0], &value) &&
            vb_typed_params_add_ullong(out, NULL, (unsigned long long) json_object_get_int64(value), "block.%d.%s", n,
                                       map[i][1]) < 0)
            return -1;
    return 0;
}

static void on_blockstats(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct stats_query *query = userdata;
    struct vb_domain_stats *record = &query->gather->records[query->record];
    char alias[64];

    /* A failed query leaves the counters out, as libvirt leaves out what it cannot read. */
    for (size_t i = 0; reply->result == 0 && i < json_object_array_length(reply->ret); i++) {
        struct json_object *entry = json_object_array_get_idx(reply->ret, i), *qdev, *stats;
        int n;

        if (json_object_object_get_ex(entry, "qdev", &qdev) && json_object_object_get_ex(entry, "stats", &stats) &&
            qdev_alias(json_object_get_string(qdev), alias, sizeof(alias)) &&
            (n = disk_number(query->dom, alias)) >= 0 && add_counters(&record->params, n, stats) < 0)
            break;
    }
    query_finish(query);
}

static int send_query(struct stats_gather *gather, struct qemu_dom *dom, size_t record)
{
    struct qemu_hotplug *hp = qemu_hotplug_get(dom, NULL);
    struct stats_query *query;

    if (!hp || !(query = calloc(1, sizeof(*query))))
        return 0;
    *query = (struct stats_query){ .gather = gather, .dom = dom, .record = record, .next = hp->stats_queries };
    if (qemu_process_command(dom->proc, "query-blockstats", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_blockstats, query,
                             NULL) < 0) {
        free(query);
        return 0;
    }
    hp->stats_queries = query;
    gather->pending++;
    return 1;
}

int qemu_block_stats_gather(struct vb_call *call, struct qemu_conn *conn, struct vb_domain_stats *records, size_t n)
{
    struct stats_gather *gather = calloc(1, sizeof(*gather));

    if (!gather)
        return 0; /* the counters are left out, as libvirt leaves out what it cannot read */
    *gather = (struct stats_gather){ .call = call, .records = records, .pending = 1 };
    for (size_t i = 0; i < n; i++) {
        struct vb_domain_obj *obj = vb_domain_list_find_by_uuid(conn->domains, records[i].uuid);
        struct qemu_dom *dom = obj ? obj->driver_data : NULL;

        if (dom && dom->proc && vb_domain_obj_is_active(obj))
            send_query(gather, dom, i);
    }
    if (--gather->pending == 0) { /* nothing asked */
        free(gather);
        return 0;
    }
    return VB_PENDING;
}

void qemu_block_stats_abandon(struct qemu_hotplug *hp)
{
    while (hp->stats_queries)
        query_finish(hp->stats_queries);
}
