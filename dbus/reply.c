/* Deferred method replies: the handler returns, the reply goes out when the core completes. */
#include <stdlib.h>

#include "dbus/errors.h"
#include "dbus/reply.h"
#include "util/log.h"

static void pending_free(struct dbus_pending *pending)
{
    sd_bus_message_unref(pending->call);
    free(pending->reply_path);
    free(pending);
}

static int pending_reply(struct dbus_pending *pending)
{
    if (pending->reply_path)
        return sd_bus_reply_method_return(pending->call, "o", pending->reply_path);
    return sd_bus_reply_method_return(pending->call, NULL);
}

static void pending_completed(void *userdata, const struct vb_error *err)
{
    struct dbus_pending *pending = userdata;
    int r;

    if (err) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        dbus_error_from_vb(&error, err);
        r = sd_bus_reply_method_error(pending->call, &error);
    } else {
        r = pending_reply(pending);
    }
    if (r < 0)
        vb_log_warning("could not send a deferred reply: %s", strerror(-r));
    pending_free(pending);
}

struct dbus_pending *dbus_pending_new(sd_bus_message *call)
{
    struct dbus_pending *pending = calloc(1, sizeof(*pending));

    if (!pending)
        return NULL;
    pending->call = sd_bus_message_ref(call);
    pending->done.fn = pending_completed;
    pending->done.userdata = pending;
    return pending;
}

int dbus_pending_finish(struct dbus_pending *pending, int r, const struct vb_error *err, sd_bus_error *error)
{
    if (r == VB_PENDING)
        return 1;
    if (r < 0) {
        pending_free(pending);
        return dbus_error_from_vb(error, err);
    }
    r = pending_reply(pending);
    pending_free(pending);
    return r < 0 ? r : 1;
}
