/* Small language helpers shared by every module: cleanup attributes, array sizes. */
#pragma once

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

static inline void freep(void *p)
{
    free(*(void **) p);
}

static inline void closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Declares a cleanup helper `name##p` that calls `func` on a non-NULL pointer. */
#define DEFINE_CLEANUP_FUNC(type, func)          \
    static inline void func##p(type **p)         \
    {                                            \
        if (*p)                                  \
            func(*p);                            \
    }

/* Hands ownership out of a cleanup variable. */
#define TAKE_PTR(p)                  \
    ({                               \
        __typeof__(p) _taken_ = (p); \
        (p) = NULL;                  \
        _taken_;                     \
    })

#define TAKE_FD(fd)          \
    ({                       \
        int _taken_ = (fd);  \
        (fd) = -1;           \
        _taken_;             \
    })

#define streq(a, b) (strcmp((a), (b)) == 0)
/* Equal strings, or both NULL (libvirt's STREQ_NULLABLE). */
static inline bool streq_nullable(const char *a, const char *b)
{
    return a == b || (a && b && streq(a, b));
}
