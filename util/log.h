/* Logging with levels to stderr or, when stderr is connected to the journal, to the journal. */
#pragma once

#include "util/macros.h"

enum vb_log_level {
    VB_LOG_ERROR = 3, /* syslog priorities, so the journal gets the right one */
    VB_LOG_WARNING = 4,
    VB_LOG_NOTICE = 5,
    VB_LOG_INFO = 6,
    VB_LOG_DEBUG = 7,
};

/* Messages above max_level are dropped. Default: VB_LOG_INFO. */
void vb_log_set_max_level(enum vb_log_level max_level);
enum vb_log_level vb_log_get_max_level(void);

/* "error", "warning", "notice", "info", "debug" (or 3..7). Returns 0 or -EINVAL. */
int vb_log_level_from_string(const char *text, enum vb_log_level *level);

/* Chooses the journal when $JOURNAL_STREAM names our stderr (as systemd sets it), else stderr. */
void vb_log_open(const char *identifier);

void vb_log_write(enum vb_log_level level, const char *file, int line, const char *func,
                  const char *fmt, ...) _printf_(5, 6);

#define vb_log_error(...) vb_log_write(VB_LOG_ERROR, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define vb_log_warning(...) vb_log_write(VB_LOG_WARNING, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define vb_log_notice(...) vb_log_write(VB_LOG_NOTICE, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define vb_log_info(...) vb_log_write(VB_LOG_INFO, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define vb_log_debug(...) vb_log_write(VB_LOG_DEBUG, __FILE__, __LINE__, __func__, __VA_ARGS__)
