/* Per-peer, ordered, authorized delivery of signals about domains, networks, pools and node
 * devices. */
#include <stdlib.h>
#include <string.h>

#include "dbus/authorize.h"
#include "dbus/bus.h"
#include "dbus/signal_relay.h"
#include "policy/engine.h"
#include "util/hashmap.h"
#include "util/log.h"

/* What a signal is about: a domain, or an object of the kind op lists. */
struct about {
    enum vb_operation op;
    bool object;
};

struct relay_item {
    sd_bus_message *m; /* addressed to the peer, not sent yet */
    struct about about;
    struct vb_connect *conn;
    unsigned char uuid[VB_UUID_LEN];
    char *name;
    struct relay_item *next;
};

/* One peer's signals waiting for the engine to say whether the peer may see their domain. */
struct relay {
    struct dbus_frontend *frontend;
    char *peer;
    struct policy_subject subject;
    struct relay_item *head, *tail;
    size_t length;
    uint64_t dropped;
    struct policy_check *check; /* asking about the head item */
};

static void item_free(struct relay_item *item)
{
    sd_bus_message_unref(item->m);
    free(item->name);
    free(item);
}

static void relay_free(struct relay *relay)
{
    if (!relay)
        return;
    policy_check_free(relay->check);
    while (relay->head) {
        struct relay_item *item = relay->head;

        relay->head = item->next;
        item_free(item);
    }
    free(relay->peer);
    free(relay);
}

static void relay_free_void(void *value)
{
    relay_free(value);
}

static void pop_head(struct relay *relay, bool send)
{
    struct relay_item *item = relay->head;
    int r;

    relay->head = item->next;
    if (!relay->head)
        relay->tail = NULL;
    relay->length--;
    if (send && (r = sd_bus_send(relay->frontend->bus, item->m, NULL)) < 0)
        vb_log_warning("could not send %s to %s: %s", sd_bus_message_get_member(item->m), relay->peer, strerror(-r));
    item_free(item);
}

static int decide(struct policy_check *check, const struct relay_item *item, bool *visible)
{
    struct vb_object_ref ref = { .name = item->name };

    if (!item->about.object)
        return policy_check_decide_listed(check, item->about.op, item->conn, item->uuid, item->name, visible);
    memcpy(ref.uuid, item->uuid, VB_UUID_LEN);
    return policy_check_decide_listed_object(check, item->about.op, item->conn, &ref, visible);
}

static void pump(void *userdata);

/* Sends or drops queued signals in order until one waits for polkit. */
static void pump(void *userdata)
{
    struct relay *relay = userdata;
    struct policy_engine *engine = relay->frontend->engine;

    while (relay->head) {
        struct relay_item *item = relay->head;
        bool visible = false;
        int r;

        if (!relay->check) {
            relay->check = policy_check_new(engine, &relay->subject, false);
            if (!relay->check) {
                pop_head(relay, false);
                continue;
            }
            policy_check_on_answered(relay->check, pump, relay);
        }
        r = decide(relay->check, item, &visible);
        if (r == VB_PENDING)
            return;
        policy_check_free(relay->check);
        relay->check = NULL;
        pop_head(relay, visible);
    }
}

static struct relay *relay_for(struct dbus_frontend *frontend, const struct dbus_peer *peer)
{
    struct relay *relay = vb_hashmap_get(frontend->relays, peer->name);

    if (relay)
        return relay;
    relay = calloc(1, sizeof(*relay));
    if (!relay || !(relay->peer = strdup(peer->name))) {
        free(relay);
        return NULL;
    }
    relay->frontend = frontend;
    relay->subject = peer->subject;
    relay->subject.bus_name = relay->peer;
    if (vb_hashmap_put(frontend->relays, relay->peer, relay) < 0) {
        relay_free(relay);
        return NULL;
    }
    return relay;
}

/* A copy of the sealed template m, addressed to destination (NULL: broadcast). */
static int copy_signal(sd_bus_message *m, const char *destination, sd_bus_message **out)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *copy = NULL;
    int r = sd_bus_message_new_signal(sd_bus_message_get_bus(m), &copy, sd_bus_message_get_path(m),
                                      sd_bus_message_get_interface(m), sd_bus_message_get_member(m));

    if (r >= 0 && destination)
        r = sd_bus_message_set_destination(copy, destination);
    if (r >= 0)
        r = sd_bus_message_rewind(m, true);
    if (r >= 0)
        r = sd_bus_message_copy(copy, m, true);
    if (r >= 0)
        *out = TAKE_PTR(copy);
    return r;
}

static void queue(struct relay *relay, sd_bus_message *copy, const struct about *about, struct vb_connect *conn,
                  const unsigned char uuid[VB_UUID_LEN], const char *name)
{
    struct relay_item *item = calloc(1, sizeof(*item));

    if (!item || (name && !(item->name = strdup(name)))) {
        free(item);
        sd_bus_message_unref(copy);
        return;
    }
    item->m = copy;
    item->about = *about;
    item->conn = conn;
    memcpy(item->uuid, uuid, VB_UUID_LEN);
    if (relay->length >= DBUS_RELAY_MAX_QUEUED) {
        /* A peer whose authorization stays unanswered must not make the daemon grow. */
        if (relay->dropped++ % 1000 == 0)
            vb_log_warning("dropping signals for %s: %zu wait for authorization", relay->peer, relay->length);
        policy_check_free(relay->check);
        relay->check = NULL;
        pop_head(relay, false);
    }
    if (relay->tail)
        relay->tail->next = item;
    else
        relay->head = item;
    relay->tail = item;
    relay->length++;
    if (relay->head == item)
        pump(relay);
}

static void send_to_peers(struct dbus_frontend *frontend, struct dbus_connect *dc, const struct about *about,
                          const unsigned char uuid[VB_UUID_LEN], const char *name, sd_bus_message *m)
{
    struct dbus_peer **peers;
    size_t n = dbus_authorizer_peers(frontend->authorizer, &peers);

    for (size_t i = 0; i < n; i++) {
        sd_bus_message *copy = NULL;
        struct relay *relay;
        int r = copy_signal(m, peers[i]->name, &copy);

        if (r < 0) {
            vb_log_warning("could not address %s to %s: %s", sd_bus_message_get_member(m), peers[i]->name,
                           strerror(-r));
            continue;
        }
        if (peers[i]->trusted && !vb_hashmap_get(frontend->relays, peers[i]->name)) {
            if ((r = sd_bus_send(frontend->bus, copy, NULL)) < 0)
                vb_log_warning("could not send %s to %s: %s", sd_bus_message_get_member(m), peers[i]->name,
                               strerror(-r));
            sd_bus_message_unref(copy);
            continue;
        }
        relay = relay_for(frontend, peers[i]);
        if (relay)
            queue(relay, copy, about, dc->conn, uuid, name);
        else
            sd_bus_message_unref(copy);
    }
}

static void relay_send(struct dbus_frontend *frontend, struct dbus_connect *dc, const struct about *about,
                       const unsigned char uuid[VB_UUID_LEN], const char *name, sd_bus_message *m)
{
    sd_bus_message *copy = NULL;
    int r;

    /* Sealed once, so it can be read as the template of every copy; it is never sent itself,
     * so its cookie does not matter (D-Bus 1 cookies are 32 bits, sd-bus refuses more). */
    r = sd_bus_message_seal(m, UINT32_MAX, 0);
    if (r >= 0 && (!frontend->authorizer || frontend->broadcast_signals)) {
        r = copy_signal(m, NULL, &copy);
        if (r >= 0)
            r = sd_bus_send(frontend->bus, copy, NULL);
        sd_bus_message_unref(copy);
    } else if (r >= 0) {
        send_to_peers(frontend, dc, about, uuid, name, m);
    }
    if (r < 0)
        vb_log_warning("could not send %s: %s", sd_bus_message_get_member(m), strerror(-r));
    sd_bus_message_unref(m);
}

void dbus_signal_relay_send(struct dbus_frontend *frontend, struct dbus_connect *dc,
                            const unsigned char uuid[VB_UUID_LEN], const char *name, sd_bus_message *m)
{
    const struct about about = { VB_OP_CONNECT_DOMAIN_EVENT_REGISTER_ANY, false };

    relay_send(frontend, dc, &about, uuid, name, m);
}

void dbus_signal_relay_send_object(struct dbus_frontend *frontend, struct dbus_connect *dc, enum vb_operation list_op,
                                   const unsigned char uuid[VB_UUID_LEN], const char *name, sd_bus_message *m)
{
    const struct about about = { list_op, true };

    relay_send(frontend, dc, &about, uuid, name, m);
}

void dbus_signal_relay_peer_gone(struct dbus_frontend *frontend, const char *peer)
{
    relay_free(vb_hashmap_remove(frontend->relays, peer));
}

void dbus_signal_relay_free_all(struct dbus_frontend *frontend)
{
    vb_hashmap_free_with(frontend->relays, relay_free_void);
    frontend->relays = NULL;
}
