/* Formatting of struct vb_domain_def to libvirt's canonical domain XML layout, and of the
 * subtrees kept verbatim. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"

#define AMP_REF "&#38;"

/* One escaping routine for both quoting styles: libvirt escapes quotes everywhere, libxml2
 * only inside attributes. Line breaks and tabs inside attributes become character references
 * so a re-parse does not normalise them to spaces. */
static void escape(struct vb_buf *buf, const char *s, enum vb_xml_quote quote, bool attribute)
{
    const char *run = s;

    for (const char *p = s; *p; p++) {
        const char *rep = NULL;

        switch (*p) {
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '&': rep = "&amp;"; break;
        case '\r': rep = "&#13;"; break;
        case '\'': rep = quote == VB_XML_QUOTE_SINGLE ? "&apos;" : NULL; break;
        case '"': rep = quote == VB_XML_QUOTE_SINGLE || attribute ? "&quot;" : NULL; break;
        case '\n': rep = attribute ? "&#10;" : NULL; break;
        case '\t': rep = attribute ? "&#9;" : NULL; break;
        default: break;
        }
        if (!rep)
            continue;
        vb_buf_add_len(buf, run, (size_t) (p - run));
        vb_buf_add(buf, rep);
        run = p + 1;
    }
    vb_buf_add(buf, run);
}

void vb_buf_escape(struct vb_buf *buf, const char *s)
{
    escape(buf, s, VB_XML_QUOTE_SINGLE, true);
}

void vb_buf_element(struct vb_buf *buf, int level, const char *name, const char *text)
{
    if (!text)
        return;
    vb_buf_indent(buf, level);
    vb_buf_addf(buf, "<%s>", name);
    escape(buf, text, VB_XML_QUOTE_SINGLE, false);
    vb_buf_addf(buf, "</%s>\n", name);
}

static void add_qname(struct vb_buf *buf, xmlNsPtr ns, const xmlChar *name)
{
    if (ns && ns->prefix) {
        vb_buf_add(buf, (const char *) ns->prefix);
        vb_buf_add(buf, ":");
    }
    vb_buf_add(buf, (const char *) name);
}

static bool ns_in_scope(const struct vb_ns_scope *scope, xmlNsPtr def)
{
    for (; scope; scope = scope->parent)
        for (xmlNsPtr ns = scope->defs; ns; ns = ns->next)
            if (xmlStrEqual(ns->prefix, def->prefix))
                return xmlStrEqual(ns->href, def->href);
    /* Nothing declared: the default namespace is the empty one, and "xml" is implicit. */
    if (!def->prefix)
        return !def->href || !def->href[0];
    return xmlStrEqual(def->prefix, BAD_CAST "xml");
}

/* libxml2 keeps an '&' of a namespace name as the text "&#38;" (its attribute values are
 * re-parsed later, namespace names are not): print it as one escaped '&'. */
static void escape_href(struct vb_buf *buf, const char *href, enum vb_xml_quote quote)
{
    _cleanup_free_ char *decoded = strdup(href);
    char *amp;

    if (!decoded) {
        buf->oom = true;
        return;
    }
    for (amp = decoded; (amp = strstr(amp, AMP_REF)); amp++)
        memmove(amp + 1, amp + strlen(AMP_REF), strlen(amp + strlen(AMP_REF)) + 1);
    escape(buf, decoded, quote, true);
}

static void format_ns_defs(struct vb_buf *buf, xmlNodePtr node, enum vb_xml_quote quote,
                           const struct vb_ns_scope *scope)
{
    const char *q = quote == VB_XML_QUOTE_SINGLE ? "'" : "\"";

    for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next) {
        if (ns_in_scope(scope, ns))
            continue;
        vb_buf_add(buf, ns->prefix ? " xmlns:" : " xmlns");
        if (ns->prefix)
            vb_buf_add(buf, (const char *) ns->prefix);
        vb_buf_add(buf, "=");
        vb_buf_add(buf, q);
        escape_href(buf, ns->href ? (const char *) ns->href : "", quote);
        vb_buf_add(buf, q);
    }
}

static bool name_listed(const xmlChar *name, const char *const *list)
{
    for (; list && *list; list++)
        if (xmlStrEqual(name, BAD_CAST *list))
            return true;
    return false;
}

/* xml:space='preserve' changes how a re-parse treats blanks in a subtree, and a kept subtree
 * no longer sees its ancestors: it is left out, the blanks it kept being printed as text. */
static bool is_xml_space(xmlAttrPtr attr)
{
    return attr->ns && xmlStrEqual(attr->ns->prefix, BAD_CAST "xml") &&
           xmlStrEqual(attr->name, BAD_CAST "space");
}

static void format_props(struct vb_buf *buf, xmlNodePtr node, enum vb_xml_quote quote,
                         const char *const *skip)
{
    const char *q = quote == VB_XML_QUOTE_SINGLE ? "'" : "\"";

    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (name_listed(attr->name, skip) || is_xml_space(attr))
            continue;
        vb_buf_add(buf, " ");
        add_qname(buf, attr->ns, attr->name);
        vb_buf_add(buf, "=");
        vb_buf_add(buf, q);
        for (xmlNodePtr text = attr->children; text; text = text->next)
            if (text->content)
                escape(buf, (const char *) text->content, quote, true);
        vb_buf_add(buf, q);
    }
}

void vb_xml_format_attrs(struct vb_buf *buf, xmlNodePtr node, enum vb_xml_quote quote,
                         const char *const *skip, const struct vb_ns_scope *scope)
{
    /* libvirt prints its namespace declarations after its attributes; xmlNodeDump before. */
    if (quote == VB_XML_QUOTE_DOUBLE)
        format_ns_defs(buf, node, quote, scope);
    format_props(buf, node, quote, skip);
    if (quote == VB_XML_QUOTE_SINGLE)
        format_ns_defs(buf, node, quote, scope);
}

static bool is_text(xmlNodePtr node)
{
    return node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE;
}

static bool has_output(xmlNodePtr node, bool *mixed)
{
    bool any = false;

    *mixed = false;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        if (is_text(child) && child->content && child->content[0])
            *mixed = any = true;
        else if (child->type == XML_ELEMENT_NODE)
            any = true;
    }
    return any;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* Prints the text nodes from *child up to the next element as one run (comments between
 * them are dropped, so they join). A blank run beside elements goes out as character
 * references: libxml2's blank heuristic (XML_PARSE_NOBLANKS) would drop it as literal text. */
static xmlNodePtr format_text_run(struct vb_buf *buf, xmlNodePtr child, enum vb_xml_quote quote,
                                  bool beside_elements)
{
    struct vb_buf run = { 0 };

    for (; child && child->type != XML_ELEMENT_NODE; child = child->next)
        if (is_text(child) && child->content)
            vb_buf_add(&run, (const char *) child->content);
    if (run.oom)
        buf->oom = true;
    else if (run.data && beside_elements && is_blank(run.data))
        for (const char *p = run.data; *p; p++)
            vb_buf_addf(buf, "&#%d;", *p);
    else if (run.data)
        escape(buf, run.data, quote, false);
    vb_buf_free(&run);
    return child;
}

static void format_element(struct vb_buf *buf, xmlNodePtr node, int level, bool pretty,
                           enum vb_xml_quote quote, const char *skip_attr,
                           const struct vb_ns_scope *scope)
{
    const char *skip[] = { skip_attr, NULL };
    struct vb_ns_scope inner = { scope, node->nsDef };
    bool mixed, children_pretty, has_elements = false;
    xmlNodePtr child;

    if (pretty)
        vb_buf_indent(buf, level);
    vb_buf_add(buf, "<");
    add_qname(buf, node->ns, node->name);
    vb_xml_format_attrs(buf, node, quote, skip, scope);
    if (!has_output(node, &mixed)) {
        vb_buf_add(buf, pretty ? "/>\n" : "/>");
        return;
    }
    /* As xmlNodeDump: an element holding text is printed without added whitespace inside. */
    children_pretty = pretty && !mixed;
    vb_buf_add(buf, children_pretty ? ">\n" : ">");
    for (child = node->children; child && !has_elements; child = child->next)
        has_elements = child->type == XML_ELEMENT_NODE;
    for (child = node->children; child;) {
        if (child->type == XML_ELEMENT_NODE) {
            format_element(buf, child, level + 1, children_pretty, quote, NULL, &inner);
            child = child->next;
        } else {
            child = format_text_run(buf, child, quote, has_elements);
        }
    }
    if (children_pretty)
        vb_buf_indent(buf, level);
    vb_buf_add(buf, "</");
    add_qname(buf, node->ns, node->name);
    vb_buf_add(buf, pretty ? ">\n" : ">");
}

void vb_xml_format_node(struct vb_buf *buf, xmlNodePtr node, int level, enum vb_xml_quote quote,
                        const char *skip_attr, const struct vb_ns_scope *scope)
{
    if (node && node->type == XML_ELEMENT_NODE)
        format_element(buf, node, level, true, quote, skip_attr, scope);
}

struct format_ctx {
    struct vb_buf *buf;
    const struct vb_domain_def *def;
    const struct vb_unmodelled *u; /* never NULL: an empty one stands in for hand-made defs */
    unsigned int flags;
    const struct vb_ns_scope *scope; /* declarations printed on <domain> */
};

static void format_extras(struct vb_buf *buf, const struct vb_extra_list *list, int slot,
                          int level, const struct vb_ns_scope *scope)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].slot == slot)
            vb_xml_format_node(buf, list->items[i].node, level, VB_XML_QUOTE_SINGLE, NULL, scope);
}

static bool has_extra(const struct vb_extra_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (vb_xml_is_element(list->items[i].node, name))
            return true;
    return false;
}

/* The attributes kept from an element the model reads, except those the model prints. */
static void format_kept_attrs(struct format_ctx *ctx, xmlNodePtr kept, const char *const *skip)
{
    if (kept)
        vb_xml_format_attrs(ctx->buf, kept, VB_XML_QUOTE_SINGLE, skip, ctx->scope);
}

static void format_memory(struct format_ctx *ctx)
{
    static const char *const skip[] = { "unit", NULL };

    vb_buf_add(ctx->buf, "  <memory unit='KiB'");
    format_kept_attrs(ctx, ctx->u->memory, skip);
    vb_buf_addf(ctx->buf, ">%" PRIu64 "</memory>\n", ctx->def->max_memory_kib);
}

/* libvirt always prints currentMemory; absent, it equals memory. */
static void format_current_memory(struct format_ctx *ctx)
{
    uint64_t current = ctx->def->current_memory_kib;

    if (!current || current > ctx->def->max_memory_kib)
        current = ctx->def->max_memory_kib;
    vb_buf_addf(ctx->buf, "  <currentMemory unit='KiB'>%" PRIu64 "</currentMemory>\n", current);
}

static void format_vcpu(struct format_ctx *ctx)
{
    static const char *const skip[] = { "placement", "cpuset", "current", NULL };
    xmlNodePtr kept = ctx->u->vcpu;
    _cleanup_free_ char *placement = vb_xml_prop(kept, "placement");
    _cleanup_free_ char *cpuset = vb_xml_prop(kept, "cpuset");
    unsigned int max = ctx->def->vcpus_max ? ctx->def->vcpus_max : 1;

    vb_buf_add(ctx->buf, "  <vcpu placement='");
    vb_buf_escape(ctx->buf, placement ? placement : "static");
    vb_buf_add(ctx->buf, "'");
    if (cpuset) {
        vb_buf_add(ctx->buf, " cpuset='");
        vb_buf_escape(ctx->buf, cpuset);
        vb_buf_add(ctx->buf, "'");
    }
    if (ctx->def->vcpus_current && ctx->def->vcpus_current < max)
        vb_buf_addf(ctx->buf, " current='%u'", ctx->def->vcpus_current);
    format_kept_attrs(ctx, kept, skip);
    vb_buf_addf(ctx->buf, ">%u</vcpu>\n", max);
}

static void format_os_type(struct format_ctx *ctx)
{
    const struct vb_domain_def *def = ctx->def;

    if (!def->os_type)
        return;
    vb_buf_add(ctx->buf, "    <type");
    if (def->os_arch) {
        vb_buf_add(ctx->buf, " arch='");
        vb_buf_escape(ctx->buf, def->os_arch);
        vb_buf_add(ctx->buf, "'");
    }
    if (def->os_machine) {
        vb_buf_add(ctx->buf, " machine='");
        vb_buf_escape(ctx->buf, def->os_machine);
        vb_buf_add(ctx->buf, "'");
    }
    vb_buf_add(ctx->buf, ">");
    vb_buf_escape(ctx->buf, def->os_type);
    vb_buf_add(ctx->buf, "</type>\n");
}

static void format_os_slot(struct format_ctx *ctx, const char *name)
{
    const struct vb_domain_def *def = ctx->def;

    if (streq(name, "type"))
        format_os_type(ctx);
    else if (streq(name, "kernel"))
        vb_buf_element(ctx->buf, 2, "kernel", def->os_kernel);
    else if (streq(name, "initrd"))
        vb_buf_element(ctx->buf, 2, "initrd", def->os_initrd);
    else if (streq(name, "cmdline"))
        vb_buf_element(ctx->buf, 2, "cmdline", def->os_cmdline);
    else if (streq(name, "boot"))
        for (size_t i = 0; def->boot_devices && def->boot_devices[i]; i++) {
            vb_buf_add(ctx->buf, "    <boot dev='");
            vb_buf_escape(ctx->buf, def->boot_devices[i]);
            vb_buf_add(ctx->buf, "'/>\n");
        }
}

static void format_os(struct format_ctx *ctx)
{
    struct vb_ns_scope scope = { ctx->scope, ctx->u->os ? ctx->u->os->nsDef : NULL };

    vb_buf_add(ctx->buf, "  <os");
    format_kept_attrs(ctx, ctx->u->os, NULL);
    vb_buf_add(ctx->buf, ">\n");
    format_extras(ctx->buf, &ctx->u->os_children, -1, 2, &scope);
    for (int slot = 0; vb_os_slots[slot]; slot++) {
        format_os_slot(ctx, vb_os_slots[slot]);
        format_extras(ctx->buf, &ctx->u->os_children, slot, 2, &scope);
    }
    vb_buf_add(ctx->buf, "  </os>\n");
}

static void format_lifecycle(struct format_ctx *ctx, const char *name,
                             enum vb_lifecycle_action action, enum vb_lifecycle_action fallback)
{
    const char *text = vb_lifecycle_action_to_string(action);

    /* An absent element means libvirt's default, which libvirt always prints. */
    vb_buf_element(ctx->buf, 1, name, text ? text : vb_lifecycle_action_to_string(fallback));
}

static void format_devices(struct format_ctx *ctx)
{
    vb_buf_add(ctx->buf, "  <devices>\n");
    for (size_t i = 0; i < ctx->def->n_devices; i++)
        vb_device_def_format(ctx->buf, ctx->def->devices[i], ctx->flags, 2, ctx->scope);
    vb_buf_add(ctx->buf, "  </devices>\n");
}

static void format_uuid(struct format_ctx *ctx)
{
    char uuid[VB_UUID_STRING_LEN];

    vb_uuid_format(ctx->def->uuid, uuid);
    vb_buf_addf(ctx->buf, "  <uuid>%s</uuid>\n", uuid);
}

/* The modelled element of one output slot, if any. */
static void format_slot(struct format_ctx *ctx, const char *name)
{
    const struct vb_domain_def *def = ctx->def;

    if (streq(name, "name"))
        vb_buf_element(ctx->buf, 1, "name", def->name);
    else if (streq(name, "uuid"))
        format_uuid(ctx);
    else if (streq(name, "title"))
        vb_buf_element(ctx->buf, 1, "title", def->title);
    else if (streq(name, "description"))
        vb_buf_element(ctx->buf, 1, "description", def->description);
    else if (streq(name, "metadata"))
        vb_xml_format_node(ctx->buf, def->metadata, 1, VB_XML_QUOTE_DOUBLE, NULL, ctx->scope);
    else if (streq(name, "memory"))
        format_memory(ctx);
    else if (streq(name, "currentMemory"))
        format_current_memory(ctx);
    else if (streq(name, "vcpu"))
        format_vcpu(ctx);
    else if (streq(name, "os"))
        format_os(ctx);
    else if (streq(name, "clock") && !has_extra(&ctx->u->top, "clock"))
        vb_buf_add(ctx->buf, "  <clock offset='utc'/>\n");
    else if (streq(name, "on_poweroff"))
        format_lifecycle(ctx, name, def->on_poweroff, VB_LIFECYCLE_DESTROY);
    else if (streq(name, "on_reboot"))
        format_lifecycle(ctx, name, def->on_reboot, VB_LIFECYCLE_RESTART);
    else if (streq(name, "on_crash"))
        format_lifecycle(ctx, name, def->on_crash, VB_LIFECYCLE_DESTROY);
    else if (streq(name, "devices"))
        format_devices(ctx);
}

static void format_domain_open(struct format_ctx *ctx)
{
    static const char *const skip[] = { "type", "id", NULL };
    const struct vb_domain_def *def = ctx->def;

    vb_buf_add(ctx->buf, "<domain type='");
    vb_buf_escape(ctx->buf, def->virt_type ? def->virt_type : "test");
    vb_buf_add(ctx->buf, "'");
    if (def->id >= 0 && !(ctx->flags & VB_DOMAIN_XML_INACTIVE))
        vb_buf_addf(ctx->buf, " id='%d'", def->id);
    /* Declarations go out with nothing in scope: <domain> is where they are all printed. */
    if (ctx->u->domain)
        vb_xml_format_attrs(ctx->buf, ctx->u->domain, VB_XML_QUOTE_SINGLE, skip, NULL);
    vb_buf_add(ctx->buf, ">\n");
}

char *vb_domain_def_format(const struct vb_domain_def *def, unsigned int flags, struct vb_error *err)
{
    struct vb_unmodelled empty = { 0 };
    struct vb_buf buf = { 0 };
    struct vb_ns_scope scope = { NULL, NULL };
    struct format_ctx ctx = { .buf = &buf, .def = def, .flags = flags, .scope = &scope };

    if (!def) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "def in %s must not be NULL", __func__);
        return NULL;
    }
    ctx.u = def->unmodelled ? def->unmodelled : &empty;
    if (ctx.u->domain)
        scope.defs = ctx.u->domain->nsDef;
    format_domain_open(&ctx);
    format_extras(&buf, &ctx.u->top, -1, 1, &scope);
    for (int slot = 0; vb_domain_slots[slot]; slot++) {
        format_slot(&ctx, vb_domain_slots[slot]);
        format_extras(&buf, &ctx.u->top, slot, 1, &scope);
    }
    vb_buf_add(&buf, "</domain>\n");
    return vb_buf_steal(&buf, err);
}
