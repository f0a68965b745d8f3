/* The one internal event stream: drivers emit, front ends (D-Bus, AMQP) subscribe.
 * Every event gets a sequence number; recent events are kept for replay by late subscribers.
 * An event names its object (kind, UUID, name) and carries one of libvirt's event payloads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/typed_params.h"
#include "util/uuid.h"

/* What an event is about. Each kind has its own event ids, numbered as libvirt's. */
enum vb_object_kind {
    VB_OBJECT_DOMAIN = 0,
    VB_OBJECT_NETWORK = 1,
    VB_OBJECT_STORAGE_POOL = 2,
    VB_OBJECT_NODE_DEVICE = 3,
    VB_OBJECT_SECRET = 4,
};

/* libvirt's virDomainEventID, numbered as libvirt numbers them, and one of ours. Drivers emit
 * IO_ERROR_REASON and BLOCK_JOB_2 only: libvirt derives IO_ERROR and BLOCK_JOB from the same
 * occurrence, with less in them, and libvirt-dbus subscribes to the richer two. */
enum vb_domain_event_id {
    VB_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    VB_DOMAIN_EVENT_ID_REBOOT = 1,
    VB_DOMAIN_EVENT_ID_RTC_CHANGE = 2,
    VB_DOMAIN_EVENT_ID_WATCHDOG = 3,
    VB_DOMAIN_EVENT_ID_IO_ERROR = 4,
    VB_DOMAIN_EVENT_ID_GRAPHICS = 5,
    VB_DOMAIN_EVENT_ID_IO_ERROR_REASON = 6,
    VB_DOMAIN_EVENT_ID_CONTROL_ERROR = 7,
    VB_DOMAIN_EVENT_ID_BLOCK_JOB = 8,
    VB_DOMAIN_EVENT_ID_DISK_CHANGE = 9,
    VB_DOMAIN_EVENT_ID_TRAY_CHANGE = 10,
    VB_DOMAIN_EVENT_ID_PMWAKEUP = 11,
    VB_DOMAIN_EVENT_ID_PMSUSPEND = 12,
    VB_DOMAIN_EVENT_ID_BALLOON_CHANGE = 13,
    VB_DOMAIN_EVENT_ID_PMSUSPEND_DISK = 14,
    VB_DOMAIN_EVENT_ID_DEVICE_REMOVED = 15,
    VB_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,
    VB_DOMAIN_EVENT_ID_TUNABLE = 17,
    VB_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,
    VB_DOMAIN_EVENT_ID_DEVICE_ADDED = 19,
    VB_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,
    VB_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,
    VB_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED = 22,
    VB_DOMAIN_EVENT_ID_METADATA_CHANGE = 23,
    VB_DOMAIN_EVENT_ID_BLOCK_THRESHOLD = 24,
    VB_DOMAIN_EVENT_ID_MEMORY_FAILURE = 25,
    VB_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE = 26,
    VB_DOMAIN_EVENT_ID_LAST = 27,
    /* Ours: a property of the object changed (autostart, persistence, the "updated" flag) by a
     * call that libvirt announces with no event; front ends re-read the object. */
    VB_EVENT_ID_CHANGED = 1000,
};

/* libvirt's virDomainEventType and detail enums, numbered as libvirt numbers them. */
enum vb_domain_event {
    VB_EVENT_DEFINED = 0,
    VB_EVENT_UNDEFINED = 1,
    VB_EVENT_STARTED = 2,
    VB_EVENT_SUSPENDED = 3,
    VB_EVENT_RESUMED = 4,
    VB_EVENT_STOPPED = 5,
    VB_EVENT_SHUTDOWN = 6,
    VB_EVENT_PMSUSPENDED = 7,
    VB_EVENT_CRASHED = 8,
};

enum { VB_EVENT_DEFINED_ADDED = 0, VB_EVENT_DEFINED_UPDATED = 1, VB_EVENT_DEFINED_RENAMED = 2,
       VB_EVENT_DEFINED_FROM_SNAPSHOT = 3 };
enum { VB_EVENT_UNDEFINED_REMOVED = 0, VB_EVENT_UNDEFINED_RENAMED = 1 };
enum { VB_EVENT_STARTED_BOOTED = 0, VB_EVENT_STARTED_MIGRATED = 1, VB_EVENT_STARTED_RESTORED = 2,
       VB_EVENT_STARTED_FROM_SNAPSHOT = 3, VB_EVENT_STARTED_WAKEUP = 4 };
enum { VB_EVENT_SUSPENDED_PAUSED = 0, VB_EVENT_SUSPENDED_MIGRATED = 1, VB_EVENT_SUSPENDED_IOERROR = 2,
       VB_EVENT_SUSPENDED_WATCHDOG = 3, VB_EVENT_SUSPENDED_RESTORED = 4,
       VB_EVENT_SUSPENDED_FROM_SNAPSHOT = 5, VB_EVENT_SUSPENDED_API_ERROR = 6 };
enum { VB_EVENT_RESUMED_UNPAUSED = 0, VB_EVENT_RESUMED_MIGRATED = 1, VB_EVENT_RESUMED_FROM_SNAPSHOT = 2 };
enum { VB_EVENT_STOPPED_SHUTDOWN = 0, VB_EVENT_STOPPED_DESTROYED = 1, VB_EVENT_STOPPED_CRASHED = 2,
       VB_EVENT_STOPPED_MIGRATED = 3, VB_EVENT_STOPPED_SAVED = 4, VB_EVENT_STOPPED_FAILED = 5,
       VB_EVENT_STOPPED_FROM_SNAPSHOT = 6 };
enum { VB_EVENT_SHUTDOWN_FINISHED = 0, VB_EVENT_SHUTDOWN_GUEST = 1, VB_EVENT_SHUTDOWN_HOST = 2 };
enum { VB_EVENT_CRASHED_PANICKED = 0, VB_EVENT_CRASHED_CRASHLOADED = 1 };

/* Events of the other object kinds: libvirt's virNetworkEventID, virStoragePoolEventID,
 * virNodeDeviceEventID and their lifecycle enums. A network event has no detail (0). A node
 * device has no UUID: its name says which it is. */
enum { VB_OBJECT_EVENT_ID_LIFECYCLE = 0, VB_STORAGE_POOL_EVENT_ID_REFRESH = 1, VB_NODE_DEVICE_EVENT_ID_UPDATE = 1 };
enum { VB_NETWORK_EVENT_DEFINED = 0, VB_NETWORK_EVENT_UNDEFINED = 1, VB_NETWORK_EVENT_STARTED = 2,
       VB_NETWORK_EVENT_STOPPED = 3 };
enum { VB_POOL_EVENT_DEFINED = 0, VB_POOL_EVENT_UNDEFINED = 1, VB_POOL_EVENT_STARTED = 2, VB_POOL_EVENT_STOPPED = 3,
       VB_POOL_EVENT_CREATED = 4, VB_POOL_EVENT_DELETED = 5 };
enum { VB_NODE_DEVICE_EVENT_CREATED = 0, VB_NODE_DEVICE_EVENT_DELETED = 1, VB_NODE_DEVICE_EVENT_DEFINED = 2,
       VB_NODE_DEVICE_EVENT_UNDEFINED = 3 };

/* libvirt's graphics event address and subject identity. */
struct vb_graphics_address {
    int family; /* virDomainEventGraphicsAddressType: 0 IPv4, 1 IPv6, 2 UNIX */
    char *node;
    char *service;
};

struct vb_graphics_identity {
    char *type; /* "x509dname", "saslUsername" */
    char *name;
};

/* The payload of each event id, as libvirt's callbacks receive it. Strings are owned by the
 * event. */
union vb_event_payload {
    struct { int event, detail; } lifecycle;                   /* LIFECYCLE */
    struct { long long utc_offset; } rtc_change;               /* RTC_CHANGE (seconds) */
    struct { int action; } watchdog;                           /* WATCHDOG */
    struct { char *src_path, *dev_alias; int action; char *reason; } io_error; /* IO_ERROR(_REASON) */
    struct {
        int phase;
        struct vb_graphics_address local, remote;
        char *auth_scheme;
        struct vb_graphics_identity *identities;
        size_t n_identities;
    } graphics;                                                /* GRAPHICS */
    struct { char *disk; int type, status; } block_job;       /* BLOCK_JOB(_2): path or target */
    struct { char *old_src_path, *new_src_path, *dev_alias; int reason; } disk_change; /* DISK_CHANGE */
    struct { char *dev_alias; int reason; } tray_change;       /* TRAY_CHANGE */
    struct { int reason; } pm;                                 /* PMWAKEUP, PMSUSPEND, PMSUSPEND_DISK */
    struct { unsigned long long actual_kib; } balloon_change;  /* BALLOON_CHANGE */
    struct { char *dev_alias; } device;                        /* DEVICE_ADDED/_REMOVED/_REMOVAL_FAILED */
    struct vb_typed_params params;                             /* TUNABLE, JOB_COMPLETED */
    struct { int state, reason; } agent_lifecycle;             /* AGENT_LIFECYCLE */
    struct { int iteration; } migration_iteration;             /* MIGRATION_ITERATION */
    struct { int type; char *nsuri; } metadata_change;         /* METADATA_CHANGE */
    struct { char *dev, *path; unsigned long long threshold, excess; } block_threshold; /* BLOCK_THRESHOLD */
    struct { int recipient, action; unsigned int flags; } memory_failure;              /* MEMORY_FAILURE */
    struct { char *alias; unsigned long long size_kib; } memory_device_size_change;
};

struct vb_event {
    uint64_t seq;            /* 1, 2, 3 ... per stream, never reused */
    uint64_t timestamp_usec; /* CLOCK_REALTIME when emitted */
    char *driver;            /* the connection's driver name: "test", "qemu" */
    char *uri;               /* the connection URI: "test:///default" */
    enum vb_object_kind object;
    unsigned char uuid[VB_UUID_LEN];
    char *name;              /* the object's name */
    int id;                  /* enum vb_domain_event_id for a domain */
    union vb_event_payload payload;
};

/* Starts a domain event to fill in and emit: zeroes it, copies the UUID and borrows the strings
 * (vb_event_emit copies what it keeps). */
void vb_event_init_domain(struct vb_event *event, const char *driver, const char *uri,
                          const unsigned char uuid[VB_UUID_LEN], const char *name, int id);

struct vb_event_stream;

/* Emits an event about a network, storage pool, node device or secret (uuid may be NULL). */
uint64_t vb_event_emit_object(struct vb_event_stream *stream, const char *driver, const char *uri,
                              enum vb_object_kind kind, const unsigned char *uuid, const char *name, int id,
                              int event, int detail);

/* "network", "storage-pool", "node-device", "secret", "domain". */
const char *vb_object_kind_to_string(enum vb_object_kind kind);
/* virsh's names of an object event: "Defined", "Started", "Created", "Refreshed" ...; the
 * detail of every non-domain event libvirt defines is "" (none has one). */
const char *vb_object_event_to_string(enum vb_object_kind kind, int id, int event);

const char *vb_domain_event_to_string(int event);                   /* "Defined", "Started", ... */
const char *vb_domain_event_detail_to_string(int event, int detail); /* "Added", "Booted", ... */
/* virsh's event names: "lifecycle", "reboot", "device-added", ..., "changed" for ours. */
const char *vb_domain_event_id_to_string(int id);
/* The inverse, for tools; -1 when unknown. */
int vb_domain_event_id_from_string(const char *name);

/* Deep copy of src into dst (dst's previous contents are not freed). Returns 0 or -ENOMEM
 * (dst then holds nothing that needs freeing). */
int vb_event_copy(struct vb_event *dst, const struct vb_event *src);
/* Frees what an event owns (not the struct itself). */
void vb_event_clear(struct vb_event *event);

struct vb_event_stream;

typedef void (*vb_event_handler)(const struct vb_event *event, void *userdata);
/* Called when an event is queued and the stream was idle, so the owner can schedule
 * vb_event_stream_dispatch() on its loop (events are delivered after the emitting call returns,
 * never from inside a driver operation). */
typedef void (*vb_event_wakeup)(void *userdata);

/* replay_capacity: how many recent events are kept for vb_event_stream_replay (0 keeps none). */
struct vb_event_stream *vb_event_stream_new(size_t replay_capacity);
void vb_event_stream_free(struct vb_event_stream *stream);

void vb_event_stream_set_wakeup(struct vb_event_stream *stream, vb_event_wakeup wakeup, void *userdata);

/* Returns a subscription id > 0, or -ENOMEM. Handlers may unsubscribe (themselves or others)
 * and may emit further events from inside a handler (those are delivered after the current batch). */
int vb_event_subscribe(struct vb_event_stream *stream, vb_event_handler handler, void *userdata);
void vb_event_unsubscribe(struct vb_event_stream *stream, int subscription_id);

/* Queues a copy of event (its seq and timestamp are assigned here); returns its sequence
 * number, or 0 on allocation failure, in which case the event is counted as dropped and logged. */
uint64_t vb_event_emit(struct vb_event_stream *stream, const struct vb_event *event);

/* Shorthand for a domain lifecycle event. */
uint64_t vb_event_emit_lifecycle(struct vb_event_stream *stream, const char *driver, const char *uri,
                                 const unsigned char uuid[VB_UUID_LEN], const char *domain_name,
                                 int event, int detail);

/* Delivers every queued event to every subscriber, in sequence order. Returns how many. */
size_t vb_event_stream_dispatch(struct vb_event_stream *stream);

/* Calls handler for each retained event with seq > after_seq, oldest first. Returns the
 * sequence number of the oldest retained event (so a caller can tell whether it missed some),
 * or 0 when none are retained. */
uint64_t vb_event_stream_replay(struct vb_event_stream *stream, uint64_t after_seq,
                                vb_event_handler handler, void *userdata);

uint64_t vb_event_stream_last_seq(const struct vb_event_stream *stream);

/* The retained event numbered seq: NULL when it was never retained, was evicted, or has not
 * been dispatched yet. The pointer is valid until the next dispatch. */
const struct vb_event *vb_event_stream_find(const struct vb_event_stream *stream, uint64_t seq);
/* The sequence number of the oldest retained event; 0 when none is retained. */
uint64_t vb_event_stream_oldest_seq(const struct vb_event_stream *stream);

/* Sequence numbers survive restarts: the owner keeps a reserved mark on disk, numbers continue
 * after the mark read at start, and extend runs before a number above the mark is given out
 * (it stores a higher mark and returns it, or returns 0 when it could not). */
typedef uint64_t (*vb_event_seq_extend)(void *userdata, uint64_t needed);
void vb_event_stream_set_seq_mark(struct vb_event_stream *stream, uint64_t start_after, uint64_t mark,
                                  vb_event_seq_extend extend, void *userdata);
uint64_t vb_event_stream_dropped(const struct vb_event_stream *stream);
