/* The authorization filter: every method call to /org/libvirt on the system bus passes here
 * before sd-bus dispatches it. Trusted callers (root, the daemon's own user) go straight
 * through; for others the call's polkit questions are answered from the cache or asked
 * asynchronously, the message parked meanwhile and re-queued with sd_bus_enqueue_for_read()
 * once every answer is in, so the filter sees it again and now decides. The bus loop never
 * waits for polkit; other callers are served in between. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/authorize.h"
#include "dbus/authorize_needs.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "util/hashmap.h"
#include "util/log.h"

/* A re-queued call whose questions keep changing (domains appearing as it waits) gives up. */
#define MAX_ROUNDS 4

struct caller {
    char *name;
    uid_t uid;
    pid_t pid;
};

struct decision {
    char *key;
    int allowed; /* 1, 0, or < 0 when polkit could not answer */
    bool challenge; /* denied, but an authentication agent could have authorized it */
};

struct auth_request;

struct pending_check {
    struct auth_request *request;
    char *key;
    sd_bus_slot *slot;
    struct pending_check *next;
};

/* One parked call: its answers so far, and what is still being asked. */
struct auth_request {
    struct dbus_authorizer *auth;
    sd_bus_message *message;
    char *id; /* sender + cookie: the key in auth->pending */
    struct vb_hashmap *decisions; /* key → struct decision */
    struct pending_check *checks;
    sd_bus_slot *creds_slot;
    unsigned int outstanding, rounds;
    char *failure; /* why polkit (or the bus) could not answer */
};

struct dbus_authorizer {
    sd_bus *bus;
    struct dbus_frontend *frontend;
    struct policy_polkit *polkit;
    bool enabled;
    uid_t self_uid;
    struct vb_hashmap *callers; /* unique name → struct caller */
    struct vb_hashmap *pending; /* request id → struct auth_request */
    struct auth_request *current; /* the answers of the call being dispatched right now */
    sd_bus_slot *filter_slot, *owner_slot;
};

/* --- requests ---------------------------------------------------------------------------- */

static void decision_free(void *value)
{
    struct decision *d = value;

    free(d->key);
    free(d);
}

static void request_cancel_checks(struct auth_request *req)
{
    while (req->checks) {
        struct pending_check *check = req->checks;

        req->checks = check->next;
        sd_bus_slot_unref(check->slot);
        free(check->key);
        free(check);
    }
    req->creds_slot = sd_bus_slot_unref(req->creds_slot);
    req->outstanding = 0;
}

static void request_free(struct auth_request *req)
{
    if (!req)
        return;
    request_cancel_checks(req);
    vb_hashmap_free_with(req->decisions, decision_free);
    sd_bus_message_unref(req->message);
    free(req->failure);
    free(req->id);
    free(req);
}

static void pending_free(void *value)
{
    request_free(value);
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

/* Takes id. The request is parked in auth->pending only while it waits for answers. */
static struct auth_request *request_new(struct dbus_authorizer *auth, sd_bus_message *m, char *id)
{
    struct auth_request *req = calloc(1, sizeof(*req));

    if (!req) {
        free(id);
        return NULL;
    }
    req->auth = auth;
    req->id = id;
    req->message = sd_bus_message_ref(m);
    req->decisions = vb_hashmap_new();
    if (!req->decisions) {
        request_free(req);
        return NULL;
    }
    return req;
}

static void request_set_failure(struct auth_request *req, const char *what, const char *why)
{
    if (req->failure)
        return;
    if (asprintf(&req->failure, "%s: %s", what, why) < 0)
        req->failure = NULL;
}

/* Every answer is in: hand the call back to sd-bus, which runs the filter on it again. */
static void request_requeue(struct auth_request *req)
{
    int r = sd_bus_enqueue_for_read(req->auth->bus, req->message);

    if (r < 0) {
        vb_log_error("cannot re-queue %s after authorization: %s", req->id, strerror(-r));
        sd_bus_reply_method_errorf(req->message, SD_BUS_ERROR_NO_MEMORY, "cannot re-queue the call");
        vb_hashmap_remove(req->auth->pending, req->id);
        request_free(req);
    }
}

static void on_check_done(void *userdata, int allowed, const char *message)
{
    struct pending_check *check = userdata, **link;
    struct auth_request *req = check->request;
    struct decision *d = calloc(1, sizeof(*d));
    const char *key = check->key;

    if (allowed < 0)
        request_set_failure(req, "polkit could not answer", message ? message : "unknown error");
    if (d && key && (d->key = strdup(key))) {
        d->allowed = allowed;
        d->challenge = allowed == 0 && message;
        if (vb_hashmap_put(req->decisions, d->key, d) < 0)
            decision_free(d);
    } else {
        free(d);
        request_set_failure(req, "cannot record the answer", "out of memory");
    }
    for (link = &req->checks; *link; link = &(*link)->next)
        if (*link == check) {
            *link = check->next;
            break;
        }
    sd_bus_slot_unref(check->slot);
    free(check->key);
    free(check);
    if (--req->outstanding == 0)
        request_requeue(req);
}

static int request_ask(struct auth_request *req, const struct auth_need *need, bool interactive)
{
    struct policy_subject subject = { .kind = POLICY_SUBJECT_BUS_NAME,
                                      .bus_name = sd_bus_message_get_sender(req->message) };
    struct policy_details details = auth_need_details(need);
    struct pending_check *check = calloc(1, sizeof(*check));
    int r;

    if (!check || !(check->key = strdup(need->key))) {
        free(check);
        return -ENOMEM;
    }
    check->request = req;
    r = policy_polkit_check(req->auth->polkit, &subject, need->action, &details, interactive, on_check_done, check,
                            &check->slot);
    if (r < 0) {
        free(check->key);
        free(check);
        return r;
    }
    check->next = req->checks;
    req->checks = check;
    req->outstanding++;
    return 0;
}

/* --- who is calling ---------------------------------------------------------------------- */

static void caller_free(void *value)
{
    struct caller *c = value;

    free(c->name);
    free(c);
}

static int on_credentials(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
    struct auth_request *req = userdata;
    const sd_bus_error *error = sd_bus_message_get_error(reply);
    struct caller *c = calloc(1, sizeof(*c));
    const char *key;
    bool have_uid = false;
    int r = error ? -EIO : sd_bus_message_enter_container(reply, 'a', "{sv}");

    while (r > 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
        uint32_t value;

        r = sd_bus_message_read(reply, "s", &key);
        if (r >= 0 && (streq(key, "UnixUserID") || streq(key, "ProcessID"))) {
            r = sd_bus_message_read(reply, "v", "u", &value);
            if (r >= 0 && streq(key, "UnixUserID"))
                c->uid = value, have_uid = true;
            else if (r >= 0)
                c->pid = (pid_t) value;
        } else if (r >= 0) {
            r = sd_bus_message_skip(reply, "v");
        }
        if (r >= 0)
            r = sd_bus_message_exit_container(reply);
    }
    req->creds_slot = sd_bus_slot_unref(req->creds_slot);
    if (r >= 0 && have_uid && c && (c->name = strdup(sd_bus_message_get_sender(req->message))) &&
        vb_hashmap_put(req->auth->callers, c->name, c) >= 0) {
        c = NULL;
    } else {
        request_set_failure(req, "cannot identify the caller",
                            error && error->message ? error->message : "no credentials from the bus");
    }
    if (c)
        caller_free(c);
    request_requeue(req);
    return 0;
}

static int ask_credentials(struct auth_request *req)
{
    return sd_bus_call_method_async(req->auth->bus, &req->creds_slot, "org.freedesktop.DBus",
                                    "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionCredentials",
                                    on_credentials, req, "s", sd_bus_message_get_sender(req->message));
}

/* Unique names are never reused, so a caller's uid holds until it leaves the bus. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_authorizer *auth = userdata;
    const char *name, *old_owner, *new_owner;
    struct caller *c;

    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || name[0] != ':' || new_owner[0])
        return 0;
    c = vb_hashmap_remove(auth->callers, name);
    if (c)
        caller_free(c);
    return 0;
}

/* --- deciding ------------------------------------------------------------------------------ */

enum verdict { VERDICT_ALLOW, VERDICT_ASK, VERDICT_DENY, VERDICT_HIDDEN, VERDICT_FAILED };

/* 1 allowed, 0 denied, < 0 failed, -ENOENT not known yet. */
static int lookup_decision(struct dbus_authorizer *auth, struct auth_request *req, const char *key)
{
    struct decision *d = req ? vb_hashmap_get(req->decisions, key) : NULL;

    if (d)
        return d->allowed < 0 ? -EIO : d->allowed;
    return policy_polkit_cached(auth->polkit, key);
}

static enum verdict judge(struct dbus_authorizer *auth, struct auth_request *req, const struct auth_needs *needs,
                          const struct auth_need **denied)
{
    bool unknown = false, visible_unknown = false, failed = false, hidden = false;

    *denied = NULL;
    for (size_t i = 0; i < needs->n; i++) {
        const struct auth_need *need = &needs->items[i];
        int r = lookup_decision(auth, req, need->key);

        if (r == -ENOENT) {
            unknown = true;
            visible_unknown |= need->kind == AUTH_NEED_VISIBLE;
        } else if (r < 0 && need->kind != AUTH_NEED_FILTER) {
            failed = true;
        } else if (r <= 0 && need->kind == AUTH_NEED_VISIBLE) {
            hidden = true;
        } else if (r <= 0 && need->kind == AUTH_NEED_REQUIRED && !*denied) {
            *denied = need;
        }
    }
    if (failed)
        return VERDICT_FAILED;
    if (hidden)
        return VERDICT_HIDDEN;
    /* Whether the object is visible decides between "not found" and "access denied". */
    if (*denied && !visible_unknown)
        return VERDICT_DENY;
    return unknown ? VERDICT_ASK : VERDICT_ALLOW;
}

static void log_refusal(const struct caller *c, sd_bus_message *m, const char *reason)
{
    vb_log_notice("refused %s.%s on %s to uid %u pid %u (%s): %s", sd_bus_message_get_interface(m),
                  sd_bus_message_get_member(m), sd_bus_message_get_path(m), c ? (unsigned int) c->uid : 0u,
                  c ? (unsigned int) c->pid : 0u, sd_bus_message_get_sender(m), reason);
}

/* Sets error for a refused call and returns what the filter returns (sd-bus replies). */
static int refuse(enum verdict verdict, const struct caller *c, sd_bus_message *m, const struct auth_needs *needs,
                  const struct auth_need *denied, const struct auth_request *req, sd_bus_error *error)
{
    switch (verdict) {
    case VERDICT_HIDDEN: {
        _cleanup_free_ char *message = auth_needs_not_found(needs);

        log_refusal(c, m, "domain:getattr denied, answered as not found");
        sd_bus_error_set(error, DBUS_LIBVIRT_ERROR, message ? message : "Domain not found");
        break;
    }
    case VERDICT_DENY: {
        const struct decision *d = req ? vb_hashmap_get(req->decisions, denied->key) : NULL;

        log_refusal(c, m, denied->action);
        sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "access denied by policy: %s%s", denied->action,
                          d && d->challenge ? " (interactive authentication required)" : "");
        break;
    }
    default:
        vb_log_warning("refused %s.%s on %s to uid %u: %s", sd_bus_message_get_interface(m),
                       sd_bus_message_get_member(m), sd_bus_message_get_path(m), c ? (unsigned int) c->uid : 0u,
                       req && req->failure ? req->failure : "authorization did not settle");
        sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "access denied: cannot check authorization (%s)",
                          req && req->failure ? req->failure : "answers kept changing");
        break;
    }
    return -EACCES;
}

/* Parks the call until polkit has answered every open question; 1 when parked. */
static int ask(struct dbus_authorizer *auth, struct auth_request **reqp, sd_bus_message *m,
               const struct auth_needs *needs)
{
    bool interactive = sd_bus_message_get_allow_interactive_authorization(m) > 0;
    struct auth_request *req = *reqp;
    int r = 0;

    if (!req) {
        char *id = request_id(m);

        req = id ? request_new(auth, m, id) : NULL;
        if (!req)
            return -ENOMEM;
        *reqp = req;
    }
    req->rounds++;
    for (size_t i = 0; r >= 0 && i < needs->n; i++)
        if (lookup_decision(auth, req, needs->items[i].key) == -ENOENT)
            r = request_ask(req, &needs->items[i], interactive);
    if (r >= 0 && req->outstanding > 0 && vb_hashmap_put(auth->pending, req->id, req) >= 0)
        return 1;
    request_cancel_checks(req);
    return r < 0 ? r : -ENOMEM;
}

/* Drops the previous call's answers and keeps req's for the handlers about to run. */
static void set_current(struct dbus_authorizer *auth, struct auth_request *req)
{
    if (auth->current != req)
        request_free(auth->current);
    auth->current = req;
}

static bool is_ours(const char *path)
{
    size_t len = strlen(DBUS_ROOT_PATH);

    return path && strncmp(path, DBUS_ROOT_PATH, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* The caller is known from here on: root and the daemon's own user are trusted. */
static int decide(struct dbus_authorizer *auth, struct auth_request *req, const struct caller *c, sd_bus_message *m,
                  sd_bus_error *error)
{
    _cleanup_(auth_needs_clear) struct auth_needs needs = { 0 };
    const struct auth_need *denied = NULL;
    enum verdict verdict = VERDICT_FAILED;
    int r = 0;

    if (c && (c->uid == 0 || c->uid == auth->self_uid))
        verdict = VERDICT_ALLOW;
    else if (c)
        r = auth_needs_build(auth->frontend, m, sd_bus_message_get_sender(m), &needs, error);
    if (r == -EACCES) {
        log_refusal(c, m, "no authorization rule");
        request_free(req);
        return r;
    }
    if (c && r >= 0 && verdict != VERDICT_ALLOW)
        verdict = judge(auth, req, &needs, &denied);
    if (r >= 0 && verdict == VERDICT_ASK && (!req || req->rounds < MAX_ROUNDS)) {
        r = ask(auth, &req, m, &needs);
        if (r > 0)
            return 1;
    }
    if (r < 0 && req)
        request_set_failure(req, "cannot ask polkit", strerror(-r));
    if (verdict == VERDICT_ALLOW && r >= 0) {
        set_current(auth, req); /* the list handlers read its answers */
        return 0;
    }
    if (verdict == VERDICT_ALLOW || verdict == VERDICT_ASK)
        verdict = VERDICT_FAILED;
    r = refuse(verdict, c, m, &needs, denied, req, error);
    request_free(req);
    return r;
}

static int authorize(struct dbus_authorizer *auth, sd_bus_message *m, sd_bus_error *error)
{
    const char *sender = sd_bus_message_get_sender(m);
    _cleanup_free_ char *id = NULL;
    struct auth_request *req = NULL;
    const struct caller *c;

    if (!sender)
        return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "access denied: the call has no sender");
    /* A re-queued call takes its request (and the answers in it) back out of the parking lot. */
    if (vb_hashmap_size(auth->pending) > 0) {
        id = request_id(m);
        if (!id)
            return -ENOMEM;
        req = vb_hashmap_remove(auth->pending, id);
    }
    c = vb_hashmap_get(auth->callers, sender);
    if (!c && (!req || !req->failure)) {
        int r;

        if (!req && !id)
            id = request_id(m);
        if (!req && !(req = id ? request_new(auth, m, TAKE_PTR(id)) : NULL))
            return -ENOMEM;
        r = ask_credentials(req);
        if (r >= 0 && vb_hashmap_put(auth->pending, req->id, req) >= 0)
            return 1;
        request_cancel_checks(req);
        request_set_failure(req, "cannot identify the caller", strerror(r < 0 ? -r : ENOMEM));
    }
    return decide(auth, req, c, m, error);
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_authorizer *auth = userdata;

    if (!sd_bus_message_is_method_call(m, NULL, NULL))
        return 0;
    set_current(auth, NULL);
    if (!auth->enabled || !is_ours(sd_bus_message_get_path(m)))
        return 0;
    return authorize(auth, m, error);
}

/* --- what handlers ask ------------------------------------------------------------------- */

void dbus_authorize_filter_domains(struct dbus_authorizer *auth, sd_bus_message *m, const struct dbus_connect *dc,
                                   const char *permission, struct vb_domain_ref *refs, size_t *n)
{
    const char *sender = sd_bus_message_get_sender(m);
    const struct caller *c = sender && auth ? vb_hashmap_get(auth->callers, sender) : NULL;
    struct auth_request *req = auth && auth->current && auth->current->message == m ? auth->current : NULL;
    size_t kept = 0;

    if (!auth || !auth->enabled || (c && (c->uid == 0 || c->uid == auth->self_uid)))
        return;
    for (size_t i = 0; i < *n; i++) {
        _cleanup_free_ char *key = NULL;

        /* Lists made for speed carry UUIDs only; polkit rules need the name too. */
        if (!refs[i].name) {
            struct vb_error err = VB_ERROR_INIT;
            struct vb_domain_ref full = { 0 };

            if (vb_domain_lookup_by_uuid(dc->conn, refs[i].uuid, &full, &err) >= 0)
                refs[i].name = TAKE_PTR(full.name);
            vb_domain_ref_clear(&full);
            vb_error_clear(&err);
        }
        key = sender && refs[i].name ? auth_domain_key(sender, dc, permission, &refs[i]) : NULL;

        if (key && lookup_decision(auth, req, key) == 1)
            refs[kept++] = refs[i];
        else
            vb_domain_ref_clear(&refs[i]);
    }
    *n = kept;
}

/* --- setup ------------------------------------------------------------------------------- */

int dbus_authorizer_new(sd_bus *bus, struct dbus_frontend *frontend, const struct dbus_authorize_options *options,
                        struct dbus_authorizer **out)
{
    struct dbus_authorizer *auth = calloc(1, sizeof(*auth));
    int r;

    if (!auth)
        return -ENOMEM;
    auth->bus = sd_bus_ref(bus);
    auth->frontend = frontend;
    auth->enabled = options->enabled;
    auth->self_uid = geteuid();
    auth->callers = vb_hashmap_new();
    auth->pending = vb_hashmap_new();
    r = auth->callers && auth->pending ? 0 : -ENOMEM;
    if (r >= 0 && auth->enabled)
        r = policy_polkit_new(bus, options->cache_seconds, &auth->polkit);
    if (r >= 0 && auth->enabled)
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
    vb_hashmap_free_with(auth->pending, pending_free);
    vb_hashmap_free_with(auth->callers, caller_free);
    policy_polkit_free(auth->polkit);
    sd_bus_unref(auth->bus);
    free(auth);
}
