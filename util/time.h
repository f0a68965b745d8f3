/* Clock readings in microseconds, as every module needs them. */
#pragma once

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC: for durations and deadlines. */
static inline uint64_t vb_now_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * UINT64_C(1000000) + (uint64_t) ts.tv_nsec / 1000u;
}

/* CLOCK_REALTIME: for timestamps others read (events, logs). */
static inline uint64_t vb_realtime_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t) ts.tv_sec * UINT64_C(1000000) + (uint64_t) ts.tv_nsec / 1000u;
}
