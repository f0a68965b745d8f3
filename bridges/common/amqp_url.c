/* Parsing of the AMQP URLs bridges connect to (pure: no I/O, fuzzable). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridges/common/amqp_url.h"
#include "util/uuid.h"

/* Copies [start, start+len) into out, decoding %XX; fails on a bad escape or an overlong value. */
static int copy_decoded(const char *start, size_t len, char *out, size_t size)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = start[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return -EINVAL;
            hi = vb_hex_digit_value(start[i + 1]);
            lo = vb_hex_digit_value(start[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -EINVAL;
            c = (char) (hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= size)
            return -EINVAL;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int parse_port(const char *text, size_t len, char *out, size_t size)
{
    unsigned long value = 0;

    if (len == 0 || len >= size)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -EINVAL;
        value = value * 10 + (unsigned long) (text[i] - '0');
    }
    if (value == 0 || value > 65535)
        return -EINVAL;
    memcpy(out, text, len);
    out[len] = '\0';
    return 0;
}

static int parse_credentials(const char *start, size_t len, struct amqp_url *url, const char **error)
{
    const char *colon = memchr(start, ':', len);

    if (!colon) {
        *error = "user without password (want USER:PASSWORD@)";
        return -EINVAL;
    }
    if (colon == start) {
        *error = "empty user name";
        return -EINVAL;
    }
    if (copy_decoded(start, (size_t) (colon - start), url->user, sizeof(url->user)) < 0 ||
        copy_decoded(colon + 1, len - (size_t) (colon - start) - 1, url->password, sizeof(url->password)) < 0) {
        *error = "bad or overlong user or password";
        return -EINVAL;
    }
    return 0;
}

int amqp_url_parse(const char *text, struct amqp_url *url, const char **error)
{
    static const char scheme[] = "amqp://";
    const char *rest, *at, *host, *colon, *end;
    size_t host_len;

    memset(url, 0, sizeof(*url));
    strcpy(url->port, "5672");
    if (!text || strncmp(text, scheme, sizeof(scheme) - 1) != 0) {
        *error = strncmp(text ? text : "", "amqps://", 8) == 0 ? "amqps (TLS) is not supported yet"
                                                                 : "URL must start with amqp://";
        return -EINVAL;
    }
    rest = text + sizeof(scheme) - 1;
    end = rest + strcspn(rest, "/?#");
    if (*end != '\0' && !(end[0] == '/' && end[1] == '\0')) {
        *error = "URL must not carry a path or query";
        return -EINVAL;
    }
    at = NULL;
    for (const char *p = rest; p < end; p++)
        if (*p == '@')
            at = p;
    host = rest;
    if (at) {
        if (parse_credentials(rest, (size_t) (at - rest), url, error) < 0)
            return -EINVAL;
        host = at + 1;
    }
    colon = memchr(host, ':', (size_t) (end - host));
    host_len = (size_t) ((colon ? colon : end) - host);
    if (host_len == 0 || host_len >= sizeof(url->host)) {
        *error = "missing or overlong host";
        return -EINVAL;
    }
    memcpy(url->host, host, host_len);
    url->host[host_len] = '\0';
    if (colon && parse_port(colon + 1, (size_t) (end - colon - 1), url->port, sizeof(url->port)) < 0) {
        *error = "port must be a number from 1 to 65535";
        return -EINVAL;
    }
    return 0;
}

void amqp_url_format_safe(const struct amqp_url *url, char *out, unsigned long size)
{
    if (url->user[0])
        snprintf(out, size, "amqp://%s:***@%s:%s", url->user, url->host, url->port);
    else
        snprintf(out, size, "amqp://%s:%s", url->host, url->port);
}
