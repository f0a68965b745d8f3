/* The internal event stream: a FIFO of pending events, subscribers, and a replay ring. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "util/log.h"
#include "util/macros.h"
#include "util/time.h"

/* An event owns its strings. It lives in the pending queue until dispatch takes it, then in
 * the replay ring until evicted (or is freed right after delivery when the ring is empty), so
 * exactly one place owns it at any time. */
struct stream_event {
    struct vb_event event;
    struct stream_event *next; /* pending queue link */
};

struct subscriber {
    int id;
    vb_event_handler handler; /* NULL once unsubscribed during a delivery, until compaction */
    void *userdata;
};

struct vb_event_stream {
    struct subscriber *subscribers;
    size_t n_subscribers, subscribers_allocated;
    int next_subscription_id;
    bool subscribers_dirty;

    struct stream_event *queue_head, *queue_tail;

    struct stream_event **ring; /* the last ring_capacity dispatched events, oldest at ring_start */
    size_t ring_capacity, ring_start, ring_length;

    uint64_t last_seq;
    uint64_t dropped;

    uint64_t seq_mark; /* numbers up to this are reserved on disk (0: nothing is persisted) */
    vb_event_seq_extend seq_extend;
    void *seq_extend_userdata;

    vb_event_wakeup wakeup;
    void *wakeup_userdata;

    /* Nonzero while handlers run: the subscriber array and the ring must not move under them. */
    unsigned int busy;
};

/* ---- lifetime -------------------------------------------------------------------------- */

static void stream_event_free(struct stream_event *e)
{
    if (!e)
        return;
    vb_event_clear(&e->event);
    free(e);
}

struct vb_event_stream *vb_event_stream_new(size_t replay_capacity)
{
    struct vb_event_stream *stream = calloc(1, sizeof(*stream));

    if (!stream)
        return NULL;
    if (replay_capacity > 0) {
        stream->ring = calloc(replay_capacity, sizeof(*stream->ring));
        if (!stream->ring) {
            free(stream);
            return NULL;
        }
    }
    stream->ring_capacity = replay_capacity;
    stream->next_subscription_id = 1;
    return stream;
}

void vb_event_stream_free(struct vb_event_stream *stream)
{
    if (!stream)
        return;
    while (stream->queue_head) {
        struct stream_event *e = stream->queue_head;
        stream->queue_head = e->next;
        stream_event_free(e);
    }
    for (size_t k = 0; k < stream->ring_length; k++)
        stream_event_free(stream->ring[(stream->ring_start + k) % stream->ring_capacity]);
    free(stream->ring);
    free(stream->subscribers);
    free(stream);
}

void vb_event_stream_set_wakeup(struct vb_event_stream *stream, vb_event_wakeup wakeup, void *userdata)
{
    stream->wakeup = wakeup;
    stream->wakeup_userdata = userdata;
}

/* ---- subscribers ----------------------------------------------------------------------- */

int vb_event_subscribe(struct vb_event_stream *stream, vb_event_handler handler, void *userdata)
{
    if (!handler)
        return -EINVAL;
    if (stream->n_subscribers == stream->subscribers_allocated) {
        size_t n = stream->subscribers_allocated ? stream->subscribers_allocated * 2 : 4;
        struct subscriber *s = reallocarray(stream->subscribers, n, sizeof(*s));
        if (!s)
            return -ENOMEM;
        stream->subscribers = s;
        stream->subscribers_allocated = n;
    }
    /* Appended: a subscriber added during a delivery starts with the next event. */
    stream->subscribers[stream->n_subscribers++] = (struct subscriber){
        .id = stream->next_subscription_id,
        .handler = handler,
        .userdata = userdata,
    };
    return stream->next_subscription_id++;
}

static void compact_subscribers(struct vb_event_stream *stream)
{
    size_t kept = 0;

    for (size_t i = 0; i < stream->n_subscribers; i++)
        if (stream->subscribers[i].handler)
            stream->subscribers[kept++] = stream->subscribers[i];
    stream->n_subscribers = kept;
    stream->subscribers_dirty = false;
}

void vb_event_unsubscribe(struct vb_event_stream *stream, int subscription_id)
{
    for (size_t i = 0; i < stream->n_subscribers; i++) {
        if (stream->subscribers[i].id != subscription_id)
            continue;
        /* Only mark while handlers run: the delivery loop indexes this array. */
        stream->subscribers[i].handler = NULL;
        stream->subscribers_dirty = true;
        break;
    }
    if (stream->busy == 0 && stream->subscribers_dirty)
        compact_subscribers(stream);
}

static void leave_handlers(struct vb_event_stream *stream)
{
    stream->busy--;
    if (stream->busy == 0 && stream->subscribers_dirty)
        compact_subscribers(stream);
}

/* ---- emitting and dispatching ---------------------------------------------------------- */

uint64_t vb_event_emit(struct vb_event_stream *stream, const struct vb_event *event)
{
    struct stream_event *e = calloc(1, sizeof(*e));
    bool was_idle = stream->queue_head == NULL;

    if (!e || vb_event_copy(&e->event, event) < 0) {
        free(e);
        stream->dropped++;
        vb_log_error("out of memory: dropped %s event for '%s'", vb_domain_event_id_to_string(event->id),
                     event->name ? event->name : "");
        return 0;
    }
    if (stream->seq_extend && stream->last_seq + 1 > stream->seq_mark) {
        uint64_t mark = stream->seq_extend(stream->seq_extend_userdata, stream->last_seq + 1);
        if (mark > stream->seq_mark)
            stream->seq_mark = mark;
        else
            vb_log_warning("event sequence numbers past %llu are not reserved on disk",
                           (unsigned long long) stream->seq_mark);
    }
    e->event.seq = ++stream->last_seq;
    e->event.timestamp_usec = vb_realtime_usec();
    if (stream->queue_tail)
        stream->queue_tail->next = e;
    else
        stream->queue_head = e;
    stream->queue_tail = e;

    if (was_idle && stream->wakeup)
        stream->wakeup(stream->wakeup_userdata);
    return e->event.seq;
}

uint64_t vb_event_emit_lifecycle(struct vb_event_stream *stream, const char *driver, const char *uri,
                                 const unsigned char uuid[VB_UUID_LEN], const char *domain_name,
                                 int event, int detail)
{
    struct vb_event e;

    vb_event_init_domain(&e, driver, uri, uuid, domain_name, VB_DOMAIN_EVENT_ID_LIFECYCLE);
    e.payload.lifecycle.event = event;
    e.payload.lifecycle.detail = detail;
    return vb_event_emit(stream, &e);
}

uint64_t vb_event_emit_object(struct vb_event_stream *stream, const char *driver, const char *uri,
                              enum vb_object_kind kind, const unsigned char *uuid, const char *name, int id,
                              int event, int detail)
{
    struct vb_event e;

    vb_event_init_domain(&e, driver, uri, uuid, name, id);
    e.object = kind;
    e.payload.lifecycle.event = event;
    e.payload.lifecycle.detail = detail;
    return vb_event_emit(stream, &e);
}

/* Moves e into the ring, freeing the event it displaces. Done before delivery so a handler
 * that subscribes and replays mid-delivery sees this event in the replay, not twice or never. */
static void ring_push(struct vb_event_stream *stream, struct stream_event *e)
{
    size_t slot;

    if (stream->ring_length == stream->ring_capacity) {
        stream_event_free(stream->ring[stream->ring_start]);
        stream->ring[stream->ring_start] = e;
        stream->ring_start = (stream->ring_start + 1) % stream->ring_capacity;
        return;
    }
    slot = (stream->ring_start + stream->ring_length) % stream->ring_capacity;
    stream->ring[slot] = e;
    stream->ring_length++;
}

static void deliver(struct vb_event_stream *stream, const struct vb_event *event)
{
    /* Fixed count: subscribers added by a handler wait for the next event. Entries are read
     * afresh each time because a handler may grow (move) the array or unsubscribe someone. */
    size_t n = stream->n_subscribers;

    for (size_t i = 0; i < n; i++) {
        struct subscriber s = stream->subscribers[i];
        if (s.handler)
            s.handler(event, s.userdata);
    }
}

size_t vb_event_stream_dispatch(struct vb_event_stream *stream)
{
    struct stream_event *batch = stream->queue_head;
    size_t count = 0;

    /* A handler calling dispatch would reorder delivery and could evict the ring under us. */
    if (stream->busy > 0)
        return 0;
    /* Detach the batch: events emitted by handlers start a new queue and wake the owner. */
    stream->queue_head = stream->queue_tail = NULL;
    stream->busy++;
    while (batch) {
        struct stream_event *e = batch;
        batch = e->next;
        e->next = NULL;
        if (stream->ring_capacity > 0)
            ring_push(stream, e);
        deliver(stream, &e->event);
        if (stream->ring_capacity == 0)
            stream_event_free(e);
        count++;
    }
    leave_handlers(stream);
    return count;
}

uint64_t vb_event_stream_replay(struct vb_event_stream *stream, uint64_t after_seq,
                                vb_event_handler handler, void *userdata)
{
    uint64_t oldest;

    if (stream->ring_length == 0)
        return 0;
    oldest = stream->ring[stream->ring_start]->event.seq;
    stream->busy++;
    for (size_t k = 0; k < stream->ring_length; k++) {
        const struct stream_event *e = stream->ring[(stream->ring_start + k) % stream->ring_capacity];
        if (e->event.seq > after_seq)
            handler(&e->event, userdata);
    }
    leave_handlers(stream);
    return oldest;
}

uint64_t vb_event_stream_last_seq(const struct vb_event_stream *stream)
{
    return stream->last_seq;
}

uint64_t vb_event_stream_dropped(const struct vb_event_stream *stream)
{
    return stream->dropped;
}

const struct vb_event *vb_event_stream_find(const struct vb_event_stream *stream, uint64_t seq)
{
    uint64_t oldest = vb_event_stream_oldest_seq(stream);
    const struct stream_event *e;

    if (oldest == 0 || seq < oldest || seq - oldest >= stream->ring_length)
        return NULL;
    e = stream->ring[(stream->ring_start + (size_t) (seq - oldest)) % stream->ring_capacity];
    /* Retained numbers are consecutive (a number is given only to an event that was queued). */
    return e->event.seq == seq ? &e->event : NULL;
}

uint64_t vb_event_stream_oldest_seq(const struct vb_event_stream *stream)
{
    return stream->ring_length ? stream->ring[stream->ring_start]->event.seq : 0;
}

void vb_event_stream_set_seq_mark(struct vb_event_stream *stream, uint64_t start_after, uint64_t mark,
                                  vb_event_seq_extend extend, void *userdata)
{
    if (stream->last_seq < start_after)
        stream->last_seq = start_after;
    stream->seq_mark = mark;
    stream->seq_extend = extend;
    stream->seq_extend_userdata = userdata;
}
