/* Domain tunables kept as the text of top-level elements of <domain> (<memtune>, ...). */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_tunables.h"

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

/* Replaces, inserts (text non-NULL) or removes (text NULL) the top-level element `name`;
 * takes text. Inserted before other kept elements of its slot, where libvirt prints it. */
static int set_top_element(struct vb_domain_def *def, const char *name, char *text, struct vb_error *err)
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
        return set_top_element(def, "memtune", NULL, err);
    vb_buf_add(&buf, "  <memtune>\n");
    format_limit(&buf, "hard_limit", memtune->hard_limit);
    format_limit(&buf, "soft_limit", memtune->soft_limit);
    format_limit(&buf, "swap_hard_limit", memtune->swap_hard_limit);
    vb_buf_add(&buf, "  </memtune>\n");
    text = vb_buf_steal(&buf, err);
    if (!text)
        return -1;
    return set_top_element(def, "memtune", text, err);
}
