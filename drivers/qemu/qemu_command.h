/* qemu-system-x86_64's command line for a domain definition, as libvirt's qemu driver builds it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/domain_def.h"

struct json_object;
struct vb_xml_element;

/* The program run when the XML names no <emulator>. */
#define QEMU_DEFAULT_EMULATOR "qemu-system-x86_64"

struct qemu_command_options {
    const char *monitor_path; /* the unix socket qemu listens on for QMP (required) */
    bool kvm_usable;          /* /dev/kvm can be used (qemu_kvm_usable()) */
    bool incoming_defer;      /* -incoming defer: the state comes later by migrate-incoming (restore) */
    const char *loadvm;       /* -loadvm NAME: start from this internal snapshot's state (revert) */
};

/* Builds the argument vector (argv[0] the emulator), NULL-terminated, for starting the domain
 * paused (-S) with a QMP socket and no display. Anything in the definition this builder does
 * not turn into the right arguments is refused with VB_ERR_CONFIG_UNSUPPORTED naming it, never
 * left out. Returns NULL with err set on failure. Free with qemu_argv_free. */
char **qemu_command_build(const struct vb_domain_def *def, const struct qemu_command_options *options,
                          struct vb_error *err);

/* Whether /dev/kvm exists and this process may open it read-write. */
bool qemu_kvm_usable(void);

/* The arguments joined with spaces, each quoted for a POSIX shell when it needs it (for logs and
 * tests). NULL when out of memory. */
char *qemu_argv_to_string(char *const *argv);

void qemu_argv_free(char **argv);

static inline void qemu_argv_freep(char ***argv)
{
    qemu_argv_free(*argv);
}

/* A disk's <driver cache='...'> (qemu_disk_driver.c): unset for "default" or none given; else the
 * device's write-cache and both block nodes' cache.direct and cache.no-flush, as libvirt. */
struct qemu_disk_cache {
    bool set, writeback, direct, no_flush;
};

/* Reads <driver cache discard> (driver may be NULL); an unknown mode is refused with libvirt's
 * words, prefixed with where ("disk 'vda'"). discard is "unmap", "ignore" or NULL. */
int qemu_disk_driver_options(const struct vb_xml_element *driver, const char *where, struct qemu_disk_cache *cache,
                             const char **discard, struct vb_error *err);

/* Adds "cache": {"direct", "no-flush"} to a -blockdev / blockdev-add node when the mode set them. */
void qemu_disk_cache_add(struct json_object *node, const struct qemu_disk_cache *cache);

/* The bus a disk's target name implies when <target bus> is absent (vd* virtio, hd* ide, sd*
 * scsi), NULL for other names. */
const char *qemu_disk_default_bus(const char *target_dev);

/* Where the command line puts a disk on an IDE, SATA or SCSI bus, from its <address type='drive'>
 * or else its target name, and the qemu device id it gives it there (ide0-1-0, sata0-0-2,
 * scsi0-0-0-1: libvirt's aliases); a disk hotplugged at that address has the same id. -1 with err
 * for other buses. */
struct qemu_disk_drive {
    char id[64];
    unsigned int bus, target, unit;
};
int qemu_disk_drive(const struct vb_device_def *dev, struct qemu_disk_drive *out, struct vb_error *err);
