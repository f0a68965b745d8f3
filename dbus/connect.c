/* org.libvirt.Connect: listing, lookup and definition of domains on one connection. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/paths.h"
#include "dbus/properties.h"
#include "dbus/typed_params.h"
#include "policy/engine.h"

/* The libvirt API level whose semantics we follow, in libvirt's encoding (9.0.0). */
#define VB_LIBVIRT_API_VERSION 9000000ull

/* --- listing and lookups: registry reads, answered at once --------------------------------------- */

static int method_list_domains(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;
    size_t prefix_len = strlen(dc->domain_prefix);
    char path[256];
    size_t n = 0;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    if (prefix_len + DBUS_DOMAIN_LEAF_MAX > sizeof(path))
        return -ENAMETOOLONG; /* connect paths are short constants; this cannot happen */
    if (vb_domain_list_uuids(dc->conn, flags, &refs, &n, &err) < 0)
        return dbus_error_take_vb(error, &err);
    policy_check_filter_domains(dbus_frontend_current_check(dc->frontend, m), VB_OP_CONNECT_LIST_ALL_DOMAINS,
                                dc->conn, refs, &n);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "o");
    /* One buffer for every path: listing thousands of domains must not allocate per path. */
    for (size_t i = 0; r >= 0 && i < n; i++) {
        dbus_domain_path_format(dc->domain_prefix, prefix_len, refs[i].uuid, path);
        r = sd_bus_message_append_basic(reply, 'o', path);
    }
    vb_domain_refs_free(refs, n);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r < 0)
        return r;
    return sd_bus_send(NULL, reply, NULL);
}

/* Shared tail of the lookup methods: the domain's path, or the registry's error. */
static int reply_lookup(sd_bus_message *m, struct dbus_connect *dc, int r, struct vb_domain_ref *ref,
                        struct vb_error *err, sd_bus_error *error)
{
    _cleanup_free_ char *path = NULL;

    if (r >= 0)
        path = dbus_domain_path(dc->domain_prefix, ref->uuid);
    vb_domain_ref_clear(ref);
    if (r < 0)
        return dbus_error_take_vb(error, err);
    return path ? sd_bus_reply_method_return(m, "o", path) : -ENOMEM;
}

static int method_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    const char *name;
    int r;

    r = sd_bus_message_read(m, "s", &name);
    if (r < 0)
        return r;
    r = vb_domain_lookup_by_name(dc->conn, name, &ref, &err);
    return reply_lookup(m, dc, r, &ref, &err, error);
}

static int method_lookup_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    unsigned char uuid[VB_UUID_LEN];
    const char *text;
    int r;

    r = sd_bus_message_read(m, "s", &text);
    if (r < 0)
        return r;
    if (vb_uuid_parse(text, uuid) < 0)
        r = vb_error_set(&err, VB_ERR_INVALID_ARG, "uuid '%s' is not valid", text);
    else
        r = vb_domain_lookup_by_uuid(dc->conn, uuid, &ref, &err);
    return reply_lookup(m, dc, r, &ref, &err, error);
}

static int method_lookup_by_id(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    int32_t id;
    int r;

    r = sd_bus_message_read(m, "i", &id);
    if (r < 0)
        return r;
    r = vb_domain_lookup_by_id(dc->conn, id, &ref, &err);
    return reply_lookup(m, dc, r, &ref, &err, error);
}

/* --- definition and creation: operations answered with the domain's path ------------------------ */

struct domain_ref_call {
    struct dbus_call base;
    struct dbus_connect *dc;
    struct vb_domain_ref ref;
};

static int append_domain_path(struct dbus_call *call, sd_bus_message *reply)
{
    struct domain_ref_call *c = (struct domain_ref_call *) call;
    _cleanup_free_ char *path = dbus_domain_path(c->dc->domain_prefix, c->ref.uuid);

    return path ? sd_bus_message_append(reply, "o", path) : -ENOMEM;
}

static void clear_domain_ref(struct dbus_call *call)
{
    vb_domain_ref_clear(&((struct domain_ref_call *) call)->ref);
}

static struct domain_ref_call *domain_ref_call_new(struct dbus_connect *dc, sd_bus_message *m)
{
    struct domain_ref_call *call = dbus_call_new(dc->frontend, m, sizeof(*call), append_domain_path,
                                                 clear_domain_ref);

    if (call)
        call->dc = dc;
    return call;
}

static int method_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct domain_ref_call *call;
    const char *xml;
    int r = sd_bus_message_read(m, "s", &xml);

    if (r < 0)
        return r;
    call = domain_ref_call_new(dc, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_domain_define_xml(dc->conn, &call->base.core, xml, 0, &call->ref), error);
}

/* DomainCreateXML, and DomainCreateXMLWithFiles as libvirt's test driver answers it: the files
 * are ignored (they belong to the message and are closed with it). The caller's unique name
 * owns an AUTODESTROY domain (dbus_call_new gives it to the core). */
static int create_xml(sd_bus_message *m, struct dbus_connect *dc, bool with_files, sd_bus_error *error)
{
    struct domain_ref_call *call;
    const char *xml;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "s", &xml)) < 0 || (with_files && (r = sd_bus_message_skip(m, "ah")) < 0) ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0)
        return r;
    call = domain_ref_call_new(dc, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_domain_create_xml(dc->conn, &call->base.core, xml, flags, &call->ref),
                            error);
}

static int method_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return create_xml(m, userdata, false, error);
}

static int method_create_xml_with_files(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return create_xml(m, userdata, true, error);
}

/* --- saved images ------------------------------------------------------------------------------ */

static int method_restore(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_call *call;
    const char *from, *xml;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssu", &from, &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_restore(dc->conn, &call->core, from, dbus_empty_to_null(xml), flags);
    return dbus_call_finish(call, r, error);
}

static int method_save_image_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_string_call *call;
    const char *file;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &file, &flags);

    if (r < 0)
        return r;
    call = dbus_string_call_new(dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_save_image_get_xml_desc(dc->conn, &call->base.core, file, flags, &call->value);
    return dbus_call_finish(&call->base, r, error);
}

static int method_save_image_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_call *call;
    const char *file, *xml;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssu", &file, &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_empty_call_new(dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_domain_save_image_define_xml(dc->conn, &call->core, file, xml, flags);
    return dbus_call_finish(call, r, error);
}

/* --- statistics of every domain ----------------------------------------------------------------- */

struct all_stats_call {
    struct dbus_call base;
    unsigned char (*uuids)[VB_UUID_LEN]; /* the domains listed: the core may read them later */
    struct vb_domain_stats *records;
    size_t n_records;
};

/* One (name, stats) record per domain. */
static int append_all_stats(struct dbus_call *call, sd_bus_message *reply)
{
    struct all_stats_call *c = (struct all_stats_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "(sa{sv})");

    for (size_t i = 0; r >= 0 && i < c->n_records; i++) {
        r = sd_bus_message_open_container(reply, 'r', "sa{sv}");
        if (r >= 0)
            r = sd_bus_message_append(reply, "s", c->records[i].name);
        if (r >= 0)
            r = dbus_typed_params_append(reply, &c->records[i].params);
        if (r >= 0)
            r = sd_bus_message_close_container(reply);
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_all_stats(struct dbus_call *call)
{
    struct all_stats_call *c = (struct all_stats_call *) call;

    free(c->uuids);
    vb_domain_stats_free(c->records, c->n_records);
}

/* The UUIDs of the domains the low flags select (libvirt's stats flags share those bits with
 * ListDomains') and the caller may see. Returns 0, or what the handler returns. */
static int list_stats_domains(sd_bus_message *m, struct dbus_connect *dc, uint32_t flags,
                              unsigned char (**uuids)[VB_UUID_LEN], size_t *n, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL;

    if (vb_domain_list_uuids(dc->conn, flags & 0xffu, &refs, n, &err) < 0)
        return dbus_error_take_vb(error, &err);
    policy_check_filter_domains(dbus_frontend_current_check(dc->frontend, m), VB_OP_CONNECT_GET_ALL_DOMAIN_STATS,
                                dc->conn, refs, n);
    *uuids = calloc(*n + 1, sizeof(**uuids));
    for (size_t i = 0; *uuids && i < *n; i++)
        memcpy((*uuids)[i], refs[i].uuid, VB_UUID_LEN);
    vb_domain_refs_free(refs, *n);
    return *uuids ? 0 : -ENOMEM;
}

/* The list flags have selected the domains; NOWAIT, BACKING and ENFORCE_STATS go to the core. */
static int method_get_all_domain_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    unsigned char (*uuids)[VB_UUID_LEN] = NULL;
    struct all_stats_call *call;
    uint32_t stats, flags;
    size_t n = 0;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &stats, &flags)) < 0 ||
        (r = list_stats_domains(m, dc, flags, &uuids, &n, error)) < 0)
        return r;
    call = dbus_call_new(dc->frontend, m, sizeof(*call), append_all_stats, clear_all_stats);
    if (!call) {
        free(uuids);
        return -ENOMEM;
    }
    call->uuids = uuids;
    r = vb_domain_list_get_stats(dc->conn, &call->base.core, (const unsigned char(*)[VB_UUID_LEN]) call->uuids, n,
                                 stats, flags & ~0xffu, &call->records, &call->n_records);
    return dbus_call_finish(&call->base, r, error);
}

/* --- the node ------------------------------------------------------------------------------------ */

struct node_info_call {
    struct dbus_call base;
    struct vb_node_info info;
};

static int append_node_info(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_node_info *info = &((struct node_info_call *) call)->info;

    return sd_bus_message_append(reply, "(stuuuuuu)", info->model, (uint64_t) info->memory_kib,
                                 (uint32_t) info->cpus, (uint32_t) info->mhz, (uint32_t) info->nodes,
                                 (uint32_t) info->sockets, (uint32_t) info->cores, (uint32_t) info->threads);
}

/* Ours (libvirt-dbus lacks it): libvirt's virNodeGetInfo. */
static int method_node_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct node_info_call *call = dbus_call_new(dc->frontend, m, sizeof(*call), append_node_info, NULL);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_connect_node_get_info(dc->conn, &call->base.core, &call->info), error);
}

/* --- properties ---------------------------------------------------------------------------------- */

static int property_hostname(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *name = vb_connect_get_hostname(dc->conn, &err);

    if (!name)
        return dbus_error_take_vb(error, &err);
    return sd_bus_message_append(reply, "s", name);
}

static int property_lib_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "t", (uint64_t) VB_LIBVIRT_API_VERSION);
}

/* The hypervisor version: libvirt's test driver reports 2 (0.0.2). */
static int property_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "t", (uint64_t) 2);
}

static int property_encrypted(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "b", 0);
}

/* The bus is local, so the channel is as secure as libvirt's local UNIX socket. */
static int property_secure(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "b", 1);
}

static const sd_bus_vtable connect_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Encrypted", "b", property_encrypted, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Hostname", "s", property_hostname, 0, 0),
    SD_BUS_PROPERTY("LibVersion", "t", property_lib_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Secure", "b", property_secure, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Version", "t", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("ListDomains", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", domains),
                            method_list_domains, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainCreateXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", domain),
                            method_create_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainCreateXMLWithFiles", SD_BUS_ARGS("s", xml, "ah", files, "u", flags),
                            SD_BUS_RESULT("o", domain), method_create_xml_with_files, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainRestore", SD_BUS_ARGS("s", from, "s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_restore, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainSaveImageDefineXML", SD_BUS_ARGS("s", file, "s", xml, "u", flags),
                            SD_BUS_NO_RESULT, method_save_image_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainSaveImageGetXMLDesc", SD_BUS_ARGS("s", file, "u", flags), SD_BUS_RESULT("s", xml),
                            method_save_image_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetAllDomainStats", SD_BUS_ARGS("u", stats, "u", flags),
                            SD_BUS_RESULT("a(sa{sv})", records), method_get_all_domain_stats,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainDefineXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", domain),
                            method_define_xml, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainLookupByID", SD_BUS_ARGS("i", id), SD_BUS_RESULT("o", domain),
                            method_lookup_by_id, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", domain),
                            method_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DomainLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", domain),
                            method_lookup_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetInfo", SD_BUS_NO_ARGS, SD_BUS_RESULT("(stuuuuuu)", info), method_node_get_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("DomainEvent", SD_BUS_ARGS("o", domain, "i", event, "i", detail), 0),
    SD_BUS_VTABLE_END,
};

int dbus_connect_register(struct dbus_connect *dc)
{
    int r = sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_vtable, dc);

    if (r < 0)
        return r;
    return dbus_properties_add_get_all(dc->bus, dc->path, false, DBUS_CONNECT_INTERFACE, connect_vtable, dc);
}
