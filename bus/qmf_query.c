/* QMF _query_request: schema ids, schemas, object ids and objects, filtered by class, object
 * id and predicate, and for a user principal by what policy lets them see. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "api/objects.h"
#include "bus/amqp_value.h"
#include "bus/qmf.h"
#include "bus/qmf_objects.h"
#include "bus/qmf_schema.h"

enum query_what { QUERY_SCHEMA_ID, QUERY_SCHEMA, QUERY_OBJECT_ID, QUERY_OBJECT };

struct query {
    enum query_what what;
    const struct qmf_class *cls; /* NULL: every class */
    char *object_name;           /* NULL: every object */
    pn_data_t *where;            /* NULL: no predicate */
    bool want_node, want_domains, want_pools, want_volumes, want_networks;
    struct vb_node_info node;
};

static void query_free(void *data)
{
    struct query *q = data;

    if (!q)
        return;
    free(q->object_name);
    if (q->where)
        pn_data_free(q->where);
    free(q);
}

static int parse_what(struct bus_request *req, struct query *q)
{
    static const char *const names[] = { "SCHEMA_ID", "SCHEMA", "OBJECT_ID", "OBJECT" };
    char *what = NULL;

    if (bus_map_find(req->body, "_what")) {
        what = bus_value_dup_string(req->body);
        pn_data_exit(req->body);
    }
    for (size_t i = 0; what && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(what, names[i]) == 0) {
            q->what = (enum query_what) i;
            free(what);
            return 0;
        }
    bus_request_failf(req, VB_ERR_INVALID_ARG, "_query_request: _what must be SCHEMA_ID, SCHEMA, OBJECT_ID or "
                                               "OBJECT, not '%s'", what ? what : "(missing)");
    free(what);
    return -1;
}

/* _schema_id: {_class_name[, _package_name]} narrows to one class. */
static int parse_schema_id(struct bus_request *req, struct query *q)
{
    char *package = NULL, *class_name = NULL;
    int r = 0;

    if (!bus_map_find(req->body, "_schema_id"))
        return 0;
    if (bus_map_find(req->body, "_package_name")) {
        package = bus_value_dup_string(req->body);
        pn_data_exit(req->body);
    }
    if (bus_map_find(req->body, "_class_name")) {
        class_name = bus_value_dup_string(req->body);
        pn_data_exit(req->body);
    }
    pn_data_exit(req->body);
    if (package && strcmp(package, BUS_QMF_PACKAGE) != 0) {
        bus_request_failf(req, VB_ERR_INVALID_ARG, "unknown schema package '%s' (this agent has %s)", package,
                          BUS_QMF_PACKAGE);
        r = -1;
    } else if (class_name && !(q->cls = bus_qmf_class_find(class_name))) {
        bus_request_failf(req, VB_ERR_INVALID_ARG, "unknown schema class '%s'", class_name);
        r = -1;
    }
    free(package);
    free(class_name);
    return r;
}

static int parse_object_and_where(struct bus_request *req, struct query *q)
{
    if (bus_map_find(req->body, "_object_id")) {
        if (bus_map_find(req->body, "_object_name")) {
            q->object_name = bus_value_dup_string(req->body);
            pn_data_exit(req->body);
        }
        pn_data_exit(req->body);
        if (!q->object_name) {
            bus_request_failf(req, VB_ERR_INVALID_ARG, "%s", "_object_id needs a string _object_name");
            return -1;
        }
    }
    if (bus_map_find(req->body, "_where")) {
        if (bus_value_depth(req->body, BUS_VALUE_MAX_DEPTH) > BUS_VALUE_MAX_DEPTH) {
            pn_data_exit(req->body);
            bus_request_failf(req, VB_ERR_INVALID_ARG, "_where nests deeper than %d levels", BUS_VALUE_MAX_DEPTH);
            return -1;
        }
        q->where = pn_data(0);
        if (q->where)
            bus_value_copy(q->where, req->body);
        pn_data_exit(req->body);
    }
    return 0;
}

static struct query *parse_query(struct bus_request *req)
{
    struct query *q = calloc(1, sizeof(*q));

    pn_data_rewind(req->body);
    if (!q) {
        bus_request_failf(req, VB_ERR_NO_MEMORY, "%s", "out of memory");
        return NULL;
    }
    if (!pn_data_next(req->body) || pn_data_type(req->body) != PN_MAP) {
        bus_request_failf(req, VB_ERR_INVALID_ARG, "%s", "_query_request: the body must be a map");
        query_free(q);
        return NULL;
    }
    if (parse_what(req, q) < 0 || parse_schema_id(req, q) < 0 || parse_object_and_where(req, q) < 0) {
        query_free(q);
        return NULL;
    }
    q->want_node = !q->cls || strcmp(q->cls->name, "Node") == 0;
    q->want_domains = !q->cls || strcmp(q->cls->name, "Domain") == 0;
    q->want_pools = !q->cls || strcmp(q->cls->name, "Pool") == 0;
    q->want_volumes = !q->cls || strcmp(q->cls->name, "Volume") == 0;
    q->want_networks = !q->cls || strcmp(q->cls->name, "Network") == 0;
    return q;
}

static void answer_schemas(struct bus_request *req, struct query *q)
{
    pn_data_t *list = pn_data(0);
    size_t n;
    const struct qmf_class *classes = bus_qmf_classes(&n);

    if (!list)
        return;
    pn_data_put_list(list);
    pn_data_enter(list);
    for (size_t i = 0; i < n; i++) {
        if (q->cls && q->cls != &classes[i])
            continue;
        if (q->what == QUERY_SCHEMA_ID)
            bus_qmf_put_schema_id(list, classes[i].name);
        else
            bus_qmf_put_schema(list, &classes[i]);
    }
    pn_data_exit(list);
    bus_request_send_list(req, "_query_response", q->what == QUERY_SCHEMA_ID ? "_schema_id" : "_schema", list);
    pn_data_free(list);
}

/* pn_data holds at most 65535 nodes (a uint16_t count) and silently drops what goes past: an
 * answer is sent in parts of at most this many nodes, with room left for the list itself. */
#define ANSWER_PART_NODES 30000

static const char *objects_content(const struct query *q)
{
    return q->what == QUERY_OBJECT_ID ? "_object_id" : "_data";
}

/* Sends what list holds as a partial answer and starts it again empty; list is entered. */
static void send_part(struct bus_request *req, struct query *q, pn_data_t *list)
{
    pn_data_exit(list);
    bus_request_send_list_part(req, "_query_response", objects_content(q), list, false);
    pn_data_clear(list);
    pn_data_put_list(list);
    pn_data_enter(list);
}

/* Makes room in list for an object of nodes nodes; -1 (answered _exception) if none can fit. */
static int make_room(struct bus_request *req, struct query *q, pn_data_t *list, size_t nodes)
{
    if (nodes >= ANSWER_PART_NODES) {
        bus_request_failf(req, VB_ERR_INTERNAL_ERROR, "a QMF object of %zu AMQP values is too large to answer",
                          nodes);
        return -1;
    }
    if (pn_data_size(list) + nodes > ANSWER_PART_NODES)
        send_part(req, q, list);
    return 0;
}

/* Moves the object just built in scratch into list if it passes the query's filters. */
static int keep_if_selected(struct bus_request *req, struct query *q, pn_data_t *scratch, pn_data_t *list,
                            const char *object_name)
{
    int match = 1;

    if (q->object_name && strcmp(q->object_name, object_name) != 0)
        return 0;
    pn_data_rewind(scratch);
    pn_data_next(scratch);
    if (q->where) {
        char err[256];
        pn_data_rewind(q->where);
        pn_data_next(q->where);
        bus_map_find(scratch, "_values");
        match = bus_qmf_where(q->where, scratch, err, sizeof(err));
        if (match < 0) {
            bus_request_failf(req, VB_ERR_INVALID_ARG, "_where: %s", err);
            return -1;
        }
        pn_data_rewind(scratch);
        pn_data_next(scratch);
    }
    if (!match)
        return 0;
    if (make_room(req, q, list, pn_data_size(scratch)) < 0)
        return -1;
    if (q->what == QUERY_OBJECT_ID)
        bus_map_find(scratch, "_object_id");
    bus_value_copy(list, scratch);
    return 0;
}

/* The one domain a query for object "domain:<uuid>" can select, looked up by its uuid rather than
 * listing every domain; none when the name is no domain's or the domain is not there. */
static int named_domain_ref(struct bus_request *req, const char *object_name, struct vb_domain_ref **refs,
                            size_t *n)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_info info = { 0 };
    unsigned char uuid[VB_UUID_LEN];

    *refs = NULL;
    *n = 0;
    if (strncmp(object_name, "domain:", 7) != 0 || vb_uuid_parse(object_name + 7, uuid) < 0)
        return 0;
    if (vb_domain_get_info(req->agent->conn, uuid, &info, &err) < 0) {
        vb_error_clear(&err); /* no such domain: an empty answer, as when listing */
        return 0;
    }
    *refs = calloc(1, sizeof(**refs));
    if (*refs && (!info.name || ((*refs)->name = strdup(info.name)))) {
        memcpy((*refs)->uuid, info.uuid, VB_UUID_LEN);
        (*refs)->id = info.id;
        *n = 1;
    }
    vb_domain_info_clear(&info);
    if (*n == 1)
        return 0;
    free(*refs);
    *refs = NULL;
    vb_error_set(&err, VB_ERR_NO_MEMORY, NULL);
    bus_request_fail(req, &err);
    vb_error_clear(&err);
    return -1;
}

static int add_domains(struct bus_request *req, struct query *q, pn_data_t *list)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    size_t n = 0;
    int r = 0;

    if (q->object_name) {
        if (named_domain_ref(req, q->object_name, &refs, &n) < 0)
            return -1;
    } else if (vb_domain_list(req->agent->conn, 0, &refs, &n, &err) < 0) {
        bus_request_fail(req, &err);
        vb_error_clear(&err);
        return -1;
    }
    if (bus_request_check(req))
        policy_check_filter_domains(req->check, VB_OP_CONNECT_LIST_ALL_DOMAINS, req->agent->conn, refs, &n);
    for (size_t i = 0; i < n && r == 0; i++) {
        struct vb_domain_info info = { 0 };
        char object_name[BUS_QMF_OBJECT_NAME_MAX];
        pn_data_t *scratch;
        if (vb_domain_get_info(req->agent->conn, refs[i].uuid, &info, &err) < 0) {
            vb_error_clear(&err); /* undefined meanwhile */
            continue;
        }
        bus_qmf_domain_object_name(info.uuid, object_name);
        scratch = pn_data(0);
        if (scratch) {
            bus_qmf_put_domain(req->agent, scratch, &info);
            r = keep_if_selected(req, q, scratch, list, object_name);
            pn_data_free(scratch);
        }
        vb_domain_info_clear(&info);
    }
    vb_domain_refs_free(refs, n);
    return r;
}

/* --- pools, volumes, networks ------------------------------------------------------------------ */

typedef void (*put_ref_fn)(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *ref);

static char *ref_object_name(put_ref_fn put, const struct vb_object_ref *ref)
{
    if (put == bus_qmf_put_volume)
        return bus_qmf_volume_object_name(ref->key);
    return put == bus_qmf_put_pool ? bus_qmf_pool_object_name(ref->uuid) : bus_qmf_network_object_name(ref->uuid);
}

/* The operation whose list filter says which of these objects a principal sees. */
static enum vb_operation ref_list_operation(put_ref_fn put)
{
    if (put == bus_qmf_put_volume)
        return VB_OP_STORAGE_POOL_LIST_ALL_VOLUMES;
    return put == bus_qmf_put_pool ? VB_OP_CONNECT_LIST_ALL_STORAGE_POOLS : VB_OP_CONNECT_LIST_ALL_NETWORKS;
}

/* Adds the objects refs name that pass the query and that the principal may see; takes refs. */
static int add_refs(struct bus_request *req, struct query *q, pn_data_t *list, struct vb_object_ref *refs, size_t n,
                    put_ref_fn put)
{
    int r = 0;

    if (bus_request_check(req))
        policy_check_filter_objects(req->check, ref_list_operation(put), req->agent->conn, refs, &n);
    for (size_t i = 0; i < n && r == 0; i++) {
        char *object_name = ref_object_name(put, &refs[i]);
        pn_data_t *scratch = object_name ? pn_data(0) : NULL;

        if (scratch) {
            put(req->agent, scratch, &refs[i]);
            r = keep_if_selected(req, q, scratch, list, object_name);
            pn_data_free(scratch);
        }
        free(object_name);
    }
    vb_object_refs_free(refs, n);
    return r;
}

/* A driver without storage or networks has none of them: nothing to add, not an error. */
static int add_pools_and_volumes(struct bus_request *req, struct query *q, pn_data_t *list)
{
    struct vb_connect *conn = req->agent->conn;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *pools = NULL, *vols = NULL;
    size_t n_pools = 0, n_vols = 0;
    int r = 0;

    if (vb_pool_list(conn, 0, &pools, &n_pools, &err) < 0) {
        vb_error_clear(&err);
        return 0;
    }
    for (size_t i = 0; r == 0 && q->want_volumes && i < n_pools; i++) {
        if (!pools[i].active || vb_pool_list_volumes(conn, pools[i].uuid, 0, &vols, &n_vols, &err) < 0) {
            vb_error_clear(&err);
            continue;
        }
        r = add_refs(req, q, list, vols, n_vols, bus_qmf_put_volume);
    }
    if (q->want_pools && r == 0)
        return add_refs(req, q, list, pools, n_pools, bus_qmf_put_pool);
    vb_object_refs_free(pools, n_pools);
    return r;
}

static int add_networks(struct bus_request *req, struct query *q, pn_data_t *list)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *refs = NULL;
    size_t n = 0;

    if (vb_network_list(req->agent->conn, 0, &refs, &n, &err) < 0) {
        vb_error_clear(&err);
        return 0;
    }
    return add_refs(req, q, list, refs, n, bus_qmf_put_network);
}

static void answer_objects(struct bus_request *req)
{
    struct query *q = req->data;
    pn_data_t *list = pn_data(0), *scratch;
    int r = 0;

    if (!list)
        return;
    if (req->call.result < 0) {
        bus_request_fail(req, &req->call.err);
        pn_data_free(list);
        return;
    }
    pn_data_put_list(list);
    pn_data_enter(list);
    if (q->want_node && (scratch = pn_data(0))) {
        bus_qmf_put_node(req->agent, scratch, &q->node);
        r = keep_if_selected(req, q, scratch, list, BUS_QMF_NODE_OBJECT);
        pn_data_free(scratch);
    }
    if (r == 0 && q->want_domains)
        r = add_domains(req, q, list);
    if (r == 0 && (q->want_pools || q->want_volumes))
        r = add_pools_and_volumes(req, q, list);
    if (r == 0 && q->want_networks)
        r = add_networks(req, q, list);
    pn_data_exit(list);
    if (r == 0)
        bus_request_send_list(req, "_query_response", objects_content(q), list);
    pn_data_free(list);
}

/* Volumes are filtered one by one (storage_vol.getattr, with their pool's identity): the engine
 * is asked about each before the answer is made. 0, or VB_PENDING. */
static int ask_about_volumes(struct bus_request *req)
{
    struct vb_connect *conn = req->agent->conn;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_object_ref *pools = NULL, *vols = NULL;
    size_t n_pools = 0, n_vols = 0;
    int r = 0;

    if (!bus_request_check(req) || vb_pool_list(conn, 0, &pools, &n_pools, &err) < 0) {
        vb_error_clear(&err);
        return 0;
    }
    for (size_t i = 0; i < n_pools; i++) {
        if (!pools[i].active || vb_pool_list_volumes(conn, pools[i].uuid, 0, &vols, &n_vols, &err) < 0) {
            vb_error_clear(&err);
            continue;
        }
        if (bus_request_ask_listed(req, VB_OP_STORAGE_POOL_LIST_ALL_VOLUMES, vols, n_vols) == VB_PENDING)
            r = VB_PENDING;
        vb_object_refs_free(vols, n_vols);
    }
    vb_object_refs_free(pools, n_pools);
    return r;
}

/* Re-runnable: authorization may wait for polkit, node info for the driver. */
static int query_objects_step(struct bus_request *req)
{
    struct query *q = req->data;
    struct policy_request preqs[4];
    size_t n = 0;
    int r;

    if (q->want_node)
        preqs[n++] = (struct policy_request){ .op = VB_OP_NODE_GET_INFO, .conn = req->agent->conn,
                                              .ref = POLICY_REF_CONNECTION };
    if (q->want_domains)
        preqs[n++] = (struct policy_request){ .op = VB_OP_CONNECT_LIST_ALL_DOMAINS, .conn = req->agent->conn,
                                              .ref = POLICY_REF_CONNECTION };
    if (q->want_pools || q->want_volumes)
        preqs[n++] = (struct policy_request){ .op = VB_OP_CONNECT_LIST_ALL_STORAGE_POOLS, .conn = req->agent->conn,
                                              .ref = POLICY_REF_CONNECTION };
    if (q->want_networks)
        preqs[n++] = (struct policy_request){ .op = VB_OP_CONNECT_LIST_ALL_NETWORKS, .conn = req->agent->conn,
                                              .ref = POLICY_REF_CONNECTION };
    r = bus_request_authorize_all(req, preqs, n);
    if (r == 0 && q->want_volumes)
        r = ask_about_volumes(req);
    if (r != 0)
        return r == VB_PENDING ? VB_PENDING : 0;
    bus_request_call(req, answer_objects);
    if (!q->want_node)
        return bus_request_after_call(req, 0);
    return bus_request_after_call(req, vb_connect_node_get_info(req->agent->conn, &req->call, &q->node));
}

void bus_qmf_query(struct bus_request *req)
{
    struct query *q = parse_query(req);

    if (!q) {
        bus_request_free(req);
        return;
    }
    if (q->what == QUERY_SCHEMA_ID || q->what == QUERY_SCHEMA) {
        answer_schemas(req, q);
        query_free(q);
        bus_request_free(req);
        return;
    }
    req->data = q;
    req->free_data = query_free;
    req->step = query_objects_step;
    bus_request_run(req);
}
