/* org.libvirt.Domain methods for guest control and queries: hostname, guest clock, keys,
 * signals, passwords, memory statistics and peeking, emulator pinning, file systems, disk
 * errors, rename. Arguments and results are shaped as libvirt-dbus shapes them. */
#include <stdlib.h>
#include <string.h>

#include "api/guest.h"
#include "api/node.h"
#include "dbus/bus.h"
#include "dbus/errors.h"

static struct vb_connect *conn_of(void *userdata)
{
    return ((struct dbus_connect *) userdata)->conn;
}

/* Replies with nothing or with the core's error. */
static int reply_empty(sd_bus_message *m, int r, struct vb_error *err, sd_bus_error *error)
{
    if (r < 0)
        return dbus_reply_core_error(error, err);
    return sd_bus_reply_method_return(m, NULL);
}

/* Reads one "u" flags argument and the domain's UUID: the shape of most methods here. */
static int read_flags(sd_bus_message *m, void *userdata, uint32_t *flags, unsigned char uuid[VB_UUID_LEN],
                      sd_bus_error *error)
{
    int r = sd_bus_message_read(m, "u", flags);

    return r < 0 ? r : dbus_message_domain_uuid(m, userdata, uuid, error);
}

static int method_get_hostname(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *hostname = NULL;
    uint32_t flags;
    int r;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    hostname = vb_guest_get_hostname(conn_of(userdata), uuid, flags, &err);
    if (!hostname)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "s", hostname);
}

static int method_get_time(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    long long seconds = 0;
    unsigned int nseconds = 0;
    uint32_t flags;
    int r;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    if (vb_guest_get_time(conn_of(userdata), uuid, &seconds, &nseconds, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "(tu)", (uint64_t) seconds, (uint32_t) nseconds);
}

static int method_set_time(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint64_t seconds;
    uint32_t nseconds, flags;
    int r;

    if ((r = sd_bus_message_read(m, "tuu", &seconds, &nseconds, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_set_time(conn_of(userdata), uuid, (long long) seconds, nseconds, flags, &err);
    return reply_empty(m, r, &err, error);
}

static int method_get_control_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_control_info info;
    uint32_t flags;
    int r;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    if (vb_guest_get_control_info(conn_of(userdata), uuid, &info, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "(uut)", (uint32_t) info.state, (uint32_t) info.details,
                                      (uint64_t) info.state_time_ms);
}

static int method_rename(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *name;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "su", &name, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    if (vb_guest_rename(conn_of(userdata), uuid, name, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    dbus_objects_refresh(userdata, uuid); /* Name changed */
    return sd_bus_reply_method_return(m, NULL);
}

static int method_inject_nmi(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    r = vb_guest_inject_nmi(conn_of(userdata), uuid, flags, &err);
    return reply_empty(m, r, &err, error);
}

static int method_send_key(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const uint32_t *keycodes = NULL;
    uint32_t codeset, holdtime, flags;
    size_t size = 0;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &codeset, &holdtime)) < 0 ||
        (r = sd_bus_message_read_array(m, 'u', (const void **) &keycodes, &size)) < 0 ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_send_key(conn_of(userdata), uuid, codeset, holdtime, keycodes, size / sizeof(uint32_t), flags,
                          &err);
    return reply_empty(m, r, &err, error);
}

static int method_send_process_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    int64_t pid;
    uint32_t signum, flags;
    int r;

    if ((r = sd_bus_message_read(m, "xuu", &pid, &signum, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_send_process_signal(conn_of(userdata), uuid, pid, signum, flags, &err);
    return reply_empty(m, r, &err, error);
}

static int method_set_user_password(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *user, *password;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "ssu", &user, &password, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_guest_set_user_password(conn_of(userdata), uuid, user, password, flags, &err);
    return reply_empty(m, r, &err, error);
}

static int method_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_memory_stat stats[VB_MEMORY_STAT_NR];
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r, n;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    n = vb_guest_memory_stats(conn_of(userdata), uuid, stats, VB_MEMORY_STAT_NR, flags, &err);
    if (n < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "{it}");
    for (int i = 0; r >= 0 && i < n; i++)
        r = sd_bus_message_append(reply, "{it}", (int32_t) stats[i].tag, (uint64_t) stats[i].value);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int method_memory_peek(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ unsigned char *buffer = NULL;
    uint64_t start, size;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "ttu", &start, &size, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    /* Only a size the core accepts is allocated; a larger one fails in the core. */
    buffer = calloc(size <= VB_MEMORY_PEEK_MAX ? size + 1 : 1, 1);
    if (!buffer)
        return -ENOMEM;
    if (vb_guest_memory_peek(conn_of(userdata), uuid, start, (size_t) size, buffer, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_append_array(reply, 'y', buffer, (size_t) size);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

/* Reads an "ab" CPU map; an empty one gives NULL, as libvirt-dbus hands libvirt. */
int dbus_read_cpumap(sd_bus_message *m, bool **out, unsigned int *n)
{
    const int *bools;
    size_t size, count;
    bool *map;
    int r;

    /* D-Bus booleans are 32-bit on the wire; sd-bus hands the array over as ints. */
    r = sd_bus_message_read_array(m, 'b', (const void **) &bools, &size);
    if (r < 0)
        return r;
    count = size / sizeof(int);
    *out = NULL;
    *n = 0;
    if (count == 0)
        return 0;
    map = calloc(count, sizeof(*map));
    if (!map)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++)
        map[i] = bools[i] != 0;
    *out = map;
    *n = (unsigned int) count;
    return 0;
}

static int method_pin_emulator(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ bool *map = NULL;
    unsigned int ncpus = 0;
    uint32_t flags;
    int r;

    if ((r = dbus_read_cpumap(m, &map, &ncpus)) < 0 || (r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    r = vb_guest_pin_emulator(conn_of(userdata), uuid, map, ncpus, flags, &err);
    return reply_empty(m, r, &err, error);
}

/* As libvirt-dbus: as many booleans as the node's CPU map has CPUs. */
static int method_get_emulator_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ bool *node_map = NULL;
    _cleanup_free_ bool *map = NULL;
    unsigned int online;
    uint32_t flags;
    int r, ncpus;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    ncpus = vb_node_get_cpu_map(conn_of(userdata), 0, &node_map, &online, &err);
    if (ncpus < 0)
        return dbus_reply_core_error(error, &err);
    map = calloc((size_t) ncpus + 1, sizeof(*map));
    if (!map)
        return -ENOMEM;
    if (vb_guest_get_emulator_pin_info(conn_of(userdata), uuid, map, (unsigned int) ncpus, flags, &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "b");
    for (int i = 0; r >= 0 && i < ncpus; i++)
        r = sd_bus_message_append(reply, "b", (int) map[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int append_fs_info(sd_bus_message *reply, const struct vb_fs_info *info)
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

static int method_get_fs_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_fs_info *infos = NULL;
    uint32_t flags;
    int r, n;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    n = vb_guest_get_fs_info(conn_of(userdata), uuid, &infos, flags, &err);
    if (n < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(sssas)");
    for (int i = 0; r >= 0 && i < n; i++)
        r = append_fs_info(reply, &infos[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    vb_fs_infos_free(infos, (size_t) n);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

/* libvirt-dbus reads the flags and then asks libvirt with 0; so do we. */
static int method_get_disk_errors(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_disk_error *errors = NULL;
    uint32_t flags;
    int r, n;

    if ((r = read_flags(m, userdata, &flags, uuid, error)) < 0)
        return r;
    n = vb_guest_get_disk_errors(conn_of(userdata), uuid, &errors, 0, &err);
    if (n < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(si)");
    for (int i = 0; r >= 0 && i < n; i++)
        r = sd_bus_message_append(reply, "(si)", errors[i].disk, (int32_t) errors[i].error);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    vb_disk_errors_free(errors, (size_t) n);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable domain_guest_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("GetControlInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(uut)", controlInfo), method_get_control_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetDiskErrors", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(si)", diskErrors), method_get_disk_errors,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetEmulatorPinInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ab", cpumap), method_get_emulator_pin_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetFSInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(sssas)", fsInfo), method_get_fs_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetHostname", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", hostname), method_get_hostname,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetTime", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(tu)", time), method_get_time,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("InjectNMI", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_inject_nmi,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("MemoryPeek", SD_BUS_ARGS("t", offset, "t", size, "u", flags), SD_BUS_RESULT("ay", buffer),
                            method_memory_peek, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("MemoryStats", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{it}", stats), method_memory_stats,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PinEmulator", SD_BUS_ARGS("ab", cpumap, "u", flags), SD_BUS_NO_RESULT,
                            method_pin_emulator, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Rename", SD_BUS_ARGS("s", name, "u", flags), SD_BUS_NO_RESULT, method_rename,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SendKey", SD_BUS_ARGS("u", codeset, "u", holdtime, "au", keycodes, "u", flags),
                            SD_BUS_NO_RESULT, method_send_key, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SendProcessSignal", SD_BUS_ARGS("x", pidValue, "u", sigNum, "u", flags),
                            SD_BUS_NO_RESULT, method_send_process_signal, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetTime", SD_BUS_ARGS("t", seconds, "u", nseconds, "u", flags), SD_BUS_NO_RESULT,
                            method_set_time, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetUserPassword", SD_BUS_ARGS("s", user, "s", password, "u", flags), SD_BUS_NO_RESULT,
                            method_set_user_password, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_guest_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE, domain_guest_vtable,
                                      dbus_domain_find, dc);
}
