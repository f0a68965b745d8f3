/* UpdateDevice of a network interface, as libvirt's qemuDomainChangeNet: of what a running guest's
 * NIC has, only its link state changes live (`set_link`); a change to anything else qemu cannot
 * take is refused in libvirt's words before qemu is asked (the link state a guest starts with is
 * set in qemu_process_devices.c). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/log.h"
#include "util/macros.h"

struct link_change {
    struct qemu_dom *dom;
    char mac[32];
    bool down;
    char *xml;          /* the caller's device, for the persistent definition */
    unsigned int flags;
};

void qemu_hotplug_link_free(struct link_change *change)
{
    if (change)
        free(change->xml);
    free(change);
}

/* <link state=>: true for down. */
static int link_down(const struct vb_device_def *dev, bool *down, struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(dev, err);
    const char *state = el ? vb_xml_element_attr(vb_xml_element_child(el, "link"), "state") : NULL;

    if (!el)
        return -1;
    *down = state && streq(state, "down");
    if (state && !streq(state, "up") && !streq(state, "down"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "unknown interface link state '%s'", state);
    return 0;
}

static const char *child_attr(const struct vb_xml_element *el, const char *child, const char *attr)
{
    return vb_xml_element_attr(vb_xml_element_child(el, child), attr);
}

/* What qemu cannot change on a running NIC, checked as libvirt's qemuDomainChangeNet does. */
static int check_change(const struct vb_device_def *given, const struct vb_device_def *live, struct vb_error *err)
{
    static const char *const known[] = { "mac", "model", "boot", "address", "alias", "target", "link", NULL };
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *g = vb_device_def_view(given, err);
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *l = g ? vb_device_def_view(live, err) : NULL;
    const char *given_slot, *given_dev;

    if (!l)
        return -1;
    for (size_t i = 0; i < g->n_children; i++) {
        size_t k = 0;

        while (known[k] && !streq(known[k], g->children[i]->name))
            k++;
        if (!known[k])
            return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "unable to change config on '%s' network type",
                                live->type ? live->type : "");
    }
    if (!streq_nullable(given->type, live->type))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "unable to change config on '%s' network type",
                            given->type ? given->type : "");
    if (!streq_nullable(given->model ? given->model : "rtl8139", live->model ? live->model : "rtl8139"))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify network device model from %s to %s",
                            live->model ? live->model : "rtl8139", given->model ? given->model : "rtl8139");
    if (!streq_nullable(child_attr(g, "boot", "order"), child_attr(l, "boot", "order")))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify network device boot index setting");
    if ((given_dev = child_attr(g, "target", "dev")) && !streq_nullable(given_dev, live->target_dev))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify network device tap name");
    if ((given_slot = child_attr(g, "address", "slot")) && !streq_nullable(given_slot, child_attr(l, "address", "slot")))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "cannot modify network device guest PCI address");
    return 0;
}

static struct vb_device_def *find_nic(const struct vb_domain_def *def, const char *mac)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (def->devices[i]->kind == VB_DEVICE_INTERFACE && def->devices[i]->mac && streq(def->devices[i]->mac, mac))
            return def->devices[i];
    return NULL;
}

static int record_link(struct vb_device_def *dev, bool down, struct vb_error *err)
{
    return vb_device_def_set_child_attribute(dev, "link", "state", down ? "down" : NULL, err);
}

static void on_set_link(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct link_change *change = userdata;
    struct qemu_dom *dom = change->dom;
    struct vb_device_def *live = find_nic(dom->obj->def, change->mac);
    struct vb_error err = VB_ERROR_INIT;
    int r = reply->result;

    dom->hotplug->linking = NULL;
    if (r == 0 && live && record_link(live, change->down, &err) < 0)
        vb_log_warning("cannot record the link state of %s: %s", change->mac, vb_error_message(&err));
    vb_error_clear(&err);
    if (r == 0) {
        qemu_hotplug_save_live(dom);
        /* as libvirt, the persistent definition follows once the live change succeeded */
        if ((change->flags & VB_AFFECT_CONFIG) && qemu_hotplug_update_config(dom->obj, dom->conn, change->xml, &err) < 0)
            r = -1;
    }
    qemu_dom_finish_call(dom, r, r == 0 ? NULL : reply->result < 0 ? &reply->err : &err);
    vb_error_clear(&err);
    qemu_hotplug_link_free(change);
}

static struct json_object *set_link_args(const char *alias, bool down)
{
    struct json_object *args = qemu_hotplug_args("name", alias);

    json_object_object_add(args, "up", json_object_new_boolean(!down));
    return args;
}

static int change_live(struct vb_call *call, struct qemu_dom *dom, const struct vb_device_def *live, bool down,
                       const char *xml, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_hotplug *hp = qemu_hotplug_get(dom, err);
    struct device_names names;
    struct link_change *change;

    if (!hp || qemu_hotplug_names(dom, live, &names, err) < 0)
        return -1;
    if (!(change = calloc(1, sizeof(*change))) || !(change->xml = strdup(xml))) {
        qemu_hotplug_link_free(change);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    *change = (struct link_change){ .dom = dom, .down = down, .xml = change->xml, .flags = flags };
    snprintf(change->mac, sizeof(change->mac), "%s", live->mac);
    if (qemu_process_command(dom->proc, "set_link", set_link_args(names.alias, down), QEMU_COMMAND_TIMEOUT_USEC,
                             on_set_link, change, err) < 0) {
        qemu_hotplug_link_free(change);
        return -1;
    }
    hp->linking = change;
    return qemu_dom_wait(dom, call); /* the reply comes from the loop, after we return */
}

int qemu_hotplug_update_nic(struct vb_call *call, struct qemu_conn *conn, struct vb_domain_obj *obj,
                            const struct vb_device_def *given, const char *xml, unsigned int flags)
{
    struct vb_error *err = &call->err;
    const struct vb_device_def *live;
    struct qemu_dom *dom;
    bool want_down, is_down;

    if (!given->mac)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "multiple matching devices found");
    if (link_down(given, &want_down, err) < 0)
        return -1;
    if (flags & VB_AFFECT_CONFIG) {
        const struct vb_device_def *persistent = find_nic(vb_domain_obj_persistent_def(obj), given->mac);

        if (!persistent)
            return qemu_hotplug_report_missing(given, err);
        if (check_change(given, persistent, err) < 0)
            return -1;
    }
    if (!(flags & VB_AFFECT_LIVE))
        return qemu_hotplug_update_config(obj, conn, xml, err);
    if (!(dom = qemu_dom_running(obj, err)))
        return -1;
    if (!(live = find_nic(obj->def, given->mac)))
        return qemu_hotplug_report_missing(given, err);
    if (check_change(given, live, err) < 0 || link_down(live, &is_down, err) < 0)
        return -1;
    if (want_down != is_down)
        return change_live(call, dom, live, want_down, xml, flags);
    return (flags & VB_AFFECT_CONFIG) ? qemu_hotplug_update_config(obj, conn, xml, err) : 0;
}
