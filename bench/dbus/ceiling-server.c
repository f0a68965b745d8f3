/* ceiling-server: the fastest possible sd-bus service, one empty method, the ceiling for bench/dbus. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define CEILING_NAME "org.virtbus.BenchCeiling"
#define CEILING_PATH "/org/virtbus/Bench"
#define CEILING_IFACE "org.virtbus.Bench"

static int method_empty(sd_bus_message *m, void *userdata __attribute__((unused)),
                        sd_bus_error *ret_error __attribute__((unused))) {
    return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable ceiling_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Empty", "", "", method_empty, 0),
    SD_BUS_VTABLE_END,
};

/* Same shape as virtbusd: sd-bus attached to an sd-event loop, SIGTERM ends the loop. */
static int serve(void) {
    sd_event *loop = NULL;
    sd_bus *bus = NULL;
    sigset_t mask;
    int r;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);

    r = sd_event_default(&loop);
    if (r >= 0)
        r = sd_event_add_signal(loop, NULL, SIGTERM, NULL, NULL);
    if (r >= 0)
        r = sd_event_add_signal(loop, NULL, SIGINT, NULL, NULL);
    if (r >= 0)
        r = sd_bus_open_user(&bus); /* DBUS_SESSION_BUS_ADDRESS names the private bus */
    if (r >= 0)
        r = sd_bus_add_object_vtable(bus, NULL, CEILING_PATH, CEILING_IFACE, ceiling_vtable, NULL);
    if (r >= 0)
        r = sd_bus_request_name(bus, CEILING_NAME, 0);
    if (r >= 0)
        r = sd_bus_attach_event(bus, loop, SD_EVENT_PRIORITY_NORMAL);
    if (r >= 0)
        r = sd_event_loop(loop);
    if (r < 0)
        fprintf(stderr, "ceiling-server: %s\n", strerror(-r));
    sd_bus_flush_close_unref(bus);
    sd_event_unref(loop);
    return r;
}

int main(void) {
    return serve() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
