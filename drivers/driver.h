/* The hypervisor driver table: what a driver can do, as function pointers. A driver fills the
 * slots it supports; the core answers "not supported" for a NULL slot (libvirt's
 * virHypervisorDriver, kept to what we serve). Drivers never know which bus a call came from. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/call.h"
#include "util/error.h"
#include "util/typed_params.h"
#include "util/uuid.h"

struct vb_event_stream;
struct sd_event;

/* What the daemon hands a driver when a connection opens. */
struct vb_driver_env {
    struct vb_event_stream *events; /* where the driver announces every change */
    const char *state_dir;          /* root for persistent state, e.g. /var/lib/virtbus */
    const char *qemu_root;          /* NULL, or where qemu:// keeps everything (libvirt's embed root) */
    struct sd_event *loop;          /* the one event loop: job waits, timers, hypervisor sockets */
    uint64_t job_wait_usec;         /* how long a call waits for a domain's job (libvirt: 30 s) */
    unsigned int max_queued_jobs;   /* calls that may wait for one domain's job; 0: no limit */
    /* Where qemu:// dir pools may lie (virtbusd.conf storage_roots); unset: the driver's defaults. */
    char *const *storage_roots;
    size_t n_storage_roots;
    bool storage_roots_set;
};

#define VB_JOB_WAIT_DEFAULT_USEC (30ull * 1000000ull)

/* How lookups and lists name a domain to callers. */
struct vb_domain_ref {
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    int id; /* -1 when inactive */
};

void vb_domain_ref_clear(struct vb_domain_ref *ref);
void vb_domain_refs_free(struct vb_domain_ref *refs, size_t n);

/* libvirt's virDomainInfo plus every D-Bus property, read in one call. */
struct vb_domain_info {
    int state, reason;
    uint64_t max_memory_kib, memory_kib;
    unsigned int vcpus;
    uint64_t cpu_time_ns;
    bool persistent, autostart, updated, has_managed_save;
    int id;
    char *name;
    char *os_type;
    char *scheduler_type; /* NULL when the driver has no scheduler */
    int scheduler_nparams;
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

/* One domain's statistics (libvirt's virDomainStatsRecord). */
struct vb_domain_stats {
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_typed_params params;
};

void vb_domain_stats_free(struct vb_domain_stats *records, size_t n);

/* Identifies the client on whose behalf a call is made (vb_call.client): the front end passes
 * an opaque, stable string (the D-Bus unique name) and tells the core when the client goes. */
typedef const char *vb_client_id;

typedef const unsigned char *vb_uuid_t;

struct vb_domain_obj;      /* conf/domain_obj.h */
struct vb_state_driver;    /* below: what lives as long as the daemon */
struct vb_node_driver;     /* drivers/driver_node.h: node and host facts */
struct vb_snapshot_driver; /* drivers/driver_snapshot.h: domain snapshots */
struct vb_guest_driver;    /* drivers/driver_guest.h: guest control and queries (time, keys, hostname ...) */
struct vb_tunables_driver; /* drivers/driver_tunables.h: typed-parameter tunables and I/O threads */
struct vb_network_driver;  /* drivers/driver_network.h: virtual networks */
struct vb_storage_driver;  /* drivers/driver_storage.h: storage pools and volumes */
struct vb_nodedev_driver;  /* drivers/driver_host_devices.h: node devices */
struct vb_interface_driver; /* drivers/driver_host_devices.h: host interfaces */

/* A driver fills the slots it supports; the core answers "not supported" for a NULL slot.
 *
 * Two kinds of slot. Registry slots read the driver's own list of domains and answer at once,
 * from memory, with a struct vb_error (the driver keeps there what its hypervisor told it):
 * listing, lookups, state, info, acquiring a domain object. Every other slot is an operation:
 * it takes the call (struct vb_call, drivers/call.h), reports failure in call->err and may
 * return VB_PENDING and finish later with vb_call_complete(). Operation slots on a domain get
 * the domain object, referenced (and with its job held when the operation table says so) by
 * the core for as long as the call lasts. Outputs are written through the pointers given,
 * which stay valid until the call ends; strings and arrays handed out are malloc'd and owned
 * by the caller. Flags are libvirt's. */
struct vb_driver {
    const char *name; /* "test", "qemu" */
    const struct vb_state_driver *state;       /* NULL: nothing outlives a connection */
    const struct vb_node_driver *node;         /* NULL: no node calls */
    const struct vb_snapshot_driver *snapshot; /* NULL: no snapshots */
    const struct vb_guest_driver *guest;       /* NULL: no guest control calls */
    const struct vb_tunables_driver *tunables; /* NULL: no tunables */
    /* libvirt's secondary drivers, reachable from the connection (priv is the connection's) */
    const struct vb_network_driver *network;     /* NULL: no networks */
    const struct vb_storage_driver *storage;     /* NULL: no storage */
    const struct vb_nodedev_driver *nodedev;     /* NULL: no node devices */
    const struct vb_interface_driver *interface; /* NULL: no host interfaces */
    bool (*uri_matches)(const char *uri);

    int (*connect_open)(const char *uri, const struct vb_driver_env *env, void **priv, struct vb_error *err);
    /* Ends every call the driver still has pending (with an error) before it returns. */
    void (*connect_close)(void *priv);
    /* A front-end client went away: its AUTODESTROY domains go with it. */
    void (*client_gone)(void *priv, vb_client_id client);

    /* --- registry: synchronous reads ----------------------------------------------------- */
    /* list flags are libvirt's virConnectListAllDomainsFlags */
    int (*list_domains)(void *priv, unsigned int flags, struct vb_domain_ref **refs, size_t *n, struct vb_error *err);
    int (*lookup_by_uuid)(void *priv, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err);
    int (*lookup_by_name)(void *priv, const char *name, struct vb_domain_ref *ref, struct vb_error *err);
    int (*lookup_by_id)(void *priv, int id, struct vb_domain_ref *ref, struct vb_error *err);
    /* The domain object with one more reference (vb_domain_obj_unref), or NULL with
     * libvirt's "no domain with matching uuid". */
    struct vb_domain_obj *(*domain_acquire)(void *priv, vb_uuid_t uuid, struct vb_error *err);
    int (*get_state)(void *priv, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err);
    int (*get_info)(void *priv, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err);
    char *(*get_hostname)(void *priv, struct vb_error *err);

    /* --- operations on the connection ---------------------------------------------------- */
    int (*node_get_info)(void *priv, struct vb_call *call, struct vb_node_info *info);
    int (*define_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                      struct vb_domain_ref *ref);
    /* The new domain belongs to call->client when flags ask for AUTODESTROY. */
    int (*create_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                      struct vb_domain_ref *ref);
    int (*restore)(void *priv, struct vb_call *call, const char *path, const char *dxml, unsigned int flags);
    int (*save_image_get_xml_desc)(void *priv, struct vb_call *call, const char *path, unsigned int flags,
                                   char **xml);
    int (*save_image_define_xml)(void *priv, struct vb_call *call, const char *path, const char *dxml,
                                 unsigned int flags);
    /* Statistics of the domains named (libvirt's virConnectGetAllDomainStats over a list): one
     * record per domain that still exists, in the order given. */
    int (*get_stats)(void *priv, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN], size_t n,
                     unsigned int stats, unsigned int flags, struct vb_domain_stats **records, size_t *n_records);

    /* --- operations on a domain ---------------------------------------------------------- */
    /* lifecycle; create's domain belongs to call->client with AUTODESTROY */
    int (*create)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*destroy)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*shutdown)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*reboot)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*reset)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*suspend)(void *priv, struct vb_call *call, struct vb_domain_obj *dom);
    int (*resume)(void *priv, struct vb_call *call, struct vb_domain_obj *dom);
    int (*managed_save)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*save)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *path, const char *dxml,
                unsigned int flags);
    int (*undefine)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);

    /* definition and configuration */
    int (*get_xml_desc)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags, char **xml);
    int (*has_managed_save)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                            bool *result);
    int (*managed_save_remove)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*set_vcpus)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int count,
                     unsigned int flags);
    int (*set_memory)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, uint64_t kib, unsigned int flags);
    int (*set_autostart)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, bool autostart);
    int (*get_metadata)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, int type, const char *uri,
                        unsigned int flags, char **metadata);
    int (*set_metadata)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, int type, const char *metadata,
                        const char *key, const char *uri, unsigned int flags);
    int (*attach_device)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *xml,
                         unsigned int flags);
    int (*detach_device)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *xml,
                         unsigned int flags);
    int (*update_device)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *xml,
                         unsigned int flags);

    /* vcpus */
    int (*get_vcpus)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                     unsigned int *count);
    /* maps: nvcpus rows of ncpus booleans, row-major, malloc'd */
    int (*get_vcpu_pin_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                             bool **maps, unsigned int *nvcpus, unsigned int *ncpus);
    int (*pin_vcpu)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int vcpu,
                    const bool *cpumap, unsigned int ncpus, unsigned int flags);
    int (*set_memory_stats_period)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, int period,
                                   unsigned int flags);

    /* jobs and guest information */
    int (*get_job_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, struct vb_job_info *info);
    int (*abort_job)(void *priv, struct vb_call *call, struct vb_domain_obj *dom);
    /* type: virDomainJobType; params: libvirt's VIR_DOMAIN_JOB_* fields */
    int (*get_job_stats)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                         int *type, struct vb_typed_params *params);
    int (*get_block_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *disk,
                          unsigned int flags, struct vb_block_info *info);
    /* size in bytes with VB_DOMAIN_BLOCK_RESIZE_BYTES, KiB otherwise (libvirt's virDomainBlockResize) */
    int (*block_resize)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *disk,
                        uint64_t size, unsigned int flags);
    /* *buffer: size bytes read at offset, malloc'd (libvirt's virDomainBlockPeek; size already capped) */
    int (*block_peek)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *disk,
                      uint64_t offset, size_t size, unsigned int flags, uint8_t **buffer);
    int (*interface_addresses)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int source,
                               unsigned int flags, struct vb_iface **ifaces, size_t *n);
};

/* What lives as long as the daemon, not a connection (libvirt's virStateDriver): reattaching
 * to guests that kept running, autostart. The daemon calls initialize before it opens any
 * connection, auto_start once its connections are open, reload on SIGHUP and cleanup last. */
struct vb_state_driver {
    int (*initialize)(const struct vb_driver_env *env, struct vb_error *err);
    /* Starts the persistent domains marked autostart that are not running. */
    void (*auto_start)(void);
    int (*reload)(struct vb_error *err);
    void (*cleanup)(void);
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
/* libvirt's virDomainShutdownFlagValues / virDomainRebootFlagValues (one bit each, shared). */
enum { VB_SHUTDOWN_ACPI_POWER_BTN = 1 << 0, VB_SHUTDOWN_GUEST_AGENT = 1 << 1, VB_SHUTDOWN_INITCTL = 1 << 2,
       VB_SHUTDOWN_SIGNAL = 1 << 3, VB_SHUTDOWN_PARAVIRT = 1 << 4 };
/* libvirt's virDomainInterfaceAddressesSource. */
enum { VB_INTERFACE_ADDRESSES_SRC_LEASE = 0, VB_INTERFACE_ADDRESSES_SRC_AGENT = 1, VB_INTERFACE_ADDRESSES_SRC_ARP = 2 };
enum { VB_DEFINE_VALIDATE = 1 << 0 };
enum { VB_DEVICE_MODIFY_FORCE = 1 << 2 };
enum { VB_MIGRATE_LIVE = 1 << 0, VB_MIGRATE_PEER2PEER = 1 << 1 };
/* libvirt's virDomainBlockResizeFlags; REMOTE_DOMAIN_BLOCK_PEEK_BUFFER_MAX, libvirt's cap on a peek. */
enum { VB_DOMAIN_BLOCK_RESIZE_BYTES = 1 << 0 };
#define VB_DOMAIN_BLOCK_PEEK_MAX (4u * 1024u * 1024u)
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
