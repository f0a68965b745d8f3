/* The sizes of a local raw or qcow2 image read in the daemon (no qemu-img child): what
 * GetBlockInfo and a volume's refresh report, as libvirt reads a local file. */
#pragma once

#include <stdint.h>

#include "util/error.h"

struct qemu_image_sizes {
    uint64_t capacity;   /* guest-visible: the file size (raw), the header's size (qcow2) */
    uint64_t allocation; /* blocks on the host */
    uint64_t physical;   /* the file size */
};

/* Reads path's sizes for format "raw" or "qcow2". 1 when the format is another (the caller asks
 * qemu-img), 0 on success, -1 with err (the file cannot be read, or is no qcow2 image). */
int qemu_image_read_sizes(const char *path, const char *format, struct qemu_image_sizes *sizes, struct vb_error *err);
