/* Broker URLs: amqp[s]://[USER[:PASSWORD]@]HOST[:PORT][/]. */
#include <string.h>

#include "bus/broker_url.h"

static int copy_span(char *dst, size_t size, const char *start, size_t len)
{
    if (len >= size)
        return -1;
    memcpy(dst, start, len);
    dst[len] = '\0';
    return 0;
}

static int parse_userinfo(const char *start, size_t len, struct bus_broker_url *url)
{
    const char *colon = memchr(start, ':', len);

    if (!colon)
        return copy_span(url->user, sizeof(url->user), start, len);
    if (copy_span(url->user, sizeof(url->user), start, (size_t) (colon - start)) < 0)
        return -1;
    return copy_span(url->password, sizeof(url->password), colon + 1, len - (size_t) (colon - start) - 1);
}

static int parse_hostport(const char *start, size_t len, struct bus_broker_url *url)
{
    const char *port = NULL;
    size_t host_len = len;

    if (len > 0 && start[0] == '[') {
        const char *close = memchr(start, ']', len);
        if (!close)
            return -1;
        if (copy_span(url->host, sizeof(url->host), start + 1, (size_t) (close - start - 1)) < 0)
            return -1;
        if ((size_t) (close - start) + 1 < len) {
            if (close[1] != ':')
                return -1;
            port = close + 2;
        }
    } else {
        port = memchr(start, ':', len);
        if (port) {
            host_len = (size_t) (port - start);
            port++;
        }
        if (copy_span(url->host, sizeof(url->host), start, host_len) < 0)
            return -1;
    }
    if (!url->host[0])
        return -1;
    if (port) {
        size_t port_len = len - (size_t) (port - start);
        if (port_len == 0 || copy_span(url->port, sizeof(url->port), port, port_len) < 0 ||
            strspn(url->port, "0123456789") != port_len)
            return -1;
    }
    return 0;
}

int bus_broker_url_parse(const char *text, struct bus_broker_url *url)
{
    const char *rest, *at, *end;

    memset(url, 0, sizeof(*url));
    if (strncmp(text, "amqp://", 7) == 0) {
        rest = text + 7;
    } else if (strncmp(text, "amqps://", 8) == 0) {
        rest = text + 8;
        url->tls = true;
    } else {
        return -1;
    }
    end = rest + strcspn(rest, "/");
    if (*end && strcmp(end, "/") != 0)
        return -1;
    at = memchr(rest, '@', (size_t) (end - rest));
    if (at) {
        if (parse_userinfo(rest, (size_t) (at - rest), url) < 0)
            return -1;
        rest = at + 1;
    }
    if (parse_hostport(rest, (size_t) (end - rest), url) < 0)
        return -1;
    if (!url->port[0])
        strcpy(url->port, url->tls ? "5671" : "5672");
    return 0;
}
