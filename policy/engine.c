/* The authorization engine: from a request to polkit questions (policy/questions.c), from their
 * answers to a verdict, and the checks that carry a call's answers while polkit is asked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "api/domain.h"
#include "policy/engine.h"
#include "policy/questions.h"
#include "util/hashmap.h"
#include "util/log.h"

/* A call whose questions keep changing (domains appearing while it waits) gives up. */
#define MAX_ROUNDS 4

struct policy_engine {
    bool enabled;
    uid_t self_uid;
    struct policy_polkit *polkit;
    const struct policy_authority *authority;
};

struct answer {
    char *key;
    int allowed;    /* 1, 0, or < 0 when polkit could not answer */
    bool challenge; /* denied, but an authentication agent could have authorized it */
};

struct asked {
    struct policy_check *check;
    char *key;
    sd_bus_slot *slot; /* polkit's question */
    void *handle;      /* an authority's question */
    struct asked *next;
};

struct policy_check {
    struct policy_engine *engine;
    struct policy_subject subject;
    char *bus_name, *principal; /* the subject's strings, owned */
    bool interactive;
    struct vb_hashmap *answers; /* key → struct answer */
    struct asked *asked;
    unsigned int outstanding, rounds;
    char *failure; /* why polkit could not answer */
    void (*resume)(void *userdata);
    void *resume_data;
};

/* --- the engine ------------------------------------------------------------------------------ */

int policy_engine_new(const struct policy_engine_options *options, struct policy_engine **out)
{
    struct policy_engine *engine = calloc(1, sizeof(*engine));
    int r = 0;

    if (!engine)
        return -ENOMEM;
    engine->enabled = options->enabled;
    engine->self_uid = geteuid();
    engine->authority = options->authority;
    if (engine->enabled && options->polkit_bus && !options->authority)
        r = policy_polkit_new(options->polkit_bus, options->cache_seconds, &engine->polkit);
    if (r < 0) {
        free(engine);
        return r;
    }
    *out = engine;
    return 0;
}

void policy_engine_free(struct policy_engine *engine)
{
    if (!engine)
        return;
    policy_polkit_free(engine->polkit);
    free(engine);
}

bool policy_engine_enabled(const struct policy_engine *engine)
{
    return engine && engine->enabled;
}

bool policy_engine_trusts(const struct policy_engine *engine, const struct policy_subject *subject)
{
    return !engine || !engine->enabled || subject->uid == 0 || subject->uid == engine->self_uid;
}

/* --- checks ---------------------------------------------------------------------------------- */

static void answer_free(void *value)
{
    struct answer *a = value;

    if (!a)
        return;
    free(a->key);
    free(a);
}

struct policy_check *policy_check_new(struct policy_engine *engine, const struct policy_subject *subject,
                                      bool interactive)
{
    struct policy_check *check = calloc(1, sizeof(*check));

    if (!check)
        return NULL;
    check->engine = engine;
    check->subject = *subject;
    check->interactive = interactive;
    check->answers = vb_hashmap_new();
    check->bus_name = subject->bus_name ? strdup(subject->bus_name) : NULL;
    check->principal = subject->principal ? strdup(subject->principal) : NULL;
    if (!check->answers || (subject->bus_name && !check->bus_name) || (subject->principal && !check->principal)) {
        policy_check_free(check);
        return NULL;
    }
    check->subject.bus_name = check->bus_name;
    check->subject.principal = check->principal;
    return check;
}

static void asked_free(struct policy_check *check, struct asked *a)
{
    const struct policy_authority *authority = check->engine->authority;

    if (a->handle && authority && authority->cancel)
        authority->cancel(authority->userdata, a->handle);
    sd_bus_slot_unref(a->slot);
    free(a->key);
    free(a);
}

static void cancel_questions(struct policy_check *check)
{
    while (check->asked) {
        struct asked *a = check->asked;

        check->asked = a->next;
        asked_free(check, a);
    }
    check->outstanding = 0;
}

void policy_check_free(struct policy_check *check)
{
    if (!check)
        return;
    cancel_questions(check);
    vb_hashmap_free_with(check->answers, answer_free);
    free(check->failure);
    free(check->bus_name);
    free(check->principal);
    free(check);
}

void policy_check_on_answered(struct policy_check *check, void (*resume)(void *userdata), void *userdata)
{
    check->resume = resume;
    check->resume_data = userdata;
}

const struct policy_subject *policy_check_subject(const struct policy_check *check)
{
    return &check->subject;
}

static void set_failure(struct policy_check *check, const char *what, const char *why)
{
    if (check->failure)
        return;
    if (asprintf(&check->failure, "%s: %s", what, why) < 0)
        check->failure = NULL;
}

/* 1 allowed, 0 denied, < 0 (not -ENOENT) polkit failed, -ENOENT not known yet. */
static int known_answer(const struct policy_check *check, const char *key)
{
    /* Most checks are answered from the cache alone: skip hashing the key for an empty map. */
    const struct answer *a = vb_hashmap_size(check->answers) ? vb_hashmap_get(check->answers, key) : NULL;

    if (a)
        return a->allowed < 0 ? -EIO : a->allowed;
    return check->engine->polkit ? policy_polkit_cached(check->engine->polkit, key) : -ENOENT;
}

static void on_answer(void *userdata, int allowed, const char *message)
{
    struct asked *asked = userdata, **link;
    struct policy_check *check = asked->check;
    struct answer *a = calloc(1, sizeof(*a));

    if (allowed < 0)
        set_failure(check, "polkit could not answer", message ? message : "unknown error");
    if (a && (a->key = strdup(asked->key))) {
        a->allowed = allowed;
        a->challenge = allowed == 0 && message;
        answer_free(vb_hashmap_remove(check->answers, a->key));
        if (vb_hashmap_put(check->answers, a->key, a) < 0) {
            answer_free(a);
            set_failure(check, "cannot record the answer", "out of memory");
        }
    } else {
        free(a);
        set_failure(check, "cannot record the answer", "out of memory");
    }
    for (link = &check->asked; *link; link = &(*link)->next)
        if (*link == asked) {
            *link = asked->next;
            break;
        }
    asked->handle = NULL; /* answered: nothing to cancel */
    asked_free(check, asked);
    if (--check->outstanding == 0 && check->resume)
        check->resume(check->resume_data);
}

static bool being_asked(const struct policy_check *check, const char *key)
{
    for (const struct asked *a = check->asked; a; a = a->next)
        if (streq(a->key, key))
            return true;
    return false;
}

static int ask(struct policy_check *check, const struct policy_question *q)
{
    const struct policy_authority *authority = check->engine->authority;
    struct policy_details details = policy_question_details(q);
    struct asked *a;
    int r;

    if (being_asked(check, q->key))
        return 0;
    if (!check->engine->polkit && !authority)
        return -ENOTCONN;
    a = calloc(1, sizeof(*a));
    if (!a || !(a->key = strdup(q->key))) {
        free(a);
        return -ENOMEM;
    }
    a->check = check;
    if (authority)
        r = authority->ask(authority->userdata, &check->subject, q->action, &details, check->interactive, on_answer,
                           a, &a->handle);
    else
        r = policy_polkit_check(check->engine->polkit, &check->subject, q->action, &details, check->interactive,
                                on_answer, a, &a->slot);
    if (r < 0) {
        free(a->key);
        free(a);
        return r;
    }
    a->next = check->asked;
    check->asked = a;
    check->outstanding++;
    return 0;
}

/* --- verdicts -------------------------------------------------------------------------------- */

enum verdict { VERDICT_ALLOW, VERDICT_ASK, VERDICT_DENY, VERDICT_HIDDEN, VERDICT_FAILED };

static enum verdict judge(const struct policy_check *check, const struct policy_questions *qs,
                          const struct policy_question **denied)
{
    bool unknown = false, visible_unknown = false, failed = false, hidden = false;

    *denied = NULL;
    for (size_t i = 0; i < qs->n; i++) {
        const struct policy_question *q = &qs->items[i];
        int r = known_answer(check, q->key);

        if (r == -ENOENT) {
            unknown = true;
            visible_unknown |= q->kind == POLICY_QUESTION_VISIBLE;
        } else if (r < 0 && q->kind != POLICY_QUESTION_FILTER) {
            failed = true;
        } else if (r <= 0 && q->kind == POLICY_QUESTION_VISIBLE) {
            hidden = true;
        } else if (r <= 0 && q->kind == POLICY_QUESTION_REQUIRED && !*denied) {
            *denied = q;
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

static void describe_subject(const struct policy_subject *s, char *buf, size_t size)
{
    if (s->kind == POLICY_SUBJECT_BUS_NAME)
        snprintf(buf, size, "uid %u (%s)", (unsigned int) s->uid, s->bus_name ? s->bus_name : "?");
    else if (s->kind == POLICY_SUBJECT_UNIX_PROCESS)
        snprintf(buf, size, "uid %u (pid %u)", (unsigned int) s->uid, (unsigned int) s->pid);
    else
        snprintf(buf, size, "uid %u (%s)", (unsigned int) s->uid, s->principal ? s->principal : "principal");
}

static int refuse(struct policy_check *check, enum verdict verdict, const struct policy_request *req,
                  const struct policy_questions *qs, const struct policy_question *denied, struct vb_error *err)
{
    const struct answer *a = denied ? vb_hashmap_get(check->answers, denied->key) : NULL;
    char who[128];

    describe_subject(&check->subject, who, sizeof(who));
    if (verdict == VERDICT_HIDDEN) {
        policy_questions_not_found(qs, req, err);
        vb_log_notice("refused %s to %s: getattr denied, answered as not found", vb_operation_api(req->op), who);
    } else if (verdict == VERDICT_DENY) {
        vb_error_set_literal(err, VB_ERR_ACCESS_DENIED, "access denied by policy: %s%s", denied->action,
                             a && a->challenge ? " (interactive authentication required)" : "");
        const char *on = denied->object.n ? denied->object.values[0] : NULL; /* its name, first */

        vb_log_notice("refused %s%s%s to %s: %s", vb_operation_api(req->op), on ? " on " : "", on ? on : "", who,
                      denied->action);
    } else {
        const char *why = check->failure ? check->failure : "answers kept changing";

        vb_error_set_literal(err, VB_ERR_ACCESS_DENIED, "access denied: cannot check authorization (%s)", why);
        vb_log_warning("refused %s to %s: %s", vb_operation_api(req->op), who, why);
    }
    return -1;
}

/* Asks every question nobody knows the answer to; VB_PENDING when some went out. */
static int ask_unknown(struct policy_check *check, const struct policy_questions *qs)
{
    int r = 0;

    for (size_t i = 0; r >= 0 && i < qs->n; i++)
        if (known_answer(check, qs->items[i].key) == -ENOENT)
            r = ask(check, &qs->items[i]);
    if (r < 0) {
        set_failure(check, "cannot ask polkit", r == -ENOTCONN ? "polkit is not available" : strerror(-r));
        return r;
    }
    return check->outstanding > 0 ? VB_PENDING : 0;
}

static int verdict_of(struct policy_check *check, const struct policy_request *req, struct policy_questions *qs,
                      struct vb_error *err)
{
    const struct policy_question *denied = NULL;
    enum verdict verdict = judge(check, qs, &denied);

    if (verdict == VERDICT_ASK && check->rounds < MAX_ROUNDS) {
        int r = ask_unknown(check, qs);

        if (r == VB_PENDING)
            return VB_PENDING;
        if (r == 0)
            verdict = judge(check, qs, &denied); /* answered meanwhile (asked twice in one round) */
    }
    check->rounds = 0; /* decided: the next decision starts its own count */
    if (verdict == VERDICT_ALLOW)
        return 0;
    if (verdict == VERDICT_ASK)
        verdict = VERDICT_FAILED;
    return refuse(check, verdict, req, qs, denied, err);
}

int policy_check_decide(struct policy_check *check, const struct policy_request *req, struct vb_error *err)
{
    _cleanup_(policy_questions_clear) struct policy_questions qs = { 0 };
    const struct policy_rule *rule = policy_rule_for(req->op);
    int r;

    if (!rule->defined) {
        vb_error_set_literal(err, VB_ERR_ACCESS_DENIED, "access denied by policy: no authorization rule for %s",
                             vb_operation_name(req->op));
        vb_log_notice("refused %s to uid %u: no authorization rule", vb_operation_name(req->op),
                      (unsigned int) check->subject.uid);
        return -1;
    }
    if (policy_engine_trusts(check->engine, &check->subject))
        return 0;
    r = policy_questions_build(&check->subject, rule, req, &qs);
    if (r < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (check->outstanding == 0)
        check->rounds++;
    return verdict_of(check, req, &qs, err);
}

/* --- lists ----------------------------------------------------------------------------------- */

/* Whether the subject may see the object id names, from the check's answers or the cache. */
static bool may_list(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                     const struct policy_identity *id)
{
    const struct policy_rule *rule = policy_rule_for(op);
    _cleanup_(policy_questions_clear) struct policy_questions qs = { 0 };

    if (policy_questions_add_filter(&check->subject, rule->list_filter, conn, id, &qs) < 0)
        return false;
    for (size_t i = 0; i < qs.n; i++)
        if (known_answer(check, qs.items[i].key) != 1)
            return false;
    return true;
}

bool policy_check_may_list(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                           const unsigned char uuid[VB_UUID_LEN], const char *name)
{
    struct policy_identity id;
    bool visible;

    if (!check || policy_engine_trusts(check->engine, &check->subject))
        return true;
    if (!name || policy_identity_of_domain(uuid, name, &id) < 0)
        return false;
    visible = may_list(check, op, conn, &id);
    policy_identity_clear(&id);
    return visible;
}

bool policy_check_may_list_object(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                  const struct vb_object_ref *ref)
{
    struct policy_identity id;
    bool visible;

    if (!check || policy_engine_trusts(check->engine, &check->subject))
        return true;
    if (!ref->name || policy_identity_of_object(conn, policy_rule_for(op)->list_object, ref, &id) < 0)
        return false;
    visible = may_list(check, op, conn, &id);
    policy_identity_clear(&id);
    return visible;
}

static int decide_listed(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                         const struct policy_identity *id, bool *visible)
{
    _cleanup_(policy_questions_clear) struct policy_questions qs = { 0 };
    const struct policy_rule *rule = policy_rule_for(op);
    const struct policy_question *denied = NULL;
    enum verdict verdict;
    int r = 0;

    /* The rule's own permissions are about the connection (search_domains). */
    for (const struct policy_permission *p = rule->permissions; r >= 0 && p->name; p++)
        r = policy_questions_add_required(&check->subject, p, conn, &qs);
    if (r >= 0)
        r = policy_questions_add_filter(&check->subject, rule->list_filter, conn, id, &qs);
    if (r < 0)
        return 0; /* cannot even ask: not shown */
    for (size_t i = 0; i < qs.n; i++)
        qs.items[i].kind = POLICY_QUESTION_REQUIRED; /* any denial means: not shown */
    if (check->outstanding == 0)
        check->rounds++;
    verdict = judge(check, &qs, &denied);
    if (verdict == VERDICT_ASK && check->rounds < MAX_ROUNDS && ask_unknown(check, &qs) == VB_PENDING)
        return VB_PENDING;
    check->rounds = 0;
    *visible = judge(check, &qs, &denied) == VERDICT_ALLOW;
    return 0;
}

int policy_check_decide_listed(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                               const unsigned char uuid[VB_UUID_LEN], const char *name, bool *visible)
{
    struct policy_identity id;
    int r;

    *visible = policy_engine_trusts(check->engine, &check->subject);
    if (*visible || !policy_rule_for(op)->defined || !name)
        return 0;
    if (policy_identity_of_domain(uuid, name, &id) < 0)
        return 0;
    r = decide_listed(check, op, conn, &id, visible);
    policy_identity_clear(&id);
    return r;
}

int policy_check_decide_listed_object(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                      const struct vb_object_ref *ref, bool *visible)
{
    struct policy_identity id;
    int r;

    *visible = policy_engine_trusts(check->engine, &check->subject);
    if (*visible || !policy_rule_for(op)->defined || !ref->name)
        return 0;
    if (policy_identity_of_object(conn, policy_rule_for(op)->list_object, ref, &id) < 0)
        return 0;
    r = decide_listed(check, op, conn, &id, visible);
    policy_identity_clear(&id);
    return r;
}

void policy_check_filter_domains(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                 struct vb_domain_ref *refs, size_t *n)
{
    size_t kept = 0;

    if (!check || policy_engine_trusts(check->engine, &check->subject))
        return;
    for (size_t i = 0; i < *n; i++) {
        /* Lists made for speed carry UUIDs only; polkit rules need the name too. */
        if (!refs[i].name) {
            struct vb_domain_ref full = { 0 };
            struct vb_error err = VB_ERROR_INIT;

            if (vb_domain_lookup_by_uuid(conn, refs[i].uuid, &full, &err) >= 0)
                refs[i].name = TAKE_PTR(full.name);
            vb_domain_ref_clear(&full);
            vb_error_clear(&err);
        }
        if (policy_check_may_list(check, op, conn, refs[i].uuid, refs[i].name))
            refs[kept++] = refs[i];
        else
            vb_domain_ref_clear(&refs[i]);
    }
    *n = kept;
}

void policy_check_filter_objects(struct policy_check *check, enum vb_operation op, struct vb_connect *conn,
                                 struct vb_object_ref *refs, size_t *n)
{
    size_t kept = 0;

    if (!check || policy_engine_trusts(check->engine, &check->subject))
        return;
    for (size_t i = 0; i < *n; i++) {
        if (policy_check_may_list_object(check, op, conn, &refs[i]))
            refs[kept++] = refs[i];
        else
            vb_object_ref_clear(&refs[i]);
    }
    *n = kept;
}
