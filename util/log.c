/* Leveled logging to stderr, or straight to the journal when systemd connected stderr to it. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* We pass the caller's location ourselves; the header's macros would record this file's. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "util/log.h"

static enum vb_log_level log_max_level = VB_LOG_INFO;
static bool log_to_journal;
static char log_identifier[64] = "virtbusd";

static const char *const level_names[] = {
    [VB_LOG_ERROR] = "error",
    [VB_LOG_WARNING] = "warning",
    [VB_LOG_NOTICE] = "notice",
    [VB_LOG_INFO] = "info",
    [VB_LOG_DEBUG] = "debug",
};

void vb_log_set_max_level(enum vb_log_level max_level)
{
    log_max_level = max_level;
}

enum vb_log_level vb_log_get_max_level(void)
{
    return log_max_level;
}

int vb_log_level_from_string(const char *text, enum vb_log_level *level)
{
    if (!text)
        return -EINVAL;
    for (int i = VB_LOG_ERROR; i <= VB_LOG_DEBUG; i++) {
        char digit[2] = { (char) ('0' + i), '\0' };
        if (strcasecmp(text, level_names[i]) == 0 || streq(text, digit)) {
            *level = (enum vb_log_level) i;
            return 0;
        }
    }
    return -EINVAL;
}

/* systemd sets $JOURNAL_STREAM to "dev:ino" of the stream it gave us; if stderr was since
 * redirected (a shell, a test harness), the numbers no longer match and we keep to stderr. */
static bool stderr_is_journal(void)
{
    const char *env = getenv("JOURNAL_STREAM");
    uintmax_t dev, ino;
    struct stat st;
    char tail;

    if (!env || sscanf(env, "%ju:%ju%c", &dev, &ino, &tail) != 2)
        return false;
    if (fstat(STDERR_FILENO, &st) < 0)
        return false;
    return (uintmax_t) st.st_dev == dev && (uintmax_t) st.st_ino == ino;
}

void vb_log_open(const char *identifier)
{
    if (identifier)
        snprintf(log_identifier, sizeof(log_identifier), "%s", identifier);
    log_to_journal = stderr_is_journal();
}

static int write_journal(enum vb_log_level level, const char *file, int line, const char *func,
                         const char *message)
{
    return sd_journal_send("MESSAGE=%s", message,
                           "PRIORITY=%i", (int) level,
                           "SYSLOG_IDENTIFIER=%s", log_identifier,
                           "CODE_FILE=%s", file ? file : "",
                           "CODE_LINE=%i", line,
                           "CODE_FUNC=%s", func ? func : "",
                           NULL);
}

/* One fprintf per line so lines from concurrent writers do not interleave mid-line. The
 * location is noise in normal operation, so it appears only when running at debug level. */
static void write_stderr(enum vb_log_level level, const char *file, int line, const char *func,
                         const char *message)
{
    const char *name = level_names[level];

    if (log_max_level >= VB_LOG_DEBUG)
        fprintf(stderr, "%s[%ld]: %s: %s:%d:%s: %s\n", log_identifier, (long) getpid(), name,
                file ? file : "?", line, func ? func : "?", message);
    else
        fprintf(stderr, "%s[%ld]: %s: %s\n", log_identifier, (long) getpid(), name, message);
}

void vb_log_write(enum vb_log_level level, const char *file, int line, const char *func,
                  const char *fmt, ...)
{
    int saved_errno = errno; /* callers log and then report errno, as systemd's log_* allow */
    char *message = NULL;
    va_list ap;

    if (level < VB_LOG_ERROR)
        level = VB_LOG_ERROR;
    if (level > VB_LOG_DEBUG || level > log_max_level)
        goto out;

    va_start(ap, fmt);
    if (vasprintf(&message, fmt, ap) < 0)
        message = NULL;
    va_end(ap);

    /* If journald is gone (stopped, or restarting), stderr still reaches something. */
    if (!log_to_journal || write_journal(level, file, line, func, message ? message : fmt) < 0)
        write_stderr(level, file, line, func, message ? message : fmt);
    free(message);
out:
    errno = saved_errno;
}
