/* <blkiotune>: the domain's block I/O weight and per-device limits (libvirt's def->blkio). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_tunables.h"
#include "util/name_index.h"

/* The fields of a <device>, indexed alike: element name and typed-parameter name. */
enum { FIELD_WEIGHT, FIELD_READ_IOPS, FIELD_WRITE_IOPS, FIELD_READ_BPS, FIELD_WRITE_BPS, FIELD_LAST };

static const char *const field_elements[FIELD_LAST] = {
    "weight", "read_iops_sec", "write_iops_sec", "read_bytes_sec", "write_bytes_sec",
};
static const char *const field_params[FIELD_LAST] = {
    VB_BLKIO_DEVICE_WEIGHT, VB_BLKIO_DEVICE_READ_IOPS, VB_BLKIO_DEVICE_WRITE_IOPS,
    VB_BLKIO_DEVICE_READ_BPS, VB_BLKIO_DEVICE_WRITE_BPS,
};

struct blkio_device {
    char *path;
    unsigned long long values[FIELD_LAST];
};

struct blkiotune {
    unsigned int weight;
    struct blkio_device *devices;
    size_t n, allocated;
};

static void blkiotune_clear(struct blkiotune *bt)
{
    for (size_t i = 0; i < bt->n; i++)
        free(bt->devices[i].path);
    free(bt->devices);
    *bt = (struct blkiotune){ 0 };
}

/* Grows by doubling: device lists are merged a few thousand entries at a time. */
static struct blkio_device *add_device(struct blkiotune *bt, char *path)
{
    if (bt->n == bt->allocated) {
        size_t n = bt->allocated ? bt->allocated * 2 : 8;
        struct blkio_device *grown = reallocarray(bt->devices, n, sizeof(*grown));

        if (!grown)
            return NULL;
        bt->devices = grown;
        bt->allocated = n;
    }
    bt->devices[bt->n] = (struct blkio_device){ .path = path };
    return &bt->devices[bt->n++];
}

/* An unsigned number child of node (0 when absent); max bounds it. */
static int read_number(xmlNodePtr node, const char *name, unsigned long long max, unsigned long long *out,
                       struct vb_error *err)
{
    xmlNodePtr child = vb_xml_child(node, name);
    _cleanup_free_ char *text = child ? vb_xml_content(child) : NULL;

    *out = 0;
    if (!child)
        return 0;
    if (!text || vb_xml_parse_ull(text, out) < 0 || *out > max)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value '%s' for element or attribute './blkiotune/%s'",
                            text ? text : "", name);
    return 0;
}

static int read_device(xmlNodePtr node, struct blkiotune *bt, struct vb_error *err)
{
    xmlNodePtr path_node = vb_xml_child(node, "path");
    char *path = path_node ? vb_xml_content(path_node) : NULL;
    struct blkio_device *dev;

    if (!path)
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing per-device path");
    if (!(dev = add_device(bt, path))) {
        free(path);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    for (int f = 0; f < FIELD_LAST; f++)
        if (read_number(node, field_elements[f], f < FIELD_READ_BPS ? UINT_MAX : ULLONG_MAX, &dev->values[f], err) < 0)
            return -1;
    return 0;
}

static int get_blkiotune(const struct vb_domain_def *def, struct blkiotune *bt, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    unsigned long long weight;
    xmlNodePtr root;

    *bt = (struct blkiotune){ 0 };
    if (vb_tunables_parse_top_element(def, "blkiotune", &doc, &root, err) < 0)
        return -1;
    if (!root)
        return 0;
    if (read_number(root, "weight", UINT_MAX, &weight, err) < 0)
        return -1;
    bt->weight = (unsigned int) weight;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "device") && read_device(n, bt, err) < 0) {
            blkiotune_clear(bt);
            return -1;
        }
    }
    return 0;
}

static bool device_is_set(const struct blkio_device *dev)
{
    for (int f = 0; f < FIELD_LAST; f++)
        if (dev->values[f])
            return true;
    return false;
}

/* As libvirt's virDomainBlkiotuneFormat: devices with no value set are left out. */
static int set_blkiotune(struct vb_domain_def *def, const struct blkiotune *bt, struct vb_error *err)
{
    struct vb_buf buf = { 0 };
    bool any = bt->weight != 0;
    char *text;

    vb_buf_add(&buf, "  <blkiotune>\n");
    if (bt->weight)
        vb_buf_addf(&buf, "    <weight>%u</weight>\n", bt->weight);
    for (size_t i = 0; i < bt->n; i++) {
        if (!device_is_set(&bt->devices[i]))
            continue;
        any = true;
        vb_buf_add(&buf, "    <device>\n      <path>");
        vb_buf_escape(&buf, bt->devices[i].path);
        vb_buf_add(&buf, "</path>\n");
        for (int f = 0; f < FIELD_LAST; f++)
            if (bt->devices[i].values[f])
                vb_buf_addf(&buf, "      <%s>%llu</%s>\n", field_elements[f], bt->devices[i].values[f],
                            field_elements[f]);
        vb_buf_add(&buf, "    </device>\n");
    }
    vb_buf_add(&buf, "  </blkiotune>\n");
    if (!(text = vb_buf_steal(&buf, err)))
        return -1;
    if (!any) {
        free(text);
        text = NULL;
    }
    return vb_tunables_set_top_element(def, "blkiotune", text, err);
}

int vb_domain_def_get_blkio_weight(const struct vb_domain_def *def, unsigned int *weight, struct vb_error *err)
{
    struct blkiotune bt;

    if (get_blkiotune(def, &bt, err) < 0)
        return -1;
    *weight = bt.weight;
    blkiotune_clear(&bt);
    return 0;
}

int vb_domain_def_set_blkio_weight(struct vb_domain_def *def, unsigned int weight, struct vb_error *err)
{
    struct blkiotune bt;
    int r;

    if (get_blkiotune(def, &bt, err) < 0)
        return -1;
    bt.weight = weight;
    r = set_blkiotune(def, &bt, err);
    blkiotune_clear(&bt);
    return r;
}

/* "path,value,..." of the devices whose field is set. */
static int add_field_string(const struct blkiotune *bt, int field, struct vb_typed_params *params,
                            struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct vb_buf buf = { 0 };

    vb_buf_add(&buf, "");
    for (size_t i = 0; i < bt->n; i++) {
        if (!bt->devices[i].values[field])
            continue;
        vb_buf_addf(&buf, "%s%s,%llu", buf.len ? "," : "", bt->devices[i].path, bt->devices[i].values[field]);
    }
    if (!(text = vb_buf_steal(&buf, err)))
        return -1;
    return vb_typed_params_add_string(params, err, text, "%s", field_params[field]);
}

int vb_domain_def_add_blkio_devices(const struct vb_domain_def *def, struct vb_typed_params *params,
                                    struct vb_error *err)
{
    struct blkiotune bt;
    int r = 0;

    if (get_blkiotune(def, &bt, err) < 0)
        return -1;
    for (int f = 0; f < FIELD_LAST && r >= 0; f++)
        r = add_field_string(&bt, f, params, err);
    blkiotune_clear(&bt);
    return r;
}

static int field_index(const char *param)
{
    for (int f = 0; f < FIELD_LAST; f++)
        if (streq(field_params[f], param))
            return f;
    return -1;
}

/* One "path,value" pair at *cursor, as libvirt's virDomainDriverParseBlkioDeviceStr. */
static int parse_pair(const char **cursor, int field, const char *param, const char *text, struct blkiotune *parsed,
                      struct vb_error *err)
{
    const char *comma = strchr(*cursor, ',');
    struct blkio_device *dev;
    unsigned long long value;
    char *path, *end;

    if (!comma)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unable to parse blkio device '%s' '%s'", param, text);
    if (!(path = strndup(*cursor, (size_t) (comma - *cursor))) || !(dev = add_device(parsed, path))) {
        free(path);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    errno = 0;
    value = strtoull(comma + 1, &end, 10);
    if (comma[1] < '0' || comma[1] > '9' || errno || (field < FIELD_READ_BPS && value > UINT_MAX))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "invalid value '%s' for parameter '%s' of device '%s'",
                            comma + 1, param, path);
    dev->values[field] = value;
    if (*end != '\0' && *end != ',')
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unable to parse blkio device '%s' '%s'", param, text);
    *cursor = *end ? end + 1 : end;
    return 0;
}

/* The devices' paths, sorted (util/name_index.c); NULL when out of memory. */
static struct vb_name_ref *index_paths(const struct blkiotune *bt)
{
    struct vb_name_ref *refs = calloc(bt->n + 1, sizeof(*refs));

    if (!refs)
        return NULL;
    for (size_t i = 0; i < bt->n; i++)
        refs[i] = (struct vb_name_ref){ bt->devices[i].path, i };
    vb_name_index_sort(refs, bt->n);
    return refs;
}

static int compare_at(const void *a, const void *b)
{
    const struct vb_name_ref *x = a, *y = b;

    return (x->at > y->at) - (x->at < y->at);
}

/* libvirt's virDomainDriverMergeBlkioDevice takes the entries in order: one whose path the list
 * has sets its field (the first such device's), a new one with a value is appended, and a later
 * entry for an appended path sets it again. libvirt searches the list for each entry, which is
 * quadratic; here both lists are sorted once, each path's entries are taken together (the last
 * one's value wins), and new devices are appended in the order of their first entry with a
 * value. The result is the same. */
static int merge_devices(struct blkiotune *bt, struct blkiotune *parsed, int field)
{
    _cleanup_free_ struct vb_name_ref *known = index_paths(bt);
    _cleanup_free_ struct vb_name_ref *entries = index_paths(parsed);
    _cleanup_free_ struct vb_name_ref *added = calloc(parsed->n + 1, sizeof(*added));
    size_t known_n = bt->n, n_added = 0;

    if (!known || !entries || !added)
        return -ENOMEM;
    for (size_t i = 0, end; i < parsed->n; i = end) {
        const struct vb_name_ref *found = vb_name_index_find(known, known_n, entries[i].name);
        unsigned long long last;

        for (end = i + 1; end < parsed->n && streq(entries[end].name, entries[i].name); end++)
            ;
        last = parsed->devices[entries[end - 1].at].values[field];
        if (found) {
            bt->devices[found->at].values[field] = last;
            continue;
        }
        /* Entries without a value before the first with one add nothing; the entries after it
         * set the added device's value, so the last one's stays. */
        for (size_t k = i; k < end; k++) {
            if (parsed->devices[entries[k].at].values[field]) {
                parsed->devices[entries[k].at].values[field] = last;
                added[n_added++] = entries[k];
                break;
            }
        }
    }
    qsort(added, n_added, sizeof(*added), compare_at);
    for (size_t k = 0; k < n_added; k++) {
        struct blkio_device *src = &parsed->devices[added[k].at];
        struct blkio_device *dev = add_device(bt, src->path);

        if (!dev)
            return -ENOMEM;
        dev->values[field] = src->values[field];
        src->path = NULL; /* now the list's */
    }
    return 0;
}

/* Entries a "path,value[,path,value...]" string holds (a malformed one fails to parse later). */
static size_t count_entries(const char *text)
{
    size_t commas = 0;

    for (; *text; text++)
        commas += *text == ',';
    return (commas + 1) / 2;
}

int vb_domain_def_merge_blkio_devices(struct vb_domain_def *def, const char *param, const char *text,
                                      struct vb_error *err)
{
    int field = field_index(param);
    struct blkiotune parsed = { 0 }, bt;
    const char *cursor = text;
    int r = 0;

    if (field < 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unknown parameter '%s'", param);
    if (count_entries(text) > VB_BLKIO_DEVICES_MAX)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "blkio parameter '%s' lists more than %d devices", param,
                            VB_BLKIO_DEVICES_MAX);
    while (*cursor && r >= 0)
        r = parse_pair(&cursor, field, param, text, &parsed, err);
    if (r >= 0 && (r = get_blkiotune(def, &bt, err)) >= 0) {
        size_t before = bt.n;

        if (merge_devices(&bt, &parsed, field) < 0)
            r = vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        else if (bt.n > before && bt.n > VB_BLKIO_DEVICES_MAX)
            r = vb_error_set(err, VB_ERR_INVALID_ARG,
                             "blkio parameter '%s' would make <blkiotune> list more than %d devices", param,
                             VB_BLKIO_DEVICES_MAX);
        else
            r = set_blkiotune(def, &bt, err);
        blkiotune_clear(&bt);
    }
    blkiotune_clear(&parsed);
    return r;
}
