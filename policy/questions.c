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
    return (struct policy_details){
        .connect_driver = q->connect_driver,
        .domain_name = q->domain_name,
        .domain_uuid = q->domain_uuid[0] ? q->domain_uuid : NULL,
    };
}

void policy_questions_clear(struct policy_questions *qs)
{
    for (size_t i = 0; i < qs->n; i++) {
        free(qs->items[i].domain_name);
        free(qs->items[i].key);
    }
    free(qs->items);
    *qs = (struct policy_questions){ 0 };
}

/* The object a request is about, once resolved. */
struct target {
    struct vb_connect *conn;
    bool has_domain;
    char *name;
    char uuid[VB_UUID_STRING_LEN]; /* "" when the definition gives none */
};

static int add_question(struct policy_questions *qs, const struct policy_subject *subject,
                        enum policy_question_kind kind, enum policy_object object, const char *permission,
                        const struct target *t)
{
    struct policy_question q = { .kind = kind, .connect_driver = policy_connect_driver(t->conn) };
    struct policy_details details;

    if (policy_action_id(object, permission, q.action, sizeof(q.action)) < 0)
        return -ENOBUFS;
    if (object == POLICY_OBJECT_DOMAIN && t->has_domain) {
        q.domain_name = strdup(t->name);
        if (!q.domain_name)
            return -ENOMEM;
        snprintf(q.domain_uuid, sizeof(q.domain_uuid), "%s", t->uuid);
    }
    details = policy_question_details(&q);
    q.key = policy_polkit_key(subject, q.action, &details);
    for (size_t i = 0; q.key && i < qs->n; i++)
        if (streq(qs->items[i].key, q.key) && qs->items[i].kind == kind) {
            free(q.key); /* asked already (a lookup's getattr) */
            free(q.domain_name);
            return 0;
        }
    if (q.key && qs->n == qs->allocated) {
        size_t allocated = qs->allocated ? qs->allocated * 2 : 8;
        struct policy_question *grown = realloc(qs->items, allocated * sizeof(*grown));

        if (grown) {
            qs->items = grown;
            qs->allocated = allocated;
        }
    }
    if (!q.key || qs->n == qs->allocated) {
        free(q.key);
        free(q.domain_name);
        return -ENOMEM;
    }
    qs->items[qs->n++] = q;
    return 0;
}

int policy_questions_add_filter(const struct policy_subject *subject, unsigned int filter, struct vb_connect *conn,
                                const unsigned char uuid[VB_UUID_LEN], const char *name, struct policy_questions *qs)
{
    struct target t = { .conn = conn, .has_domain = true, .name = (char *) name };
    int r = 0;

    vb_uuid_format(uuid, t.uuid);
    if (filter & POLICY_FILTER_GETATTR)
        r = add_question(qs, subject, POLICY_QUESTION_FILTER, POLICY_OBJECT_DOMAIN, "getattr", &t);
    if (r >= 0 && (filter & POLICY_FILTER_READ))
        r = add_question(qs, subject, POLICY_QUESTION_FILTER, POLICY_OBJECT_DOMAIN, "read", &t);
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
    t->has_domain = true;
    t->name = TAKE_PTR(ref->name);
    vb_uuid_format(ref->uuid, t->uuid);
    return 1;
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
    t->name = strdup(def->name);
    t->has_domain = t->name != NULL;
    if (strstr(xml, "<uuid"))
        vb_uuid_format(def->uuid, t->uuid);
}

/* 1 with the domain resolved, 0 when the request names no existing domain. */
static int resolve(const struct policy_request *req, struct target *t)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    int r = -1;

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
    }
    vb_error_clear(&err); /* the core reports a missing domain itself */
    if (r < 0) {
        vb_domain_ref_clear(&ref);
        return 0;
    }
    return target_from_ref(t, &ref);
}

static int add_list_questions(const struct policy_subject *subject, unsigned int filter, struct vb_connect *conn,
                              struct policy_questions *qs)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    size_t n = 0;
    int r = 0;

    if (vb_domain_list(conn, 0, &refs, &n, &err) < 0) {
        vb_error_clear(&err); /* the handler reports the listing error itself */
        return 0;
    }
    for (size_t i = 0; r >= 0 && i < n; i++)
        r = policy_questions_add_filter(subject, filter, conn, refs[i].uuid, refs[i].name, qs);
    vb_domain_refs_free(refs, n);
    return r;
}

int policy_questions_build(const struct policy_subject *subject, const struct policy_rule *rule,
                           const struct policy_request *req, struct policy_questions *qs)
{
    struct target t = { .conn = req->conn };
    int r = resolve(req, &t);

    if (r <= 0)
        goto out;
    /* A domain the subject may not see is hidden, whatever else the operation needs. */
    if (t.has_domain && req->ref != POLICY_REF_XML)
        r = add_question(qs, subject, POLICY_QUESTION_VISIBLE, POLICY_OBJECT_DOMAIN, "getattr", &t);
    for (const struct policy_permission *p = rule->permissions; r >= 0 && p->name; p++)
        if (policy_permission_applies(p, req->flags))
            r = add_question(qs, subject, POLICY_QUESTION_REQUIRED, p->object, p->name, &t);
    if (r >= 0 && rule->list_filter)
        r = add_list_questions(subject, rule->list_filter, req->conn, qs);
out:
    free(t.name);
    return r < 0 ? r : 0;
}

void policy_questions_not_found(const struct policy_questions *qs, const struct policy_request *req,
                                struct vb_error *err)
{
    const struct policy_question *visible = NULL;

    for (size_t i = 0; i < qs->n && !visible; i++)
        if (qs->items[i].kind == POLICY_QUESTION_VISIBLE)
            visible = &qs->items[i];
    if (req->ref == POLICY_REF_ID)
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching id %d", req->id);
    else if (req->ref == POLICY_REF_NAME && visible)
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching name '%s'", visible->domain_name);
    else
        vb_error_set(err, VB_ERR_NO_DOMAIN, "no domain with matching uuid '%s'", visible ? visible->domain_uuid : "");
}
