/* Domain metadata: title, description and namespaced <metadata> children, with libvirt's
 * virDomainGetMetadata/virDomainSetMetadata semantics. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "conf/domain_def_internal.h"

static bool same_href(xmlNsPtr ns, const xmlChar *href)
{
    return ns && ns->href && xmlStrEqual(ns->href, href);
}

static bool has_uri(xmlNsPtr ns, const char *uri)
{
    return ns && vb_xml_href_equal(ns->href, uri);
}

char *vb_metadata_parse(xmlNodePtr node)
{
    _cleanup_(vb_xml_node_freep) xmlNodePtr copy = vb_xml_node_dup(node);
    xmlNodePtr child, next;

    if (!copy)
        return NULL;
    for (child = copy->children; child; child = next) {
        next = child->next;
        if (child->type != XML_ELEMENT_NODE || !child->ns || !child->ns->href) {
            vb_xml_node_free(child);
            continue;
        }
        /* Only the first element of each namespace is kept. */
        for (xmlNodePtr prev = copy->children; prev != child; prev = prev->next) {
            if (same_href(prev->ns, child->ns->href)) {
                vb_xml_node_free(child);
                break;
            }
        }
    }
    return vb_fragment_new(copy, 1, VB_XML_QUOTE_DOUBLE);
}

static struct vb_unmodelled *unmodelled_of(const struct vb_domain_def *def)
{
    return def->unmodelled;
}

/* <metadata> parsed back, or NULL (*doc NULL too) when there is none or memory ran out. */
static xmlNodePtr metadata_parse_back(const struct vb_domain_def *def, xmlDocPtr *doc)
{
    const struct vb_unmodelled *u = unmodelled_of(def);

    *doc = u && u->metadata ? vb_fragment_parse(u->metadata) : NULL;
    return *doc ? xmlDocGetRootElement(*doc) : NULL;
}

static xmlNodePtr find_by_namespace(xmlNodePtr metadata, const char *uri)
{
    for (xmlNodePtr child = metadata ? metadata->children : NULL; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE && has_uri(child->ns, uri))
            return child;
    return NULL;
}

/* Drops the namespace `uri` from an element subtree (elements and attributes). */
static void strip_namespace(xmlNodePtr node, const char *uri)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (has_uri(node->ns, uri))
            xmlSetNs(node, NULL);
        for (xmlAttrPtr attr = node->properties; attr; attr = attr->next)
            if (has_uri(attr->ns, uri))
                attr->ns = NULL;
        strip_namespace(node->children, uri);
    }
}

static void remove_ns_def(xmlNodePtr node, const char *uri)
{
    for (xmlNsPtr *link = &node->nsDef; *link; link = &(*link)->next) {
        if (has_uri(*link, uri)) {
            xmlNsPtr ns = *link;
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
            return;
        }
    }
}

/* As libvirt's virXMLExtractNamespaceXML: the element, without its namespace. */
static char *extract_namespace_xml(xmlNodePtr metadata, const char *uri, struct vb_error *err)
{
    _cleanup_(vb_xml_node_freep) xmlNodePtr copy = NULL;
    struct vb_buf buf = { 0 };
    xmlNodePtr node = find_by_namespace(metadata, uri);

    if (!node)
        return NULL;
    copy = vb_xml_node_dup(node);
    if (!copy) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    strip_namespace(copy, uri);
    remove_ns_def(copy, uri);
    vb_xml_format_node(&buf, copy, 0, VB_XML_QUOTE_DOUBLE, NULL, NULL);
    /* xmlNodeDump, which libvirt uses, ends without a newline. */
    if (!buf.oom && buf.len && buf.data[buf.len - 1] == '\n')
        buf.data[--buf.len] = '\0';
    return vb_buf_steal(&buf, err);
}

static char *strdup_or_oom(const char *s, struct vb_error *err)
{
    char *copy = strdup(s);

    if (!copy)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return copy;
}

char *vb_domain_def_get_metadata(const struct vb_domain_def *def, enum vb_metadata_type type,
                                 const char *uri, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    const struct vb_unmodelled *u;
    xmlNodePtr metadata;
    const char *text = NULL;

    if (!def) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "def in %s must not be NULL", __func__);
        return NULL;
    }
    switch (type) {
    case VB_METADATA_DESCRIPTION:
        text = def->description;
        break;
    case VB_METADATA_TITLE:
        text = def->title;
        break;
    case VB_METADATA_ELEMENT:
        if (!uri) {
            vb_error_set(err, VB_ERR_INVALID_ARG, "uri in virDomainGetMetadata must not be NULL");
            return NULL;
        }
        u = unmodelled_of(def);
        if (!u || !u->metadata)
            break;
        metadata = metadata_parse_back(def, &doc);
        if (!metadata) {
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            return NULL;
        }
        if (find_by_namespace(metadata, uri))
            return extract_namespace_xml(metadata, uri, err);
        break;
    default:
        vb_error_set(err, VB_ERR_INVALID_ARG, "unknown metadata type '%d'", (int) type);
        return NULL;
    }
    if (text)
        return strdup_or_oom(text, err);
    vb_error_set(err, VB_ERR_NO_DOMAIN_METADATA, "Requested metadata element is not present");
    return NULL;
}

static void add_namespace(xmlNodePtr node, xmlNsPtr ns)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (!node->ns)
            xmlSetNs(node, ns);
        add_namespace(node->children, ns);
    }
}

/* As libvirt's virXMLInjectNamespace on a private copy of the caller's element. */
static xmlNodePtr element_in_namespace(const char *value, const char *key, const char *uri,
                                       struct vb_error *err)
{
    xmlDocPtr doc = vb_xml_parse_string(value, "(metadata_xml)", err);
    xmlNodePtr node;
    xmlNsPtr ns;

    if (!doc)
        return NULL;
    node = vb_xml_node_dup(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    if (!node) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    if (xmlValidateNCName(BAD_CAST key, 0) != 0 || streq(key, "xml") || streq(key, "xmlns")) {
        vb_xml_node_free(node);
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "failed to validate prefix for a new XML namespace");
        return NULL;
    }
    ns = xmlNewNs(node, BAD_CAST uri, BAD_CAST key);
    if (!ns) {
        vb_xml_node_free(node);
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "failed to create a new XML namespace");
        return NULL;
    }
    add_namespace(node, ns);
    return node;
}

/* The text of a new <metadata>: the old one without elements of namespace uri, plus
 * `element`. NULL when out of memory. */
static char *replace_element(const struct vb_domain_def *def, const char *uri, xmlNodePtr element)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr metadata = metadata_parse_back(def, &doc), old, added;

    if (!doc && unmodelled_of(def) && unmodelled_of(def)->metadata)
        return NULL;
    if (!doc) {
        doc = xmlNewDoc(BAD_CAST "1.0");
        metadata = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "metadata", NULL) : NULL;
        if (!metadata)
            return NULL;
        xmlDocSetRootElement(doc, metadata);
    }
    while ((old = find_by_namespace(metadata, uri)))
        vb_xml_node_free(old);
    if (element) {
        added = xmlDocCopyNode(element, doc, 1);
        if (!added || !xmlAddChild(metadata, added)) {
            xmlFreeNode(added);
            return NULL;
        }
    }
    return vb_fragment_new(metadata, 1, VB_XML_QUOTE_DOUBLE);
}

static int set_element(struct vb_domain_def *def, const char *value, const char *key,
                       const char *uri, struct vb_error *err)
{
    _cleanup_(vb_xml_node_freep) xmlNodePtr element = NULL;
    char *metadata;

    if (!uri || !*uri)
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "uri in virDomainSetMetadata must not be NULL");
    if (value && *value) {
        if (!key)
            return vb_error_set(err, VB_ERR_INVALID_ARG,
                                "key in virDomainSetMetadata must not be NULL");
        element = element_in_namespace(value, key, uri, err);
        if (!element)
            return -1;
    }
    /* A hand-made definition has nowhere to keep metadata yet. */
    if (!def->unmodelled && !(def->unmodelled = vb_unmodelled_new()))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    metadata = replace_element(def, uri, element);
    if (!metadata)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    free(unmodelled_of(def)->metadata);
    unmodelled_of(def)->metadata = metadata;
    return 0;
}

static int set_text(char **field, const char *value, struct vb_error *err)
{
    char *copy = NULL;

    if (value && *value) {
        copy = strdup_or_oom(value, err);
        if (!copy)
            return -1;
    }
    free(*field);
    *field = copy;
    return 0;
}

int vb_domain_def_set_metadata(struct vb_domain_def *def, enum vb_metadata_type type,
                               const char *value, const char *key, const char *uri,
                               struct vb_error *err)
{
    if (!def)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "def in %s must not be NULL", __func__);
    switch (type) {
    case VB_METADATA_DESCRIPTION:
    case VB_METADATA_TITLE:
        if (uri)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "uri in virDomainSetMetadata must be NULL");
        if (key)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "key in virDomainSetMetadata must be NULL");
        if (type == VB_METADATA_DESCRIPTION)
            return set_text(&def->description, value, err);
        if (value && strchr(value, '\n'))
            return vb_error_set(err, VB_ERR_INVALID_ARG, "metadata title can't contain newlines");
        return set_text(&def->title, value, err);
    case VB_METADATA_ELEMENT:
        return set_element(def, value, key, uri, err);
    }
    return vb_error_set(err, VB_ERR_INVALID_ARG, "unknown metadata type '%d'", (int) type);
}
