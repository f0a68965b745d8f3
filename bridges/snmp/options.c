/* virtbus-snmp's command line and configuration file (bad input: a clear message, never a crash). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bridges/snmp/options.h"

static const char usage[] =
    "Usage: virtbus-snmp --agentx-socket PATH --amqp-connect URL [--amqp-broker-profile P] [--config FILE]\n"
    "Serves LIBVIRT-MIB's libvirtGuestTable and libvirtGuestNotif for virtbusd as an AgentX subagent.\n"
    "  --agentx-socket PATH        snmpd's AgentX socket (a path, or tcp:HOST:PORT)\n"
    "  --amqp-connect URL          amqp://[USER:PASSWORD@]HOST[:PORT]: virtbusd's listener or a broker\n"
    "  --amqp-broker-profile P     rabbitmq: URL names a broker, not virtbusd\n"
    "  --config FILE               settings file (key = value)\n"
    "  --log-level LEVEL           error, warning, notice, info (default) or debug\n";

static int set_text(char *out, size_t size, const char *value, const char *what, FILE *err)
{
    if (strlen(value) >= size || value[0] == '\0') {
        fprintf(err, "virtbus-snmp: %s: empty or too long\n", what);
        return -EINVAL;
    }
    strcpy(out, value);
    return 0;
}

static int set_seconds(unsigned int *out, const char *value, const char *what, FILE *err)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(value, &end, 10);
    if (errno || end == value || *end || n == 0 || n > 3600 || value[0] == '-') {
        fprintf(err, "virtbus-snmp: %s: want seconds from 1 to 3600, not '%s'\n", what, value);
        return -EINVAL;
    }
    *out = (unsigned int) n;
    return 0;
}

static int check_profile(const char *profile, FILE *err)
{
    if (profile[0] && strcmp(profile, "rabbitmq") != 0) {
        fprintf(err, "virtbus-snmp: broker profile '%s' is not supported (rabbitmq is)\n", profile);
        return -EINVAL;
    }
    return 0;
}

int snmp_options_parse(int argc, char **argv, struct snmp_options *options, FILE *out, FILE *err)
{
    static const struct option longopts[] = {
        {"agentx-socket", required_argument, NULL, 'x'}, {"amqp-connect", required_argument, NULL, 'c'},
        {"amqp-broker-profile", required_argument, NULL, 'p'}, {"config", required_argument, NULL, 'f'},
        {"log-level", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0},
    };
    int c, r = 0;

    memset(options, 0, sizeof(*options));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1 && r == 0) {
        switch (c) {
        case 'x': r = set_text(options->agentx_socket, sizeof(options->agentx_socket), optarg, "--agentx-socket", err); break;
        case 'c': r = set_text(options->amqp_connect, sizeof(options->amqp_connect), optarg, "--amqp-connect", err); break;
        case 'p': r = set_text(options->broker_profile, sizeof(options->broker_profile), optarg, "--amqp-broker-profile", err); break;
        case 'f': r = set_text(options->config, sizeof(options->config), optarg, "--config", err); break;
        case 'l': r = set_text(options->log_level, sizeof(options->log_level), optarg, "--log-level", err); break;
        case 'h': fputs(usage, out); return 1;
        case 'V': fputs("virtbus-snmp " PACKAGE_VERSION "\n", out); return 1;
        default:
            fprintf(err, "virtbus-snmp: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return -EINVAL;
        }
    }
    if (r == 0 && optind < argc) {
        fprintf(err, "virtbus-snmp: unexpected argument '%s'\n", argv[optind]);
        return -EINVAL;
    }
    return r < 0 ? r : check_profile(options->broker_profile, err);
}

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char) *s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char) end[-1]))
        *--end = '\0';
    return s;
}

static int apply_setting(struct snmp_options *o, const struct snmp_options *cli, const char *key, const char *value,
                         FILE *err)
{
    if (strcmp(key, "agentx_socket") == 0)
        return cli->agentx_socket[0] ? 0 : set_text(o->agentx_socket, sizeof(o->agentx_socket), value, key, err);
    if (strcmp(key, "amqp_connect") == 0)
        return cli->amqp_connect[0] ? 0 : set_text(o->amqp_connect, sizeof(o->amqp_connect), value, key, err);
    if (strcmp(key, "amqp_broker_profile") == 0) {
        int r = cli->broker_profile[0] ? 0 : set_text(o->broker_profile, sizeof(o->broker_profile), value, key, err);
        return r < 0 ? r : check_profile(o->broker_profile, err);
    }
    if (strcmp(key, "agentx_ping_seconds") == 0)
        return set_seconds(&o->agentx_ping_seconds, value, key, err);
    if (strcmp(key, "amqp_max_backoff_seconds") == 0)
        return set_seconds(&o->max_backoff_seconds, value, key, err);
    if (strcmp(key, "log_level") == 0)
        return cli->log_level[0] ? 0 : set_text(o->log_level, sizeof(o->log_level), value, key, err);
    fprintf(err, "virtbus-snmp: unknown setting '%s'\n", key);
    return -EINVAL;
}

int snmp_options_read_config(const char *path, struct snmp_options *options, const struct snmp_options *cli,
                             FILE *err)
{
    FILE *f = fopen(path, "re");
    char line[2 * OPTION_TEXT_MAX];
    unsigned int number = 0;
    int r = 0;

    if (!f) {
        r = -errno;
        fprintf(err, "virtbus-snmp: %s: %s\n", path, strerror(-r));
        return r;
    }
    while (r == 0 && fgets(line, sizeof(line), f)) {
        char *text = trim(line), *eq;
        number++;
        if (text[0] == '\0' || text[0] == '#')
            continue;
        eq = strchr(text, '=');
        if (!eq) {
            fprintf(err, "virtbus-snmp: %s:%u: want key = value\n", path, number);
            r = -EINVAL;
            break;
        }
        *eq = '\0';
        r = apply_setting(options, cli, trim(text), trim(eq + 1), err);
        if (r < 0)
            fprintf(err, "virtbus-snmp: %s:%u: bad setting\n", path, number);
    }
    fclose(f);
    return r;
}
