/* I/O threads kept as the text of <iothreads>, <iothreadids> and <cputune><iothreadpin>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_iothreads.h"

#define CPUSET_MAX 65536 /* libvirt's VIR_DOMAIN_CPUMASK_LEN */

/* The kept top-level element `name` parsed, or NULL (absent, or no memory: callers treat both
 * as "nothing there", as before). */
static xmlDocPtr parse_top(const struct vb_domain_def *def, const char *name)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root = NULL;

    if (vb_tunables_parse_top_element(def, name, &doc, &root, NULL) < 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int vb_cpuset_parse(const char *text, bool *cpumap, unsigned int ncpus)
{
    const char *p = text;

    memset(cpumap, 0, ncpus * sizeof(*cpumap));
    while (*p) {
        bool negate = *p == '^';
        char *end;
        unsigned long first, last;

        p += negate;
        errno = 0;
        first = last = strtoul(p, &end, 10);
        if (end == p || errno || first >= CPUSET_MAX)
            return -1;
        if (*end == '-') {
            p = end + 1;
            last = strtoul(p, &end, 10);
            if (end == p || errno || last >= CPUSET_MAX || last < first || negate)
                return -1;
        }
        for (unsigned long c = first; c <= last && c < ncpus; c++)
            cpumap[c] = !negate;
        p = end + strspn(end, " ");
        if (*p && *p++ != ',')
            return -1;
        p += strspn(p, " ");
    }
    return 0;
}

char *vb_cpuset_format(const bool *cpumap, unsigned int ncpus)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char *out;

    for (unsigned int c = 0; c < ncpus; c++) {
        unsigned int last = c;

        if (!cpumap[c])
            continue;
        while (last + 1 < ncpus && cpumap[last + 1])
            last++;
        vb_buf_addf(&buf, buf.len ? ",%u" : "%u", c);
        if (last > c)
            vb_buf_addf(&buf, "-%u", last);
        c = last;
    }
    vb_buf_add(&buf, "");
    out = vb_buf_steal(&buf, &err);
    vb_error_clear(&err);
    return out;
}

void vb_iothreads_clear(struct vb_iothreads *threads)
{
    for (size_t i = 0; threads->items && i < threads->n; i++)
        free(threads->items[i].cpumap);
    free(threads->items);
    threads->items = NULL;
    threads->n = 0;
}

static struct vb_iothread *find_thread(const struct vb_iothreads *threads, unsigned int id)
{
    for (size_t i = 0; i < threads->n; i++)
        if (threads->items[i].id == id)
            return &threads->items[i];
    return NULL;
}

static int read_count(const struct vb_domain_def *def, unsigned long long *count, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = parse_top(def, "iothreads");
    _cleanup_free_ char *text = doc ? vb_xml_content(xmlDocGetRootElement(doc)) : NULL;

    *count = 0;
    if (text && (vb_xml_parse_ull(text, count) < 0 || *count > UINT32_MAX))
        return vb_error_set(err, VB_ERR_XML_ERROR, "invalid iothreads count '%s'", text);
    return 0;
}

/* The ids <iothreadids> names, in order. */
static int read_ids(const struct vb_domain_def *def, struct vb_iothreads *out, size_t room, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = parse_top(def, "iothreadids");
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    for (xmlNodePtr node = root ? root->children : NULL; node; node = node->next) {
        _cleanup_free_ char *text = NULL;
        unsigned long long id;

        if (!vb_xml_is_element(node, "iothread"))
            continue;
        text = vb_xml_prop(node, "id");
        if (!text || vb_xml_parse_ull(text, &id) < 0 || id == 0 || id > UINT32_MAX)
            return vb_error_set(err, VB_ERR_XML_ERROR, "invalid iothread 'id' value '%s'", text ? text : "");
        if (find_thread(out, (unsigned int) id))
            return vb_error_set(err, VB_ERR_XML_ERROR, "duplicate iothread id '%llu' found", id);
        if (out->n == room)
            return vb_error_set(err, VB_ERR_XML_ERROR, "too many iothreads");
        out->items[out->n++].id = (unsigned int) id;
    }
    return 0;
}

static int read_pins(const struct vb_domain_def *def, struct vb_iothreads *out, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = parse_top(def, "cputune");
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    for (xmlNodePtr node = root ? root->children : NULL; node; node = node->next) {
        _cleanup_free_ char *id = NULL, *cpuset = NULL;
        struct vb_iothread *thread;
        unsigned long long value;

        if (!vb_xml_is_element(node, "iothreadpin"))
            continue;
        id = vb_xml_prop(node, "iothread");
        cpuset = vb_xml_prop(node, "cpuset");
        if (!id || vb_xml_parse_ull(id, &value) < 0 || !(thread = find_thread(out, (unsigned int) value)))
            return vb_error_set(err, VB_ERR_XML_ERROR, "Cannot find 'iothread' : %s", id ? id : "");
        free(thread->cpumap);
        thread->cpumap = calloc(out->ncpus + 1, sizeof(bool));
        if (!thread->cpumap)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        if (!cpuset || vb_cpuset_parse(cpuset, thread->cpumap, out->ncpus) < 0)
            return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value of 'cpuset': %s", cpuset ? cpuset : "");
    }
    return 0;
}

int vb_domain_def_get_iothreads(const struct vb_domain_def *def, unsigned int ncpus, struct vb_iothreads *out,
                                struct vb_error *err)
{
    unsigned long long count;
    size_t room;

    *out = (struct vb_iothreads){ .ncpus = ncpus };
    if (read_count(def, &count, err) < 0)
        return -1;
    room = (size_t) count + 64;
    out->items = calloc(room, sizeof(*out->items));
    if (!out->items)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (read_ids(def, out, room, err) < 0)
        goto fail;
    /* Ids the XML leaves out are the smallest unused ones. */
    for (unsigned int id = 1; out->n < count; id++)
        if (!find_thread(out, id))
            out->items[out->n++].id = id;
    if (read_pins(def, out, err) < 0)
        goto fail;
    return 0;
fail:
    vb_iothreads_clear(out);
    return -1;
}

static char *format_ids(const struct vb_iothreads *threads, struct vb_error *err)
{
    struct vb_buf buf = { 0 };

    vb_buf_add(&buf, "  <iothreadids>\n");
    for (size_t i = 0; i < threads->n; i++)
        vb_buf_addf(&buf, "    <iothread id='%u'/>\n", threads->items[i].id);
    vb_buf_add(&buf, "  </iothreadids>\n");
    return vb_buf_steal(&buf, err);
}

/* libvirt's place for <iothreadpin> in <cputune>: before the scheduler and cache elements. */
static bool after_pins(xmlNodePtr node)
{
    static const char *const later[] = { "vcpusched", "iothreadsched", "emulatorsched", "cachetune",
                                         "memorytune", NULL };

    for (size_t i = 0; later[i]; i++)
        if (vb_xml_is_element(node, later[i]))
            return true;
    return false;
}

static int add_pins(xmlNodePtr cputune, const struct vb_iothreads *threads)
{
    xmlNodePtr before = cputune->children;

    while (before && !after_pins(before))
        before = before->next;
    for (size_t i = 0; i < threads->n; i++) {
        _cleanup_free_ char *cpuset = NULL;
        char id[16];
        xmlNodePtr pin;

        if (!threads->items[i].cpumap)
            continue;
        cpuset = vb_cpuset_format(threads->items[i].cpumap, threads->ncpus);
        pin = xmlNewNode(NULL, BAD_CAST "iothreadpin");
        if (!cpuset || !pin) {
            xmlFreeNode(pin);
            return -1;
        }
        snprintf(id, sizeof(id), "%u", threads->items[i].id);
        if (!xmlNewProp(pin, BAD_CAST "iothread", BAD_CAST id) || !xmlNewProp(pin, BAD_CAST "cpuset", BAD_CAST cpuset) ||
            !(before ? xmlAddPrevSibling(before, pin) : xmlAddChild(cputune, pin))) {
            xmlFreeNode(pin);
            return -1;
        }
    }
    return 0;
}

/* The new <cputune> text: its other children kept, the pins replaced; NULL in *out when empty. */
static int format_cputune(const struct vb_domain_def *def, const struct vb_iothreads *threads, char **out,
                          struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = parse_top(def, "cputune");
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    struct vb_buf buf = { 0 };

    *out = NULL;
    if (!doc) {
        doc = xmlNewDoc(BAD_CAST "1.0");
        root = doc ? xmlNewNode(NULL, BAD_CAST "cputune") : NULL;
        if (!root)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        xmlDocSetRootElement(doc, root);
    }
    for (xmlNodePtr node = root->children, next; node; node = next) {
        next = node->next;
        if (vb_xml_is_element(node, "iothreadpin") || node->type == XML_TEXT_NODE) {
            xmlUnlinkNode(node);
            xmlFreeNode(node);
        }
    }
    if (add_pins(root, threads) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!xmlFirstElementChild(root) && !root->properties)
        return 0;
    vb_xml_format_node(&buf, root, 1, VB_XML_QUOTE_SINGLE, NULL, NULL);
    *out = vb_buf_steal(&buf, err);
    return *out ? 0 : -1;
}

int vb_domain_def_set_iothreads(struct vb_domain_def *def, const struct vb_iothreads *threads,
                                struct vb_error *err)
{
    _cleanup_free_ char *count = NULL, *ids = NULL, *cputune = NULL;

    if (threads->n && (asprintf(&count, "  <iothreads>%zu</iothreads>\n", threads->n) < 0 ||
                       !(ids = format_ids(threads, err)))) {
        count = NULL;
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (format_cputune(def, threads, &cputune, err) < 0)
        return -1;
    if (vb_tunables_set_top_element(def, "iothreads", TAKE_PTR(count), err) < 0 || vb_tunables_set_top_element(def, "iothreadids", TAKE_PTR(ids), err) < 0 ||
        vb_tunables_set_top_element(def, "cputune", TAKE_PTR(cputune), err) < 0)
        return -1;
    return 0;
}
