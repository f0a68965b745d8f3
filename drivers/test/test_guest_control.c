/* The test driver's guest control and queries, as libvirt's test driver answers them: a fake
 * guest agent (hostname, clock, file systems), keys and signals that are checked and dropped,
 * fixed memory statistics and a memory whose bytes count up from the address read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_iothreads.h"
#include "drivers/driver_guest.h"
#include "drivers/test/test_private.h"

/* libvirt's virDomainMemoryStatTags and virDomainControlState / ErrorReason numbering. */
enum { STAT_SWAP_IN, STAT_SWAP_OUT, STAT_MAJOR_FAULT, STAT_MINOR_FAULT, STAT_UNUSED, STAT_AVAILABLE,
       STAT_ACTUAL_BALLOON, STAT_RSS, STAT_USABLE, STAT_LAST_UPDATE, STAT_DISK_CACHES, STAT_HUGETLB_PGALLOC,
       STAT_HUGETLB_PGFAIL };
enum { CONTROL_OK, CONTROL_JOB, CONTROL_OCCUPIED, CONTROL_ERROR };

static int test_get_hostname_guest(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                   char **hostname)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (asprintf(hostname, "%shost", obj->def->name) < 0) {
        *hostname = NULL;
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return test_done(priv, call, 0);
}

static int test_get_time(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                         long long *seconds, unsigned int *nseconds)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (obj->state != VB_DOMAIN_RUNNING) /* a paused guest's clock cannot be read */
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is not running");
    *seconds = obj->guest_time_seconds;
    *nseconds = obj->guest_time_nseconds;
    return test_done(priv, call, 0);
}

static int test_set_time(void *priv, struct vb_call *call, struct vb_domain_obj *obj, long long seconds,
                         unsigned int nseconds, unsigned int flags)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_TIME_SYNC, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    obj->guest_time_seconds = seconds;
    obj->guest_time_nseconds = nseconds;
    return test_done(priv, call, 0);
}

/* libvirt's test driver derives the control state from the guest clock, so tests can reach
 * every state: 1..9999 a job, 10000..29999 occupied, 30000..59999 an error. */
static int test_get_control_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                 struct vb_control_info *info)
{
    struct vb_error *err = &call->err;
    long long seconds;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
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
    return test_done(priv, call, 0);
}

static int test_inject_nmi(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

static int test_send_key(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int codeset,
                         unsigned int holdtime, const unsigned int *keycodes, size_t n_keycodes, unsigned int flags)
{
    struct vb_error *err = &call->err;

    (void) holdtime;
    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    for (size_t i = 0; i < n_keycodes; i++)
        if (!test_keycode_valid(codeset, keycodes[i]))
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "invalid keycode %u of %s codeset", keycodes[i],
                                test_keycode_set_name(codeset));
    return test_done(priv, call, 0);
}

/* Allowed on an inactive domain, as libvirt's test driver allows it. */
static int test_send_process_signal(void *priv, struct vb_call *call, struct vb_domain_obj *obj, long long pid,
                                    unsigned int signum, unsigned int flags)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (pid != 1)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "only sending a signal to pid 1 is supported");
    if (signum >= VB_PROCESS_SIGNAL_LAST)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "signum value %d is out of range", (int) signum);
    return test_done(priv, call, 0);
}

static int test_set_user_password(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *user,
                                  const char *password, unsigned int flags)
{
    struct vb_error *err = &call->err;

    (void) user;
    (void) password;
    VB_CHECK_FLAGS(flags, VB_PASSWORD_ENCRYPTED, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    return test_done(priv, call, 0);
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

static int test_memory_stats(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int n,
                             unsigned int flags, struct vb_memory_stat *stats, unsigned int *filled)
{
    struct vb_error *err = &call->err;
    unsigned long long cur;
    unsigned int count = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    *filled = 0;
    if (!has_memballoon(obj->def))
        return test_done(priv, call, 0);
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
    *filled = count;
    return test_done(priv, call, 0);
}

static int test_memory_peek(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned long long start,
                            size_t size, unsigned int flags, unsigned char *buffer)
{
    struct vb_error *err = &call->err;
    unsigned char b = (unsigned char) start;

    VB_CHECK_FLAGS(flags, VB_MEMORY_VIRTUAL | VB_MEMORY_PHYSICAL, err);
    if (flags != VB_MEMORY_VIRTUAL && flags != VB_MEMORY_PHYSICAL)
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL");
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    for (size_t i = 0; i < size; i++)
        buffer[i] = b++;
    return test_done(priv, call, 0);
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

/* libvirt's qemuDomainPinEmulator announces a live pin as the tunable "cputune.emulatorpin", a
 * CPU list of the host's CPUs; made before the pin changes, so a failure changes nothing. */
static int emulator_pin_event(struct test_conn *conn, const struct vb_domain_obj *obj, const bool *cpumap,
                              unsigned int ncpus, struct vb_event *event, struct vb_error *err)
{
    unsigned int host = TEST_HOST_MAP_CPUS;
    _cleanup_free_ char *cpus = vb_cpuset_format(cpumap, ncpus < host ? ncpus : host);

    vb_event_init_domain(event, "test", conn->uri, obj->def->uuid, obj->def->name, VB_DOMAIN_EVENT_ID_TUNABLE);
    if (!cpus)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_typed_params_add_string(&event->payload.params, err, cpus, "cputune.emulatorpin");
}

/* Takes copy (ncpus entries) as the live pin when it can announce it. */
static int pin_emulator_live(struct test_conn *conn, struct vb_domain_obj *obj, bool *copy, unsigned int ncpus,
                             struct vb_error *err)
{
    struct vb_event event;

    if (emulator_pin_event(conn, obj, copy, ncpus, &event, err) < 0) {
        vb_typed_params_clear(&event.payload.params);
        return -1;
    }
    free(obj->emulator_pin_live);
    obj->emulator_pin_live = copy;
    obj->emulator_pin_live_n = ncpus;
    test_emit_event(conn, obj, &event);
    vb_typed_params_clear(&event.payload.params);
    return 0;
}

static int test_pin_emulator(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const bool *cpumap,
                             unsigned int ncpus, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    bool live = false, any = false;
    bool *copy;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (pin_target(obj, &flags, &live, err) < 0)
        return -1;
    /* CPUs past the host's map do not exist: a pin keeps what its map says about the others. */
    if (ncpus > TEST_HOST_MAP_CPUS)
        ncpus = TEST_HOST_MAP_CPUS;
    for (unsigned int c = 0; c < ncpus; c++)
        any = any || cpumap[c];
    if (!any)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Empty cpu list for pinning");
    copy = malloc(ncpus * sizeof(*copy));
    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(copy, cpumap, ncpus * sizeof(*copy));
    if (live) {
        if (pin_emulator_live(conn, obj, copy, ncpus, err) < 0) {
            free(copy);
            return -1;
        }
    } else {
        free(obj->emulator_pin_config);
        obj->emulator_pin_config = copy;
        obj->emulator_pin_config_n = ncpus;
        test_emit_changed(conn, obj);
    }
    return test_done(conn, call, 0);
}

/* Unpinned, the emulator may run on every host CPU. The map has one entry per host CPU, as
 * libvirt-dbus sizes it from the node's CPU map. */
static int test_get_emulator_pin_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                      bool **cpumap, unsigned int *ncpus)
{
    struct vb_error *err = &call->err;
    unsigned int n = TEST_HOST_MAP_CPUS;
    const bool *pin;
    unsigned int pin_n;
    bool live = false;

    VB_CHECK_FLAGS(flags, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, err);
    if (pin_target(obj, &flags, &live, err) < 0)
        return -1;
    pin = live ? obj->emulator_pin_live : obj->emulator_pin_config;
    pin_n = live ? obj->emulator_pin_live_n : obj->emulator_pin_config_n;
    *cpumap = calloc((size_t) n + 1, sizeof(**cpumap));
    if (!*cpumap)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int c = 0; c < n; c++)
        (*cpumap)[c] = pin ? c < pin_n && pin[c] : true;
    *ncpus = n;
    return test_done(priv, call, 0);
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
static int test_get_fs_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                            struct vb_fs_info **infos, size_t *n)
{
    struct vb_error *err = &call->err;
    struct vb_fs_info *out;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    *infos = NULL;
    *n = 0;
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
        *n = 2;
        break;
    }
    return test_done(priv, call, 0);
}

/* Every disk reports an error, alternating "unspecified" and "no space". */
static int test_get_disk_errors(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                struct vb_disk_error **errors, size_t *n)
{
    struct vb_error *err = &call->err;
    struct vb_disk_error *out;
    size_t count = 0;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    out = calloc(obj->def->n_devices + 1, sizeof(*out));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < obj->def->n_devices; i++) {
        const struct vb_device_def *dev = obj->def->devices[i];

        if (dev->kind != VB_DEVICE_DISK)
            continue;
        out[count].disk = strdup(dev->target_dev ? dev->target_dev : "");
        out[count].error = (int) (count % 2) + 1;
        if (!out[count++].disk) {
            vb_disk_errors_free(out, count);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    *errors = out;
    *n = count;
    return test_done(priv, call, 0);
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
