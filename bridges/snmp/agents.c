/* The QMF agents virtbus-snmp meets: one per virtbusd host and connection it serves
 * (virtbus.org:virtbusd:HOST, and HOST@CONNECTION for the others when a virtbusd serves several);
 * found by locate answers (and on a broker by heartbeats), reloaded when new or restarted; and on
 * a broker the last event seq seen from each host (one stream per host, whatever agent it
 * reaches; on the listener struct bridge keeps the one stream's). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridges/common/qmf_console.h"
#include "bridges/snmp/feed.h"
#include "util/log.h"

#define AGENT_PREFIX "virtbus.org:virtbusd:"

static struct bridge_agent *agent_for_host(struct bridge *bridge, const char *host)
{
    struct bridge_agent *a;

    for (a = bridge->agents; a; a = a->next)
        if (strcmp(a->host, host) == 0)
            return a;
    a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    snprintf(a->host, sizeof(a->host), "%s", host);
    snprintf(a->name, sizeof(a->name), AGENT_PREFIX "%s", a->host);
    a->next = bridge->agents;
    bridge->agents = a;
    return a;
}

const char *bridge_agent_of_host(struct bridge *bridge, const char *host)
{
    struct bridge_agent *a = agent_for_host(bridge, host);

    return a ? a->name : NULL;
}

/* Whether agent a (its name's HOST or HOST@CONNECTION) is one of host's. */
static bool agent_is_of_host(const struct bridge_agent *a, const char *host, size_t len)
{
    return strncmp(a->host, host, len) == 0 && (a->host[len] == '\0' || a->host[len] == '@');
}

/* A connection has one agent per host: an agent that served uri before virtbusd restarted with
 * another amqp_serve order no longer takes its events. */
static void agent_take_uri(struct bridge *bridge, struct bridge_agent *agent, const char *uri)
{
    size_t len = strcspn(agent->host, "@");

    for (struct bridge_agent *a = bridge->agents; a; a = a->next)
        if (a != agent && agent_is_of_host(a, agent->host, len) && strcmp(a->uri, uri) == 0)
            a->uri[0] = '\0';
    snprintf(agent->uri, sizeof(agent->uri), "%s", uri);
}

void bridge_agent_seen(struct bridge *bridge, pn_message_t *msg)
{
    char name[GUEST_HOST_MAX + 32], uri[sizeof(((struct bridge_agent *) 0)->uri)];
    uint64_t epoch = 0;
    struct bridge_agent *a;

    if (qmf_console_agent_values(msg, name, sizeof(name), &epoch, uri, sizeof(uri)) < 0 ||
        strncmp(name, AGENT_PREFIX, strlen(AGENT_PREFIX)) != 0)
        return; /* not a virtbusd: none of ours */
    a = agent_for_host(bridge, name + strlen(AGENT_PREFIX));
    if (!a)
        return;
    if (uri[0])
        agent_take_uri(bridge, a, uri);
    a->located = true;
    if (a->epoch == epoch && epoch != 0)
        return;
    vb_log_info("agent %s (epoch %" PRIu64 "): reloading its domains", a->name, epoch);
    a->epoch = epoch;
    bridge_queue_reload(bridge, a->name);
    bridge_send_requests(bridge);
}

const struct bridge_agent *bridge_agent_of_event(struct bridge *bridge, const char *host, const char *uri)
{
    bool uris_known = false;

    for (const struct bridge_agent *a = bridge->agents; uri[0] && a; a = a->next) {
        if (!a->uri[0] || !agent_is_of_host(a, host, strlen(host)))
            continue;
        if (strcmp(a->uri, uri) == 0)
            return a;
        uris_known = true;
    }
    /* Asking an agent of another connection would drop no row but trap the domain's removal. */
    if (uris_known)
        return NULL;
    return agent_for_host(bridge, host); /* not located yet, or a virtbusd that names no uri */
}

bool bridge_event_is_new(struct bridge *bridge, const char *host, uint64_t seq)
{
    struct bridge_agent *a = bridge->broker ? agent_for_host(bridge, host) : NULL;
    uint64_t *last = a ? &a->last_seq : &bridge->last_seq;
    bool *have = a ? &a->have_seq : &bridge->have_seq;

    if (!bridge->broker || a) {
        if (*have && seq <= *last)
            return false; /* seen already (a broker delivers at least once) */
        if (*have && seq > *last + 1)
            vb_log_notice("events %" PRIu64 "..%" PRIu64 " of %s were not received; a reload covers them",
                          *last + 1, seq - 1, host);
        *last = seq;
        *have = true;
    }
    return true;
}

void bridge_agents_forget_epochs(struct bridge *bridge)
{
    for (struct bridge_agent *a = bridge->agents; a; a = a->next) {
        a->epoch = 0;
        a->located = false;
    }
}

void bridge_agents_sweep(struct bridge *bridge)
{
    for (struct bridge_agent **ap = &bridge->agents; *ap;) {
        struct bridge_agent *a = *ap;
        if (a->located) {
            ap = &a->next;
            continue;
        }
        vb_log_info("agent %s is gone", a->name);
        *ap = a->next;
        free(a);
    }
}

void bridge_agents_free(struct bridge *bridge)
{
    while (bridge->agents) {
        struct bridge_agent *a = bridge->agents;
        bridge->agents = a->next;
        free(a);
    }
}
