/* virtbus-snmp's settings: command line over configuration file over defaults. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#define OPTION_TEXT_MAX 1024

struct snmp_options {
    char agentx_socket[OPTION_TEXT_MAX];  /* snmpd's AgentX socket; net-snmp's default if empty */
    char amqp_connect[OPTION_TEXT_MAX];   /* amqp://[USER:PASSWORD@]HOST[:PORT] */
    char broker_profile[32];              /* empty: virtbusd's own listener */
    char config[OPTION_TEXT_MAX];
    unsigned int agentx_ping_seconds;     /* how soon a restarted snmpd sees us again */
    unsigned int max_backoff_seconds;     /* reconnect delay cap toward virtbusd or the broker */
    char log_level[16];
};

/* Parses argv. Returns 0, 1 when --help or --version was handled, or -EINVAL (message on err). */
int snmp_options_parse(int argc, char **argv, struct snmp_options *options, FILE *out, FILE *err);

/* Reads "key = value" lines of path into options (keys: agentx_socket, amqp_connect,
 * amqp_broker_profile, agentx_ping_seconds, amqp_max_backoff_seconds, log_level; # comments).
 * Only keys not set on the command line are taken. Returns 0 or -errno; errors name file:line. */
int snmp_options_read_config(const char *path, struct snmp_options *options, const struct snmp_options *cli,
                             FILE *err);
