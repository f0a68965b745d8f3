/* Parsing of libvirt domain XML into struct vb_domain_def, with libvirt's checks and wording. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"

/* Largest memory size accepted, in bytes (libvirt caps it so KiB values fit everywhere). */
#define MEMORY_PARSE_MAX_BYTES ((unsigned long long) LLONG_MAX)

static const char *const lifecycle_names[] = {
    [VB_LIFECYCLE_DESTROY] = "destroy",
    [VB_LIFECYCLE_RESTART] = "restart",
    [VB_LIFECYCLE_RENAME_RESTART] = "rename-restart",
    [VB_LIFECYCLE_PRESERVE] = "preserve",
    [VB_LIFECYCLE_COREDUMP_DESTROY] = "coredump-destroy",
    [VB_LIFECYCLE_COREDUMP_RESTART] = "coredump-restart",
};

/* libvirt's virDomainVirtType names. */
static const char *const virt_types[] = {
    "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
    "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf", "ch", NULL,
};

static const char *const boot_names[] = { "fd", "cdrom", "hd", "network", NULL };
#define BOOT_DEVICES_MAX 4

const char *vb_lifecycle_action_to_string(enum vb_lifecycle_action action)
{
    if (action <= VB_LIFECYCLE_DEFAULT || (size_t) action >= ARRAY_SIZE(lifecycle_names))
        return NULL;
    return lifecycle_names[action];
}

static bool listed(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (streq(*list, name))
            return true;
    return false;
}

static int oom(struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

/* What the formatter prints of node's attributes beyond `skip` into *slot: <domain>'s with
 * nothing in scope, its children's inside <domain>'s declarations. */
static int keep_attributes(char **slot, xmlNodePtr node, const char *const *skip,
                           struct vb_error *err)
{
    xmlNodePtr parent = node->parent;
    struct vb_ns_scope scope = {
        NULL, parent && parent->type == XML_ELEMENT_NODE ? parent->nsDef : NULL
    };

    free(*slot);
    return vb_attrs_text(node, skip, &scope, slot) < 0 ? oom(err) : 0;
}

static struct vb_unmodelled *unmodelled(struct vb_domain_def *def)
{
    return def->unmodelled;
}

static int parse_root(struct vb_domain_def *def, xmlNodePtr root, struct vb_error *err)
{
    _cleanup_free_ char *id = vb_xml_prop(root, "id");
    unsigned long long value;

    def->virt_type = vb_xml_prop(root, "type");
    if (!def->virt_type)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "missing domain type attribute");
    if (!listed(virt_types, def->virt_type))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "invalid domain type %s", def->virt_type);
    /* As libvirt: an id that does not parse is no id. */
    static const char *const skip[] = { "type", "id", NULL };

    def->id = id && vb_xml_parse_ull(id, &value) == 0 && value <= INT_MAX ? (int) value : -1;
    unmodelled(def)->namespaced = root->nsDef != NULL;
    return keep_attributes(&unmodelled(def)->domain_attrs, root, skip, err);
}

static int parse_name(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    def->name = vb_xml_content(node);
    if (def->name && strchr(def->name, '/'))
        return vb_error_set(err, VB_ERR_XML_ERROR, "name %s cannot contain '/'", def->name);
    return 0;
}

static int parse_uuid(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_content(node);

    if (text && vb_uuid_parse(text, def->uuid) < 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "malformed uuid element");
    return 0;
}

static int parse_title(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    def->title = vb_xml_content(node);
    if (def->title && strchr(def->title, '\n'))
        return vb_error_set(err, VB_ERR_XML_ERROR, "Domain title can't contain newlines");
    return 0;
}

static int parse_description(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    def->description = vb_xml_content(node);
    return 0;
}

static int parse_metadata(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    unmodelled(def)->metadata = vb_metadata_parse(node);
    return unmodelled(def)->metadata ? 0 : oom(err);
}

/* As libvirt's virDomainParseMemory: a scaled value (KiB by default), rounded up to KiB. */
static int parse_memory_value(xmlNodePtr node, const char *what, uint64_t *kib,
                              struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_content(node);
    _cleanup_free_ char *unit = NULL;
    unsigned long long bytes;

    if (!text)
        return 0;
    if (vb_xml_parse_ull(text, &bytes) < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR,
                            "Invalid value '%s' for element or attribute '%s'", text, what);
    unit = vb_xml_prop(node, "unit");
    if (vb_xml_scale_integer(&bytes, unit, 1024, MEMORY_PARSE_MAX_BYTES, err) < 0)
        return -1;
    *kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    return 0;
}

static int parse_memory(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    static const char *const skip[] = { "unit", NULL };

    if (parse_memory_value(node, "./memory[1]", &def->max_memory_kib, err) < 0)
        return -1;
    return keep_attributes(&unmodelled(def)->memory_attrs, node, skip, err);
}

static int parse_current_memory(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    return parse_memory_value(node, "./currentMemory[1]", &def->current_memory_kib, err);
}

static int check_vcpu_count(unsigned long long value, const char *which, struct vb_error *err)
{
    if (value > VB_DOMAIN_VCPUS_MAX)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "%s vcpus count %llu exceeds the limit of %d",
                            which, value, VB_DOMAIN_VCPUS_MAX);
    return 0;
}

/* A vcpu count ("maximum" or "current"), bounded so nothing later costs per vcpu without end. */
static int parse_vcpu_count(const char *text, const char *which, unsigned int *out, struct vb_error *err)
{
    unsigned long long value;

    if (vb_xml_parse_ull(text, &value) < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s vcpus count must be an integer", which);
    if (check_vcpu_count(value, which, err) < 0)
        return -1;
    *out = (unsigned int) value;
    return 0;
}

int vb_domain_def_check_limits(const struct vb_domain_def *def, struct vb_error *err)
{
    if (check_vcpu_count(def->vcpus_max, "maximum", err) < 0 || check_vcpu_count(def->vcpus_current, "current", err) < 0)
        return -1;
    return 0;
}

static int parse_vcpu(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    static const char *const skip[] = { "placement", "cpuset", "current", NULL };
    struct vb_unmodelled *u = unmodelled(def);
    _cleanup_free_ char *max = vb_xml_content(node);
    _cleanup_free_ char *current = vb_xml_prop(node, "current");
    _cleanup_free_ char *placement = vb_xml_prop(node, "placement");

    def->vcpus_max = 1;
    if (max && parse_vcpu_count(max, "maximum", &def->vcpus_max, err) < 0)
        return -1;
    def->vcpus_current = def->vcpus_max;
    if (current && parse_vcpu_count(current, "current", &def->vcpus_current, err) < 0)
        return -1;
    if (placement && !streq(placement, "static") && !streq(placement, "auto"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "unsupported CPU placement mode '%s'",
                            placement);
    u->have_vcpu = true;
    u->vcpu_auto = placement && streq(placement, "auto");
    free(u->vcpu_cpuset);
    u->vcpu_cpuset = vb_xml_prop(node, "cpuset");
    if (xmlHasProp(node, BAD_CAST "cpuset") && !u->vcpu_cpuset)
        return oom(err);
    return keep_attributes(&u->vcpu_attrs, node, skip, err);
}

static int parse_lifecycle(enum vb_lifecycle_action *action, xmlNodePtr node,
                           struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_content(node);

    *action = VB_LIFECYCLE_DEFAULT;
    if (!text)
        return 0;
    for (size_t i = VB_LIFECYCLE_DESTROY; i < ARRAY_SIZE(lifecycle_names); i++) {
        if (streq(text, lifecycle_names[i])) {
            *action = (enum vb_lifecycle_action) i;
            return 0;
        }
    }
    return vb_error_set(err, VB_ERR_XML_ERROR, "invalid %s value: '%s'",
                        (const char *) node->name, text);
}

static int parse_on_poweroff(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    return parse_lifecycle(&def->on_poweroff, node, err);
}

static int parse_on_reboot(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    return parse_lifecycle(&def->on_reboot, node, err);
}

static int parse_on_crash(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    return parse_lifecycle(&def->on_crash, node, err);
}

static int parse_devices(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    for (xmlNodePtr child = node->children; child; child = child->next) {
        struct vb_device_def *dev;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        dev = vb_device_def_parse_node(child, err);
        if (!dev)
            return -1;
        /* Duplicates are the driver's business at define time, as in libvirt's parser. */
        struct vb_device_def **devices = realloc(def->devices,
                                                 (def->n_devices + 1) * sizeof(*devices));
        if (!devices) {
            vb_device_def_free(dev);
            return oom(err);
        }
        def->devices = devices;
        def->devices[def->n_devices++] = dev;
    }
    return 0;
}

static int parse_os_type(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    def->os_type = vb_xml_content(node);
    def->os_arch = vb_xml_prop(node, "arch");
    def->os_machine = vb_xml_prop(node, "machine");
    return 0;
}

static int parse_boot(struct vb_domain_def *def, xmlNodePtr node, size_t *n_boot,
                      struct vb_error *err)
{
    _cleanup_free_ char *dev = vb_xml_prop(node, "dev");

    if (!dev)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "missing boot device");
    if (!listed(boot_names, dev))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unknown boot device '%s'", dev);
    /* libvirt reads the first four and ignores the rest. */
    if (*n_boot >= BOOT_DEVICES_MAX)
        return 0;
    if (!def->boot_devices) {
        def->boot_devices = calloc(BOOT_DEVICES_MAX + 1, sizeof(char *));
        if (!def->boot_devices)
            return oom(err);
    }
    def->boot_devices[(*n_boot)++] = TAKE_PTR(dev);
    return 0;
}

/* One <os> child: modelled ones into def, others kept at their slot. *anchor is the slot of
 * the previous element, for unknown ones. */
static int parse_os_child(struct vb_domain_def *def, xmlNodePtr child, int *anchor,
                          size_t *n_boot, struct vb_error *err)
{
    int slot = vb_slot_index(vb_os_slots, child->name);
    char **text = NULL;

    if (slot >= 0)
        *anchor = slot;
    if (vb_xml_is_element(child, "type"))
        return def->os_type ? 0 : parse_os_type(def, child, err);
    if (vb_xml_is_element(child, "boot"))
        return parse_boot(def, child, n_boot, err);
    if (vb_xml_is_element(child, "kernel"))
        text = &def->os_kernel;
    else if (vb_xml_is_element(child, "initrd"))
        text = &def->os_initrd;
    else if (vb_xml_is_element(child, "cmdline"))
        text = &def->os_cmdline;
    if (text) {
        if (!*text)
            *text = vb_xml_content(child);
        return 0;
    }
    if (vb_extra_list_append(&unmodelled(def)->os_children,
                             vb_fragment_new(child, 2, VB_XML_QUOTE_SINGLE), *anchor) < 0)
        return oom(err);
    return 0;
}

static int parse_os(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    int anchor = -1;
    size_t n_boot = 0;

    if (keep_attributes(&unmodelled(def)->os_attrs, node, NULL, err) < 0)
        return -1;
    if (node->nsDef)
        unmodelled(def)->namespaced = true;
    for (xmlNodePtr child = node->children; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE &&
            parse_os_child(def, child, &anchor, &n_boot, err) < 0)
            return -1;
    return 0;
}

/* Read once the whole document was, by vb_vcpus_parse: its ids are bounded by <vcpu>, wherever
 * that comes. */
static int parse_vcpus_later(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err)
{
    return 0;
}

typedef int (*element_parser)(struct vb_domain_def *def, xmlNodePtr node, struct vb_error *err);

static const struct {
    const char *name;
    element_parser parse;
} modelled[] = {
    { "name", parse_name },
    { "uuid", parse_uuid },
    { "title", parse_title },
    { "description", parse_description },
    { "metadata", parse_metadata },
    { "memory", parse_memory },
    { "currentMemory", parse_current_memory },
    { "vcpu", parse_vcpu },
    { "vcpus", parse_vcpus_later },
    { "os", parse_os },
    { "on_poweroff", parse_on_poweroff },
    { "on_reboot", parse_on_reboot },
    { "on_crash", parse_on_crash },
    { "devices", parse_devices },
};

static int parse_children(struct vb_domain_def *def, xmlNodePtr root, struct vb_error *err)
{
    bool seen[ARRAY_SIZE(modelled)] = { false };
    int anchor = -1;

    for (xmlNodePtr child = root->children; child; child = child->next) {
        int slot;
        size_t i;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        slot = vb_slot_index(vb_domain_slots, child->name);
        if (slot >= 0)
            anchor = slot;
        for (i = 0; i < ARRAY_SIZE(modelled); i++)
            if (xmlStrEqual(child->name, BAD_CAST modelled[i].name))
                break;
        if (i == ARRAY_SIZE(modelled)) {
            /* Kept as text and read later, but bounded now: a later read must not be able to
             * cost what a hostile count asks for. */
            if (vb_iothreads_check_element(child, err) < 0)
                return -1;
            if (vb_extra_list_append(&unmodelled(def)->top,
                                     vb_fragment_new(child, 1, VB_XML_QUOTE_SINGLE), anchor) < 0)
                return oom(err);
            continue;
        }
        /* libvirt reads the first of each; later copies are dropped. */
        if (seen[i])
            continue;
        seen[i] = true;
        if (modelled[i].parse(def, child, err) < 0)
            return -1;
    }
    return 0;
}

/* The checks and defaults libvirt applies once the whole document is read. */
static int finish(struct vb_domain_def *def, bool have_vcpu, struct vb_error *err)
{
    if (!def->name)
        return vb_error_set(err, VB_ERR_NO_NAME, NULL);
    if (vb_uuid_is_null(def->uuid) && vb_uuid_generate(def->uuid) < 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Failed to generate UUID");
    if (!def->max_memory_kib)
        return vb_error_set(err, VB_ERR_XML_ERROR,
                            "Memory size must be specified via <memory> or in the <numa> "
                            "configuration");
    if (!def->current_memory_kib || def->current_memory_kib > def->max_memory_kib)
        def->current_memory_kib = def->max_memory_kib;
    if (!have_vcpu) {
        def->vcpus_max = 1;
        if (!def->vcpus) /* else <vcpus> said how many are enabled */
            def->vcpus_current = 1;
    }
    if (!def->vcpus_max || !def->vcpus_current)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "Domain requires at least 1 vCPU");
    if (def->vcpus_current > def->vcpus_max)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR,
                            "maxvcpus must not be less than current vcpus (%u < %u)",
                            def->vcpus_max, def->vcpus_current);
    if (!def->os_type)
        return vb_error_set(err, VB_ERR_XML_ERROR, "an os <type> must be specified");
    return 0;
}

struct vb_domain_def *vb_domain_def_parse_string(const char *xml, struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    xmlDocPtr doc = vb_xml_parse_string(xml, "(domain_definition)", err);
    xmlNodePtr root;
    int r;

    if (!doc)
        return NULL;
    root = vb_xml_root(doc, "domain", err);
    def = calloc(1, sizeof(*def));
    if (!root || !def) {
        if (root)
            oom(err);
        xmlFreeDoc(doc);
        return NULL;
    }
    def->id = -1;
    def->unmodelled = vb_unmodelled_new();
    r = !def->unmodelled ? oom(err) : parse_root(def, root, err);
    if (r == 0)
        r = parse_children(def, root, err);
    if (r == 0)
        r = vb_vcpus_parse(def, root, err);
    if (r == 0)
        r = finish(def, unmodelled(def)->have_vcpu, err);
    xmlFreeDoc(doc);
    return r == 0 ? TAKE_PTR(def) : NULL;
}
