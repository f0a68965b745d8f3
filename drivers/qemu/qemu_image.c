/* Sizes of local raw and qcow2 images, read from the file itself. */
#include "drivers/qemu/qemu_image.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/macros.h"

/* qcow2's header: magic "QFI\xfb", then at byte 24 the virtual size, big-endian. */
static int qcow2_virtual_size(int fd, const char *path, uint64_t *size, struct vb_error *err)
{
    unsigned char header[32];
    uint64_t be;

    if (pread(fd, header, sizeof(header), 0) != (ssize_t) sizeof(header) || memcmp(header, "QFI\xfb", 4) != 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "internal error: '%s' is not a qcow2 image", path);
    memcpy(&be, header + 24, sizeof(be));
    *size = be64toh(be);
    return 0;
}

int qemu_image_read_sizes(const char *path, const char *format, struct qemu_image_sizes *sizes, struct vb_error *err)
{
    _cleanup_close_ int fd = -1;
    struct stat st;

    if (!streq(format, "raw") && !streq(format, "qcow2"))
        return 1;
    /* O_NONBLOCK: a FIFO put in the image's place must not hold the loop */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 || fstat(fd, &st) < 0)
        return vb_error_set_errno(err, errno, "cannot stat file '%s'", path);
    if (!S_ISREG(st.st_mode))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "internal error: '%s' is not a regular file", path);
    sizes->physical = (uint64_t) st.st_size;
    sizes->allocation = (uint64_t) st.st_blocks * 512;
    sizes->capacity = sizes->physical;
    if (streq(format, "qcow2"))
        return qcow2_virtual_size(fd, path, &sizes->capacity, err);
    return 0;
}
