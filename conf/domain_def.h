/* The domain definition: libvirt domain XML parsed into a model, and formatted back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/uuid.h"

/* Largest domain XML document accepted, in bytes. */
#define VB_DOMAIN_XML_MAX_BYTES (10 * 1024 * 1024)

/* Largest vcpu count (maximum and current) a definition may hold. Reads cost per vcpu
 * (GetVcpuPinInfo, GetStats, GetAllDomainStats), so an unbounded count let one definition grow
 * the daemon by gigabytes. 4096 is four times what KVM accepts on x86 (KVM_MAX_VCPUS, 1024)
 * and keeps every per-vcpu answer to a few hundred kilobytes. */
#define VB_DOMAIN_VCPUS_MAX 4096

/* Largest number of I/O threads (<iothreads>, <iothreadids>, AddIOThread). An I/O thread
 * serves one or more disks, so a real domain has at most a few dozen; 4096 matches the vcpu
 * bound and keeps GetIOThreadInfo (one CPU map per thread) to a few megabytes. */
#define VB_DOMAIN_IOTHREADS_MAX 4096

/* Flags for vb_domain_def_format, numbered as libvirt's virDomainXMLFlags. */
enum {
    VB_DOMAIN_XML_SECURE = 1 << 0,   /* include passwords and other secrets */
    VB_DOMAIN_XML_INACTIVE = 1 << 1, /* format as the inactive definition: no id, no live-only data */
    VB_DOMAIN_XML_UPDATE_CPU = 1 << 2,
    VB_DOMAIN_XML_MIGRATABLE = 1 << 3,
};

/* libvirt's virDomainLifecycleAction, in its XML spelling order. */
enum vb_lifecycle_action {
    VB_LIFECYCLE_DEFAULT = 0, /* element absent */
    VB_LIFECYCLE_DESTROY,
    VB_LIFECYCLE_RESTART,
    VB_LIFECYCLE_RENAME_RESTART,
    VB_LIFECYCLE_PRESERVE,
    VB_LIFECYCLE_COREDUMP_DESTROY,
    VB_LIFECYCLE_COREDUMP_RESTART,
};

enum vb_device_kind {
    VB_DEVICE_DISK,
    VB_DEVICE_INTERFACE,
    VB_DEVICE_SERIAL,
    VB_DEVICE_CONSOLE,
    VB_DEVICE_GRAPHICS,
    VB_DEVICE_CONTROLLER,
    VB_DEVICE_OTHER, /* any other element under <devices>: kept verbatim, identified by its XML */
};

/* One device under <devices>. The parsed fields are what the core and drivers need to find
 * and act on a device; `xml_text` keeps the element as read so nothing is lost. */
struct vb_device_def {
    enum vb_device_kind kind;
    char *element;     /* element name: "disk", "interface", "emulator", ... */
    char *type;        /* type= attribute, if any */
    /* disk */
    char *disk_device; /* device= ("disk", "cdrom", "floppy", "lun") */
    char *source;      /* disk source file/dev/name, interface source network/bridge/dev */
    char *target_dev;  /* disk target dev=, interface target dev= */
    char *target_bus;  /* disk target bus= */
    /* interface */
    char *mac;         /* normalized lowercase aa:bb:cc:dd:ee:ff */
    char *model;       /* interface model type=, controller model= */
    /* controller */
    int index;         /* controller index=, -1 when absent */
    /* serial / console */
    int port;          /* target port=, -1 when absent */
    /* graphics */
    char *passwd;      /* graphics passwd=: a secret, only formatted with VB_DOMAIN_XML_SECURE */
    /* The whole element as conf/ prints it, declaring every namespace it uses: private to
     * conf/; read and change it with vb_device_def_get_attribute and
     * vb_device_def_set_child_attribute. Kept as text because a tree per device costs
     * kilobytes, and is parsed back only for the rare edit. */
    char *xml_text;
};

/* One vCPU of <vcpus> (libvirt's virDomainVcpuDef). hotpluggable is resolved at parse as libvirt's
 * virDomainVcpuDefPostParse resolves it: absent, 'no' for an enabled vCPU and 'yes' otherwise. */
struct vb_vcpu_def {
    bool enabled;
    bool hotpluggable;
    unsigned int order; /* 0: none */
};

struct vb_domain_def {
    char *virt_type;   /* <domain type=...>: "test", "qemu", "kvm" */
    int id;            /* <domain id=...> for a running domain, -1 otherwise (not formatted if -1) */
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    char *title;
    char *description;

    uint64_t max_memory_kib;     /* <memory>, in KiB */
    uint64_t current_memory_kib; /* <currentMemory>, in KiB; equals max when absent */
    unsigned int vcpus_max;      /* <vcpu>N</vcpu> */
    unsigned int vcpus_current;  /* <vcpu current=...>; equals max when absent */
    /* <vcpus> (libvirt's individualvcpus): vcpus_max entries, vcpus_current of them enabled. NULL
     * when the definition has none: vCPUs below vcpus_current enabled and not hotpluggable, the
     * rest hotpluggable. Change it only through the vb_domain_def_*vcpu* functions. */
    struct vb_vcpu_def *vcpus;

    char *os_type;     /* "hvm", "linux", "exe", ... */
    char *os_arch;
    char *os_machine;
    char *os_kernel;
    char *os_initrd;
    char *os_cmdline;
    char **boot_devices; /* <boot dev=...> in order, NULL-terminated (may be NULL) */

    enum vb_lifecycle_action on_poweroff, on_reboot, on_crash;

    struct vb_device_def **devices;
    size_t n_devices;

    /* <metadata>, and what this model does not interpret (features, clock, cpu, os children
     * beyond those above, unknown top-level elements, attributes of the elements above): kept
     * and formatted back in their original order relative to each other. Implementation detail
     * of conf/; other modules do not touch it. */
    void *unmodelled;
};

/* Parses one <domain> document. Rejects a document that is not well formed, has a DOCTYPE
 * or entity declarations, is larger than VB_DOMAIN_XML_MAX_BYTES, lacks <name>, has a bad
 * <uuid>, bad memory units or values, etc., with libvirt's wording. A missing uuid is generated.
 * Returns NULL with err set on failure. */
struct vb_domain_def *vb_domain_def_parse_string(const char *xml, struct vb_error *err);

/* The bounds the parser puts on counts (VB_DOMAIN_VCPUS_MAX), for a definition changed since it
 * was parsed: one that breaks them would not load again, and reads would cost without end.
 * Returns 0, or -1 with the parser's VB_ERR_CONFIG_UNSUPPORTED error. */
int vb_domain_def_check_limits(const struct vb_domain_def *def, struct vb_error *err);

/* Formats to libvirt's canonical layout (two-space indent). flags: VB_DOMAIN_XML_*.
 * Returns a malloc'd string, or NULL with err set. */
char *vb_domain_def_format(const struct vb_domain_def *def, unsigned int flags, struct vb_error *err);

/* Deep copy; NULL with err set on allocation failure. */
struct vb_domain_def *vb_domain_def_copy(const struct vb_domain_def *def, struct vb_error *err);

void vb_domain_def_free(struct vb_domain_def *def);

/* Parses a single device element (<disk>, <interface>, ...) for hotplug. An element that is not
 * one of libvirt's device types (<domain>, <emulator>, ...) is refused as libvirt's
 * virDomainDeviceDefParse refuses it: VB_ERR_CONFIG_UNSUPPORTED "unknown device type '%s'".
 * (Inside a whole <domain>, such elements under <devices> are kept as they are.) */
struct vb_device_def *vb_device_def_parse_string(const char *xml, struct vb_error *err);
void vb_device_def_free(struct vb_device_def *dev);

/* An attribute of the device element itself (<disk snapshot='no'>), malloc'd; NULL when
 * absent or out of memory. */
char *vb_device_def_get_attribute(const struct vb_device_def *dev, const char *name);

/* Sets attribute `name` of the device's first child element `child` (appended when absent) to
 * `value`. A NULL value removes the attribute, and the child too when nothing else is left in
 * it. The parsed fields follow the new XML. Changes nothing on failure. */
int vb_device_def_set_child_attribute(struct vb_device_def *dev, const char *child,
                                      const char *name, const char *value, struct vb_error *err);

/* Sets attribute `name` of the device element itself (<disk type=...>). Changes nothing on
 * failure. */
int vb_device_def_set_attribute(struct vb_device_def *dev, const char *name, const char *value,
                                struct vb_error *err);

/* Replaces the device's first child element `child` with the element in `text` (added before
 * <address> when absent), or removes it when text is NULL. Changes nothing on failure. */
int vb_device_def_set_child_element(struct vb_device_def *dev, const char *child, const char *text,
                                    struct vb_error *err);

/* Index of the device in def that `dev` identifies (disk by target dev, interface by MAC,
 * controller by type+index, serial/console by port, others by identical XML), or -1. */
int vb_domain_def_find_device(const struct vb_domain_def *def, const struct vb_device_def *dev);

/* Adds dev (ownership taken on success). Fails, changing nothing, with libvirt's error when
 * the device would duplicate one already present (same disk target, same MAC, ...). */
int vb_domain_def_add_device(struct vb_domain_def *def, struct vb_device_def *dev, struct vb_error *err);

/* Removes and frees the device at index. */
void vb_domain_def_remove_device(struct vb_domain_def *def, size_t index);

/* Metadata, numbered as libvirt's virDomainMetadataType. */
enum vb_metadata_type {
    VB_METADATA_DESCRIPTION = 0,
    VB_METADATA_TITLE = 1,
    VB_METADATA_ELEMENT = 2,
};

/* Returns the description, the title, or (ELEMENT) the XML of the <metadata> child in
 * namespace uri. Fails with VB_ERR_NO_DOMAIN_METADATA when absent. */
char *vb_domain_def_get_metadata(const struct vb_domain_def *def, enum vb_metadata_type type,
                                 const char *uri, struct vb_error *err);

/* Sets (value non-NULL/non-empty) or removes (NULL or empty) a metadata item. For ELEMENT,
 * value is an XML element that is stored under namespace uri with prefix key. A title with a
 * newline is refused as libvirt does. Changes nothing on failure. */
int vb_domain_def_set_metadata(struct vb_domain_def *def, enum vb_metadata_type type,
                               const char *value, const char *key, const char *uri,
                               struct vb_error *err);

/* vCPU `id`'s state (id < vcpus_max), from <vcpus> or, without it, from the counts. */
struct vb_vcpu_def vb_domain_def_get_vcpu(const struct vb_domain_def *def, unsigned int id);

/* Gives def a <vcpus> (libvirt sets individualvcpus once a vCPU was hot-plugged, so it can be
 * unplugged again after a reload), built from the counts when it had none. */
int vb_domain_def_make_individual_vcpus(struct vb_domain_def *def, struct vb_error *err);

/* Sets vCPU id's state (the definition gets a <vcpus>); vcpus_current follows. */
int vb_domain_def_set_vcpu(struct vb_domain_def *def, unsigned int id, struct vb_vcpu_def state,
                           struct vb_error *err);

/* libvirt's qemuDomainSetVcpusConfig: the order is cleared; raising the count enables the lowest
 * disabled vCPUs (hotpluggable when an enabled hotpluggable vCPU comes before them), lowering it
 * disables the highest enabled ones (which become hotpluggable). count <= vcpus_max. */
void vb_domain_def_set_vcpus_config(struct vb_domain_def *def, unsigned int count);

/* libvirt's qemuDomainSetVcpusMax on the persistent definition: the order is cleared, vCPUs
 * beyond the new maximum dropped, new ones disabled and hotpluggable. */
int vb_domain_def_set_vcpus_max(struct vb_domain_def *def, unsigned int max, struct vb_error *err);

/* Lifecycle action names as in XML ("destroy", "restart", ...). */
const char *vb_lifecycle_action_to_string(enum vb_lifecycle_action action);

DEFINE_CLEANUP_FUNC(struct vb_domain_def, vb_domain_def_free)
DEFINE_CLEANUP_FUNC(struct vb_device_def, vb_device_def_free)
