/* The one internal event stream: drivers emit, front ends (D-Bus, AMQP) subscribe.
 * Every event gets a sequence number; recent events are kept for replay by late subscribers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/uuid.h"

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

struct vb_event {
    uint64_t seq;           /* 1, 2, 3 ... per stream, never reused */
    uint64_t timestamp_usec; /* CLOCK_REALTIME when emitted */
    char *driver;           /* the connection's driver name: "test", "qemu" */
    char *uri;              /* the connection URI: "test:///default" */
    unsigned char uuid[VB_UUID_LEN];
    char *domain_name;
    int event;              /* enum vb_domain_event */
    int detail;             /* the per-event detail enum */
};

const char *vb_domain_event_to_string(int event);               /* "Defined", "Started", ... */
const char *vb_domain_event_detail_to_string(int event, int detail); /* "Added", "Booted", ... */

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

/* Queues a lifecycle event; returns its sequence number (0 on allocation failure, in which case
 * the event is counted as dropped and logged). */
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
uint64_t vb_event_stream_dropped(const struct vb_event_stream *stream);
