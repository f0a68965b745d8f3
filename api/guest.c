/* The public guest API: argument checks as libvirt's libvirt-domain.c, dispatch to the guest table. */
#include <stdlib.h>

#include "api/checks.h"
#include "api/guest.h"
#include "conf/domain_obj.h"

/* The driver's guest slot, or NULL for a driver without a guest table or without that slot. */
#define GUEST_FN(conn, slot) ((conn)->driver->guest ? (conn)->driver->guest->slot : NULL)
#define GUEST_FN_TYPE(conn, slot) __typeof__((conn)->driver->guest->slot)

void vb_fs_infos_free(struct vb_fs_info *infos, size_t n)
{
    for (size_t i = 0; infos && i < n; i++) {
        free(infos[i].mountpoint);
        free(infos[i].name);
        free(infos[i].fstype);
        for (size_t j = 0; j < infos[i].n_dev_aliases; j++)
            free(infos[i].dev_aliases[j]);
        free(infos[i].dev_aliases);
    }
    free(infos);
}

void vb_disk_errors_free(struct vb_disk_error *errors, size_t n)
{
    for (size_t i = 0; errors && i < n; i++)
        free(errors[i].disk);
    free(errors);
}

char *vb_guest_get_hostname(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_hostname) fn = GUEST_FN(conn, get_hostname);

    if (!fn) {
        vb_check_report_unsupported("virDomainGetHostname", err);
        return NULL;
    }
    return fn(conn->priv, uuid, flags, err);
}

int vb_guest_get_time(struct vb_connect *conn, vb_uuid_t uuid, long long *seconds, unsigned int *nseconds,
                      unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_time) fn = GUEST_FN(conn, get_time);

    if (!fn)
        return vb_check_report_unsupported("virDomainGetTime", err);
    return fn(conn->priv, uuid, seconds, nseconds, flags, err);
}

int vb_guest_set_time(struct vb_connect *conn, vb_uuid_t uuid, long long seconds, unsigned int nseconds,
                      unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, set_time) fn = GUEST_FN(conn, set_time);

    if (!fn)
        return vb_check_report_unsupported("virDomainSetTime", err);
    return fn(conn->priv, uuid, seconds, nseconds, flags, err);
}

int vb_guest_get_control_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_control_info *info,
                              unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_control_info) fn = GUEST_FN(conn, get_control_info);

    if (!fn)
        return vb_check_report_unsupported("virDomainGetControlInfo", err);
    *info = (struct vb_control_info){ 0 };
    return fn(conn->priv, uuid, info, flags, err);
}

int vb_guest_rename(struct vb_connect *conn, vb_uuid_t uuid, const char *new_name, unsigned int flags,
                    struct vb_error *err)
{
    GUEST_FN_TYPE(conn, rename) fn = GUEST_FN(conn, rename);

    if (vb_check_non_null(new_name, "new_name", "virDomainRename", err) < 0)
        return -1;
    if (!*new_name)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "string new_name in virDomainRename must not be empty");
    if (!fn)
        return vb_check_report_unsupported("virDomainRename", err);
    return fn(conn->priv, uuid, new_name, flags, err);
}

int vb_guest_inject_nmi(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, inject_nmi) fn = GUEST_FN(conn, inject_nmi);

    if (!fn)
        return vb_check_report_unsupported("virDomainInjectNMI", err);
    return fn(conn->priv, uuid, flags, err);
}

int vb_guest_send_key(struct vb_connect *conn, vb_uuid_t uuid, unsigned int codeset, unsigned int holdtime,
                      const unsigned int *keycodes, size_t n_keycodes, unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, send_key) fn = GUEST_FN(conn, send_key);

    /* libvirt-dbus hands libvirt a NULL array for an empty "au". */
    if (vb_check_non_null(n_keycodes ? keycodes : NULL, "keycodes", "virDomainSendKey", err) < 0)
        return -1;
    if (codeset >= VB_KEYCODE_SET_LAST)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Unsupported codeset '%u'", codeset);
    if (n_keycodes > VB_SEND_KEY_MAX_KEYS)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "nkeycodes must be <= %d", VB_SEND_KEY_MAX_KEYS);
    if (!fn)
        return vb_check_report_unsupported("virDomainSendKey", err);
    return fn(conn->priv, uuid, codeset, holdtime, keycodes, n_keycodes, flags, err);
}

int vb_guest_send_process_signal(struct vb_connect *conn, vb_uuid_t uuid, long long pid, unsigned int signum,
                                 unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, send_process_signal) fn = GUEST_FN(conn, send_process_signal);

    if (pid == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "pid_value in virDomainSendProcessSignal must not be zero");
    if (!fn)
        return vb_check_report_unsupported("virDomainSendProcessSignal", err);
    return fn(conn->priv, uuid, pid, signum, flags, err);
}

int vb_guest_set_user_password(struct vb_connect *conn, vb_uuid_t uuid, const char *user, const char *password,
                               unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, set_user_password) fn = GUEST_FN(conn, set_user_password);

    if (vb_check_non_null(user, "user", "virDomainSetUserPassword", err) < 0 ||
        vb_check_non_null(password, "password", "virDomainSetUserPassword", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainSetUserPassword", err);
    return fn(conn->priv, uuid, user, password, flags, err);
}

int vb_guest_memory_stats(struct vb_connect *conn, vb_uuid_t uuid, struct vb_memory_stat *stats, unsigned int n,
                          unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, memory_stats) fn = GUEST_FN(conn, memory_stats);

    if (!stats || n == 0) /* libvirt answers 0 without asking the driver */
        return 0;
    if (n > VB_MEMORY_STAT_NR)
        n = VB_MEMORY_STAT_NR;
    if (!fn)
        return vb_check_report_unsupported("virDomainMemoryStats", err);
    return fn(conn->priv, uuid, stats, n, flags, err);
}

int vb_guest_memory_peek(struct vb_connect *conn, vb_uuid_t uuid, unsigned long long start, size_t size,
                         unsigned char *buffer, unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, memory_peek) fn = GUEST_FN(conn, memory_peek);

    if (vb_check_exclusive_flags(flags, VB_MEMORY_VIRTUAL, "VIR_MEMORY_VIRTUAL", VB_MEMORY_PHYSICAL, "VIR_MEMORY_PHYSICAL",
                        err) < 0)
        return -1;
    if (size > 0 && vb_check_non_null(buffer, "buffer", "virDomainMemoryPeek", err) < 0)
        return -1;
    if (size > VB_MEMORY_PEEK_MAX)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "memory peek request too large for remote protocol, %zu > %d",
                            size, VB_MEMORY_PEEK_MAX);
    if (!fn)
        return vb_check_report_unsupported("virDomainMemoryPeek", err);
    return fn(conn->priv, uuid, start, size, buffer, flags, err);
}

int vb_guest_pin_emulator(struct vb_connect *conn, vb_uuid_t uuid, const bool *cpumap, unsigned int ncpus,
                          unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, pin_emulator) fn = GUEST_FN(conn, pin_emulator);

    if (vb_check_non_null(cpumap, "cpumap", "virDomainPinEmulator", err) < 0 ||
        vb_check_positive(ncpus, "maplen", "virDomainPinEmulator", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainPinEmulator", err);
    return fn(conn->priv, uuid, cpumap, ncpus, flags, err);
}

int vb_guest_get_emulator_pin_info(struct vb_connect *conn, vb_uuid_t uuid, bool *cpumap, unsigned int ncpus,
                                   unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_emulator_pin_info) fn = GUEST_FN(conn, get_emulator_pin_info);

    if (vb_check_non_null(cpumap, "cpumap", "virDomainGetEmulatorPinInfo", err) < 0 ||
        vb_check_positive(ncpus, "maplen", "virDomainGetEmulatorPinInfo", err) < 0 ||
        vb_check_exclusive_flags(flags, VB_AFFECT_LIVE, "VIR_DOMAIN_AFFECT_LIVE", VB_AFFECT_CONFIG, "VIR_DOMAIN_AFFECT_CONFIG",
                        err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetEmulatorPinInfo", err);
    return fn(conn->priv, uuid, cpumap, ncpus, flags, err);
}

int vb_guest_get_fs_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_fs_info **infos, unsigned int flags,
                         struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_fs_info) fn = GUEST_FN(conn, get_fs_info);

    if (!fn)
        return vb_check_report_unsupported("virDomainGetFSInfo", err);
    *infos = NULL;
    return fn(conn->priv, uuid, infos, flags, err);
}

int vb_guest_get_disk_errors(struct vb_connect *conn, vb_uuid_t uuid, struct vb_disk_error **errors,
                             unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_disk_errors) fn = GUEST_FN(conn, get_disk_errors);

    if (!fn)
        return vb_check_report_unsupported("virDomainGetDiskErrors", err);
    *errors = NULL;
    return fn(conn->priv, uuid, errors, flags, err);
}
