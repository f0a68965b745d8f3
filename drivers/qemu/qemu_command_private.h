/* Private to drivers/qemu/qemu_command*.c: the growing argument vector and what it is built from. */
#pragma once

#include "conf/domain_view.h"
#include "conf/xml_util.h"
#include "drivers/qemu/qemu_command.h"

struct qemu_cmd {
    char **argv;
    size_t n, size;
    bool oom;
    const struct vb_domain_def *def;
    const struct qemu_command_options *options;
    bool q35;                /* machine type q35 (built-in AHCI, no IDE) */
    unsigned int next_node;  /* libvirt-N-storage / libvirt-N-format block node names */
    bool ahci_added;         /* pc: the AHCI controller sata disks need */
    const char *scsi_device; /* the SCSI controller's qemu device, once added */
};

void qemu_cmd_add(struct qemu_cmd *cmd, const char *arg);
void qemu_cmd_addf(struct qemu_cmd *cmd, const char *fmt, ...) _printf_(2, 3);
/* Adds option then the built value (taken from buf). */
void qemu_cmd_add_buf(struct qemu_cmd *cmd, const char *option, struct vb_buf *buf);

/* A value inside qemu's key=value lists: commas doubled, as libvirt's virQEMUBuildBufferEscapeComma. */
void qemu_buf_add_escaped(struct vb_buf *buf, const char *value);

/* VB_ERR_CONFIG_UNSUPPORTED: "unsupported configuration: <what> is not supported by the QEMU
 * driver", fmt a literal giving <what>. Returns -1. */
#define qemu_unsupported(err, fmt, ...) \
    vb_error_set((err), VB_ERR_CONFIG_UNSUPPORTED, fmt " is not supported by the QEMU driver", ##__VA_ARGS__)

/* Refuses attributes of el not named in allowed (NULL-terminated), naming the first one found
 * and `where` ("disk 'vda'"). Returns 0 or -1. */
int qemu_check_attrs(const struct vb_xml_element *el, const char *const *allowed, const char *where,
                     struct vb_error *err);
/* The same for child elements. */
int qemu_check_children(const struct vb_xml_element *el, const char *const *allowed, const char *where,
                        struct vb_error *err);

/* <clock> and <pm>, in drivers/qemu/qemu_command_clock.c. */
int qemu_build_clock(struct qemu_cmd *cmd, const struct vb_xml_element *clock, struct vb_error *err);
int qemu_build_power_management(struct qemu_cmd *cmd, const struct vb_xml_element *pm, struct vb_error *err);

/* Device addresses, in drivers/qemu/qemu_command_address.c. */
struct qemu_drive_address {
    bool present;
    unsigned int bus, target, unit;
};
/* Appends ",bus=pci.0,addr=0xS[.0xF][,multifunction=on]" (pcie.0 on q35) for el's <address
 * type='pci'>, nothing when el has none. Refuses other address types and buses but 0000:00. */
int qemu_add_pci_address(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where,
                         struct vb_buf *buf, struct vb_error *err);
/* For a device built into the machine: el's PCI address, if any, must be where it is. */
int qemu_check_builtin_address(const struct vb_xml_element *el, unsigned int slot, unsigned int function,
                               const char *where, struct vb_error *err);
/* Adds "-device <text>" followed by el's PCI address (el NULL: none). */
int qemu_add_addressed_device(struct qemu_cmd *cmd, const char *text, const struct vb_xml_element *el,
                              const char *where, struct vb_error *err);
/* el's <address type='drive'> (controller 0 only); out->present false when el has none. */
int qemu_read_drive_address(const struct vb_xml_element *el, const char *where, struct qemu_drive_address *out,
                            struct vb_error *err);

/* Devices, in drivers/qemu/qemu_command_devices.c. */
int qemu_build_devices(struct qemu_cmd *cmd, struct vb_error *err);
/* Devices that are neither storage, network nor serial (balloon, rng, input, video), in
 * drivers/qemu/qemu_command_other.c. */
int qemu_add_other_device(struct qemu_cmd *cmd, const struct vb_device_def *dev, const struct vb_xml_element *el,
                          const char *where, struct vb_error *err);
/* Whether a device asks for a boot position (<boot order=...>), which <os><boot dev=...> excludes. */
bool qemu_devices_have_boot_order(const struct vb_domain_def *def);
