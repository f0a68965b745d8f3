/* Parsing of the AMQP URLs bridges connect to: amqp://[USER:PASSWORD@]HOST[:PORT]. */
#pragma once

#include <stdbool.h>

#define AMQP_URL_FIELD_MAX 256

struct amqp_url {
    char user[AMQP_URL_FIELD_MAX];     /* empty: ANONYMOUS */
    char password[AMQP_URL_FIELD_MAX];
    char host[AMQP_URL_FIELD_MAX];
    char port[8];                       /* "5672" unless the URL names one */
};

/* Fills url from text; on failure returns -EINVAL and a reason in *error (a static string).
 * User and password may be percent-encoded (%40 for '@', %3A for ':'). */
int amqp_url_parse(const char *text, struct amqp_url *url, const char **error);

/* The URL without its password, for logs. */
void amqp_url_format_safe(const struct amqp_url *url, char *out, unsigned long size);
