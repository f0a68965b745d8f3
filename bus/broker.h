/* Connecting out to an AMQP broker: the agent serves QMF requests that arrive through it and
 * publishes its events and heartbeats there, reconnecting with capped exponential backoff and
 * keeping the events produced meanwhile (bounded) to send, in order, when it is back. */
#pragma once

#include <proton/delivery.h>
#include <proton/message.h>

#include "bus/frontend.h"

struct bus_broker;

int bus_broker_new(struct bus_frontend *fe, const char *url, struct bus_broker **out, struct vb_error *err);
void bus_broker_free(struct bus_broker *broker);

/* From the connection's event handling. */
void bus_broker_opened(struct bus_broker *broker, const struct bus_conn *conn);
void bus_broker_lost(struct bus_broker *broker, const struct bus_conn *conn);
void bus_broker_flow(struct bus_broker *broker, struct bus_link *link);
void bus_broker_settled(struct bus_broker *broker, struct bus_link *link, pn_delivery_t *delivery);
void bus_broker_link_lost(struct bus_broker *broker, struct bus_link *link);

/* A reply to a console's address (not kept while the broker is away). */
int bus_broker_send_to(struct bus_broker *broker, const char *address, pn_message_t *msg);
/* An event: JSON and QMF, kept until the broker accepts them. */
void bus_broker_publish_event(struct bus_broker *broker, const struct vb_event *event);
void bus_broker_publish_heartbeat(struct bus_broker *broker, pn_message_t *heartbeat);
