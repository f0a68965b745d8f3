/* The authorization filter: every method call to /org/libvirt on the system bus passes here
 * before sd-bus dispatches it. The caller's uid comes from the bus (once per peer); the call's
 * requests go to the engine; a call the engine must ask polkit about is parked and re-queued
 * with sd_bus_enqueue_for_read() once every answer is in, so the filter sees it again and now
 * decides. The bus loop never waits for polkit; other callers are served in between. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus/authorize.h"
#include "dbus/authorize_requests.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "util/hashmap.h"
#include "util/log.h"

/* One call waiting for its caller's credentials or for polkit. */
struct parked {
    struct dbus_authorizer *auth;
    sd_bus_message *message;
    char *id; /* sender + cookie: the key in auth->parked */
    struct policy_check *check;
    sd_bus_slot *creds_slot;
    char *failure; /* why the caller could not be identified */
};

struct dbus_authorizer {
    sd_bus *bus;
    struct dbus_frontend *frontend;
    struct policy_engine *engine;
    struct vb_hashmap *peers_by_name; /* unique name → struct dbus_peer */
    struct dbus_peer **peers;         /* the same, for walking */
    size_t n_peers, peers_allocated;
    struct vb_hashmap *parked;        /* id → struct parked */
    struct parked *current;           /* the call being dispatched right now */
    sd_bus_slot *filter_slot, *owner_slot;
};

/* --- parked calls ------------------------------------------------------------------------------ */

static void parked_free(struct parked *p)
{
    if (!p)
        return;
    sd_bus_slot_unref(p->creds_slot);
    policy_check_free(p->check);
    sd_bus_message_unref(p->message);
    free(p->failure);
    free(p->id);
    free(p);
}

static void parked_free_void(void *value)
{
    parked_free(value);
}

static char *request_id(sd_bus_message *m)
{
    uint64_t cookie = 0;
    char *id = NULL;

    sd_bus_message_get_cookie(m, &cookie);
    if (asprintf(&id, "%s/%llu", sd_bus_message_get_sender(m), (unsigned long long) cookie) < 0)
        return NULL;
    return id;
}

static struct parked *parked_new(struct dbus_authorizer *auth, sd_bus_message *m)
{
    struct parked *p = calloc(1, sizeof(*p));

    if (!p || !(p->id = request_id(m))) {
        free(p);
        return NULL;
    }
    p->auth = auth;
    p->message = sd_bus_message_ref(m);
    return p;
}

/* Hands the call back to sd-bus, which runs the filter on it again. */
static void requeue(void *userdata)
{
    struct parked *p = userdata;
    int r = sd_bus_enqueue_for_read(p->auth->bus, p->message);

    if (r < 0) {
        vb_log_error("cannot re-queue %s after authorization: %s", p->id, strerror(-r));
        sd_bus_reply_method_errorf(p->message, SD_BUS_ERROR_NO_MEMORY, "cannot re-queue the call");
        vb_hashmap_remove(p->auth->parked, p->id);
        parked_free(p);
    }
}

/* 1 when parked (the filter answers nothing now). */
static int park(struct dbus_authorizer *auth, struct parked *p)
{
    if (vb_hashmap_put(auth->parked, p->id, p) < 0) {
        parked_free(p);
        return -ENOMEM;
    }
    return 1;
}

/* --- peers ------------------------------------------------------------------------------------- */

static void peer_free(struct dbus_peer *peer)
{
    free(peer->name);
    free(peer);
}

static int peer_add(struct dbus_authorizer *auth, const char *name, uint32_t uid, uint32_t pid)
{
    struct dbus_peer *peer;

    if (vb_hashmap_get(auth->peers_by_name, name))
        return 0; /* two calls asked at once; the first answer is as good */
    if (auth->n_peers == auth->peers_allocated) {
        size_t n = auth->peers_allocated ? auth->peers_allocated * 2 : 16;
        struct dbus_peer **grown = reallocarray(auth->peers, n, sizeof(*grown));

        if (!grown)
            return -ENOMEM;
        auth->peers = grown;
        auth->peers_allocated = n;
    }
    peer = calloc(1, sizeof(*peer));
    if (!peer || !(peer->name = strdup(name))) {
        free(peer);
        return -ENOMEM;
    }
    peer->subject = (struct policy_subject){ .kind = POLICY_SUBJECT_BUS_NAME, .uid = uid, .pid = pid,
                                             .bus_name = peer->name };
    peer->trusted = policy_engine_trusts(auth->engine, &peer->subject);
    if (vb_hashmap_put(auth->peers_by_name, peer->name, peer) < 0) {
        peer_free(peer);
        return -ENOMEM;
    }
    auth->peers[auth->n_peers++] = peer;
    return 0;
}

static void peer_remove(struct dbus_authorizer *auth, const char *name)
{
    struct dbus_peer *peer = vb_hashmap_remove(auth->peers_by_name, name);

    if (!peer)
        return;
    for (size_t i = 0; i < auth->n_peers; i++)
        if (auth->peers[i] == peer) {
            auth->peers[i] = auth->peers[--auth->n_peers];
            break;
        }
    peer_free(peer);
}

size_t dbus_authorizer_peers(struct dbus_authorizer *auth, struct dbus_peer ***peers)
{
    *peers = auth->peers;
    return auth->n_peers;
}

struct policy_engine *dbus_authorizer_engine(struct dbus_authorizer *auth)
{
    return auth->engine;
}

static int read_credentials(sd_bus_message *reply, uint32_t *uid, uint32_t *pid)
{
    bool have_uid = false;
    const char *key;
    int r = sd_bus_message_enter_container(reply, 'a', "{sv}");

    while (r > 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
        uint32_t value;

        r = sd_bus_message_read(reply, "s", &key);
        if (r >= 0 && (streq(key, "UnixUserID") || streq(key, "ProcessID"))) {
            r = sd_bus_message_read(reply, "v", "u", &value);
            if (r >= 0 && streq(key, "UnixUserID"))
                *uid = value, have_uid = true;
            else if (r >= 0)
                *pid = value;
        } else if (r >= 0) {
            r = sd_bus_message_skip(reply, "v");
        }
        if (r >= 0)
            r = sd_bus_message_exit_container(reply);
    }
    return r < 0 ? r : have_uid ? 0 : -ENODATA;
}

static int on_credentials(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
    struct parked *p = userdata;
    const sd_bus_error *error = sd_bus_message_get_error(reply);
    uint32_t uid = 0, pid = 0;
    int r = error ? -EIO : read_credentials(reply, &uid, &pid);

    p->creds_slot = sd_bus_slot_unref(p->creds_slot);
    if (r >= 0)
        r = peer_add(p->auth, sd_bus_message_get_sender(p->message), uid, pid);
    if (r < 0 && asprintf(&p->failure, "cannot identify the caller: %s",
                          error && error->message ? error->message : strerror(-r)) < 0)
        p->failure = NULL;
    requeue(p);
    return 0;
}

static int ask_credentials(struct parked *p)
{
    return sd_bus_call_method_async(p->auth->bus, &p->creds_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                    "org.freedesktop.DBus", "GetConnectionCredentials", on_credentials, p, "s",
                                    sd_bus_message_get_sender(p->message));
}

/* Unique names are never reused, so a peer's uid holds until it leaves the bus. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_authorizer *auth = userdata;
    const char *name, *old_owner, *new_owner;

    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || name[0] != ':' || new_owner[0])
        return 0;
    peer_remove(auth, name);
    return 0;
}

/* --- deciding ---------------------------------------------------------------------------------- */

static bool is_ours(const char *path)
{
    size_t len = strlen(DBUS_ROOT_PATH);

    return path && strncmp(path, DBUS_ROOT_PATH, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* Keeps p's answers for the handlers about to run (list filters, enumerators). */
static void set_current(struct dbus_authorizer *auth, struct parked *p)
{
    if (auth->current != p)
        parked_free(auth->current);
    auth->current = p;
}

static int refuse(struct parked *p, const char *why, sd_bus_error *error)
{
    sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "access denied: cannot check authorization (%s)", why);
    vb_log_warning("refused %s.%s on %s: %s", sd_bus_message_get_interface(p->message),
                   sd_bus_message_get_member(p->message), sd_bus_message_get_path(p->message), why);
    parked_free(p);
    return -EACCES;
}

/* Decides every request of the call: 0 dispatch it, 1 parked, < 0 refused (error set). */
static int decide(struct dbus_authorizer *auth, struct parked *p, const struct dbus_peer *peer, sd_bus_error *error)
{
    _cleanup_(dbus_requests_clear) struct dbus_requests reqs = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    bool pending = false;
    int r;

    if (!p->check) {
        p->check = policy_check_new(auth->engine, &peer->subject,
                                    sd_bus_message_get_allow_interactive_authorization(p->message) > 0);
        if (!p->check)
            return refuse(p, "out of memory", error);
        policy_check_on_answered(p->check, requeue, p);
    }
    r = dbus_requests_build(auth->frontend, p->message, &reqs, error);
    if (r < 0) {
        vb_log_notice("refused %s.%s on %s to uid %u: no authorization rule", sd_bus_message_get_interface(p->message),
                      sd_bus_message_get_member(p->message), sd_bus_message_get_path(p->message),
                      (unsigned int) peer->subject.uid);
        parked_free(p);
        return r;
    }
    for (size_t i = 0; i < reqs.n; i++) {
        r = policy_check_decide(p->check, &reqs.items[i], &err);
        if (r < 0) {
            r = dbus_error_take_vb(error, &err);
            parked_free(p);
            return r;
        }
        pending |= r == VB_PENDING;
    }
    if (pending)
        return park(auth, p);
    set_current(auth, p);
    return 0;
}

static int authorize(struct dbus_authorizer *auth, sd_bus_message *m, sd_bus_error *error)
{
    const char *sender = sd_bus_message_get_sender(m);
    _cleanup_free_ char *id = NULL;
    const struct dbus_peer *peer;
    struct parked *p = NULL;

    if (!sender)
        return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "access denied: the call has no sender");
    /* A re-queued call takes its parked state (and the answers in it) back. */
    if (vb_hashmap_size(auth->parked) > 0) {
        id = request_id(m);
        if (!id)
            return -ENOMEM;
        p = vb_hashmap_remove(auth->parked, id);
    }
    peer = vb_hashmap_get(auth->peers_by_name, sender);
    if (!peer) {
        if (p && p->failure)
            return refuse(p, p->failure, error);
        if (!p && !(p = parked_new(auth, m)))
            return -ENOMEM;
        if (ask_credentials(p) < 0)
            return refuse(p, "cannot ask the bus who is calling", error);
        return park(auth, p);
    }
    if (peer->trusted) {
        parked_free(p);
        return 0;
    }
    if (!p && !(p = parked_new(auth, m)))
        return -ENOMEM;
    return decide(auth, p, peer, error);
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_authorizer *auth = userdata;

    if (!sd_bus_message_is_method_call(m, NULL, NULL))
        return 0;
    set_current(auth, NULL);
    if (!is_ours(sd_bus_message_get_path(m)))
        return 0;
    return authorize(auth, m, error);
}

struct policy_check *dbus_authorizer_current(struct dbus_authorizer *auth, const sd_bus_message *m)
{
    if (!auth || !auth->current || auth->current->message != m)
        return NULL;
    return auth->current->check;
}

/* --- setup ------------------------------------------------------------------------------------- */

int dbus_authorizer_new(sd_bus *bus, struct dbus_frontend *frontend, struct policy_engine *engine,
                        struct dbus_authorizer **out)
{
    struct dbus_authorizer *auth = calloc(1, sizeof(*auth));
    int r;

    if (!auth)
        return -ENOMEM;
    auth->bus = sd_bus_ref(bus);
    auth->frontend = frontend;
    auth->engine = engine;
    auth->peers_by_name = vb_hashmap_new();
    auth->parked = vb_hashmap_new();
    r = auth->peers_by_name && auth->parked ? 0 : -ENOMEM;
    if (r >= 0)
        r = sd_bus_match_signal(bus, &auth->owner_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, auth);
    if (r >= 0)
        r = sd_bus_add_filter(bus, &auth->filter_slot, on_message, auth);
    if (r < 0) {
        dbus_authorizer_free(auth);
        return r;
    }
    *out = auth;
    return 0;
}

void dbus_authorizer_free(struct dbus_authorizer *auth)
{
    if (!auth)
        return;
    sd_bus_slot_unref(auth->filter_slot);
    sd_bus_slot_unref(auth->owner_slot);
    set_current(auth, NULL);
    vb_hashmap_free_with(auth->parked, parked_free_void);
    for (size_t i = 0; i < auth->n_peers; i++)
        peer_free(auth->peers[i]);
    free(auth->peers);
    vb_hashmap_free(auth->peers_by_name);
    sd_bus_unref(auth->bus);
    free(auth);
}
