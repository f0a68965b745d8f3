/* virtbusctl: the events command, printing DomainEvent signals as virsh `event` does. */
#pragma once

#include "tools/ctl_common.h"

/* virsh's names for libvirt's lifecycle event and detail numbers; "unknown" out of range. */
const char *ctl_event_name(int event);
const char *ctl_event_detail_name(int event, int detail);

/* events [DOMAIN]: the next event (or, with --follow, every event until SIGINT/SIGTERM). */
int ctl_cmd_events(struct ctl *ctl, int argc, char **argv);
