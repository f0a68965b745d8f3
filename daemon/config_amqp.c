/* The AMQP front end's settings in virtbusd.conf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "util/macros.h"

int vb_daemon_config_set_list(char ***list, size_t *n, const char *value, struct vb_error *err)
{
    _cleanup_free_ char *copy = NULL;
    char *save = NULL;

    if (streq(value, "none")) {
        bus_options_reset_list(list, n);
        return 0;
    }
    copy = strdup(value);
    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (char *item = strtok_r(copy, ", ", &save); item; item = strtok_r(NULL, ", ", &save))
        if (bus_options_add(list, n, item) < 0)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return 0;
}

static int parse_count(const char *value, unsigned int max, unsigned int *out)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(value, &end, 10);
    if (errno || end == value || *end || v > max)
        return -EINVAL;
    *out = (unsigned int) v;
    return 0;
}

static int set_path(char **field, const char *key, const char *value, const char *path, unsigned int line,
                    struct vb_error *err)
{
    if (value[0] != '/')
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: %s must be an absolute path", path, line, key);
    return vb_daemon_config_set_string(field, value, err);
}

int vb_daemon_config_apply_amqp(struct vb_daemon_config *config, const char *key, const char *value, const char *path,
                                unsigned int line, struct vb_error *err)
{
    struct bus_options *o = &config->amqp;
    int r = 0;

    if (streq(key, "amqp_listen")) {
        bus_options_reset_list(&o->listen, &o->n_listen); /* the last line wins, as for other keys */
        r = vb_daemon_config_set_list(&o->listen, &o->n_listen, value, err);
    } else if (streq(key, "amqp_connect")) {
        bus_options_reset_list(&o->connect, &o->n_connect);
        r = vb_daemon_config_set_list(&o->connect, &o->n_connect, value, err);
    } else if (streq(key, "amqp_broker_profile")) {
        if (bus_broker_profile_from_string(value, &o->profile) < 0)
            r = vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: amqp_broker_profile must be rabbitmq, qpidd or "
                             "activemq, not '%s'", path, line, value);
    } else if (streq(key, "amqp_users")) {
        r = set_path(&o->users_file, key, value, path, line, err);
    } else if (streq(key, "amqp_tls_cert")) {
        r = set_path(&o->tls_cert, key, value, path, line, err);
    } else if (streq(key, "amqp_tls_key")) {
        r = set_path(&o->tls_key, key, value, path, line, err);
    } else if (streq(key, "amqp_tls_ca")) {
        r = set_path(&o->tls_ca, key, value, path, line, err);
    } else if (streq(key, "amqp_serve")) {
        bus_options_reset_list(&o->serve, &o->n_serve);
        if (streq(value, "none"))
            r = vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: amqp_serve names connection URIs or 'all', not 'none'",
                             path, line);
        else
            r = vb_daemon_config_set_list(&o->serve, &o->n_serve, value, err);
    } else if (streq(key, "hostname")) {
        r = vb_daemon_config_set_string(&o->hostname, value, err);
    } else if (streq(key, "amqp_event_buffer")) {
        /* 0 would leave no room even for the events in flight to a connected broker. */
        if (parse_count(value, 10000000, &o->broker_buffer) < 0 || o->broker_buffer == 0)
            r = vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: amqp_event_buffer must be 1..10000000", path, line);
    } else if (streq(key, "amqp_heartbeat_seconds")) {
        if (parse_count(value, 3600, &o->heartbeat_seconds) < 0 || o->heartbeat_seconds == 0)
            r = vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: amqp_heartbeat_seconds must be 1..3600", path, line);
    } else if (streq(key, "amqp_open_timeout_seconds")) {
        if (parse_count(value, 3600, &o->open_timeout_seconds) < 0 || o->open_timeout_seconds == 0)
            r = vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: amqp_open_timeout_seconds must be 1..3600", path,
                             line);
    } else {
        return 0;
    }
    return r < 0 ? -1 : 1;
}
