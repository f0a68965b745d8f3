/* The public guest API for file systems, core dumps and I/O threads: argument checks as
 * libvirt's libvirt-domain.c, then dispatch to the driver's guest table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/checks.h"
#include "api/dispatch.h"
#include "api/guest.h"
#include "conf/domain_obj.h"

#define GUEST(conn) ((conn)->driver->guest)
#define HAS_GUEST_SLOT(conn, slot) (GUEST(conn) && GUEST(conn)->slot)

void vb_iothread_infos_free(struct vb_iothread_info *infos, size_t n)
{
    for (size_t i = 0; infos && i < n; i++)
        free(infos[i].cpumap);
    free(infos);
}

struct fs_freeze_args { const char *const *mountpoints; size_t n; unsigned int flags; unsigned int *changed; };
VB_INVOKE(fs_freeze, GUEST(conn)->fs_freeze(conn->priv, call, obj, a->mountpoints, a->n, a->flags, a->changed))

int vb_guest_fs_freeze(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *const *mountpoints,
                       size_t n, unsigned int flags, unsigned int *changed)
{
    *changed = 0;
    if (n && !mountpoints)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "mountpoints in virDomainFSFreeze must not be NULL");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_FSFREEZE, uuid, fs_freeze, HAS_GUEST_SLOT(conn, fs_freeze), mountpoints, n,
                flags, changed);
}

struct fs_thaw_args { const char *const *mountpoints; size_t n; unsigned int flags; unsigned int *changed; };
VB_INVOKE(fs_thaw, GUEST(conn)->fs_thaw(conn->priv, call, obj, a->mountpoints, a->n, a->flags, a->changed))

int vb_guest_fs_thaw(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *const *mountpoints,
                     size_t n, unsigned int flags, unsigned int *changed)
{
    *changed = 0;
    if (n && !mountpoints)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "mountpoints in virDomainFSThaw must not be NULL");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_FSTHAW, uuid, fs_thaw, HAS_GUEST_SLOT(conn, fs_thaw), mountpoints, n, flags,
                changed);
}

struct fs_trim_args { const char *mountpoint; unsigned long long minimum; unsigned int flags; };
VB_INVOKE(fs_trim, GUEST(conn)->fs_trim(conn->priv, call, obj, a->mountpoint, a->minimum, a->flags))

int vb_guest_fs_trim(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *mountpoint,
                     unsigned long long minimum, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_FSTRIM, uuid, fs_trim, HAS_GUEST_SLOT(conn, fs_trim), mountpoint, minimum,
                flags);
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

struct core_dump_args { const char *to; unsigned int format, flags; };
VB_INVOKE(core_dump, GUEST(conn)->core_dump(conn->priv, call, obj, a->to, a->format, a->flags))

int vb_guest_core_dump(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *to,
                       unsigned int format, unsigned int flags)
{
    char *path;

    if (check_dump_args(to, format, flags, &call->err) < 0)
        return -1;
    path = absolute_path(to, &call->err);
    if (!path)
        return -1;
    /* The call owns the path until it ends: it may wait for the domain's job. */
    call->state.owned = path;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_CORE_DUMP_WITH_FORMAT, uuid, core_dump, HAS_GUEST_SLOT(conn, core_dump),
                path, format, flags);
}

struct get_iothread_info_args { unsigned int flags; struct vb_iothread_info **infos; size_t *n; };
VB_INVOKE(get_iothread_info, GUEST(conn)->get_iothread_info(conn->priv, call, obj, a->flags, a->infos, a->n))

int vb_guest_get_iothread_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                               struct vb_iothread_info **infos, size_t *n)
{
    *infos = NULL;
    *n = 0;
    if (vb_check_exclusive_flags(flags, VB_AFFECT_LIVE, "VIR_DOMAIN_AFFECT_LIVE", VB_AFFECT_CONFIG,
                                 "VIR_DOMAIN_AFFECT_CONFIG", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_IOTHREAD_INFO, uuid, get_iothread_info,
                HAS_GUEST_SLOT(conn, get_iothread_info), flags, infos, n);
}

struct add_iothread_args { unsigned int id, flags; };
VB_INVOKE(add_iothread, GUEST(conn)->add_iothread(conn->priv, call, obj, a->id, a->flags))

int vb_guest_add_iothread(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                          unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_ADD_IOTHREAD, uuid, add_iothread, HAS_GUEST_SLOT(conn, add_iothread), id,
                flags);
}

struct del_iothread_args { unsigned int id, flags; };
VB_INVOKE(del_iothread, GUEST(conn)->del_iothread(conn->priv, call, obj, a->id, a->flags))

int vb_guest_del_iothread(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                          unsigned int flags)
{
    if (id == 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "iothread_id in virDomainDelIOThread must not be zero");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_DEL_IOTHREAD, uuid, del_iothread, HAS_GUEST_SLOT(conn, del_iothread), id,
                flags);
}

struct pin_iothread_args { unsigned int id; const bool *cpumap; unsigned int ncpus, flags; };
VB_INVOKE(pin_iothread, GUEST(conn)->pin_iothread(conn->priv, call, obj, a->id, a->cpumap, a->ncpus, a->flags))

int vb_guest_pin_iothread(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                          const bool *cpumap, unsigned int ncpus, unsigned int flags)
{
    if (!cpumap)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "cpumap in virDomainPinIOThread must not be NULL");
    if (ncpus == 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG,
                            "maplen in virDomainPinIOThread must be greater than zero");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_PIN_IOTHREAD, uuid, pin_iothread, HAS_GUEST_SLOT(conn, pin_iothread), id,
                cpumap, ncpus, flags);
}
