/* virtbusd's main loop: everything runs on one sd-event loop. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "api/connect.h"
#include "daemon/server.h"
#include "dbus/authorize.h"
#include "dbus/bus.h"
#include "events/event.h"
#include "util/log.h"

/* org.freedesktop.DBus.RequestName reply: the caller is now the primary owner. */
#define DBUS_REQUEST_NAME_PRIMARY_OWNER 1u

struct server {
    sd_event *loop;
    sd_event_source *event_dispatch; /* one-shot: delivers queued events after the current call */
    struct vb_event_stream *events;
    struct vb_connect *conns[1];
    size_t n_conns;
    sd_bus *bus;
    struct dbus_frontend *dbus;
};

static int on_dispatch_events(sd_event_source *source, void *userdata)
{
    struct server *server = userdata;

    vb_event_stream_dispatch(server->events);
    return 0;
}

static void wake_event_dispatch(void *userdata)
{
    struct server *server = userdata;

    sd_event_source_set_enabled(server->event_dispatch, SD_EVENT_ONESHOT);
}

static int on_terminate(sd_event_source *source, const struct signalfd_siginfo *info, void *userdata)
{
    struct server *server = userdata;

    vb_log_info("received %s, shutting down", strsignal((int) info->ssi_signo));
    sd_notify(0, "STOPPING=1");
    return sd_event_exit(server->loop, 0);
}

static int on_name_acquired(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
    struct server *server = userdata;
    const sd_bus_error *error = sd_bus_message_get_error(reply);
    uint32_t result = 0;

    if (error) {
        vb_log_error("could not own %s: %s", DBUS_SERVICE_NAME, error->message);
        return sd_event_exit(server->loop, EXIT_FAILURE);
    }
    /* RequestName answers "exists" as a normal reply, not an error. */
    if (sd_bus_message_read(reply, "u", &result) < 0 || result != DBUS_REQUEST_NAME_PRIMARY_OWNER) {
        vb_log_error("could not own %s: it is owned by another process", DBUS_SERVICE_NAME);
        return sd_event_exit(server->loop, EXIT_FAILURE);
    }
    vb_log_info("serving %s", DBUS_SERVICE_NAME);
    sd_notify(0, "READY=1\nSTATUS=Serving org.libvirt");
    return 0;
}

static int setup_loop(struct server *server, const struct vb_daemon_config *config)
{
    sigset_t mask;
    int r;

    r = sd_event_default(&server->loop);
    if (r < 0)
        return r;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN);
    r = sd_event_add_signal(server->loop, NULL, SIGTERM, on_terminate, server);
    if (r >= 0)
        r = sd_event_add_signal(server->loop, NULL, SIGINT, on_terminate, server);
    if (r < 0)
        return r;
    server->events = vb_event_stream_new(config->event_replay);
    if (!server->events)
        return -ENOMEM;
    r = sd_event_add_defer(server->loop, &server->event_dispatch, on_dispatch_events, server);
    if (r < 0)
        return r;
    sd_event_source_set_enabled(server->event_dispatch, SD_EVENT_OFF);
    vb_event_stream_set_wakeup(server->events, wake_event_dispatch, server);
    return 0;
}

static int open_connections(struct server *server, const struct vb_daemon_config *config)
{
    struct vb_driver_env env = { .events = server->events, .state_dir = config->state_dir, .loop = server->loop };
    struct vb_error err = VB_ERROR_INIT;

    if (vb_connect_open(config->test_uri, &env, &server->conns[0], &err) < 0) {
        vb_log_error("cannot open %s: %s", config->test_uri, vb_error_message(&err));
        vb_error_clear(&err);
        return -EINVAL;
    }
    server->n_conns = 1;
    vb_log_debug("opened %s (driver %s)", config->test_uri, server->conns[0]->driver->name);
    return 0;
}

static int setup_bus(struct server *server, const struct vb_daemon_config *config)
{
    /* On the session bus every caller is the daemon's own user: nothing to authorize. */
    struct dbus_authorize_options authorize = { .enabled = config->bus == VB_BUS_SYSTEM,
                                                .cache_seconds = config->polkit_cache_seconds };
    int r;

    r = config->bus == VB_BUS_SYSTEM ? sd_bus_open_system(&server->bus) : sd_bus_open_user(&server->bus);
    if (r < 0) {
        vb_log_error("cannot connect to the %s bus: %s", config->bus == VB_BUS_SYSTEM ? "system" : "session",
                     strerror(-r));
        return r;
    }
    r = sd_bus_attach_event(server->bus, server->loop, SD_EVENT_PRIORITY_NORMAL);
    if (r >= 0)
        r = sd_bus_set_exit_on_disconnect(server->bus, true);
    if (r >= 0)
        r = dbus_frontend_new(server->bus, server->conns, server->n_conns, server->events, &authorize,
                              &server->dbus);
    if (r >= 0)
        r = sd_bus_request_name_async(server->bus, NULL, DBUS_SERVICE_NAME, 0, on_name_acquired, server);
    return r;
}

static void server_teardown(struct server *server)
{
    if (server->bus)
        sd_bus_flush_close_unref(server->bus);
    dbus_frontend_free(server->dbus);
    for (size_t i = 0; i < server->n_conns; i++)
        vb_connect_close(server->conns[i]);
    sd_event_source_unref(server->event_dispatch);
    vb_event_stream_free(server->events);
    sd_event_unref(server->loop);
}

int vb_server_run(const struct vb_daemon_config *config)
{
    struct server server = { 0 };
    int r;

    r = setup_loop(&server, config);
    if (r >= 0)
        r = open_connections(&server, config);
    if (r >= 0)
        r = setup_bus(&server, config);
    if (r >= 0)
        r = sd_event_loop(server.loop);
    else
        vb_log_error("startup failed: %s", strerror(-r));
    server_teardown(&server);
    return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
