/* Domain tunables kept in the definition as libvirt formats them (<memtune>, ...): read and
 * written through the text the model keeps for elements it does not otherwise interpret. */
#pragma once

#include "conf/domain_def.h"
#include "util/typed_params.h"

/* libvirt's VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: a memtune limit that is not set. */
#define VB_MEMORY_PARAM_UNLIMITED 9007199254740991ULL

/* libvirt's def->mem limits, in KiB; VB_MEMORY_PARAM_UNLIMITED when not set. */
struct vb_memtune {
    unsigned long long hard_limit, soft_limit, swap_hard_limit;
};

/* Reads <memtune> (every limit unlimited when absent). Returns 0, or -1 with err set. */
int vb_domain_def_get_memtune(const struct vb_domain_def *def, struct vb_memtune *out, struct vb_error *err);

/* Replaces <memtune> with the limits that are set (removed when none is), as libvirt's
 * virDomainMemtuneFormat prints it. Changes nothing on failure. */
int vb_domain_def_set_memtune(struct vb_domain_def *def, const struct vb_memtune *memtune, struct vb_error *err);

/* libvirt's virDomainNumatuneMemMode. */
enum { VB_NUMATUNE_MEM_STRICT, VB_NUMATUNE_MEM_PREFERRED, VB_NUMATUNE_MEM_INTERLEAVE,
       VB_NUMATUNE_MEM_RESTRICTIVE, VB_NUMATUNE_MEM_LAST };

/* libvirt's <numatune><memory mode= nodeset=/>: mode -1 when there is no <memory>; nodeset
 * malloc'd in libvirt's canonical form ("0-1,4"), NULL when none. */
struct vb_numatune {
    int mode;
    char *nodeset;
};

/* Reads <numatune>. Returns 0, or -1 with err set; free out->nodeset. */
int vb_domain_def_get_numatune(const struct vb_domain_def *def, struct vb_numatune *out, struct vb_error *err);

/* Replaces <numatune> with <memory mode= nodeset=/> as libvirt's virDomainNumatuneFormatXML
 * prints it. Changes nothing on failure. */
int vb_domain_def_set_numatune(struct vb_domain_def *def, const struct vb_numatune *numatune,
                               struct vb_error *err);

/* libvirt's virBitmapParse of a node set ("0-3,^2,5", nodes below 65536) into its canonical
 * virBitmapFormat form, malloc'd in *out (empty when no node is set). Returns 0, or -1 with
 * libvirt's "Failed to parse bitmap" in err. */
int vb_nodeset_canonical(const char *text, char **out, struct vb_error *err);

/* libvirt's virPerfEventType names, in its order. */
extern const char *const vb_perf_event_names[];
enum { VB_PERF_EVENT_LAST = 22 };

/* <perf> event states: 0 absent, 1 enabled='yes', 2 enabled='no' (libvirt's virTristateBool). */
int vb_domain_def_get_perf(const struct vb_domain_def *def, unsigned char states[VB_PERF_EVENT_LAST],
                           struct vb_error *err);
int vb_domain_def_set_perf(struct vb_domain_def *def, const unsigned char states[VB_PERF_EVENT_LAST],
                           struct vb_error *err);

/* libvirt's VIR_DOMAIN_BLKIO_DEVICE_* parameters: "path,value[,path,value...]" strings. */
#define VB_BLKIO_DEVICE_WEIGHT "device_weight"
#define VB_BLKIO_DEVICE_READ_IOPS "device_read_iops_sec"
#define VB_BLKIO_DEVICE_WRITE_IOPS "device_write_iops_sec"
#define VB_BLKIO_DEVICE_READ_BPS "device_read_bytes_sec"
#define VB_BLKIO_DEVICE_WRITE_BPS "device_write_bytes_sec"

/* Devices one VB_BLKIO_DEVICE_* string may list, and <blkiotune> may come to list by merging.
 * Per-device limits name the host block devices behind one guest's disks: tens, rarely hundreds
 * on a large SAN host. A hundred thousand entries kept every client waiting 27 s when merged
 * one by one; 4096 keeps a call to milliseconds whatever the entries are. */
#define VB_BLKIO_DEVICES_MAX 4096

/* <blkiotune><weight>: 0 when absent. Setting keeps the <device> entries. */
int vb_domain_def_get_blkio_weight(const struct vb_domain_def *def, unsigned int *weight, struct vb_error *err);
int vb_domain_def_set_blkio_weight(struct vb_domain_def *def, unsigned int weight, struct vb_error *err);

/* Appends the five VB_BLKIO_DEVICE_* strings of <blkiotune>'s <device> entries, as libvirt's
 * virDomainGetBlkioParametersAssignFromDef. Returns 0, or -1 with err set. */
int vb_domain_def_add_blkio_devices(const struct vb_domain_def *def, struct vb_typed_params *params,
                                    struct vb_error *err);

/* Parses the VB_BLKIO_DEVICE_* string `field` and merges it into the <device> entries, as
 * libvirt's virDomainDriverParseBlkioDeviceStr and virDomainDriverMergeBlkioDevice, in
 * O(n log n). A string of more than VB_BLKIO_DEVICES_MAX entries, or one that would grow the
 * entries beyond it, is refused with VB_ERR_INVALID_ARG. Changes nothing on failure. */
int vb_domain_def_merge_blkio_devices(struct vb_domain_def *def, const char *field, const char *text,
                                      struct vb_error *err);

/* One direction of an interface's <bandwidth> (libvirt's virNetDevBandwidthRate); present is
 * false when the element is absent. */
struct vb_bandwidth_rate {
    bool present;
    unsigned int average, peak, burst, floor;
};

/* The <bandwidth> of interface dev. Returns 0, or -1 with err set. */
int vb_device_def_get_bandwidth(const struct vb_device_def *dev, struct vb_bandwidth_rate *in,
                                struct vb_bandwidth_rate *out, struct vb_error *err);
/* Replaces <bandwidth> (removed when neither direction is present). Changes nothing on failure. */
int vb_device_def_set_bandwidth(struct vb_device_def *dev, const struct vb_bandwidth_rate *in,
                                const struct vb_bandwidth_rate *out, struct vb_error *err);

/* libvirt's VIR_DOMAIN_BLOCK_IOTUNE_* names, in the order libvirt reports them and formats
 * <iotune>; the one at VB_IOTUNE_GROUP_NAME is a string, the others unsigned long long. */
enum { VB_IOTUNE_FIELDS = 20, VB_IOTUNE_GROUP_NAME = 13 };
extern const char *const vb_iotune_names[VB_IOTUNE_FIELDS];

/* A disk's <iotune>: values 0 when not set (values[VB_IOTUNE_GROUP_NAME] unused); group_name
 * malloc'd, NULL when not set. */
struct vb_iotune {
    unsigned long long values[VB_IOTUNE_FIELDS];
    char *group_name;
};

/* Reads disk dev's <iotune>. Returns 0, or -1 with err set; free out->group_name. */
int vb_device_def_get_iotune(const struct vb_device_def *dev, struct vb_iotune *out, struct vb_error *err);
/* Replaces <iotune> (removed when nothing is set). Changes nothing on failure. */
int vb_device_def_set_iotune(struct vb_device_def *dev, const struct vb_iotune *iotune, struct vb_error *err);
