/* org.libvirt.Domain methods for guest file systems, core dumps and I/O threads. Arguments and
 * results are shaped as libvirt-dbus shapes them. */
#include <stdlib.h>

#include "api/guest.h"
#include "api/node.h"
#include "dbus/bus.h"
#include "dbus/call_args.h"

/* --- string lists (dbus/call_args.h) ---------------------------------------------------------- */

int dbus_read_strv(sd_bus_message *m, char ***strv, size_t *n)
{
    int r;

    *strv = NULL;
    *n = 0;
    r = sd_bus_message_read_strv(m, strv);
    if (r < 0)
        return r;
    while (*strv && (*strv)[*n])
        (*n)++;
    return 0;
}

/* --- file systems ---------------------------------------------------------------------------- */

struct fs_info_call {
    struct dbus_call base;
    struct vb_fs_info *infos;
    size_t n;
};

static int append_one_fs_info(sd_bus_message *reply, const struct vb_fs_info *info)
{
    int r = sd_bus_message_open_container(reply, 'r', "sssas");

    if (r >= 0)
        r = sd_bus_message_append(reply, "sss", info->mountpoint, info->name, info->fstype);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "s");
    for (size_t i = 0; r >= 0 && i < info->n_dev_aliases; i++)
        r = sd_bus_message_append(reply, "s", info->dev_aliases[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int append_fs_info(struct dbus_call *call, sd_bus_message *reply)
{
    struct fs_info_call *c = (struct fs_info_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "(sssas)");

    for (size_t i = 0; r >= 0 && i < c->n; i++)
        r = append_one_fs_info(reply, &c->infos[i]);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_fs_info(struct dbus_call *call)
{
    struct fs_info_call *c = (struct fs_info_call *) call;

    vb_fs_infos_free(c->infos, c->n);
}

static int method_get_fs_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct fs_info_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_fs_info, clear_fs_info);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_fs_info(d->dc->conn, &call->base.core, d->uuid, flags, &call->infos, &call->n);
    return dbus_call_finish(&call->base, r, error);
}

typedef int (*fs_state_fn)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid,
                           const char *const *mountpoints, size_t n, unsigned int flags, unsigned int *changed);

/* FSFreeze and FSThaw: the mount points are the call's, and it answers how many changed. */
struct fs_state_call {
    struct dbus_call base;
    char **mountpoints;
    unsigned int changed;
};

static int append_fs_state(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "u", (uint32_t) ((struct fs_state_call *) call)->changed);
}

static void clear_fs_state(struct dbus_call *call)
{
    vb_strv_free(((struct fs_state_call *) call)->mountpoints);
}

static int change_fs_state(sd_bus_message *m, struct dbus_domain *d, fs_state_fn fn, sd_bus_error *error)
{
    struct fs_state_call *call = NULL;
    char **mountpoints = NULL;
    uint32_t flags;
    size_t n = 0;
    int r;

    if ((r = dbus_read_strv(m, &mountpoints, &n)) < 0)
        return r;
    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 ||
        !(call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_fs_state, clear_fs_state))) {
        vb_strv_free(mountpoints);
        return r < 0 ? r : -ENOMEM;
    }
    call->mountpoints = mountpoints;
    r = fn(d->dc->conn, &call->base.core, d->uuid, (const char *const *) mountpoints, n, flags, &call->changed);
    return dbus_call_finish(&call->base, r, error);
}

static int method_fs_freeze(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return change_fs_state(m, userdata, vb_guest_fs_freeze, error);
}

static int method_fs_thaw(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return change_fs_state(m, userdata, vb_guest_fs_thaw, error);
}

/* As libvirt-dbus, an empty mount point asks for every file system. */
static int method_fs_trim(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *mountpoint;
    uint64_t minimum;
    uint32_t flags;
    int r = sd_bus_message_read(m, "stu", &mountpoint, &minimum, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_guest_fs_trim(d->dc->conn, &call->core, d->uuid, dbus_empty_to_null(mountpoint), minimum, flags);
    return dbus_call_finish(call, r, error);
}

static int method_core_dump(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *to;
    uint32_t format, flags;
    int r = sd_bus_message_read(m, "suu", &to, &format, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_guest_core_dump(d->dc->conn, &call->core, d->uuid, to, format, flags), error);
}

/* --- I/O threads ----------------------------------------------------------------------------- */

/* Each CPU map has as many booleans as the node has CPUs (the driver sizes them). */
struct iothread_info_call {
    struct dbus_call base;
    struct vb_iothread_info *infos;
    size_t n;
};

static int append_one_iothread(sd_bus_message *reply, const struct vb_iothread_info *info)
{
    int r = sd_bus_message_open_container(reply, 'r', "uab");

    if (r >= 0)
        r = sd_bus_message_append(reply, "u", (uint32_t) info->id);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "b");
    for (unsigned int c = 0; r >= 0 && c < info->ncpus; c++)
        r = sd_bus_message_append(reply, "b", (int) info->cpumap[c]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int append_iothread_info(struct dbus_call *call, sd_bus_message *reply)
{
    struct iothread_info_call *c = (struct iothread_info_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "(uab)");

    for (size_t i = 0; r >= 0 && i < c->n; i++)
        r = append_one_iothread(reply, &c->infos[i]);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_iothread_info(struct dbus_call *call)
{
    struct iothread_info_call *c = (struct iothread_info_call *) call;

    vb_iothread_infos_free(c->infos, c->n);
}

static int method_get_iothread_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct iothread_info_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_iothread_info, clear_iothread_info);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_iothread_info(d->dc->conn, &call->base.core, d->uuid, flags, &call->infos, &call->n);
    return dbus_call_finish(&call->base, r, error);
}

typedef int (*iothread_fn)(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                           unsigned int flags);

static int change_iothread(sd_bus_message *m, struct dbus_domain *d, iothread_fn fn, sd_bus_error *error)
{
    struct dbus_call *call;
    uint32_t id, flags;
    int r = sd_bus_message_read(m, "uu", &id, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, fn(d->dc->conn, &call->core, d->uuid, id, flags), error);
}

static int method_add_iothread(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return change_iothread(m, userdata, vb_guest_add_iothread, error);
}

static int method_del_iothread(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return change_iothread(m, userdata, vb_guest_del_iothread, error);
}

static int method_pin_iothread(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_cpumap_call *call;
    uint32_t id, flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &id)) < 0 ||
        (r = dbus_cpumap_call_read(d->dc->frontend, m, &flags, &call)) < 0)
        return r;
    r = vb_guest_pin_iothread(d->dc->conn, &call->base.core, d->uuid, id, call->cpumap, call->ncpus, flags);
    return dbus_call_finish(&call->base, r, error);
}

static const sd_bus_vtable domain_guest_io_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("AddIOThread", SD_BUS_ARGS("u", iothreadId, "u", flags), SD_BUS_NO_RESULT,
                            method_add_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CoreDump", SD_BUS_ARGS("s", to, "u", dumpformat, "u", flags), SD_BUS_NO_RESULT,
                            method_core_dump, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DelIOThread", SD_BUS_ARGS("u", iothreadId, "u", flags), SD_BUS_NO_RESULT,
                            method_del_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("FSFreeze", SD_BUS_ARGS("as", mountpoints, "u", flags),
                            SD_BUS_RESULT("u", frozenFilesystems), method_fs_freeze, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("FSThaw", SD_BUS_ARGS("as", mountpoints, "u", flags),
                            SD_BUS_RESULT("u", thawdFilesystems), method_fs_thaw, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("FSTrim", SD_BUS_ARGS("s", mountpoint, "t", minimum, "u", flags), SD_BUS_NO_RESULT,
                            method_fs_trim, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetFSInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(sssas)", fsInfo),
                            method_get_fs_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetIOThreadInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(uab)", ioThreadInfo),
                            method_get_iothread_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PinIOThread", SD_BUS_ARGS("u", iothreadId, "ab", cpumap, "u", flags), SD_BUS_NO_RESULT,
                            method_pin_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_guest_io_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE,
                                      domain_guest_io_vtable, dbus_domain_find, dc);
}
