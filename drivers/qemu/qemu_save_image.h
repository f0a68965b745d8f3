/* The QEMU driver's save image: a fixed header, the domain XML, then qemu's migration stream
 * (the layout of libvirt's qemu_saveimage.c, with our own magic). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Layout, integers little-endian:
 *   0  magic "VirtbusQemuSave\n" (16 bytes)
 *  16  u32 version (1)
 *  20  u32 xml_len: bytes reserved for the XML, NUL-terminated and NUL-padded (spare room so
 *      the XML can be rewritten in place, as libvirt's SaveImageDefineXML does)
 *  24  u32 was_running: 1 when the guest ran at save time (restore resumes it), 0 paused
 *  28  36 reserved bytes, zero
 *  64  the XML (xml_len bytes), then the stream of qemu's `migrate` to the end of the file */
#define QEMU_SAVE_MAGIC "VirtbusQemuSave\n"
#define QEMU_SAVE_HEADER_SIZE 64u
#define QEMU_SAVE_VERSION 1u
#define QEMU_SAVE_XML_SPARE 1024u

struct qemu_save_header {
    uint32_t xml_len;
    bool was_running;
};

/* Pure: the header in buf (len bytes read). libvirt's words: "failed to read qemu header"
 * (short), "image magic is incorrect", "image version is not supported (N > 1)", "invalid XML
 * length: N" (0 or above the XML limit). */
int qemu_save_header_parse(const unsigned char *buf, size_t len, struct qemu_save_header *header,
                           struct vb_error *err);
void qemu_save_header_format(const struct qemu_save_header *header, unsigned char buf[QEMU_SAVE_HEADER_SIZE]);

/* Creates (or truncates) path, mode 0600, with the header and xml. Returns a descriptor open
 * for writing whose offset is where qemu's stream must begin (qemu writes on from there), or
 * -1 with err. A FIFO without a reader is refused rather than waited for. */
int qemu_save_image_create(const char *path, const char *xml, bool was_running, struct vb_error *err);
/* Opens path (a regular file) for reading, checks its header and reads the XML (malloc'd into
 * *xml) and was_running. Returns the descriptor, positioned where qemu's stream begins, or -1
 * with err ("Failed to open domain image file 'P'", the header errors, "failed to read domain
 * XML", "save image 'P' holds no migration data"). */
int qemu_save_image_open(const char *path, char **xml, bool *was_running, struct vb_error *err);
/* qemu_save_image_open without the descriptor: the XML, or NULL with err. */
char *qemu_save_image_read(const char *path, bool *was_running, struct vb_error *err);
/* Rewrites the XML and was_running of an image in place (SaveImageDefineXML): the stream
 * stays where it is, so xml must fit the room reserved ("new xml too large to fit in file"). */
int qemu_save_image_update(const char *path, const char *xml, bool was_running, struct vb_error *err);
