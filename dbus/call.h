/* A method call whose answer may come later: the core's call context, the message to answer
 * and the outputs the core writes, kept together until the core ends the call. One helper
 * answers every handler: the outputs, or the core's error. */
#pragma once

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "drivers/call.h"
#include "util/typed_params.h"

struct dbus_frontend;
struct dbus_call;

/* Appends the call's outputs to its method return. */
typedef int (*dbus_call_append_fn)(struct dbus_call *call, sd_bus_message *reply);
/* Frees what the outputs own. */
typedef void (*dbus_call_clear_fn)(struct dbus_call *call);
/* Looks at a successful call's outputs before it is answered: 0 answers them, -1 (with
 * call->core.err set) answers that error instead. */
typedef int (*dbus_call_check_fn)(struct dbus_call *call);

struct dbus_call {
    struct vb_call core; /* hand &call->core to the core function */
    struct dbus_frontend *frontend;
    sd_bus_message *message;
    dbus_call_append_fn append; /* NULL: an empty method return */
    dbus_call_clear_fn clear;   /* NULL: the outputs own nothing */
    dbus_call_check_fn check;   /* NULL: every success is answered as it is */
    struct dbus_call *prev, *next; /* the front end's pending calls */
};

/* Allocates a zeroed call of size bytes (a struct whose first member is a struct dbus_call)
 * for message m; the caller of m owns AUTODESTROY domains it starts. NULL when out of memory. */
void *dbus_call_new(struct dbus_frontend *frontend, sd_bus_message *m, size_t size, dbus_call_append_fn append,
                    dbus_call_clear_fn clear);

/* Ends a handler: r is what the core function returned. 0 sends the method return with the
 * outputs, -1 the core's error; VB_PENDING keeps the call until the core ends it, then answers.
 * Takes the call. Returns what an sd-bus handler returns. */
int dbus_call_finish(struct dbus_call *call, int r, sd_bus_error *error);

/* The peer left the bus: its pending calls are cancelled, and answered to nobody. */
void dbus_calls_client_gone(struct dbus_frontend *frontend, const char *name);
/* Shutting down: cancels every pending call. */
void dbus_calls_cancel_all(struct dbus_frontend *frontend);
bool dbus_calls_any_pending(const struct dbus_frontend *frontend);

/* --- outputs most methods share ------------------------------------------------------------- */

/* One string output, answered as "s". */
struct dbus_string_call {
    struct dbus_call base;
    char *value;
};
struct dbus_string_call *dbus_string_call_new(struct dbus_frontend *frontend, sd_bus_message *m);

/* Typed parameters, answered as libvirt-dbus's double-wrapped a{sv}. */
struct dbus_params_call {
    struct dbus_call base;
    struct vb_typed_params params;
};
struct dbus_params_call *dbus_params_call_new(struct dbus_frontend *frontend, sd_bus_message *m);

/* No output: an empty method return. */
struct dbus_call *dbus_empty_call_new(struct dbus_frontend *frontend, sd_bus_message *m);

/* libvirt-dbus passes an empty string where libvirt takes NULL. */
static inline const char *dbus_empty_to_null(const char *s)
{
    return s && *s ? s : NULL;
}
