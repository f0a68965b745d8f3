/* org.libvirt.Domain methods for guest file systems, core dumps, I/O threads and starting with
 * passed files. Arguments and results are shaped as libvirt-dbus shapes them. */
#include <stdlib.h>

#include "api/domain.h"
#include "api/guest.h"
#include "api/node.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/reply.h"

static struct vb_connect *conn_of(void *userdata)
{
    return ((struct dbus_connect *) userdata)->conn;
}

static int reply_empty(sd_bus_message *m, int r, struct vb_error *err, sd_bus_error *error)
{
    if (r < 0)
        return dbus_reply_core_error(error, err);
    return sd_bus_reply_method_return(m, NULL);
}

static void strv_free(char **strv)
{
    for (size_t i = 0; strv && strv[i]; i++)
        free(strv[i]);
    free(strv);
}
DEFINE_CLEANUP_FUNC(char *, strv_free)

static size_t strv_length(char *const *strv)
{
    size_t n = 0;

    while (strv && strv[n])
        n++;
    return n;
}

typedef int (*fs_state_fn)(struct vb_connect *conn, vb_uuid_t uuid, const char *const *mountpoints, size_t n,
                           unsigned int flags, struct vb_error *err);

/* FSFreeze and FSThaw: "as" mount points and flags, answered with how many changed. */
static int change_fs_state(sd_bus_message *m, void *userdata, fs_state_fn fn, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_(strv_freep) char **mountpoints = NULL;
    uint32_t flags;
    int r, n;

    if ((r = sd_bus_message_read_strv(m, &mountpoints)) < 0 || (r = sd_bus_message_read(m, "u", &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    n = fn(conn_of(userdata), uuid, (const char *const *) mountpoints, strv_length(mountpoints), flags, &err);
    if (n < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "u", (uint32_t) n);
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
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *mountpoint;
    uint64_t minimum;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "stu", &mountpoint, &minimum, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_fs_trim(conn_of(userdata), uuid, *mountpoint ? mountpoint : NULL, minimum, flags, &err);
    return reply_empty(m, r, &err, error);
}

static int method_core_dump(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *to;
    uint32_t format, flags;
    int r;

    if ((r = sd_bus_message_read(m, "suu", &to, &format, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_core_dump(conn_of(userdata), uuid, to, format, flags, &err);
    return reply_empty(m, r, &err, error);
}

/* libvirt's test driver starts the domain as Create does and leaves the files alone; the
 * descriptors belong to the message and are closed with it. */
static int method_create_with_files(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_skip(m, "ah")) < 0 || (r = sd_bus_message_read(m, "u", &flags)) < 0)
        return r;
    return dbus_domain_start(m, userdata, flags, error);
}

static int append_iothread(sd_bus_message *reply, const struct vb_iothread_info *info)
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

/* Each CPU map has as many booleans as the node has CPUs. */
static int method_get_iothread_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_iothread_info *infos = NULL;
    _cleanup_free_ bool *node_map = NULL;
    unsigned int online;
    uint32_t flags;
    int r, n, ncpus;

    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    ncpus = vb_node_get_cpu_map(conn_of(userdata), 0, &node_map, &online, &err);
    if (ncpus < 0)
        return dbus_reply_core_error(error, &err);
    n = vb_guest_get_iothread_info(conn_of(userdata), uuid, (unsigned int) ncpus, &infos, flags, &err);
    if (n < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(uab)");
    for (int i = 0; r >= 0 && i < n; i++)
        r = append_iothread(reply, &infos[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    vb_iothread_infos_free(infos, (size_t) n);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

typedef int (*iothread_fn)(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, unsigned int flags,
                           struct vb_error *err);

static int change_iothread(sd_bus_message *m, void *userdata, iothread_fn fn, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t id, flags;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &id, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = fn(conn_of(userdata), uuid, id, flags, &err);
    return reply_empty(m, r, &err, error);
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
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ bool *map = NULL;
    unsigned int ncpus = 0;
    uint32_t id, flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &id)) < 0 || (r = dbus_read_cpumap(m, &map, &ncpus)) < 0 ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_pin_iothread(conn_of(userdata), uuid, id, map, ncpus, flags, &err);
    return reply_empty(m, r, &err, error);
}

static const sd_bus_vtable domain_guest_io_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("AddIOThread", SD_BUS_ARGS("u", iothreadId, "u", flags), SD_BUS_NO_RESULT,
                            method_add_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CoreDump", SD_BUS_ARGS("s", to, "u", dumpformat, "u", flags), SD_BUS_NO_RESULT,
                            method_core_dump, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CreateWithFiles", SD_BUS_ARGS("ah", files, "u", flags), SD_BUS_NO_RESULT,
                            method_create_with_files, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DelIOThread", SD_BUS_ARGS("u", iothreadId, "u", flags), SD_BUS_NO_RESULT,
                            method_del_iothread, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("FSFreeze", SD_BUS_ARGS("as", mountpoints, "u", flags),
                            SD_BUS_RESULT("u", frozenFilesystems), method_fs_freeze, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("FSThaw", SD_BUS_ARGS("as", mountpoints, "u", flags),
                            SD_BUS_RESULT("u", thawdFilesystems), method_fs_thaw, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("FSTrim", SD_BUS_ARGS("s", mountpoint, "t", minimum, "u", flags), SD_BUS_NO_RESULT,
                            method_fs_trim, SD_BUS_VTABLE_UNPRIVILEGED),
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
