/* Unit tests for the domain list: indexes, libvirt's duplicate rules, ordering, scale. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_list.h"

static struct vb_domain_def *make_def(const char *name, const char *uuid)
{
    char xml[512];
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def;

    snprintf(xml, sizeof(xml),
             "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>1024</memory><vcpu>1</vcpu>"
             "<os><type>hvm</type></os></domain>", name, uuid);
    def = vb_domain_def_parse_string(xml, &err);
    assert_non_null(def);
    return def;
}

static struct vb_domain_obj *add(struct vb_domain_list *list, const char *name, const char *uuid)
{
    struct vb_domain_obj *obj = vb_domain_obj_new(make_def(name, uuid));

    assert_non_null(obj);
    assert_int_equal(vb_domain_list_add(list, obj), 0);
    return obj;
}

#define UUID_A "11111111-1111-1111-1111-111111111111"
#define UUID_B "22222222-2222-2222-2222-222222222222"

static void finds_by_uuid_name_and_id(void **state)
{
    struct vb_domain_list *list = vb_domain_list_new();
    struct vb_domain_obj *a = add(list, "a", UUID_A);
    unsigned char uuid[VB_UUID_LEN];

    vb_uuid_parse(UUID_A, uuid);
    assert_ptr_equal(vb_domain_list_find_by_uuid(list, uuid), a);
    assert_ptr_equal(vb_domain_list_find_by_name(list, "a"), a);
    assert_null(vb_domain_list_find_by_name(list, "b"));
    assert_null(vb_domain_list_find_by_id(list, 1));
    a->id = 5;
    assert_int_equal(vb_domain_list_reindex_id(list, a, -1), 0);
    assert_ptr_equal(vb_domain_list_find_by_id(list, 5), a);
    a->id = -1;
    assert_int_equal(vb_domain_list_reindex_id(list, a, 5), 0);
    assert_null(vb_domain_list_find_by_id(list, 5));
    vb_domain_list_free(list);
}

static void duplicate_rules_follow_libvirt(void **state)
{
    struct vb_domain_list *list = vb_domain_list_new();
    struct vb_domain_obj *a = add(list, "a", UUID_A);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def;
    int conflict;

    def = make_def("a", UUID_A); /* same name and uuid: an update */
    assert_ptr_equal(vb_domain_list_check_add(list, def, false, &conflict, &err), a);
    assert_int_equal(conflict, 0);
    vb_domain_def_free(def);

    def = make_def("other", UUID_A);
    assert_null(vb_domain_list_check_add(list, def, false, &conflict, &err));
    assert_int_equal(conflict, 1);
    assert_string_equal(err.message,
                        "operation failed: domain 'a' is already defined with uuid " UUID_A);
    vb_error_clear(&err);
    vb_domain_def_free(def);

    def = make_def("a", UUID_B);
    assert_null(vb_domain_list_check_add(list, def, false, &conflict, &err));
    assert_int_equal(conflict, 1);
    assert_string_equal(err.message, "operation failed: domain 'a' already exists with uuid " UUID_A);
    vb_error_clear(&err);
    vb_domain_def_free(def);

    a->id = 1;
    def = make_def("a", UUID_A);
    assert_null(vb_domain_list_check_add(list, def, true, &conflict, &err));
    assert_int_equal(conflict, 1);
    assert_string_equal(err.message, "Requested operation is not valid: domain 'a' is already active");
    vb_error_clear(&err);
    vb_domain_def_free(def);

    def = make_def("b", UUID_B);
    assert_null(vb_domain_list_check_add(list, def, false, &conflict, &err));
    assert_int_equal(conflict, 0);
    vb_domain_def_free(def);
    vb_domain_list_free(list);
}

static void collect_keeps_insertion_order_after_removal(void **state)
{
    struct vb_domain_list *list = vb_domain_list_new();
    struct vb_domain_obj *a = add(list, "a", UUID_A);
    struct vb_domain_obj *b = add(list, "b", UUID_B);
    struct vb_domain_obj *c = add(list, "c", "33333333-3333-3333-3333-333333333333");
    struct vb_domain_obj **objs = NULL;

    assert_int_equal(vb_domain_list_collect(list, &objs), 3);
    assert_ptr_equal(objs[0], a);
    assert_ptr_equal(objs[1], b);
    assert_ptr_equal(objs[2], c);
    free(objs);
    vb_domain_list_remove(list, b);
    assert_null(vb_domain_list_find_by_name(list, "b"));
    assert_int_equal(vb_domain_list_collect(list, &objs), 2);
    assert_ptr_equal(objs[0], a);
    assert_ptr_equal(objs[1], c);
    free(objs);
    assert_int_equal(vb_domain_list_count(list), 2);
    vb_domain_list_free(list);
}

/* Names are indexed by the list's own copy, so replacing a definition keeps lookups valid. */
static void lookup_survives_definition_replacement(void **state)
{
    struct vb_domain_list *list = vb_domain_list_new();
    struct vb_domain_obj *a = add(list, "a", UUID_A);

    vb_domain_obj_assign_persistent_def(a, make_def("a", UUID_A));
    assert_ptr_equal(vb_domain_list_find_by_name(list, "a"), a);
    vb_domain_list_free(list);
}

static void ten_thousand_domains_index_correctly(void **state)
{
    struct vb_domain_list *list = vb_domain_list_new();
    char name[32], uuid[VB_UUID_STRING_LEN];

    for (int i = 0; i < 10000; i++) {
        snprintf(name, sizeof(name), "dom%d", i);
        snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", i);
        add(list, name, uuid);
    }
    assert_int_equal(vb_domain_list_count(list), 10000);
    for (int i = 0; i < 10000; i += 997) {
        snprintf(name, sizeof(name), "dom%d", i);
        assert_non_null(vb_domain_list_find_by_name(list, name));
    }
    vb_domain_list_free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_by_uuid_name_and_id),
        cmocka_unit_test(duplicate_rules_follow_libvirt),
        cmocka_unit_test(collect_keeps_insertion_order_after_removal),
        cmocka_unit_test(lookup_survives_definition_replacement),
        cmocka_unit_test(ten_thousand_domains_index_correctly),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
