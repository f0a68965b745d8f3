/* The files of a running qemu: its pidfile (pid and start time), live XML, socket and log. */
#include "drivers/qemu/qemu_process_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/macros.h"

/* How much of the log end is searched for qemu's last line. */
#define LOG_TAIL_BYTES 4096

int qemu_process_set_paths(struct qemu_process *proc, const char *run_dir, const char *log_dir, const char *name)
{
    if (!(proc->name = strdup(name)) ||
        asprintf(&proc->monitor_path, "%s/%s.monitor", run_dir, name) < 0 ||
        asprintf(&proc->pid_path, "%s/%s.pid", run_dir, name) < 0 ||
        asprintf(&proc->xml_path, "%s/%s.xml", run_dir, name) < 0 ||
        (log_dir && asprintf(&proc->log_path, "%s/%s.log", log_dir, name) < 0))
        return -ENOMEM;
    return 0;
}

unsigned long long qemu_process_start_time(pid_t pid)
{
    char path[64], buf[1024];
    unsigned long long start_time = 0;
    ssize_t n;
    const char *p;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and ')': count fields after its last ')'. */
    p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return 0; /* a zombie no longer runs anything: with no reaping init it may linger */
    p++;
    for (int field = 2; field < 21 && p; field++)
        p = strchr(p + 1, ' ');
    if (!p || sscanf(p, " %llu", &start_time) != 1)
        return 0;
    return start_time;
}

int qemu_process_write_pidfile(const struct qemu_process *proc, struct vb_error *err)
{
    char line[64];
    unsigned long long start_time = qemu_process_start_time(proc->pid);
    int n;

    if (start_time == 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot read the start time of process %d", (int) proc->pid);
    n = snprintf(line, sizeof(line), "%d %llu\n", (int) proc->pid, start_time);
    return vb_file_write_atomic(proc->pid_path, line, (size_t) n, 0600, err);
}

int qemu_process_read_pidfile(const char *path, pid_t *pid, unsigned long long *start_time, struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    int value;

    if (access(path, F_OK) < 0 && errno == ENOENT)
        return -ENOENT;
    text = vb_file_read_all(path, 256, NULL, err);
    if (!text)
        return -1;
    if (sscanf(text, "%d %llu", &value, start_time) != 2 || value <= 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "invalid pidfile '%s'", path);
    *pid = value;
    return 0;
}

char *qemu_process_log_last_line(const char *log_path, long long from)
{
    char buf[LOG_TAIL_BYTES + 1];
    off_t end;
    ssize_t n;
    char *line, *last = NULL;
    int fd = open(log_path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return strdup("");
    end = lseek(fd, 0, SEEK_END);
    if (end - from > LOG_TAIL_BYTES)
        from = end - LOG_TAIL_BYTES;
    n = end > from ? pread(fd, buf, (size_t) (end - from), from) : 0;
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (char *save = NULL, *p = buf; (line = strtok_r(p, "\r\n", &save)); p = NULL)
        if (line[strspn(line, " \t")])
            last = line;
    return strdup(last ? last : "");
}

void qemu_process_remove_files(const struct qemu_process *proc)
{
    unlink(proc->monitor_path);
    unlink(proc->xml_path);
    unlink(proc->pid_path);
}
