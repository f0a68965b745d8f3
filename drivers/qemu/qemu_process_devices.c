/* What is done between the QMP handshake and the guest's first instruction, as libvirt's
 * qemuProcessLaunch: the pty qemu opened for each `<serial type='pty'>`, read with query-chardev
 * (qemuProcessLookupPTYs), so the live XML says where to attach (<source path='/dev/pts/N'/>,
 * and the console's tty=); and the links of interfaces defined `<link state='down'/>` taken down
 * (qemuProcessSetLinkStates). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_process_private.h"
#include "util/log.h"
#include "util/macros.h"

static bool is_pty(const struct vb_device_def *dev)
{
    return dev->type && streq(dev->type, "pty");
}

/* The path query-chardev gives chardev `label` ("pty:/dev/pts/3"), NULL when it is no pty. */
static const char *pty_of(struct json_object *chardevs, const char *label)
{
    for (size_t i = 0; chardevs && i < json_object_array_length(chardevs); i++) {
        struct json_object *c = json_object_array_get_idx(chardevs, i), *l, *f;

        if (json_object_object_get_ex(c, "label", &l) && streq(json_object_get_string(l), label) &&
            json_object_object_get_ex(c, "filename", &f) && strncmp(json_object_get_string(f), "pty:", 4) == 0)
            return json_object_get_string(f) + 4;
    }
    return NULL;
}

/* The console showing serial port `port` gets the same pty: tty= and <source path>. */
static int set_console(struct vb_domain_def *def, int port, const char *path, struct vb_error *err)
{
    for (size_t i = 0; i < def->n_devices; i++) {
        struct vb_device_def *dev = def->devices[i];

        if (dev->kind == VB_DEVICE_CONSOLE && is_pty(dev) && (dev->port >= 0 ? dev->port : 0) == port &&
            (vb_device_def_set_attribute(dev, "tty", path, err) < 0 ||
             vb_device_def_set_child_attribute(dev, "source", "path", path, err) < 0))
            return -1;
    }
    return 0;
}

int qemu_pty_paths_apply(struct vb_domain_def *def, struct json_object *chardevs, struct vb_error *err)
{
    unsigned int n = 0; /* serial ports are charserialN in definition order (qemu_command_devices.c) */

    for (size_t i = 0; i < def->n_devices; i++) {
        struct vb_device_def *dev = def->devices[i];
        char label[32];
        const char *path;

        if (dev->kind != VB_DEVICE_SERIAL)
            continue;
        snprintf(label, sizeof(label), "charserial%u", n++);
        if (!is_pty(dev) || !(path = pty_of(chardevs, label)))
            continue;
        if (vb_device_def_set_child_attribute(dev, "source", "path", path, err) < 0 ||
            set_console(def, dev->port >= 0 ? dev->port : (int) n - 1, path, err) < 0)
            return -1;
    }
    return 0;
}

/* Sends set_link up=false for every interface defined with its link down (netN: the command
 * line's ids, in definition order); returns how many were sent, or -1 with err. */
static int send_link_downs(struct qemu_process *proc, qmp_reply_fn reply, void *userdata, struct vb_error *err)
{
    unsigned int n = 0;
    int sent = 0;

    for (size_t i = 0; i < proc->def->n_devices; i++) {
        const struct vb_device_def *dev = proc->def->devices[i];
        _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = NULL;
        const char *state;
        struct json_object *args;
        char alias[32];

        if (dev->kind != VB_DEVICE_INTERFACE)
            continue;
        snprintf(alias, sizeof(alias), "net%u", n++);
        if (!(el = vb_device_def_view(dev, err)))
            return -1;
        state = vb_xml_element_attr(vb_xml_element_child(el, "link"), "state");
        if (!state || !streq(state, "down"))
            continue;
        args = json_object_new_object();
        json_object_object_add(args, "name", json_object_new_string(alias));
        json_object_object_add(args, "up", json_object_new_boolean(false));
        if (qmp_monitor_send(proc->mon, "set_link", args, proc->monitor_timeout_usec, reply, userdata, err) < 0)
            return -1;
        sent++;
    }
    return sent;
}

struct device_setup {
    struct qemu_process *proc;
    void (*then)(struct qemu_process *proc);
    int links_pending;
    bool failed;
};

static void setup_fail(struct device_setup *setup, const struct vb_error *err)
{
    if (!setup->failed)
        qemu_process_abandon(setup->proc, err);
    setup->failed = true;
}

static void on_link_set(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct device_setup *setup = userdata;

    if (reply->result < 0)
        setup_fail(setup, &reply->err);
    if (--setup->links_pending > 0)
        return;
    if (!setup->failed)
        setup->then(setup->proc);
    free(setup);
}

static void set_links(struct device_setup *setup)
{
    struct vb_error err = VB_ERROR_INIT;
    int sent = send_link_downs(setup->proc, on_link_set, setup, &err);

    if (sent < 0)
        setup_fail(setup, &err); /* replies of those sent still come: the last one frees */
    vb_error_clear(&err);
    setup->links_pending += sent > 0 ? sent : 0;
    if (setup->links_pending > 0)
        return;
    if (!setup->failed)
        setup->then(setup->proc);
    free(setup);
}

static void on_chardevs(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct device_setup *setup = userdata;
    struct qemu_process *proc = setup->proc;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0 || qemu_pty_paths_apply(proc->def, reply->ret, &err) < 0 ||
        qemu_process_write_live_def(proc, proc->def, &err) < 0) {
        setup_fail(setup, reply->result < 0 ? &reply->err : &err);
        vb_error_clear(&err);
        free(setup);
        return;
    }
    set_links(setup);
}

int qemu_process_prepare_devices(struct qemu_process *proc, void (*then)(struct qemu_process *proc),
                                 struct vb_error *err)
{
    struct device_setup *setup;
    bool any_pty = false;

    for (size_t i = 0; i < proc->def->n_devices; i++)
        any_pty |= proc->def->devices[i]->kind == VB_DEVICE_SERIAL && is_pty(proc->def->devices[i]);
    if (!(setup = calloc(1, sizeof(*setup))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *setup = (struct device_setup){ .proc = proc, .then = then };
    if (!any_pty) { /* most guests: no round trip */
        set_links(setup);
        return 0;
    }
    if (qmp_monitor_send(proc->mon, "query-chardev", NULL, proc->monitor_timeout_usec, on_chardevs, setup, err) < 0) {
        free(setup);
        return -1;
    }
    return 0;
}
