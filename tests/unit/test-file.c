/* Unit tests for util/file.c: bounded reads, atomic writes, durable removal, mkdir -p. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

struct fixture {
    char dir[256];
};

static int make_temp_dir(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/vb-test-file.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
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

static char *path_in(const struct fixture *f, const char *name)
{
    char *p = NULL;

    assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
    return p;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_atomic_write_replaces_and_leaves_no_temp_file(void **state)
{
    struct fixture *f = *state;
    char *path = path_in(f, "a.xml");
    struct vb_error err = VB_ERROR_INIT;
    struct stat st;
    size_t len = 0;
    char *got;

    assert_int_equal(vb_file_write_atomic(path, "first", 5, 0600, &err), 0);
    assert_int_equal(vb_file_write_atomic(path, "second!", 7, 0640, &err), 0);
    got = vb_file_read_all(path, 100, &len, &err);
    assert_non_null(got);
    assert_int_equal(len, 7);
    assert_string_equal(got, "second!");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(count_entries(f->dir), 1);
    free(got);
    free(path);
}

static void test_atomic_write_failure_leaves_nothing_behind(void **state)
{
    struct fixture *f = *state;
    char *path = path_in(f, "no-such-dir/a.xml");
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_file_write_atomic(path, "x", 1, 0600, &err), -1);
    assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
    assert_non_null(strstr(vb_error_message(&err), "No such file or directory"));
    vb_error_clear(&err);
    assert_int_equal(count_entries(f->dir), 0);
    free(path);

    /* The rename fails (the target is a directory): the temporary file must not linger. */
    path = path_in(f, "target");
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(vb_file_write_atomic(path, "x", 1, 0600, &err), -1);
    vb_error_clear(&err);
    assert_int_equal(count_entries(f->dir), 1);
    free(path);
}

static void test_read_all_is_bounded(void **state)
{
    struct fixture *f = *state;
    char *path = path_in(f, "big");
    struct vb_error err = VB_ERROR_INIT;
    char *got;

    assert_int_equal(vb_file_write_atomic(path, "0123456789", 10, 0600, &err), 0);
    got = vb_file_read_all(path, 10, NULL, &err); /* exactly at the bound is fine */
    assert_non_null(got);
    free(got);
    assert_null(vb_file_read_all(path, 9, NULL, &err));
    assert_int_equal(err.code, VB_ERR_OPERATION_FAILED);
    assert_non_null(strstr(vb_error_message(&err), "is larger than 9 bytes"));
    vb_error_clear(&err);

    assert_null(vb_file_read_all("/nonexistent/file", 10, NULL, &err));
    assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
    vb_error_clear(&err);
    free(path);
}

static void test_read_all_of_empty_file(void **state)
{
    struct fixture *f = *state;
    char *path = path_in(f, "empty");
    struct vb_error err = VB_ERROR_INIT;
    size_t len = 99;
    char *got;

    assert_int_equal(vb_file_write_atomic(path, "", 0, 0600, &err), 0);
    got = vb_file_read_all(path, 0, &len, &err);
    assert_non_null(got);
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
    free(got);
    free(path);
}

static void expect_not_read(const char *path, const char *message_part)
{
    struct vb_error err = VB_ERROR_INIT;

    assert_null(vb_file_read_all(path, 100, NULL, &err));
    if (!strstr(vb_error_message(&err), message_part))
        fail_msg("reading '%s': \"%s\" does not say \"%s\"", path, vb_error_message(&err), message_part);
    vb_error_clear(&err);
}

/* A FIFO must not block the reader (the alarm turns a hang into a failure); devices,
 * directories and symbolic links are not read either. */
static void test_read_all_reads_regular_files_only(void **state)
{
    struct fixture *f = *state;
    char *fifo = path_in(f, "fifo.xml");
    char *dir = path_in(f, "dir.xml");
    char *target = path_in(f, "target.xml");
    char *link = path_in(f, "link.xml");
    struct vb_error err = VB_ERROR_INIT;
    char *got;

    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(vb_file_write_atomic(target, "<x/>", 4, 0600, &err), 0);
    assert_int_equal(symlink(target, link), 0);
    alarm(10);
    expect_not_read(fifo, "is not a regular file");
    alarm(0);
    expect_not_read(dir, "is not a regular file");
    expect_not_read("/dev/null", "is not a regular file");
    expect_not_read(link, "Too many levels of symbolic links");
    got = vb_file_read_all(target, 100, NULL, &err);
    assert_string_equal(got, "<x/>");
    free(got);
    free(fifo);
    free(dir);
    free(target);
    free(link);
}

static void test_remove_durable_accepts_missing_file(void **state)
{
    struct fixture *f = *state;
    char *path = path_in(f, "gone");
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_file_write_atomic(path, "x", 1, 0600, &err), 0);
    assert_int_equal(vb_file_remove_durable(path, &err), 0);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(vb_file_remove_durable(path, &err), 0);
    free(path);
}

static void test_mkdir_parents_creates_each_level(void **state)
{
    struct fixture *f = *state;
    char *path = path_in(f, "a/b//c/");
    char *file = path_in(f, "a/file");
    char *below_file = path_in(f, "a/file/d");
    struct vb_error err = VB_ERROR_INIT;
    struct stat st;

    assert_int_equal(vb_mkdir_parents(path, 0700, &err), 0);
    assert_int_equal(vb_mkdir_parents(path, 0700, &err), 0); /* idempotent */
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);

    assert_int_equal(vb_file_write_atomic(file, "x", 1, 0600, &err), 0);
    assert_int_equal(vb_mkdir_parents(below_file, 0700, &err), -1);
    vb_error_clear(&err);
    free(path);
    free(file);
    free(below_file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atomic_write_replaces_and_leaves_no_temp_file,
                                        make_temp_dir, remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_atomic_write_failure_leaves_nothing_behind,
                                        make_temp_dir, remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_read_all_is_bounded, make_temp_dir, remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_read_all_of_empty_file, make_temp_dir, remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_read_all_reads_regular_files_only, make_temp_dir, remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_remove_durable_accepts_missing_file, make_temp_dir,
                                        remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_mkdir_parents_creates_each_level, make_temp_dir,
                                        remove_temp_dir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
