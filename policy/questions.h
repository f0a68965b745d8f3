/* From a request to the polkit questions that decide it: the rule's permissions for the
 * operation, asked about the object the request names (resolved to the identity libvirt's
 * polkit rules see, policy/objects.h), and the list questions of operations that return objects.
 * Private to policy/. */
#pragma once

#include <stddef.h>

#include "policy/acl.h"
#include "policy/engine.h"
#include "policy/objects.h"

enum policy_question_kind {
    POLICY_QUESTION_REQUIRED, /* denied: the request is refused, naming the action */
    POLICY_QUESTION_VISIBLE,  /* denied: the object is hidden, the request answers "not found" */
    POLICY_QUESTION_FILTER,   /* denied: the object is left out of the list the operation returns */
};

struct policy_question {
    enum policy_question_kind kind;
    char action[96];
    const char *connect_driver;
    struct policy_identity object; /* the attributes polkit sees (none: about the connection) */
    char *key;                            /* policy_polkit_key() of the subject's question */
};

struct policy_questions {
    struct policy_question *items;
    size_t n, allocated;
};

/* 0, or -ENOMEM. A request naming a domain that does not exist gets no questions: the core then
 * answers "not found" itself, exactly as for a hidden one. */
int policy_questions_build(const struct policy_subject *subject, const struct policy_rule *rule,
                           const struct policy_request *req, struct policy_questions *qs);
/* The list questions (POLICY_FILTER_*) about one object (id: a domain, network, ...). */
int policy_questions_add_filter(const struct policy_subject *subject, unsigned int filter, struct vb_connect *conn,
                                const struct policy_identity *id, struct policy_questions *qs);
/* One required permission about the connection alone. */
int policy_questions_add_required(const struct policy_subject *subject, const struct policy_permission *p,
                                  struct vb_connect *conn, struct policy_questions *qs);
void policy_questions_clear(struct policy_questions *qs);

/* The "not found" error a hidden object answers, worded as the core words a missing one. */
void policy_questions_not_found(const struct policy_questions *qs, const struct policy_request *req,
                                struct vb_error *err);

/* The details polkit sees for q. */
struct policy_details policy_question_details(const struct policy_question *q);

/* polkit's connect_driver for a connection: libvirt's driver name ("Test", "QEMU"). */
const char *policy_connect_driver(const struct vb_connect *conn);
