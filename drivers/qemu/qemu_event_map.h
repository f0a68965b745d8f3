/* Which libvirt domain events a QMP event means, as libvirt's QEMU driver maps them. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "events/event.h"

/* A QMP event gives at most this many domain events (BLOCK_IO_ERROR with action "stop": the I/O
 * error and the pause it caused). */
#define QEMU_EVENT_MAP_MAX 2

/* One domain event: id is an enum vb_domain_event_id, the payload as events/event.h has it.
 * Strings in the payload are borrowed from the QMP event's data (valid as long as it is). */
struct qemu_domain_event {
    int id;
    union vb_event_payload payload;
};

/* Maps QMP event `name` with its `data` (may be NULL) to the domain events libvirt emits for it.
 * `running`: the domain is running as far as the driver knows; libvirt emits a pause
 * (STOP, BLOCK_IO_ERROR/WATCHDOG with action pause) only for a running domain and a resume only
 * for one that is not. Returns how many were written to out (0: nothing for libvirt's clients:
 * POWERDOWN, NIC_RX_FILTER_CHANGED, an event with missing data, ...).
 *   STOP -> lifecycle Suspended/Paused        RESUME -> lifecycle Resumed/Unpaused
 *   SHUTDOWN -> lifecycle Shutdown/Guest|Host (data.guest), Finished without it
 *   RESET -> reboot                            GUEST_PANICKED -> lifecycle Crashed/Panicked
 *   DEVICE_DELETED -> device-removed (data.device, when it has one)
 *   BALLOON_CHANGE -> balloon-change (KiB)     RTC_CHANGE -> rtc-change (seconds)
 *   WATCHDOG -> watchdog (+ Suspended/Watchdog for action pause)
 *   BLOCK_IO_ERROR -> io-error-reason, dev_alias the device (or node name), src_path NULL (the
 *     driver fills the disk's source), reason "enospc" or "" (+ Suspended/IOError for action stop)
 *   SUSPEND -> pm-suspend + lifecycle PMSuspended/Memory; WAKEUP -> pm-wakeup + Started/Wakeup. */
size_t qemu_event_map(const char *name, struct json_object *data, bool running,
                      struct qemu_domain_event out[QEMU_EVENT_MAP_MAX]);

/* libvirt's virDomainEventWatchdogAction for qemu's WATCHDOG action string; -1 when unknown. */
int qemu_watchdog_action_from_string(const char *action);
