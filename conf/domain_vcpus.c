/* Per-vCPU state, libvirt's <vcpus>: read, written, and changed as libvirt's qemu driver does. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"

enum tristate { TRISTATE_ABSENT, TRISTATE_YES, TRISTATE_NO };

/* virXMLPropUInt's reading: a required attribute missing, or not a non-negative integer. */
static int parse_uint_attr(xmlNodePtr node, const char *name, bool required, unsigned int *out,
                           struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_prop(node, name);
    unsigned long long value;

    *out = 0;
    if (!text) {
        if (required)
            return vb_error_set(err, VB_ERR_XML_ERROR, "Missing required attribute '%s' in element 'vcpu'",
                                name);
        return 0;
    }
    if (vb_xml_parse_ull(text, &value) < 0 || value > UINT_MAX)
        return vb_error_set(err, VB_ERR_XML_ERROR,
                            "Invalid value for attribute '%s' in element 'vcpu': '%s'. Expected "
                            "non-negative integer value", name, text);
    *out = (unsigned int) value;
    return 0;
}

/* virXMLPropTristateBool's reading: 'yes' or 'no'. */
static int parse_bool_attr(xmlNodePtr node, const char *name, bool required, enum tristate *out,
                           struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_prop(node, name);

    *out = TRISTATE_ABSENT;
    if (!text) {
        if (required)
            return vb_error_set(err, VB_ERR_XML_ERROR, "Missing required attribute '%s' in element 'vcpu'",
                                name);
        return 0;
    }
    if (streq(text, "yes"))
        *out = TRISTATE_YES;
    else if (streq(text, "no"))
        *out = TRISTATE_NO;
    else
        return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value for attribute '%s' in element 'vcpu': '%s'.",
                            name, text);
    return 0;
}

static int parse_one(xmlNodePtr node, unsigned int max, struct vb_vcpu_def *vcpus, enum tristate *hotpluggable,
                     struct vb_error *err)
{
    unsigned int id, order;
    enum tristate enabled, hotplug;

    if (parse_uint_attr(node, "id", true, &id, err) < 0)
        return -1;
    if (id >= max)
        return vb_error_set(err, VB_ERR_XML_ERROR, "vcpu id '%u' is out of range of maximum vcpu count", id);
    if (parse_bool_attr(node, "enabled", true, &enabled, err) < 0 ||
        parse_bool_attr(node, "hotpluggable", false, &hotplug, err) < 0 ||
        parse_uint_attr(node, "order", false, &order, err) < 0)
        return -1;
    /* As libvirt, a vCPU listed twice takes its last entry. */
    vcpus[id] = (struct vb_vcpu_def){ .enabled = enabled == TRISTATE_YES, .order = order };
    hotpluggable[id] = hotplug;
    return 0;
}

/* virDomainVcpuDefPostParse. */
static int resolve_hotpluggable(struct vb_vcpu_def *vcpus, const enum tristate *hotpluggable, unsigned int max,
                                struct vb_error *err)
{
    for (unsigned int i = 0; i < max; i++) {
        if (hotpluggable[i] == TRISTATE_NO && !vcpus[i].enabled)
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "vcpu '%u' is both offline and not hotpluggable",
                                i);
        vcpus[i].hotpluggable = hotpluggable[i] == TRISTATE_ABSENT ? !vcpus[i].enabled
                                                                    : hotpluggable[i] == TRISTATE_YES;
    }
    return 0;
}

static unsigned int count_enabled(const struct vb_vcpu_def *vcpus, unsigned int max)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < max; i++)
        n += vcpus[i].enabled;
    return n;
}

int vb_vcpus_parse(struct vb_domain_def *def, xmlNodePtr root, struct vb_error *err)
{
    unsigned int max = ((const struct vb_unmodelled *) def->unmodelled)->have_vcpu ? def->vcpus_max : 1;
    _cleanup_free_ struct vb_vcpu_def *vcpus = NULL;
    _cleanup_free_ enum tristate *hotpluggable = NULL;
    bool any = false;

    for (xmlNodePtr list = root->children; list; list = list->next) {
        if (list->type != XML_ELEMENT_NODE || !vb_xml_is_element(list, "vcpus"))
            continue;
        for (xmlNodePtr node = list->children; node; node = node->next) {
            if (node->type != XML_ELEMENT_NODE || !vb_xml_is_element(node, "vcpu"))
                continue;
            if (!vcpus && (!(vcpus = calloc(max + 1, sizeof(*vcpus))) ||
                           !(hotpluggable = calloc(max + 1, sizeof(*hotpluggable)))))
                return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            if (parse_one(node, max, vcpus, hotpluggable, err) < 0)
                return -1;
            any = true;
        }
    }
    if (!any)
        return 0;
    if (resolve_hotpluggable(vcpus, hotpluggable, max, err) < 0)
        return -1;
    def->vcpus_current = count_enabled(vcpus, max);
    free(def->vcpus);
    def->vcpus = TAKE_PTR(vcpus);
    return 0;
}

void vb_vcpus_format(struct vb_buf *buf, const struct vb_domain_def *def)
{
    if (!def->vcpus)
        return;
    vb_buf_add(buf, "  <vcpus>\n");
    for (unsigned int i = 0; i < def->vcpus_max; i++) {
        const struct vb_vcpu_def *vcpu = &def->vcpus[i];

        vb_buf_addf(buf, "    <vcpu id='%u' enabled='%s' hotpluggable='%s'", i, vcpu->enabled ? "yes" : "no",
                    vcpu->hotpluggable ? "yes" : "no");
        if (vcpu->order)
            vb_buf_addf(buf, " order='%u'", vcpu->order);
        vb_buf_add(buf, "/>\n");
    }
    vb_buf_add(buf, "  </vcpus>\n");
}

struct vb_vcpu_def vb_domain_def_get_vcpu(const struct vb_domain_def *def, unsigned int id)
{
    if (id >= def->vcpus_max)
        return (struct vb_vcpu_def){ 0 };
    if (def->vcpus)
        return def->vcpus[id];
    return (struct vb_vcpu_def){ .enabled = id < def->vcpus_current, .hotpluggable = id >= def->vcpus_current };
}

int vb_domain_def_make_individual_vcpus(struct vb_domain_def *def, struct vb_error *err)
{
    struct vb_vcpu_def *vcpus;

    if (def->vcpus)
        return 0;
    if (!(vcpus = calloc(def->vcpus_max + 1, sizeof(*vcpus))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int i = 0; i < def->vcpus_max; i++)
        vcpus[i] = vb_domain_def_get_vcpu(def, i);
    def->vcpus = vcpus;
    return 0;
}

int vb_domain_def_set_vcpu(struct vb_domain_def *def, unsigned int id, struct vb_vcpu_def state,
                           struct vb_error *err)
{
    if (id >= def->vcpus_max)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "vcpu id '%u' is out of range of maximum vcpu count", id);
    if (vb_domain_def_make_individual_vcpus(def, err) < 0)
        return -1;
    def->vcpus[id] = state;
    def->vcpus_current = count_enabled(def->vcpus, def->vcpus_max);
    return 0;
}

static void clear_order(struct vb_domain_def *def)
{
    for (unsigned int i = 0; def->vcpus && i < def->vcpus_max; i++)
        def->vcpus[i].order = 0;
}

void vb_domain_def_set_vcpus_config(struct vb_domain_def *def, unsigned int count)
{
    unsigned int current = def->vcpus_current;
    bool hotpluggable = false;

    if (!def->vcpus) {
        def->vcpus_current = count;
        return;
    }
    clear_order(def);
    for (unsigned int i = 0; i < def->vcpus_max && current < count; i++) {
        struct vb_vcpu_def *vcpu = &def->vcpus[i];

        /* Enabled non-hotpluggable vCPUs must come first. */
        if (vcpu->enabled) {
            hotpluggable |= vcpu->hotpluggable;
            continue;
        }
        *vcpu = (struct vb_vcpu_def){ .enabled = true, .hotpluggable = hotpluggable };
        current++;
    }
    for (unsigned int i = def->vcpus_max; i > 0 && current > count; i--) {
        struct vb_vcpu_def *vcpu = &def->vcpus[i - 1];

        if (!vcpu->enabled)
            continue;
        *vcpu = (struct vb_vcpu_def){ .enabled = false, .hotpluggable = true };
        current--;
    }
    def->vcpus_current = current;
}

int vb_domain_def_set_vcpus_max(struct vb_domain_def *def, unsigned int max, struct vb_error *err)
{
    struct vb_vcpu_def *vcpus;

    if (!def->vcpus) {
        def->vcpus_max = max;
        if (def->vcpus_current > max)
            def->vcpus_current = max;
        return 0;
    }
    if (!(vcpus = realloc(def->vcpus, (max + 1) * sizeof(*vcpus))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int i = def->vcpus_max; i < max; i++)
        vcpus[i] = (struct vb_vcpu_def){ .hotpluggable = true };
    def->vcpus = vcpus;
    def->vcpus_max = max;
    clear_order(def);
    def->vcpus_current = count_enabled(vcpus, max);
    return 0;
}
