/* The public guest API for file systems, core dumps and I/O threads: argument checks as
 * libvirt's libvirt-domain.c, then dispatch to the driver's guest table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/checks.h"
#include "api/guest.h"
#include "conf/domain_obj.h"

#define GUEST_FN(conn, slot) ((conn)->driver->guest ? (conn)->driver->guest->slot : NULL)
#define GUEST_FN_TYPE(conn, slot) __typeof__((conn)->driver->guest->slot)

void vb_iothread_infos_free(struct vb_iothread_info *infos, size_t n)
{
    for (size_t i = 0; infos && i < n; i++)
        free(infos[i].cpumap);
    free(infos);
}

int vb_guest_fs_freeze(struct vb_connect *conn, vb_uuid_t uuid, const char *const *mountpoints, size_t n,
                       unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, fs_freeze) fn = GUEST_FN(conn, fs_freeze);

    if (n && !mountpoints)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "mountpoints in virDomainFSFreeze must not be NULL");
    if (!fn)
        return vb_check_report_unsupported("virDomainFSFreeze", err);
    return fn(conn->priv, uuid, mountpoints, n, flags, err);
}

int vb_guest_fs_thaw(struct vb_connect *conn, vb_uuid_t uuid, const char *const *mountpoints, size_t n,
                     unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, fs_thaw) fn = GUEST_FN(conn, fs_thaw);

    if (n && !mountpoints)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "mountpoints in virDomainFSThaw must not be NULL");
    if (!fn)
        return vb_check_report_unsupported("virDomainFSThaw", err);
    return fn(conn->priv, uuid, mountpoints, n, flags, err);
}

int vb_guest_fs_trim(struct vb_connect *conn, vb_uuid_t uuid, const char *mountpoint, unsigned long long minimum,
                     unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, fs_trim) fn = GUEST_FN(conn, fs_trim);

    if (!fn)
        return vb_check_report_unsupported("virDomainFSTrim", err);
    return fn(conn->priv, uuid, mountpoint, minimum, flags, err);
}

static int check_dump_args(const char *to, unsigned int format, unsigned int flags, struct vb_error *err)
{
    if (!to)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "to in virDomainCoreDumpWithFormat must not be NULL");
    if (format >= VB_CORE_DUMP_FORMAT_LAST)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "dumpformat '%u' is not supported", format);
    if (vb_check_exclusive_flags(flags, VB_DUMP_CRASH, "VIR_DUMP_CRASH", VB_DUMP_LIVE, "VIR_DUMP_LIVE", err) < 0 ||
        vb_check_exclusive_flags(flags, VB_DUMP_CRASH, "VIR_DUMP_CRASH", VB_DUMP_RESET, "VIR_DUMP_RESET", err) < 0 ||
        vb_check_exclusive_flags(flags, VB_DUMP_LIVE, "VIR_DUMP_LIVE", VB_DUMP_RESET, "VIR_DUMP_RESET", err) < 0)
        return -1;
    return 0;
}

/* libvirt's virFileAbsPath. */
static char *absolute_path(const char *path, struct vb_error *err)
{
    _cleanup_free_ char *cwd = NULL;
    char *out = NULL;

    if (path[0] == '/')
        out = strdup(path);
    else if ((cwd = getcwd(NULL, 0)) && asprintf(&out, "%s%s%s", cwd, *path ? "/" : "", path) < 0)
        out = NULL;
    if (!out)
        vb_error_set(err, VB_ERR_INVALID_ARG, "could not build absolute core file path");
    return out;
}

int vb_guest_core_dump(struct vb_connect *conn, vb_uuid_t uuid, const char *to, unsigned int format,
                       unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, core_dump) fn = GUEST_FN(conn, core_dump);
    _cleanup_free_ char *path = NULL;

    if (check_dump_args(to, format, flags, err) < 0)
        return -1;
    path = absolute_path(to, err);
    if (!path)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainCoreDumpWithFormat", err);
    return fn(conn->priv, uuid, path, format, flags, err);
}

int vb_guest_get_iothread_info(struct vb_connect *conn, vb_uuid_t uuid, unsigned int ncpus,
                               struct vb_iothread_info **infos, unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, get_iothread_info) fn = GUEST_FN(conn, get_iothread_info);

    *infos = NULL;
    if (vb_check_exclusive_flags(flags, VB_AFFECT_LIVE, "VIR_DOMAIN_AFFECT_LIVE", VB_AFFECT_CONFIG, "VIR_DOMAIN_AFFECT_CONFIG",
                        err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virDomainGetIOThreadInfo", err);
    return fn(conn->priv, uuid, ncpus, infos, flags, err);
}

int vb_guest_add_iothread(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, unsigned int flags,
                          struct vb_error *err)
{
    GUEST_FN_TYPE(conn, add_iothread) fn = GUEST_FN(conn, add_iothread);

    if (!fn)
        return vb_check_report_unsupported("virDomainAddIOThread", err);
    return fn(conn->priv, uuid, id, flags, err);
}

int vb_guest_del_iothread(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, unsigned int flags,
                          struct vb_error *err)
{
    GUEST_FN_TYPE(conn, del_iothread) fn = GUEST_FN(conn, del_iothread);

    if (id == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "iothread_id in virDomainDelIOThread must not be zero");
    if (!fn)
        return vb_check_report_unsupported("virDomainDelIOThread", err);
    return fn(conn->priv, uuid, id, flags, err);
}

int vb_guest_pin_iothread(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, const bool *cpumap,
                          unsigned int ncpus, unsigned int flags, struct vb_error *err)
{
    GUEST_FN_TYPE(conn, pin_iothread) fn = GUEST_FN(conn, pin_iothread);

    if (!cpumap)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "cpumap in virDomainPinIOThread must not be NULL");
    if (ncpus == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "maplen in virDomainPinIOThread must be greater than zero");
    if (!fn)
        return vb_check_report_unsupported("virDomainPinIOThread", err);
    return fn(conn->priv, uuid, id, cpumap, ncpus, flags, err);
}
