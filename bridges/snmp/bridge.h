/* virtbus-snmp's state: the AMQP side (virtbusd's QMF agent and event stream) feeding the guest
 * table that the SNMP side serves. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <proton/link.h>
#include <proton/message.h>
#include <systemd/sd-event.h>

#include "bridges/common/amqp_client.h"
#include "bridges/snmp/guest_mib.h"
#include "bridges/snmp/guest_table.h"

enum pending_kind {
    PENDING_RELOAD,  /* every Domain: the table rebuilt, stale rows dropped */
    PENDING_REFRESH, /* one domain after an event; a trap follows */
    PENDING_METHOD,  /* a SET's method call */
};

struct pending {
    struct pending *next;
    enum pending_kind kind;
    char agent[GUEST_HOST_MAX + 32]; /* the request's subject: its agent */
    uint64_t id;
    bool sent;
    char prefix[40];    /* RELOAD: the UUIDs it covers start so ("" for all) */
    size_t objects;     /* RELOAD: objects in the answer so far */
    unsigned char uuid[GUEST_UUID_LEN];
    char name[GUEST_NAME_MAX];
    char method[32];
    bool trap;          /* REFRESH after a lifecycle event: trap once the row is current */
    int event_state;    /* the state the event implies, or 0 */
    char host[GUEST_HOST_MAX], event[64], detail[64];
    uint64_t seq;       /* REFRESH after an event: the event's */
    void *token;        /* METHOD: the delegated SET */
};

/* An agent met on a broker or behind the listener: its epoch tells a restart, its seq (broker)
 * what was seen. */
struct bridge_agent {
    struct bridge_agent *next;
    char name[GUEST_HOST_MAX + 32];
    char host[GUEST_HOST_MAX]; /* what follows the prefix in its name: HOST or HOST@CONNECTION */
    char uri[256];             /* the connection it serves, as its locate answer or heartbeat says */
    uint64_t epoch;
    uint64_t last_seq;
    bool have_seq;
    bool located; /* it answered a locate (or a heartbeat came) since the connection came up */
};

struct bridge {
    sd_event *loop;
    struct amqp_client *amqp;
    struct guest_table table;
    struct guest_mib *mib;
    bool broker;  /* connected to a RabbitMQ broker, not to virtbusd's listener */
    char console_name[64];

    pn_link_t *requests, *replies, *events;
    pn_link_t *topic;      /* locate requests out */
    pn_link_t *heartbeats; /* broker: heartbeats in */
    bool locate_due;
    struct bridge_agent *agents;
    char reply_to[256];
    pn_message_t *message, *outgoing; /* one to decode into, one to encode */

    struct pending *pending, **pending_tail;
    uint64_t next_id;
    uint64_t last_seq;
    bool have_seq;
    unsigned long traps_sent;
    uint64_t reloaded_usec; /* when the last reload ended (CLOCK_MONOTONIC) */
    bool reload_failed;     /* a part was refused: the reload sweeps no row */
};

/* profile: NULL or "" for virtbusd's listener, "rabbitmq" for a broker. */
int bridge_init(struct bridge *bridge, sd_event *loop, const struct amqp_url *url, const char *profile);
void bridge_done(struct bridge *bridge);

/* CpuTime was read (see guest_cpu_read_function): values older than CPU_TIME_MAX_AGE_USEC
 * are fetched again, by one reload of every domain, at most one at a time. */
#define CPU_TIME_MAX_AGE_USEC 1000000ull
void bridge_cpu_time_read(void *userdata);

/* Queues a method call for a SET (see guest_set_function). */
int bridge_set(void *userdata, const struct guest_row *row, enum guest_action action, void *token);
