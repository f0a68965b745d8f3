/* Unit tests for the string hash map: put/get/replace/remove, and 100k keys with removals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/hashmap.h"

static void test_put_get_replace_remove(void **state)
{
    struct vb_hashmap *map = vb_hashmap_new();
    int a = 1, b = 2, c = 3;

    assert_non_null(map);
    assert_null(vb_hashmap_get(map, "a"));
    assert_int_equal(vb_hashmap_put(map, "a", &a), 0);
    assert_int_equal(vb_hashmap_put(map, "b", &b), 0);
    assert_int_equal(vb_hashmap_size(map), 2);
    assert_ptr_equal(vb_hashmap_get(map, "a"), &a);
    assert_ptr_equal(vb_hashmap_get(map, "b"), &b);

    assert_int_equal(vb_hashmap_put(map, "a", &c), 0);
    assert_int_equal(vb_hashmap_size(map), 2);
    assert_ptr_equal(vb_hashmap_get(map, "a"), &c);

    assert_ptr_equal(vb_hashmap_remove(map, "a"), &c);
    assert_null(vb_hashmap_remove(map, "a"));
    assert_null(vb_hashmap_get(map, "a"));
    assert_ptr_equal(vb_hashmap_get(map, "b"), &b);
    assert_int_equal(vb_hashmap_size(map), 1);

    assert_int_equal(vb_hashmap_put(map, "", &a), 0); /* the empty string is a valid key */
    assert_ptr_equal(vb_hashmap_get(map, ""), &a);
    vb_hashmap_free(map);
    vb_hashmap_free(NULL);
}

#define MANY 100000

static char (*make_keys(void))[16]
{
    char (*keys)[16] = calloc(MANY, sizeof(*keys));

    assert_non_null(keys);
    for (int i = 0; i < MANY; i++)
        snprintf(keys[i], sizeof(keys[i]), "vm-%06d", i);
    return keys;
}

/* Removing every third key exercises backward shift across long probe runs; every survivor
 * must stay reachable afterwards. */
static void test_many_keys_with_removals(void **state)
{
    struct vb_hashmap *map = vb_hashmap_new();
    char (*keys)[16] = make_keys();
    clock_t start = clock();

    for (int i = 0; i < MANY; i++)
        assert_int_equal(vb_hashmap_put(map, keys[i], keys[i]), 0);
    assert_int_equal(vb_hashmap_size(map), MANY);
    for (int i = 0; i < MANY; i += 3)
        assert_ptr_equal(vb_hashmap_remove(map, keys[i]), keys[i]);
    for (int i = 0; i < MANY; i++) {
        if (i % 3 == 0)
            assert_null(vb_hashmap_get(map, keys[i]));
        else
            assert_ptr_equal(vb_hashmap_get(map, keys[i]), keys[i]);
    }
    assert_int_equal(vb_hashmap_size(map), MANY - (MANY + 2) / 3);
    /* Generous bound even under sanitizers or valgrind; a quadratic map takes minutes. */
    assert_true((double) (clock() - start) / CLOCKS_PER_SEC < 20.0);

    for (int i = 0; i < MANY; i++)
        vb_hashmap_remove(map, keys[i]);
    assert_int_equal(vb_hashmap_size(map), 0);
    vb_hashmap_free(map);
    free(keys);
}

/* Interleaved inserts and removes in a small map, checked against a plain array. */
static void test_random_operations_match_reference(void **state)
{
    enum { KEYS = 200, STEPS = 20000 };
    struct vb_hashmap *map = vb_hashmap_new();
    static char names[KEYS][8];
    bool present[KEYS] = { false };
    size_t count = 0;

    srand(12345);
    for (int i = 0; i < KEYS; i++)
        snprintf(names[i], sizeof(names[i]), "k%d", i);
    for (int step = 0; step < STEPS; step++) {
        int k = rand() % KEYS;
        if (rand() % 2) {
            assert_int_equal(vb_hashmap_put(map, names[k], names[k]), 0);
            count += !present[k];
            present[k] = true;
        } else {
            assert_ptr_equal(vb_hashmap_remove(map, names[k]), present[k] ? names[k] : NULL);
            count -= present[k];
            present[k] = false;
        }
        assert_int_equal(vb_hashmap_size(map), count);
    }
    for (int i = 0; i < KEYS; i++)
        assert_ptr_equal(vb_hashmap_get(map, names[i]), present[i] ? names[i] : NULL);
    vb_hashmap_free(map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace_remove),
        cmocka_unit_test(test_many_keys_with_removals),
        cmocka_unit_test(test_random_operations_match_reference),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
