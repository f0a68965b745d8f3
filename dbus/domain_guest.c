/* org.libvirt.Domain methods for guest control and queries: hostname, guest clock, keys,
 * signals, passwords, memory statistics and peeking, emulator pinning, disk errors, rename.
 * Arguments and results are shaped as libvirt-dbus shapes them. Also the CPU map arguments and
 * the host CPU count that the pinning methods of several files share. */
#include <stdlib.h>

#include "api/guest.h"
#include "api/node.h"
#include "dbus/bus.h"
#include "dbus/call_args.h"

/* --- CPU maps (dbus/bus.h, dbus/call_args.h) ---------------------------------------------- */

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

static void clear_cpumap(struct dbus_call *call)
{
    free(((struct dbus_cpumap_call *) call)->cpumap);
}

int dbus_cpumap_call_read(struct dbus_frontend *frontend, sd_bus_message *m, uint32_t *flags,
                          struct dbus_cpumap_call **out)
{
    struct dbus_cpumap_call *call = NULL;
    bool *cpumap = NULL;
    unsigned int ncpus = 0;
    int r = dbus_read_cpumap(m, &cpumap, &ncpus);

    if (r >= 0)
        r = sd_bus_message_read(m, "u", flags);
    if (r >= 0 && !(call = dbus_call_new(frontend, m, sizeof(*call), NULL, clear_cpumap)))
        r = -ENOMEM;
    if (r < 0) {
        free(cpumap);
        return r;
    }
    call->cpumap = cpumap;
    call->ncpus = ncpus;
    *out = call;
    return 0;
}

/* --- hostname, clock, control -------------------------------------------------------------- */

static int method_get_hostname(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_string_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_string_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_hostname(d->dc->conn, &call->base.core, d->uuid, flags, &call->value);
    return dbus_call_finish(&call->base, r, error);
}

struct time_call {
    struct dbus_call base;
    long long seconds;
    unsigned int nseconds;
};

static int append_time(struct dbus_call *call, sd_bus_message *reply)
{
    struct time_call *c = (struct time_call *) call;

    return sd_bus_message_append(reply, "(tu)", (uint64_t) c->seconds, (uint32_t) c->nseconds);
}

static int method_get_time(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct time_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_time, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_time(d->dc->conn, &call->base.core, d->uuid, flags, &call->seconds, &call->nseconds);
    return dbus_call_finish(&call->base, r, error);
}

static int method_set_time(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    uint64_t seconds;
    uint32_t nseconds, flags;
    int r = sd_bus_message_read(m, "tuu", &seconds, &nseconds, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_guest_set_time(d->dc->conn, &call->core, d->uuid, (long long) seconds, nseconds, flags);
    return dbus_call_finish(call, r, error);
}

struct control_info_call {
    struct dbus_call base;
    struct vb_control_info info;
};

static int append_control_info(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_control_info *info = &((struct control_info_call *) call)->info;

    return sd_bus_message_append(reply, "(uut)", (uint32_t) info->state, (uint32_t) info->details,
                                 (uint64_t) info->state_time_ms);
}

static int method_get_control_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct control_info_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_control_info, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_control_info(d->dc->conn, &call->base.core, d->uuid, flags, &call->info);
    return dbus_call_finish(&call->base, r, error);
}

/* --- control: rename, NMI, keys, signals, passwords ------------------------------------------ */

static int method_rename(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *name;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &name, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_guest_rename(d->dc->conn, &call->core, d->uuid, name, flags), error);
}

static int method_inject_nmi(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_guest_inject_nmi(d->dc->conn, &call->core, d->uuid, flags), error);
}

/* The key codes are the call's own copy: the core may read them after the handler returned. */
struct send_key_call {
    struct dbus_call base;
    unsigned int *keycodes;
};

static void clear_send_key(struct dbus_call *call)
{
    free(((struct send_key_call *) call)->keycodes);
}

static int method_send_key(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct send_key_call *call;
    const uint32_t *keycodes = NULL;
    uint32_t codeset, holdtime, flags;
    size_t size = 0, n;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &codeset, &holdtime)) < 0 ||
        (r = sd_bus_message_read_array(m, 'u', (const void **) &keycodes, &size)) < 0 ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0)
        return r;
    n = size / sizeof(uint32_t);
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), NULL, clear_send_key);
    if (!call)
        return -ENOMEM;
    call->keycodes = calloc(n + 1, sizeof(*call->keycodes));
    if (!call->keycodes)
        return dbus_call_finish(&call->base, vb_error_set(&call->base.core.err, VB_ERR_NO_MEMORY, NULL), error);
    for (size_t i = 0; i < n; i++)
        call->keycodes[i] = keycodes[i];
    r = vb_guest_send_key(d->dc->conn, &call->base.core, d->uuid, codeset, holdtime, call->keycodes, n, flags);
    return dbus_call_finish(&call->base, r, error);
}

static int method_send_process_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    int64_t pid;
    uint32_t signum, flags;
    int r = sd_bus_message_read(m, "xuu", &pid, &signum, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_guest_send_process_signal(d->dc->conn, &call->core, d->uuid, pid, signum, flags);
    return dbus_call_finish(call, r, error);
}

static int method_set_user_password(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *user, *password;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssu", &user, &password, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_guest_set_user_password(d->dc->conn, &call->core, d->uuid, user, password, flags);
    return dbus_call_finish(call, r, error);
}

/* --- memory ---------------------------------------------------------------------------------- */

struct memory_stats_call {
    struct dbus_call base;
    struct vb_memory_stat stats[VB_MEMORY_STAT_NR];
    unsigned int filled;
};

static int append_memory_stats(struct dbus_call *call, sd_bus_message *reply)
{
    struct memory_stats_call *c = (struct memory_stats_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "{it}");

    for (unsigned int i = 0; r >= 0 && i < c->filled; i++)
        r = sd_bus_message_append(reply, "{it}", (int32_t) c->stats[i].tag, (uint64_t) c->stats[i].value);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int method_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct memory_stats_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_memory_stats, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_guest_memory_stats(d->dc->conn, &call->base.core, d->uuid, VB_MEMORY_STAT_NR, flags, call->stats,
                              &call->filled);
    return dbus_call_finish(&call->base, r, error);
}

struct memory_peek_call {
    struct dbus_call base;
    unsigned char *buffer;
    size_t size;
};

static int append_memory_peek(struct dbus_call *call, sd_bus_message *reply)
{
    struct memory_peek_call *c = (struct memory_peek_call *) call;

    return sd_bus_message_append_array(reply, 'y', c->buffer, c->size);
}

static void clear_memory_peek(struct dbus_call *call)
{
    free(((struct memory_peek_call *) call)->buffer);
}

static int method_memory_peek(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct memory_peek_call *call;
    uint64_t start, size;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ttu", &start, &size, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_memory_peek, clear_memory_peek);
    if (!call)
        return -ENOMEM;
    /* Only a size the core accepts is allocated; a larger one fails in the core. */
    call->size = (size_t) size;
    call->buffer = calloc(size <= VB_MEMORY_PEEK_MAX ? size + 1 : 1, 1);
    if (!call->buffer)
        return dbus_call_finish(&call->base, vb_error_set(&call->base.core.err, VB_ERR_NO_MEMORY, NULL), error);
    r = vb_guest_memory_peek(d->dc->conn, &call->base.core, d->uuid, start, call->size, flags, call->buffer);
    return dbus_call_finish(&call->base, r, error);
}

/* --- emulator pinning -------------------------------------------------------------------------- */

static int method_pin_emulator(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_cpumap_call *call;
    uint32_t flags;
    int r = dbus_cpumap_call_read(d->dc->frontend, m, &flags, &call);

    if (r < 0)
        return r;
    r = vb_guest_pin_emulator(d->dc->conn, &call->base.core, d->uuid, call->cpumap, call->ncpus, flags);
    return dbus_call_finish(&call->base, r, error);
}

/* As libvirt-dbus: as many booleans as the node has CPUs (the driver sizes the map). */
struct emulator_pin_call {
    struct dbus_call base;
    bool *map;
    unsigned int ncpus;
};

static int append_emulator_pin(struct dbus_call *call, sd_bus_message *reply)
{
    struct emulator_pin_call *c = (struct emulator_pin_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "b");

    for (unsigned int i = 0; r >= 0 && i < c->ncpus; i++)
        r = sd_bus_message_append(reply, "b", (int) c->map[i]);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_emulator_pin(struct dbus_call *call)
{
    free(((struct emulator_pin_call *) call)->map);
}

static int method_get_emulator_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct emulator_pin_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_emulator_pin, clear_emulator_pin);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_emulator_pin_info(d->dc->conn, &call->base.core, d->uuid, flags, &call->map, &call->ncpus);
    return dbus_call_finish(&call->base, r, error);
}

/* --- disk errors ---------------------------------------------------------------------------- */

struct disk_errors_call {
    struct dbus_call base;
    struct vb_disk_error *errors;
    size_t n;
};

static int append_disk_errors(struct dbus_call *call, sd_bus_message *reply)
{
    struct disk_errors_call *c = (struct disk_errors_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "(si)");

    for (size_t i = 0; r >= 0 && i < c->n; i++)
        r = sd_bus_message_append(reply, "(si)", c->errors[i].disk, (int32_t) c->errors[i].error);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_disk_errors(struct dbus_call *call)
{
    struct disk_errors_call *c = (struct disk_errors_call *) call;

    vb_disk_errors_free(c->errors, c->n);
}

/* libvirt-dbus reads the flags and then asks libvirt with 0; so do we. */
static int method_get_disk_errors(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct disk_errors_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_disk_errors, clear_disk_errors);
    if (!call)
        return -ENOMEM;
    r = vb_guest_get_disk_errors(d->dc->conn, &call->base.core, d->uuid, 0, &call->errors, &call->n);
    return dbus_call_finish(&call->base, r, error);
}

static const sd_bus_vtable domain_guest_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("GetControlInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(uut)", controlInfo),
                            method_get_control_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetDiskErrors", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(si)", diskErrors),
                            method_get_disk_errors, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetEmulatorPinInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ab", cpumap),
                            method_get_emulator_pin_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetHostname", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", hostname),
                            method_get_hostname, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetTime", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(tu)", time), method_get_time,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("InjectNMI", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_inject_nmi,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("MemoryPeek", SD_BUS_ARGS("t", offset, "t", size, "u", flags), SD_BUS_RESULT("ay", buffer),
                            method_memory_peek, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("MemoryStats", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{it}", stats),
                            method_memory_stats, SD_BUS_VTABLE_UNPRIVILEGED),
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
