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

/* node itself when every namespace it uses is declared inside it; else, as the model always
 * did, a private copy to which libxml2 adds the declarations made by its ancestors (*scratch,
 * for the caller to free). NULL when out of memory. */
static xmlNodePtr self_contained(xmlNodePtr node, int extended, xmlNodePtr *scratch)
{
    *scratch = NULL;
    for (xmlNodePtr up = node->parent; up && up->type == XML_ELEMENT_NODE; up = up->parent)
        if (up->nsDef)
            return *scratch = vb_xml_node_adopt(node, extended);
    return node;
}

/* Hands out buf's text, exactly sized; NULL when empty or out of memory (*oom tells). */
static char *buf_take_exact(struct vb_buf *buf, bool *oom)
{
    char *text;

    *oom = buf->oom;
    if (buf->oom || !buf->len) {
        vb_buf_free(buf);
        return NULL;
    }
    text = realloc(buf->data, buf->len + 1);
    if (!text)
        text = buf->data;
    *buf = (struct vb_buf){ 0 };
    return text;
}

static bool declares_default(xmlNodePtr node)
{
    for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next)
        if (!ns->prefix && ns->href && ns->href[0])
            return true;
    return false;
}

/* Whether the elements whose declarations are in scope where node is printed (<domain>, and
 * <os> for its children) declare a default namespace: an xmlns='' inside node is then meant. */
static bool default_namespace_around(xmlNodePtr node)
{
    for (xmlNodePtr up = node->parent; up && up->type == XML_ELEMENT_NODE; up = up->parent) {
        bool is_root = !up->parent || up->parent->type != XML_ELEMENT_NODE;
        bool is_os = vb_xml_is_element(up, "os") && up->parent == xmlDocGetRootElement(up->doc);

        if ((is_root || is_os) && declares_default(up))
            return true;
    }
    return false;
}

char *vb_fragment_new(xmlNodePtr node, int level, enum vb_xml_quote quote)
{
    /* A default namespace no fragment can know of: every xmlns='' is printed, and left out
     * again, if redundant, when the fragment is printed in its definition's scope. */
    static xmlNs unknown_default = { .href = BAD_CAST "\x01" };
    static const struct vb_ns_scope unknown = { NULL, &unknown_default };
    _cleanup_(vb_xml_node_freep) xmlNodePtr scratch = NULL;
    bool in_default = default_namespace_around(node);
    xmlNodePtr source = self_contained(node, 1, &scratch);
    struct vb_buf buf = { 0 };
    bool oom;

    if (!source)
        return NULL;
    vb_xml_format_node(&buf, source, level, quote, NULL, in_default ? &unknown : NULL);
    return buf_take_exact(&buf, &oom);
}

int vb_attrs_text(xmlNodePtr node, const char *const *skip, const struct vb_ns_scope *scope,
                  char **out)
{
    _cleanup_(vb_xml_node_freep) xmlNodePtr scratch = NULL;
    xmlNodePtr source = self_contained(node, 2, &scratch);
    struct vb_buf buf = { 0 };
    bool oom;

    *out = NULL;
    if (!source)
        return -1;
    vb_xml_format_attrs(&buf, source, VB_XML_QUOTE_SINGLE, skip, scope);
    *out = buf_take_exact(&buf, &oom);
    return oom ? -1 : 0;
}

xmlDocPtr vb_fragment_parse(const char *text)
{
    struct vb_error err = VB_ERROR_INIT;
    xmlDocPtr doc = vb_xml_parse_string(text, "(fragment)", &err);

    vb_error_clear(&err);
    return doc;
}

/* The end of the attribute starting at the blank `p` of a start tag printed by this file
 * (values are quoted and never hold their quote), or NULL at the end of the tag. */
static const char *attr_end(const char *p, const char **name, size_t *name_len)
{
    const char *eq, *close;

    if (*p != ' ')
        return NULL;
    *name = p + 1;
    eq = strchr(*name, '=');
    if (!eq || (eq[1] != '\'' && eq[1] != '"'))
        return NULL;
    *name_len = (size_t) (eq - *name);
    close = strchr(eq + 2, eq[1]);
    return close ? close + 1 : NULL;
}

static bool attr_is(const char *name, size_t len, const char *local)
{
    const char *colon = memchr(name, ':', len);
    size_t prefix = colon ? (size_t) (colon - name) : 0;

    /* namespace declarations are not attributes */
    if ((len == 5 || prefix == 5) && !strncmp(name, "xmlns", 5))
        return false;
    if (colon) {
        name = colon + 1;
        len -= prefix + 1;
    }
    return len == strlen(local) && !strncmp(name, local, len);
}

void vb_fragment_add(struct vb_buf *buf, const char *text, const char *skip_attr)
{
    const char *p = text, *run = text, *end, *name;
    size_t name_len;

    if (!skip_attr) {
        vb_buf_add(buf, text);
        return;
    }
    while (*p == ' ')
        p++;
    p += strcspn(p, " />");
    while ((end = attr_end(p, &name, &name_len))) {
        if (attr_is(name, name_len, skip_attr)) {
            vb_buf_add_len(buf, run, (size_t) (p - run));
            run = end;
        }
        p = end;
    }
    vb_buf_add(buf, run);
}

struct format_ctx {
    struct vb_buf *buf;
    const struct vb_domain_def *def;
    const struct vb_unmodelled *u; /* never NULL: an empty one stands in for hand-made defs */
    unsigned int flags;
    /* Only for a namespaced definition: <domain><os/></domain> with their attributes, parsed
     * once when a fragment first needs their declarations in scope. */
    xmlDocPtr scope_doc;
    struct vb_ns_scope domain_scope, os_scope;
};

static void add_attrs(struct vb_buf *buf, const char *attrs)
{
    if (attrs)
        vb_buf_add(buf, attrs);
}

static bool load_scope(struct format_ctx *ctx)
{
    struct vb_buf wrapper = { 0 };
    xmlNodePtr domain, os;

    if (ctx->scope_doc)
        return true;
    vb_buf_add(&wrapper, "<domain");
    add_attrs(&wrapper, ctx->u->domain_attrs);
    vb_buf_add(&wrapper, "><os");
    add_attrs(&wrapper, ctx->u->os_attrs);
    vb_buf_add(&wrapper, "/></domain>");
    ctx->scope_doc = wrapper.oom ? NULL : vb_fragment_parse(wrapper.data);
    vb_buf_free(&wrapper);
    domain = ctx->scope_doc ? xmlDocGetRootElement(ctx->scope_doc) : NULL;
    os = domain ? vb_xml_child(domain, "os") : NULL;
    if (!os)
        return false;
    ctx->domain_scope = (struct vb_ns_scope){ NULL, domain->nsDef };
    ctx->os_scope = (struct vb_ns_scope){ &ctx->domain_scope, os->nsDef };
    return true;
}

/* A fragment at its place: as stored, unless enclosing elements declare namespaces and the
 * fragment declares some too, which may then be left out as repeats. */
static void format_fragment(struct format_ctx *ctx, const char *text, int level,
                            enum vb_xml_quote quote, const char *skip_attr, bool in_os)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;

    if (!text)
        return;
    if (!ctx->u->namespaced || !strstr(text, "xmlns")) {
        vb_fragment_add(ctx->buf, text, skip_attr);
        return;
    }
    doc = load_scope(ctx) ? vb_fragment_parse(text) : NULL;
    if (!doc) {
        ctx->buf->oom = true;
        return;
    }
    vb_xml_format_node(ctx->buf, xmlDocGetRootElement(doc), level, quote, skip_attr,
                       in_os ? &ctx->os_scope : &ctx->domain_scope);
}

/* The kept children of <domain> (in_os false, level 1) or <os> (level 2) at one slot. */
static void format_extras(struct format_ctx *ctx, bool in_os, int slot)
{
    const struct vb_extra_list *list = in_os ? &ctx->u->os_children : &ctx->u->top;

    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].slot == slot)
            format_fragment(ctx, list->items[i].text, in_os ? 2 : 1, VB_XML_QUOTE_SINGLE, NULL,
                            in_os);
}

/* Whether a fragment's element has local name `name`. */
static bool fragment_is(const char *text, const char *name)
{
    size_t len;
    const char *colon;

    text += strspn(text, " ");
    if (*text++ != '<')
        return false;
    len = strcspn(text, " />\n");
    colon = memchr(text, ':', len);
    if (colon) {
        len -= (size_t) (colon + 1 - text);
        text = colon + 1;
    }
    return len == strlen(name) && !strncmp(text, name, len);
}

static bool has_extra(const struct vb_extra_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (fragment_is(list->items[i].text, name))
            return true;
    return false;
}

static void format_memory(struct format_ctx *ctx)
{
    vb_buf_add(ctx->buf, "  <memory unit='KiB'");
    add_attrs(ctx->buf, ctx->u->memory_attrs);
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
    unsigned int max = ctx->def->vcpus_max ? ctx->def->vcpus_max : 1;

    vb_buf_add(ctx->buf, ctx->u->vcpu_auto ? "  <vcpu placement='auto'"
                                           : "  <vcpu placement='static'");
    if (ctx->u->vcpu_cpuset) {
        vb_buf_add(ctx->buf, " cpuset='");
        vb_buf_escape(ctx->buf, ctx->u->vcpu_cpuset);
        vb_buf_add(ctx->buf, "'");
    }
    if (ctx->def->vcpus_current && ctx->def->vcpus_current < max)
        vb_buf_addf(ctx->buf, " current='%u'", ctx->def->vcpus_current);
    add_attrs(ctx->buf, ctx->u->vcpu_attrs);
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
    vb_buf_add(ctx->buf, "  <os");
    add_attrs(ctx->buf, ctx->u->os_attrs);
    vb_buf_add(ctx->buf, ">\n");
    format_extras(ctx, true, -1);
    for (int slot = 0; vb_os_slots[slot]; slot++) {
        format_os_slot(ctx, vb_os_slots[slot]);
        format_extras(ctx, true, slot);
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
    /* libvirt prints a graphics password only for VIR_DOMAIN_XML_SECURE. */
    const char *secret = ctx->flags & VB_DOMAIN_XML_SECURE ? NULL : "passwd";

    vb_buf_add(ctx->buf, "  <devices>\n");
    for (size_t i = 0; i < ctx->def->n_devices; i++) {
        const struct vb_device_def *dev = ctx->def->devices[i];

        format_fragment(ctx, dev->xml_text, 2, VB_XML_QUOTE_SINGLE,
                        dev->kind == VB_DEVICE_GRAPHICS ? secret : NULL, false);
    }
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
        format_fragment(ctx, ctx->u->metadata, 1, VB_XML_QUOTE_DOUBLE, NULL, false);
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
    const struct vb_domain_def *def = ctx->def;

    vb_buf_add(ctx->buf, "<domain type='");
    vb_buf_escape(ctx->buf, def->virt_type ? def->virt_type : "test");
    vb_buf_add(ctx->buf, "'");
    if (def->id >= 0 && !(ctx->flags & VB_DOMAIN_XML_INACTIVE))
        vb_buf_addf(ctx->buf, " id='%d'", def->id);
    /* Declarations go out with nothing in scope: <domain> is where they are all printed. */
    add_attrs(ctx->buf, ctx->u->domain_attrs);
    vb_buf_add(ctx->buf, ">\n");
}

char *vb_domain_def_format(const struct vb_domain_def *def, unsigned int flags, struct vb_error *err)
{
    struct vb_unmodelled empty = { 0 };
    struct vb_buf buf = { 0 };
    struct format_ctx ctx = { .buf = &buf, .def = def, .flags = flags };

    if (!def) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "def in %s must not be NULL", __func__);
        return NULL;
    }
    ctx.u = def->unmodelled ? def->unmodelled : &empty;
    format_domain_open(&ctx);
    format_extras(&ctx, false, -1);
    for (int slot = 0; vb_domain_slots[slot]; slot++) {
        format_slot(&ctx, vb_domain_slots[slot]);
        format_extras(&ctx, false, slot);
    }
    vb_buf_add(&buf, "</domain>\n");
    if (ctx.scope_doc)
        xmlFreeDoc(ctx.scope_doc);
    return vb_buf_steal(&buf, err);
}
