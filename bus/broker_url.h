/* Broker URLs: amqp[s]://[USER[:PASSWORD]@]HOST[:PORT][/]. */
#pragma once

#include <stdbool.h>

struct bus_broker_url {
    bool tls;
    char user[128], password[128];
    char host[256];
    char port[8];
};

/* -1 when malformed. */
int bus_broker_url_parse(const char *text, struct bus_broker_url *url);
