/* BlockResize and BlockPeek in the QEMU driver, as libvirt 9.0's qemuDomainBlockResize (QMP
 * block_resize on the disk's format node, the call ending with qemu's reply) and
 * qemuDomainBlockPeek (the bytes read from a raw image by the daemon itself, no qemu asked). */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_view.h"
#include "drivers/domain_registry.h"
#include "drivers/qemu/qemu_hotplug_private.h"
#include "util/macros.h"

static struct json_object *resize_args(unsigned int node, uint64_t size)
{
    struct json_object *args = json_object_new_object();
    char name[48];

    if (!args)
        return NULL;
    snprintf(name, sizeof(name), "libvirt-%u-format", node);
    json_object_object_add(args, "node-name", json_object_new_string(name));
    json_object_object_add(args, "size", json_object_new_int64((int64_t) size));
    return args;
}

int qemu_block_resize(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk, uint64_t size,
                      unsigned int flags)
{
    struct vb_error *err = &call->err;
    const struct vb_device_def *dev;
    _cleanup_free_ char *format = NULL;
    struct json_object *args;
    struct qemu_dom *dom;
    unsigned int node;

    (void) priv;
    VB_CHECK_FLAGS(flags, VB_DOMAIN_BLOCK_RESIZE_BYTES, err);
    if (!(flags & VB_DOMAIN_BLOCK_RESIZE_BYTES)) {
        if (size > UINT64_MAX / 1024)
            return vb_error_set(err, VB_ERR_OVERFLOW, "size must be less than %llu",
                                (unsigned long long) (UINT64_MAX / 1024));
        size *= 1024;
    }
    if (!(dom = qemu_dom_running(obj, err)))
        return -1;
    if (!(dev = vb_registry_find_disk(obj->def, disk)))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' was not found in the domain config", disk);
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    /* qcow2 and qed are sized in 512-byte sectors: rounded up, as libvirt */
    if (streq(format, "qcow2") || streq(format, "qed")) {
        if (size > UINT64_MAX - 511)
            return vb_error_set(err, VB_ERR_OVERFLOW, "size must be less than %llu",
                                (unsigned long long) (UINT64_MAX - 511));
        size = (size + 511) / 512 * 512;
    }
    if (!dev->source || vb_device_def_disk_readonly(dev))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, "can't resize empty or readonly disk '%s'",
                            dev->target_dev ? dev->target_dev : disk);
    if (size > INT64_MAX)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "size must be less than %lld", (long long) INT64_MAX);
    if (!(node = qemu_hotplug_disk_node(dom, dev)))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot find the block node of disk '%s'", disk);
    if (!(args = resize_args(node, size)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    /* qemu's refusals (shrinking a qcow2 image, a size it cannot take) come back as its words */
    return qemu_dom_send_call(call, dom, "block_resize", args);
}

/* Reads size bytes at offset of path; *got is how many there were (fewer at the end of the file). */
static int read_at(const char *path, uint64_t offset, uint8_t *buffer, size_t size, size_t *got, struct vb_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

    *got = 0;
    if (fd < 0)
        return vb_error_set_errno(err, errno, "Failed to open file '%s'", path);
    if (offset > INT64_MAX)
        return vb_error_set_errno(err, EINVAL, "cannot seek into '%s'", path);
    while (*got < size) {
        ssize_t n = pread(fd, buffer + *got, size - *got, (off_t) (offset + *got));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vb_error_set_errno(err, errno, "cannot read header '%s'", path);
        if (n == 0)
            break;
        *got += (size_t) n;
    }
    return 0;
}

int qemu_block_peek(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk, uint64_t offset,
                    size_t size, unsigned int flags, uint8_t **buffer)
{
    struct vb_error *err = &call->err;
    const struct vb_device_def *dev;
    _cleanup_free_ char *format = NULL;
    _cleanup_free_ uint8_t *data = NULL;
    struct qemu_disk_file file;
    size_t got;

    VB_CHECK_FLAGS(flags, 0, err);
    if (!(dev = vb_registry_find_disk(obj->def, disk)))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' not found in domain", disk);
    if (!(format = qemu_disk_format(dev, err)))
        return -1;
    if (!streq(format, "raw"))
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED,
                            "peeking is only supported for disk with 'raw' format not '%s'", format);
    if (qemu_disk_file(priv, obj, dev, &file, err) < 0)
        return -1;
    if (file.type && !streq(file.type, "file") && !streq(file.type, "block"))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR,
                            "storage file reading is not supported for storage type %s (protocol: none)", file.type);
    if (!file.path)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "disk '%s' does not currently have a source assigned", disk);
    /* libvirt caps size (VB_DOMAIN_BLOCK_PEEK_MAX, checked by the core): one read of a local
     * image that small does not hold the loop up noticeably */
    if (!(data = malloc(size ? size : 1)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (read_at(file.path, offset, data, size, &got, err) < 0)
        return -1;
    if (got < size)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "'%s' starting from %llu has only %zu bytes available", disk,
                            (unsigned long long) offset, got);
    *buffer = TAKE_PTR(data);
    return 0;
}
