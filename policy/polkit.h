/* Asking polkit (org.freedesktop.PolicyKit1.Authority.CheckAuthorization) over sd-bus,
 * asynchronously, with a short-lived decision cache that polkit's Changed signal empties. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

/* Who asks. Every subject has a uid (root and the daemon's own user are trusted); how polkit is
 * told about it depends on what the front end knows. */
enum policy_subject_kind {
    POLICY_SUBJECT_BUS_NAME,     /* polkit "system-bus-name": a caller on the system bus */
    POLICY_SUBJECT_UNIX_PROCESS, /* polkit "unix-process": a local peer whose pid (and start time) is known */
    /* A principal mapped to a unix user, for front ends without a local peer (AMQP). polkit has
     * no "unix-user" subject kind, so it is asked about a "unix-process" subject naming this
     * process with the principal's uid; rules see subject.user as that user. */
    POLICY_SUBJECT_UNIX_USER,
};

struct policy_subject {
    enum policy_subject_kind kind;
    uint32_t uid;
    const char *bus_name;  /* POLICY_SUBJECT_BUS_NAME: the caller's unique name */
    uint32_t pid;          /* POLICY_SUBJECT_UNIX_PROCESS */
    uint64_t start_time;   /* POLICY_SUBJECT_UNIX_PROCESS: clock ticks since boot; 0: polkit looks it up */
    const char *principal; /* POLICY_SUBJECT_UNIX_USER: the front end's name for it, for logs */
};

/* Enough for a volume: pool_name, pool_uuid, vol_name, vol_key. */
#define POLICY_MAX_DETAILS 4

/* One attribute of an object's identity: "network_name" → "default". */
struct policy_detail {
    const char *name;
    const char *value;
};

/* The object identity polkit rules see through action.lookup(), as libvirt's polkit access
 * driver passes it: connect_driver always (when known), then the object's own attributes
 * (domain_name, domain_uuid; network_name, network_uuid; pool_name, pool_uuid, vol_name,
 * vol_key; node_device_name; interface_name, interface_macaddr). A NULL name ends the list;
 * NULL values are left out. */
struct policy_details {
    const char *connect_driver; /* "Test", "QEMU" */
    struct policy_detail object[POLICY_MAX_DETAILS];
};

struct policy_polkit;

/* Watches polkit's Changed signal (and polkitd restarts) on bus to empty the cache.
 * cache_seconds 0 disables caching. */
int policy_polkit_new(sd_bus *bus, unsigned int cache_seconds, struct policy_polkit **out);
void policy_polkit_free(struct policy_polkit *polkit);

/* The cache key of one question: subject, action and details. malloc'd. */
char *policy_polkit_key(const struct policy_subject *subject, const char *action,
                        const struct policy_details *details);

/* A cached decision: 1 allowed, 0 denied, -ENOENT not cached (or expired). */
int policy_polkit_cached(struct policy_polkit *polkit, const char *key);

/* allowed: 1 or 0; < 0 when polkit could not answer (then message says why). */
typedef void (*policy_polkit_done)(void *userdata, int allowed, const char *message);

/* Asks polkit; done runs from the bus loop once the answer (or an error) is in, unless the
 * returned slot is unref'd first, which cancels the question. interactive: the caller allowed
 * interactive authorization (polkit's AllowUserInteraction). */
int policy_polkit_check(struct policy_polkit *polkit, const struct policy_subject *subject, const char *action,
                        const struct policy_details *details, bool interactive, policy_polkit_done done,
                        void *userdata, sd_bus_slot **ret_slot);
