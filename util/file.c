/* File helpers: bounded whole-file reads, crash-safe atomic replacement, durable removal, mkdir -p. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "util/macros.h"

/* Reads up to max_bytes + 1 so an oversized file is detected without trusting st_size,
 * which lies for /proc files and can change under us. */
static int read_bounded(int fd, char *buf, size_t max_bytes, size_t *length)
{
    size_t done = 0;

    for (;;) {
        ssize_t n = read(fd, buf + done, max_bytes + 1 - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        done += (size_t) n;
        if (done > max_bytes)
            return -EFBIG;
    }
    *length = done;
    return 0;
}

char *vb_file_read_all(const char *path, size_t max_bytes, size_t *length, struct vb_error *err)
{
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *buf = NULL;
    struct stat st;
    size_t len = 0;
    int r;

    if (max_bytes >= SIZE_MAX - 1) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "read limit too large for file '%s'", path);
        return NULL;
    }
    /* O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, for ever. The file
     * type is then checked on what was opened, so nothing can be swapped in between. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        vb_error_set_errno(err, errno, "Failed to open file '%s'", path);
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        vb_error_set_errno(err, errno, "Failed to stat file '%s'", path);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        vb_error_set(err, VB_ERR_OPERATION_FAILED, "'%s' is not a regular file", path);
        return NULL;
    }
    /* One allocation of the bound: callers pass modest limits (a few MiB at most). */
    buf = malloc(max_bytes + 2);
    if (!buf) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    r = read_bounded(fd, buf, max_bytes, &len);
    if (r == -EFBIG) {
        vb_error_set(err, VB_ERR_OPERATION_FAILED, "file '%s' is larger than %zu bytes", path, max_bytes);
        return NULL;
    }
    if (r < 0) {
        vb_error_set_errno(err, -r, "Failed to read file '%s'", path);
        return NULL;
    }
    buf[len] = '\0';
    if (length)
        *length = len;
    return TAKE_PTR(buf);
}

static int write_all(int fd, const char *content, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, content, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        content += n;
        length -= (size_t) n;
    }
    return 0;
}

/* Splits path into a malloc'd directory and base name; both are needed separately. */
static int split_path(const char *path, char **dir, char **base)
{
    _cleanup_free_ char *copy_dir = strdup(path);
    _cleanup_free_ char *copy_base = strdup(path);

    if (!copy_dir || !copy_base)
        return -ENOMEM;
    *dir = strdup(dirname(copy_dir));
    *base = strdup(basename(copy_base));
    if (!*dir || !*base) {
        free(*dir);
        free(*base);
        *dir = *base = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* Makes a rename or unlink in dir durable: without this a crash can bring the old entry back. */
static int fsync_directory(const char *dir)
{
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        return -errno;
    return 0;
}

/* Fills, syncs and closes the temporary file; the file is complete on disk before it gets
 * the target's name, so the rename can never expose a partial file. */
static int fill_temp_file(int fd, const char *content, size_t length, unsigned int mode)
{
    int r = write_all(fd, content, length);

    if (r < 0)
        return r;
    if (fchmod(fd, (mode_t) mode) < 0)
        return -errno;
    if (fsync(fd) < 0)
        return -errno;
    return 0;
}

int vb_file_write_atomic(const char *path, const char *content, size_t length, unsigned int mode,
                         struct vb_error *err)
{
    _cleanup_free_ char *dir = NULL;
    _cleanup_free_ char *base = NULL;
    _cleanup_free_ char *temp = NULL;
    int fd, r;

    if (split_path(path, &dir, &base) < 0 || asprintf(&temp, "%s/.%s.XXXXXX", dir, base) < 0) {
        temp = NULL;
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    /* mkostemp opens with O_CREAT|O_EXCL, so we never follow or clobber someone else's file. */
    fd = mkostemp(temp, O_CLOEXEC);
    if (fd < 0)
        return vb_error_set_errno(err, errno, "cannot create temporary file for '%s'", path);

    r = fill_temp_file(fd, content, length, mode);
    if (close(fd) < 0 && r == 0 && errno != EINTR)
        r = -errno; /* NFS reports write errors at close */
    if (r == 0 && rename(temp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(temp);
        return vb_error_set_errno(err, -r, "cannot write file '%s'", path);
    }
    r = fsync_directory(dir);
    if (r < 0)
        return vb_error_set_errno(err, -r, "cannot sync directory '%s'", dir);
    return 0;
}

int vb_file_remove_durable(const char *path, struct vb_error *err)
{
    _cleanup_free_ char *dir = NULL;
    _cleanup_free_ char *base = NULL;
    int r;

    if (unlink(path) < 0) {
        if (errno == ENOENT)
            return 0;
        return vb_error_set_errno(err, errno, "cannot remove file '%s'", path);
    }
    if (split_path(path, &dir, &base) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    r = fsync_directory(dir);
    if (r < 0)
        return vb_error_set_errno(err, -r, "cannot sync directory '%s'", dir);
    return 0;
}

/* Creates one directory, accepting one that already exists (possibly made by a racing process). */
static int mkdir_one(const char *path, unsigned int mode)
{
    struct stat st;

    if (mkdir(path, (mode_t) mode) == 0)
        return 0;
    if (errno != EEXIST)
        return -errno;
    if (stat(path, &st) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int vb_mkdir_parents(const char *path, unsigned int mode, struct vb_error *err)
{
    _cleanup_free_ char *copy = NULL;
    char *p;
    int r;

    if (!*path)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "empty directory path");
    copy = strdup(path);
    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    /* Each '/' after the first character ends a prefix that must exist before the next. */
    for (p = copy + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        r = mkdir_one(copy, mode);
        *p = '/';
        if (r < 0)
            return vb_error_set_errno(err, -r, "cannot create directory '%s'", path);
    }
    r = mkdir_one(copy, mode);
    if (r < 0)
        return vb_error_set_errno(err, -r, "cannot create directory '%s'", path);
    return 0;
}
