/* net-snmp's agent library on the sd-event loop: its sockets as I/O sources and its timeouts and
 * alarms on one timer, re-read from net-snmp before the loop sleeps. */
#pragma once

#include <systemd/sd-event.h>

struct snmp_loop;

int snmp_loop_new(sd_event *loop, struct snmp_loop **out);
struct snmp_loop *snmp_loop_free(struct snmp_loop *sl);
