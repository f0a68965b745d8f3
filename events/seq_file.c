/* Event sequence numbers that are never reused across restarts. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/seq_file.h"
#include "util/file.h"
#include "util/log.h"
#include "util/macros.h"

/* Numbers reserved per write; a crash loses at most this many (they are skipped, not reused). */
#define SEQ_BLOCK 4096u

struct vb_event_seq_file {
    char *path;
};

static int write_mark(const char *path, uint64_t mark, struct vb_error *err)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", mark);

    return vb_file_write_atomic(path, text, (size_t) n, 0644, err);
}

static uint64_t extend(void *userdata, uint64_t needed)
{
    struct vb_event_seq_file *file = userdata;
    struct vb_error err = VB_ERROR_INIT;
    uint64_t mark = needed + SEQ_BLOCK - 1;

    if (write_mark(file->path, mark, &err) < 0) {
        vb_log_error("cannot keep the event sequence mark: %s", vb_error_message(&err));
        vb_error_clear(&err);
        return 0;
    }
    return mark;
}

static int read_mark(const char *path, uint64_t *mark, struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct vb_error read_err = VB_ERROR_INIT;
    char *end = NULL;

    *mark = 0;
    if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    text = vb_file_read_all(path, 64, NULL, &read_err);
    if (!text) {
        vb_error_move(err, &read_err);
        return -1;
    }
    errno = 0;
    *mark = strtoull(text, &end, 10);
    if (errno || end == text || (*end && *end != '\n'))
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s: not an event sequence number", path);
    return 0;
}

int vb_event_seq_file_open(struct vb_event_stream *stream, const char *state_dir, struct vb_event_seq_file **out,
                           struct vb_error *err)
{
    struct vb_event_seq_file *file = calloc(1, sizeof(*file));
    uint64_t mark;

    if (!file || asprintf(&file->path, "%s/event-seq", state_dir) < 0) {
        free(file);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (vb_mkdir_parents(state_dir, 0755, err) < 0 || read_mark(file->path, &mark, err) < 0 ||
        write_mark(file->path, mark + SEQ_BLOCK, err) < 0) {
        vb_event_seq_file_free(file);
        return -1;
    }
    vb_event_stream_set_seq_mark(stream, mark, mark + SEQ_BLOCK, extend, file);
    *out = file;
    return 0;
}

void vb_event_seq_file_free(struct vb_event_seq_file *file)
{
    if (!file)
        return;
    free(file->path);
    free(file);
}
