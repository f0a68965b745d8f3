/* The pty qemu opened for each `<serial type='pty'>`, read with query-chardev before the guest
 * runs, as libvirt's qemuProcessRefreshChannelVirtioState/qemuProcessLookupPTYs: the live XML
 * says where to attach (<source path='/dev/pts/N'/>, and the console's tty=). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_process_private.h"
#include "util/log.h"
#include "util/macros.h"

struct pty_read {
    struct qemu_process *proc;
    void (*then)(struct qemu_process *proc);
};

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

static void on_chardevs(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct pty_read *read = userdata;
    struct qemu_process *proc = read->proc;
    void (*then)(struct qemu_process *proc) = read->then;
    struct vb_error err = VB_ERROR_INIT;

    free(read);
    if (reply->result < 0 || qemu_pty_paths_apply(proc->def, reply->ret, &err) < 0 ||
        qemu_process_write_live_def(proc, proc->def, &err) < 0) {
        qemu_process_abandon(proc, reply->result < 0 ? &reply->err : &err);
        vb_error_clear(&err);
        return;
    }
    then(proc);
}

int qemu_process_read_ptys(struct qemu_process *proc, void (*then)(struct qemu_process *proc), struct vb_error *err)
{
    struct pty_read *read;
    bool any = false;

    for (size_t i = 0; i < proc->def->n_devices; i++)
        any |= proc->def->devices[i]->kind == VB_DEVICE_SERIAL && is_pty(proc->def->devices[i]);
    if (!any) { /* most guests: no round trip */
        then(proc);
        return 0;
    }
    if (!(read = calloc(1, sizeof(*read))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *read = (struct pty_read){ proc, then };
    if (qmp_monitor_send(proc->mon, "query-chardev", NULL, proc->monitor_timeout_usec, on_chardevs, read, err) < 0) {
        free(read);
        return -1;
    }
    return 0;
}
