/* The test driver's guest control and queries, as libvirt's test driver answers them: a fake
 * guest agent (hostname, clock, file systems), keys and signals that are checked and dropped,
 * fixed memory statistics and a memory whose bytes count up from the address read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver_guest.h"
#include "drivers/test/test_private.h"

/* libvirt's virDomainMemoryStatTags and virDomainControlState / ErrorReason numbering. */
enum { STAT_SWAP_IN, STAT_SWAP_OUT, STAT_MAJOR_FAULT, STAT_MINOR_FAULT, STAT_UNUSED, STAT_AVAILABLE,
       STAT_ACTUAL_BALLOON, STAT_RSS, STAT_USABLE, STAT_LAST_UPDATE, STAT_DISK_CACHES, STAT_HUGETLB_PGALLOC,
       STAT_HUGETLB_PGFAIL };
enum { CONTROL_OK, CONTROL_JOB, CONTROL_OCCUPIED, CONTROL_ERROR };

static struct vb_domain_obj *find_active(void *priv, vb_uuid_t uuid, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    if (!obj || vb_domain_obj_check_active(obj, err) < 0)
        return NULL;
    return obj;
}

static char *test_get_hostname_guest(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    char *name = NULL;

    if (flags) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "%s: unsupported flags (0x%x)", __func__, flags);
        return NULL;
    }
    obj = find_active(priv, uuid, err);
    if (obj && asprintf(&name, "%shost", obj->def->name) < 0) {
        name = NULL;
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return name;
}

static int test_get_time(void *priv, vb_uuid_t uuid, long long *seconds, unsigned int *nseconds,
                         unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, 0, err);
    obj = test_find_domain(priv, uuid, err);
    if (!obj)
        return -1;
    if (obj->state != VB_DOMAIN_RUNNING) /* a paused guest's clock cannot be read */
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is not running");
    *seconds = obj->guest_time_seconds;
    *nseconds = obj->guest_time_nseconds;
    return 0;
}

static int test_set_time(void *priv, vb_uuid_t uuid, long long seconds, unsigned int nseconds,
                         unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, VB_TIME_SYNC, err);
    obj = find_active(priv, uuid, err);
    if (!obj)
        return -1;
    obj->guest_time_seconds = seconds;
    obj->guest_time_nseconds = nseconds;
    return 0;
}

/* libvirt's test driver derives the control state from the guest clock, so tests can reach
 * every state: 1..9999 a job, 10000..29999 occupied, 30000..59999 an error. */
static int test_get_control_info(void *priv, vb_uuid_t uuid, struct vb_control_info *info, unsigned int flags,
                                 struct vb_error *err)
{
    struct vb_domain_obj *obj;
    long long seconds;

    VB_CHECK_FLAGS(flags, 0, err);
    obj = find_active(priv, uuid, err);
    if (!obj)
        return -1;
    seconds = obj->guest_time_seconds;
    *info = (struct vb_control_info){ .state = CONTROL_OK };
    if (seconds > 0 && seconds < 10000)
        *info = (struct vb_control_info){ .state = CONTROL_JOB, .state_time_ms = (unsigned long long) seconds };
    else if (seconds >= 10000 && seconds < 30000)
        *info = (struct vb_control_info){ .state = CONTROL_OCCUPIED,
                                          .state_time_ms = (unsigned long long) (seconds - 10000) };
    else if (seconds >= 30000 && seconds < 60000)
        *info = (struct vb_control_info){ .state = CONTROL_ERROR, .details = (unsigned int) (seconds % 4),
                                          .state_time_ms = (unsigned long long) (seconds - 30000) };
    return 0;
}

static int test_inject_nmi(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    VB_CHECK_FLAGS(flags, 0, err);
    return find_active(priv, uuid, err) ? 0 : -1;
}

static int test_send_key(void *priv, vb_uuid_t uuid, unsigned int codeset, unsigned int holdtime,
                         const unsigned int *keycodes, size_t n_keycodes, unsigned int flags, struct vb_error *err)
{
    (void) holdtime;
    VB_CHECK_FLAGS(flags, 0, err);
    if (!find_active(priv, uuid, err))
        return -1;
    for (size_t i = 0; i < n_keycodes; i++)
        if (!test_keycode_valid(codeset, keycodes[i]))
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "invalid keycode %u of %s codeset", keycodes[i],
                                test_keycode_set_name(codeset));
    return 0;
}

/* Checked before the domain is looked up, and allowed on an inactive domain, as libvirt does. */
static int test_send_process_signal(void *priv, vb_uuid_t uuid, long long pid, unsigned int signum,
                                    unsigned int flags, struct vb_error *err)
{
    VB_CHECK_FLAGS(flags, 0, err);
    if (pid != 1)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "only sending a signal to pid 1 is supported");
    if (signum >= VB_PROCESS_SIGNAL_LAST)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "signum value %d is out of range", (int) signum);
    return test_find_domain(priv, uuid, err) ? 0 : -1;
}

static int test_set_user_password(void *priv, vb_uuid_t uuid, const char *user, const char *password,
                                  unsigned int flags, struct vb_error *err)
{
    (void) user;
    (void) password;
    VB_CHECK_FLAGS(flags, VB_PASSWORD_ENCRYPTED, err);
    return find_active(priv, uuid, err) ? 0 : -1;
}

static bool has_memballoon(const struct vb_domain_def *def)
{
    for (size_t i = 0; i < def->n_devices; i++) {
        const struct vb_device_def *dev = def->devices[i];
        _cleanup_free_ char *model = NULL;

        if (!dev->element || !streq(dev->element, "memballoon"))
            continue;
        model = vb_device_def_get_attribute(dev, "model");
        return !model || !streq(model, "none");
    }
    return false;
}

static int test_memory_stats(void *priv, vb_uuid_t uuid, struct vb_memory_stat *stats, unsigned int n,
                             unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    unsigned long long cur;
    unsigned int count = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    obj = find_active(priv, uuid, err);
    if (!obj)
        return -1;
    if (!has_memballoon(obj->def))
        return 0;
    cur = obj->def->current_memory_kib;
    const struct vb_memory_stat all[] = {
        { STAT_ACTUAL_BALLOON, cur }, { STAT_SWAP_IN, 0 },        { STAT_SWAP_OUT, 0 },
        { STAT_MAJOR_FAULT, 0 },      { STAT_MINOR_FAULT, 0 },    { STAT_UNUSED, cur / 2 },
        { STAT_AVAILABLE, cur },      { STAT_USABLE, cur / 2 },   { STAT_LAST_UPDATE, 627319920 },
        { STAT_DISK_CACHES, cur / 8 }, { STAT_HUGETLB_PGALLOC, 0 }, { STAT_HUGETLB_PGFAIL, 0 },
        { STAT_RSS, cur / 2 },
    };
    for (; count < n && count < ARRAY_SIZE(all); count++)
        stats[count] = all[count];
    return (int) count;
}

static int test_memory_peek(void *priv, vb_uuid_t uuid, unsigned long long start, size_t size,
                            unsigned char *buffer, unsigned int flags, struct vb_error *err)
{
    unsigned char b = (unsigned char) start;

    VB_CHECK_FLAGS(flags, VB_MEMORY_VIRTUAL | VB_MEMORY_PHYSICAL, err);
    if (flags != VB_MEMORY_VIRTUAL && flags != VB_MEMORY_PHYSICAL)
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL");
    if (!find_active(priv, uuid, err))
        return -1;
    for (size_t i = 0; i < size; i++)
        buffer[i] = b++;
    return 0;
}

/* libvirt's virDomainObjGetOneDef: which emulator pin map flags name, live or config. */
static int pin_target(struct vb_domain_obj *obj, unsigned int *flags, bool *live, struct vb_error *err)
{
    if ((*flags & VB_AFFECT_LIVE) && (*flags & VB_AFFECT_CONFIG))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
    if (vb_domain_obj_resolve_affect(obj, flags, err) < 0)
        return -1;
    *live = *flags & VB_AFFECT_LIVE;
    return 0;
}

static unsigned int host_cpus(const struct test_conn *conn)
{
    const struct vb_node_info *node = &conn->node;

    return node->nodes * node->sockets * node->cores * node->threads;
}

static int test_pin_emulator(void *priv, vb_uuid_t uuid, const bool *cpumap, unsigned int ncpus,
                             unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    bool live = false, any = false;
    bool *copy;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    obj = test_find_domain(priv, uuid, err);
    if (!obj || pin_target(obj, &flags, &live, err) < 0)
        return -1;
    for (unsigned int c = 0; c < ncpus; c++)
        any = any || cpumap[c];
    if (!any)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Empty cpu list for pinning");
    copy = malloc(ncpus * sizeof(*copy));
    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(copy, cpumap, ncpus * sizeof(*copy));
    free(live ? obj->emulator_pin_live : obj->emulator_pin_config);
    if (live) {
        obj->emulator_pin_live = copy;
        obj->emulator_pin_live_n = ncpus;
    } else {
        obj->emulator_pin_config = copy;
        obj->emulator_pin_config_n = ncpus;
    }
    return 0;
}

/* Unpinned, the emulator may run on every host CPU. */
static int test_get_emulator_pin_info(void *priv, vb_uuid_t uuid, bool *cpumap, unsigned int ncpus,
                                      unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    const bool *pin;
    unsigned int pin_n;
    bool live = false;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    obj = test_find_domain(priv, uuid, err);
    if (!obj || pin_target(obj, &flags, &live, err) < 0)
        return -1;
    pin = live ? obj->emulator_pin_live : obj->emulator_pin_config;
    pin_n = live ? obj->emulator_pin_live_n : obj->emulator_pin_config_n;
    for (unsigned int c = 0; c < ncpus; c++)
        cpumap[c] = pin ? c < pin_n && pin[c] : c < host_cpus(priv);
    return 1;
}

static int fill_fs_info(struct vb_fs_info *info, const char *mountpoint, const char *disk, int partition,
                        struct vb_error *err)
{
    info->mountpoint = strdup(mountpoint);
    info->fstype = strdup("ext4");
    info->dev_aliases = calloc(1, sizeof(*info->dev_aliases));
    if (info->dev_aliases)
        info->dev_aliases[0] = strdup(disk);
    if (asprintf(&info->name, "%s%d", disk, partition) < 0)
        info->name = NULL;
    if (!info->mountpoint || !info->fstype || !info->dev_aliases || !info->dev_aliases[0] || !info->name)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    info->n_dev_aliases = 1;
    return 0;
}

/* The guest's first disk holds / and /boot; a guest without one has no file systems. */
static int test_get_fs_info(void *priv, vb_uuid_t uuid, struct vb_fs_info **infos, unsigned int flags,
                            struct vb_error *err)
{
    struct vb_domain_obj *obj;
    struct vb_fs_info *out;

    VB_CHECK_FLAGS(flags, 0, err);
    obj = find_active(priv, uuid, err);
    if (!obj)
        return -1;
    for (size_t i = 0; i < obj->def->n_devices; i++) {
        const struct vb_device_def *dev = obj->def->devices[i];

        if (dev->kind != VB_DEVICE_DISK || (dev->disk_device && !streq(dev->disk_device, "disk")))
            continue;
        out = calloc(2, sizeof(*out));
        if (!out)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        if (fill_fs_info(&out[0], "/", dev->target_dev ? dev->target_dev : "", 1, err) < 0 ||
            fill_fs_info(&out[1], "/boot", dev->target_dev ? dev->target_dev : "", 2, err) < 0) {
            vb_fs_infos_free(out, 2);
            return -1;
        }
        *infos = out;
        return 2;
    }
    return 0;
}

/* Every disk reports an error, alternating "unspecified" and "no space". */
static int test_get_disk_errors(void *priv, vb_uuid_t uuid, struct vb_disk_error **errors, unsigned int flags,
                                struct vb_error *err)
{
    struct vb_domain_obj *obj;
    struct vb_disk_error *out;
    size_t n = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    obj = find_active(priv, uuid, err);
    if (!obj)
        return -1;
    out = calloc(obj->def->n_devices + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < obj->def->n_devices; i++) {
        const struct vb_device_def *dev = obj->def->devices[i];

        if (dev->kind != VB_DEVICE_DISK)
            continue;
        out[n].disk = strdup(dev->target_dev ? dev->target_dev : "");
        out[n].error = (int) (n % 2) + 1;
        if (!out[n++].disk) {
            vb_disk_errors_free(out, n);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    *errors = out;
    return (int) n;
}

const struct vb_guest_driver vb_test_guest_driver = {
    .get_hostname = test_get_hostname_guest,
    .get_time = test_get_time,
    .set_time = test_set_time,
    .get_control_info = test_get_control_info,
    .rename = test_rename,
    .inject_nmi = test_inject_nmi,
    .send_key = test_send_key,
    .send_process_signal = test_send_process_signal,
    .set_user_password = test_set_user_password,
    .memory_stats = test_memory_stats,
    .memory_peek = test_memory_peek,
    .pin_emulator = test_pin_emulator,
    .get_emulator_pin_info = test_get_emulator_pin_info,
    .get_fs_info = test_get_fs_info,
    .get_disk_errors = test_get_disk_errors,
    .fs_freeze = test_fs_freeze,
    .fs_thaw = test_fs_thaw,
    .fs_trim = test_fs_trim,
    .core_dump = test_core_dump,
    .get_iothread_info = test_get_iothread_info,
    .add_iothread = test_add_iothread,
    .del_iothread = test_del_iothread,
    .pin_iothread = test_pin_iothread,
};
