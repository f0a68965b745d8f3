/* Plain-tree views of XML the domain model keeps as text (see conf/domain_view.h). */
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_view.h"

static struct vb_xml_element *element_new(const char *name)
{
    struct vb_xml_element *el = calloc(1, sizeof(*el));

    if (!el)
        return NULL;
    el->name = strdup(name);
    if (!el->name) {
        free(el);
        return NULL;
    }
    return el;
}

static int add_child(struct vb_xml_element *parent, struct vb_xml_element *child)
{
    struct vb_xml_element **grown;

    if (!child)
        return -1;
    grown = realloc(parent->children, (parent->n_children + 1) * sizeof(*grown));
    if (!grown) {
        vb_xml_element_free(child);
        return -1;
    }
    parent->children = grown;
    parent->children[parent->n_children++] = child;
    return 0;
}

static int copy_attrs(struct vb_xml_element *el, xmlNodePtr node)
{
    size_t n = 0, i = 0;

    for (xmlAttrPtr a = node->properties; a; a = a->next)
        n++;
    el->attrs = calloc(2 * n + 1, sizeof(char *));
    if (!el->attrs)
        return -1;
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        char *name = strdup((const char *) a->name), *value = vb_xml_prop(node, (const char *) a->name);
        if (!name || !value) {
            free(name);
            free(value);
            return -1;
        }
        el->attrs[i] = name;
        el->attrs[i + 1] = value;
        i += 2;
    }
    return 0;
}

static char *trimmed_content(xmlNodePtr node)
{
    char *text = vb_xml_content(node), *start = text;
    size_t len;

    if (!text)
        return NULL;
    while (*start == ' ' || *start == '\n' || *start == '\t' || *start == '\r')
        start++;
    len = strlen(start);
    while (len > 0 && strchr(" \n\t\r", start[len - 1]))
        len--;
    memmove(text, start, len);
    text[len] = '\0';
    return text;
}

static struct vb_xml_element *view_node(xmlNodePtr node)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = element_new((const char *) node->name);

    if (!el || copy_attrs(el, node) < 0)
        return NULL;
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && add_child(el, view_node(c)) < 0)
            return NULL;
    if (el->n_children == 0)
        el->text = trimmed_content(node);
    return TAKE_PTR(el);
}

static struct vb_xml_element *view_fragment(const char *text)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = vb_fragment_parse(text);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    return root ? view_node(root) : NULL;
}

struct vb_xml_element *vb_device_def_view(const struct vb_device_def *dev, struct vb_error *err)
{
    struct vb_xml_element *el = view_fragment(dev->xml_text);

    if (!el)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return el;
}

/* <os> with its kept attributes: they are stored as the text printed inside the start tag. */
static struct vb_xml_element *view_os(const struct vb_unmodelled *u)
{
    _cleanup_free_ char *text = NULL;

    if (asprintf(&text, "<os%s/>", u && u->os_attrs ? u->os_attrs : "") < 0)
        return NULL;
    return view_fragment(text);
}

struct vb_xml_element *vb_domain_def_view_unmodelled(const struct vb_domain_def *def, const char *where,
                                                     struct vb_error *err)
{
    const struct vb_unmodelled *u = def->unmodelled;
    bool os = where && streq(where, "os");
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = os ? view_os(u) : element_new("domain");
    const struct vb_extra_list *list = u ? (os ? &u->os_children : &u->top) : NULL;

    if (!el)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    for (size_t i = 0; list && i < list->n; i++)
        if (add_child(el, view_fragment(list->items[i].text)) < 0)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    return TAKE_PTR(el);
}

const char *vb_xml_element_attr(const struct vb_xml_element *el, const char *name)
{
    for (size_t i = 0; el && el->attrs && el->attrs[i]; i += 2)
        if (streq(el->attrs[i], name))
            return el->attrs[i + 1];
    return NULL;
}

const struct vb_xml_element *vb_xml_element_child(const struct vb_xml_element *el, const char *name)
{
    for (size_t i = 0; el && i < el->n_children; i++)
        if (streq(el->children[i]->name, name))
            return el->children[i];
    return NULL;
}

void vb_xml_element_free(struct vb_xml_element *el)
{
    if (!el)
        return;
    for (size_t i = 0; el->attrs && el->attrs[i]; i++)
        free(el->attrs[i]);
    for (size_t i = 0; i < el->n_children; i++)
        vb_xml_element_free(el->children[i]);
    free(el->attrs);
    free(el->children);
    free(el->text);
    free(el->name);
    free(el);
}

bool vb_device_def_disk_readonly(const struct vb_device_def *dev)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = NULL;

    if (dev->disk_device && streq(dev->disk_device, "cdrom"))
        return true;
    el = vb_device_def_view(dev, NULL);
    return el && vb_xml_element_child(el, "readonly");
}
