/* Formatting of kept XML: escaping, elements and attributes in libvirt's layout, and the
 * fragments (unmodelled elements stored as text) the domain formatter splices in. */
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
