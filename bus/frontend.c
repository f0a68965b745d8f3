/* The AMQP front end's life: options, listeners, brokers, the heartbeat, and shutdown.
 *
 * One loop: proton runs through pn_connection_driver on our own sockets, polled together as
 * one sd-event I/O source (conn_poll.c), so every AMQP event is handled on the thread that owns the core, exactly like a D-Bus
 * call. The alternative (proton's proactor in its own thread, handing work over through an
 * eventfd queue) would copy every request and reply across threads and add locking to the
 * event fan-out, for no gain: proton's work per message is small next to the core's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <proton/ssl.h>
#include <systemd/sd-event.h>

#include "bus/broker.h"
#include "bus/broker_url.h"
#include "bus/listener.h"
#include "bus/request.h"
#include "bus/users.h"
#include "util/log.h"
#include "util/time.h"

void bus_options_init(struct bus_options *options)
{
    *options = (struct bus_options){ .profile = BUS_BROKER_RABBITMQ, .broker_buffer = 10000,
                                     .heartbeat_seconds = 10, .open_timeout_seconds = 10 };
}

void bus_options_reset_list(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}

void bus_options_clear(struct bus_options *options)
{
    bus_options_reset_list(&options->listen, &options->n_listen);
    bus_options_reset_list(&options->connect, &options->n_connect);
    free(options->users_file);
    free(options->tls_cert);
    free(options->tls_key);
    free(options->tls_ca);
    free(options->hostname);
    free(options->state_dir);
    bus_options_reset_list(&options->serve, &options->n_serve);
    bus_options_init(options);
}

int bus_options_add(char ***list, size_t *n, const char *value)
{
    char **grown = realloc(*list, (*n + 1) * sizeof(**list));

    if (!grown)
        return -ENOMEM;
    *list = grown;
    grown[*n] = strdup(value);
    if (!grown[*n])
        return -ENOMEM;
    (*n)++;
    return 0;
}

int bus_broker_profile_from_string(const char *text, enum bus_broker_profile *profile)
{
    if (strcmp(text, "rabbitmq") == 0)
        *profile = BUS_BROKER_RABBITMQ;
    else if (strcmp(text, "qpidd") == 0)
        *profile = BUS_BROKER_QPIDD;
    else if (strcmp(text, "activemq") == 0)
        *profile = BUS_BROKER_ACTIVEMQ;
    else
        return -EINVAL;
    return 0;
}

int bus_options_check(const struct bus_options *o, struct vb_error *err)
{
    char host[256], port[16];
    struct bus_broker_url url;

    for (size_t i = 0; i < o->n_listen; i++)
        if (bus_listen_address_split(o->listen[i], host, sizeof(host), port, sizeof(port)) < 0)
            return vb_error_set_literal(err, VB_ERR_CONF_SYNTAX, "AMQP listen address '%s' is not HOST:PORT", o->listen[i]);
    for (size_t i = 0; i < o->n_connect; i++)
        if (bus_broker_url_parse(o->connect[i], &url) < 0)
            return vb_error_set_literal(err, VB_ERR_CONF_SYNTAX, "broker URL '%s' is not amqp[s]://[USER[:PASSWORD]@]HOST[:PORT]",
                                o->connect[i]);
    if ((o->tls_cert || o->tls_key || o->tls_ca) && (!o->tls_cert || !o->tls_key))
        return vb_error_set_literal(err, VB_ERR_CONF_SYNTAX, "AMQP TLS needs both a certificate and a key");
    return 0;
}

static int on_heartbeat(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct bus_frontend *fe = userdata;

    bus_qmf_send_heartbeat(fe);
    sd_event_source_set_time(source, usec + fe->options->heartbeat_seconds * 1000000ull);
    return 0;
}

static int setup_names(struct bus_frontend *fe, struct vb_error *err)
{
    char host[256] = "";

    if (fe->options->hostname)
        snprintf(host, sizeof(host), "%s", fe->options->hostname);
    else if (gethostname(host, sizeof(host) - 1) < 0)
        snprintf(host, sizeof(host), "localhost");
    /* '@' separates the host from the connection in the names of the agents after the first. */
    if (!host[0] || strpbrk(host, " @"))
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "host name '%s' is not usable in agent names", host);
    fe->hostname = strdup(host);
    if (!fe->hostname)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    fe->epoch = vb_realtime_usec() / 1000000u;
    return 0;
}

/* TLS on every listener when a certificate is configured; client certificates are asked for
 * (and verified against the CA) when a CA is given, for SASL EXTERNAL. */
static int setup_tls(struct bus_frontend *fe, struct vb_error *err)
{
    const struct bus_options *o = fe->options;

    if (!o->tls_cert && !o->tls_key && !o->tls_ca)
        return 0;
    if (!o->tls_cert || !o->tls_key)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "AMQP TLS needs both a certificate and a key");
    fe->ssl_server = pn_ssl_domain(PN_SSL_MODE_SERVER);
    if (!fe->ssl_server)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "this proton has no TLS support");
    if (pn_ssl_domain_set_credentials(fe->ssl_server, o->tls_cert, o->tls_key, NULL) != 0)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "cannot load TLS certificate '%s' and key '%s'", o->tls_cert,
                            o->tls_key);
    if (o->tls_ca) {
        if (pn_ssl_domain_set_trusted_ca_db(fe->ssl_server, o->tls_ca) != 0 ||
            pn_ssl_domain_set_peer_authentication(fe->ssl_server, PN_SSL_VERIFY_PEER, o->tls_ca) != 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "cannot load TLS CA '%s'", o->tls_ca);
    } else {
        pn_ssl_domain_set_peer_authentication(fe->ssl_server, PN_SSL_ANONYMOUS_PEER, NULL);
    }
    return 0;
}

static int open_endpoints(struct bus_frontend *fe, struct vb_error *err)
{
    const struct bus_options *o = fe->options;

    fe->listeners = calloc(o->n_listen ? o->n_listen : 1, sizeof(*fe->listeners));
    fe->brokers = calloc(o->n_connect ? o->n_connect : 1, sizeof(*fe->brokers));
    if (!fe->listeners || !fe->brokers)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < o->n_listen; i++) {
        if (bus_listener_new(fe, o->listen[i], &fe->listeners[i], err) < 0)
            return -1;
        fe->n_listeners++;
    }
    for (size_t i = 0; i < o->n_connect; i++) {
        if (bus_broker_new(fe, o->connect[i], &fe->brokers[i], err) < 0)
            return -1;
        fe->n_brokers++;
    }
    return 0;
}

int bus_frontend_new(struct sd_event *loop, const struct bus_options *options, struct vb_connect *const *conns,
                     size_t n_conns, struct vb_event_stream *events, struct policy_engine *engine,
                     struct bus_frontend **out, struct vb_error *err)
{
    struct bus_frontend *fe = calloc(1, sizeof(*fe));

    if (!fe || n_conns == 0) {
        free(fe);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    fe->loop = loop;
    fe->options = options;
    fe->events = events;
    fe->engine = engine;
    fe->poll_fd = -1;
    if (setup_names(fe, err) < 0 || bus_agents_new(fe, conns, n_conns, err) < 0 || setup_tls(fe, err) < 0 ||
        bus_poll_open(fe) < 0 ||
        (options->users_file && bus_users_load(options->users_file, &fe->users, err) < 0) ||
        sd_event_add_defer(loop, &fe->flush, bus_conns_flush_marked, fe) < 0 ||
        bus_events_subscribe(fe) < 0 || open_endpoints(fe, err) < 0 ||
        sd_event_add_time_relative(loop, &fe->heartbeat, CLOCK_MONOTONIC,
                                   options->heartbeat_seconds * 1000000ull, 0, on_heartbeat, fe) < 0) {
        if (!vb_error_is_set(err))
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        bus_frontend_free(fe);
        return -1;
    }
    sd_event_source_set_enabled(fe->heartbeat, SD_EVENT_ON);
    sd_event_source_set_enabled(fe->flush, SD_EVENT_OFF);
    *out = fe;
    return 0;
}

void bus_frontend_stop(struct bus_frontend *fe)
{
    if (!fe)
        return;
    fe->stopping = true;
    for (struct bus_conn *c = fe->conns; c; c = c->next)
        for (struct bus_request *r = c->requests; r; r = r->next)
            if (r->call_pending)
                vb_call_cancel(&r->call);
}

bool bus_frontend_any_pending(const struct bus_frontend *fe)
{
    return fe && fe->pending_calls > 0;
}

void bus_frontend_free(struct bus_frontend *fe)
{
    if (!fe)
        return;
    sd_event_source_disable_unref(fe->heartbeat);
    sd_event_source_disable_unref(fe->flush);
    /* The daemon closed the core's connections first (their drivers end what is pending): no
     * AMQP connection closed from here on tells them of its AUTODESTROY domains. */
    fe->n_agents = 0;
    for (size_t i = 0; i < fe->n_listeners; i++)
        bus_listener_free(fe->listeners[i]);
    for (size_t i = 0; i < fe->n_brokers; i++)
        bus_broker_free(fe->brokers[i]);
    while (fe->conns)
        bus_conn_free(fe->conns);
    bus_poll_close(fe);
    bus_events_unsubscribe(fe);
    if (fe->ssl_server)
        pn_ssl_domain_free(fe->ssl_server);
    bus_users_free(fe->users);
    free(fe->listeners);
    free(fe->brokers);
    bus_agents_free(fe);
    free(fe->hostname);
    free(fe);
}
