/* Unit tests for bus/users.c: the AMQP users file, its checks, and PLAIN and EXTERNAL look-ups. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus/users.h"

/* Made with openssl passwd -6 and python's crypt module, not with the code under test; the first two
 * are of the password "secret". */
#define HASH_SECRET "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"
#define HASH_SECRET_1000_ROUNDS                                                                                   \
    "$6$rounds=1000$saltsalt$LAV5VE5Y7w1d73x1mFNspYWUpazfmwv2SoepNXNKJ/otop/Zok96Hr8Q13LEv0DRY/x8v0/crpIjl8NJSAqXV/"
/* The password "pa:ss word". */
#define HASH_COLON_SPACE \
    "$6$ab./09XY$hx8Q6Y53oY1rFuacqnBVOh5UWiZ3KfIQHyUOqwxbcToW3cKcxc//ejXEud.fmylmOilxcL90jZ44Cx9I1rQGD1"

struct fixture {
    char dir[256];
    char path[300];
};

static int make_temp_dir(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/vb-test-users.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/amqp-users", f->dir);
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

static int remove_temp_dir(void **state)
{
    struct fixture *f = *state;
    int r = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

    free(f);
    return r;
}

/* Writes the users file with the given mode (chmod, so the umask does not interfere). */
static void write_users(const struct fixture *f, const char *text, mode_t mode)
{
    FILE *out;

    (void) unlink(f->path);
    out = fopen(f->path, "w");
    assert_non_null(out);
    assert_int_equal(fputs(text, out) >= 0, 1);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(chmod(f->path, mode), 0);
}

static struct bus_users *load_ok(const struct fixture *f, const char *text)
{
    struct bus_users *users = NULL;
    struct vb_error err = VB_ERROR_INIT;

    write_users(f, text, 0600);
    if (bus_users_load(f->path, &users, &err) < 0)
        fail_msg("load failed: %s", vb_error_message(&err));
    assert_non_null(users);
    return users;
}

/* Loading fails, leaves *out alone, and the message holds where (if not NULL) and what. */
static void assert_load_fails(const struct fixture *f, mode_t mode, const char *text, const char *where,
                              const char *what)
{
    struct bus_users *users = (struct bus_users *) (uintptr_t) 1; /* must stay untouched */
    struct vb_error err = VB_ERROR_INIT;

    write_users(f, text, mode);
    assert_int_equal(bus_users_load(f->path, &users, &err), -1);
    assert_ptr_equal(users, (struct bus_users *) (uintptr_t) 1);
    assert_true(vb_error_is_set(&err));
    if (where && !strstr(vb_error_message(&err), where))
        fail_msg("'%s' not in '%s'", where, vb_error_message(&err));
    if (!strstr(vb_error_message(&err), what))
        fail_msg("'%s' not in '%s'", what, vb_error_message(&err));
    vb_error_clear(&err);
}

static void test_good_file_maps_names_to_uids_and_checks_passwords(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "alice:root:" HASH_SECRET "\n"
                                         "bob:1234:" HASH_COLON_SPACE "\n"
                                         "carol:0:" HASH_SECRET_1000_ROUNDS "\n");
    uid_t uid = 99;

    assert_int_equal(bus_users_count(users), 3);
    assert_true(bus_users_check_password(users, "alice", "secret", &uid));
    assert_int_equal(uid, 0);
    assert_true(bus_users_check_password(users, "bob", "pa:ss word", &uid));
    assert_int_equal(uid, 1234); /* a number is a uid, even with no passwd entry */
    assert_true(bus_users_check_password(users, "carol", "secret", &uid));
    assert_int_equal(uid, 0);
    uid = 99;
    assert_true(bus_users_lookup(users, "bob", &uid));
    assert_int_equal(uid, 1234);
    bus_users_free(users);
}

static void test_comments_blank_lines_and_crlf_are_skipped(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "# AMQP principals\n"
                                         "\n"
                                         "   \t\n"
                                         "\t# alice:root:!\n"
                                         "alice:root:" HASH_SECRET "\r\n"
                                         "\r\n"
                                         "bob:root:!"); /* no final newline */

    assert_int_equal(bus_users_count(users), 2);
    assert_true(bus_users_check_password(users, "alice", "secret", NULL));
    assert_true(bus_users_lookup(users, "bob", NULL));
    assert_false(bus_users_lookup(users, "# alice", NULL));
    bus_users_free(users);
}

static void test_empty_file_has_no_principals(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "");

    assert_int_equal(bus_users_count(users), 0);
    assert_false(bus_users_lookup(users, "", NULL));
    bus_users_free(users);
}

static void test_name_may_contain_colons(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "CN=alice:admin,O=Example:root:!\n"
                                         "urn:x:bob:1234:" HASH_SECRET "\n");
    uid_t uid = 99;

    assert_true(bus_users_lookup(users, "CN=alice:admin,O=Example", &uid));
    assert_int_equal(uid, 0);
    assert_true(bus_users_check_password(users, "urn:x:bob", "secret", &uid));
    assert_int_equal(uid, 1234);
    assert_false(bus_users_lookup(users, "CN=alice", NULL));
    bus_users_free(users);
}

static void test_wrong_password_is_refused(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "alice:root:" HASH_SECRET "\n");
    uid_t uid = 99;

    assert_false(bus_users_check_password(users, "alice", "Secret", &uid));
    assert_false(bus_users_check_password(users, "alice", "secret ", &uid));
    assert_false(bus_users_check_password(users, "alice", "", &uid));
    assert_false(bus_users_check_password(users, "alice", NULL, &uid));
    assert_int_equal(uid, 99); /* untouched on failure */
    bus_users_free(users);
}

static void test_unknown_name_is_refused(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "alice:root:" HASH_SECRET "\n");
    uid_t uid = 99;

    assert_false(bus_users_check_password(users, "mallory", "secret", &uid));
    assert_false(bus_users_check_password(users, "Alice", "secret", &uid));
    assert_false(bus_users_lookup(users, "mallory", &uid));
    assert_false(bus_users_lookup(users, NULL, &uid));
    assert_int_equal(uid, 99);
    bus_users_free(users);
}

static void test_no_password_entry_refuses_plain_but_is_found_for_external(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "CN=alice,O=Example:1234:!\n");
    uid_t uid = 99;

    assert_false(bus_users_check_password(users, "CN=alice,O=Example", "!", &uid));
    assert_false(bus_users_check_password(users, "CN=alice,O=Example", "", &uid));
    assert_int_equal(uid, 99);
    assert_true(bus_users_lookup(users, "CN=alice,O=Example", &uid));
    assert_int_equal(uid, 1234);
    bus_users_free(users);
}

static void test_overlong_password_is_refused_unhashed(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = load_ok(f, "alice:root:" HASH_SECRET "\n");
    char *password = malloc(BUS_USERS_PASSWORD_MAX + 2);

    assert_non_null(password);
    memset(password, 'a', BUS_USERS_PASSWORD_MAX + 1);
    password[BUS_USERS_PASSWORD_MAX + 1] = '\0';
    assert_false(bus_users_check_password(users, "alice", password, NULL));
    free(password);
    bus_users_free(users);
}

static void test_bad_lines_are_errors_naming_file_and_line(void **state)
{
    struct fixture *f = *state;
    char where[320];

    snprintf(where, sizeof(where), "%s:3: ", f->path);
    assert_load_fails(f, 0600, "# ok\nalice:root:!\ngarbage\n", where, "expected NAME:UNIXUSER:HASH");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nroot:!\n", where, "expected NAME:UNIXUSER:HASH");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\n:root:!\n", where, "empty principal name");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob::!\n", where, "empty unix user");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob:root:secret\n", where, "neither");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob:root:\n", where, "neither");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob:root:$1$salt$abc\n", where, "neither");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob:root:$6$salt$short\n", where, "malformed");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob:root:" HASH_SECRET " \n", where, "malformed");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nbob:root:!!\n", where, "neither");
    assert_load_fails(f, 0600, "# ok\nalice:root:!\nalice:root:" HASH_SECRET "\n", where,
                      "'alice' is already given on line 2");
}

static void test_the_hash_is_never_quoted_in_errors(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = NULL;
    struct vb_error err = VB_ERROR_INIT;

    write_users(f, "bob:root:$6$salt$VerySecretHashMaterial\n", 0600);
    assert_int_equal(bus_users_load(f->path, &users, &err), -1);
    assert_non_null(strstr(vb_error_message(&err), "malformed"));
    assert_null(strstr(vb_error_message(&err), "VerySecret"));
    vb_error_clear(&err);
}

static void test_unknown_unix_user_is_an_error(void **state)
{
    struct fixture *f = *state;
    char where[320];

    snprintf(where, sizeof(where), "%s:2: ", f->path);
    assert_load_fails(f, 0600, "alice:root:!\nbob:no-such-user-virtbus:!\n", where,
                      "unknown unix user 'no-such-user-virtbus'");
    assert_load_fails(f, 0600, "alice:root:!\nbob:4294967295:!\n", where, "unknown unix user");
    assert_load_fails(f, 0600, "alice:root:!\nbob:12x:!\n", where, "unknown unix user");
}

static void test_file_open_to_group_or_others_is_refused(void **state)
{
    struct fixture *f = *state;
    static const mode_t refused[] = { 0640, 0604, 0644, 0620, 0602, 0610, 0601, 0660 };
    struct bus_users *users = NULL;
    struct vb_error err = VB_ERROR_INIT;

    for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
        assert_load_fails(f, refused[i], "alice:root:!\n", f->path, "must not be readable by others");
    write_users(f, "alice:root:!\n", 0400);
    assert_int_equal(bus_users_load(f->path, &users, &err), 0);
    bus_users_free(users);
}

static void test_file_owned_by_someone_else_is_refused(void **state)
{
    struct fixture *f = *state;

    struct bus_users *users = NULL;
    struct vb_error err = VB_ERROR_INIT;

    if (geteuid() != 0)
        skip(); /* only root can give a file away */
    write_users(f, "alice:root:!\n", 0600);
    assert_int_equal(chown(f->path, 65534, 65534), 0);
    assert_int_equal(bus_users_load(f->path, &users, &err), -1);
    assert_non_null(strstr(vb_error_message(&err), "owned by uid 65534"));
    vb_error_clear(&err);
}

static void test_missing_file_symlink_and_nul_byte_are_errors(void **state)
{
    struct fixture *f = *state;
    struct bus_users *users = NULL;
    struct vb_error err = VB_ERROR_INIT;
    char link[320];
    FILE *out;

    assert_int_equal(bus_users_load(f->path, &users, &err), -1);
    assert_non_null(strstr(vb_error_message(&err), f->path));
    vb_error_clear(&err);

    write_users(f, "alice:root:!\n", 0600);
    snprintf(link, sizeof(link), "%s/link", f->dir);
    assert_int_equal(symlink(f->path, link), 0);
    assert_int_equal(bus_users_load(link, &users, &err), -1);
    vb_error_clear(&err);

    out = fopen(f->path, "w");
    assert_non_null(out);
    assert_int_equal(fwrite("alice:root:!\n\0bob:root:!\n", 1, 26, out), 26);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(bus_users_load(f->path, &users, &err), -1);
    assert_non_null(strstr(vb_error_message(&err), "NUL byte"));
    vb_error_clear(&err);
    assert_null(users);
}

#define USERS_TEST(fn) cmocka_unit_test_setup_teardown(fn, make_temp_dir, remove_temp_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        USERS_TEST(test_good_file_maps_names_to_uids_and_checks_passwords),
        USERS_TEST(test_comments_blank_lines_and_crlf_are_skipped),
        USERS_TEST(test_empty_file_has_no_principals),
        USERS_TEST(test_name_may_contain_colons),
        USERS_TEST(test_wrong_password_is_refused),
        USERS_TEST(test_unknown_name_is_refused),
        USERS_TEST(test_no_password_entry_refuses_plain_but_is_found_for_external),
        USERS_TEST(test_overlong_password_is_refused_unhashed),
        USERS_TEST(test_bad_lines_are_errors_naming_file_and_line),
        USERS_TEST(test_the_hash_is_never_quoted_in_errors),
        USERS_TEST(test_unknown_unix_user_is_an_error),
        USERS_TEST(test_file_open_to_group_or_others_is_refused),
        USERS_TEST(test_file_owned_by_someone_else_is_refused),
        USERS_TEST(test_missing_file_symlink_and_nul_byte_are_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
