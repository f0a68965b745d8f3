/* The embedded AMQP listener. */
#pragma once

#include "bus/frontend.h"

struct bus_listener;

int bus_listener_new(struct bus_frontend *fe, const char *address, struct bus_listener **out, struct vb_error *err);
void bus_listener_free(struct bus_listener *listener);
/* Splits "HOST:PORT", "[V6]:PORT" or ":PORT"; -1 when malformed. */
int bus_listen_address_split(const char *text, char *host, size_t host_size, char *port, size_t port_size);
