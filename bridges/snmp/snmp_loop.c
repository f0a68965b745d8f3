/* net-snmp's agent library on the sd-event loop (one thread): before each sleep, net-snmp says
 * which sockets it reads (snmp_select_info2) and when its next timeout or alarm is due; its
 * sockets become I/O sources (snmp_read2 when readable) and the due time a timer (snmp_timeout,
 * run_alarms). Alarms are told not to use SIGALRM, so nothing runs outside the loop.
 *
 * Why net-snmp's library rather than AgentX written here: the subagent must stay registered
 * across snmpd restarts (open, register, ping, reopen), answer GET/GETNEXT/GETBULK ranges,
 * run SETs through TestSet/CommitSet/UndoSet/CleanupSet with delegated answers, and send
 * Notify PDUs; net-snmp does all of that as snmpd itself expects, is packaged by Debian
 * (libsnmp-dev) and is what the tests talk to anyway. A native AgentX would be a second BER/PDU
 * codec to fuzz and keep right for little gain: what the bridge pays for the library is this
 * file (its select-style fds and timers bridged into sd-event) and its global state, which is
 * fine in a program with one loop and one subagent session. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "bridges/snmp/snmp_loop.h"
#include "util/time.h"

#define SNMP_LOOP_MAX_FDS 64

struct snmp_fd {
    int fd;
    sd_event_source *source;
};

struct snmp_loop {
    sd_event *loop;
    sd_event_source *timer;
    struct snmp_fd fds[SNMP_LOOP_MAX_FDS];
    size_t nfds;
};

static void after_snmp_work(void)
{
    /* Requests an answer completed (SETs delegated to virtbusd) go back to the master now. */
    netsnmp_check_outstanding_agent_requests();
}

static int on_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
    netsnmp_large_fd_set set;

    netsnmp_large_fd_set_init(&set, fd + 1);
    NETSNMP_LARGE_FD_SET(fd, &set);
    snmp_read2(&set);
    netsnmp_large_fd_set_cleanup(&set);
    after_snmp_work();
    return 0;
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
    snmp_timeout();
    run_alarms();
    after_snmp_work();
    return 0;
}

static bool wanted(netsnmp_large_fd_set *set, int numfds, int fd)
{
    return fd < numfds && NETSNMP_LARGE_FD_ISSET(fd, set);
}

/* Drops sources of sockets net-snmp no longer reads and adds the new ones. */
static void sync_fds(struct snmp_loop *sl, netsnmp_large_fd_set *set, int numfds)
{
    size_t kept = 0;

    for (size_t i = 0; i < sl->nfds; i++) {
        if (wanted(set, numfds, sl->fds[i].fd))
            sl->fds[kept++] = sl->fds[i];
        else
            sd_event_source_disable_unref(sl->fds[i].source);
    }
    sl->nfds = kept;
    for (int fd = 0; fd < numfds; fd++) {
        bool known = false;
        if (!NETSNMP_LARGE_FD_ISSET(fd, set))
            continue;
        for (size_t i = 0; i < sl->nfds && !known; i++)
            known = sl->fds[i].fd == fd;
        if (known || sl->nfds == SNMP_LOOP_MAX_FDS)
            continue;
        if (sd_event_add_io(sl->loop, &sl->fds[sl->nfds].source, fd, EPOLLIN, on_readable, sl) < 0)
            continue;
        sl->fds[sl->nfds++].fd = fd;
    }
}

static int on_prepare(sd_event_source *source, void *userdata)
{
    struct snmp_loop *sl = userdata;
    netsnmp_large_fd_set set;
    struct timeval timeout = {0, 0};
    int numfds = 0, block = 1;

    netsnmp_large_fd_set_init(&set, FD_SETSIZE);
    snmp_select_info2(&numfds, &set, &timeout, &block);
    sync_fds(sl, &set, numfds);
    netsnmp_large_fd_set_cleanup(&set);
    if (block)
        sd_event_source_set_time(sl->timer, UINT64_MAX);
    else
        sd_event_source_set_time(sl->timer, vb_now_usec() + (uint64_t) timeout.tv_sec * 1000000u +
                                                (uint64_t) timeout.tv_usec);
    return 0;
}

int snmp_loop_new(sd_event *loop, struct snmp_loop **out)
{
    struct snmp_loop *sl = calloc(1, sizeof(*sl));
    int r;

    if (!sl)
        return -ENOMEM;
    sl->loop = sd_event_ref(loop);
    r = sd_event_add_time(loop, &sl->timer, CLOCK_MONOTONIC, UINT64_MAX, 0, on_timer, sl);
    if (r >= 0)
        r = sd_event_source_set_prepare(sl->timer, on_prepare);
    if (r >= 0)
        r = sd_event_source_set_enabled(sl->timer, SD_EVENT_ON);
    if (r < 0) {
        snmp_loop_free(sl);
        return r;
    }
    *out = sl;
    return 0;
}

struct snmp_loop *snmp_loop_free(struct snmp_loop *sl)
{
    if (!sl)
        return NULL;
    for (size_t i = 0; i < sl->nfds; i++)
        sd_event_source_disable_unref(sl->fds[i].source);
    sd_event_source_disable_unref(sl->timer);
    sd_event_unref(sl->loop);
    free(sl);
    return NULL;
}
