/* The QEMU connection's directory storage pools, as the rest of the driver sees them: opened
 * and closed with the connection, and the disks of a domain that name a pool volume. */
#pragma once

#include "conf/domain_def.h"
#include "util/error.h"

struct qemu_conn;

/* Loads the pool definitions (CONFIG/storage), restarts the pools that ran (the run storage directory) and
 * autostart pools, and defines the default pool the first time. Only a failure to create the
 * storage directories fails the open; a bad pool file is logged and skipped. */
struct vb_driver_env;
/* env (may be NULL): the configured storage roots (qemu_storage_private.h). */
int qemu_storage_open(struct qemu_conn *conn, const struct vb_driver_env *env, struct vb_error *err);
void qemu_storage_close(struct qemu_conn *conn);

/* Turns every <disk type='volume'><source pool='P' volume='V'/> of def into the file it names
 * (type='file', <source file>; the format stays <driver type>'s, raw when absent, as libvirt:
 * a probed format is the guest's to choose).
 * Errors name the missing or inactive pool or volume, as libvirt. */
int qemu_storage_resolve_disks(struct qemu_conn *conn, struct vb_domain_def *def, struct vb_error *err);
/* The file a disk stands for, in *file (borrowed: valid until the pool changes, so use it at
 * once): a pool volume's path, asked of the pool each time (the live definition keeps
 * type='volume', as libvirt's; libvirt translates again at reconnect too), or <source file>
 * (dev->source, NULL for an empty drive) for any other disk. -1: the pool or volume is missing
 * or inactive (errors as above). */
int qemu_storage_disk_file(struct qemu_conn *conn, const struct vb_device_def *dev, const char **file,
                           struct vb_error *err);
