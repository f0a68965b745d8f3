/* Clock readings in microseconds, as every module needs them. */
#pragma once

#include <stdint.h>
#include <time.h>

/* How late a loop timer may fire: pass it as every sd-event timer's accuracy. sd-event's default
 * (accuracy 0) is 250 ms, and it places the wakeup on a grid shifted by the machine's boot id:
 * a 20 ms retry lands anywhere 20-270 ms later, and a 1 ms timeout may fire after what it
 * guards against has already happened, on one machine and not another (seen in CI). */
#define VB_TIMER_ACCURACY_USEC UINT64_C(1000)

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
