/* Replies to method calls whose core operation may finish later. */
#pragma once

#include <systemd/sd-bus.h>

#include "drivers/driver.h"

struct dbus_pending {
    sd_bus_message *call;
    char *reply_path; /* when set, the reply is this object path ("o"), else empty */
    struct vb_completion done;
};

/* Prepares a pending reply for call; NULL on allocation failure. */
struct dbus_pending *dbus_pending_new(sd_bus_message *call);

/* Finishes a handler after the core call returned r (0, -1 with err set, or VB_PENDING).
 * Takes ownership of pending. Returns what the sd-bus handler should return. */
int dbus_pending_finish(struct dbus_pending *pending, int r, const struct vb_error *err, sd_bus_error *error);
