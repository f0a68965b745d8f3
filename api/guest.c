/* The public guest API: argument checks as libvirt's libvirt-domain.c, dispatch to the guest table. */
#include <stdlib.h>

#include "api/checks.h"
#include "api/dispatch.h"
#include "api/guest.h"
#include "conf/domain_obj.h"

/* The driver's guest table and one of its slots (NULL for a driver without either). */
#define GUEST(conn) ((conn)->driver->guest)
#define HAS_GUEST_SLOT(conn, slot) (GUEST(conn) && GUEST(conn)->slot)

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

struct get_hostname_args { unsigned int flags; char **hostname; };
VB_INVOKE(get_hostname, GUEST(conn)->get_hostname(conn->priv, call, obj, a->flags, a->hostname))

int vb_guest_get_hostname(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                          char **hostname)
{
    *hostname = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_HOSTNAME, uuid, get_hostname, HAS_GUEST_SLOT(conn, get_hostname), flags,
                hostname);
}

struct get_time_args { unsigned int flags; long long *seconds; unsigned int *nseconds; };
VB_INVOKE(get_time, GUEST(conn)->get_time(conn->priv, call, obj, a->flags, a->seconds, a->nseconds))

int vb_guest_get_time(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                      long long *seconds, unsigned int *nseconds)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_TIME, uuid, get_time, HAS_GUEST_SLOT(conn, get_time), flags, seconds,
                nseconds);
}

struct set_time_args { long long seconds; unsigned int nseconds, flags; };
VB_INVOKE(set_time, GUEST(conn)->set_time(conn->priv, call, obj, a->seconds, a->nseconds, a->flags))

int vb_guest_set_time(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, long long seconds,
                      unsigned int nseconds, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_TIME, uuid, set_time, HAS_GUEST_SLOT(conn, set_time), seconds, nseconds,
                flags);
}

struct get_control_info_args { unsigned int flags; struct vb_control_info *info; };
VB_INVOKE(get_control_info, GUEST(conn)->get_control_info(conn->priv, call, obj, a->flags, a->info))

int vb_guest_get_control_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                              struct vb_control_info *info)
{
    *info = (struct vb_control_info){ 0 };
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_CONTROL_INFO, uuid, get_control_info,
                HAS_GUEST_SLOT(conn, get_control_info), flags, info);
}

struct rename_args { const char *new_name; unsigned int flags; };
VB_INVOKE(rename, GUEST(conn)->rename(conn->priv, call, obj, a->new_name, a->flags))

int vb_guest_rename(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *new_name,
                    unsigned int flags)
{
    if (vb_check_non_null(new_name, "new_name", "virDomainRename", &call->err) < 0)
        return -1;
    if (!*new_name)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "string new_name in virDomainRename must not be empty");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_RENAME, uuid, rename, HAS_GUEST_SLOT(conn, rename), new_name, flags);
}

struct inject_nmi_args { unsigned int flags; };
VB_INVOKE(inject_nmi, GUEST(conn)->inject_nmi(conn->priv, call, obj, a->flags))

int vb_guest_inject_nmi(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_INJECT_NMI, uuid, inject_nmi, HAS_GUEST_SLOT(conn, inject_nmi), flags);
}

struct send_key_args {
    unsigned int codeset, holdtime;
    const unsigned int *keycodes;
    size_t n_keycodes;
    unsigned int flags;
};
VB_INVOKE(send_key, GUEST(conn)->send_key(conn->priv, call, obj, a->codeset, a->holdtime, a->keycodes,
                                          a->n_keycodes, a->flags))

int vb_guest_send_key(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int codeset,
                      unsigned int holdtime, const unsigned int *keycodes, size_t n_keycodes, unsigned int flags)
{
    /* libvirt-dbus hands libvirt a NULL array for an empty "au". */
    if (vb_check_non_null(n_keycodes ? keycodes : NULL, "keycodes", "virDomainSendKey", &call->err) < 0)
        return -1;
    if (codeset >= VB_KEYCODE_SET_LAST)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "Unsupported codeset '%u'", codeset);
    if (n_keycodes > VB_SEND_KEY_MAX_KEYS)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "nkeycodes must be <= %d", VB_SEND_KEY_MAX_KEYS);
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SEND_KEY, uuid, send_key, HAS_GUEST_SLOT(conn, send_key), codeset,
                holdtime, keycodes, n_keycodes, flags);
}

struct send_process_signal_args { long long pid; unsigned int signum, flags; };
VB_INVOKE(send_process_signal,
          GUEST(conn)->send_process_signal(conn->priv, call, obj, a->pid, a->signum, a->flags))

int vb_guest_send_process_signal(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, long long pid,
                                 unsigned int signum, unsigned int flags)
{
    if (pid == 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG,
                            "pid_value in virDomainSendProcessSignal must not be zero");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SEND_PROCESS_SIGNAL, uuid, send_process_signal,
                HAS_GUEST_SLOT(conn, send_process_signal), pid, signum, flags);
}

struct set_user_password_args { const char *user, *password; unsigned int flags; };
VB_INVOKE(set_user_password,
          GUEST(conn)->set_user_password(conn->priv, call, obj, a->user, a->password, a->flags))

int vb_guest_set_user_password(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *user,
                               const char *password, unsigned int flags)
{
    if (vb_check_non_null(user, "user", "virDomainSetUserPassword", &call->err) < 0 ||
        vb_check_non_null(password, "password", "virDomainSetUserPassword", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_USER_PASSWORD, uuid, set_user_password,
                HAS_GUEST_SLOT(conn, set_user_password), user, password, flags);
}

struct memory_stats_args { unsigned int n, flags; struct vb_memory_stat *stats; unsigned int *filled; };
VB_INVOKE(memory_stats, GUEST(conn)->memory_stats(conn->priv, call, obj, a->n, a->flags, a->stats, a->filled))

int vb_guest_memory_stats(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int n,
                          unsigned int flags, struct vb_memory_stat *stats, unsigned int *filled)
{
    *filled = 0;
    if (!stats || n == 0) /* libvirt answers 0 without asking the driver */
        return 0;
    if (n > VB_MEMORY_STAT_NR)
        n = VB_MEMORY_STAT_NR;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_MEMORY_STATS, uuid, memory_stats, HAS_GUEST_SLOT(conn, memory_stats), n,
                flags, stats, filled);
}

struct memory_peek_args { unsigned long long start; size_t size; unsigned int flags; unsigned char *buffer; };
VB_INVOKE(memory_peek, GUEST(conn)->memory_peek(conn->priv, call, obj, a->start, a->size, a->flags, a->buffer))

int vb_guest_memory_peek(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned long long start,
                         size_t size, unsigned int flags, unsigned char *buffer)
{
    if (vb_check_exclusive_flags(flags, VB_MEMORY_VIRTUAL, "VIR_MEMORY_VIRTUAL", VB_MEMORY_PHYSICAL,
                                 "VIR_MEMORY_PHYSICAL", &call->err) < 0)
        return -1;
    if (size > 0 && vb_check_non_null(buffer, "buffer", "virDomainMemoryPeek", &call->err) < 0)
        return -1;
    if (size > VB_MEMORY_PEEK_MAX)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG,
                            "memory peek request too large for remote protocol, %zu > %d", size, VB_MEMORY_PEEK_MAX);
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_MEMORY_PEEK, uuid, memory_peek, HAS_GUEST_SLOT(conn, memory_peek), start,
                size, flags, buffer);
}

struct pin_emulator_args { const bool *cpumap; unsigned int ncpus, flags; };
VB_INVOKE(pin_emulator, GUEST(conn)->pin_emulator(conn->priv, call, obj, a->cpumap, a->ncpus, a->flags))

int vb_guest_pin_emulator(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const bool *cpumap,
                          unsigned int ncpus, unsigned int flags)
{
    if (vb_check_non_null(cpumap, "cpumap", "virDomainPinEmulator", &call->err) < 0 ||
        vb_check_positive(ncpus, "maplen", "virDomainPinEmulator", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_PIN_EMULATOR, uuid, pin_emulator, HAS_GUEST_SLOT(conn, pin_emulator),
                cpumap, ncpus, flags);
}

struct get_emulator_pin_info_args { unsigned int flags; bool **cpumap; unsigned int *ncpus; };
VB_INVOKE(get_emulator_pin_info,
          GUEST(conn)->get_emulator_pin_info(conn->priv, call, obj, a->flags, a->cpumap, a->ncpus))

int vb_guest_get_emulator_pin_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                   bool **cpumap, unsigned int *ncpus)
{
    *cpumap = NULL;
    *ncpus = 0;
    if (vb_check_exclusive_flags(flags, VB_AFFECT_LIVE, "VIR_DOMAIN_AFFECT_LIVE", VB_AFFECT_CONFIG,
                                 "VIR_DOMAIN_AFFECT_CONFIG", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_EMULATOR_PIN_INFO, uuid, get_emulator_pin_info,
                HAS_GUEST_SLOT(conn, get_emulator_pin_info), flags, cpumap, ncpus);
}

struct get_fs_info_args { unsigned int flags; struct vb_fs_info **infos; size_t *n; };
VB_INVOKE(get_fs_info, GUEST(conn)->get_fs_info(conn->priv, call, obj, a->flags, a->infos, a->n))

int vb_guest_get_fs_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                         struct vb_fs_info **infos, size_t *n)
{
    *infos = NULL;
    *n = 0;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_FSINFO, uuid, get_fs_info, HAS_GUEST_SLOT(conn, get_fs_info), flags,
                infos, n);
}

struct get_disk_errors_args { unsigned int flags; struct vb_disk_error **errors; size_t *n; };
VB_INVOKE(get_disk_errors, GUEST(conn)->get_disk_errors(conn->priv, call, obj, a->flags, a->errors, a->n))

int vb_guest_get_disk_errors(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                             struct vb_disk_error **errors, size_t *n)
{
    *errors = NULL;
    *n = 0;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_DISK_ERRORS, uuid, get_disk_errors,
                HAS_GUEST_SLOT(conn, get_disk_errors), flags, errors, n);
}
