/* The AMQP 1.0 / QMFv2 front end: what the daemon configures and calls. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api/connect.h"
#include "events/event.h"
#include "policy/engine.h"

struct sd_event;

/* Each broker's address conventions (bus/README.md). */
enum bus_broker_profile {
    BUS_BROKER_RABBITMQ,
    BUS_BROKER_QPIDD,
    BUS_BROKER_ACTIVEMQ,
};

struct bus_options {
    char **listen;        /* "HOST:PORT" each; none: no listener */
    size_t n_listen;
    char **connect;       /* broker URLs: amqp[s]://[USER:PASS@]HOST[:PORT] */
    size_t n_connect;
    enum bus_broker_profile profile;
    char *users_file;     /* PLAIN and EXTERNAL principals (virtbusctl amqp-passwd) */
    char *tls_cert, *tls_key, *tls_ca; /* cert+key: TLS on every listener; ca: client certificates */
    char *hostname;       /* the agent's instance name and the events' host; NULL: gethostname() */
    unsigned int broker_buffer;      /* events kept for a broker while it is away */
    unsigned int heartbeat_seconds;  /* QMF agent heartbeat interval */
    unsigned int open_timeout_seconds; /* a peer must finish SASL and open within this */
    char *state_dir;      /* where the event sequence high-water mark is kept */
    char **serve;         /* the connections served by QMF agents, one agent each: URIs, or "all";
                           * none given: the first (test:///default) */
    size_t n_serve;
};

void bus_options_init(struct bus_options *options);
void bus_options_clear(struct bus_options *options);
/* Appends a copy of value to a list option (listen, connect). */
int bus_options_add(char ***list, size_t *n, const char *value);
void bus_options_reset_list(char ***list, size_t *n);
int bus_broker_profile_from_string(const char *text, enum bus_broker_profile *profile);
/* Checks what can be checked before anything starts: listen addresses and broker URLs are well
 * formed, TLS has both a certificate and a key. -1 with err naming the bad value. */
int bus_options_check(const struct bus_options *options, struct vb_error *err);

struct bus_frontend;

/* Opens the listeners and the broker connections. Fails (naming what) when a listener cannot
 * bind or a file cannot be read. */
int bus_frontend_new(struct sd_event *loop, const struct bus_options *options, struct vb_connect *const *conns,
                     size_t n_conns, struct vb_event_stream *events, struct policy_engine *engine,
                     struct bus_frontend **out, struct vb_error *err);
/* Stops accepting, cancels calls in flight (their answers go nowhere). */
void bus_frontend_stop(struct bus_frontend *fe);
bool bus_frontend_any_pending(const struct bus_frontend *fe);
void bus_frontend_free(struct bus_frontend *fe);
