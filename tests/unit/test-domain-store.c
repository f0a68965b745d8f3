/* Unit tests for the on-disk domain store (keyed by UUID), its move from the older name-keyed
 * layout, and a writer killed at random moments. */
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
#include <fcntl.h>
#include <unistd.h>

#include "conf/domain_store.h"
#include "util/file.h"
#include "util/log.h"

#define UUID_TEXT "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define UUID_B "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"
#define UUID_C "c7a5fdbd-edaf-9455-926a-d65c16db1809"

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

static char *domain_xml_with(const char *name, const char *uuid, const char *description)
{
    char *xml = NULL;

    assert_true(asprintf(&xml,
                         "<domain type='test'>\n"
                         "  <name>%s</name>\n"
                         "  <uuid>%s</uuid>\n"
                         "  <description>%s</description>\n"
                         "  <memory unit='KiB'>1048576</memory>\n"
                         "  <vcpu>1</vcpu>\n"
                         "  <os>\n"
                         "    <type>hvm</type>\n"
                         "  </os>\n"
                         "</domain>\n",
                         name, uuid, description) > 0);
    return xml;
}

static struct vb_domain_def *make_def_with(const char *name, const char *uuid, const char *description)
{
    char *xml = domain_xml_with(name, uuid, description);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = vb_domain_def_parse_string(xml, &err);

    if (!def)
        print_error("parse: %s\n", vb_error_message(&err));
    assert_non_null(def);
    free(xml);
    return def;
}

static struct vb_domain_def *make_def(const char *name, const char *description)
{
    return make_def_with(name, UUID_TEXT, description);
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
    struct stat st;
    bool r = lstat(p, &st) == 0;

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

/* A file of the older layout, <name>.xml, its modification time `age` seconds in the past. */
static void write_legacy(const struct fixture *f, const char *name, const char *uuid, int age)
{
    char *xml = domain_xml_with(name, uuid, "written by an older virtbus");
    char *file = NULL;
    char *p;
    struct timespec times[2];

    assert_true(asprintf(&file, "%s.xml", name) > 0);
    write_raw(f, file, xml);
    p = path_in(f, file);
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= age;
    times[1] = times[0];
    assert_int_equal(utimensat(AT_FDCWD, p, times, 0), 0);
    free(p);
    free(file);
    free(xml);
}

static void save_def(const struct fixture *f, struct vb_domain_def *def)
{
    struct vb_error err = VB_ERROR_INIT;

    if (vb_domain_store_save(f->store, def, &err) < 0)
        fail_msg("save: %s", vb_error_message(&err));
    vb_domain_def_free(def);
}

static void save(const struct fixture *f, const char *name, const char *uuid)
{
    save_def(f, make_def_with(name, uuid, "a test domain"));
}

#define MAX_LOADED 16

struct loaded {
    char *names[MAX_LOADED];
    bool autostart[MAX_LOADED];
    char uuids[MAX_LOADED][VB_UUID_STRING_LEN];
    size_t count;
};

static int collect(struct vb_domain_def *def, bool autostart, void *userdata)
{
    struct loaded *l = userdata;

    assert_true(l->count < MAX_LOADED);
    l->names[l->count] = strdup(def->name);
    l->autostart[l->count] = autostart;
    vb_uuid_format(def->uuid, l->uuids[l->count]);
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

/* Loads with a fresh store, as a restarted daemon does; the alarm turns a hang into a failure. */
static int load(struct fixture *f, struct loaded *l)
{
    struct vb_error err = VB_ERROR_INIT;
    int n;

    vb_domain_store_free(f->store);
    f->store = vb_domain_store_open(f->store_dir, &err);
    assert_non_null(f->store);
    alarm(30);
    n = vb_domain_store_load_all(f->store, collect, l, &err);
    alarm(0);
    if (n < 0)
        fail_msg("load_all: %s", vb_error_message(&err));
    return n;
}

static size_t count_files(const struct fixture *f, const char *subdir)
{
    char *p = path_in(f, subdir);
    DIR *d = opendir(p);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.' && !streq(e->d_name, "autostart");
    closedir(d);
    free(p);
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

static void test_files_are_keyed_by_uuid_and_load_in_name_order(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };
    char *path = path_in(f, UUID_B ".xml");
    struct stat st;

    save(f, "vm-b", UUID_B);
    save(f, "vm-c", UUID_TEXT);
    save(f, "vm-a", UUID_C);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* may hold secrets */
    assert_false(exists_in(f, "vm-b.xml"));
    assert_int_equal(count_files(f, "."), 3);

    assert_int_equal(load(f, &l), 3);
    assert_string_equal(l.names[0], "vm-a");
    assert_string_equal(l.uuids[0], UUID_C);
    assert_string_equal(l.names[1], "vm-b");
    assert_string_equal(l.names[2], "vm-c");
    assert_false(l.autostart[0]);
    loaded_clear(&l);
    free(path);
}

/* libvirt accepts names that make poor file names; the name is in the file, not its name. */
static void test_any_name_is_stored_and_reloaded(void **state)
{
    struct fixture *f = *state;
    struct vb_domain_def *dotted = make_def_with(".hidden", UUID_TEXT, "x");
    struct vb_domain_def *long_name = make_def_with("x", UUID_B, "x");
    struct vb_domain_def *odd = make_def_with("x", UUID_C, "x");
    struct loaded l = { 0 };
    char name[301];

    memset(name, 'n', 300);
    name[300] = '\0';
    free(long_name->name);
    long_name->name = strdup(name);
    free(odd->name);
    odd->name = strdup("..\nsecond line & <markup>");
    save_def(f, dotted);
    save_def(f, long_name);
    save_def(f, odd);
    assert_false(exists_in(f, ".hidden.xml"));
    assert_int_equal(count_files(f, "."), 3);
    assert_int_equal(load(f, &l), 3);
    assert_string_equal(l.names[0], "..\nsecond line & <markup>");
    assert_string_equal(l.names[1], ".hidden");
    assert_string_equal(l.names[2], name);
    loaded_clear(&l);
}

static void test_autostart_marker(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct loaded l = { 0 };

    save(f, "vm1", UUID_B);
    save(f, "vm2", UUID_TEXT);
    assert_int_equal(vb_uuid_parse(UUID_TEXT, uuid), 0);
    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, true, &err), 0);
    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, true, &err), 0); /* idempotent */
    assert_true(exists_in(f, "autostart/" UUID_TEXT));
    assert_int_equal(load(f, &l), 2);
    assert_false(l.autostart[0]);
    assert_true(l.autostart[1]);
    loaded_clear(&l);

    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, false, &err), 0);
    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, false, &err), 0); /* idempotent */
    assert_false(exists_in(f, "autostart/" UUID_TEXT));
    assert_int_equal(vb_uuid_parse(UUID_B, uuid), 0);
    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, true, &err), 0);
    assert_true(exists_in(f, "autostart/" UUID_B));
    assert_int_equal(load(f, &l), 2);
    assert_true(l.autostart[0]);
    assert_false(l.autostart[1]);
    loaded_clear(&l);
}

static void test_remove_deletes_definition_and_marker(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct loaded l = { 0 };

    save(f, "vm1", UUID_TEXT);
    save(f, "vm2", UUID_B);
    save(f, "vm3", UUID_C);
    assert_int_equal(vb_uuid_parse(UUID_TEXT, uuid), 0);
    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, true, &err), 0);
    assert_int_equal(vb_domain_store_remove(f->store, uuid, &err), 0);
    assert_false(exists_in(f, UUID_TEXT ".xml"));
    assert_false(exists_in(f, "autostart/" UUID_TEXT));
    assert_int_equal(vb_domain_store_remove(f->store, uuid, &err), 0); /* already gone: fine */
    assert_int_equal(vb_uuid_parse(UUID_C, uuid), 0);
    assert_int_equal(vb_domain_store_remove(f->store, uuid, &err), 0);
    assert_false(exists_in(f, UUID_C ".xml"));
    assert_int_equal(load(f, &l), 1);
    assert_string_equal(l.names[0], "vm2");
    loaded_clear(&l);
}

/* A rename is one write: the old name has no file of its own to come back from. */
static void test_rename_is_one_write(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct loaded l = { 0 };

    assert_int_equal(vb_uuid_parse(UUID_TEXT, uuid), 0);
    save(f, "old", UUID_TEXT);
    assert_int_equal(vb_domain_store_mark_autostart(f->store, uuid, true, &err), 0);
    save(f, "new", UUID_TEXT);
    assert_int_equal(count_files(f, "."), 1);
    assert_int_equal(load(f, &l), 1);
    assert_string_equal(l.names[0], "new");
    assert_true(l.autostart[0]);
    loaded_clear(&l);
    assert_int_equal(vb_domain_store_remove(f->store, uuid, &err), 0);
    assert_int_equal(load(f, &l), 0);
    assert_int_equal(count_files(f, "."), 0);
    assert_int_equal(count_files(f, "autostart"), 0);
}

static void test_leftover_temp_files_are_removed(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };

    save(f, "vm1", UUID_TEXT);
    write_raw(f, "." UUID_TEXT ".xml.Ab12Cd", "<domain><name>vm1</na"); /* an interrupted write */
    write_raw(f, ".notes", "an administrator's file");                 /* other dotfiles are not ours */
    assert_int_equal(load(f, &l), 1);
    assert_false(exists_in(f, "." UUID_TEXT ".xml.Ab12Cd"));
    assert_true(exists_in(f, ".notes"));
    assert_true(exists_in(f, UUID_TEXT ".xml"));
    loaded_clear(&l);
}

static void test_unusable_files_are_skipped_not_deleted(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };
    char *mismatched = domain_xml_with("vm1", UUID_TEXT, "lives in the wrong file");

    save(f, "vm1", UUID_TEXT);
    save(f, "vm3", UUID_C);
    write_raw(f, "corrupt.xml", "<domain><name>corrupt</name"); /* truncated */
    write_raw(f, UUID_B ".xml", mismatched);                     /* claims vm1's UUID under B's */
    write_raw(f, "vm2.xml", mismatched);                         /* neither its name nor its UUID */
    write_raw(f, "README", "not a definition");
    assert_int_equal(load(f, &l), 2);
    assert_string_equal(l.names[0], "vm1");
    assert_string_equal(l.names[1], "vm3");
    assert_true(exists_in(f, "corrupt.xml"));
    assert_true(exists_in(f, UUID_B ".xml"));
    assert_true(exists_in(f, "vm2.xml"));
    loaded_clear(&l);
    free(mismatched);
}

/* A FIFO named like a definition used to hang startup in open(); now it is skipped. */
static void test_fifos_in_the_directory_are_skipped_not_waited_on(void **state)
{
    struct fixture *f = *state;
    char *fifo = path_in(f, UUID_B ".xml");
    char *other = path_in(f, "pipe.xml");
    struct loaded l = { 0 };

    save(f, "vm1", UUID_TEXT);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(mkfifo(other, 0600), 0);
    assert_int_equal(load(f, &l), 1); /* load() arms an alarm: a hang fails the test */
    assert_string_equal(l.names[0], "vm1");
    assert_true(exists_in(f, UUID_B ".xml"));
    loaded_clear(&l);
    free(fifo);
    free(other);
}

/* Files of the older layout move to the UUID layout, autostart markers with them. */
static void test_legacy_files_migrate(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };

    write_legacy(f, "vm1", UUID_TEXT, 100);
    write_legacy(f, "vm2", UUID_B, 100);
    write_raw(f, "autostart/vm1", "");
    assert_int_equal(load(f, &l), 2);
    assert_string_equal(l.names[0], "vm1");
    assert_true(l.autostart[0]);
    assert_string_equal(l.names[1], "vm2");
    assert_false(l.autostart[1]);
    loaded_clear(&l);
    assert_false(exists_in(f, "vm1.xml"));
    assert_false(exists_in(f, "vm2.xml"));
    assert_false(exists_in(f, "autostart/vm1"));
    assert_true(exists_in(f, UUID_TEXT ".xml"));
    assert_true(exists_in(f, UUID_B ".xml"));
    assert_true(exists_in(f, "autostart/" UUID_TEXT));
    /* Moved once: the next start finds the new layout only. */
    assert_int_equal(load(f, &l), 2);
    assert_true(l.autostart[0]);
    loaded_clear(&l);
    assert_int_equal(count_files(f, "."), 2);
}

/* The older layout's rename, killed between writing the new file and removing the old one,
 * left two files with one UUID; an acknowledged Undefine then lost to the old file at the next
 * start. The newer file wins, the other goes, and an undefined domain stays undefined. */
static void test_two_legacy_files_with_one_uuid_settle_on_the_newer(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct loaded l = { 0 };

    write_legacy(f, "old-name", UUID_TEXT, 200);
    write_legacy(f, "new-name", UUID_TEXT, 100);
    assert_int_equal(load(f, &l), 1);
    assert_string_equal(l.names[0], "new-name");
    loaded_clear(&l);
    assert_false(exists_in(f, "old-name.xml"));
    assert_false(exists_in(f, "new-name.xml"));
    assert_int_equal(vb_uuid_parse(UUID_TEXT, uuid), 0);
    assert_int_equal(vb_domain_store_remove(f->store, uuid, &err), 0);
    assert_int_equal(load(f, &l), 0);
    assert_int_equal(count_files(f, "."), 0);
}

/* A <uuid>.xml wins over an older file naming the same UUID, however recent that one is. */
static void test_uuid_file_wins_over_a_legacy_file(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };

    save(f, "current", UUID_TEXT);
    write_legacy(f, "stale", UUID_TEXT, -100);
    write_raw(f, "autostart/stale", "");
    assert_int_equal(load(f, &l), 1);
    assert_string_equal(l.names[0], "current");
    assert_false(l.autostart[0]);
    loaded_clear(&l);
    assert_false(exists_in(f, "stale.xml"));
    assert_false(exists_in(f, "autostart/stale"));
}

/* A domain of the older layout may be named like a UUID: its file is still its own. */
static void test_legacy_domain_named_like_a_uuid_migrates(void **state)
{
    struct fixture *f = *state;
    struct loaded l = { 0 };

    write_legacy(f, UUID_B, UUID_C, 10);
    assert_int_equal(load(f, &l), 1);
    assert_string_equal(l.names[0], UUID_B);
    assert_string_equal(l.uuids[0], UUID_C);
    loaded_clear(&l);
    assert_true(exists_in(f, UUID_C ".xml"));
    assert_false(exists_in(f, UUID_B ".xml"));
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

/* The directory must hold one definition file, <uuid>.xml, holding one whole version: parsing
 * succeeds, the name is one of the two and the description is complete. */
static void check_whole_version(const struct fixture *f, const char *a, const char *b, const char *name_a,
                                const char *name_b)
{
    char *path = path_in(f, UUID_TEXT ".xml");
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def;
    char *xml = vb_file_read_all(path, VB_DOMAIN_XML_MAX_BYTES, NULL, &err);

    if (!xml)
        print_error("after kill: %s\n", vb_error_message(&err));
    assert_non_null(xml);
    assert_int_equal(count_files(f, "."), 1);
    def = vb_domain_def_parse_string(xml, &err);
    if (!def)
        print_error("after kill, file does not parse: %s\n", vb_error_message(&err));
    assert_non_null(def);
    assert_true(streq(def->name, name_a) || streq(def->name, name_b));
    assert_non_null(def->description);
    assert_true(streq(def->description, a) || streq(def->description, b));
    vb_domain_def_free(def);
    free(xml);
    free(path);
}

/* Forks writers that rewrite one domain alternating two versions, kills each at a random moment
 * and checks what is left. */
static void kill_writers_at_random(struct fixture *f, const char *name_a, const char *name_b)
{
    char *a = filled('a');
    char *b = filled('b');
    struct vb_domain_def *defs[2] = { make_def(name_a, a), make_def(name_b, b) };
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
        check_whole_version(f, a, b, name_a, name_b);
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

static void test_writer_killed_at_random_never_leaves_a_torn_file(void **state)
{
    kill_writers_at_random(*state, "vm1", "vm1");
}

/* Renames back and forth, killed at random: never two files, never a torn one. */
static void test_rename_killed_at_random_leaves_one_whole_file(void **state)
{
    kill_writers_at_random(*state, "before-rename", "after-rename");
}

#define STORE_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    vb_log_set_max_level(VB_LOG_ERROR); /* crash tests sweep many temp files, skipped files warn */
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_open_creates_private_directories),
        STORE_TEST(test_files_are_keyed_by_uuid_and_load_in_name_order),
        STORE_TEST(test_any_name_is_stored_and_reloaded),
        STORE_TEST(test_autostart_marker),
        STORE_TEST(test_remove_deletes_definition_and_marker),
        STORE_TEST(test_rename_is_one_write),
        STORE_TEST(test_leftover_temp_files_are_removed),
        STORE_TEST(test_unusable_files_are_skipped_not_deleted),
        STORE_TEST(test_fifos_in_the_directory_are_skipped_not_waited_on),
        STORE_TEST(test_legacy_files_migrate),
        STORE_TEST(test_two_legacy_files_with_one_uuid_settle_on_the_newer),
        STORE_TEST(test_uuid_file_wins_over_a_legacy_file),
        STORE_TEST(test_legacy_domain_named_like_a_uuid_migrates),
        STORE_TEST(test_seeded_marker),
        STORE_TEST(test_writer_killed_at_random_never_leaves_a_torn_file),
        STORE_TEST(test_rename_killed_at_random_leaves_one_whole_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
