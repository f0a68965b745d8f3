/* A linear pre-scan of untrusted XML text that bounds what libxml2 may be asked to build.
 *
 * The scan does not skip comments, CDATA sections, processing instructions or a DOCTYPE: it
 * treats every '<' as a place where libxml2 may start a node. libxml2 does not stop at its first
 * error; it reports it and resumes (after an unterminated comment, a PI without a target, a '<'
 * in an attribute value...), and may then parse markup a lexer would have skipped as comment
 * text. Counting at every '<' bounds what libxml2 builds whatever it makes of the text; what a
 * real document holds in its comments is far below the limits. Within one start tag the scan
 * follows libxml2's grammar (blank, name, '=', quoted value), so quoted values may hold '>',
 * '=' and the other quote; a '<' ends the tag there as it does in libxml2. */
#include <stdbool.h>
#include <string.h>

#include "conf/xml_scan.h"

/* Longest part of an element name quoted in an error message. */
#define NAME_QUOTE_MAX 64

struct scan {
    const struct vb_xml_limits *limits;
    const char *url;
    size_t elements, attributes, namespaces;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ASCII as XML 1.0 says; any byte of a multi-byte character may be part of a name. */
static bool is_name_start(char c)
{
    unsigned char u = (unsigned char) c;

    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u == ':' || u >= 0x80;
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static bool is_namespace_declaration(const char *name, size_t len)
{
    return len >= 5 && memcmp(name, "xmlns", 5) == 0 && (len == 5 || name[5] == ':');
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    return p;
}

static const char *skip_name(const char *p, const char *end)
{
    if (p == end || !is_name_start(*p))
        return p;
    while (p < end && is_name_char(*p))
        p++;
    return p;
}

/* Counts the attributes of a start tag from just after its name to `end`, the next '<' (an
 * attribute value cannot hold one). Where the tag stops following the grammar, libxml2 stops
 * reading attributes; every '=' from there on is counted anyway, so the count never falls
 * below libxml2's whatever it does next. */
static size_t count_attributes(const char *p, const char *end, size_t *namespaces)
{
    size_t n = 0;

    for (;;) {
        const char *name = skip_blanks(p, end), *name_end, *quote;

        if (name == end || *name == '>' || (*name == '/' && name + 1 < end && name[1] == '>'))
            return n;
        if (name == p)
            break; /* libxml2 wants a blank before each attribute */
        name_end = skip_name(name, end);
        if (name_end == name)
            break;
        p = skip_blanks(name_end, end);
        if (p == end || *p != '=')
            break;
        n++;
        *namespaces += is_namespace_declaration(name, (size_t) (name_end - name));
        p = skip_blanks(p + 1, end);
        if (p == end || (*p != '"' && *p != '\''))
            break;
        quote = memchr(p + 1, *p, (size_t) (end - p - 1));
        if (!quote)
            break;
        p = quote + 1;
    }
    for (; p < end; p++)
        n += *p == '=';
    return n;
}

/* Names the element printably: a message must stay valid text on the bus. */
static void quote_name(char *out, const char *name, const char *name_end)
{
    size_t n = 0;

    for (; name < name_end && n < NAME_QUOTE_MAX; name++, n++)
        out[n] = (unsigned char) *name < 0x80 ? *name : '?';
    out[n] = '\0';
}

/* One start tag (or what libxml2 may take for one): its name begins at `name`. */
static int scan_start_tag(struct scan *s, const char *name, const char *end, struct vb_error *err)
{
    const char *name_end = skip_name(name, end);
    size_t n = count_attributes(name_end, end, &s->namespaces);

    if (n > s->limits->element_attributes) {
        char quoted[NAME_QUOTE_MAX + 1];

        quote_name(quoted, name, name_end);
        return vb_error_set(err, VB_ERR_XML_ERROR, "element '%s' in document %s has more than %zu attributes",
                            quoted, s->url, s->limits->element_attributes);
    }
    s->attributes += n;
    if (s->attributes > s->limits->attributes)
        return vb_error_set(err, VB_ERR_XML_ERROR, "document %s has more than %zu attributes", s->url,
                            s->limits->attributes);
    if (s->namespaces > s->limits->namespaces)
        return vb_error_set(err, VB_ERR_XML_ERROR, "document %s declares more than %zu namespaces", s->url,
                            s->limits->namespaces);
    return 0;
}

int vb_xml_scan(const char *text, size_t len, const struct vb_xml_limits *limits, const char *url,
                struct vb_error *err)
{
    struct scan s = { .limits = limits, .url = url };
    const char *end = text + len, *p = text;

    /* Each stretch from one '<' to the next is read once. */
    while (p < end && (p = memchr(p, '<', (size_t) (end - p)))) {
        const char *next = ++p < end ? memchr(p, '<', (size_t) (end - p)) : NULL;
        const char *stop = next ? next : end;

        /* An end tag builds nothing; anything else may be a node. */
        if (p < end && *p == '/') {
            p = stop;
            continue;
        }
        if (++s.elements > limits->elements)
            return vb_error_set(err, VB_ERR_XML_ERROR,
                                "document %s has more than %zu elements, comments and processing instructions",
                                url, limits->elements);
        if (p < end && is_name_start(*p) && scan_start_tag(&s, p, stop, err) < 0)
            return -1;
        p = stop;
    }
    return 0;
}
