/* virtbusd: the virtbus management daemon. Parses options and runs the server. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>

#include "daemon/config.h"
#include "daemon/server.h"
#include "util/macros.h"
#include "util/log.h"

#define DEFAULT_CONFIG SYSCONFDIR "/virtbus/virtbusd.conf"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: virtbusd [OPTIONS]\n"
            "Serve the org.libvirt management API on D-Bus and AMQP 1.0 (QMFv2).\n\n"
            "  --session            serve the session bus (default)\n"
            "  --system             serve the system bus\n"
            "  --config FILE        read settings from FILE (default %s)\n"
            "  --state-dir DIR      keep persistent definitions under DIR\n"
            "  --test-uri URI       what /org/libvirt/Test serves (default test:///default)\n"
            "  --qemu-uri URI|none  what /org/libvirt/QEMU serves (default qemu:///system on the system bus,\n"
            "                       qemu:///session on a session bus)\n"
            "  --qemu-root DIR      keep all of the QEMU driver's files under DIR\n"
            "  --storage-roots DIR,...|none   where qemu:// dir pools may lie (storage_roots)\n"
            "  --log-level LEVEL    error, warning, notice, info or debug\n"
            "  --amqp-listen HOST:PORT   take AMQP 1.0 connections there (repeatable; none: no listener)\n"
            "  --amqp-connect URL   also serve through a broker, amqp[s]://[USER:PASS@]HOST[:PORT] (repeatable)\n"
            "  --amqp-broker-profile rabbitmq|qpidd|activemq   the broker's address conventions\n"
            "  --amqp-users FILE    PLAIN and EXTERNAL principals (virtbusctl amqp-passwd)\n"
            "  --amqp-tls-cert FILE, --amqp-tls-key FILE, --amqp-tls-ca FILE   TLS on the AMQP listeners\n"
            "  --amqp-serve URI|all a connection served by a QMF agent of its own (repeatable; all: every\n"
            "                       connection; default: the test URI)\n"
            "  --hostname NAME      the host name in QMF agent names and events\n"
            "  -h, --help           show this help\n"
            "  --version            show the version\n",
            DEFAULT_CONFIG);
}

enum {
    OPT_SESSION = 256, OPT_SYSTEM, OPT_CONFIG, OPT_STATE_DIR, OPT_TEST_URI, OPT_QEMU_URI, OPT_QEMU_ROOT, OPT_LOG_LEVEL, OPT_VERSION,
    OPT_AMQP_LISTEN, OPT_AMQP_CONNECT, OPT_AMQP_PROFILE, OPT_AMQP_USERS, OPT_AMQP_TLS_CERT, OPT_AMQP_TLS_KEY,
    OPT_AMQP_TLS_CA, OPT_AMQP_SERVE, OPT_HOSTNAME, OPT_STORAGE_ROOTS,
};

static const struct option options[] = {
    { "session", no_argument, NULL, OPT_SESSION },
    { "system", no_argument, NULL, OPT_SYSTEM },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "state-dir", required_argument, NULL, OPT_STATE_DIR },
    { "test-uri", required_argument, NULL, OPT_TEST_URI },
    { "qemu-uri", required_argument, NULL, OPT_QEMU_URI },
    { "qemu-root", required_argument, NULL, OPT_QEMU_ROOT },
    { "storage-roots", required_argument, NULL, OPT_STORAGE_ROOTS },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "amqp-listen", required_argument, NULL, OPT_AMQP_LISTEN },
    { "amqp-connect", required_argument, NULL, OPT_AMQP_CONNECT },
    { "amqp-broker-profile", required_argument, NULL, OPT_AMQP_PROFILE },
    { "amqp-users", required_argument, NULL, OPT_AMQP_USERS },
    { "amqp-tls-cert", required_argument, NULL, OPT_AMQP_TLS_CERT },
    { "amqp-tls-key", required_argument, NULL, OPT_AMQP_TLS_KEY },
    { "amqp-tls-ca", required_argument, NULL, OPT_AMQP_TLS_CA },
    { "amqp-serve", required_argument, NULL, OPT_AMQP_SERVE },
    { "hostname", required_argument, NULL, OPT_HOSTNAME },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

/* The command line is read twice: first for --config (the file sets defaults), then for the
 * options that override the file. */
static const char *find_config_path(int argc, char **argv, bool *explicit)
{
    const char *path = DEFAULT_CONFIG;
    int c;

    *explicit = false;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)
        if (c == OPT_CONFIG) {
            path = optarg;
            *explicit = true;
        }
    optind = 1;
    opterr = 1;
    return path;
}

/* A list option given on the command line replaces the config file's list. */
static int add_list_option(char ***list, size_t *n, bool *replaced, const char *value, struct vb_error *err)
{
    if (!*replaced)
        bus_options_reset_list(list, n);
    *replaced = true;
    return vb_daemon_config_set_list(list, n, value, err);
}

static int apply_amqp_option(int c, struct vb_daemon_config *config, struct vb_error *err)
{
    static bool listen_replaced, connect_replaced, serve_replaced;
    struct bus_options *o = &config->amqp;

    switch (c) {
    case OPT_AMQP_LISTEN: return add_list_option(&o->listen, &o->n_listen, &listen_replaced, optarg, err);
    case OPT_AMQP_CONNECT: return add_list_option(&o->connect, &o->n_connect, &connect_replaced, optarg, err);
    case OPT_AMQP_PROFILE:
        if (bus_broker_profile_from_string(optarg, &o->profile) < 0)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "--amqp-broker-profile must be rabbitmq, qpidd or activemq");
        return 0;
    case OPT_AMQP_USERS: return vb_daemon_config_set_string(&o->users_file, optarg, err);
    case OPT_AMQP_TLS_CERT: return vb_daemon_config_set_string(&o->tls_cert, optarg, err);
    case OPT_AMQP_TLS_KEY: return vb_daemon_config_set_string(&o->tls_key, optarg, err);
    case OPT_AMQP_TLS_CA: return vb_daemon_config_set_string(&o->tls_ca, optarg, err);
    case OPT_AMQP_SERVE:
        if (streq(optarg, "none"))
            return vb_error_set(err, VB_ERR_INVALID_ARG, "--amqp-serve names a connection URI or 'all', not 'none'");
        return add_list_option(&o->serve, &o->n_serve, &serve_replaced, optarg, err);
    case OPT_HOSTNAME: return vb_daemon_config_set_string(&o->hostname, optarg, err);
    default: return 1;
    }
}

static int apply_options(int argc, char **argv, struct vb_daemon_config *config, struct vb_error *err)
{
    int c;

    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        int r = apply_amqp_option(c, config, err);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        switch (c) {
        case OPT_SESSION: config->bus = VB_BUS_SESSION; break;
        case OPT_SYSTEM: config->bus = VB_BUS_SYSTEM; break;
        case OPT_CONFIG: break;
        case OPT_STATE_DIR:
            if (vb_daemon_config_set_string(&config->state_dir, optarg, err) < 0)
                return -1;
            break;
        case OPT_TEST_URI:
            if (vb_daemon_config_set_string(&config->test_uri, optarg, err) < 0)
                return -1;
            break;
        case OPT_QEMU_URI:
            if (vb_daemon_config_set_string(&config->qemu_uri, optarg, err) < 0)
                return -1;
            break;
        case OPT_QEMU_ROOT:
            if (optarg[0] != '/')
                return vb_error_set(err, VB_ERR_INVALID_ARG, "--qemu-root must be an absolute path");
            if (vb_daemon_config_set_string(&config->qemu_root, optarg, err) < 0)
                return -1;
            break;
        case OPT_STORAGE_ROOTS:
            if (vb_daemon_config_set_storage_roots(config, optarg, "--storage-roots", err) < 0)
                return -1;
            break;
        case OPT_LOG_LEVEL:
            if (vb_log_level_from_string(optarg, &config->log_level) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, "unknown log level '%s'", optarg);
            break;
        case 'h': usage(stdout); exit(EXIT_SUCCESS);
        case OPT_VERSION: printf("virtbusd %s\n", PACKAGE_VERSION); exit(EXIT_SUCCESS);
        default: usage(stderr); exit(EXIT_FAILURE);
        }
    }
    if (optind < argc)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unexpected argument '%s'", argv[optind]);
    return 0;
}

int main(int argc, char **argv)
{
    struct vb_daemon_config config;
    struct vb_error err = VB_ERROR_INIT;
    bool explicit_config;
    const char *config_path = find_config_path(argc, argv, &explicit_config);
    int status;

    vb_log_open("virtbusd");
    xmlInitParser();
    vb_daemon_config_init(&config);
    if (vb_daemon_config_load(&config, config_path, explicit_config, &err) < 0 ||
        apply_options(argc, argv, &config, &err) < 0 || vb_daemon_config_finish(&config, &err) < 0) {
        fprintf(stderr, "virtbusd: %s\n", vb_error_message(&err));
        vb_error_clear(&err);
        vb_daemon_config_clear(&config);
        return EXIT_FAILURE;
    }
    vb_log_set_max_level(config.log_level);
    status = vb_server_run(&config);
    vb_daemon_config_clear(&config);
    xmlCleanupParser();
    return status;
}
