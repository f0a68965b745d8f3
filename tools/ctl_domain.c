/* virtbusctl: the domain commands that only read: list, dominfo, dumpxml. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tools/ctl_domain.h"
#include "tools/ctl_output.h"

/* libvirt's virDomainGetXMLDesc and virConnectListAllDomains flags. */
#define XML_INACTIVE 2u
#define LIST_ACTIVE 1u
#define LIST_INACTIVE 2u

static const char *const state_names[] = {
    "no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended",
};

const char *ctl_domain_state_name(int state)
{
    if (state < 0 || (size_t) state >= ARRAY_SIZE(state_names))
        return "no state";
    return state_names[state];
}

void ctl_domain_info_clear(struct ctl_domain_info *info)
{
    free(info->name);
    free(info->uuid);
    free(info->os_type);
    *info = (struct ctl_domain_info){ 0 };
}

/* ---- properties ----------------------------------------------------------------------- */

static int read_string(sd_bus_message *m, char **out)
{
    const char *s;
    int r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &s);

    if (r < 0)
        return r;
    free(*out);
    *out = strdup(s);
    return *out ? 0 : -ENOMEM;
}

static int read_bool(sd_bus_message *m, bool *out)
{
    int b, r = sd_bus_message_read_basic(m, SD_BUS_TYPE_BOOLEAN, &b);

    if (r >= 0)
        *out = b;
    return r;
}

/* One value whose type is already known to be basic and as expected for its key. */
static int read_known_property(sd_bus_message *m, const char *key, char type, struct ctl_domain_info *info)
{
    if (type == SD_BUS_TYPE_STRING && streq(key, "Name"))
        return read_string(m, &info->name);
    if (type == SD_BUS_TYPE_STRING && streq(key, "UUID"))
        return read_string(m, &info->uuid);
    if (type == SD_BUS_TYPE_STRING && streq(key, "OSType"))
        return read_string(m, &info->os_type);
    if (type == SD_BUS_TYPE_UINT32 && streq(key, "Id"))
        return sd_bus_message_read_basic(m, SD_BUS_TYPE_UINT32, &info->id);
    if (type == SD_BUS_TYPE_BOOLEAN && streq(key, "Active"))
        return read_bool(m, &info->active);
    if (type == SD_BUS_TYPE_BOOLEAN && streq(key, "Persistent"))
        return read_bool(m, &info->persistent);
    if (type == SD_BUS_TYPE_BOOLEAN && streq(key, "Autostart"))
        return read_bool(m, &info->autostart);
    return sd_bus_message_skip(m, NULL);
}

/* GetAll wraps every value in two variants (libvirt-dbus does); accept one as well. */
static int read_property_value(sd_bus_message *m, const char *key, struct ctl_domain_info *info)
{
    unsigned depth = 0;
    const char *contents;
    char type;
    int r;

    for (;;) {
        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
            return r;
        if (type != SD_BUS_TYPE_VARIANT)
            break;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
            return r;
        depth++;
    }
    r = read_known_property(m, key, type, info);
    while (r >= 0 && depth-- > 0)
        r = sd_bus_message_exit_container(m);
    return r;
}

static int read_properties(sd_bus_message *reply, struct ctl_domain_info *info)
{
    const char *key;
    int r;

    r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
        r = sd_bus_message_read_basic(reply, SD_BUS_TYPE_STRING, &key);
        if (r >= 0)
            r = read_property_value(reply, key, info);
        if (r >= 0)
            r = sd_bus_message_exit_container(reply);
        if (r < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(reply);
}

int ctl_domain_info_fetch(struct ctl *ctl, const char *path, struct ctl_domain_info *info, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    int r;

    r = ctl_call(ctl, path, "org.freedesktop.DBus.Properties", "GetAll", error, &reply, "s",
                 CTL_DOMAIN_INTERFACE);
    if (r < 0)
        return r;
    r = read_properties(reply, info);
    if (r < 0)
        return r;
    reply = sd_bus_message_unref(reply);
    r = ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "GetState", error, &reply, "u", 0u);
    if (r < 0)
        return r;
    r = sd_bus_message_read(reply, "(ii)", &info->state, &info->reason);
    if (r < 0)
        return r;
    if (!info->name)
        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "the domain has no Name property");
    return 0;
}

/* ---- list ----------------------------------------------------------------------------- */

struct domain_list {
    struct ctl_domain_info *items;
    size_t count;
};

static void domain_list_clear(struct domain_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        ctl_domain_info_clear(&list->items[i]);
    free(list->items);
}

/* virsh's order: running domains by id, then inactive ones by name. */
static int compare_domains(const void *a, const void *b)
{
    const struct ctl_domain_info *x = a, *y = b;

    if (x->id && y->id)
        return x->id < y->id ? -1 : x->id > y->id;
    if (x->id || y->id)
        return x->id ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int fetch_domains(struct ctl *ctl, uint32_t flags, struct domain_list *list)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    const char *path;
    int r;

    r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "ListDomains", &error, &reply, "u", flags);
    if (r >= 0)
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "o");
    while (r >= 0 && (r = sd_bus_message_read_basic(reply, SD_BUS_TYPE_OBJECT_PATH, &path)) > 0) {
        struct ctl_domain_info *grown = reallocarray(list->items, list->count + 1, sizeof(*grown));
        if (!grown)
            return ctl_error("%s", strerror(ENOMEM));
        list->items = grown;
        list->items[list->count] = (struct ctl_domain_info){ 0 };
        r = ctl_domain_info_fetch(ctl, path, &list->items[list->count], &error);
        list->count++;
        /* A domain undefined between the two calls is simply gone. */
        if (r < 0 && sd_bus_error_has_name(&error, "org.libvirt.Error")) {
            ctl_domain_info_clear(&list->items[--list->count]);
            sd_bus_error_free(&error);
            r = 0;
        }
    }
    if (r < 0)
        return ctl_bus_error("failed to list domains", &error, r);
    qsort(list->items, list->count, sizeof(*list->items), compare_domains);
    return 0;
}

static struct json_object *domain_json(const struct ctl_domain_info *d)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    if (json_object_object_add(o, "id", d->id ? json_object_new_int64(d->id) : NULL) < 0 ||
        ctl_json_add(o, "name", json_object_new_string(d->name)) < 0 ||
        ctl_json_add(o, "uuid", json_object_new_string(d->uuid ? d->uuid : "")) < 0 ||
        ctl_json_add(o, "state", json_object_new_string(ctl_domain_state_name(d->state))) < 0 ||
        ctl_json_add(o, "persistent", json_object_new_boolean(d->persistent)) < 0 ||
        ctl_json_add(o, "autostart", json_object_new_boolean(d->autostart)) < 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static int print_list_json(const struct domain_list *list)
{
    _cleanup_(json_object_putp) struct json_object *array = json_object_new_array();

    if (!array)
        return ctl_error("%s", strerror(ENOMEM));
    for (size_t i = 0; i < list->count; i++) {
        struct json_object *o = domain_json(&list->items[i]);
        if (!o || json_object_array_add(array, o) < 0) {
            json_object_put(o);
            return ctl_error("%s", strerror(ENOMEM));
        }
    }
    return ctl_json_print(array, false) < 0 ? ctl_error("%s", strerror(ENOMEM)) : 0;
}

static int print_list_table(const struct domain_list *list)
{
    static const char *const headers[] = { "Id", "Name", "State" };
    _cleanup_(ctl_table_freep) struct ctl_table *table = ctl_table_new(3, headers);

    if (!table)
        return ctl_error("%s", strerror(ENOMEM));
    for (size_t i = 0; i < list->count; i++) {
        const struct ctl_domain_info *d = &list->items[i];
        char id[16] = "-";
        const char *cells[3] = { id, d->name, ctl_domain_state_name(d->state) };

        if (d->id)
            snprintf(id, sizeof(id), "%u", d->id);
        if (ctl_table_add_row(table, cells) < 0)
            return ctl_error("%s", strerror(ENOMEM));
    }
    ctl_table_print(table);
    return 0;
}

int ctl_cmd_list(struct ctl *ctl, int argc, char **argv)
{
    struct domain_list list = { 0 };
    uint32_t flags = LIST_ACTIVE;
    int r;

    if (ctl->opt.all)
        flags = 0;
    else if (ctl->opt.inactive)
        flags = LIST_INACTIVE;
    r = fetch_domains(ctl, flags, &list);
    if (r == 0 && ctl->opt.json)
        r = print_list_json(&list);
    else if (r == 0 && (ctl->opt.name_only || ctl->opt.uuid_only))
        for (size_t i = 0; i < list.count; i++)
            puts(ctl->opt.name_only ? list.items[i].name : list.items[i].uuid ? list.items[i].uuid : "");
    else if (r == 0)
        r = print_list_table(&list);
    domain_list_clear(&list);
    return r;
}

/* ---- dominfo -------------------------------------------------------------------------- */

struct domain_resources {
    unsigned long long vcpus, max_memory_kib, used_memory_kib;
    int managed_save; /* 1, 0, or -1 when unknown */
};

/* libvirt's memory units, as scaled to KiB. */
static unsigned long long kib_from(unsigned long long value, const char *unit)
{
    static const struct {
        const char *unit;
        double factor;
    } units[] = {
        { "b", 1.0 / 1024 }, { "bytes", 1.0 / 1024 }, { "KB", 1000.0 / 1024 }, { "k", 1 }, { "K", 1 },
        { "KiB", 1 }, { "MB", 1e6 / 1024 }, { "M", 1024 }, { "MiB", 1024 }, { "GB", 1e9 / 1024 },
        { "G", 1048576 }, { "GiB", 1048576 }, { "TB", 1e12 / 1024 }, { "T", 1073741824.0 },
        { "TiB", 1073741824.0 },
    };

    if (!unit)
        return value;
    for (size_t i = 0; i < ARRAY_SIZE(units); i++)
        if (streq(unit, units[i].unit))
            return (unsigned long long) ((double) value * units[i].factor);
    return value;
}

/* <memory unit=...>N</memory> in KiB; <vcpu current=C>N</vcpu> as C, the CPUs in use. */
static unsigned long long element_value(xmlNode *node)
{
    bool vcpu = xmlStrEqual(node->name, (const xmlChar *) "vcpu");
    xmlChar *current = vcpu ? xmlGetProp(node, (const xmlChar *) "current") : NULL;
    xmlChar *text = current ? current : xmlNodeGetContent(node);
    xmlChar *unit = vcpu ? NULL : xmlGetProp(node, (const xmlChar *) "unit");
    unsigned long long value = text ? strtoull((const char *) text, NULL, 10) : 0;

    if (!vcpu)
        value = kib_from(value, (const char *) unit);
    xmlFree(text);
    xmlFree(unit);
    return value;
}

/* Only three numbers are wanted from the XML, and the daemon produced it: no schema needed. */
static void parse_resources(const char *xml, struct domain_resources *res)
{
    xmlDoc *doc = xmlReadMemory(xml, (int) strlen(xml), "domain.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;

    for (xmlNode *n = root ? root->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *) "vcpu"))
            res->vcpus = element_value(n);
        else if (xmlStrEqual(n->name, (const xmlChar *) "memory"))
            res->max_memory_kib = element_value(n);
        else if (xmlStrEqual(n->name, (const xmlChar *) "currentMemory"))
            res->used_memory_kib = element_value(n);
    }
    if (!res->used_memory_kib)
        res->used_memory_kib = res->max_memory_kib;
    xmlFreeDoc(doc);
}

static void fetch_resources(struct ctl *ctl, const char *path, struct domain_resources *res)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    const char *xml;
    int b;

    res->managed_save = -1;
    if (ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "GetXMLDesc", &error, &reply, "u", 0u) >= 0 &&
        sd_bus_message_read(reply, "s", &xml) >= 0)
        parse_resources(xml, res);
    reply = sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    if (ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "HasManagedSaveImage", &error, &reply, "u", 0u) >= 0 &&
        sd_bus_message_read(reply, "b", &b) >= 0)
        res->managed_save = b;
}

static int print_dominfo_json(const struct ctl_domain_info *d, const struct domain_resources *res)
{
    _cleanup_(json_object_putp) struct json_object *o = domain_json(d);

    if (!o || ctl_json_add(o, "os_type", json_object_new_string(d->os_type ? d->os_type : "")) < 0 ||
        ctl_json_add(o, "cpus", json_object_new_int64((int64_t) res->vcpus)) < 0 ||
        ctl_json_add(o, "max_memory_kib", json_object_new_int64((int64_t) res->max_memory_kib)) < 0 ||
        ctl_json_add(o, "used_memory_kib", json_object_new_int64((int64_t) res->used_memory_kib)) < 0 ||
        json_object_object_add(o, "managed_save",
                               res->managed_save < 0 ? NULL : json_object_new_boolean(res->managed_save)) < 0)
        return ctl_error("%s", strerror(ENOMEM));
    return ctl_json_print(o, false) < 0 ? ctl_error("%s", strerror(ENOMEM)) : 0;
}

static void print_dominfo_text(const struct ctl_domain_info *d, const struct domain_resources *res)
{
    if (d->id)
        ctl_print_field("Id", "%u", d->id);
    else
        ctl_print_field("Id", "-");
    ctl_print_field("Name", "%s", d->name);
    ctl_print_field("UUID", "%s", d->uuid ? d->uuid : "");
    ctl_print_field("OS Type", "%s", d->os_type ? d->os_type : "");
    ctl_print_field("State", "%s", ctl_domain_state_name(d->state));
    ctl_print_field("CPU(s)", "%llu", res->vcpus);
    ctl_print_field("Max memory", "%llu KiB", res->max_memory_kib);
    ctl_print_field("Used memory", "%llu KiB", res->used_memory_kib);
    ctl_print_field("Persistent", "%s", d->persistent ? "yes" : "no");
    ctl_print_field("Autostart", "%s", d->autostart ? "enable" : "disable");
    ctl_print_field("Managed save", "%s", res->managed_save < 0 ? "unknown" : res->managed_save ? "yes" : "no");
}

int ctl_cmd_dominfo(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_free_ char *path = NULL;
    struct ctl_domain_info info = { 0 };
    struct domain_resources res = { 0 };
    int r;

    r = ctl_lookup_domain(ctl, argv[0], &path);
    if (r != 0)
        return r;
    r = ctl_domain_info_fetch(ctl, path, &info, &error);
    if (r < 0) {
        ctl_domain_info_clear(&info);
        return ctl_bus_error(NULL, &error, r);
    }
    fetch_resources(ctl, path, &res);
    if (ctl->opt.json)
        r = print_dominfo_json(&info, &res);
    else
        print_dominfo_text(&info, &res);
    ctl_domain_info_clear(&info);
    return r;
}

/* ---- dumpxml -------------------------------------------------------------------------- */

int ctl_cmd_dumpxml(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    _cleanup_free_ char *path = NULL;
    const char *xml;
    size_t len;
    int r;

    r = ctl_lookup_domain(ctl, argv[0], &path);
    if (r != 0)
        return r;
    r = ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "GetXMLDesc", &error, &reply, "u",
                 ctl->opt.inactive ? XML_INACTIVE : 0u);
    if (r >= 0)
        r = sd_bus_message_read(reply, "s", &xml);
    if (r < 0)
        return ctl_bus_error(NULL, &error, r);
    len = strlen(xml);
    fputs(xml, stdout);
    if (len == 0 || xml[len - 1] != '\n')
        putchar('\n');
    return 0;
}
