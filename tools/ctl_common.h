/* virtbusctl: the bus connection, object paths, D-Bus calls and error reporting shared by commands. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "util/macros.h"

#define CTL_BUS_NAME "org.libvirt"
#define CTL_CONNECT_INTERFACE "org.libvirt.Connect"
#define CTL_DOMAIN_INTERFACE "org.libvirt.Domain"
#define CTL_DEFAULT_URI "test:///default"
#define CTL_CALL_TIMEOUT_USEC (30ULL * 1000 * 1000)

/* Exit codes: virsh's 0/1, plus 2 for a command line we could not understand. */
enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_FAILURE = 1,
    CTL_EXIT_USAGE = 2,
};

enum ctl_bus_kind {
    CTL_BUS_DEFAULT, /* whatever the URI implies */
    CTL_BUS_SESSION,
    CTL_BUS_SYSTEM,
};

/* Options every command may see; a command reads only those it declared. */
struct ctl_options {
    bool all, inactive, name_only, uuid_only;
    bool paused, disable, follow, json;
    bool live, config;
    bool managed_save, snapshots_metadata, running;
    const char *users_file; /* amqp-passwd */
    bool no_password;
    bool completed, keep_completed, rawstats; /* domjobinfo */
    double timeout; /* seconds; 0 = none */
};

struct ctl {
    sd_bus *bus;
    const char *uri;
    const char *connect_path; /* /org/libvirt/Test or /org/libvirt/QEMU */
    struct ctl_options opt;
};

/* Prints "virtbusctl: error: ..." on stderr; returns CTL_EXIT_FAILURE so callers can return it. */
int ctl_error(const char *fmt, ...) _printf_(1, 2);
/* Same, with exit code CTL_EXIT_USAGE. */
int ctl_usage_error(const char *fmt, ...) _printf_(1, 2);
/* Reports a failed D-Bus call: the remote error's message, else strerror(-r). */
int ctl_bus_error(const char *context, const sd_bus_error *error, int r);

/* Maps a libvirt URI to its Connect object path and the bus that serves it. */
int ctl_uri_resolve(const char *uri, const char **path, enum ctl_bus_kind *bus_kind);

/* Connects to the bus that serves ctl->uri (or the one forced by bus_kind). */
int ctl_open(struct ctl *ctl, const char *uri, enum ctl_bus_kind bus_kind);
void ctl_close(struct ctl *ctl);

/* A method call on org.libvirt with the 30 s timeout; on failure *error is set. */
int ctl_call(struct ctl *ctl, const char *path, const char *interface, const char *member, sd_bus_error *error,
             sd_bus_message **reply, const char *types, ...);

/* Finds a domain by id, then UUID, then name, as virsh does; prints the error itself. */
int ctl_lookup_domain(struct ctl *ctl, const char *arg, char **path);

/* The UUID a domain path names ("_6695eb01_..." → "6695eb01-..."), or NULL if it names none. */
char *ctl_uuid_from_path(const char *path);

/* Reads a whole (XML) file, "-" for stdin; prints the error itself. */
int ctl_read_file(const char *filename, char **content);
