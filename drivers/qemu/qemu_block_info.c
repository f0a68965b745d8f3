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
#include "util/macros.h"

const struct vb_device_def *qemu_disk_file_def(const struct vb_domain_obj *obj, const struct vb_device_def *dev)
{
    const struct qemu_dom *dom = obj->driver_data;
    const struct vb_domain_def *started = dom && dom->proc ? qemu_process_def(dom->proc) : NULL;

    if (!started || !dev->type || !streq(dev->type, "volume") || !dev->target_dev)
        return dev;
    for (size_t i = 0; i < started->n_devices; i++) {
        const struct vb_device_def *d = started->devices[i];

        if (d->kind == VB_DEVICE_DISK && d->target_dev && streq(d->target_dev, dev->target_dev))
            return d;
    }
    return dev;
}

int qemu_get_block_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                        unsigned int flags, struct vb_block_info *info)
{
    struct vb_error *err = &call->err;
    const struct vb_device_def *dev;
    _cleanup_free_ char *format = NULL;
    struct qemu_image_sizes sizes;
    int r;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!(dev = vb_registry_find_disk(obj->def, disk)))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid path %s not assigned to domain", disk);
    dev = qemu_disk_file_def(obj, dev);
    if (!dev->source)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' does not currently have a source assigned", disk);
    if (dev->type && !streq(dev->type, "file"))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "block info of a disk of type '%s' is not supported",
                            dev->type);
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    if ((r = qemu_image_read_sizes(dev->source, format, &sizes, err)) < 0)
        return -1;
    if (r > 0)
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "block info of a '%s' image is not supported", format);
    *info = (struct vb_block_info){ .capacity = sizes.capacity, .allocation = sizes.allocation,
                                    .physical = sizes.physical };
    return 0;
}
