/* I/O threads kept as the text of <iothreads>, <iothreadids> and <cputune><iothreadpin>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_iothreads.h"
#include "util/ranges.h"

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

/* Ranges are collected and applied from the last, so repeated ranges cost no more than the map. */
int vb_cpuset_parse(const char *text, bool *cpumap, unsigned int ncpus)
{
    struct vb_ranges ranges = { 0 };
    const char *p = text;
    int r = 0;

    memset(cpumap, 0, ncpus * sizeof(*cpumap));
    while (*p && r == 0) {
        bool negate = *p == '^';
        char *end;
        unsigned long first, last;

        p += negate;
        errno = 0;
        first = last = strtoul(p, &end, 10);
        if (end == p || errno || first >= CPUSET_MAX) {
            r = -1;
            break;
        }
        if (*end == '-') {
            p = end + 1;
            last = strtoul(p, &end, 10);
            if (end == p || errno || last >= CPUSET_MAX || last < first || negate) {
                r = -1;
                break;
            }
        }
        /* CPUs beyond the map change nothing in it. */
        if (first < ncpus && vb_ranges_add(&ranges, (unsigned int) first, (unsigned int) last, !negate) < 0)
            r = -1;
        p = end + strspn(end, " ");
        if (*p && *p++ != ',')
            r = -1;
        p += strspn(p, " ");
    }
    if (r == 0 && vb_ranges_apply(&ranges, cpumap, ncpus) < 0)
        r = -1;
    vb_ranges_clear(&ranges);
    return r;
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

/* Threads by id, sorted, so finding one costs log n and duplicates sit side by side. `at` is
 * the thread's index in document order. */
struct id_index {
    unsigned int id;
    size_t at;
};

static int compare_ids(const void *a, const void *b)
{
    const struct id_index *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Builds the index of threads->items; NULL when out of memory. */
static struct id_index *index_threads(const struct vb_iothreads *threads)
{
    struct id_index *index = calloc(threads->n + 1, sizeof(*index));

    if (!index)
        return NULL;
    for (size_t i = 0; i < threads->n; i++)
        index[i] = (struct id_index){ threads->items[i].id, i };
    qsort(index, threads->n, sizeof(*index), compare_ids);
    return index;
}

/* The thread with this id, by binary search in the index. */
static struct vb_iothread *find_thread(const struct vb_iothreads *threads, const struct id_index *index,
                                       unsigned long long id)
{
    size_t lo = 0, hi = threads->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (index[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < threads->n && index[lo].id == id ? &threads->items[index[lo].at] : NULL;
}

/* <iothreads>N</iothreads>: libvirt's wording for a count that is not one; and a bound. */
static int count_from_node(xmlNodePtr node, unsigned long long *count, struct vb_error *err)
{
    _cleanup_free_ char *text = node ? vb_xml_content(node) : NULL;

    *count = 0;
    if (text && (vb_xml_parse_ull(text, count) < 0 || *count > UINT32_MAX))
        return vb_error_set(err, VB_ERR_XML_ERROR, "invalid iothreads count '%s'", text);
    if (*count > VB_DOMAIN_IOTHREADS_MAX)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "iothreads count %llu exceeds the limit of %d", *count,
                            VB_DOMAIN_IOTHREADS_MAX);
    return 0;
}

static size_t count_id_elements(xmlNodePtr root)
{
    size_t n = 0;

    for (xmlNodePtr node = root ? root->children : NULL; node; node = node->next)
        n += vb_xml_is_element(node, "iothread");
    return n;
}

static int check_id_count(size_t n, struct vb_error *err)
{
    if (n > VB_DOMAIN_IOTHREADS_MAX)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "iothread ids count %zu exceeds the limit of %d", n,
                            VB_DOMAIN_IOTHREADS_MAX);
    return 0;
}

/* The duplicate libvirt reports: the first id, in document order, seen before. */
static int check_duplicates(const struct vb_iothreads *threads, const struct id_index *index,
                            struct vb_error *err)
{
    const struct id_index *first = NULL;

    for (size_t i = 1; i < threads->n; i++)
        if (index[i].id == index[i - 1].id && (!first || index[i].at < first->at))
            first = &index[i];
    if (first)
        return vb_error_set(err, VB_ERR_XML_ERROR, "duplicate iothread id '%u' found", first->id);
    return 0;
}

/* Appends the ids <iothreadids> names, in order; out->items has room for them. */
static int read_ids(xmlNodePtr root, struct vb_iothreads *out, struct vb_error *err)
{
    _cleanup_free_ struct id_index *index = NULL;

    for (xmlNodePtr node = root ? root->children : NULL; node; node = node->next) {
        _cleanup_free_ char *text = NULL;
        unsigned long long id;

        if (!vb_xml_is_element(node, "iothread"))
            continue;
        text = vb_xml_prop(node, "id");
        if (!text || vb_xml_parse_ull(text, &id) < 0 || id == 0 || id > UINT32_MAX)
            return vb_error_set(err, VB_ERR_XML_ERROR, "invalid iothread 'id' value '%s'", text ? text : "");
        out->items[out->n++].id = (unsigned int) id;
    }
    index = index_threads(out);
    if (!index)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return check_duplicates(out, index, err);
}

int vb_iothreads_check_element(xmlNodePtr node, struct vb_error *err)
{
    struct vb_iothreads ids = { 0 };
    unsigned long long count;
    size_t n;
    int r;

    if (vb_xml_is_element(node, "iothreads"))
        return count_from_node(node, &count, err);
    if (!vb_xml_is_element(node, "iothreadids"))
        return 0;
    n = count_id_elements(node);
    if (check_id_count(n, err) < 0)
        return -1;
    ids.items = calloc(n + 1, sizeof(*ids.items));
    if (!ids.items)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    r = read_ids(node, &ids, err);
    vb_iothreads_clear(&ids);
    return r;
}

/* Ids the XML leaves out are the smallest unused ones, up to count threads in all: one walk
 * over the candidates beside the sorted ids. */
static int fill_missing_ids(struct vb_iothreads *out, unsigned long long count, struct vb_error *err)
{
    _cleanup_free_ struct id_index *index = index_threads(out);
    size_t given = out->n, next = 0;

    if (!index)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int id = 1; out->n < count; id++) {
        while (next < given && index[next].id < id)
            next++;
        if (next < given && index[next].id == id)
            continue;
        out->items[out->n++].id = id;
    }
    return 0;
}

static int read_pins(const struct vb_domain_def *def, struct vb_iothreads *out, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = parse_top(def, "cputune");
    _cleanup_free_ struct id_index *index = NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    if (!root)
        return 0;
    index = index_threads(out);
    if (!index)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (xmlNodePtr node = root->children; node; node = node->next) {
        _cleanup_free_ char *id = NULL, *cpuset = NULL;
        struct vb_iothread *thread;
        unsigned long long value;

        if (!vb_xml_is_element(node, "iothreadpin"))
            continue;
        id = vb_xml_prop(node, "iothread");
        cpuset = vb_xml_prop(node, "cpuset");
        if (!id || vb_xml_parse_ull(id, &value) < 0 || !(thread = find_thread(out, index, value)))
            return vb_error_set(err, VB_ERR_XML_ERROR, "Cannot find 'iothread' : %s", id ? id : "");
        /* A later pin of the same thread replaces the map in place: no allocation per pin. */
        if (!thread->cpumap && !(thread->cpumap = calloc(out->ncpus + 1, sizeof(bool))))
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        if (!cpuset || vb_cpuset_parse(cpuset, thread->cpumap, out->ncpus) < 0)
            return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value of 'cpuset': %s", cpuset ? cpuset : "");
    }
    return 0;
}

int vb_domain_def_get_iothreads(const struct vb_domain_def *def, unsigned int ncpus, struct vb_iothreads *out,
                                struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr count_doc = parse_top(def, "iothreads");
    _cleanup_(vb_xml_doc_freep) xmlDocPtr ids_doc = parse_top(def, "iothreadids");
    xmlNodePtr ids = ids_doc ? xmlDocGetRootElement(ids_doc) : NULL;
    unsigned long long count;
    size_t n_ids = count_id_elements(ids);

    *out = (struct vb_iothreads){ .ncpus = ncpus };
    if (count_from_node(count_doc ? xmlDocGetRootElement(count_doc) : NULL, &count, err) < 0 ||
        check_id_count(n_ids, err) < 0)
        return -1;
    /* As libvirt: more ids than <iothreads> counts make that many threads. */
    if (count < n_ids)
        count = n_ids;
    out->items = calloc(count + 1, sizeof(*out->items));
    if (!out->items)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (read_ids(ids, out, err) < 0 || fill_missing_ids(out, count, err) < 0 || read_pins(def, out, err) < 0) {
        vb_iothreads_clear(out);
        return -1;
    }
    return 0;
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
