/* virtbusd's main loop: everything runs on one sd-event loop. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "api/connect.h"
#include "bus/bus.h"
#include "daemon/server.h"
#include "dbus/bus.h"
#include "events/event.h"
#include "events/seq_file.h"
#include "policy/engine.h"
#include "util/log.h"
#include "util/time.h"

/* org.freedesktop.DBus.RequestName reply: the caller is now the primary owner. */
#define DBUS_REQUEST_NAME_PRIMARY_OWNER 1u
/* At shutdown, calls still pending get this long to end before their drivers are closed. */
#define SHUTDOWN_DRAIN_USEC (2ull * 1000000ull)

struct server {
    sd_event *loop;
    sd_event_source *event_dispatch; /* one-shot: delivers queued events after the current call */
    struct vb_event_stream *events;
    struct vb_connect *conns[2]; /* /org/libvirt/Test, then /org/libvirt/QEMU when served */
    size_t n_conns;
    sd_bus *bus;
    struct policy_engine *engine;
    struct dbus_frontend *dbus;
    struct bus_frontend *amqp;
    struct vb_event_seq_file *seq_file;
    bool state_initialized;
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

/* SIGHUP: the drivers re-read what lives as long as the daemon (libvirt's virStateReload). */
static int on_reload(sd_event_source *source, const struct signalfd_siginfo *info, void *userdata)
{
    struct vb_error err = VB_ERROR_INIT;

    vb_log_info("received SIGHUP, reloading");
    sd_notify(0, "RELOADING=1");
    if (vb_state_reload(&err) < 0)
        vb_log_warning("reload failed: %s", vb_error_message(&err));
    vb_error_clear(&err);
    sd_notify(0, "READY=1");
    return 0;
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
    sigaddset(&mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN);
    r = sd_event_add_signal(server->loop, NULL, SIGTERM, on_terminate, server);
    if (r >= 0)
        r = sd_event_add_signal(server->loop, NULL, SIGINT, on_terminate, server);
    if (r >= 0)
        r = sd_event_add_signal(server->loop, NULL, SIGHUP, on_reload, server);
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

static struct vb_driver_env driver_env(struct server *server, const struct vb_daemon_config *config)
{
    return (struct vb_driver_env){ .events = server->events, .state_dir = config->state_dir,
                                   .qemu_root = config->qemu_root, .loop = server->loop,
                                   .job_wait_usec = (uint64_t) config->job_wait_timeout_ms * 1000u,
                                   .max_queued_jobs = config->max_queued_jobs,
                                   .storage_roots = config->storage_roots,
                                   .n_storage_roots = config->n_storage_roots,
                                   .storage_roots_set = config->storage_roots_set };
}

/* The drivers' daemon-long state first, then the connections, then autostart (libvirt's
 * virStateInitialize does the same in one step, before any client can connect). */
static int open_connections(struct server *server, const struct vb_daemon_config *config)
{
    struct vb_driver_env env = driver_env(server, config);
    struct vb_error err = VB_ERROR_INIT;

    /* Event numbers continue where the last run left them, before any driver emits. */
    if (vb_event_seq_file_open(server->events, config->state_dir, &server->seq_file, &err) < 0) {
        vb_log_error("%s", vb_error_message(&err));
        vb_error_clear(&err);
        return -EINVAL;
    }
    if (vb_state_initialize(&env, &err) < 0) {
        vb_error_clear(&err);
        return -EINVAL;
    }
    server->state_initialized = true;
    if (vb_connect_open(config->test_uri, &env, &server->conns[0], &err) < 0) {
        vb_log_error("cannot open %s: %s", config->test_uri, vb_error_message(&err));
        vb_error_clear(&err);
        return -EINVAL;
    }
    server->n_conns = 1;
    vb_log_debug("opened %s (driver %s)", config->test_uri, server->conns[0]->driver->name);
    if (vb_daemon_config_has_qemu(config)) {
        if (vb_connect_open(config->qemu_uri, &env, &server->conns[1], &err) < 0) {
            vb_log_error("cannot open %s: %s (use --qemu-uri none to serve no QEMU connection)", config->qemu_uri,
                         vb_error_message(&err));
            vb_error_clear(&err);
            return -EINVAL;
        }
        server->n_conns = 2;
        vb_log_debug("opened %s (driver %s)", config->qemu_uri, server->conns[1]->driver->name);
    }
    vb_state_auto_start();
    return 0;
}

static int setup_bus(struct server *server, const struct vb_daemon_config *config)
{
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
    /* On the session bus every caller is the daemon's own user: nothing to authorize. */
    if (r >= 0)
        r = policy_engine_new(&(struct policy_engine_options){ .enabled = config->bus == VB_BUS_SYSTEM,
                                                               .cache_seconds = config->polkit_cache_seconds,
                                                               .polkit_bus = server->bus },
                              &server->engine);
    if (r >= 0)
        r = dbus_frontend_new(server->bus, server->conns, server->n_conns, server->events, server->engine,
                              config->signals == VB_SIGNALS_BROADCAST, &server->dbus);
    return r;
}

/* Owning the name says "ready" to clients (and to whoever waits for it), so it comes last,
 * once every front end listens. */
static int request_name(struct server *server)
{
    return sd_bus_request_name_async(server->bus, NULL, DBUS_SERVICE_NAME, 0, on_name_acquired, server);
}

static int setup_amqp(struct server *server, const struct vb_daemon_config *config)
{
    struct vb_error err = VB_ERROR_INIT;

    if (config->amqp.n_listen == 0 && config->amqp.n_connect == 0)
        return 0;
    if (bus_frontend_new(server->loop, &config->amqp, server->conns, server->n_conns, server->events,
                         server->engine, &server->amqp, &err) < 0) {
        vb_log_error("AMQP: %s", vb_error_message(&err));
        vb_error_clear(&err);
        return -EINVAL;
    }
    return 0;
}

/* Calls still pending are cancelled and given a moment to end, so every driver has answered
 * (to nobody) before it is closed. */
static void drain_pending_calls(struct server *server)
{
    uint64_t deadline = vb_now_usec() + SHUTDOWN_DRAIN_USEC;

    bus_frontend_stop(server->amqp);
    if (server->dbus)
        dbus_frontend_stop(server->dbus);
    while (((server->dbus && dbus_calls_any_pending(server->dbus)) || bus_frontend_any_pending(server->amqp)) &&
           vb_now_usec() < deadline)
        if (sd_event_run(server->loop, 100000) < 0)
            break;
}

static void server_teardown(struct server *server)
{
    drain_pending_calls(server);
    /* Connections close before the front end goes: a driver ends what is still pending, and
     * the front end must still be there to take those ends. */
    for (size_t i = 0; i < server->n_conns; i++)
        vb_connect_close(server->conns[i]);
    if (server->state_initialized)
        vb_state_cleanup();
    bus_frontend_free(server->amqp);
    dbus_frontend_free(server->dbus);
    policy_engine_free(server->engine);
    if (server->bus)
        sd_bus_flush_close_unref(server->bus);
    sd_event_source_unref(server->event_dispatch);
    vb_event_stream_free(server->events);
    vb_event_seq_file_free(server->seq_file);
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
        r = setup_amqp(&server, config);
    if (r >= 0)
        r = request_name(&server);
    if (r >= 0)
        r = sd_event_loop(server.loop);
    else
        vb_log_error("startup failed: %s", strerror(-r));
    server_teardown(&server);
    return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
