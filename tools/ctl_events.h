/* virtbusctl: the events command, printing DomainEvent signals as virsh `event` does. */
#pragma once

#include "tools/ctl_common.h"

/* events [DOMAIN]: the next event (or, with --follow, every event until SIGINT/SIGTERM). */
int ctl_cmd_events(struct ctl *ctl, int argc, char **argv);
