/* Unit tests for the event stream: ordering, subscribers, re-entrancy, wakeup, replay, names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "events/event.h"

#define MAX_SEEN 64

struct recorder {
    uint64_t seqs[MAX_SEEN];
    int events[MAX_SEEN];
    size_t count;
};

static void record(const struct vb_event *event, void *userdata)
{
    struct recorder *r = userdata;

    assert_true(r->count < MAX_SEEN);
    r->seqs[r->count] = event->seq;
    r->events[r->count] = event->payload.lifecycle.event;
    r->count++;
}

static const unsigned char uuid[VB_UUID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static uint64_t emit(struct vb_event_stream *s, int event, int detail)
{
    return vb_event_emit_lifecycle(s, "test", "test:///default", uuid, "vm1", event, detail);
}

static void test_sequence_numbers_start_at_one_and_increase(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(8);

    assert_int_equal(vb_event_stream_last_seq(s), 0);
    assert_int_equal(emit(s, VB_EVENT_DEFINED, VB_EVENT_DEFINED_ADDED), 1);
    assert_int_equal(emit(s, VB_EVENT_STARTED, VB_EVENT_STARTED_BOOTED), 2);
    assert_int_equal(emit(s, VB_EVENT_STOPPED, VB_EVENT_STOPPED_DESTROYED), 3);
    assert_int_equal(vb_event_stream_last_seq(s), 3);
    assert_int_equal(vb_event_stream_dropped(s), 0);
    vb_event_stream_free(s); /* frees undelivered events too */
}

static void check_fields(const struct vb_event *event, void *userdata)
{
    int *called = userdata;

    assert_string_equal(event->driver, "test");
    assert_string_equal(event->uri, "test:///default");
    assert_string_equal(event->name, "vm1");
    assert_int_equal(event->object, VB_OBJECT_DOMAIN);
    assert_int_equal(event->id, VB_DOMAIN_EVENT_ID_LIFECYCLE);
    assert_memory_equal(event->uuid, uuid, VB_UUID_LEN);
    assert_int_equal(event->payload.lifecycle.event, VB_EVENT_SUSPENDED);
    assert_int_equal(event->payload.lifecycle.detail, VB_EVENT_SUSPENDED_IOERROR);
    /* CLOCK_REALTIME in microseconds: after 2020-01-01. */
    assert_true(event->timestamp_usec > UINT64_C(1577836800000000));
    (*called)++;
}

static void test_event_carries_its_fields(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(0);
    int called = 0;

    assert_true(vb_event_subscribe(s, check_fields, &called) > 0);
    emit(s, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_IOERROR);
    assert_int_equal(called, 0); /* never delivered from inside the emitting call */
    assert_int_equal(vb_event_stream_dispatch(s), 1);
    assert_int_equal(called, 1);
    vb_event_stream_free(s);
}

static void test_dispatch_delivers_in_order_to_every_subscriber(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(4);
    struct recorder a = { 0 }, b = { 0 };

    assert_true(vb_event_subscribe(s, record, &a) > 0);
    assert_true(vb_event_subscribe(s, record, &b) > 0);
    for (int i = 0; i < 5; i++)
        emit(s, i, 0);
    assert_int_equal(vb_event_stream_dispatch(s), 5);
    assert_int_equal(vb_event_stream_dispatch(s), 0);
    assert_int_equal(a.count, 5);
    assert_int_equal(b.count, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(a.seqs[i], i + 1);
        assert_int_equal(b.seqs[i], i + 1);
        assert_int_equal(a.events[i], (int) i);
    }
    vb_event_stream_free(s);
}

struct self_removing {
    struct vb_event_stream *stream;
    int id;
    int other_id;
    size_t count;
};

static void unsubscribe_self_and_other(const struct vb_event *event, void *userdata)
{
    struct self_removing *sr = userdata;

    sr->count++;
    vb_event_unsubscribe(sr->stream, sr->id);
    if (sr->other_id)
        vb_event_unsubscribe(sr->stream, sr->other_id);
}

static void test_unsubscribe_inside_handler_is_safe(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(0);
    struct self_removing sr = { .stream = s };
    struct recorder before = { 0 }, after = { 0 };

    assert_true(vb_event_subscribe(s, record, &before) > 0);
    sr.id = vb_event_subscribe(s, unsubscribe_self_and_other, &sr);
    sr.other_id = vb_event_subscribe(s, record, &after);
    assert_true(sr.id > 0 && sr.other_id > sr.id);

    emit(s, VB_EVENT_DEFINED, 0);
    emit(s, VB_EVENT_STARTED, 0);
    assert_int_equal(vb_event_stream_dispatch(s), 2);
    assert_int_equal(sr.count, 1);    /* removed itself after the first event */
    assert_int_equal(after.count, 0); /* removed before its turn came */
    assert_int_equal(before.count, 2);

    /* Unsubscribing an unknown or already removed id is harmless. */
    vb_event_unsubscribe(s, sr.id);
    vb_event_unsubscribe(s, 9999);
    emit(s, VB_EVENT_STOPPED, 0);
    assert_int_equal(vb_event_stream_dispatch(s), 1);
    assert_int_equal(before.count, 3);
    vb_event_stream_free(s);
}

struct late_joiner {
    struct vb_event_stream *stream;
    struct recorder seen;
    bool joined;
};

static void join_with_replay(const struct vb_event *event, void *userdata)
{
    struct late_joiner *lj = userdata;

    if (lj->joined)
        return;
    lj->joined = true;
    assert_true(vb_event_subscribe(lj->stream, record, &lj->seen) > 0);
    assert_int_equal(vb_event_stream_replay(lj->stream, 0, record, &lj->seen), 1);
}

static void test_subscribe_and_replay_inside_handler_sees_each_event_once(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(8);
    struct late_joiner lj = { .stream = s };

    assert_true(vb_event_subscribe(s, join_with_replay, &lj) > 0);
    emit(s, VB_EVENT_DEFINED, 0);
    emit(s, VB_EVENT_STARTED, 0);
    emit(s, VB_EVENT_STOPPED, 0);
    assert_int_equal(vb_event_stream_dispatch(s), 3);
    /* Event 1 from the replay (it was being delivered), 2 and 3 from dispatch. */
    assert_int_equal(lj.seen.count, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(lj.seen.seqs[i], i + 1);
    vb_event_stream_free(s);
}

struct wakeup_counter {
    int calls;
};

static void count_wakeup(void *userdata)
{
    ((struct wakeup_counter *) userdata)->calls++;
}

struct emitter {
    struct vb_event_stream *stream;
    struct recorder seen;
    bool emitted;
};

static void emit_once_from_handler(const struct vb_event *event, void *userdata)
{
    struct emitter *em = userdata;

    record(event, &em->seen);
    if (!em->emitted) {
        em->emitted = true;
        assert_int_equal(emit(em->stream, VB_EVENT_RESUMED, 0), 3);
        /* A nested dispatch would reorder delivery, so it is refused. */
        assert_int_equal(vb_event_stream_dispatch(em->stream), 0);
    }
}

static void test_emit_inside_handler_is_delivered_after_the_batch(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(8);
    struct emitter em = { .stream = s };
    struct wakeup_counter wake = { 0 };

    vb_event_stream_set_wakeup(s, count_wakeup, &wake);
    assert_true(vb_event_subscribe(s, emit_once_from_handler, &em) > 0);
    emit(s, VB_EVENT_DEFINED, 0);
    emit(s, VB_EVENT_STARTED, 0);
    assert_int_equal(wake.calls, 1);

    assert_int_equal(vb_event_stream_dispatch(s), 2);
    assert_int_equal(em.seen.count, 2);
    assert_int_equal(wake.calls, 2); /* the event queued by the handler woke the owner */

    assert_int_equal(vb_event_stream_dispatch(s), 1);
    assert_int_equal(em.seen.count, 3);
    assert_int_equal(em.seen.seqs[2], 3);
    assert_int_equal(em.seen.events[2], VB_EVENT_RESUMED);
    vb_event_stream_free(s);
}

static void test_wakeup_only_when_queue_becomes_non_empty(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(0);
    struct wakeup_counter wake = { 0 };

    vb_event_stream_set_wakeup(s, count_wakeup, &wake);
    emit(s, VB_EVENT_DEFINED, 0);
    emit(s, VB_EVENT_STARTED, 0);
    emit(s, VB_EVENT_STOPPED, 0);
    assert_int_equal(wake.calls, 1);
    assert_int_equal(vb_event_stream_dispatch(s), 3); /* no subscribers: delivered to nobody */
    assert_int_equal(wake.calls, 1);
    emit(s, VB_EVENT_UNDEFINED, 0);
    assert_int_equal(wake.calls, 2);
    vb_event_stream_free(s);
}

static void test_replay_returns_dispatched_events_after_seq(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(8);
    struct recorder r = { 0 };

    assert_int_equal(vb_event_stream_replay(s, 0, record, &r), 0); /* nothing retained */
    for (int i = 0; i < 5; i++)
        emit(s, VB_EVENT_DEFINED, 0);
    /* Queued events are not replayed: a subscriber gets them from dispatch instead. */
    assert_int_equal(vb_event_stream_replay(s, 0, record, &r), 0);
    assert_int_equal(r.count, 0);

    vb_event_stream_dispatch(s);
    assert_int_equal(vb_event_stream_replay(s, 2, record, &r), 1);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.seqs[0], 3);
    assert_int_equal(r.seqs[1], 4);
    assert_int_equal(r.seqs[2], 5);
    vb_event_stream_free(s);
}

static void test_replay_evicts_oldest_beyond_capacity(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(3);
    struct recorder r = { 0 };

    for (int i = 0; i < 7; i++) {
        emit(s, VB_EVENT_DEFINED, 0);
        if (i % 2)
            vb_event_stream_dispatch(s); /* mix dispatch sizes to wrap the ring unevenly */
    }
    vb_event_stream_dispatch(s);
    assert_int_equal(vb_event_stream_replay(s, 0, record, &r), 5);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.seqs[0], 5);
    assert_int_equal(r.seqs[2], 7);

    r.count = 0;
    assert_int_equal(vb_event_stream_replay(s, 7, record, &r), 5);
    assert_int_equal(r.count, 0);
    vb_event_stream_free(s);
}

static void test_replay_capacity_zero_keeps_nothing(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(0);
    struct recorder r = { 0 };

    emit(s, VB_EVENT_DEFINED, 0);
    vb_event_stream_dispatch(s);
    assert_int_equal(vb_event_stream_replay(s, 0, record, &r), 0);
    assert_int_equal(r.count, 0);
    vb_event_stream_free(s);
}

static void test_event_names_match_virsh(void **state)
{
    assert_string_equal(vb_domain_event_to_string(VB_EVENT_DEFINED), "Defined");
    assert_string_equal(vb_domain_event_to_string(VB_EVENT_PMSUSPENDED), "PMSuspended");
    assert_string_equal(vb_domain_event_to_string(VB_EVENT_CRASHED), "Crashed");
    assert_string_equal(vb_domain_event_to_string(9), "unknown");
    assert_string_equal(vb_domain_event_to_string(-1), "unknown");

    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_DEFINED, VB_EVENT_DEFINED_FROM_SNAPSHOT),
                        "Snapshot");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_RENAMED),
                        "Renamed");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_STARTED, VB_EVENT_STARTED_WAKEUP),
                        "Event wakeup");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_IOERROR),
                        "I/O Error");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_API_ERROR),
                        "API error");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_SUSPENDED, 8), "Post-copy Error");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED),
                        "Unpaused");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_RESUMED, 3), "Post-copy");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_STOPPED, VB_EVENT_STOPPED_FAILED),
                        "Failed");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_SHUTDOWN, VB_EVENT_SHUTDOWN_GUEST),
                        "Finished after guest request");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_PMSUSPENDED, 1), "Disk");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_CRASHED, VB_EVENT_CRASHED_CRASHLOADED),
                        "Crashloaded");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_CRASHED, 2), "unknown");
    assert_string_equal(vb_domain_event_detail_to_string(42, 0), "unknown");
    assert_string_equal(vb_domain_event_detail_to_string(VB_EVENT_DEFINED, -1), "unknown");
}

/* Every payload is copied into the stream: the emitter's strings and parameters may go at once. */
static void check_payloads(const struct vb_event *event, void *userdata)
{
    int *seen = userdata;
    const struct vb_typed_param *p;

    switch (event->id) {
    case VB_DOMAIN_EVENT_ID_DEVICE_ADDED:
        assert_string_equal(event->payload.device.dev_alias, "virtio-disk1");
        break;
    case VB_DOMAIN_EVENT_ID_TUNABLE:
        p = vb_typed_params_find(&event->payload.params, "cputune.vcpupin0");
        assert_non_null(p);
        assert_string_equal(p->value.s, "0-1");
        break;
    case VB_DOMAIN_EVENT_ID_GRAPHICS:
        assert_string_equal(event->payload.graphics.remote.node, "10.0.0.2");
        assert_int_equal(event->payload.graphics.n_identities, 1);
        assert_string_equal(event->payload.graphics.identities[0].name, "alice");
        break;
    case VB_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        assert_string_equal(event->payload.io_error.reason, "enospc");
        assert_null(event->payload.io_error.src_path);
        break;
    default:
        fail_msg("unexpected event id %d", event->id);
    }
    (*seen)++;
}

static void test_every_payload_is_the_streams_own_copy(void **state)
{
    struct vb_event_stream *s = vb_event_stream_new(4);
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_graphics_identity identity;
    char alias[] = "virtio-disk1", node[] = "10.0.0.2", name[] = "alice", reason[] = "enospc";
    struct vb_event e;
    int seen = 0;

    assert_true(vb_event_subscribe(s, check_payloads, &seen) > 0);
    vb_event_init_domain(&e, "test", "test:///default", uuid, "vm1", VB_DOMAIN_EVENT_ID_DEVICE_ADDED);
    e.payload.device.dev_alias = alias;
    assert_int_equal(vb_event_emit(s, &e), 1);
    memset(alias, 'x', sizeof(alias) - 1);

    vb_event_init_domain(&e, "test", "test:///default", uuid, "vm1", VB_DOMAIN_EVENT_ID_TUNABLE);
    assert_int_equal(vb_typed_params_add_string(&params, NULL, "0-1", "cputune.vcpupin%d", 0), 0);
    e.payload.params = params;
    assert_int_equal(vb_event_emit(s, &e), 2);
    vb_typed_params_clear(&params);

    vb_event_init_domain(&e, "test", "test:///default", uuid, "vm1", VB_DOMAIN_EVENT_ID_GRAPHICS);
    identity = (struct vb_graphics_identity){ .type = (char *) "saslUsername", .name = name };
    e.payload.graphics.remote.node = node;
    e.payload.graphics.identities = &identity;
    e.payload.graphics.n_identities = 1;
    assert_int_equal(vb_event_emit(s, &e), 3);
    memset(node, 'x', sizeof(node) - 1);
    memset(name, 'x', sizeof(name) - 1);

    vb_event_init_domain(&e, "test", "test:///default", uuid, "vm1", VB_DOMAIN_EVENT_ID_IO_ERROR_REASON);
    e.payload.io_error.reason = reason;
    assert_int_equal(vb_event_emit(s, &e), 4);
    memset(reason, 'x', sizeof(reason) - 1);

    assert_int_equal(vb_event_stream_dispatch(s), 4);
    assert_int_equal(seen, 4);
    /* The replay ring keeps its own copies too. */
    seen = 0;
    vb_event_stream_replay(s, 0, check_payloads, &seen);
    assert_int_equal(seen, 4);
    vb_event_stream_free(s);
}

static void test_event_id_names_match_virsh(void **state)
{
    assert_string_equal(vb_domain_event_id_to_string(VB_DOMAIN_EVENT_ID_LIFECYCLE), "lifecycle");
    assert_string_equal(vb_domain_event_id_to_string(VB_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED),
                        "device-removal-failed");
    assert_string_equal(vb_domain_event_id_to_string(VB_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE),
                        "memory-device-size-change");
    assert_string_equal(vb_domain_event_id_to_string(VB_EVENT_ID_CHANGED), "changed");
    assert_string_equal(vb_domain_event_id_to_string(VB_DOMAIN_EVENT_ID_LAST), "unknown");
    assert_int_equal(vb_domain_event_id_from_string("tunable"), VB_DOMAIN_EVENT_ID_TUNABLE);
    assert_int_equal(vb_domain_event_id_from_string("changed"), VB_EVENT_ID_CHANGED);
    assert_int_equal(vb_domain_event_id_from_string("nope"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_numbers_start_at_one_and_increase),
        cmocka_unit_test(test_event_carries_its_fields),
        cmocka_unit_test(test_dispatch_delivers_in_order_to_every_subscriber),
        cmocka_unit_test(test_unsubscribe_inside_handler_is_safe),
        cmocka_unit_test(test_subscribe_and_replay_inside_handler_sees_each_event_once),
        cmocka_unit_test(test_emit_inside_handler_is_delivered_after_the_batch),
        cmocka_unit_test(test_wakeup_only_when_queue_becomes_non_empty),
        cmocka_unit_test(test_replay_returns_dispatched_events_after_seq),
        cmocka_unit_test(test_replay_evicts_oldest_beyond_capacity),
        cmocka_unit_test(test_replay_capacity_zero_keeps_nothing),
        cmocka_unit_test(test_event_names_match_virsh),
        cmocka_unit_test(test_every_payload_is_the_streams_own_copy),
        cmocka_unit_test(test_event_id_names_match_virsh),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
