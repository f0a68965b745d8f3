/* QMF _method_request: one row per method, each reading its arguments, naming its operation
 * for policy, calling one core function and writing its output arguments. */
#include <stdlib.h>
#include <string.h>

#include "api/checks.h"
#include "api/domain.h"
#include "api/objects.h"
#include "bus/amqp_value.h"
#include "bus/qmf.h"
#include "bus/qmf_objects.h"
#include "bus/qmf_schema.h"

struct method_args {
    char *xml_desc, *filename;
    uint64_t number; /* nvcpus, memory */
    uint32_t flags;
};

/* What a method is called on. */
enum method_target { TARGET_NODE, TARGET_DOMAIN, TARGET_POOL, TARGET_VOLUME, TARGET_NETWORK };

struct method_state {
    const struct method_row *row;
    enum method_target target;
    unsigned char uuid[VB_UUID_LEN]; /* domain, pool, network */
    char *key;                       /* volume */
    struct vb_object_ref volume;     /* createVolumeXML */
    struct method_args args;
    char *description;           /* getXMLDesc */
    struct vb_domain_ref created; /* domainDefineXML, domainCreateXML */
};

struct method_row {
    const char *class_name, *name;
    enum vb_operation op;
    int (*call)(struct vb_connect *conn, struct vb_call *call, struct method_state *st);
};

static int call_create(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_create(c, call, st->uuid, st->args.flags);
}
static int call_destroy(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_destroy(c, call, st->uuid, st->args.flags);
}
static int call_shutdown(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_shutdown(c, call, st->uuid, st->args.flags);
}
static int call_reboot(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_reboot(c, call, st->uuid, st->args.flags);
}
static int call_reset(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_reset(c, call, st->uuid, st->args.flags);
}
static int call_suspend(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_suspend(c, call, st->uuid);
}
static int call_resume(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_resume(c, call, st->uuid);
}
static int call_undefine(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_undefine(c, call, st->uuid, st->args.flags);
}
static int call_get_xml_desc(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_get_xml_desc(c, call, st->uuid, st->args.flags, &st->description);
}
static int call_save(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_save(c, call, st->uuid, st->args.filename, NULL, st->args.flags);
}
static int call_managed_save(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_managed_save(c, call, st->uuid, st->args.flags);
}
static int call_set_vcpus(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    if (st->args.number > UINT32_MAX)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "nvcpus %llu is out of range",
                            (unsigned long long) st->args.number);
    return vb_domain_set_vcpus(c, call, st->uuid, (unsigned int) st->args.number, st->args.flags);
}
static int call_set_memory(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_set_memory(c, call, st->uuid, st->args.number, st->args.flags);
}
static int call_attach_device(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_attach_device(c, call, st->uuid, st->args.xml_desc, st->args.flags);
}
static int call_detach_device(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_detach_device(c, call, st->uuid, st->args.xml_desc, st->args.flags);
}
static int call_define_xml(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_define_xml(c, call, st->args.xml_desc, st->args.flags, &st->created);
}
static int call_create_xml(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_domain_create_xml(c, call, st->args.xml_desc, st->args.flags, &st->created);
}

static int call_pool_create(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_pool_create(c, call, st->uuid, st->args.flags);
}
static int call_pool_destroy(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_pool_destroy(c, call, st->uuid);
}
static int call_pool_refresh(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_pool_refresh(c, call, st->uuid, st->args.flags);
}
static int call_pool_create_volume(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_vol_create_xml(c, call, st->uuid, st->args.xml_desc, st->args.flags, &st->volume);
}
static int call_pool_get_xml_desc(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_pool_get_xml_desc(c, call, st->uuid, st->args.flags, &st->description);
}
static int call_volume_delete(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_vol_delete(c, call, st->key, st->args.flags);
}
static int call_volume_get_xml_desc(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_vol_get_xml_desc(c, call, st->key, st->args.flags, &st->description);
}
static int call_network_create(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_network_create(c, call, st->uuid);
}
static int call_network_destroy(struct vb_connect *c, struct vb_call *call, struct method_state *st)
{
    return vb_network_destroy(c, call, st->uuid);
}

static const struct method_row methods[] = {
    { "Node", "domainDefineXML", VB_OP_DOMAIN_DEFINE_XML, call_define_xml },
    { "Node", "domainCreateXML", VB_OP_DOMAIN_CREATE_XML, call_create_xml },
    { "Domain", "create", VB_OP_DOMAIN_CREATE, call_create },
    { "Domain", "destroy", VB_OP_DOMAIN_DESTROY, call_destroy },
    { "Domain", "shutdown", VB_OP_DOMAIN_SHUTDOWN, call_shutdown },
    { "Domain", "reboot", VB_OP_DOMAIN_REBOOT, call_reboot },
    { "Domain", "reset", VB_OP_DOMAIN_RESET, call_reset },
    { "Domain", "suspend", VB_OP_DOMAIN_SUSPEND, call_suspend },
    { "Domain", "resume", VB_OP_DOMAIN_RESUME, call_resume },
    { "Domain", "undefine", VB_OP_DOMAIN_UNDEFINE, call_undefine },
    { "Domain", "getXMLDesc", VB_OP_DOMAIN_GET_XML_DESC, call_get_xml_desc },
    { "Domain", "save", VB_OP_DOMAIN_SAVE, call_save },
    { "Domain", "managedSave", VB_OP_DOMAIN_MANAGED_SAVE, call_managed_save },
    { "Domain", "setVcpus", VB_OP_DOMAIN_SET_VCPUS, call_set_vcpus },
    { "Domain", "setMemory", VB_OP_DOMAIN_SET_MEMORY, call_set_memory },
    { "Domain", "attachDevice", VB_OP_DOMAIN_ATTACH_DEVICE, call_attach_device },
    { "Domain", "detachDevice", VB_OP_DOMAIN_DETACH_DEVICE, call_detach_device },
    { "Pool", "create", VB_OP_STORAGE_POOL_CREATE, call_pool_create },
    { "Pool", "destroy", VB_OP_STORAGE_POOL_DESTROY, call_pool_destroy },
    { "Pool", "refresh", VB_OP_STORAGE_POOL_REFRESH, call_pool_refresh },
    { "Pool", "createVolumeXML", VB_OP_STORAGE_VOL_CREATE_XML, call_pool_create_volume },
    { "Pool", "getXMLDesc", VB_OP_STORAGE_POOL_GET_XML_DESC, call_pool_get_xml_desc },
    { "Volume", "delete", VB_OP_STORAGE_VOL_DELETE, call_volume_delete },
    { "Volume", "getXMLDesc", VB_OP_STORAGE_VOL_GET_XML_DESC, call_volume_get_xml_desc },
    { "Network", "create", VB_OP_NETWORK_CREATE, call_network_create },
    { "Network", "destroy", VB_OP_NETWORK_DESTROY, call_network_destroy },
};

static void state_free(void *data)
{
    struct method_state *st = data;

    if (!st)
        return;
    free(st->args.xml_desc);
    free(st->args.filename);
    free(st->description);
    free(st->key);
    vb_object_ref_clear(&st->volume);
    vb_domain_ref_clear(&st->created);
    free(st);
}

static const struct method_row *find_row(const char *class_name, const char *name)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].class_name, class_name) == 0 && strcmp(methods[i].name, name) == 0)
            return &methods[i];
    return NULL;
}

/* One input argument, checked against its schema type. */
static int read_argument(struct bus_request *req, struct method_state *st, const struct qmf_argument *a)
{
    uint64_t u;

    if (strcmp(a->type, "TYPE_STRING") == 0) {
        char *s = bus_value_dup_string(req->body);
        if (!s) {
            bus_request_failf(req, VB_ERR_INVALID_ARG, "argument '%s' must be a string", a->name);
            return -1;
        }
        if (strlen(s) > VB_STRING_MAX) {
            free(s);
            bus_request_failf(req, VB_ERR_INVALID_ARG, "argument '%s' is longer than %d bytes", a->name,
                              VB_STRING_MAX);
            return -1;
        }
        free(strcmp(a->name, "filename") == 0 ? st->args.filename : st->args.xml_desc);
        *(strcmp(a->name, "filename") == 0 ? &st->args.filename : &st->args.xml_desc) = s;
        return 0;
    }
    if (!bus_value_get_uint64(req->body, &u) || (strcmp(a->type, "TYPE_UINT32") == 0 && u > UINT32_MAX)) {
        bus_request_failf(req, VB_ERR_INVALID_ARG, "argument '%s' must be an unsigned %s integer", a->name,
                          strcmp(a->type, "TYPE_UINT32") == 0 ? "32-bit" : "64-bit");
        return -1;
    }
    if (strcmp(a->name, "flags") == 0)
        st->args.flags = (uint32_t) u;
    else
        st->args.number = u;
    return 0;
}

static const struct qmf_argument *schema_argument(const struct qmf_method_schema *m, const char *name)
{
    for (const struct qmf_argument *a = m->arguments; a->name; a++)
        if (strcmp(a->name, name) == 0 && strchr(a->dir, 'I'))
            return a;
    return NULL;
}

/* _arguments: every key must be an input argument of the method; all but flags are required. */
static int read_arguments(struct bus_request *req, struct method_state *st, const struct qmf_method_schema *m)
{
    bool seen[QMF_MAX_ARGUMENTS] = { false };

    if (bus_map_find(req->body, "_arguments")) {
        if (pn_data_type(req->body) != PN_MAP) {
            pn_data_exit(req->body);
            bus_request_failf(req, VB_ERR_INVALID_ARG, "%s", "_arguments must be a map");
            return -1;
        }
        pn_data_enter(req->body);
        while (pn_data_next(req->body)) {
            char *key = bus_value_dup_string(req->body);
            const struct qmf_argument *a = key ? schema_argument(m, key) : NULL;
            int r;
            if (!a || !pn_data_next(req->body)) {
                bus_request_failf(req, VB_ERR_INVALID_ARG, "method '%s' has no input argument '%s'", m->name,
                                  key ? key : "(not a string)");
                free(key);
                return -1;
            }
            free(key);
            seen[a - m->arguments] = true;
            r = read_argument(req, st, a);
            if (r < 0)
                return -1;
        }
        pn_data_exit(req->body);
        pn_data_exit(req->body);
    }
    for (const struct qmf_argument *a = m->arguments; a->name; a++)
        if (strchr(a->dir, 'I') && strcmp(a->name, "flags") != 0 && !seen[a - m->arguments]) {
            bus_request_failf(req, VB_ERR_INVALID_ARG, "method '%s' needs argument '%s'", m->name, a->name);
            return -1;
        }
    return 0;
}

/* An object name with a UUID after prefix: 1 and uuid set when name is one. */
static int uuid_named(const char *name, const char *prefix, unsigned char uuid[VB_UUID_LEN])
{
    size_t len = strlen(prefix);

    return strncmp(name, prefix, len) == 0 && vb_uuid_parse(name + len, uuid) == 0;
}

/* _object_id {_object_name}: "node", "domain:<uuid>", "pool:<uuid>", "volume:<key>" or
 * "network:<uuid>". */
static const char *resolve_object(struct bus_request *req, struct method_state *st)
{
    char *name = NULL;
    const char *class_name = NULL;

    if (bus_map_find(req->body, "_object_id")) {
        if (bus_map_find(req->body, "_object_name")) {
            name = bus_value_dup_string(req->body);
            pn_data_exit(req->body);
        }
        pn_data_exit(req->body);
    }
    if (!name)
        bus_request_failf(req, VB_ERR_INVALID_ARG, "%s", "_method_request needs _object_id {_object_name}");
    else if (strcmp(name, BUS_QMF_NODE_OBJECT) == 0)
        class_name = "Node", st->target = TARGET_NODE;
    else if (uuid_named(name, BUS_QMF_DOMAIN_PREFIX, st->uuid))
        class_name = "Domain", st->target = TARGET_DOMAIN;
    else if (uuid_named(name, BUS_QMF_POOL_PREFIX, st->uuid))
        class_name = "Pool", st->target = TARGET_POOL;
    else if (uuid_named(name, BUS_QMF_NETWORK_PREFIX, st->uuid))
        class_name = "Network", st->target = TARGET_NETWORK;
    else if (strncmp(name, BUS_QMF_VOLUME_PREFIX, strlen(BUS_QMF_VOLUME_PREFIX)) == 0 &&
             (st->key = strdup(name + strlen(BUS_QMF_VOLUME_PREFIX))))
        class_name = "Volume", st->target = TARGET_VOLUME;
    else
        bus_request_failf(req, VB_ERR_INVALID_ARG,
                          "no object named '%s' (objects: node, domain:<uuid>, pool:<uuid>, volume:<key>, "
                          "network:<uuid>)", name);
    free(name);
    return class_name;
}

static struct method_state *parse_method(struct bus_request *req)
{
    struct method_state *st = calloc(1, sizeof(*st));
    const struct qmf_method_schema *schema;
    const char *class_name;
    char *method = NULL;

    pn_data_rewind(req->body);
    if (!st || !pn_data_next(req->body) || pn_data_type(req->body) != PN_MAP) {
        bus_request_failf(req, VB_ERR_INVALID_ARG, "%s", "_method_request: the body must be a map");
        goto fail;
    }
    class_name = resolve_object(req, st);
    if (!class_name)
        goto fail;
    if (bus_map_find(req->body, "_method_name")) {
        method = bus_value_dup_string(req->body);
        pn_data_exit(req->body);
    }
    st->row = method ? find_row(class_name, method) : NULL;
    if (!st->row) {
        bus_request_failf(req, VB_ERR_NO_SUPPORT, "class %s has no method '%s'", class_name,
                          method ? method : "(missing _method_name)");
        goto fail;
    }
    schema = bus_qmf_method_find(bus_qmf_class_find(class_name), method);
    if (!schema || read_arguments(req, st, schema) < 0)
        goto fail;
    free(method);
    return st;
fail:
    free(method);
    state_free(st);
    return NULL;
}

static void put_outputs(struct bus_request *req, struct method_state *st, pn_data_t *body)
{
    bus_put_map(body, "_arguments");
    if (st->description)
        bus_put_string(body, "description", st->description);
    if (st->row->op == VB_OP_STORAGE_VOL_CREATE_XML) {
        _cleanup_free_ char *volume = bus_qmf_volume_object_name(st->volume.key);

        bus_put_object_id(body, "volume", volume ? volume : "", req->agent->name);
    }
    if (st->row->op == VB_OP_DOMAIN_DEFINE_XML || st->row->op == VB_OP_DOMAIN_CREATE_XML) {
        char object_name[BUS_QMF_OBJECT_NAME_MAX];
        bus_qmf_domain_object_name(st->created.uuid, object_name);
        bus_put_object_id(body, "domain", object_name, req->agent->name);
    }
    pn_data_exit(body);
}

static void answer_method(struct bus_request *req)
{
    struct method_state *st = req->data;
    pn_message_t *reply;
    pn_data_t *body;

    if (req->call.result < 0) {
        bus_request_fail(req, &req->call.err);
        return;
    }
    reply = bus_request_new_reply(req, "_method_response", NULL);
    if (!reply)
        return;
    body = pn_message_body(reply);
    pn_data_put_map(body);
    pn_data_enter(body);
    put_outputs(req, st, body);
    pn_data_exit(body);
    bus_request_send(req, reply);
}

/* An object the method is called on must exist, whoever asks: libvirt's lookup answers first. */
static int lookup_target(struct bus_request *req, struct method_state *st, struct vb_error *err)
{
    struct vb_connect *conn = req->agent->conn;
    struct vb_domain_ref domain = { 0 };
    struct vb_object_ref ref = { 0 };
    int r = 0;

    switch (st->target) {
    case TARGET_NODE:
        return 0;
    case TARGET_DOMAIN:
        r = vb_domain_lookup_by_uuid(conn, st->uuid, &domain, err);
        break;
    case TARGET_POOL:
        r = vb_pool_lookup_by_uuid(conn, st->uuid, &ref, err);
        break;
    case TARGET_VOLUME:
        r = vb_vol_lookup_by_key(conn, st->key, &ref, err);
        break;
    case TARGET_NETWORK:
        r = vb_network_lookup_by_uuid(conn, st->uuid, &ref, err);
        break;
    }
    vb_domain_ref_clear(&domain);
    vb_object_ref_clear(&ref);
    return r;
}

static int method_step(struct bus_request *req)
{
    struct method_state *st = req->data;
    struct vb_error err = VB_ERROR_INIT;
    struct policy_request preq = { .op = st->row->op, .conn = req->agent->conn, .flags = st->args.flags,
                                   .ref = POLICY_REF_CONNECTION };
    int r;

    if (lookup_target(req, st, &err) < 0) {
        bus_request_fail(req, &err);
        vb_error_clear(&err);
        return 0;
    }
    /* The object the method is called on, so polkit sees its identity (domain_name, pool_name,
     * vol_key, network_name, ...) as on D-Bus. */
    if (st->target == TARGET_DOMAIN || st->target == TARGET_POOL || st->target == TARGET_NETWORK) {
        preq.ref = POLICY_REF_UUID;
        preq.uuid = st->uuid;
        preq.object = st->target == TARGET_POOL      ? POLICY_OBJECT_STORAGE_POOL
                      : st->target == TARGET_NETWORK ? POLICY_OBJECT_NETWORK
                                                     : POLICY_OBJECT_CONNECT; /* a domain */
        if (st->row->op == VB_OP_STORAGE_VOL_CREATE_XML)
            preq.xml = st->args.xml_desc; /* the new volume's name */
    } else if (st->target == TARGET_VOLUME) {
        preq.ref = POLICY_REF_KEY;
        preq.name = st->key;
        preq.object = POLICY_OBJECT_STORAGE_VOL;
    } else if (st->target == TARGET_NODE) {
        preq.ref = POLICY_REF_XML;
        preq.xml = st->args.xml_desc;
    }
    r = bus_request_authorize_all(req, &preq, 1);
    if (r != 0)
        return r == VB_PENDING ? VB_PENDING : 0;
    bus_request_call(req, answer_method);
    return bus_request_after_call(req, st->row->call(req->agent->conn, &req->call, st));
}

void bus_qmf_method(struct bus_request *req)
{
    struct method_state *st = parse_method(req);

    if (!st) {
        bus_request_free(req);
        return;
    }
    req->data = st;
    req->free_data = state_free;
    req->step = method_step;
    bus_request_run(req);
}
