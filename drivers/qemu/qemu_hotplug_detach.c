/* DetachDevice in the QEMU driver, as libvirt's: `device_del`, then the device leaves the live
 * definition when qemu reports DEVICE_DELETED (the guest let go of it) and its backend (blockdev
 * pair, netdev) is deleted. The call waits up to 5 s for that, then returns success with the
 * removal still pending (libvirt's qemuDomainWaitForDeviceRemoval); DEVICE_DELETED may come later,
 * or unasked (a guest ejecting a device), and is handled the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"
#include "util/time.h"

/* libvirt's qemuDomainGetUnplugTimeout for a non-PPC guest. */
#define UNPLUG_WAIT_USEC (5ull * 1000000ull)

struct removal {
    struct qemu_dom *dom;
    char alias[64];
    struct vb_call *call;    /* the DetachDevice waiting; NULL once it returned */
    const char *xml;         /* the caller's device (the call keeps it while it waits) */
    unsigned int flags;      /* resolved VB_AFFECT_* */
    sd_event_source *timer;  /* the 5 s wait, once qemu accepted device_del */
    bool replied, deleted;   /* qemu answered device_del; DEVICE_DELETED came */
    struct removal *next;
};

static void removal_unlink_free(struct removal *removal)
{
    struct qemu_hotplug *hp = removal->dom->hotplug;

    for (struct removal **p = &hp->removals; *p; p = &(*p)->next)
        if (*p == removal) {
            *p = removal->next;
            break;
        }
    sd_event_source_disable_unref(removal->timer);
    free(removal);
}

/* Ends the DetachDevice still waiting on removal, if it is the call the domain waits on. */
static void removal_finish_call(struct removal *removal, int r, const struct vb_error *err)
{
    if (removal->call && removal->dom->call == removal->call)
        qemu_dom_finish_call(removal->dom, r, err);
    removal->call = NULL;
    removal->timer = sd_event_source_disable_unref(removal->timer);
}

static int edit_detach(struct vb_domain_def *def, const void *arg, struct vb_error *err)
{
    _cleanup_(vb_device_def_freep) struct vb_device_def *dev = vb_device_def_parse_string(arg, err);
    int index;

    if (!dev)
        return -1;
    index = vb_domain_def_find_device(def, dev);
    if (index < 0)
        return qemu_hotplug_report_missing(dev, err);
    vb_domain_def_remove_device(def, (size_t) index);
    return 0;
}

/* The device of the live definition qemu knows as alias, or -1. */
static int find_by_alias(struct qemu_dom *dom, const char *alias, struct device_names *names)
{
    const struct vb_domain_def *def = dom->obj->def;

    for (size_t i = 0; i < def->n_devices; i++) {
        enum vb_device_kind kind = def->devices[i]->kind;

        if ((kind == VB_DEVICE_DISK || kind == VB_DEVICE_INTERFACE) &&
            qemu_hotplug_names(dom, def->devices[i], names, NULL) == 0 && streq(names->alias, alias))
            return (int) i;
    }
    return -1;
}

/* qemu let go of the device: out of the live definition, its backend deleted. */
static void delete_nodes(struct qemu_dom *dom, unsigned int number)
{
    char node[64];

    snprintf(node, sizeof(node), "libvirt-%u-format", number);
    qemu_hotplug_send_quiet(dom, "blockdev-del", qemu_hotplug_args("node-name", node));
    snprintf(node, sizeof(node), "libvirt-%u-storage", number);
    qemu_hotplug_send_quiet(dom, "blockdev-del", qemu_hotplug_args("node-name", node));
}

/* Returns the blockdev pair number of the disk removed (0: not a disk), -1 when the live
 * definition has no device of that alias. */
static long remove_device(struct qemu_dom *dom, const char *alias)
{
    struct device_names names;
    int index = find_by_alias(dom, alias, &names);

    if (index < 0)
        return -1;
    vb_domain_def_remove_device(dom->obj->def, (size_t) index);
    qemu_hotplug_save_live(dom);
    if (names.node)
        delete_nodes(dom, names.node);
    if (names.netdev[0])
        qemu_hotplug_send_quiet(dom, "netdev_del", qemu_hotplug_args("id", names.netdev));
    return names.node;
}

void qemu_hotplug_device_gone_while_away(struct qemu_dom *dom, const char *alias)
{
    struct qemu_hotplug *hp = qemu_hotplug_get(dom, NULL);
    long node;

    if (!dom->proc)
        return;
    node = remove_device(dom, alias);
    if (node > 0 && hp && hp->n_orphan_nodes < ARRAY_SIZE(hp->orphan_nodes))
        hp->orphan_nodes[hp->n_orphan_nodes++] = (unsigned int) node;
    qemu_hotplug_emit(dom, VB_DOMAIN_EVENT_ID_DEVICE_REMOVED, alias);
}

bool qemu_hotplug_device_deleted(struct qemu_dom *dom, const char *alias)
{
    struct removal *removal, *next;
    bool known;

    if (!alias || !dom->proc)
        return false;
    /* a device found gone at reattach was still being finalized: its nodes are free now (a pair
     * deleted already only earns a logged "cannot find node") */
    for (size_t i = 0; dom->hotplug && i < dom->hotplug->n_orphan_nodes; i++)
        delete_nodes(dom, dom->hotplug->orphan_nodes[i]);
    if (dom->hotplug)
        dom->hotplug->n_orphan_nodes = 0;
    known = remove_device(dom, alias) >= 0;
    if (!dom->hotplug)
        return known;
    for (removal = dom->hotplug->removals; removal; removal = next) {
        next = removal->next;
        if (!streq(removal->alias, alias))
            continue;
        removal->deleted = true;
        if (removal->replied) {
            removal_finish_call(removal, 0, NULL);
            removal_unlink_free(removal);
        }
    }
    return known;
}

static int on_unplug_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct removal *removal = userdata;

    /* As libvirt: success, the device stays in the live definition until DEVICE_DELETED. */
    vb_log_info("'%s': %s not removed yet, detach returns with the removal pending", removal->dom->obj->def->name,
                removal->alias);
    removal_finish_call(removal, 0, NULL);
    return 0;
}

static int start_wait(struct removal *removal, struct vb_error *err)
{
    struct qemu_conn *conn = removal->dom->conn;
    int r;

    if (!conn)
        return vb_error_set(err, VB_ERR_OPERATION_ABORTED, "connection closed while waiting for qemu");
    r = sd_event_add_time_relative(conn->loop, &removal->timer, CLOCK_MONOTONIC, UNPLUG_WAIT_USEC, VB_TIMER_ACCURACY_USEC,
                                   on_unplug_timeout, removal);
    return r < 0 ? vb_error_set_errno(err, -r, "cannot add a timer") : 0;
}

static void on_device_del_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct removal *removal = userdata;
    struct vb_error err = VB_ERROR_INIT;

    removal->replied = true;
    if (reply->result < 0) {
        removal_finish_call(removal, -1, &reply->err);
        removal_unlink_free(removal);
        return;
    }
    /* qemu took the request: the persistent definition follows now, as libvirt's. */
    if ((removal->flags & VB_AFFECT_CONFIG) &&
        vb_registry_edit_defs(removal->dom->obj, VB_AFFECT_CONFIG, edit_detach, removal->xml, &qemu_store_ops,
                              removal->dom->conn, &err) < 0) {
        removal_finish_call(removal, -1, &err);
    } else if (removal->deleted) {
        removal_finish_call(removal, 0, NULL);
    } else if (start_wait(removal, &err) < 0) {
        removal_finish_call(removal, -1, &err);
    }
    vb_error_clear(&err);
    if (removal->deleted)
        removal_unlink_free(removal);
}

static int detach_live(struct vb_call *call, struct vb_domain_obj *obj, const struct vb_device_def *given,
                       const char *xml, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom = qemu_dom_running(obj, err);
    struct qemu_hotplug *hp = dom ? qemu_hotplug_get(dom, err) : NULL;
    struct device_names names;
    struct removal *removal;
    int index;

    if (!hp)
        return -1;
    index = vb_domain_def_find_device(obj->def, given);
    if (index < 0)
        return qemu_hotplug_report_missing(given, err);
    if (qemu_hotplug_names(dom, obj->def->devices[index], &names, err) < 0)
        return -1;
    if (!(removal = calloc(1, sizeof(*removal))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *removal = (struct removal){ .dom = dom, .call = call, .xml = xml, .flags = flags, .next = hp->removals };
    memcpy(removal->alias, names.alias, sizeof(removal->alias));
    if (qemu_process_command(dom->proc, "device_del", qemu_hotplug_args("id", names.alias), QEMU_COMMAND_TIMEOUT_USEC,
                             on_device_del_reply, removal, err) < 0) {
        free(removal);
        return -1;
    }
    hp->removals = removal;
    return qemu_dom_wait(dom, call);
}

int qemu_detach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags)
{
    struct vb_error *err = &call->err;
    _cleanup_(vb_device_def_freep) struct vb_device_def *given = NULL;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *probe = NULL;

    if (qemu_hotplug_check_flags(obj, &flags, 0, err) < 0)
        return -1;
    if (!(flags & VB_AFFECT_LIVE))
        return vb_registry_edit_defs(obj, flags, edit_detach, xml, &qemu_store_ops, priv, err);
    if (!(given = vb_device_def_parse_string(xml, err)))
        return -1;
    /* The persistent definition must have the device too before qemu is asked. */
    if ((flags & VB_AFFECT_CONFIG) &&
        (!(probe = vb_domain_def_copy(vb_domain_obj_persistent_def(obj), err)) || edit_detach(probe, xml, err) < 0))
        return -1;
    return detach_live(call, obj, given, xml, flags);
}

void qemu_hotplug_process_gone(struct qemu_dom *dom)
{
    struct vb_error err = VB_ERROR_INIT;

    if (!dom->hotplug)
        return;
    if (dom->hotplug->attaching || dom->hotplug->changing) {
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, "operation failed: domain is no longer running");
        qemu_dom_finish_call(dom, -1, &err);
        vb_error_clear(&err);
        qemu_hotplug_attach_abandon(dom->hotplug);
    }
    qemu_block_stats_abandon(dom->hotplug);
    while (dom->hotplug->removals)
        removal_unlink_free(dom->hotplug->removals);
    dom->hotplug->next_node = dom->hotplug->next_net = 0;
}

void qemu_hotplug_free(struct qemu_hotplug *hp)
{
    if (!hp)
        return;
    qemu_hotplug_attach_abandon(hp);
    qemu_block_stats_abandon(hp);
    while (hp->removals) {
        struct removal *removal = hp->removals;

        hp->removals = removal->next;
        sd_event_source_disable_unref(removal->timer);
        free(removal);
    }
    free(hp);
}

void qemu_hotplug_release(struct qemu_dom *dom)
{
    if (!dom->hotplug)
        return;
    qemu_hotplug_attach_abandon(dom->hotplug);
    qemu_block_stats_abandon(dom->hotplug);
}
