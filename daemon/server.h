/* The running daemon: the event loop, the event stream, the connections and the buses. */
#pragma once

#include "daemon/config.h"

/* Runs until SIGTERM/SIGINT or bus loss. Returns the process exit status. */
int vb_server_run(const struct vb_daemon_config *config);
