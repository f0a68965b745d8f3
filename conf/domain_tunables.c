/* Domain tunables kept as the text of top-level elements of <domain> (<memtune>, ...). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_tunables.h"
#include "util/ranges.h"

/* The kept top-level element named `name` (its own slot, and that name), or NULL. */
static struct vb_extra *find_top_element(const struct vb_domain_def *def, const char *name)
{
    const struct vb_unmodelled *u = def->unmodelled;
    int slot = vb_slot_index(vb_domain_slots, BAD_CAST name);
    size_t len = strlen(name);

    for (size_t i = 0; u && i < u->top.n; i++) {
        const char *text = u->top.items[i].text + strspn(u->top.items[i].text, " ");

        if (u->top.items[i].slot == slot && text[0] == '<' && strncmp(text + 1, name, len) == 0 &&
            strchr(" />\n", text[1 + len]))
            return &u->top.items[i];
    }
    return NULL;
}

int vb_tunables_parse_top_element(const struct vb_domain_def *def, const char *name, xmlDocPtr *doc,
                                  xmlNodePtr *root, struct vb_error *err)
{
    const struct vb_extra *extra = find_top_element(def, name);

    *doc = NULL;
    *root = NULL;
    if (!extra)
        return 0;
    *doc = vb_fragment_parse(extra->text);
    if (!*doc || !(*root = xmlDocGetRootElement(*doc)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return 0;
}

int vb_tunables_set_top_element(struct vb_domain_def *def, const char *name, char *text, struct vb_error *err)
{
    struct vb_extra *found = find_top_element(def, name);
    struct vb_unmodelled *u;
    int slot = vb_slot_index(vb_domain_slots, BAD_CAST name);
    size_t at;

    if (found) {
        u = def->unmodelled;
        at = (size_t) (found - u->top.items);
        free(found->text);
        if (text) {
            found->text = text;
            return 0;
        }
        memmove(found, found + 1, (u->top.n - at - 1) * sizeof(*found));
        u->top.n--;
        return 0;
    }
    if (!text)
        return 0;
    if (!def->unmodelled && !(def->unmodelled = vb_unmodelled_new())) {
        free(text);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    u = def->unmodelled;
    if (vb_extra_list_append(&u->top, text, slot) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (at = 0; at < u->top.n - 1 && u->top.items[at].slot != slot; at++)
        ;
    if (at < u->top.n - 1) {
        struct vb_extra added = u->top.items[u->top.n - 1];

        memmove(&u->top.items[at + 1], &u->top.items[at], (u->top.n - 1 - at) * sizeof(added));
        u->top.items[at] = added;
    }
    return 0;
}

/* One limit child of <memtune>, scaled to KiB as libvirt's virDomainParseMemoryLimit. */
static int read_limit(xmlNodePtr memtune, const char *name, unsigned long long *out, struct vb_error *err)
{
    xmlNodePtr node = vb_xml_child(memtune, name);
    _cleanup_free_ char *text = NULL, *unit = NULL;
    unsigned long long bytes;

    *out = VB_MEMORY_PARAM_UNLIMITED;
    if (!node)
        return 0;
    text = vb_xml_content(node);
    unit = vb_xml_prop(node, "unit");
    if (!text || vb_xml_parse_ull(text, &bytes) < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value '%s' for element or attribute './memtune/%s[1]'",
                            text ? text : "", name);
    if (vb_xml_scale_integer(&bytes, unit ? unit : "", 1024, VB_MEMORY_PARAM_UNLIMITED << 10, err) < 0)
        return -1;
    *out = bytes / 1024 + (bytes % 1024 != 0);
    if (*out > VB_MEMORY_PARAM_UNLIMITED)
        *out = VB_MEMORY_PARAM_UNLIMITED;
    return 0;
}

int vb_domain_def_get_memtune(const struct vb_domain_def *def, struct vb_memtune *out, struct vb_error *err)
{
    const struct vb_extra *extra = find_top_element(def, "memtune");
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr root;

    *out = (struct vb_memtune){ VB_MEMORY_PARAM_UNLIMITED, VB_MEMORY_PARAM_UNLIMITED, VB_MEMORY_PARAM_UNLIMITED };
    if (!extra)
        return 0;
    doc = vb_fragment_parse(extra->text);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (read_limit(root, "hard_limit", &out->hard_limit, err) < 0 ||
        read_limit(root, "soft_limit", &out->soft_limit, err) < 0 ||
        read_limit(root, "swap_hard_limit", &out->swap_hard_limit, err) < 0)
        return -1;
    return 0;
}

static void format_limit(struct vb_buf *buf, const char *name, unsigned long long kib)
{
    if (kib < VB_MEMORY_PARAM_UNLIMITED)
        vb_buf_addf(buf, "    <%s unit='KiB'>%llu</%s>\n", name, kib, name);
}

int vb_domain_def_set_memtune(struct vb_domain_def *def, const struct vb_memtune *memtune, struct vb_error *err)
{
    struct vb_buf buf = { 0 };
    char *text;

    if (memtune->hard_limit >= VB_MEMORY_PARAM_UNLIMITED && memtune->soft_limit >= VB_MEMORY_PARAM_UNLIMITED &&
        memtune->swap_hard_limit >= VB_MEMORY_PARAM_UNLIMITED)
        return vb_tunables_set_top_element(def, "memtune", NULL, err);
    vb_buf_add(&buf, "  <memtune>\n");
    format_limit(&buf, "hard_limit", memtune->hard_limit);
    format_limit(&buf, "soft_limit", memtune->soft_limit);
    format_limit(&buf, "swap_hard_limit", memtune->swap_hard_limit);
    vb_buf_add(&buf, "  </memtune>\n");
    text = vb_buf_steal(&buf, err);
    if (!text)
        return -1;
    return vb_tunables_set_top_element(def, "memtune", text, err);
}

/* --- <numatune> ------------------------------------------------------------------------------ */

/* The nodes a node set may name: libvirt grows its bitmap as needed; this bound keeps a
 * hostile "0-4000000000" from costing memory. */
#define NODESET_LEN 65536

static const char *const numatune_modes[] = { "strict", "preferred", "interleave", "restrictive" };

static int parse_node_number(const char **cursor, unsigned int *out)
{
    char *end;
    unsigned long n;

    if (**cursor < '0' || **cursor > '9')
        return -1;
    n = strtoul(*cursor, &end, 10);
    if (n >= NODESET_LEN)
        return -1;
    *cursor = end + strspn(end, " ");
    *out = (unsigned int) n;
    return 0;
}

/* One "N", "N-M" or "^N" of a node set, added to ranges. */
static int parse_node_token(const char **cursor, struct vb_ranges *ranges)
{
    bool negate = **cursor == '^';
    unsigned int first, last;

    *cursor += negate;
    if (parse_node_number(cursor, &first) < 0)
        return -1;
    last = first;
    if (**cursor == '-') {
        ++*cursor;
        *cursor += strspn(*cursor, " ");
        if (negate || parse_node_number(cursor, &last) < 0 || last < first)
            return -1;
    }
    return vb_ranges_add(ranges, first, last, !negate) < 0 ? -ENOMEM : 0;
}

static void format_nodeset(struct vb_buf *buf, const bool bits[NODESET_LEN])
{
    bool first = true;

    for (unsigned int i = 0; i < NODESET_LEN; i++) {
        unsigned int last = i;

        if (!bits[i])
            continue;
        while (last + 1 < NODESET_LEN && bits[last + 1])
            last++;
        vb_buf_addf(buf, first ? "%u" : ",%u", i);
        if (last > i)
            vb_buf_addf(buf, "-%u", last);
        first = false;
        i = last;
    }
}

/* Tokens separated by commas; as libvirt, a trailing comma is accepted. -EINVAL when the text
 * is not a node set, -ENOMEM. */
static int parse_nodeset(const char *text, struct vb_ranges *ranges)
{
    const char *cursor = text + strspn(text, " ");

    for (;;) {
        int r = parse_node_token(&cursor, ranges);

        if (r < 0)
            return r == -ENOMEM ? r : -EINVAL;
        if (*cursor == '\0')
            return 0;
        if (*cursor != ',')
            return -EINVAL;
        cursor++;
        cursor += strspn(cursor, " ");
        if (*cursor == '\0')
            return 0;
    }
}

int vb_nodeset_canonical(const char *text, char **out, struct vb_error *err)
{
    _cleanup_free_ bool *bits = calloc(NODESET_LEN, sizeof(*bits));
    struct vb_ranges ranges = { 0 };
    struct vb_buf buf = { 0 };
    int r;

    *out = NULL;
    if (!bits)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    r = parse_nodeset(text, &ranges);
    if (r == 0 && vb_ranges_apply(&ranges, bits, NODESET_LEN) < 0)
        r = -ENOMEM;
    vb_ranges_clear(&ranges);
    if (r == -ENOMEM)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (r < 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Failed to parse bitmap '%s'", text);
    vb_buf_add(&buf, "");
    format_nodeset(&buf, bits);
    *out = vb_buf_steal(&buf, err);
    return *out ? 0 : -1;
}

static int mode_from_string(const char *text)
{
    for (size_t i = 0; text && i < ARRAY_SIZE(numatune_modes); i++)
        if (streq(numatune_modes[i], text))
            return (int) i;
    return VB_NUMATUNE_MEM_STRICT;
}

int vb_domain_def_get_numatune(const struct vb_domain_def *def, struct vb_numatune *out, struct vb_error *err)
{
    const struct vb_extra *extra = find_top_element(def, "numatune");
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    _cleanup_free_ char *mode = NULL, *nodeset = NULL;
    xmlNodePtr root, memory;

    *out = (struct vb_numatune){ .mode = -1 };
    if (!extra)
        return 0;
    doc = vb_fragment_parse(extra->text);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!(memory = vb_xml_child(root, "memory")))
        return 0;
    mode = vb_xml_prop(memory, "mode");
    nodeset = vb_xml_prop(memory, "nodeset");
    out->mode = mode_from_string(mode);
    if (nodeset && vb_nodeset_canonical(nodeset, &out->nodeset, err) < 0)
        return -1;
    return 0;
}

int vb_domain_def_set_numatune(struct vb_domain_def *def, const struct vb_numatune *numatune,
                               struct vb_error *err)
{
    struct vb_buf buf = { 0 };
    char *text;

    if (numatune->mode < 0 || numatune->mode >= VB_NUMATUNE_MEM_LAST)
        return vb_tunables_set_top_element(def, "numatune", NULL, err);
    vb_buf_addf(&buf, "  <numatune>\n    <memory mode='%s'", numatune_modes[numatune->mode]);
    if (numatune->nodeset && numatune->nodeset[0])
        vb_buf_addf(&buf, " nodeset='%s'", numatune->nodeset);
    vb_buf_add(&buf, "/>\n  </numatune>\n");
    if (!(text = vb_buf_steal(&buf, err)))
        return -1;
    return vb_tunables_set_top_element(def, "numatune", text, err);
}

/* --- <perf> ---------------------------------------------------------------------------------- */

const char *const vb_perf_event_names[VB_PERF_EVENT_LAST] = {
    "cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references", "cache_misses",
    "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend",
    "stalled_cycles_backend", "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults",
    "context_switches", "cpu_migrations", "page_faults_min", "page_faults_maj", "alignment_faults",
    "emulation_faults",
};

static int perf_event_index(const char *name)
{
    for (int i = 0; name && i < VB_PERF_EVENT_LAST; i++)
        if (streq(vb_perf_event_names[i], name))
            return i;
    return -1;
}

int vb_domain_def_get_perf(const struct vb_domain_def *def, unsigned char states[VB_PERF_EVENT_LAST],
                           struct vb_error *err)
{
    const struct vb_extra *extra = find_top_element(def, "perf");
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr root;

    memset(states, 0, VB_PERF_EVENT_LAST);
    if (!extra)
        return 0;
    doc = vb_fragment_parse(extra->text);
    if (!doc || !(root = xmlDocGetRootElement(doc)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (xmlNodePtr n = root->children; n; n = n->next) {
        _cleanup_free_ char *name = NULL, *enabled = NULL;
        int i;

        if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, BAD_CAST "event"))
            continue;
        name = vb_xml_prop(n, "name");
        enabled = vb_xml_prop(n, "enabled");
        if ((i = perf_event_index(name)) >= 0 && enabled)
            states[i] = streq(enabled, "yes") ? 1 : 2;
    }
    return 0;
}

int vb_domain_def_set_perf(struct vb_domain_def *def, const unsigned char states[VB_PERF_EVENT_LAST],
                           struct vb_error *err)
{
    struct vb_buf buf = { 0 };
    bool any = false;
    char *text;

    vb_buf_add(&buf, "  <perf>\n");
    for (int i = 0; i < VB_PERF_EVENT_LAST; i++) {
        if (!states[i])
            continue;
        vb_buf_addf(&buf, "    <event name='%s' enabled='%s'/>\n", vb_perf_event_names[i],
                    states[i] == 1 ? "yes" : "no");
        any = true;
    }
    vb_buf_add(&buf, "  </perf>\n");
    if (!(text = vb_buf_steal(&buf, err)))
        return -1;
    if (!any) {
        free(text);
        text = NULL;
    }
    return vb_tunables_set_top_element(def, "perf", text, err);
}
