/* virtbus-snmp's handling of virtbusd's QMF answers: rows reloaded, refreshed or removed,
 * traps sent, SETs ended. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "bridges/common/qmf_console.h"
#include "bridges/snmp/bridge.h"
#include "bridges/snmp/feed.h"
#include "bridges/snmp/trap.h"
#include "util/log.h"
#include "util/time.h"

struct object_read {
    struct bridge *bridge;
    char host[GUEST_HOST_MAX]; /* the answering agent's host */
    struct guest_row *last;    /* the row the last object updated */
};

/* The host an answer comes from: its agent's name is virtbus.org:virtbusd:<host>. */
static void reply_host(pn_message_t *msg, char *host, size_t size)
{
    char agent[GUEST_HOST_MAX + 32];
    const char *last;

    qmf_console_reply_agent(msg, agent, sizeof(agent));
    last = strrchr(agent, ':');
    snprintf(host, size, "%.*s", (int) size - 1, last ? last + 1 : agent);
}

static void read_object(pn_data_t *values, void *userdata)
{
    struct object_read *read = userdata;
    struct guest_info info;

    guest_info_read(values, &info);
    read->last = guest_table_update(&read->bridge->table, &info, read->host);
    if (!read->last)
        vb_log_debug("a Domain object without a usable uuid was ignored (an answer cut short)");
}

/* The trap of a lifecycle event: the state the event left the domain in (the row may have moved
 * on since), and the row status: active while in a running state, destroy once the row is gone. */
static void send_trap(struct bridge *bridge, const struct pending *p, const struct guest_row *row)
{
    struct guest_trap trap = {
        .name = row ? row->name : p->name, .uuid = p->uuid, .state = p->event_state,
        .host = p->host, .event = p->event, .detail = p->detail, .seq = p->seq,
    };

    if (!row) {
        trap.row_status = GUEST_ROW_DESTROY;
        if (!trap.state)
            trap.state = GUEST_STATE_SHUTOFF;
    } else if (!trap.state) {
        trap.state = row->state;
        trap.row_status = guest_row_status(row);
    } else {
        trap.row_status = trap.state == GUEST_STATE_SHUTOFF ? GUEST_ROW_NOT_IN_SERVICE : GUEST_ROW_ACTIVE;
    }
    guest_trap_send(&trap);
    bridge->traps_sent++;
}

/* The answer to a one-domain query: the row updated, or removed when the domain is gone. */
static void finish_refresh(struct bridge *bridge, struct pending *p, pn_message_t *msg, bool exception)
{
    struct object_read read = {.bridge = bridge};
    int count;

    reply_host(msg, read.host, sizeof(read.host));
    count = exception ? 0 : qmf_console_each_object(msg, read_object, &read);
    if (count > 0 && read.last && p->event[0]) {
        snprintf(read.last->last_event, sizeof(read.last->last_event), "%s", p->event);
        snprintf(read.last->last_detail, sizeof(read.last->last_detail), "%s", p->detail);
        read.last->last_seq = p->seq;
    }
    vb_log_debug("domain %s: %d objects%s", p->name, count, exception ? " (exception)" : "");
    if (count <= 0)
        guest_table_remove(&bridge->table, p->uuid);
    if (p->trap)
        send_trap(bridge, p, count > 0 ? guest_table_find(&bridge->table, p->uuid) : NULL);
}

/* SNMP's answer to a method's outcome: libvirt's error codes (bus/README.md) to SET errors. */
static int method_error(int64_t code)
{
    switch (code) {
    case 0:
        return SNMP_ERR_NOERROR;
    case 88: /* access denied (also every ANONYMOUS call) */
    case 6:  /* read-only connection */
        return SNMP_ERR_NOACCESS;
    case 55: /* operation invalid in the domain's state */
        return SNMP_ERR_INCONSISTENTVALUE;
    default:
        return SNMP_ERR_COMMITFAILED;
    }
}

static void finish_method(struct pending *p, pn_message_t *msg, bool exception)
{
    int64_t code = 0;

    if (exception) {
        char text[256];
        qmf_console_exception(msg, &code, text, sizeof(text));
        vb_log_notice("SET %s refused by virtbusd: %s (%" PRId64 ")", p->method, text, code);
        if (code == 0)
            code = -1;
    }
    guest_mib_set_done(p->token, method_error(code));
}

/* Whether another part of a reload is still queued or asked: of the same agent's, or of any. */
static bool reload_remains(struct bridge *bridge, const struct pending *done, bool any_agent)
{
    for (const struct pending *p = bridge->pending; p; p = p->next)
        if (p != done && p->kind == PENDING_RELOAD && (any_agent || strcmp(p->agent, done->agent) == 0))
            return true;
    return false;
}

/* An answer this large may have been cut short by virtbusd: ask again in 16 narrower ranges
 * (after 8, 13, 18 and 23 characters a UUID has a '-', the only next character there). */
static void split_reload(struct bridge *bridge, const struct pending *p)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = strlen(p->prefix);
    char prefix[sizeof(p->prefix)];

    if (n + 2 > sizeof(p->prefix)) {
        bridge->reload_failed = true;
        return;
    }
    memcpy(prefix, p->prefix, n);
    prefix[n + 1] = '\0';
    if (n == 8 || n == 13 || n == 18 || n == 23) {
        prefix[n] = '-';
        bridge_queue_reload_part(bridge, p->agent, prefix);
        return;
    }
    for (size_t i = 0; i < 16; i++) {
        prefix[n] = digits[i];
        bridge_queue_reload_part(bridge, p->agent, prefix);
    }
}

/* One message of a reload's answer; returns whether this part is complete. When the last part
 * ends, the rows of its host the reload did not list are dropped (on a broker, other hosts' rows
 * are left alone). On the listener every row is the one virtbusd's: the last part of the last
 * agent's reload drops every row left unlisted, also those of an agent gone since a reconnect
 * (feed.c unmarks them all when the connection comes up; virtbusd sends every locate answer
 * before it reads the reload the first answer asks for, so the first round ends with every
 * agent's), and forgets the agents that did not answer the locate. */
static bool reload_part(struct bridge *bridge, struct pending *p, pn_message_t *msg, bool exception, bool partial)
{
    struct object_read read = {.bridge = bridge};
    size_t swept;
    int count;

    reply_host(msg, read.host, sizeof(read.host));
    if (exception) {
        vb_log_warning("reload refused by virtbusd; the table keeps its rows");
        bridge->reload_failed = true;
    } else if ((count = qmf_console_each_object(msg, read_object, &read)) < 0) {
        vb_log_warning("malformed reload answer ignored");
        bridge->reload_failed = true;
    } else {
        p->objects += (size_t) count;
    }
    if (partial)
        return false;
    if (p->objects >= RELOAD_SPLIT_AT)
        split_reload(bridge, p);
    if (reload_remains(bridge, p, false))
        return true;
    if (!bridge->broker && reload_remains(bridge, p, true)) {
        vb_log_info("domains of %s reloaded (stale rows go once every agent's are)", read.host);
        return true;
    }
    bridge->reloaded_usec = vb_now_usec();
    if (!bridge->broker)
        bridge_agents_sweep(bridge);
    if (bridge->reload_failed) {
        bridge->reload_failed = false;
        return true;
    }
    /* swept first: the count is then the rows that stay (argument order is unspecified) */
    swept = guest_table_sweep(&bridge->table, bridge->broker ? read.host : NULL);
    vb_log_info("domains of %s reloaded: %zu rows in all, %zu stale rows removed",
                read.host[0] ? read.host : "virtbusd", bridge->table.count, swept);
    return true;
}

void bridge_handle_reply(struct bridge *bridge, pn_message_t *msg)
{
    struct pending *p;
    char opcode[64];
    bool exception, partial;

    qmf_console_reply_opcode(msg, opcode, sizeof(opcode));
    if (strcmp(opcode, "_agent_locate_response") == 0) {
        bridge_agent_seen(bridge, msg);
        return;
    }
    p = pending_find(bridge, msg);
    if (!p) {
        vb_log_debug("reply to no request ignored");
        return;
    }
    exception = strcmp(opcode, "_exception") == 0;
    partial = !exception && qmf_console_reply_partial(msg);
    if (p->kind == PENDING_RELOAD) {
        if (!reload_part(bridge, p, msg, exception, partial))
            return;
    } else if (partial) {
        return; /* one object or a method answer never spans messages */
    } else if (p->kind == PENDING_REFRESH) {
        finish_refresh(bridge, p, msg, exception);
    } else {
        finish_method(p, msg, exception);
    }
    pending_unlink(bridge, p);
    pending_free(p);
}

