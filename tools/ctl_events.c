/* virtbusctl: the events command, printing DomainEvent signals as virsh `event` does. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "events/event.h"
#include "tools/ctl_events.h"
#include "tools/ctl_output.h"

/* ---- domain names ----------------------------------------------------------------------- */

/* The signal names an object path only, and an undefined domain can no longer be asked its
 * name: remember every name we have seen. */
struct name_entry {
    char *path, *name;
};

struct event_watch {
    struct ctl *ctl;
    sd_event *loop;
    char *filter_path; /* NULL: every domain */
    struct name_entry *names;
    size_t n_names;
    unsigned received;
    int status;
};

static struct name_entry *find_name(struct event_watch *w, const char *path)
{
    for (size_t i = 0; i < w->n_names; i++)
        if (streq(w->names[i].path, path))
            return &w->names[i];
    return NULL;
}

static void remember_name(struct event_watch *w, const char *path, char *name)
{
    struct name_entry *e = find_name(w, path), *grown;
    char *path_copy;

    if (e) {
        free(e->name);
        e->name = name;
        return;
    }
    path_copy = strdup(path);
    grown = path_copy ? reallocarray(w->names, w->n_names + 1, sizeof(*grown)) : NULL;
    if (!grown) {
        free(path_copy);
        free(name);
        return;
    }
    w->names = grown;
    w->names[w->n_names++] = (struct name_entry){ .path = path_copy, .name = name };
}

static const char *lookup_name(struct event_watch *w, const char *path)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    struct name_entry *e;
    char *name = NULL;

    if (sd_bus_get_property_string(w->ctl->bus, CTL_BUS_NAME, path, CTL_DOMAIN_INTERFACE, "Name", &error,
                                   &name) >= 0)
        remember_name(w, path, name);
    e = find_name(w, path);
    return e ? e->name : NULL;
}

static void learn_names(struct event_watch *w)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    const char *path;

    if (ctl_call(w->ctl, w->ctl->connect_path, CTL_CONNECT_INTERFACE, "ListDomains", &error, &reply, "u", 0u) < 0 ||
        sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "o") < 0)
        return;
    while (sd_bus_message_read_basic(reply, SD_BUS_TYPE_OBJECT_PATH, &path) > 0)
        lookup_name(w, path);
}

static void free_names(struct event_watch *w)
{
    for (size_t i = 0; i < w->n_names; i++) {
        free(w->names[i].path);
        free(w->names[i].name);
    }
    free(w->names);
}

/* ---- printing ----------------------------------------------------------------------------- */

static void format_timestamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static int print_event_json(const char *name, const char *uuid, int event, int detail)
{
    _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
    char timestamp[64];

    format_timestamp(timestamp, sizeof(timestamp));
    if (!o || ctl_json_add(o, "domain", json_object_new_string(name)) < 0 ||
        ctl_json_add(o, "uuid", json_object_new_string(uuid)) < 0 ||
        ctl_json_add(o, "event", json_object_new_string(vb_domain_event_to_string(event))) < 0 ||
        ctl_json_add(o, "detail", json_object_new_string(vb_domain_event_detail_to_string(event, detail))) < 0 ||
        ctl_json_add(o, "event_id", json_object_new_int(event)) < 0 ||
        ctl_json_add(o, "detail_id", json_object_new_int(detail)) < 0 ||
        ctl_json_add(o, "timestamp", json_object_new_string(timestamp)) < 0)
        return -ENOMEM;
    return ctl_json_print(o, true);
}

static int on_domain_event(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct event_watch *w = userdata;
    _cleanup_free_ char *uuid = NULL;
    const char *path, *name;
    int event, detail, r;

    if (sd_bus_message_read(m, "oii", &path, &event, &detail) < 0)
        return 0; /* not the signal libvirt-dbus sends: ignore, as its other clients would */
    if (w->filter_path && !streq(path, w->filter_path))
        return 0;
    uuid = ctl_uuid_from_path(path);
    name = lookup_name(w, path);
    if (!name)
        name = uuid ? uuid : path;
    if (w->ctl->opt.json)
        r = print_event_json(name, uuid ? uuid : "", event, detail);
    else
        r = printf("event 'lifecycle' for domain '%s': %s %s\n", name, vb_domain_event_to_string(event),
                   vb_domain_event_detail_to_string(event, detail));
    fflush(stdout);
    if (r < 0 || ferror(stdout)) {
        w->status = ctl_error("cannot write the event");
        return sd_event_exit(w->loop, 0);
    }
    w->received++;
    if (!w->ctl->opt.follow)
        return sd_event_exit(w->loop, 0);
    return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct event_watch *w = userdata;

    if (!w->ctl->opt.follow && w->received == 0)
        w->status = ctl_error("no event within %g seconds", w->ctl->opt.timeout);
    return sd_event_exit(w->loop, 0);
}

/* ---- the loop ----------------------------------------------------------------------------- */

static int setup_loop(struct event_watch *w)
{
    struct ctl *ctl = w->ctl;
    int r;

    r = sd_event_new(&w->loop);
    /* A NULL handler makes the loop exit, status 0: interrupting --follow is its normal end. */
    if (r >= 0)
        r = sd_event_add_signal(w->loop, NULL, SIGINT, NULL, NULL);
    if (r >= 0)
        r = sd_event_add_signal(w->loop, NULL, SIGTERM, NULL, NULL);
    if (r >= 0 && ctl->opt.timeout > 0)
        r = sd_event_add_time_relative(w->loop, NULL, CLOCK_MONOTONIC, (uint64_t) (ctl->opt.timeout * 1e6 + 0.5),
                                       0, on_timeout, w);
    if (r >= 0)
        r = sd_bus_attach_event(ctl->bus, w->loop, SD_EVENT_PRIORITY_NORMAL);
    if (r >= 0)
        r = sd_bus_set_exit_on_disconnect(ctl->bus, true);
    if (r < 0)
        return ctl_error("cannot set up the event loop: %s", strerror(-r));
    return 0;
}

static int watch(struct event_watch *w)
{
    struct ctl *ctl = w->ctl;
    _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
    sigset_t mask;
    int r;

    /* SIGINT and SIGTERM wait for the loop (its signal sources) from before the subscription is
     * visible on the bus: one sent as soon as a caller sees us subscribed still ends us cleanly. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    /* Subscribe before anything else, so no event after our start is missed. */
    r = sd_bus_match_signal(ctl->bus, &slot, CTL_BUS_NAME, ctl->connect_path, CTL_CONNECT_INTERFACE,
                            "DomainEvent", on_domain_event, w);
    if (r < 0)
        return ctl_error("cannot subscribe to domain events: %s", strerror(-r));
    learn_names(w);
    r = setup_loop(w);
    if (r != 0)
        return r;
    /* Our sources exit with 0; sd-bus exits the loop with EXIT_FAILURE when the bus goes away. */
    r = sd_event_loop(w->loop);
    if (r < 0)
        return ctl_error("event loop failed: %s", strerror(-r));
    if (r > 0 && w->status == 0)
        return ctl_error("lost the connection to the bus");
    return w->status;
}

int ctl_cmd_events(struct ctl *ctl, int argc, char **argv)
{
    struct event_watch w = { .ctl = ctl };
    int r = 0;

    if (argc > 0)
        r = ctl_lookup_domain(ctl, argv[0], &w.filter_path);
    if (r == 0)
        r = watch(&w);
    if (ctl->bus)
        sd_bus_detach_event(ctl->bus);
    sd_event_unref(w.loop);
    free(w.filter_path);
    free_names(&w);
    return r;
}
