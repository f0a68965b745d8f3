/* The hypervisor driver table: what a driver can do, as function pointers. A driver fills the
 * slots it supports; the core answers "not supported" for a NULL slot (libvirt's
 * virHypervisorDriver, kept to what we serve). Drivers never know which bus a call came from. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/uuid.h"

struct vb_typed_params; /* util/typed_params.h */

struct vb_event_stream;
struct sd_event;

/* What the daemon hands a driver when a connection opens. */
struct vb_driver_env {
    struct vb_event_stream *events; /* where the driver emits lifecycle events */
    const char *state_dir;          /* root for persistent state, e.g. /var/lib/virtbus */
    struct sd_event *loop;          /* the one event loop, for drivers with async work */
};

/* How lookups and lists name a domain to callers. */
struct vb_domain_ref {
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    int id; /* -1 when inactive */
};

void vb_domain_ref_clear(struct vb_domain_ref *ref);
void vb_domain_refs_free(struct vb_domain_ref *refs, size_t n);

/* libvirt's virDomainInfo plus the flags the D-Bus properties need, read in one call. */
struct vb_domain_info {
    int state, reason;
    uint64_t max_memory_kib, memory_kib;
    unsigned int vcpus;
    uint64_t cpu_time_ns;
    bool persistent, autostart, updated, has_managed_save;
    int id;
    char *name;
    char *os_type;
    unsigned char uuid[VB_UUID_LEN];
};

void vb_domain_info_clear(struct vb_domain_info *info);

/* Node facts as libvirt's virNodeInfo. */
struct vb_node_info {
    char model[32];
    uint64_t memory_kib;
    unsigned int cpus, mhz, nodes, sockets, cores, threads;
};

/* libvirt's virDomainJobInfo. */
struct vb_job_info {
    int type; /* virDomainJobType: 0 none, 1 bounded, 2 unbounded, 3 completed, 4 failed, 5 cancelled */
    unsigned long long time_elapsed, time_remaining;
    unsigned long long data_total, data_processed, data_remaining;
    unsigned long long mem_total, mem_processed, mem_remaining;
    unsigned long long file_total, file_processed, file_remaining;
};

/* libvirt's virDomainBlockInfo. */
struct vb_block_info {
    unsigned long long capacity, allocation, physical;
};

/* libvirt's virDomainInterface: a guest interface and its addresses. */
struct vb_iface_addr {
    int type; /* 0 IPv4, 1 IPv6 */
    char *addr;
    unsigned int prefix;
};

struct vb_iface {
    char *name;
    char *hwaddr;
    struct vb_iface_addr *addrs;
    size_t n_addrs;
};

void vb_ifaces_free(struct vb_iface *ifaces, size_t n);

/* Completion of an operation a driver may finish later (a QEMU start, a save). A driver
 * returning VB_PENDING calls fn exactly once, later, from the event loop; err is NULL on
 * success. A driver returning 0 or -1 never calls it. */
#define VB_PENDING 1
struct vb_completion {
    void (*fn)(void *userdata, const struct vb_error *err);
    void *userdata;
};

/* Identifies the client on whose behalf a domain was started with AUTODESTROY: the front end
 * passes an opaque, stable string (the D-Bus unique name) and tells the core when it goes. */
typedef const char *vb_client_id;

typedef const unsigned char *vb_uuid_t;

struct vb_node_driver;     /* drivers/driver_node.h: node and host facts */
struct vb_snapshot_driver; /* drivers/driver_snapshot.h: domain snapshots */
struct vb_guest_driver;    /* drivers/driver_guest.h: guest control and queries (time, keys, hostname ...) */
struct vb_tunables_driver; /* drivers/driver_tunables.h: typed-parameter tunables and I/O threads */

struct vb_driver {
    const char *name; /* "test", "qemu" */
    const struct vb_node_driver *node;         /* NULL: no node calls */
    const struct vb_snapshot_driver *snapshot; /* NULL: no snapshots */
    const struct vb_guest_driver *guest;       /* NULL: no guest control calls */
    const struct vb_tunables_driver *tunables; /* NULL: no tunables */
    bool (*uri_matches)(const char *uri);

    int (*connect_open)(const char *uri, const struct vb_driver_env *env, void **priv, struct vb_error *err);
    void (*connect_close)(void *priv);
    int (*node_get_info)(void *priv, struct vb_node_info *info, struct vb_error *err);
    char *(*get_hostname)(void *priv, struct vb_error *err);
    void (*client_gone)(void *priv, vb_client_id client);

    /* listing and lookup; list flags are libvirt's virConnectListAllDomainsFlags */
    int (*list_domains)(void *priv, unsigned int flags, struct vb_domain_ref **refs, size_t *n, struct vb_error *err);
    int (*lookup_by_uuid)(void *priv, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err);
    int (*lookup_by_name)(void *priv, const char *name, struct vb_domain_ref *ref, struct vb_error *err);
    int (*lookup_by_id)(void *priv, int id, struct vb_domain_ref *ref, struct vb_error *err);

    /* definitions */
    int (*define_xml)(void *priv, const char *xml, unsigned int flags, struct vb_domain_ref *ref, struct vb_error *err);
    int (*undefine)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
    char *(*get_xml_desc)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);

    /* lifecycle: may complete later (VB_PENDING) */
    int (*create_xml)(void *priv, const char *xml, unsigned int flags, vb_client_id client,
                      struct vb_domain_ref *ref, const struct vb_completion *done, struct vb_error *err);
    int (*create)(void *priv, vb_uuid_t uuid, unsigned int flags, vb_client_id client,
                  const struct vb_completion *done, struct vb_error *err);
    int (*destroy)(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
    int (*shutdown)(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
    int (*reboot)(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
    int (*reset)(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
    int (*suspend)(void *priv, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err);
    int (*resume)(void *priv, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err);
    int (*managed_save)(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
    int (*save)(void *priv, vb_uuid_t uuid, const char *path, const char *dxml, unsigned int flags,
                const struct vb_completion *done, struct vb_error *err);
    int (*restore)(void *priv, const char *path, const char *dxml, unsigned int flags,
                   const struct vb_completion *done, struct vb_error *err);

    /* state and configuration */
    int (*get_state)(void *priv, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err);
    int (*get_info)(void *priv, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err);
    int (*has_managed_save)(void *priv, vb_uuid_t uuid, struct vb_error *err); /* 0/1 or -1 */
    int (*managed_save_remove)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
    int (*set_vcpus)(void *priv, vb_uuid_t uuid, unsigned int count, unsigned int flags, struct vb_error *err);
    int (*set_memory)(void *priv, vb_uuid_t uuid, uint64_t kib, unsigned int flags, struct vb_error *err);
    int (*set_autostart)(void *priv, vb_uuid_t uuid, bool autostart, struct vb_error *err);
    char *(*get_metadata)(void *priv, vb_uuid_t uuid, int type, const char *uri, unsigned int flags,
                          struct vb_error *err);
    int (*set_metadata)(void *priv, vb_uuid_t uuid, int type, const char *metadata, const char *key,
                        const char *uri, unsigned int flags, struct vb_error *err);

    /* vcpus and scheduling */
    int (*get_vcpus)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err); /* count or -1 */
    /* maps: nvcpus rows of ncpus booleans, row-major, malloc'd */
    int (*get_vcpu_pin_info)(void *priv, vb_uuid_t uuid, unsigned int flags, bool **maps, unsigned int *nvcpus,
                             unsigned int *ncpus, struct vb_error *err);
    int (*pin_vcpu)(void *priv, vb_uuid_t uuid, unsigned int vcpu, const bool *cpumap, unsigned int ncpus,
                    unsigned int flags, struct vb_error *err);
    char *(*get_scheduler_type)(void *priv, vb_uuid_t uuid, int *nparams, struct vb_error *err);
    int (*set_memory_stats_period)(void *priv, vb_uuid_t uuid, int period, unsigned int flags, struct vb_error *err);

    /* jobs, stats, guest information */
    int (*get_job_info)(void *priv, vb_uuid_t uuid, struct vb_job_info *info, struct vb_error *err);
    int (*abort_job)(void *priv, vb_uuid_t uuid, struct vb_error *err);
    int (*get_stats)(void *priv, vb_uuid_t uuid, unsigned int stats, unsigned int flags, struct vb_typed_params *out,
                     struct vb_error *err);
    int (*get_block_info)(void *priv, vb_uuid_t uuid, const char *disk, unsigned int flags,
                          struct vb_block_info *info, struct vb_error *err);
    int (*interface_addresses)(void *priv, vb_uuid_t uuid, unsigned int source, unsigned int flags,
                               struct vb_iface **ifaces, size_t *n, struct vb_error *err);

    /* devices (flags: VB_AFFECT_*, plus VB_DEVICE_MODIFY_FORCE for update) */
    int (*attach_device)(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err);
    int (*detach_device)(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err);
    int (*update_device)(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err);

    /* save images */
    char *(*save_image_get_xml_desc)(void *priv, const char *path, unsigned int flags, struct vb_error *err);
    int (*save_image_define_xml)(void *priv, const char *path, const char *dxml, unsigned int flags,
                                 struct vb_error *err);
};

/* libvirt's flag values the drivers and front ends share. */
enum {
    VB_LIST_ACTIVE = 1 << 0,
    VB_LIST_INACTIVE = 1 << 1,
    VB_LIST_PERSISTENT = 1 << 2,
    VB_LIST_TRANSIENT = 1 << 3,
    VB_LIST_RUNNING = 1 << 4,
    VB_LIST_PAUSED = 1 << 5,
    VB_LIST_SHUTOFF = 1 << 6,
    VB_LIST_OTHER = 1 << 7,
    VB_LIST_MANAGEDSAVE = 1 << 8,
    VB_LIST_NO_MANAGEDSAVE = 1 << 9,
    VB_LIST_AUTOSTART = 1 << 10,
    VB_LIST_NO_AUTOSTART = 1 << 11,
    VB_LIST_HAS_SNAPSHOT = 1 << 12,
    VB_LIST_NO_SNAPSHOT = 1 << 13,
    VB_LIST_HAS_CHECKPOINT = 1 << 14,
    VB_LIST_NO_CHECKPOINT = 1 << 15,
    /* Ours, not libvirt's: the caller needs UUIDs only, so refs may have no name and id -1. */
    VB_LIST_UUIDS_ONLY = 1u << 31,
};

enum {
    VB_START_PAUSED = 1 << 0,
    VB_START_AUTODESTROY = 1 << 1,
    VB_START_BYPASS_CACHE = 1 << 2,
    VB_START_FORCE_BOOT = 1 << 3,
    VB_START_VALIDATE = 1 << 4,
};

enum { VB_UNDEFINE_MANAGED_SAVE = 1 << 0, VB_UNDEFINE_SNAPSHOTS_METADATA = 1 << 1, VB_UNDEFINE_NVRAM = 1 << 2,
       VB_UNDEFINE_KEEP_NVRAM = 1 << 3, VB_UNDEFINE_CHECKPOINTS_METADATA = 1 << 4 };
enum { VB_SAVE_BYPASS_CACHE = 1 << 0, VB_SAVE_RUNNING = 1 << 1, VB_SAVE_PAUSED = 1 << 2 };
enum { VB_VCPU_LIVE = 1 << 0, VB_VCPU_CONFIG = 1 << 1, VB_VCPU_MAXIMUM = 1 << 2, VB_VCPU_GUEST = 1 << 3,
       VB_VCPU_HOTPLUGGABLE = 1 << 4 };
enum { VB_MEM_LIVE = 1 << 0, VB_MEM_CONFIG = 1 << 1, VB_MEM_MAXIMUM = 1 << 2 };
enum { VB_DESTROY_GRACEFUL = 1 << 0 };
enum { VB_DEFINE_VALIDATE = 1 << 0 };
enum { VB_DEVICE_MODIFY_FORCE = 1 << 2 };
enum { VB_MIGRATE_LIVE = 1 << 0, VB_MIGRATE_PEER2PEER = 1 << 1 };
/* virDomainStatsTypes */
enum { VB_STATS_STATE = 1 << 0, VB_STATS_CPU_TOTAL = 1 << 1, VB_STATS_BALLOON = 1 << 2, VB_STATS_VCPU = 1 << 3,
       VB_STATS_INTERFACE = 1 << 4, VB_STATS_BLOCK = 1 << 5 };

/* libvirt's virCheckFlags: VB_ERR_INVALID_ARG "%s: unsupported flags (0x%x)". */
#define VB_CHECK_FLAGS(flags, supported, err)                                                    \
    do {                                                                                         \
        unsigned int unknown_ = (flags) & ~(unsigned int) (supported);                           \
        if (unknown_)                                                                            \
            return vb_error_set((err), VB_ERR_INVALID_ARG, "%s: unsupported flags (0x%x)", __func__, unknown_); \
    } while (0)
