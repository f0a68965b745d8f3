/* libxml2 helpers for conf/: safe parsing of untrusted XML, node access, units, a string builder. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "conf/domain_def.h"
#include "conf/xml_scan.h"
#include "conf/xml_util.h"

/* Longest excerpt of the offending line quoted in a parse error. */
#define CONTEXT_MAX 160


struct parse_state {
    struct vb_error *err;
    bool doctype_seen;
    bool error_seen;
};

/* Copies the line around the parser's position and a "---^" pointer under the column, as
 * libvirt's catchXMLError does, bounded so a one-line 10 MiB document gives a short message. */
static void error_context(xmlParserCtxtPtr ctxt, char *line, char *pointer)
{
    const xmlChar *base, *cur, *end, *start;
    size_t n = 0, col;

    line[0] = '\0';
    strcpy(pointer, "^");
    if (!ctxt || !ctxt->input || !ctxt->input->base || !ctxt->input->cur)
        return;
    /* An encoding error is raised while libxml2 grows the input buffer, before it points the
     * input at the moved text: base is then stale, and reading it a use after free. */
    if (ctxt->input->buf && ctxt->input->buf->buffer &&
        ctxt->input->base != xmlBufContent(ctxt->input->buf->buffer))
        return;
    base = ctxt->input->base;
    cur = ctxt->input->cur;
    end = ctxt->input->end ? ctxt->input->end : cur;
    if (cur > end)
        cur = end;
    while (cur > base && (cur == end || *cur == '\n' || *cur == '\r'))
        cur--;
    start = cur;
    while (start > base && start[-1] != '\n' && start[-1] != '\r' && cur - start < CONTEXT_MAX / 2)
        start--;
    col = (size_t) (ctxt->input->cur - start);
    while (start + n < end && n < CONTEXT_MAX && start[n] && start[n] != '\n' && start[n] != '\r') {
        line[n] = (char) start[n];
        n++;
    }
    line[n] = '\0';
    for (size_t i = 0; i < col && i < n; i++)
        pointer[i] = line[i] == '\t' ? '\t' : '-';
    pointer[col < n ? col : n] = '^';
    pointer[(col < n ? col : n) + 1] = '\0';
}

static void on_parse_error(void *data, xmlErrorPtr error)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *state = ctxt ? ctxt->_private : NULL;
    char line[CONTEXT_MAX + 1], pointer[CONTEXT_MAX + 2];

    /* libvirt reports the first fatal error only; warnings and namespace errors pass. */
    if (!state || state->error_seen || !error || error->level != XML_ERR_FATAL || !error->message)
        return;
    state->error_seen = true;
    error_context(ctxt, line, pointer);
    if (error->file)
        vb_error_set(state->err, VB_ERR_XML_DETAIL, "%s:%d: %s%s\n%s", error->file, error->line,
                     error->message, line, pointer);
    else
        vb_error_set(state->err, VB_ERR_XML_DETAIL, "at line %d: %s%s\n%s", error->line,
                     error->message, line, pointer);
}

static void on_generic_error(void *data, const char *msg, ...)
{
    /* Errors raised without a parser context: the structured handler has them already. */
}

/* A DOCTYPE is where entity declarations and external entities live; refusing it at the
 * first SAX event means no entity is ever declared, expanded or fetched. */
static void refuse_doctype(void *data, const xmlChar *name, const xmlChar *external_id,
                           const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *state = ctxt->_private;

    state->doctype_seen = true;
    xmlStopParser(ctxt);
}

static void refuse_entity(void *data, const xmlChar *name, int type, const xmlChar *public_id,
                          const xmlChar *system_id, xmlChar *content)
{
    refuse_doctype(data, name, public_id, system_id);
}

static xmlDocPtr parse_with_context(xmlParserCtxtPtr ctxt, const char *xml, size_t len,
                                    const char *url)
{
    xmlStructuredErrorFunc saved_structured = xmlStructuredError;
    void *saved_structured_data = xmlStructuredErrorContext;
    xmlGenericErrorFunc saved_generic = xmlGenericError;
    void *saved_generic_data = xmlGenericErrorContext;
    xmlDocPtr doc;

    ctxt->sax->internalSubset = refuse_doctype;
    ctxt->sax->externalSubset = refuse_doctype;
    ctxt->sax->entityDecl = refuse_entity;
    ctxt->sax->serror = on_parse_error;
    /* These "globals" are thread-local in libxml2: set for this parse only, then restored. */
    xmlSetStructuredErrorFunc(ctxt, on_parse_error);
    xmlSetGenericErrorFunc(ctxt, on_generic_error);
    doc = xmlCtxtReadMemory(ctxt, xml, (int) len, url, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS |
                                XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(saved_structured_data, saved_structured);
    xmlSetGenericErrorFunc(saved_generic_data, saved_generic);
    return doc;
}

xmlDocPtr vb_xml_parse_string(const char *xml, const char *url, struct vb_error *err)
{
    struct parse_state state = { .err = err };
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    size_t len;

    if (!xml) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "xml in %s must not be NULL", url);
        return NULL;
    }
    len = strnlen(xml, (size_t) VB_DOMAIN_XML_MAX_BYTES + 1);
    if (len > VB_DOMAIN_XML_MAX_BYTES) {
        vb_error_set(err, VB_ERR_XML_ERROR, "document %s is larger than %d bytes", url,
                     VB_DOMAIN_XML_MAX_BYTES);
        return NULL;
    }
    /* libxml2's own costs grow faster than the text in places (attributes, namespaces): the
     * counts are bounded before it sees the text. */
    if (vb_xml_scan(xml, len, &VB_XML_LIMITS_DEFAULT, url, err) < 0)
        return NULL;
    ctxt = xmlNewParserCtxt();
    if (!ctxt || !ctxt->sax) {
        xmlFreeParserCtxt(ctxt);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    ctxt->_private = &state;
    doc = parse_with_context(ctxt, xml, len, url);
    xmlFreeParserCtxt(ctxt);

    if (state.doctype_seen || state.error_seen) {
        xmlFreeDoc(doc);
        if (state.doctype_seen)
            vb_error_set(err, VB_ERR_XML_ERROR,
                         "document type declarations (DOCTYPE, ENTITY) are not allowed in %s", url);
        return NULL;
    }
    if (!doc) {
        vb_error_set(err, VB_ERR_XML_ERROR, "failed to parse xml document '%s'", url);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "missing root element");
        return NULL;
    }
    return doc;
}

int vb_xml_check_illegal_chars(const char *what, const char *text, const char *illegal,
                               struct vb_error *err)
{
    const char *c = text ? strpbrk(text, illegal) : NULL;

    if (c)
        return vb_error_set(err, VB_ERR_XML_DETAIL, "invalid char in %s: %c", what, *c);
    return 0;
}

xmlNodePtr vb_xml_root(xmlDocPtr doc, const char *name, struct vb_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);

    if (!vb_xml_is_element(root, name)) {
        vb_error_set(err, VB_ERR_XML_ERROR, "expecting root element of '%s', not '%s'", name,
                     root ? (const char *) root->name : "");
        return NULL;
    }
    return root;
}

bool vb_xml_is_element(xmlNodePtr node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name);
}

xmlNodePtr vb_xml_child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr child = node ? node->children : NULL; child; child = child->next)
        if (vb_xml_is_element(child, name))
            return child;
    return NULL;
}

static char *take_xml_string(xmlChar *value)
{
    char *copy;

    if (!value)
        return NULL;
    copy = strdup((const char *) value);
    xmlFree(value);
    return copy;
}

char *vb_xml_prop(xmlNodePtr node, const char *name)
{
    return node ? take_xml_string(xmlGetProp(node, BAD_CAST name)) : NULL;
}

char *vb_xml_content(xmlNodePtr node)
{
    char *text;

    if (!node)
        return NULL;
    text = take_xml_string(xmlNodeGetContent(node));
    if (text && !*text) {
        free(text);
        return NULL;
    }
    return text;
}

char *vb_xml_child_prop(xmlNodePtr node, const char *child, const char *name)
{
    return vb_xml_prop(vb_xml_child(node, child), name);
}

int vb_xml_parse_ull(const char *text, unsigned long long *out)
{
    const char *p = text;
    char *end = NULL;
    unsigned long long value;

    if (!text)
        return -1;
    while (isspace((unsigned char) *p))
        p++;
    if (!isdigit((unsigned char) *p))
        return -1;
    errno = 0;
    value = strtoull(p, &end, 10);
    if (errno || end == p)
        return -1;
    while (isspace((unsigned char) *end))
        end++;
    if (*end)
        return -1;
    *out = value;
    return 0;
}

static unsigned long long suffix_scale(const char *suffix, struct vb_error *err)
{
    unsigned long long base, scale = 1;
    const char *powers = "kmgtpe";
    const char *at;

    if (!strcasecmp(suffix, "b") || !strcasecmp(suffix, "byte") || !strcasecmp(suffix, "bytes"))
        return 1;
    if (!suffix[1] || !strcasecmp(suffix + 1, "iB"))
        base = 1024;
    else if (tolower((unsigned char) suffix[1]) == 'b' && !suffix[2])
        base = 1000;
    else
        goto unknown;
    at = strchr(powers, tolower((unsigned char) suffix[0]));
    if (!suffix[0] || !at)
        goto unknown;
    for (const char *p = powers; p <= at; p++)
        scale *= base;
    return scale;
unknown:
    vb_error_set(err, VB_ERR_INVALID_ARG, "unknown suffix '%s'", suffix);
    return 0;
}

int vb_xml_scale_integer(unsigned long long *value, const char *suffix, unsigned long long scale,
                         unsigned long long limit, struct vb_error *err)
{
    if (suffix && *suffix) {
        scale = suffix_scale(suffix, err);
        if (!scale)
            return -1;
    } else {
        suffix = "";
    }
    if (*value && *value > limit / scale)
        return vb_error_set(err, VB_ERR_OVERFLOW, "%llu%s", *value, suffix);
    *value *= scale;
    return 0;
}

xmlNodePtr vb_xml_node_adopt(xmlNodePtr node, int extended)
{
    xmlDocPtr doc;
    xmlNodePtr copy;

    if (!node)
        return NULL;
    doc = xmlNewDoc(BAD_CAST "1.0");
    if (!doc)
        return NULL;
    copy = xmlDocCopyNode(node, doc, extended);
    if (!copy) {
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlDocSetRootElement(doc, copy);
    return copy;
}

xmlNodePtr vb_xml_node_dup(xmlNodePtr node)
{
    return vb_xml_node_adopt(node, 1);
}

void vb_xml_node_free(xmlNodePtr node)
{
    if (!node)
        return;
    if (node->doc && xmlDocGetRootElement(node->doc) == node) {
        xmlFreeDoc(node->doc);
        return;
    }
    xmlUnlinkNode(node);
    xmlFreeNode(node);
}

void vb_buf_add_len(struct vb_buf *buf, const char *s, size_t n)
{
    if (buf->oom)
        return;
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 256;
        char *data;

        while (cap < buf->len + n + 1)
            cap *= 2;
        data = realloc(buf->data, cap);
        if (!data) {
            buf->oom = true;
            return;
        }
        buf->data = data;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, s, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
}

void vb_buf_add(struct vb_buf *buf, const char *s)
{
    vb_buf_add_len(buf, s, strlen(s));
}

void vb_buf_addf(struct vb_buf *buf, const char *fmt, ...)
{
    _cleanup_free_ char *text = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0) {
        text = NULL;
        buf->oom = true;
        return;
    }
    vb_buf_add_len(buf, text, (size_t) n);
}

void vb_buf_indent(struct vb_buf *buf, int level)
{
    for (int i = 0; i < level; i++)
        vb_buf_add_len(buf, "  ", 2);
}

char *vb_buf_steal(struct vb_buf *buf, struct vb_error *err)
{
    char *data;

    if (!buf->oom && !buf->data)
        vb_buf_add(buf, "");
    if (buf->oom) {
        vb_buf_free(buf);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    data = buf->data;
    *buf = (struct vb_buf){ 0 };
    return data;
}

void vb_buf_free(struct vb_buf *buf)
{
    free(buf->data);
    *buf = (struct vb_buf){ 0 };
}

bool vb_xml_href_equal(const xmlChar *href, const char *uri)
{
    const char *h = (const char *) href;

    if (!href || !uri)
        return false;
    while (*h && *uri) {
        if (!strncmp(h, "&#38;", strlen("&#38;")) && *uri == '&') {
            h += strlen("&#38;");
            uri++;
        } else if (*h++ != *uri++) {
            return false;
        }
    }
    return !*h && !*uri;
}
