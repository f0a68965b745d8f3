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

/* Queues a reload of every Domain of agent; rows of its host that the reload does not list are
 * dropped when it ends (on the listener, once no agent's reload remains, with every row that no
 * agent listed since the connection came up). */
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

/* A locate answer or heartbeat named an agent: a new agent, or one whose epoch changed (its
 * virtbusd restarted, or the connection came up again), has its domains reloaded. */
void bridge_agent_seen(struct bridge *bridge, pn_message_t *msg);

/* The QMF agent that manages the domains of a row's host (HOST or HOST@CONNECTION). */
const char *bridge_agent_of_host(struct bridge *bridge, const char *host);

/* The agent an event's domain belongs to: host's agent serving uri; host's first agent when
 * the event names no uri or no agent of host said which it serves (not located yet, or an older
 * virtbusd); NULL when host's agents serve other connections: virtbusd serves that one on D-Bus
 * only, and no row here is its. */
const struct bridge_agent *bridge_agent_of_event(struct bridge *bridge, const char *host, const char *uri);
/* Whether an event of host with seq is new (and remembers it); says so when some were missed. */
bool bridge_event_is_new(struct bridge *bridge, const char *host, uint64_t seq);

/* After a reconnect every agent's next locate answer or heartbeat reloads it (and locates it). */
void bridge_agents_forget_epochs(struct bridge *bridge);
/* On the listener, once every agent answered the locate: forgets the agents that did not (gone
 * with a virtbusd restarted to serve fewer connections), so that nothing is asked of them. */
void bridge_agents_sweep(struct bridge *bridge);
void bridge_agents_free(struct bridge *bridge);
