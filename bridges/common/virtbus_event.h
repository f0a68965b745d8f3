/* virtbus's JSON events (virtbus.events, bus/README.md "JSON events") as bridges read them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtbus_event {
    uint64_t seq;
    char host[256];
    char name[256];
    unsigned char uuid[16];
    char event[64];
    char detail[64];
    char uri[256];    /* the connection the event is from; "" when the event names none */
};

/* Parses one event body. Returns 0, or -EBADMSG with a reason in *error (a static string). */
int virtbus_event_parse(const char *body, size_t len, struct virtbus_event *event, const char **error);
