/* GetBlockInfo in the QEMU driver for file-backed disks: capacity (the guest-visible size: the file
 * size of a raw image, the header's size of a qcow2 one), allocation (blocks on the host) and
 * physical (the file size), as libvirt's qemuDomainGetBlockInfo reports them for a local file. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/macros.h"

/* qcow2's header: magic "QFI\xfb", then at byte 24 the virtual size, big-endian. */
static int qcow2_virtual_size(int fd, const char *path, unsigned long long *size, struct vb_error *err)
{
    unsigned char header[32];
    uint64_t be;

    if (pread(fd, header, sizeof(header), 0) != (ssize_t) sizeof(header) || memcmp(header, "QFI\xfb", 4) != 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "internal error: '%s' is not a qcow2 image", path);
    memcpy(&be, header + 24, sizeof(be));
    *size = be64toh(be);
    return 0;
}

int qemu_get_block_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                        unsigned int flags, struct vb_block_info *info)
{
    struct vb_error *err = &call->err;
    const struct vb_device_def *dev;
    _cleanup_free_ char *format = NULL;
    _cleanup_close_ int fd = -1;
    struct stat st;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!(dev = vb_registry_find_disk(obj->def, disk)))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid path %s not assigned to domain", disk);
    if (!dev->source)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' does not currently have a source assigned", disk);
    if (dev->type && !streq(dev->type, "file"))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "block info of a disk of type '%s' is not supported",
                            dev->type);
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    if ((fd = open(dev->source, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
        return vb_error_set_errno(err, errno, "cannot stat file '%s'", dev->source);
    info->physical = (unsigned long long) st.st_size;
    info->allocation = (unsigned long long) st.st_blocks * 512;
    info->capacity = info->physical;
    if (streq(format, "qcow2"))
        return qcow2_virtual_size(fd, dev->source, &info->capacity, err);
    return 0;
}
