/* Sending a signal about a domain (or a network, pool or node device) to those who may see it. On a bus where the front end
 * authorizes nothing (the session bus) the signal is broadcast. Otherwise each peer that has
 * called us gets its own addressed copy when it may see the domain (trusted peers at once;
 * others after the engine says so, asking polkit if its answer is not cached), in the order
 * the signals were made; a peer that may not see the domain gets nothing. */
#pragma once

#include <systemd/sd-bus.h>

#include "api/operation.h"
#include "util/uuid.h"

struct dbus_frontend;
struct dbus_connect;

/* How many signals may wait for one peer's authorization before the oldest are dropped. */
#define DBUS_RELAY_MAX_QUEUED 1024

/* Takes m (an unsent signal). */
void dbus_signal_relay_send(struct dbus_frontend *frontend, struct dbus_connect *dc,
                            const unsigned char uuid[VB_UUID_LEN], const char *name, sd_bus_message *m);
/* The same for an object of the kind list_op lists (CONNECT_LIST_ALL_NETWORKS, ...): those who
 * would see it in that list get the signal. uuid: of a network or pool (zeros otherwise). */
void dbus_signal_relay_send_object(struct dbus_frontend *frontend, struct dbus_connect *dc, enum vb_operation list_op,
                                   const unsigned char uuid[VB_UUID_LEN], const char *name, sd_bus_message *m);
void dbus_signal_relay_peer_gone(struct dbus_frontend *frontend, const char *peer);
void dbus_signal_relay_free_all(struct dbus_frontend *frontend);
