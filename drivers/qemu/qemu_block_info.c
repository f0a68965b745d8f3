/* GetBlockInfo in the QEMU driver for file-backed disks: capacity (the guest-visible size: the file
 * size of a raw image, the header's size of a qcow2 one), allocation (blocks on the host) and
 * physical (the file size), as libvirt's qemuDomainGetBlockInfo reports them for a local file (a
 * pool volume's, of a running domain, included). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "drivers/qemu/qemu_image.h"
#include "drivers/qemu/qemu_storage.h"
#include "util/macros.h"

int qemu_disk_file(struct qemu_conn *conn, const struct vb_domain_obj *obj, const struct vb_device_def *dev,
                   struct qemu_disk_file *file, struct vb_error *err)
{
    *file = (struct qemu_disk_file){ .type = dev->type, .path = dev->source };
    /* an inactive domain's volume has no file yet (libvirt translates it at start) */
    if (!vb_domain_obj_is_active(obj) || !dev->type || !streq(dev->type, "volume"))
        return 0;
    file->type = "file";
    return qemu_storage_disk_file(conn, dev, &file->path, err);
}

int qemu_get_block_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                        unsigned int flags, struct vb_block_info *info)
{
    struct vb_error *err = &call->err;
    const struct vb_device_def *dev;
    _cleanup_free_ char *format = NULL;
    struct qemu_image_sizes sizes;
    struct qemu_disk_file file;
    int r;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!(dev = vb_registry_find_disk(obj->def, disk)))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid path %s not assigned to domain", disk);
    if (!dev->source)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' does not currently have a source assigned", disk);
    if (qemu_disk_file(priv, obj, dev, &file, err) < 0)
        return -1;
    if (file.type && !streq(file.type, "file"))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "block info of a disk of type '%s' is not supported",
                            file.type);
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    if ((r = qemu_image_read_sizes(file.path, format, &sizes, err)) < 0)
        return -1;
    if (r > 0)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "block info of a '%s' image is not supported", format);
    *info = (struct vb_block_info){ .capacity = sizes.capacity, .allocation = sizes.allocation,
                                    .physical = sizes.physical };
    return 0;
}
