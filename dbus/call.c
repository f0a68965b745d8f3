/* Method calls the core may answer later: answering, cancelling, and what several share. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dbus/bus.h"
#include "dbus/call.h"
#include "dbus/errors.h"
#include "dbus/typed_params.h"
#include "util/log.h"

static void call_free(struct dbus_call *call)
{
    if (call->clear)
        call->clear(call);
    vb_call_clear(&call->core);
    sd_bus_message_unref(call->message);
    free(call);
}

static void unlink_pending(struct dbus_call *call)
{
    struct dbus_frontend *frontend = call->frontend;

    if (call->prev)
        call->prev->next = call->next;
    else if (frontend->pending_calls == call)
        frontend->pending_calls = call->next;
    if (call->next)
        call->next->prev = call->prev;
    call->prev = call->next = NULL;
}

/* The method return with the outputs, or the core's error. */
static int answer(struct dbus_call *call, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    int r;

    if (call->core.result == 0 && call->check && call->check(call) < 0)
        call->core.result = -1;
    if (call->core.result < 0)
        return dbus_error_from_vb(error, &call->core.err);
    r = sd_bus_message_new_method_return(call->message, &reply);
    if (r >= 0 && call->append)
        r = call->append(call, reply);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

/* The core ended a pending call: answer it, unless its caller has gone. */
static void on_core_done(struct vb_call *core)
{
    struct dbus_call *call = (struct dbus_call *) ((char *) core - offsetof(struct dbus_call, core));
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

    unlink_pending(call);
    if (!vb_call_cancelled(core)) {
        int r = answer(call, &error);

        if (r < 0 && !sd_bus_error_is_set(&error))
            sd_bus_error_set_errno(&error, r);
        if (sd_bus_error_is_set(&error) && (r = sd_bus_reply_method_error(call->message, &error)) < 0)
            vb_log_warning("could not answer %s: %s", sd_bus_message_get_member(call->message), strerror(-r));
    }
    call_free(call);
}

void *dbus_call_new(struct dbus_frontend *frontend, sd_bus_message *m, size_t size, dbus_call_append_fn append,
                    dbus_call_clear_fn clear)
{
    struct dbus_call *call = calloc(1, size);

    if (!call)
        return NULL;
    call->frontend = frontend;
    call->message = sd_bus_message_ref(m);
    call->append = append;
    call->clear = clear;
    vb_call_init(&call->core, sd_bus_message_get_sender(m), on_core_done, NULL);
    return call;
}

int dbus_call_finish(struct dbus_call *call, int r, sd_bus_error *error)
{
    if (r == VB_PENDING) {
        call->next = call->frontend->pending_calls;
        if (call->next)
            call->next->prev = call;
        call->frontend->pending_calls = call;
        return 1;
    }
    call->core.result = r < 0 ? -1 : 0;
    r = answer(call, error);
    call_free(call);
    return r < 0 ? r : 1;
}

void dbus_calls_client_gone(struct dbus_frontend *frontend, const char *name)
{
    struct dbus_call *call = frontend->pending_calls, *next;

    /* Cancelling ends a call from the loop, later; next is read first all the same. */
    for (; call; call = next) {
        next = call->next;
        if (call->core.client && streq(call->core.client, name))
            vb_call_cancel(&call->core);
    }
}

void dbus_calls_cancel_all(struct dbus_frontend *frontend)
{
    struct dbus_call *call = frontend->pending_calls, *next;

    for (; call; call = next) {
        next = call->next;
        vb_call_cancel(&call->core);
    }
}

bool dbus_calls_any_pending(const struct dbus_frontend *frontend)
{
    return frontend->pending_calls != NULL;
}

/* --- shared outputs ------------------------------------------------------------------------ */

static int append_string(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "s", ((struct dbus_string_call *) call)->value);
}

static void clear_string(struct dbus_call *call)
{
    free(((struct dbus_string_call *) call)->value);
}

struct dbus_string_call *dbus_string_call_new(struct dbus_frontend *frontend, sd_bus_message *m)
{
    return dbus_call_new(frontend, m, sizeof(struct dbus_string_call), append_string, clear_string);
}

static int append_params(struct dbus_call *call, sd_bus_message *reply)
{
    return dbus_typed_params_append(reply, &((struct dbus_params_call *) call)->params);
}

static void clear_params(struct dbus_call *call)
{
    vb_typed_params_clear(&((struct dbus_params_call *) call)->params);
}

struct dbus_params_call *dbus_params_call_new(struct dbus_frontend *frontend, sd_bus_message *m)
{
    return dbus_call_new(frontend, m, sizeof(struct dbus_params_call), append_params, clear_params);
}

struct dbus_call *dbus_empty_call_new(struct dbus_frontend *frontend, sd_bus_message *m)
{
    return dbus_call_new(frontend, m, sizeof(struct dbus_call), NULL, NULL);
}
