/* What bench/amqp's two programs share: clocks, a latency histogram, the event message layout
 * (virtbusd's, rebuilt for the raw baselines), QMF request encoding and proton plumbing. */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <proton/codec.h>
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/terminus.h>
#include <proton/transport.h>

static inline uint64_t mono_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* The clock virtbusd stamps events with (CLOCK_REALTIME). */
static inline uint64_t real_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static inline void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

/* --- latency: log-linear buckets, exact below 128 µs, within 1.6 % above ---------------- */

#define HIST_BUCKETS (128 + 40 * 64)

struct hist {
    uint64_t count, max;
    uint64_t bucket[HIST_BUCKETS];
};

static inline unsigned hist_index(uint64_t v)
{
    unsigned msb, index;

    if (v < 128)
        return (unsigned) v;
    msb = 63u - (unsigned) __builtin_clzll(v);
    index = 128u + (msb - 7u) * 64u + (unsigned) ((v >> (msb - 6u)) & 63u);
    return index < HIST_BUCKETS ? index : HIST_BUCKETS - 1;
}

static inline uint64_t hist_value(unsigned index)
{
    unsigned msb;

    if (index < 128)
        return index;
    msb = (index - 128u) / 64u + 7u;
    return (uint64_t) (64u + (index - 128u) % 64u) << (msb - 6u);
}

static inline void hist_add(struct hist *h, uint64_t v)
{
    h->bucket[hist_index(v)]++;
    h->count++;
    if (v > h->max)
        h->max = v;
}

/* The smallest recorded value v such that a fraction p of the samples are <= v. */
static inline uint64_t hist_percentile(const struct hist *h, double p)
{
    uint64_t want, seen = 0;

    if (h->count == 0)
        return 0;
    want = (uint64_t) ((double) h->count * p + 0.5);
    if (want == 0)
        want = 1;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= want)
            return hist_value(i);
    }
    return h->max;
}

/* --- event timestamps: RFC 3339 UTC with microseconds, as bus/event_message.c writes ------ */

static inline void format_stamp(uint64_t usec, char *buf, size_t size)
{
    time_t secs = (time_t) (usec / 1000000u);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int) (usec % 1000000u));
}

static inline int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "2024-12-02T16:09:12.123456Z" to µs since the epoch; 0 when malformed. The minute is
 * converted once and remembered: consecutive events share it. */
static inline uint64_t parse_stamp(const char *s, size_t len)
{
    static char cached_prefix[16];
    static uint64_t cached_minute_usec;
    struct tm tm = { 0 };
    uint64_t usec = 0;

    if (len < 27 || s[4] != '-' || s[10] != 'T' || s[19] != '.' || s[26] != 'Z')
        return 0;
    if (memcmp(s, cached_prefix, 16) != 0) {
        tm.tm_year = atoi(s) - 1900;
        tm.tm_mon = two_digits(s + 5) - 1;
        tm.tm_mday = two_digits(s + 8);
        tm.tm_hour = two_digits(s + 11);
        tm.tm_min = two_digits(s + 14);
        cached_minute_usec = (uint64_t) timegm(&tm) * 1000000u;
        memcpy(cached_prefix, s, 16);
    }
    for (int i = 20; i < 26; i++)
        usec = usec * 10 + (uint64_t) (s[i] - '0');
    return cached_minute_usec + (uint64_t) two_digits(s + 17) * 1000000u + usec;
}

/* The seq and timestamp of an encoded event message, found in its JSON body without decoding
 * the whole message (the body is a data section: its bytes appear as they are). */
static inline bool event_fields(const char *bytes, size_t size, uint64_t *seq, uint64_t *stamp)
{
    static const char seq_key[] = "{\"seq\":", stamp_key[] = "\"timestamp\":\"";
    const char *p = memmem(bytes, size, seq_key, sizeof(seq_key) - 1), *end = bytes + size;
    uint64_t n = 0;

    if (!p)
        return false;
    for (p += sizeof(seq_key) - 1; p < end && *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t) (*p - '0');
    *seq = n;
    p = memmem(p, (size_t) (end - p), stamp_key, sizeof(stamp_key) - 1);
    if (!p)
        return false;
    p += sizeof(stamp_key) - 1;
    *stamp = parse_stamp(p, (size_t) (end - p));
    return *stamp != 0;
}

/* --- messages -------------------------------------------------------------------------------- */

static inline void put_string(pn_data_t *data, const char *s)
{
    pn_data_put_string(data, pn_bytes(strlen(s), s));
}

static inline ssize_t encode(pn_message_t *msg, pn_rwbytes_t *buf)
{
    ssize_t n = pn_message_encode2(msg, buf);

    if (n < 0) {
        fprintf(stderr, "cannot encode a message: %s\n", pn_error_text(pn_message_error(msg)));
        exit(1);
    }
    return n;
}

/* An event message laid out as virtbusd's (bus/event_message.c), its detail padded with pad
 * bytes so the raw baselines can send exactly the size virtbusd sends. */
static inline ssize_t encode_raw_event(pn_message_t *msg, pn_rwbytes_t *buf, uint64_t seq, size_t pad,
                                       const char *subject)
{
    static char *json;
    static size_t json_size;
    char stamp[80], padding[4096];
    pn_data_t *props;
    int n;

    if (pad >= sizeof(padding))
        pad = sizeof(padding) - 1;
    memset(padding, 'x', pad);
    padding[pad] = '\0';
    format_stamp(real_usec(), stamp, sizeof(stamp));
    if (json_size < 512 + pad)
        json = xrealloc(json, json_size = 512 + pad);
    n = snprintf(json, json_size,
                 "{\"seq\":%" PRIu64 ",\"host\":\"bench\",\"uri\":\"test:\\/\\/\\/default\",\"domain\":{\"name\":"
                 "\"test\",\"uuid\":\"6695eb01-f6a4-8304-79aa-97f2502e193f\"},\"event\":\"suspended\",\"detail\":"
                 "\"paused%s\",\"timestamp\":\"%s\"}",
                 seq, padding, stamp);
    pn_message_clear(msg);
    pn_message_set_subject(msg, subject);
    pn_message_set_content_type(msg, "application/json");
    props = pn_message_properties(msg);
    pn_data_put_map(props);
    pn_data_enter(props);
    put_string(props, "seq");
    pn_data_put_ulong(props, seq);
    put_string(props, "event");
    put_string(props, "suspended");
    put_string(props, "domain");
    put_string(props, "test");
    put_string(props, "host");
    put_string(props, "bench");
    pn_data_exit(props);
    pn_message_set_inferred(msg, true);
    pn_data_put_binary(pn_message_body(msg), pn_bytes((size_t) n, json));
    return encode(msg, buf);
}

/* The padding that makes encode_raw_event's messages size bytes long (to within a few bytes
 * when the size cannot be met exactly). */
static inline size_t raw_event_pad_for(size_t size, const char *subject)
{
    pn_message_t *msg = pn_message();
    pn_rwbytes_t buf = { 0, NULL };
    size_t pad = 0;

    for (int i = 0; i < 8; i++) {
        size_t got = (size_t) encode_raw_event(msg, &buf, 1000000, pad, subject);
        if (got == size)
            break;
        if (got > size) {
            if (pad == 0)
                break;
            pad -= pad < got - size ? pad : got - size;
        } else {
            pad += size - got;
        }
    }
    free(buf.start);
    pn_message_free(msg);
    return pad;
}

/* A QMF request as libqmf2 consoles send it: properties, reply-to, a correlation id. */
static inline void qmf_request(pn_message_t *msg, const char *opcode, const char *reply_to, uint64_t cid)
{
    pn_data_t *props;

    pn_message_clear(msg);
    pn_message_set_reply_to(msg, reply_to);
    pn_message_set_correlation_id(msg, (pn_atom_t){ .type = PN_ULONG, .u.as_ulong = cid });
    props = pn_message_properties(msg);
    pn_data_put_map(props);
    pn_data_enter(props);
    put_string(props, "x-amqp-0-10.app-id");
    put_string(props, "qmf2");
    put_string(props, "qmf.opcode");
    put_string(props, opcode);
    put_string(props, "method");
    put_string(props, "request");
    pn_data_exit(props);
}

/* A _method_request body; xml_desc: the one argument of domainCreateXML, else NULL. */
static inline void qmf_method_body(pn_message_t *msg, const char *object_name, const char *agent, const char *method,
                                   const char *xml_desc)
{
    pn_data_t *body = pn_message_body(msg);

    pn_data_put_map(body);
    pn_data_enter(body);
    put_string(body, "_object_id");
    pn_data_put_map(body);
    pn_data_enter(body);
    put_string(body, "_object_name");
    put_string(body, object_name);
    put_string(body, "_agent_name");
    put_string(body, agent);
    pn_data_exit(body);
    put_string(body, "_method_name");
    put_string(body, method);
    if (xml_desc) {
        put_string(body, "_arguments");
        pn_data_put_map(body);
        pn_data_enter(body);
        put_string(body, "xmlDesc");
        put_string(body, xml_desc);
        pn_data_exit(body);
    }
    pn_data_exit(body);
}

/* A string application property, copied into out; false when absent. */
static inline bool message_property(pn_message_t *msg, const char *key, char *out, size_t size)
{
    pn_data_t *props = pn_message_properties(msg);
    size_t key_len = strlen(key);

    pn_data_rewind(props);
    if (!pn_data_next(props) || pn_data_type(props) != PN_MAP || !pn_data_enter(props))
        return false;
    while (pn_data_next(props)) {
        pn_bytes_t k = pn_data_get_string(props);
        if (!pn_data_next(props))
            break;
        if (k.size == key_len && memcmp(k.start, key, key_len) == 0 &&
            (pn_data_type(props) == PN_STRING || pn_data_type(props) == PN_SYMBOL)) {
            pn_bytes_t v = pn_data_type(props) == PN_STRING ? pn_data_get_string(props) : pn_data_get_symbol(props);
            snprintf(out, size, "%.*s", (int) v.size, v.start);
            return true;
        }
    }
    return false;
}

/* --- proton plumbing ------------------------------------------------------------------------- */

/* One whole incoming message into *buf (grown as needed), accepted and settled. Returns its
 * size, or -1 while it is still arriving. */
static inline ssize_t take_delivery(pn_delivery_t *d, char **buf, size_t *allocated)
{
    pn_link_t *link = pn_delivery_link(d);
    size_t size;
    ssize_t n;

    if (!pn_delivery_readable(d) || pn_delivery_partial(d))
        return -1;
    size = pn_delivery_pending(d);
    if (size > *allocated)
        *buf = xrealloc(*buf, *allocated = size);
    n = pn_link_recv(link, *buf, size);
    pn_link_advance(link);
    pn_delivery_update(d, PN_ACCEPTED);
    pn_delivery_settle(d);
    return n < 0 ? 0 : n;
}

/* Sends bytes as one unsettled delivery (the peer settles it), as virtbusd sends. */
static inline pn_delivery_t *send_bytes(pn_link_t *sender, const char *bytes, size_t size)
{
    static uint64_t tag;
    pn_delivery_t *d;

    tag++;
    d = pn_delivery(sender, pn_dtag((const char *) &tag, sizeof(tag)));
    pn_link_send(sender, bytes, size);
    pn_link_advance(sender);
    return d;
}

static inline bool report_condition(const char *what, pn_condition_t *cond)
{
    if (!pn_condition_is_set(cond))
        return false;
    fprintf(stderr, "%s: %s: %s\n", what, pn_condition_get_name(cond),
            pn_condition_get_description(cond) ? pn_condition_get_description(cond) : "");
    return true;
}

/* utime + stime of a process in clock ticks, 0 when it cannot be read. */
static inline uint64_t cpu_ticks(int pid)
{
    char path[64], text[1024], *p;
    unsigned long long utime = 0, stime = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    p = strrchr(text, ')');
    /* after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return 0;
    return utime + stime;
}
