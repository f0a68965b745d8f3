/* Parsing of virtbusd.conf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "util/file.h"

#define CONFIG_MAX_BYTES (1024 * 1024)

void vb_daemon_config_init(struct vb_daemon_config *config)
{
    *config = (struct vb_daemon_config){
        .bus = VB_BUS_SESSION,
        .log_level = VB_LOG_INFO,
        .event_replay = 1024,
        .polkit_cache_seconds = 5,
        .job_wait_timeout_ms = 30000,
    };
    bus_options_init(&config->amqp);
}

void vb_daemon_config_clear(struct vb_daemon_config *config)
{
    bus_options_clear(&config->amqp);
    free(config->state_dir);
    free(config->test_uri);
    free(config->qemu_uri);
    free(config->qemu_root);
    config->state_dir = config->test_uri = config->qemu_uri = config->qemu_root = NULL;
    bus_options_reset_list(&config->storage_roots, &config->n_storage_roots);
}

int vb_daemon_config_set_storage_roots(struct vb_daemon_config *config, const char *value, const char *where,
                                       struct vb_error *err)
{
    bus_options_reset_list(&config->storage_roots, &config->n_storage_roots); /* the last one wins */
    config->storage_roots_set = true;
    if (vb_daemon_config_set_list(&config->storage_roots, &config->n_storage_roots, value, err) < 0)
        return -1;
    for (size_t i = 0; i < config->n_storage_roots; i++)
        if (config->storage_roots[i][0] != '/')
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s: storage root '%s' must be an absolute path", where,
                                config->storage_roots[i]);
    return 0;
}

int vb_daemon_config_set_string(char **field, const char *value, struct vb_error *err)
{
    char *copy = strdup(value);

    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    free(*field);
    *field = copy;
    return 0;
}

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

static int parse_uint(const char *value, unsigned int *out)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(value, &end, 10);
    if (errno || end == value || *end || v > 1000000)
        return -EINVAL;
    *out = (unsigned int) v;
    return 0;
}

static int apply_setting(struct vb_daemon_config *config, const char *key, const char *value,
                         const char *path, unsigned int line, struct vb_error *err)
{
    if (streq(key, "log_level")) {
        if (vb_log_level_from_string(value, &config->log_level) < 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: unknown log_level '%s'", path, line, value);
        return 0;
    }
    if (streq(key, "state_dir")) {
        if (value[0] != '/')
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: state_dir must be absolute", path, line);
        return vb_daemon_config_set_string(&config->state_dir, value, err);
    }
    if (streq(key, "test_uri")) {
        if (strncmp(value, "test://", 7) != 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: test_uri must be a test:// URI", path, line);
        return vb_daemon_config_set_string(&config->test_uri, value, err);
    }
    if (streq(key, "qemu_uri")) {
        if (!streq(value, "none") && strncmp(value, "qemu://", 7) != 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: qemu_uri must be a qemu:// URI or none", path,
                                line);
        return vb_daemon_config_set_string(&config->qemu_uri, value, err);
    }
    if (streq(key, "qemu_root")) {
        if (value[0] != '/')
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: qemu_root must be absolute", path, line);
        return vb_daemon_config_set_string(&config->qemu_root, value, err);
    }
    if (streq(key, "storage_roots")) {
        _cleanup_free_ char *where = NULL;

        if (asprintf(&where, "%s:%u", path, line) < 0)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return vb_daemon_config_set_storage_roots(config, value, where, err);
    }
    if (streq(key, "event_replay")) {
        if (parse_uint(value, &config->event_replay) < 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: event_replay must be 0..1000000", path, line);
        return 0;
    }
    if (streq(key, "polkit_cache_seconds")) {
        if (parse_uint(value, &config->polkit_cache_seconds) < 0 || config->polkit_cache_seconds > 3600)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: polkit_cache_seconds must be 0..3600", path,
                                line);
        return 0;
    }
    if (streq(key, "job_wait_timeout_ms")) {
        if (parse_uint(value, &config->job_wait_timeout_ms) < 0 || config->job_wait_timeout_ms == 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: job_wait_timeout_ms must be 1..1000000", path,
                                line);
        return 0;
    }
    if (streq(key, "signals")) {
        if (streq(value, "unicast"))
            config->signals = VB_SIGNALS_UNICAST;
        else if (streq(value, "broadcast"))
            config->signals = VB_SIGNALS_BROADCAST;
        else
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: signals must be unicast or broadcast, not '%s'",
                                path, line, value);
        return 0;
    }
    if (streq(key, "max_queued_jobs")) {
        if (parse_uint(value, &config->max_queued_jobs) < 0)
            return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: max_queued_jobs must be 0..1000000", path, line);
        return 0;
    }
    switch (vb_daemon_config_apply_amqp(config, key, value, path, line, err)) {
    case 1: return 0;
    case 0: break;
    default: return -1;
    }
    return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: unknown setting '%s'", path, line, key);
}

static int parse_line(struct vb_daemon_config *config, char *text, const char *path, unsigned int line,
                      struct vb_error *err)
{
    char *hash = strchr(text, '#');
    char *eq, *key, *value;

    if (hash)
        *hash = '\0';
    text = trim(text);
    if (!*text)
        return 0;
    eq = strchr(text, '=');
    if (!eq)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: expected 'key = value'", path, line);
    *eq = '\0';
    key = trim(text);
    value = trim(eq + 1);
    if (value[0] == '"' && strlen(value) >= 2 && value[strlen(value) - 1] == '"') {
        value[strlen(value) - 1] = '\0';
        value++;
    }
    return apply_setting(config, key, value, path, line, err);
}

int vb_daemon_config_load(struct vb_daemon_config *config, const char *path, bool required, struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct vb_error read_err = VB_ERROR_INIT;
    char *line, *save = NULL;
    unsigned int number = 0;

    if (!required && access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    text = vb_file_read_all(path, CONFIG_MAX_BYTES, NULL, &read_err);
    if (!text) {
        vb_error_move(err, &read_err);
        return -1;
    }
    /* strtok_r would merge empty lines and break line numbers, so split by hand. */
    for (line = text; line; line = save) {
        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        number++;
        if (parse_line(config, line, path, number, err) < 0)
            return -1;
    }
    return 0;
}

bool vb_daemon_config_has_qemu(const struct vb_daemon_config *config)
{
    return config->qemu_uri && !streq(config->qemu_uri, "none");
}

int vb_daemon_config_finish(struct vb_daemon_config *config, struct vb_error *err)
{
    const char *state_home = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char *dir = NULL;
    int r;

    if (!config->test_uri && vb_daemon_config_set_string(&config->test_uri, "test:///default", err) < 0)
        return -1;
    /* As libvirt: the system bus serves the privileged driver, a session bus the user's. */
    if (!config->qemu_uri &&
        vb_daemon_config_set_string(&config->qemu_uri,
                                    config->bus == VB_BUS_SYSTEM ? "qemu:///system" : "qemu:///session", err) < 0)
        return -1;
    if (bus_options_check(&config->amqp, err) < 0)
        return -1;
    if (config->state_dir)
        return vb_daemon_config_set_string(&config->amqp.state_dir, config->state_dir, err);
    if (config->bus == VB_BUS_SYSTEM)
        r = asprintf(&dir, "%s/lib/virtbus", LOCALSTATEDIR);
    else if (state_home && state_home[0] == '/')
        r = asprintf(&dir, "%s/virtbus", state_home);
    else if (home && home[0] == '/')
        r = asprintf(&dir, "%s/.local/state/virtbus", home);
    else
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "cannot choose a state directory: set state_dir or $HOME");
    if (r < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    config->state_dir = dir;
    return vb_daemon_config_set_string(&config->amqp.state_dir, dir, err);
}
