/* Building the policy requests of a D-Bus call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus/authorize_requests.h"
#include "dbus/object_calls.h"
#include "dbus/operation_map.h"
#include "dbus/paths.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

static const char *strna(const char *s)
{
    return s ? s : "n/a";
}

/* --- reading arguments without consuming them ---------------------------------------------- */

static int skip_args(sd_bus_message *m, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        const char *contents = NULL;
        char type, signature[256];
        int r = sd_bus_message_peek_type(m, &type, &contents);

        if (r <= 0)
            return r < 0 ? r : -ENXIO;
        if (!contents)
            snprintf(signature, sizeof(signature), "%c", type);
        else if (type == 'a')
            snprintf(signature, sizeof(signature), "a%s", contents);
        else if (type == 'r')
            snprintf(signature, sizeof(signature), "(%s)", contents);
        else
            snprintf(signature, sizeof(signature), "%c", type);
        r = sd_bus_message_skip(m, signature);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Reads argument index of basic type `type` into value; the message is rewound afterwards. */
static int peek_arg(sd_bus_message *m, unsigned int index, char type, void *value)
{
    char actual;
    int r;

    sd_bus_message_rewind(m, true);
    r = skip_args(m, index);
    if (r >= 0)
        r = sd_bus_message_peek_type(m, &actual, NULL);
    if (r == 0 || (r > 0 && actual != type))
        r = -EINVAL;
    if (r > 0)
        r = sd_bus_message_read_basic(m, type, value);
    sd_bus_message_rewind(m, true);
    return r < 0 ? r : 0;
}

/* --- which object -------------------------------------------------------------------------- */

static bool is_below(const char *path, const char *prefix)
{
    size_t len = strlen(prefix);

    return strncmp(path, prefix, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

struct dbus_connect *dbus_connect_for_path(const struct dbus_frontend *frontend, const char *path)
{
    for (size_t i = 0; path && i < frontend->n_connects; i++)
        if (is_below(path, frontend->connects[i].path))
            return &frontend->connects[i];
    return NULL;
}

/* The domain UUID a domain or snapshot path names; -EINVAL when it names none. */
static int uuid_of_path(const struct dbus_connect *dc, enum dbus_object_source source, const char *path,
                        unsigned char uuid[VB_UUID_LEN])
{
    if (source == DBUS_OBJECT_DOMAIN_PATH)
        return dbus_domain_uuid_from_path(dc->domain_prefix, path, uuid);
    return dbus_snapshot_uuid_from_path(dc->snapshot_prefix, path, uuid);
}

/* The object a network, pool, volume, node device or interface path names, into req. Returns
 * 0, or -EINVAL when the path names none. */
static int object_of_path(struct dbus_requests *reqs, struct policy_request *req, struct dbus_connect *dc,
                          const char *path)
{
    for (int k = 0; k < DBUS_KIND_COUNT; k++) {
        const struct dbus_object *o;

        if (!is_below(path, dc->object_prefix[k]) || !(o = dbus_object_from_path(dc, (enum dbus_kind) k, path)))
            continue;
        req->object = dbus_kind_policy_object((enum dbus_kind) k);
        if (k == DBUS_KIND_NETWORK || k == DBUS_KIND_POOL) {
            memcpy(reqs->uuids[reqs->n], o->uuid, VB_UUID_LEN);
            req->ref = POLICY_REF_UUID;
            req->uuid = reqs->uuids[reqs->n];
            return 0;
        }
        /* Decoded once per call: every request of it names the same path. */
        if (!reqs->object_name && !(reqs->object_name = strdup(o->name)))
            return -ENOMEM;
        req->ref = k == DBUS_KIND_VOL ? POLICY_REF_KEY : POLICY_REF_NAME;
        req->name = reqs->object_name;
        return 0;
    }
    return -EINVAL;
}

/* Argument 0 of a lookup names an object (a volume by name: in the pool the path names). */
static int object_of_arg(struct dbus_requests *reqs, struct policy_request *req, sd_bus_message *m,
                         const struct dbus_operation *op, struct dbus_connect *dc)
{
    const char *text = NULL;

    if (peek_arg(m, 0, 's', &text) < 0)
        return -EINVAL;
    if (op->arg_object == POLICY_OBJECT_STORAGE_VOL && op->arg_ref == POLICY_REF_NAME) {
        int r = object_of_path(reqs, req, dc, sd_bus_message_get_path(m));

        if (r < 0 || req->object != POLICY_OBJECT_STORAGE_POOL)
            return r < 0 ? r : -EINVAL;
    } else if (op->arg_ref == POLICY_REF_WWN) {
        if (peek_arg(m, 1, 's', &req->wwpn) < 0)
            return -EINVAL;
    } else if (op->arg_ref == POLICY_REF_UUID) {
        if (vb_uuid_parse(text, reqs->uuids[reqs->n]) < 0)
            return -EINVAL;
        req->uuid = reqs->uuids[reqs->n];
    }
    req->object = op->arg_object;
    req->ref = op->arg_ref;
    req->name = text;
    return 0;
}

void dbus_requests_clear(struct dbus_requests *reqs)
{
    free(reqs->object_name);
    reqs->object_name = NULL;
    reqs->n = 0;
}

/* One request for op on connection dc, its object taken from source. Returns 1 when added, 0
 * when the call names no object this connection has (sd-bus or the handler answers for it). */
static int add_request(struct dbus_requests *reqs, sd_bus_message *m, const struct dbus_operation *op,
                       struct dbus_connect *dc)
{
    const char *path = sd_bus_message_get_path(m);
    struct policy_request *req;
    uint32_t flags = 0;
    const char *text = NULL;
    int32_t id = 0;
    int r;

    if (reqs->n == DBUS_MAX_REQUESTS)
        return -E2BIG;
    req = &reqs->items[reqs->n];
    *req = (struct policy_request){ .op = op->op, .conn = dc->conn, .ref = POLICY_REF_CONNECTION };
    switch (op->object) {
    case DBUS_OBJECT_OBJECT_PATH:
        r = object_of_path(reqs, req, dc, path);
        if (r < 0)
            return r == -ENOMEM ? r : 0;
        if (op->xml_arg >= 0 && peek_arg(m, (unsigned int) op->xml_arg, 's', &text) >= 0)
            req->xml = text; /* a volume to create: its name */
        break;
    case DBUS_OBJECT_ARG_OBJECT:
        r = object_of_arg(reqs, req, m, op, dc);
        if (r < 0)
            return r == -ENOMEM ? r : 0;
        break;
    case DBUS_OBJECT_NONE:
    case DBUS_OBJECT_CONNECT:
    case DBUS_OBJECT_PATH_SUBTREE:
    case DBUS_OBJECT_ALL_CONNECTS:
        break;
    case DBUS_OBJECT_DOMAIN_PATH:
    case DBUS_OBJECT_SNAPSHOT_PATH:
        if (uuid_of_path(dc, op->object, path, reqs->uuids[reqs->n]) < 0)
            return 0;
        req->ref = POLICY_REF_UUID;
        req->uuid = reqs->uuids[reqs->n];
        break;
    case DBUS_OBJECT_ARG_NAME:
        if (peek_arg(m, 0, 's', &text) < 0)
            return 0;
        req->ref = POLICY_REF_NAME;
        req->name = text;
        break;
    case DBUS_OBJECT_ARG_UUID:
        if (peek_arg(m, 0, 's', &text) < 0 || vb_uuid_parse(text, reqs->uuids[reqs->n]) < 0)
            return 0;
        req->ref = POLICY_REF_UUID;
        req->uuid = reqs->uuids[reqs->n];
        break;
    case DBUS_OBJECT_ARG_ID:
        if (peek_arg(m, 0, 'i', &id) < 0)
            return 0;
        req->ref = POLICY_REF_ID;
        req->id = id;
        break;
    case DBUS_OBJECT_ARG_XML:
        (void) peek_arg(m, (unsigned int) op->xml_arg, 's', &text);
        req->ref = POLICY_REF_XML;
        req->xml = text;
        req->object = op->arg_object; /* a network or pool definition; domains: the connection */
        break;
    }
    /* A flags argument that cannot be read is taken as all bits set: check more, not less. */
    if (op->flags_arg >= 0 && peek_arg(m, (unsigned int) op->flags_arg, 'u', &flags) < 0)
        flags = ~0u;
    req->flags = flags;
    reqs->n++;
    return 1;
}

/* What a path of dc is: the Connect object, a network/pool/volume/node device/interface (*served
 * the interface it has), or else a domain. */
static enum dbus_object_source source_of_path(const struct dbus_connect *dc, const char *path, const char **served)
{
    if (streq(path, dc->path))
        return DBUS_OBJECT_CONNECT;
    for (int k = 0; k < DBUS_KIND_COUNT; k++)
        if (is_below(path, dc->object_prefix[k])) {
            *served = dbus_kind_interface((enum dbus_kind) k);
            return DBUS_OBJECT_OBJECT_PATH;
        }
    return DBUS_OBJECT_DOMAIN_PATH;
}

/* Properties.Get/Set/GetAll: the property operations (GetAll: of the interfaces this path has). */
static int property_requests(const struct dbus_frontend *frontend, sd_bus_message *m, const char *member,
                             struct dbus_requests *reqs)
{
    const struct dbus_operation *ops[DBUS_MAX_REQUESTS];
    const char *interface = NULL, *property = NULL, *path = sd_bus_message_get_path(m);
    struct dbus_connect *dc = dbus_connect_for_path(frontend, path);
    enum dbus_object_source here;
    const char *served = NULL;
    size_t n = 0;
    int r = 0;

    if (peek_arg(m, 0, 's', &interface) < 0)
        return -ENOENT;
    if (streq(member, "GetAll"))
        n = dbus_operations_for_get_all(interface, ops, DBUS_MAX_REQUESTS);
    else if ((streq(member, "Get") || streq(member, "Set")) && peek_arg(m, 1, 's', &property) >= 0 &&
             (ops[0] = dbus_operation_for_property(interface, property, streq(member, "Set"))))
        n = 1;
    if (n == 0)
        return -ENOENT;
    if (!dc)
        return 0;
    here = source_of_path(dc, path, &served);
    for (size_t i = 0; r >= 0 && i < n; i++)
        if (ops[i]->object == here && (!served || streq(ops[i]->interface, served))) /* GetAll(""): this path's */
            r = add_request(reqs, m, ops[i], dc);
    return r < 0 ? r : 0;
}

static int deny_unknown(sd_bus_message *m, sd_bus_error *error)
{
    sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "access denied by policy: no authorization rule for %s.%s",
                      strna(sd_bus_message_get_interface(m)), strna(sd_bus_message_get_member(m)));
    return -EACCES;
}

int dbus_requests_build(const struct dbus_frontend *frontend, sd_bus_message *m, struct dbus_requests *reqs,
                        sd_bus_error *error)
{
    const char *interface = sd_bus_message_get_interface(m), *member = sd_bus_message_get_member(m);
    const struct dbus_operation *op;
    struct dbus_connect *dc;
    int r = 0;

    reqs->n = 0;
    if (!interface || !member)
        return deny_unknown(m, error);
    if (streq(interface, PROPERTIES_INTERFACE)) {
        r = property_requests(frontend, m, member, reqs);
        return r == -ENOENT ? deny_unknown(m, error) : r;
    }
    op = dbus_operation_for_method(interface, member);
    if (!op)
        return deny_unknown(m, error);
    if (op->object == DBUS_OBJECT_NONE)
        return 0;
    if (op->object == DBUS_OBJECT_ALL_CONNECTS) {
        for (size_t i = 0; r >= 0 && i < frontend->n_connects; i++)
            r = add_request(reqs, m, op, &frontend->connects[i]);
        return r < 0 ? r : 0;
    }
    dc = dbus_connect_for_path(frontend, sd_bus_message_get_path(m));
    if (!dc)
        return 0; /* not ours: sd-bus answers UnknownObject */
    r = add_request(reqs, m, op, dc);
    return r < 0 ? r : 0;
}
