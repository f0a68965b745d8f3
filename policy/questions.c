/* Building the polkit questions of a request: which object, which permissions, which lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/checks.h"
#include "api/domain.h"
#include "conf/domain_def.h"
#include "policy/questions.h"

struct driver_name {
    const char *driver;
    const char *polkit_name;
};

/* libvirt names its drivers so in polkit's details. */
static const struct driver_name driver_names[] = {
    { "test", "Test" },
    { "qemu", "QEMU" },
};

const char *policy_connect_driver(const struct vb_connect *conn)
{
    for (size_t i = 0; i < ARRAY_SIZE(driver_names); i++)
        if (streq(driver_names[i].driver, conn->driver->name))
            return driver_names[i].polkit_name;
    return conn->driver->name;
}

struct policy_details policy_question_details(const struct policy_question *q)
{
    struct policy_details details = { .connect_driver = q->connect_driver };

    for (size_t i = 0; i < q->object.n; i++)
        details.object[i] = (struct policy_detail){ q->object.names[i], q->object.values[i] };
    return details;
}

static void question_clear(struct policy_question *q)
{
    policy_identity_clear(&q->object);
    free(q->key);
}

void policy_questions_clear(struct policy_questions *qs)
{
    for (size_t i = 0; i < qs->n; i++)
        question_clear(&qs->items[i]);
    free(qs->items);
    *qs = (struct policy_questions){ 0 };
}

/* The object a request is about, once resolved (kind POLICY_OBJECT_CONNECT: none). */
struct target {
    struct vb_connect *conn;
    struct policy_identity id;
};

static bool asked_already(const struct policy_questions *qs, const struct policy_question *q)
{
    for (size_t i = 0; i < qs->n; i++)
        if (streq(qs->items[i].key, q->key) && qs->items[i].kind == q->kind)
            return true; /* a lookup's getattr */
    return false;
}

static int grow(struct policy_questions *qs)
{
    size_t allocated = qs->allocated ? qs->allocated * 2 : 8;
    struct policy_question *grown;

    if (qs->n < qs->allocated)
        return 0;
    grown = realloc(qs->items, allocated * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    qs->items = grown;
    qs->allocated = allocated;
    return 0;
}

static int add_question(struct policy_questions *qs, const struct policy_subject *subject,
                        enum policy_question_kind kind, enum policy_object object, const char *permission,
                        const struct target *t)
{
    struct policy_question q = { .kind = kind, .connect_driver = policy_connect_driver(t->conn) };
    struct policy_details details;
    int r;

    if (policy_action_id(object, permission, q.action, sizeof(q.action)) < 0)
        return -ENOBUFS;
    r = policy_identity_for(&t->id, object, &q.object);
    if (r < 0)
        return r;
    details = policy_question_details(&q);
    q.key = policy_polkit_key(subject, q.action, &details);
    r = q.key ? grow(qs) : -ENOMEM;
    if (r < 0 || asked_already(qs, &q)) {
        question_clear(&q);
        return r;
    }
    qs->items[qs->n++] = q;
    return 0;
}

int policy_questions_add_filter(const struct policy_subject *subject, unsigned int filter, struct vb_connect *conn,
                                const struct policy_identity *id, struct policy_questions *qs)
{
    struct target t = { .conn = conn, .id = *id }; /* borrowed: not cleared here */
    int r = 0;

    if (filter & POLICY_FILTER_GETATTR)
        r = add_question(qs, subject, POLICY_QUESTION_FILTER, id->kind, "getattr", &t);
    if (r >= 0 && (filter & POLICY_FILTER_READ))
        r = add_question(qs, subject, POLICY_QUESTION_FILTER, id->kind, "read", &t);
    return r;
}

int policy_questions_add_required(const struct policy_subject *subject, const struct policy_permission *p,
                                  struct vb_connect *conn, struct policy_questions *qs)
{
    struct target t = { .conn = conn };

    return add_question(qs, subject, POLICY_QUESTION_REQUIRED, p->object, p->name, &t);
}

static int target_from_ref(struct target *t, struct vb_domain_ref *ref)
{
    int r = policy_identity_of_domain(ref->uuid, ref->name, &t->id);

    vb_domain_ref_clear(ref);
    return r < 0 ? r : 1;
}

/* The domain a definition describes: its name, and the UUID it will have (the existing domain's
 * of that name, else the definition's). A definition that does not parse leaves no domain: the
 * questions then carry the connection only and so match no per-domain rule. Parsing is bounded
 * (conf/xml_util.c), so a hostile document costs little before it is refused. */
static void target_from_xml(struct target *t, const char *xml)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    struct vb_domain_ref ref = { 0 };
    struct vb_error err = VB_ERROR_INIT;

    /* Longer than any libvirt client can send: the core refuses it unparsed, so nor does this. */
    if (xml && *xml && vb_check_string_max(xml, "xml", "", &err) == 0)
        def = vb_domain_def_parse_string(xml, &err);
    vb_error_clear(&err);
    if (!def || !def->name)
        return;
    if (vb_domain_lookup_by_name(t->conn, def->name, &ref, &err) >= 0) {
        target_from_ref(t, &ref);
        return;
    }
    vb_error_clear(&err);
    if (policy_identity_of_domain(strstr(xml, "<uuid") ? def->uuid : NULL, def->name, &t->id) < 0)
        t->id = (struct policy_identity){ 0 }; /* out of memory: the connection only */
}

/* 1 with the object resolved, 0 when the request names no existing object, -ENOMEM. */
static int resolve(const struct policy_request *req, struct target *t)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    int r = -1;

    if (req->ref != POLICY_REF_CONNECTION && req->object != POLICY_OBJECT_CONNECT)
        return policy_object_resolve(req, &t->id);
    switch (req->ref) {
    case POLICY_REF_CONNECTION:
        return 1;
    case POLICY_REF_XML:
        target_from_xml(t, req->xml);
        return 1;
    case POLICY_REF_UUID:
        r = req->uuid ? vb_domain_lookup_by_uuid(req->conn, req->uuid, &ref, &err) : -1;
        break;
    case POLICY_REF_NAME:
        r = req->name ? vb_domain_lookup_by_name(req->conn, req->name, &ref, &err) : -1;
        break;
    case POLICY_REF_ID:
        r = vb_domain_lookup_by_id(req->conn, req->id, &ref, &err);
        break;
    default: /* keys, paths and MACs name other kinds */
        break;
    }
    vb_error_clear(&err); /* the core reports a missing domain itself */
    if (r < 0) {
        vb_domain_ref_clear(&ref);
        return 0;
    }
    return target_from_ref(t, &ref);
}

static int add_domain_list_questions(const struct policy_subject *subject, unsigned int filter,
                                     struct vb_connect *conn, struct policy_questions *qs)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    size_t n = 0;
    int r = 0;

    if (vb_domain_list(conn, 0, &refs, &n, &err) < 0) {
        vb_error_clear(&err); /* the handler reports the listing error itself */
        return 0;
    }
    for (size_t i = 0; r >= 0 && i < n; i++) {
        struct policy_identity id;

        r = policy_identity_of_domain(refs[i].uuid, refs[i].name, &id);
        if (r >= 0)
            r = policy_questions_add_filter(subject, filter, conn, &id, qs);
        policy_identity_clear(&id);
    }
    vb_domain_refs_free(refs, n);
    return r;
}

/* The filter questions about refs, objects of kind; takes refs. */
static int add_object_questions(const struct policy_subject *subject, unsigned int filter, struct vb_connect *conn,
                                enum policy_object kind, struct vb_object_ref *refs, size_t n,
                                struct policy_questions *qs)
{
    int r = 0;

    for (size_t i = 0; r >= 0 && i < n; i++) {
        struct policy_identity id;

        r = policy_identity_of_object(conn, kind, &refs[i], &id);
        if (r >= 0)
            r = policy_questions_add_filter(subject, filter, conn, &id, qs);
        policy_identity_clear(&id);
    }
    vb_object_refs_free(refs, n);
    return r;
}

/* Introspect and GetManagedObjects: the objects of every kind, each needing getattr. */
static int add_every_kind_questions(const struct policy_subject *subject, struct vb_connect *conn,
                                    struct policy_questions *qs)
{
    static const enum policy_object kinds[] = { POLICY_OBJECT_NETWORK, POLICY_OBJECT_STORAGE_POOL,
                                                POLICY_OBJECT_STORAGE_VOL, POLICY_OBJECT_NODE_DEVICE,
                                                POLICY_OBJECT_INTERFACE };
    int r = 0;

    for (size_t k = 0; r >= 0 && k < ARRAY_SIZE(kinds); k++) {
        struct vb_object_ref *refs = NULL;
        size_t n = 0;

        if (policy_objects_list_all(conn, kinds[k], &refs, &n) == 0)
            r = add_object_questions(subject, POLICY_FILTER_GETATTR, conn, kinds[k], refs, n, qs);
    }
    return r;
}

static int add_list_questions(const struct policy_subject *subject, const struct policy_rule *rule,
                              const struct policy_request *req, struct policy_questions *qs)
{
    struct vb_object_ref *refs = NULL;
    size_t n = 0;

    if (rule->list_object == POLICY_OBJECT_DOMAIN) {
        int r = add_domain_list_questions(subject, rule->list_filter, req->conn, qs);

        return r < 0 || !rule->list_every_kind ? r : add_every_kind_questions(subject, req->conn, qs);
    }
    if (policy_objects_list(req, rule->list_object, &refs, &n) < 0)
        return 0; /* the handler reports the listing error itself */
    return add_object_questions(subject, rule->list_filter, req->conn, rule->list_object, refs, n, qs);
}

int policy_questions_build(const struct policy_subject *subject, const struct policy_rule *rule,
                           const struct policy_request *req, struct policy_questions *qs)
{
    struct target t = { .conn = req->conn };
    int r = resolve(req, &t);

    if (r <= 0)
        goto out;
    /* An object the subject may not see is hidden, whatever else the operation needs. */
    if (t.id.kind != POLICY_OBJECT_CONNECT && req->ref != POLICY_REF_XML)
        r = add_question(qs, subject, POLICY_QUESTION_VISIBLE, t.id.kind, "getattr", &t);
    for (const struct policy_permission *p = rule->permissions; r >= 0 && p->name; p++)
        if (policy_permission_applies(p, req->flags))
            r = add_question(qs, subject, POLICY_QUESTION_REQUIRED, p->object, p->name, &t);
    if (r >= 0 && rule->list_filter)
        r = add_list_questions(subject, rule, req, qs);
out:
    policy_identity_clear(&t.id);
    return r < 0 ? r : 0;
}

void policy_questions_not_found(const struct policy_questions *qs, const struct policy_request *req,
                                struct vb_error *err)
{
    const struct policy_question *visible = NULL;
    const char *uuid;

    if (req->object != POLICY_OBJECT_CONNECT) {
        policy_object_not_found(req, err);
        return;
    }
    for (size_t i = 0; i < qs->n && !visible; i++)
        if (qs->items[i].kind == POLICY_QUESTION_VISIBLE)
            visible = &qs->items[i];
    if (req->ref == POLICY_REF_ID)
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching id %d", req->id);
    else if (req->ref == POLICY_REF_NAME && visible)
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching name '%s'",
                     policy_identity_get(&visible->object, "domain_name"));
    else if ((uuid = visible ? policy_identity_get(&visible->object, "domain_uuid") : NULL))
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching uuid '%s'", uuid);
    else
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching uuid ''");
}
