/* virtbus-snmp: LIBVIRT-MIB for virtbusd, an AgentX subagent of snmpd fed over AMQP. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "bridges/common/amqp_url.h"
#include "bridges/snmp/bridge.h"
#include "bridges/snmp/options.h"
#include "bridges/snmp/snmp_loop.h"
#include "util/log.h"

#define AGENT_NAME "virtbus-snmp"

/* How often the subagent pings snmpd, and so how soon it is back after snmpd restarts. */
static void set_ping_interval(const struct snmp_options *options)
{
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       (int) (options->agentx_ping_seconds ? options->agentx_ping_seconds : 2));
}

/* net-snmp as a subagent whose every wait is the sd-event loop's: no SIGALRM, no persistent
 * state files, no snmp.conf search (our settings come from our own file). */
static void snmp_setup(const struct snmp_options *options)
{
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    if (options->agentx_socket[0])
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, options->agentx_socket);
    set_ping_interval(options);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    /* Numeric OIDs only: loading the system's MIB files would cost start-up time and print
     * warnings about modules nobody here needs. */
    setenv("MIBS", "", 0);
    snmp_disable_log();
    snmp_enable_stderrlog();
    init_agent(AGENT_NAME);
}

static int load_options(int argc, char **argv, struct snmp_options *options, struct amqp_url *url)
{
    struct snmp_options cli;
    enum vb_log_level level;
    const char *error = NULL;
    int r = snmp_options_parse(argc, argv, &cli, stdout, stderr);

    if (r != 0)
        return r;
    *options = cli;
    if (cli.config[0] && (r = snmp_options_read_config(cli.config, options, &cli, stderr)) < 0)
        return r;
    if (!options->amqp_connect[0]) {
        fprintf(stderr, "virtbus-snmp: --amqp-connect URL is required\n");
        return -EINVAL;
    }
    if (amqp_url_parse(options->amqp_connect, url, &error) < 0) {
        fprintf(stderr, "virtbus-snmp: --amqp-connect: %s\n", error);
        return -EINVAL;
    }
    if (options->log_level[0]) {
        if (vb_log_level_from_string(options->log_level, &level) < 0) {
            fprintf(stderr, "virtbus-snmp: unknown log level '%s'\n", options->log_level);
            return -EINVAL;
        }
        vb_log_set_max_level(level);
    }
    return 0;
}

static int run(const struct snmp_options *options, const struct amqp_url *url)
{
    sd_event *loop = NULL;
    struct snmp_loop *snmp = NULL;
    struct bridge bridge;
    sigset_t mask;
    int r;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    if ((r = sd_event_default(&loop)) < 0 || (r = sd_event_add_signal(loop, NULL, SIGTERM, NULL, NULL)) < 0 ||
        (r = sd_event_add_signal(loop, NULL, SIGINT, NULL, NULL)) < 0) {
        vb_log_error("cannot set up the event loop: %s", strerror(-r));
        sd_event_unref(loop);
        return 1;
    }
    snmp_setup(options);
    r = bridge_init(&bridge, loop, url, options->broker_profile);
    if (r == 0)
        r = guest_mib_register(&bridge.table, bridge_set, bridge_cpu_time_read, &bridge, &bridge.mib);
    if (r == 0) {
        init_snmp(AGENT_NAME);
        set_ping_interval(options); /* init_snmp set the default over ours */
        r = snmp_loop_new(loop, &snmp);
    }
    if (r == 0) {
        amqp_client_start(bridge.amqp, options->max_backoff_seconds * 1000000ull);
        vb_log_info("virtbus-snmp started");
        r = sd_event_loop(loop);
    }
    if (r < 0)
        vb_log_error("virtbus-snmp: %s", strerror(-r));
    guest_mib_unregister(bridge.mib);
    snmp_loop_free(snmp);
    snmp_shutdown(AGENT_NAME);
    bridge_done(&bridge);
    sd_event_unref(loop);
    return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct snmp_options options;
    struct amqp_url url;
    int r;

    vb_log_open(AGENT_NAME);
    r = load_options(argc, argv, &options, &url);
    if (r != 0)
        return r > 0 ? 0 : 2;
    return run(&options, &url);
}
