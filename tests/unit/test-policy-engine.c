/* Unit tests for the authorization engine, with no bus at all: the engine decides requests on a
 * real test:///default connection while the test plays the authority (policy_authority), so
 * every question the engine asks is seen, and answered when the test says. The integration tests
 * run the same engine against a real polkitd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/domain.h"
#include "conf/domain_def.h"
#include "drivers/driver.h"
#include "conf/domain_obj.h"
#include "policy/engine.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define MAX_QUESTIONS 64

struct question {
    char action[96];
    char domain[64];
    policy_polkit_done done;
    void *done_data;
    bool answered, cancelled;
};

/* The authority the tests play: remembers every question; answers when told. */
struct authority {
    struct question questions[MAX_QUESTIONS];
    size_t n;
    const char *denied[8]; /* "action" or "action@domain" */
};

struct fixture {
    struct authority authority;
    struct policy_authority callbacks;
    struct policy_engine *engine;
    struct vb_connect *conn;
    struct policy_check *check;
    int resumed;
    unsigned char test_uuid[VB_UUID_LEN];
};

static int authority_ask(void *userdata, const struct policy_subject *subject, const char *action,
                         const struct policy_details *details, bool interactive, policy_polkit_done done,
                         void *done_data, void **handle)
{
    struct authority *a = userdata;
    struct question *q;

    assert_true(a->n < MAX_QUESTIONS);
    q = &a->questions[a->n++];
    *q = (struct question){ .done = done, .done_data = done_data };
    snprintf(q->action, sizeof(q->action), "%s", action);
    /* The object's name comes first in its details (domain_name, network_name, ...). */
    snprintf(q->domain, sizeof(q->domain), "%s",
             details->object[0].name && details->object[0].value ? details->object[0].value : "");
    *handle = q;
    return 0;
}

static void authority_cancel(void *userdata, void *handle)
{
    ((struct question *) handle)->cancelled = true;
}

static bool denied(const struct authority *a, const struct question *q)
{
    char both[160];

    snprintf(both, sizeof(both), "%s@%s", q->action, q->domain);
    for (size_t i = 0; i < 8 && a->denied[i]; i++)
        if (streq(a->denied[i], q->action) || streq(a->denied[i], both))
            return true;
    return false;
}

/* Answers every open question: yes, unless the test denied it. */
static void answer_all(struct fixture *f)
{
    for (size_t i = 0; i < f->authority.n; i++) {
        struct question *q = &f->authority.questions[i];

        if (q->answered || q->cancelled)
            continue;
        q->answered = true;
        q->done(q->done_data, denied(&f->authority, q) ? 0 : 1, NULL);
    }
}

static void on_resume(void *userdata)
{
    ((struct fixture *) userdata)->resumed++;
}

static struct fixture *fixture_new(bool enabled, uint32_t uid)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_driver_env env = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    struct policy_subject subject = { .kind = POLICY_SUBJECT_UNIX_USER, .uid = uid, .principal = "tester" };

    assert_non_null(f);
    f->callbacks = (struct policy_authority){ .ask = authority_ask, .cancel = authority_cancel,
                                              .userdata = &f->authority };
    assert_int_equal(policy_engine_new(&(struct policy_engine_options){ .enabled = enabled,
                                                                         .authority = &f->callbacks },
                                       &f->engine), 0);
    if (vb_connect_open("test:///default", &env, &f->conn, &err) < 0)
        fail_msg("open: %s", vb_error_message(&err));
    f->check = policy_check_new(f->engine, &subject, false);
    assert_non_null(f->check);
    policy_check_on_answered(f->check, on_resume, f);
    vb_uuid_parse(TEST_UUID, f->test_uuid);
    return f;
}

static void fixture_free(struct fixture *f)
{
    policy_check_free(f->check);
    vb_connect_close(f->conn);
    policy_engine_free(f->engine);
    free(f);
}

/* An unprivileged uid: neither root nor whoever runs the tests. */
static uint32_t stranger(void)
{
    return getuid() == 4242 ? 4343 : 4242;
}

static struct policy_request domain_request(struct fixture *f, enum vb_operation op, unsigned int flags)
{
    return (struct policy_request){ .op = op, .conn = f->conn, .ref = POLICY_REF_UUID, .uuid = f->test_uuid,
                                    .flags = flags };
}

/* Decides req to the end, answering the authority's questions as they come; returns the verdict. */
static int decide_fully(struct fixture *f, const struct policy_request *req, struct vb_error *err)
{
    for (int round = 0; round < 8; round++) {
        int r = policy_check_decide(f->check, req, err);

        if (r != VB_PENDING)
            return r;
        answer_all(f);
    }
    fail_msg("the engine kept asking");
    return -1;
}

static bool was_asked(const struct fixture *f, const char *action, const char *domain)
{
    for (size_t i = 0; i < f->authority.n; i++)
        if (streq(f->authority.questions[i].action, action) && streq(f->authority.questions[i].domain, domain))
            return true;
    return false;
}

static void disabled_engine_allows_everything_without_asking(void **state)
{
    struct fixture *f = fixture_new(false, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_DESTROY, 0);
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(policy_check_decide(f->check, &req, &err), 0);
    assert_int_equal(f->authority.n, 0);
    fixture_free(f);
}

static void root_and_the_daemons_own_user_are_trusted(void **state)
{
    struct fixture *f = fixture_new(true, 0);
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_DESTROY, 0);
    struct vb_error err = VB_ERROR_INIT;
    struct policy_subject self = { .kind = POLICY_SUBJECT_UNIX_USER, .uid = getuid() };

    assert_int_equal(policy_check_decide(f->check, &req, &err), 0);
    assert_true(policy_engine_trusts(f->engine, &self));
    assert_int_equal(f->authority.n, 0);
    fixture_free(f);
}

static void a_call_waits_for_every_answer_then_is_resumed_once(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_DESTROY, 0);
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(policy_check_decide(f->check, &req, &err), VB_PENDING);
    assert_true(was_asked(f, "org.libvirt.api.domain.getattr", "test"));
    assert_true(was_asked(f, "org.libvirt.api.domain.stop", "test"));
    assert_int_equal(f->resumed, 0);
    answer_all(f);
    assert_int_equal(f->resumed, 1);
    assert_int_equal(policy_check_decide(f->check, &req, &err), 0);
    fixture_free(f);
}

static void a_denied_permission_names_polkits_action(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_DESTROY, 0);
    struct vb_error err = VB_ERROR_INIT;

    f->authority.denied[0] = "org.libvirt.api.domain.stop";
    assert_int_equal(decide_fully(f, &req, &err), -1);
    assert_int_equal(err.code, VB_ERR_ACCESS_DENIED);
    assert_string_equal(err.message, "access denied by policy: org.libvirt.api.domain.stop");
    vb_error_clear(&err);
    fixture_free(f);
}

/* A domain the caller may not getattr looks as if it did not exist, worded as the lookup was. */
static void a_hidden_domain_is_not_found_in_libvirts_words(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_DESTROY, 0);
    struct vb_error err = VB_ERROR_INIT;

    f->authority.denied[0] = "org.libvirt.api.domain.getattr@test";
    assert_int_equal(decide_fully(f, &req, &err), -1);
    assert_int_equal(err.code, VB_ERR_NO_DOMAIN);
    assert_string_equal(err.message, "Domain not found: no domain with matching uuid '" TEST_UUID "'");
    vb_error_clear(&err);
    req = (struct policy_request){ .op = VB_OP_DOMAIN_LOOKUP_BY_NAME, .conn = f->conn, .ref = POLICY_REF_NAME,
                                   .name = "test" };
    assert_int_equal(decide_fully(f, &req, &err), -1);
    assert_string_equal(err.message, "Domain not found: no domain with matching name 'test'");
    vb_error_clear(&err);
    req = (struct policy_request){ .op = VB_OP_DOMAIN_LOOKUP_BY_ID, .conn = f->conn, .ref = POLICY_REF_ID, .id = 1 };
    assert_int_equal(decide_fully(f, &req, &err), -1);
    assert_string_equal(err.message, "Domain not found: no domain with matching id 1");
    vb_error_clear(&err);
    fixture_free(f);
}

static void networks_and_pools_are_asked_about_by_their_identity(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = { .op = VB_OP_NETWORK_DESTROY, .conn = f->conn, .object = POLICY_OBJECT_NETWORK,
                                  .ref = POLICY_REF_NAME, .name = "default" };
    struct vb_error err = VB_ERROR_INIT;

    f->authority.denied[0] = "org.libvirt.api.network.getattr@default";
    assert_int_equal(decide_fully(f, &req, &err), -1);
    assert_int_equal(err.code, VB_ERR_NO_NETWORK);
    assert_string_equal(err.message, "Network not found: no network with matching name 'default'");
    vb_error_clear(&err);
    req = (struct policy_request){ .op = VB_OP_STORAGE_POOL_GET_INFO, .conn = f->conn,
                                   .object = POLICY_OBJECT_STORAGE_POOL, .ref = POLICY_REF_NAME,
                                   .name = "default-pool" };
    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_true(was_asked(f, "org.libvirt.api.storage-pool.getattr", "default-pool"));
    assert_true(was_asked(f, "org.libvirt.api.storage-pool.read", "default-pool"));
    fixture_free(f);
}

static void the_cache_key_tells_object_kinds_apart(void **state)
{
    const struct policy_subject subject = { .kind = POLICY_SUBJECT_UNIX_USER, .uid = 1000 };
    struct policy_details domain = { "Test", { { "domain_name", "x" } } };
    struct policy_details network = { "Test", { { "network_name", "x" } } };
    char *a = policy_polkit_key(&subject, "org.libvirt.api.x.getattr", &domain);
    char *b = policy_polkit_key(&subject, "org.libvirt.api.x.getattr", &network);

    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void flags_decide_which_permissions_are_asked(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_GET_XML_DESC, 0);
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_false(was_asked(f, "org.libvirt.api.domain.read-secure", "test"));
    req.flags = VB_DOMAIN_XML_SECURE;
    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_true(was_asked(f, "org.libvirt.api.domain.read-secure", "test"));
    req = domain_request(f, VB_OP_DOMAIN_SET_MEMORY, VB_AFFECT_LIVE);
    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_false(was_asked(f, "org.libvirt.api.domain.save", "test"));
    req.flags = VB_AFFECT_CONFIG;
    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_true(was_asked(f, "org.libvirt.api.domain.save", "test"));
    fixture_free(f);
}

static void an_operation_without_a_rule_is_refused(void **state)
{
    struct fixture *f = fixture_new(true, 0);
    struct policy_request req = { .op = VB_OP_COUNT, .conn = f->conn };
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(policy_check_decide(f->check, &req, &err), -1);
    assert_int_equal(err.code, VB_ERR_ACCESS_DENIED);
    assert_non_null(strstr(err.message, "no authorization rule"));
    vb_error_clear(&err);
    fixture_free(f);
}

/* Authorization cannot be checked: fail closed, saying why. */
static void an_authority_that_cannot_answer_refuses_the_call(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_SUSPEND, 0);
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(policy_check_decide(f->check, &req, &err), VB_PENDING);
    for (size_t i = 0; i < f->authority.n; i++) {
        f->authority.questions[i].answered = true;
        f->authority.questions[i].done(f->authority.questions[i].done_data, -5, "polkitd went away");
    }
    assert_int_equal(policy_check_decide(f->check, &req, &err), -1);
    assert_int_equal(err.code, VB_ERR_ACCESS_DENIED);
    assert_non_null(strstr(err.message, "polkitd went away"));
    vb_error_clear(&err);
    fixture_free(f);
}

/* A domain that does not exist gets no questions: the core answers "not found" itself, exactly
 * as for a hidden one, so nothing tells the two apart. */
static void a_missing_domain_is_left_to_the_core(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = { .op = VB_OP_DOMAIN_LOOKUP_BY_NAME, .conn = f->conn, .ref = POLICY_REF_NAME,
                                  .name = "nobody" };
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(policy_check_decide(f->check, &req, &err), 0);
    assert_int_equal(f->authority.n, 0);
    fixture_free(f);
}

static void a_definition_is_checked_as_the_domain_it_describes(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = { .op = VB_OP_DOMAIN_DEFINE_XML, .conn = f->conn, .ref = POLICY_REF_XML,
                                  .xml = "<domain type='test'><name>fresh</name><memory>1024</memory>"
                                         "<os><type>hvm</type></os></domain>" };
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_true(was_asked(f, "org.libvirt.api.domain.write", "fresh"));
    assert_true(was_asked(f, "org.libvirt.api.domain.save", "fresh"));
    /* A definition that does not parse is checked against the connection only. */
    req.xml = "<domain";
    f->authority.n = 0;
    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_true(was_asked(f, "org.libvirt.api.domain.write", ""));
    fixture_free(f);
}

static void lists_show_only_the_domains_the_caller_may_see(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = { .op = VB_OP_CONNECT_LIST_ALL_DOMAINS, .conn = f->conn };
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL, ref = { 0 };
    size_t n = 0;

    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_true(was_asked(f, "org.libvirt.api.connect.search-domains", ""));
    assert_true(was_asked(f, "org.libvirt.api.domain.getattr", "test"));
    assert_int_equal(vb_domain_list(f->conn, 0, &refs, &n, &err), 0);
    policy_check_filter_domains(f->check, VB_OP_CONNECT_LIST_ALL_DOMAINS, f->conn, refs, &n);
    assert_int_equal(n, 1);
    vb_domain_refs_free(refs, n);

    /* Denied: left out of the list, and the call itself still allowed. */
    policy_check_free(f->check);
    f->check = policy_check_new(f->engine, &(struct policy_subject){ .kind = POLICY_SUBJECT_UNIX_USER,
                                                                     .uid = stranger() }, false);
    f->authority.denied[0] = "org.libvirt.api.domain.getattr@test";
    assert_int_equal(decide_fully(f, &req, &err), 0);
    assert_int_equal(vb_domain_list(f->conn, 0, &refs, &n, &err), 0);
    policy_check_filter_domains(f->check, VB_OP_CONNECT_LIST_ALL_DOMAINS, f->conn, refs, &n);
    assert_int_equal(n, 0);
    vb_domain_refs_free(refs, n);
    assert_int_equal(vb_domain_lookup_by_uuid(f->conn, f->test_uuid, &ref, &err), 0);
    assert_false(policy_check_may_list(f->check, VB_OP_CONNECT_LIST_ALL_DOMAINS, f->conn, ref.uuid, ref.name));
    vb_domain_ref_clear(&ref);
    fixture_free(f);
}

static int decide_listed(struct fixture *f, const char *name, bool *visible)
{
    return policy_check_decide_listed(f->check, VB_OP_CONNECT_DOMAIN_EVENT_REGISTER_ANY, f->conn, f->test_uuid, name,
                                      visible);
}

static void events_reach_a_subject_that_may_see_the_domain(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    bool visible = true;

    assert_int_equal(decide_listed(f, "test", &visible), VB_PENDING);
    assert_true(was_asked(f, "org.libvirt.api.connect.search-domains", ""));
    assert_true(was_asked(f, "org.libvirt.api.domain.getattr", "test"));
    f->authority.denied[0] = "org.libvirt.api.domain.getattr@test";
    answer_all(f);
    assert_int_equal(decide_listed(f, "test", &visible), 0);
    assert_false(visible);
    /* Another name, allowed: decided, and shown (not mistaken for "still asking"). */
    assert_int_equal(decide_listed(f, "other", &visible), VB_PENDING);
    answer_all(f);
    assert_int_equal(decide_listed(f, "other", &visible), 0);
    assert_true(visible);
    fixture_free(f);
}

/* Freeing a check with questions out cancels them: no answer reaches freed memory. */
static void freeing_a_waiting_check_cancels_its_questions(void **state)
{
    struct fixture *f = fixture_new(true, stranger());
    struct policy_request req = domain_request(f, VB_OP_DOMAIN_DESTROY, 0);
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(policy_check_decide(f->check, &req, &err), VB_PENDING);
    policy_check_free(f->check);
    f->check = NULL;
    for (size_t i = 0; i < f->authority.n; i++)
        assert_true(f->authority.questions[i].cancelled);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disabled_engine_allows_everything_without_asking),
        cmocka_unit_test(root_and_the_daemons_own_user_are_trusted),
        cmocka_unit_test(a_call_waits_for_every_answer_then_is_resumed_once),
        cmocka_unit_test(a_denied_permission_names_polkits_action),
        cmocka_unit_test(a_hidden_domain_is_not_found_in_libvirts_words),
        cmocka_unit_test(networks_and_pools_are_asked_about_by_their_identity),
        cmocka_unit_test(the_cache_key_tells_object_kinds_apart),
        cmocka_unit_test(flags_decide_which_permissions_are_asked),
        cmocka_unit_test(an_operation_without_a_rule_is_refused),
        cmocka_unit_test(an_authority_that_cannot_answer_refuses_the_call),
        cmocka_unit_test(a_missing_domain_is_left_to_the_core),
        cmocka_unit_test(a_definition_is_checked_as_the_domain_it_describes),
        cmocka_unit_test(lists_show_only_the_domains_the_caller_may_see),
        cmocka_unit_test(events_reach_a_subject_that_may_see_the_domain),
        cmocka_unit_test(freeing_a_waiting_check_cancels_its_questions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
