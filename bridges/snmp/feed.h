/* The pieces of virtbus-snmp's AMQP side that its files share (feed.c, requests.c, replies.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <proton/message.h>

#include "bridges/snmp/bridge.h"

struct pending *pending_add(struct bridge *bridge, enum pending_kind kind, const char *agent);
void pending_unlink(struct bridge *bridge, struct pending *p);
void pending_free(struct pending *p);
struct pending *pending_find(struct bridge *bridge, pn_message_t *msg);

/* Sends what is queued as far as credit allows. */
void bridge_send_requests(struct bridge *bridge);

/* Queues a reload of every Domain of agent (NULL: of the one agent behind the listener); rows
 * of its host that the reload does not list are dropped when it ends. */
void bridge_queue_reload(struct bridge *bridge, const char *agent);

/* virtbusd's answers hold at most ~1200 Domain objects (proton's pn_data holds 65535 nodes;
 * more are silently cut off), so a reload asks for UUID ranges: one answer of
 * RELOAD_SPLIT_AT or more objects may have been cut and is asked again in 16 narrower ones. */
#define RELOAD_SPLIT_AT 500
void bridge_queue_reload_part(struct bridge *bridge, const char *agent, const char *prefix);

/* The host of an agent name (virtbus.org:virtbusd:<host>), or NULL for NULL. */
const char *bridge_host_of_agent(const char *agent);

/* Handles an answer on the reply link. */
void bridge_handle_reply(struct bridge *bridge, pn_message_t *msg);

/* A locate answer or heartbeat named an agent (broker mode): a new agent, or one whose epoch
 * changed (its virtbusd restarted), has its domains reloaded. */
void bridge_agent_seen(struct bridge *bridge, pn_message_t *msg);

/* The QMF agent that manages host's domains: NULL on the listener (its one agent). */
const char *bridge_agent_of_host(struct bridge *bridge, const char *host);

/* The agent an event's domain belongs to: host's agent serving uri (NULL when not on a broker). */
const struct bridge_agent *bridge_agent_of_event(struct bridge *bridge, const char *host, const char *uri);
/* Whether an event of host with seq is new (and remembers it); says so when some were missed. */
bool bridge_event_is_new(struct bridge *bridge, const char *host, uint64_t seq);

/* After a reconnect every agent's next locate answer or heartbeat reloads it. */
void bridge_agents_forget_epochs(struct bridge *bridge);
void bridge_agents_free(struct bridge *bridge);
