/* A small AMQP 1.0 client for bridges: qpid-proton's pn_connection_driver on a non-blocking
 * socket of our own, driven by sd-event, reconnecting with backoff when the peer goes away. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <proton/connection_driver.h>
#include <proton/message.h>
#include <systemd/sd-event.h>

#include "bridges/common/amqp_url.h"

struct amqp_client;

struct amqp_client_callbacks {
    /* A new connection was opened locally (not yet by the peer): open sessions and links here;
     * they travel with the open. */
    void (*up)(struct amqp_client *client, pn_connection_t *connection, void *userdata);
    /* Every proton event of the connection, after the client's own handling. */
    void (*event)(struct amqp_client *client, pn_event_t *event, void *userdata);
    /* The connection is gone (links with it); a new one is tried after a backoff. */
    void (*down)(struct amqp_client *client, const char *reason, void *userdata);
};

struct amqp_client *amqp_client_new(sd_event *loop, const struct amqp_url *url, const char *container,
                                    const struct amqp_client_callbacks *callbacks, void *userdata);
void amqp_client_free(struct amqp_client *client);

/* Connects now (and again after every loss, 0.25 s doubling up to max_backoff_usec). */
void amqp_client_start(struct amqp_client *client, uint64_t max_backoff_usec);

/* Whether the peer has opened the connection (SASL done, open received). */
bool amqp_client_is_up(const struct amqp_client *client);

/* Writes out what was queued from outside a proton event (a timer, another socket). */
void amqp_client_flush(struct amqp_client *client);

/* Encodes and sends msg on sender (pre-settled: requests are answered, not acknowledged).
 * Returns 0, -EAGAIN without credit, or another negative errno. */
int amqp_client_send(pn_link_t *sender, pn_message_t *msg);

/* Decodes a complete delivery into msg. Returns 0 or -EBADMSG. */
int amqp_client_read(pn_delivery_t *delivery, pn_message_t *msg);
