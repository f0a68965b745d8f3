/* A polkit client on sd-bus: CheckAuthorization without blocking the loop (as systemd's
 * bus-polkit.c asks), and a decision cache keyed by subject, action and details. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy/polkit.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/time.h"

#define POLKIT_SERVICE "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_ALLOW_USER_INTERACTION 1u
/* An interactive check waits for a person at an authentication agent. */
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (120ull * 1000000ull)
/* Bounds the cache for a daemon with many short-lived callers: past this it starts afresh. */
#define POLKIT_CACHE_MAX_ENTRIES 16384u
#define KEY_SEPARATOR '\x1f'

struct policy_polkit {
    sd_bus *bus;
    uint64_t cache_usec;
    struct vb_hashmap *cache; /* key → struct cached */
    sd_bus_slot *changed_slot, *owner_slot;
};

struct cached {
    char *key;
    bool allowed;
    uint64_t expires_usec;
};

struct check {
    struct policy_polkit *polkit;
    char *key;
    policy_polkit_done done;
    void *userdata;
};

static void cached_free(void *value)
{
    struct cached *c = value;

    free(c->key);
    free(c);
}

static int cache_reset(struct policy_polkit *polkit)
{
    struct vb_hashmap *fresh = vb_hashmap_new();

    if (!fresh)
        return -ENOMEM;
    vb_hashmap_free_with(polkit->cache, cached_free);
    polkit->cache = fresh;
    return 0;
}

static void cache_store(struct policy_polkit *polkit, const char *key, bool allowed)
{
    struct cached *c, *old;

    if (polkit->cache_usec == 0)
        return;
    if (vb_hashmap_size(polkit->cache) >= POLKIT_CACHE_MAX_ENTRIES && cache_reset(polkit) < 0)
        return;
    c = calloc(1, sizeof(*c));
    if (!c || !(c->key = strdup(key))) {
        free(c);
        return;
    }
    c->allowed = allowed;
    c->expires_usec = vb_now_usec() + polkit->cache_usec;
    old = vb_hashmap_remove(polkit->cache, key);
    if (old)
        cached_free(old);
    if (vb_hashmap_put(polkit->cache, c->key, c) < 0)
        cached_free(c);
}

int policy_polkit_cached(struct policy_polkit *polkit, const char *key)
{
    struct cached *c = polkit->cache_usec ? vb_hashmap_get(polkit->cache, key) : NULL;

    if (!c)
        return -ENOENT;
    if (vb_now_usec() >= c->expires_usec) {
        cached_free(vb_hashmap_remove(polkit->cache, key));
        return -ENOENT;
    }
    return c->allowed;
}

/* polkit says its rules or actions changed (or polkitd came or went): forget every decision. */
static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct policy_polkit *polkit = userdata;

    vb_log_debug("polkit configuration changed, dropping %zu cached decisions", vb_hashmap_size(polkit->cache));
    if (cache_reset(polkit) < 0)
        vb_log_warning("cannot empty the authorization cache: out of memory");
    return 0;
}

int policy_polkit_new(sd_bus *bus, unsigned int cache_seconds, struct policy_polkit **out)
{
    struct policy_polkit *polkit = calloc(1, sizeof(*polkit));
    int r;

    if (!polkit)
        return -ENOMEM;
    polkit->bus = sd_bus_ref(bus);
    polkit->cache_usec = (uint64_t) cache_seconds * 1000000ull;
    polkit->cache = vb_hashmap_new();
    if (!polkit->cache) {
        policy_polkit_free(polkit);
        return -ENOMEM;
    }
    r = sd_bus_match_signal(bus, &polkit->changed_slot, POLKIT_SERVICE, POLKIT_PATH, POLKIT_INTERFACE, "Changed",
                            on_changed, polkit);
    if (r >= 0)
        r = sd_bus_add_match(bus, &polkit->owner_slot,
                             "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                             "member='NameOwnerChanged',arg0='" POLKIT_SERVICE "'",
                             on_changed, polkit);
    if (r < 0) {
        policy_polkit_free(polkit);
        return r;
    }
    *out = polkit;
    return 0;
}

void policy_polkit_free(struct policy_polkit *polkit)
{
    if (!polkit)
        return;
    sd_bus_slot_unref(polkit->changed_slot);
    sd_bus_slot_unref(polkit->owner_slot);
    vb_hashmap_free_with(polkit->cache, cached_free);
    sd_bus_unref(polkit->bus);
    free(polkit);
}

static size_t field_len(const char *s)
{
    return s ? strlen(s) : 0;
}

/* Appends s and a separator at *at; the caller sized the buffer. */
static void key_append(char *key, size_t *at, const char *s)
{
    size_t len = s ? strlen(s) : 0;

    memcpy(key + *at, s ? s : "", len);
    *at += len;
    key[(*at)++] = KEY_SEPARATOR;
}

char *policy_polkit_key(const struct policy_subject *subject, const char *action,
                        const struct policy_details *details)
{
    char who[48] = "";
    size_t len, at = 1;
    char *key;

    if (subject->kind == POLICY_SUBJECT_UNIX_USER)
        snprintf(who, sizeof(who), "%u", (unsigned int) subject->uid);
    else if (subject->kind == POLICY_SUBJECT_UNIX_PROCESS)
        snprintf(who, sizeof(who), "%u.%llu.%u", (unsigned int) subject->pid,
                 (unsigned long long) subject->start_time, (unsigned int) subject->uid);
    len = 4 + 2 * POLICY_MAX_DETAILS + field_len(subject->bus_name) + strlen(who) + strlen(action) +
          field_len(details->connect_driver);
    for (size_t i = 0; i < POLICY_MAX_DETAILS && details->object[i].name; i++)
        len += strlen(details->object[i].name) + field_len(details->object[i].value);
    key = malloc(len);
    if (!key)
        return NULL;
    /* Built on every authorized call, so without printf. The separator cannot occur in bus
     * names or action ids; a domain name containing it only collides with another name that
     * also contains it. */
    key[0] = subject->kind == POLICY_SUBJECT_BUS_NAME ? 'b' : subject->kind == POLICY_SUBJECT_UNIX_PROCESS ? 'p' : 'u';
    key_append(key, &at, subject->kind == POLICY_SUBJECT_BUS_NAME ? subject->bus_name : who);
    key_append(key, &at, action);
    key_append(key, &at, details->connect_driver);
    /* Name and value together, so that different kinds' attributes never share a key. */
    for (size_t i = 0; i < POLICY_MAX_DETAILS && details->object[i].name; i++) {
        size_t name_len = strlen(details->object[i].name);

        memcpy(key + at, details->object[i].name, name_len);
        at += name_len;
        key_append(key, &at, details->object[i].value);
    }
    key[at - 1] = '\0';
    return key;
}

/* This process's start time in clock ticks since boot (field 22 of /proc/self/stat), which polkit
 * uses with the pid to name a process unambiguously. 0 lets polkit look it up itself. */
static uint64_t own_start_time(void)
{
    static uint64_t cached;
    char buf[1024];
    const char *p;
    FILE *f;
    size_t n;

    if (cached)
        return cached;
    f = fopen("/proc/self/stat", "re");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the command name may contain spaces */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        cached = strtoull(p + 1, NULL, 10);
    return cached;
}

static int append_subject(sd_bus_message *m, const struct policy_subject *subject)
{
    int r = sd_bus_message_open_container(m, 'r', "sa{sv}");

    if (r < 0)
        return r;
    if (subject->kind == POLICY_SUBJECT_BUS_NAME)
        r = sd_bus_message_append(m, "sa{sv}", "system-bus-name", 1, "name", "s", subject->bus_name);
    else if (subject->kind == POLICY_SUBJECT_UNIX_PROCESS)
        r = sd_bus_message_append(m, "sa{sv}", "unix-process", 3, "pid", "u", subject->pid, "start-time", "t",
                                  subject->start_time, "uid", "i", (int32_t) subject->uid);
    else
        /* polkit has no "unix-user" subject. A privileged caller may ask about a unix-process
         * subject that carries an explicit uid: this process, with the principal's uid, which
         * is what rules then see as subject.user. */
        r = sd_bus_message_append(m, "sa{sv}", "unix-process", 3, "pid", "u", (uint32_t) getpid(), "start-time",
                                  "t", own_start_time(), "uid", "i", (int32_t) subject->uid);
    return r < 0 ? r : sd_bus_message_close_container(m);
}

static int append_details(sd_bus_message *m, const struct policy_details *details)
{
    int r = sd_bus_message_open_container(m, 'a', "{ss}");

    if (r >= 0 && details->connect_driver)
        r = sd_bus_message_append(m, "{ss}", "connect_driver", details->connect_driver);
    for (size_t i = 0; r >= 0 && i < POLICY_MAX_DETAILS && details->object[i].name; i++)
        if (details->object[i].value)
            r = sd_bus_message_append(m, "{ss}", details->object[i].name, details->object[i].value);
    return r < 0 ? r : sd_bus_message_close_container(m);
}

static void check_free(void *userdata)
{
    struct check *check = userdata;

    free(check->key);
    free(check);
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
    struct check *check = userdata;
    const sd_bus_error *error = sd_bus_message_get_error(reply);
    int authorized = 0, challenge = 0;
    char text[512];
    int r;

    if (error) {
        snprintf(text, sizeof(text), "%s: %s", error->name, error->message ? error->message : "no message");
        check->done(check->userdata, -EIO, text);
        return 0;
    }
    r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
    if (r >= 0)
        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
    if (r < 0) {
        snprintf(text, sizeof(text), "unexpected CheckAuthorization reply: %s", strerror(-r));
        check->done(check->userdata, -EBADMSG, text);
        return 0;
    }
    /* A challenge (an agent could authenticate the user) is not an answer: not cached. */
    if (authorized || !challenge)
        cache_store(check->polkit, check->key, authorized);
    check->done(check->userdata, authorized ? 1 : 0, challenge ? "interactive authentication required" : NULL);
    return 0;
}

int policy_polkit_check(struct policy_polkit *polkit, const struct policy_subject *subject, const char *action,
                        const struct policy_details *details, bool interactive, policy_polkit_done done,
                        void *userdata, sd_bus_slot **ret_slot)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    struct check *check = calloc(1, sizeof(*check));
    sd_bus_slot *slot = NULL;
    int r;

    if (!check)
        return -ENOMEM;
    *check = (struct check){ .polkit = polkit, .done = done, .userdata = userdata };
    check->key = policy_polkit_key(subject, action, details);
    if (!check->key) {
        free(check);
        return -ENOMEM;
    }
    r = sd_bus_message_new_method_call(polkit->bus, &m, POLKIT_SERVICE, POLKIT_PATH, POLKIT_INTERFACE,
                                       "CheckAuthorization");
    if (r >= 0)
        r = append_subject(m, subject);
    if (r >= 0)
        r = sd_bus_message_append(m, "s", action);
    if (r >= 0)
        r = append_details(m, details);
    if (r >= 0)
        r = sd_bus_message_append(m, "us", interactive ? POLKIT_ALLOW_USER_INTERACTION : 0u, "");
    if (r >= 0)
        r = sd_bus_call_async(polkit->bus, &slot, m, on_reply, check,
                              interactive ? POLKIT_INTERACTIVE_TIMEOUT_USEC : 0);
    if (r < 0) {
        check_free(check);
        return r;
    }
    sd_bus_slot_set_destroy_callback(slot, check_free);
    *ret_slot = slot;
    return 0;
}
