/* qemu-img for the QEMU connection's pools (the short synchronous `info`, timed in README, and
 * the spawns the asynchronous scan and builds use), and the synchronous scan of a pool's directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/qemu/qemu_storage_private.h"
#include "util/log.h"

#define QEMU_IMG "qemu-img"
#define OUTPUT_MAX (1024 * 1024)
#define ARGS_MAX 16

/* Reads fd to its end into a NUL-terminated buffer; beyond OUTPUT_MAX bytes the output is
 * drained, so the child never blocks, and not kept. NULL when out of memory. */
static char *read_all(int fd)
{
    size_t size = 0, allocated = 0;
    char *text = NULL, chunk[4096];
    ssize_t r;

    while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (size + (size_t) r + 1 > OUTPUT_MAX)
            continue;
        if (size + (size_t) r + 1 > allocated) {
            size_t grown_size = allocated * 2 > size + (size_t) r + 1 ? allocated * 2 : size + (size_t) r + 1;
            char *grown = realloc(text, grown_size);

            if (!grown) {
                free(text);
                return NULL;
            }
            text = grown;
            allocated = grown_size;
        }
        memcpy(text + size, chunk, (size_t) r);
        size += (size_t) r;
    }
    if (!text)
        return calloc(1, 1);
    text[size] = '\0';
    return text;
}

static void child_exec(const char *const *args, int out, int errfd)
{
    const char *argv[ARGS_MAX + 2] = { QEMU_IMG };
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

    for (size_t i = 0; i < ARGS_MAX && args[i]; i++)
        argv[i + 1] = args[i];
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd >= 0 ? errfd : devnull, 2) < 0)
        _exit(127);
    close_range(3, ~0u, 0);
    execvp(QEMU_IMG, (char *const *) argv);
    _exit(127);
}

/* The last non-empty line of qemu-img's stderr, for the error message. */
static const char *last_line(char *text)
{
    size_t len = text ? strlen(text) : 0;
    char *line;

    while (len && text[len - 1] == '\n')
        text[--len] = '\0';
    line = text ? strrchr(text, '\n') : NULL;
    return line ? line + 1 : (text ? text : "");
}

int qemu_img_spawn_to(const char *const *args, int out_fd, int err_fd, struct vb_error *err)
{
    pid_t pid = fork();

    if (pid == 0)
        child_exec(args, out_fd, err_fd);
    if (pid < 0)
        return vb_error_set_errno(err, errno, "cannot fork " QEMU_IMG);
    return pid;
}

int qemu_img_check_status(const char *const *args, int status, char *stderr_text, struct vb_error *err)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && (!stderr_text || !*stderr_text))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot run %s: not installed (package qemu-utils)",
                            QEMU_IMG);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "%s %s failed: %s", QEMU_IMG, args[0],
                            last_line(stderr_text));
    return 0;
}

int qemu_img_spawn(const char *const *args, int *out_fd, struct vb_error *err)
{
    int out_pipe[2];
    pid_t pid;

    if (pipe2(out_pipe, O_CLOEXEC) < 0)
        return vb_error_set_errno(err, errno, "cannot create pipe");
    pid = fork();
    if (pid == 0)
        child_exec(args, out_pipe[1], -1);
    close(out_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        return vb_error_set_errno(err, errno, "cannot fork " QEMU_IMG);
    }
    *out_fd = out_pipe[0];
    return pid;
}

/* Runs qemu-img; *out (may be NULL) gets its stdout. stderr is read after stdout: qemu-img
 * writes little there, far below a pipe's buffer. */
static int run(const char *const *args, char **out, struct vb_error *err)
{
    int out_pipe[2], err_pipe[2], status;
    _cleanup_free_ char *stdout_text = NULL, *stderr_text = NULL;
    pid_t pid;

    if (pipe2(out_pipe, O_CLOEXEC) < 0)
        return vb_error_set_errno(err, errno, "cannot create pipe");
    if (pipe2(err_pipe, O_CLOEXEC) < 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return vb_error_set_errno(err, errno, "cannot create pipe");
    }
    pid = fork();
    if (pid == 0)
        child_exec(args, out_pipe[1], err_pipe[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid > 0) {
        stdout_text = read_all(out_pipe[0]);
        stderr_text = read_all(err_pipe[0]);
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    if (pid < 0)
        return vb_error_set_errno(err, errno, "cannot fork " QEMU_IMG);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return vb_error_set_errno(err, errno, "cannot wait for " QEMU_IMG);
    if (qemu_img_check_status(args, status, stderr_text, err) < 0)
        return -1;
    if (out)
        *out = TAKE_PTR(stdout_text);
    return 0;
}

static uint64_t json_u64(json_object *obj, const char *key)
{
    json_object *value;

    return json_object_object_get_ex(obj, key, &value) ? (uint64_t) json_object_get_int64(value) : 0;
}

int qemu_img_parse_info(const char *text, const char *path, struct qemu_img_info *info, struct vb_error *err)
{
    json_object *root = text ? json_tokener_parse(text) : NULL, *format;

    if (!root || !json_object_object_get_ex(root, "format", &format)) {
        json_object_put(root);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unexpected output of %s info for '%s'", QEMU_IMG, path);
    }
    *info = (struct qemu_img_info){ .format = strdup(json_object_get_string(format)),
                                    .capacity = json_u64(root, "virtual-size"),
                                    .allocation = json_u64(root, "actual-size") };
    json_object_put(root);
    return info->format ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

int qemu_img_info(const char *path, struct qemu_img_info *info, struct vb_error *err)
{
    const char *args[] = QEMU_IMG_INFO_ARGS(path);
    _cleanup_free_ char *text = NULL;

    if (run(args, &text, err) < 0)
        return -1;
    return qemu_img_parse_info(text, path, info, err);
}

struct vb_vol_def *qemu_vol_from_info(const char *dir, const char *name, struct qemu_img_info *info)
{
    _cleanup_(vb_vol_def_freep) struct vb_vol_def *vol = calloc(1, sizeof(*vol));

    if (!vol || asprintf(&vol->path, "%s/%s", dir, name) < 0 || !(vol->name = strdup(name)) ||
        !(vol->key = strdup(vol->path))) {
        free(info->format);
        return NULL;
    }
    vol->format = info->format;
    vol->capacity = info->capacity;
    vol->allocation = info->allocation;
    return TAKE_PTR(vol);
}

/* One file of the directory as a volume; NULL (logged) when it is not a readable image. */
static struct vb_vol_def *scan_file(const char *dir, const char *name)
{
    _cleanup_free_ char *path = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct qemu_img_info info;

    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return NULL;
    if (qemu_img_info(path, &info, &err) < 0) {
        vb_log_warning("storage volume '%s' skipped: %s", path, vb_error_message(&err));
        vb_error_clear(&err);
        return NULL;
    }
    return qemu_vol_from_info(dir, name, &info);
}

int qemu_vols_append(struct vb_vol_def ***vols, size_t *n, size_t *allocated, struct vb_vol_def *vol,
                     struct vb_error *err)
{
    if (*n == *allocated) {
        size_t grown_size = *allocated ? *allocated * 2 : 16;
        struct vb_vol_def **grown = reallocarray(*vols, grown_size, sizeof(*grown));

        if (!grown)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        *vols = grown;
        *allocated = grown_size;
    }
    (*vols)[(*n)++] = vol;
    return 0;
}

void qemu_vols_free(struct vb_vol_def **vols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vb_vol_def_free(vols[i]);
    free(vols);
}

void qemu_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int qemu_pool_list_files(const char *dir, char ***names_out, size_t *n_out, struct vb_error *err)
{
    char **names = NULL;
    size_t n = 0, allocated = 0;
    struct dirent *entry;
    DIR *d = opendir(dir);

    if (!d)
        return vb_error_set_errno(err, errno, "cannot open directory '%s'", dir);
    while ((entry = readdir(d))) {
        struct stat st;
        char *name;

        if (fstatat(dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == allocated) {
            size_t grown_size = allocated ? allocated * 2 : 16;
            char **grown = reallocarray(names, grown_size, sizeof(*grown));

            if (!grown)
                break;
            names = grown;
            allocated = grown_size;
        }
        if (!(name = strdup(entry->d_name)))
            break;
        names[n++] = name;
    }
    closedir(d);
    if (entry) {
        qemu_names_free(names, n);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    *names_out = names;
    *n_out = n;
    return 0;
}

int qemu_pool_update_sizes(struct qemu_pool *pool, struct vb_error *err)
{
    struct statvfs sb;

    if (statvfs(pool->def->target_path, &sb) < 0)
        return vb_error_set_errno(err, errno, "cannot statvfs path '%s'", pool->def->target_path);
    pool->def->capacity = (uint64_t) sb.f_blocks * sb.f_frsize;
    pool->def->allocation = (uint64_t) (sb.f_blocks - sb.f_bfree) * sb.f_frsize;
    pool->def->available = (uint64_t) sb.f_bavail * sb.f_frsize;
    return 0;
}

void qemu_pool_update_sizes_quietly(struct qemu_pool *pool)
{
    struct vb_error err = VB_ERROR_INIT;

    qemu_pool_update_sizes(pool, &err);
    vb_error_clear(&err);
}

int qemu_pool_set_vols(struct qemu_pool *pool, struct vb_vol_def **vols, size_t n, size_t allocated,
                       struct vb_error *err)
{
    if (qemu_pool_update_sizes(pool, err) < 0) {
        qemu_vols_free(vols, n);
        return -1;
    }
    qemu_pool_clear_vols(pool);
    pool->vols = vols;
    pool->n_vols = n;
    pool->vols_allocated = allocated;
    return 0;
}

int qemu_pool_scan(struct qemu_pool *pool, struct vb_error *err)
{
    const char *dir = pool->def->target_path;
    struct vb_vol_def **vols = NULL;
    size_t n = 0, allocated = 0, n_names;
    char **names;

    if (qemu_pool_list_files(dir, &names, &n_names, err) < 0)
        return -1;
    for (size_t i = 0; i < n_names; i++) {
        struct vb_vol_def *vol = scan_file(dir, names[i]);

        if (vol && qemu_vols_append(&vols, &n, &allocated, vol, err) < 0) {
            vb_vol_def_free(vol);
            qemu_names_free(names, n_names);
            qemu_vols_free(vols, n);
            return -1;
        }
    }
    qemu_names_free(names, n_names);
    return qemu_pool_set_vols(pool, vols, n, allocated, err);
}
