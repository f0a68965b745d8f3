/* The QMF agents: one per served connection, as libvirt-qmf ran one agent per libvirt
 * connection, each with its own name, objects and methods, and the events of its connection.
 *
 * The first agent keeps the name a single-agent virtbusd always had (virtbus.org:virtbusd:<host>),
 * so consoles and bridges that know one agent per host keep finding it; every other agent adds
 * its connection after an '@' (virtbus.org:virtbusd:<host>@qemu-session). A host name has no '@'
 * (bus/frontend.c refuses one), so names stay distinct across hundreds of hosts on one broker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/frontend.h"
#include "util/macros.h"

#define SERVE_ALL "all"

/* The connection part of an agent's instance: the URI without its query, every run of
 * characters other than letters, digits, '.' and '-' made one '-' ("qemu:///session" becomes
 * "qemu-session", "test:///tmp/node.xml" "test-tmp-node.xml"): a word that needs no quoting in
 * broker addresses or routing keys. */
static char *connection_tag(const char *uri)
{
    size_t n = strcspn(uri, "?#");
    char *tag = malloc(n + 1), *out = tag;

    if (!tag)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = uri[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                     c == '-';
        if (plain)
            *out++ = c;
        else if (out > tag && out[-1] != '-')
            *out++ = '-';
    }
    while (out > tag && out[-1] == '-')
        out--;
    *out = '\0';
    return tag;
}

static int agent_init(struct bus_frontend *fe, struct bus_agent *agent, struct vb_connect *conn, bool first)
{
    _cleanup_free_ char *tag = NULL;

    agent->fe = fe;
    agent->conn = conn;
    if (first)
        agent->instance = strdup(fe->hostname);
    else if ((tag = connection_tag(conn->uri)) && asprintf(&agent->instance, "%s@%s", fe->hostname, tag) < 0)
        agent->instance = NULL;
    if (!agent->instance ||
        asprintf(&agent->name, "%s:%s:%s", BUS_AGENT_VENDOR, BUS_AGENT_PRODUCT, agent->instance) < 0) {
        agent->name = NULL;
        return -ENOMEM;
    }
    return 0;
}

static struct vb_connect *connection_named(struct vb_connect *const *conns, size_t n_conns, const char *uri)
{
    for (size_t i = 0; i < n_conns; i++)
        if (streq(conns[i]->uri, uri))
            return conns[i];
    return NULL;
}

/* The connections to serve, in order: each URI of the list once, "all" alone, or the first. */
static int served_connections(const struct bus_options *o, struct vb_connect *const *conns, size_t n_conns,
                              struct vb_connect **out, size_t *n_out, struct vb_error *err)
{
    *n_out = 0;
    if (o->n_serve == 0) {
        out[(*n_out)++] = conns[0];
        return 0;
    }
    for (size_t i = 0; i < o->n_serve; i++) {
        const char *uri = o->serve[i];
        struct vb_connect *conn;

        if (streq(uri, SERVE_ALL)) {
            if (o->n_serve > 1)
                return vb_error_set(err, VB_ERR_INVALID_ARG, "AMQP: '%s' serves every connection: name no URI "
                                    "beside it (--amqp-serve)", SERVE_ALL);
            for (size_t j = 0; j < n_conns; j++)
                out[(*n_out)++] = conns[j];
            return 0;
        }
        conn = connection_named(conns, n_conns, uri);
        if (!conn)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "AMQP: no connection serves '%s' (--amqp-serve)", uri);
        for (size_t j = 0; j < *n_out; j++)
            if (out[j] == conn)
                return vb_error_set(err, VB_ERR_INVALID_ARG, "AMQP: '%s' is named twice (--amqp-serve)", uri);
        out[(*n_out)++] = conn;
    }
    return 0;
}

int bus_agents_new(struct bus_frontend *fe, struct vb_connect *const *conns, size_t n_conns, struct vb_error *err)
{
    _cleanup_free_ struct vb_connect **served = NULL;
    size_t n = 0;

    /* Every URI named is a distinct served connection, so there are at most n_conns agents. */
    fe->connections = calloc(n_conns, sizeof(*fe->connections));
    fe->agents = calloc(n_conns, sizeof(*fe->agents));
    served = calloc(n_conns, sizeof(*served));
    if (!fe->connections || !fe->agents || !served)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(fe->connections, conns, n_conns * sizeof(*conns));
    fe->n_connections = n_conns;
    if (served_connections(fe->options, conns, n_conns, served, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (agent_init(fe, &fe->agents[i], served[i], i == 0) < 0)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        fe->n_agents++;
        for (size_t j = 0; j < i; j++)
            if (streq(fe->agents[j].name, fe->agents[i].name))
                return vb_error_set(err, VB_ERR_INVALID_ARG, "AMQP: '%s' and '%s' would both be agent '%s'",
                                    fe->agents[j].conn->uri, served[i]->uri, fe->agents[i].name);
    }
    return 0;
}

void bus_agents_free(struct bus_frontend *fe)
{
    for (size_t i = 0; fe->agents && i < fe->n_connections; i++) {
        free(fe->agents[i].instance);
        free(fe->agents[i].name);
    }
    free(fe->agents);
    free(fe->connections);
    fe->agents = NULL;
    fe->connections = NULL;
    fe->n_agents = fe->n_connections = 0;
}

const struct bus_agent *bus_agent_by_name(const struct bus_frontend *fe, const char *name)
{
    if (!name || !*name)
        return &fe->agents[0];
    for (size_t i = 0; i < fe->n_agents; i++)
        if (streq(fe->agents[i].name, name))
            return &fe->agents[i];
    return NULL;
}

const struct bus_agent *bus_agent_of_uri(const struct bus_frontend *fe, const char *uri)
{
    for (size_t i = 0; uri && i < fe->n_agents; i++)
        if (streq(fe->agents[i].conn->uri, uri))
            return &fe->agents[i];
    return NULL;
}

struct vb_connect *bus_frontend_connection_of(const struct bus_frontend *fe, const char *uri)
{
    struct vb_connect *conn = uri ? connection_named(fe->connections, fe->n_connections, uri) : NULL;

    return conn ? conn : fe->connections[0];
}
