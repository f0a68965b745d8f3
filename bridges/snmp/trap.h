/* libvirtGuestNotif: the lifecycle trap, sent through the AgentX master to its trap sinks. */
#pragma once

#include <stdint.h>

#include "bridges/snmp/guest_table.h"

struct guest_trap {
    const char *name;
    const unsigned char *uuid; /* GUEST_UUID_LEN bytes */
    int state, row_status;
    const char *host, *event, *detail; /* VIRTBUS-MIB's varbinds, after LIBVIRT-MIB's */
    uint64_t seq;
};

/* Sends libvirtGuestNotif: LIBVIRT-MIB's objects, then virtbusGuestTable's of the same row
 * (SNMPv2 lets a notification carry more varbinds than its OBJECTS clause names). */
void guest_trap_send(const struct guest_trap *trap);
