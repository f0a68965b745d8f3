/* Unit tests for the on-disk domain store, including a writer killed at random moments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fnmatch.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/domain_store.h"
#include "util/file.h"
#include "util/log.h"

#define UUID_TEXT "6695eb01-f6a4-8304-79aa-97f2502e193f"

struct fixture {
    char dir[256];
    char store_dir[300];
    struct vb_domain_store *store;
};

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int r = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

    vb_domain_store_free(f->store);
    free(f);
    return r;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    struct vb_error err = VB_ERROR_INIT;

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/vb-test-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    /* A nested, missing directory: open must create it and its autostart subdirectory. */
    snprintf(f->store_dir, sizeof(f->store_dir), "%s/lib/domains", f->dir);
    f->store = vb_domain_store_open(f->store_dir, &err);
    *state = f;
    if (!f->store) {
        print_error("open: %s\n", vb_error_message(&err));
        vb_error_clear(&err);
        teardown(state);
        return -1;
    }
    return 0;
}

static char *domain_xml(const char *name, const char *description)
{
    char *xml = NULL;

    assert_true(asprintf(&xml,
                         "<domain type='test'>\n"
                         "  <name>%s</name>\n"
                         "  <uuid>" UUID_TEXT "</uuid>\n"
                         "  <description>%s</description>\n"
                         "  <memory unit='KiB'>1048576</memory>\n"
                         "  <vcpu>1</vcpu>\n"
                         "  <os>\n"
                         "    <type>hvm</type>\n"
                         "  </os>\n"
                         "</domain>\n",
                         name, description) > 0);
    return xml;
}

static struct vb_domain_def *make_def(const char *name, const char *description)
{
    char *xml = domain_xml(name, description);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = vb_domain_def_parse_string(xml, &err);

    if (!def)
        print_error("parse: %s\n", vb_error_message(&err));
    assert_non_null(def);
    free(xml);
    return def;
}

static char *path_in(const struct fixture *f, const char *name)
{
    char *p = NULL;

    assert_true(asprintf(&p, "%s/%s", f->store_dir, name) > 0);
    return p;
}

static bool exists_in(const struct fixture *f, const char *name)
{
    char *p = path_in(f, name);
    bool r = access(p, F_OK) == 0;

    free(p);
    return r;
}

static void write_raw(const struct fixture *f, const char *name, const char *content)
{
    char *p = path_in(f, name);
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_file_write_atomic(p, content, strlen(content), 0600, &err), 0);
    free(p);
}

static void save(const struct fixture *f, const char *name)
{
    struct vb_domain_def *def = make_def(name, "a test domain");
    struct vb_error err = VB_ERROR_INIT;

    if (vb_domain_store_save(f->store, def, &err) < 0)
        fail_msg("save: %s", vb_error_message(&err));
    vb_domain_def_free(def);
}

#define MAX_LOADED 16

struct loaded {
    char *names[MAX_LOADED];
    bool autostart[MAX_LOADED];
    unsigned char uuid[VB_UUID_LEN];
    size_t count;
};

static int collect(struct vb_domain_def *def, bool autostart, void *userdata)
{
    struct loaded *l = userdata;

    assert_true(l->count < MAX_LOADED);
    l->names[l->count] = strdup(def->name);
    l->autostart[l->count] = autostart;
    memcpy(l->uuid, def->uuid, VB_UUID_LEN);
    l->count++;
    vb_domain_def_free(def);
    return 0;
}

static void loaded_clear(struct loaded *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    *l = (struct loaded){ 0 };
}

static int load(const struct fixture *f, struct loaded *l)
{
    struct vb_error err = VB_ERROR_INIT;
    int n = vb_domain_store_load_all(f->store, collect, l, &err);

    if (n < 0)
        fail_msg("load_all: %s", vb_error_message(&err));
    return n;
}

static void test_open_creates_private_directories(void **state)
{
    struct fixture *f = *state;
    char *autostart = path_in(f, "autostart");
    struct stat st;

    assert_string_equal(vb_domain_store_dir(f->store), f->store_dir);
    assert_int_equal(stat(f->store_dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(autostart, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(autostart);
}

static void test_save_load_round_trip_in_name_order(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };
    unsigned char expected[VB_UUID_LEN];
    char *path = path_in(f, "vm-b.xml");
    struct stat st;

    save(f, "vm-b");
    save(f, "vm-c");
    save(f, "vm-a");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* may hold secrets */

    assert_int_equal(load(f, &l), 3);
    assert_int_equal(l.count, 3);
    assert_string_equal(l.names[0], "vm-a");
    assert_string_equal(l.names[1], "vm-b");
    assert_string_equal(l.names[2], "vm-c");
    assert_false(l.autostart[0]);
    assert_int_equal(vb_uuid_parse(UUID_TEXT, expected), 0);
    assert_memory_equal(l.uuid, expected, VB_UUID_LEN);
    loaded_clear(&l);
    free(path);
}

static void test_autostart_marker(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct loaded l = { 0 };

    save(f, "vm1");
    save(f, "vm2");
    assert_int_equal(vb_domain_store_set_autostart(f->store, "vm2", true, &err), 0);
    assert_int_equal(vb_domain_store_set_autostart(f->store, "vm2", true, &err), 0); /* idempotent */
    assert_true(exists_in(f, "autostart/vm2"));
    assert_int_equal(load(f, &l), 2);
    assert_false(l.autostart[0]);
    assert_true(l.autostart[1]);
    loaded_clear(&l);

    assert_int_equal(vb_domain_store_set_autostart(f->store, "vm2", false, &err), 0);
    assert_int_equal(vb_domain_store_set_autostart(f->store, "vm2", false, &err), 0);
    assert_false(exists_in(f, "autostart/vm2"));
    assert_int_equal(load(f, &l), 2);
    assert_false(l.autostart[1]);
    loaded_clear(&l);
}

static void test_delete_removes_definition_and_marker(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct loaded l = { 0 };

    save(f, "vm1");
    save(f, "vm2");
    assert_int_equal(vb_domain_store_set_autostart(f->store, "vm1", true, &err), 0);
    assert_int_equal(vb_domain_store_delete(f->store, "vm1", &err), 0);
    assert_false(exists_in(f, "vm1.xml"));
    assert_false(exists_in(f, "autostart/vm1"));
    assert_int_equal(vb_domain_store_delete(f->store, "vm1", &err), 0); /* already gone: fine */
    assert_int_equal(load(f, &l), 1);
    assert_string_equal(l.names[0], "vm2");
    loaded_clear(&l);
}

static void expect_invalid_arg(int r, struct vb_error *err)
{
    assert_int_equal(r, -1);
    assert_int_equal(err->code, VB_ERR_INVALID_ARG);
    vb_error_clear(err);
}

static void test_bad_names_are_refused(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = make_def("ok", "x");

    free(def->name);
    def->name = strdup("../escape");
    expect_invalid_arg(vb_domain_store_save(f->store, def, &err), &err);
    free(def->name);
    def->name = strdup(".hidden");
    expect_invalid_arg(vb_domain_store_save(f->store, def, &err), &err);
    expect_invalid_arg(vb_domain_store_delete(f->store, "a/b", &err), &err);
    expect_invalid_arg(vb_domain_store_delete(f->store, ".seeded", &err), &err);
    expect_invalid_arg(vb_domain_store_set_autostart(f->store, "../../x", true, &err), &err);
    expect_invalid_arg(vb_domain_store_set_autostart(f->store, "", true, &err), &err);
    assert_false(exists_in(f, "../escape.xml"));
    assert_false(exists_in(f, ".hidden.xml"));
    vb_domain_def_free(def);
}

static void test_leftover_temp_files_are_removed(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };

    save(f, "vm1");
    write_raw(f, ".vm1.xml.Ab12Cd", "<domain><name>vm1</na"); /* an interrupted write */
    write_raw(f, ".notes", "an administrator's file");     /* other dotfiles are not ours */
    assert_int_equal(load(f, &l), 1);
    assert_false(exists_in(f, ".vm1.xml.Ab12Cd"));
    assert_true(exists_in(f, ".notes"));
    assert_true(exists_in(f, "vm1.xml"));
    loaded_clear(&l);
}

static void test_unusable_files_are_skipped_not_deleted(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };
    char *mismatched = domain_xml("vm1", "lives in the wrong file");

    save(f, "vm1");
    save(f, "vm3");
    write_raw(f, "corrupt.xml", "<domain><name>corrupt</name"); /* truncated */
    write_raw(f, "vm2.xml", mismatched);
    write_raw(f, "README", "not a definition");
    assert_int_equal(load(f, &l), 2);
    assert_string_equal(l.names[0], "vm1");
    assert_string_equal(l.names[1], "vm3");
    assert_true(exists_in(f, "corrupt.xml"));
    assert_true(exists_in(f, "vm2.xml"));
    loaded_clear(&l);
    free(mismatched);
}

static void test_seeded_marker(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_store *again;
    struct loaded l = { 0 };

    assert_false(vb_domain_store_is_seeded(f->store));
    assert_int_equal(vb_domain_store_mark_seeded(f->store, &err), 0);
    assert_true(vb_domain_store_is_seeded(f->store));
    assert_int_equal(vb_domain_store_mark_seeded(f->store, &err), 0);

    again = vb_domain_store_open(f->store_dir, &err);
    assert_non_null(again);
    assert_true(vb_domain_store_is_seeded(again));
    vb_domain_store_free(again);
    assert_int_equal(load(f, &l), 0); /* the marker is not a definition */
}

/* ---- crash safety ---------------------------------------------------------------------- */

#define CRASH_ITERATIONS 200
#define DESCRIPTION_BYTES 16384 /* several pages, so a torn write would show */

static char *filled(char c)
{
    char *s = malloc(DESCRIPTION_BYTES + 1);

    assert_non_null(s);
    memset(s, c, DESCRIPTION_BYTES);
    s[DESCRIPTION_BYTES] = '\0';
    return s;
}

/* Rewrites the same domain forever, alternating two versions, until killed. */
static _Noreturn void rewrite_forever(struct vb_domain_store *store, struct vb_domain_def *defs[2])
{
    for (unsigned int i = 0;; i++) {
        struct vb_error err = VB_ERROR_INIT;
        if (vb_domain_store_save(store, defs[i % 2], &err) < 0)
            _exit(3);
    }
}

static void assert_no_temp_files(const struct fixture *f)
{
    DIR *d = opendir(f->store_dir);
    struct dirent *e;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (fnmatch(".*.xml.??????", e->d_name, 0) == 0)
            fail_msg("temporary file '%s' left behind", e->d_name);
    closedir(d);
}

/* The file must hold one whole version: parsing succeeds and the description is complete. */
static void check_whole_version(const struct fixture *f, const char *a, const char *b)
{
    char *path = path_in(f, "vm1.xml");
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def;
    char *xml = vb_file_read_all(path, VB_DOMAIN_XML_MAX_BYTES, NULL, &err);

    if (!xml)
        print_error("after kill: %s\n", vb_error_message(&err));
    assert_non_null(xml);
    def = vb_domain_def_parse_string(xml, &err);
    if (!def)
        print_error("after kill, file does not parse: %s\n", vb_error_message(&err));
    assert_non_null(def);
    assert_string_equal(def->name, "vm1");
    assert_non_null(def->description);
    assert_true(streq(def->description, a) || streq(def->description, b));
    vb_domain_def_free(def);
    free(xml);
    free(path);
}

static void test_writer_killed_at_random_never_leaves_a_torn_file(void **state)
{
    struct fixture *f = *state;
    char *a = filled('a');
    char *b = filled('b');
    struct vb_domain_def *defs[2] = { make_def("vm1", a), make_def("vm1", b) };
    struct vb_error err = VB_ERROR_INIT;
    struct loaded l = { 0 };

    assert_int_equal(vb_domain_store_save(f->store, defs[0], &err), 0);
    srand((unsigned int) time(NULL));
    for (int i = 0; i < CRASH_ITERATIONS; i++) {
        int status;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            rewrite_forever(f->store, defs);
        usleep((useconds_t) (rand() % 2001));
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* Killed, not exited: exit status 3 would mean the writer itself failed. */
        assert_true(WIFSIGNALED(status));
        check_whole_version(f, a, b);
    }
    /* Temporary files of killed writes are swept at load, leaving the one definition. */
    assert_int_equal(load(f, &l), 1);
    assert_no_temp_files(f);
    loaded_clear(&l);
    vb_domain_def_free(defs[0]);
    vb_domain_def_free(defs[1]);
    free(a);
    free(b);
}

#define STORE_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    vb_log_set_max_level(VB_LOG_WARNING); /* the crash test sweeps many temp files, each logged */
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_open_creates_private_directories),
        STORE_TEST(test_save_load_round_trip_in_name_order),
        STORE_TEST(test_autostart_marker),
        STORE_TEST(test_delete_removes_definition_and_marker),
        STORE_TEST(test_bad_names_are_refused),
        STORE_TEST(test_leftover_temp_files_are_removed),
        STORE_TEST(test_unusable_files_are_skipped_not_deleted),
        STORE_TEST(test_seeded_marker),
        STORE_TEST(test_writer_killed_at_random_never_leaves_a_torn_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
