/* virtbusd's configuration: defaults, then the config file, then the command line. */
#pragma once

#include <stdbool.h>

#include "bus/bus.h"
#include "util/error.h"
#include "util/log.h"

enum vb_bus_kind {
    VB_BUS_SESSION,
    VB_BUS_SYSTEM,
};

/* Who receives signals about a domain on the system bus. */
enum vb_signal_delivery {
    VB_SIGNALS_UNICAST,   /* each peer that has called virtbusd and may see the domain */
    VB_SIGNALS_BROADCAST, /* everyone the bus policy lets receive them */
};

struct vb_daemon_config {
    enum vb_bus_kind bus;
    enum vb_log_level log_level;
    char *state_dir; /* NULL: chosen from the bus kind */
    char *test_uri;  /* what /org/libvirt/Test serves; default test:///default */
    char *qemu_uri;  /* what /org/libvirt/QEMU serves; default qemu:///system or qemu:///session by bus,
                      * "none": no QEMU connection */
    char *qemu_root; /* NULL, or one directory for all of the QEMU driver's files (tests, embedding) */
    unsigned int event_replay; /* events kept for replay */
    unsigned int polkit_cache_seconds; /* how long a polkit decision is reused; 0: ask every time */
    unsigned int job_wait_timeout_ms;  /* how long a call waits for a busy domain (libvirt: 30 s) */
    unsigned int max_queued_jobs;      /* calls that may wait for one domain; 0: no limit */
    enum vb_signal_delivery signals;   /* system bus only; the session bus always broadcasts */
    struct bus_options amqp;           /* the AMQP front end */
    char **storage_roots;              /* where qemu:// dir pools may lie, when storage_roots_set */
    size_t n_storage_roots;
    bool storage_roots_set;            /* unset: the QEMU driver's defaults (its README) */
};

void vb_daemon_config_init(struct vb_daemon_config *config);
void vb_daemon_config_clear(struct vb_daemon_config *config);

/* Reads "key = value" lines ('#' comments). Unknown keys and bad values are errors naming the
 * file and line. A missing file is an error only when required. */
int vb_daemon_config_load(struct vb_daemon_config *config, const char *path, bool required, struct vb_error *err);

/* Whether the daemon serves a QEMU connection (qemu_uri is not "none"). */
bool vb_daemon_config_has_qemu(const struct vb_daemon_config *config);

/* Fills qemu_uri and state_dir from the bus kind if unset: /var/lib/virtbus for the system bus,
 * $XDG_STATE_HOME/virtbus (~/.local/state/virtbus) for the session bus. */
int vb_daemon_config_finish(struct vb_daemon_config *config, struct vb_error *err);

/* The AMQP settings of the config file (amqp_*, hostname). Returns 1 when key is one of them
 * (applied), 0 when it is not, -1 on a bad value (err names file and line). */
int vb_daemon_config_apply_amqp(struct vb_daemon_config *config, const char *key, const char *value, const char *path,
                                unsigned int line, struct vb_error *err);
/* A list value: "none" empties it, otherwise comma-separated entries are added. */
int vb_daemon_config_set_list(char ***list, size_t *n, const char *value, struct vb_error *err);

/* storage_roots (config file and --storage-roots): replaces the list with value's comma-separated
 * absolute paths ("none": only the default pool's directory); where ("FILE:LINE" or the option)
 * prefixes the error. */
int vb_daemon_config_set_storage_roots(struct vb_daemon_config *config, const char *value, const char *where,
                                       struct vb_error *err);

/* Replaces a string setting (used by the command line). */
int vb_daemon_config_set_string(char **field, const char *value, struct vb_error *err);
