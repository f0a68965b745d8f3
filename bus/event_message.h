/* An internal event as the AMQP messages virtbus publishes: plain JSON on virtbus.events, and
 * a QMF _data_indication on qmf.default.topic. Pure: no connection, no loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <proton/message.h>

#include "bus/amqp_writer.h"
#include "events/event.h"

/* Whether an event goes out on AMQP: every domain event, and the lifecycle (and pool refresh)
 * events of networks, storage pools and node devices. */
bool bus_event_published(const struct vb_event *event);

/* The JSON body: {seq, host, uri, domain: {name, uuid}, event, detail, timestamp}; for the other
 * kinds {seq, host, uri, object: "network", network: {name, uuid}, event, detail, timestamp}
 * ("storage-pool", "node-device" likewise; a node device's uuid is ""). malloc'd. */
char *bus_event_json(const struct vb_event *event, const char *host);
/* The routing key <host>.<domain>.<event>, for the other kinds <host>.<kind>.<name>.<event>
 * ('.' inside a name becomes '_'). malloc'd. */
char *bus_event_routing_key(const struct vb_event *event, const char *host);
/* The JSON message, encoded into w (reset first): subject the routing key, content type
 * application/json, application properties seq, event, domain, host (and virtbus.gap when
 * gap_oldest > 0), the JSON as a data section. -1: out of memory. */
int bus_event_json_encode(const struct vb_event *event, const char *host, uint64_t gap_oldest,
                          struct amqp_writer *w);

/* The QMF event class of an event: "domainLifecycle", "domainEvent", "networkLifecycle",
 * "poolLifecycle" or "nodeDeviceLifecycle". */
const char *bus_event_qmf_class(const struct vb_event *event);
/* QMF severity 0..7 (3 error for a crash, 4 warn for a failure, 6 info otherwise). */
int bus_event_qmf_severity(const struct vb_event *event);
/* agent.ind.event.org_libvirt.<class>.<severity name>.virtbus_org.virtbusd, malloc'd. */
char *bus_event_qmf_subject(const struct vb_event *event);
pn_message_t *bus_event_qmf_message(const struct vb_event *event, const char *host, const char *agent_name);

/* The event and detail words of the JSON body and the QMF values ("started", "booted"). */
void bus_event_words(const struct vb_event *event, char *event_word, size_t event_size, char *detail_word,
                     size_t detail_size);
