/* libvirtGuestNotif: the lifecycle trap, sent through the AgentX master to its trap sinks. */
#pragma once

#include "bridges/snmp/guest_table.h"

/* Sends libvirtGuestNotif for the domain (name, uuid) now in state with row_status. */
void guest_trap_send(const char *name, const unsigned char uuid[GUEST_UUID_LEN], int state, int row_status);
