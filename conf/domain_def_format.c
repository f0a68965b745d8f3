/* Formatting of struct vb_domain_def to libvirt's canonical domain XML layout. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"

struct format_ctx {
    struct vb_buf *buf;
    const struct vb_domain_def *def;
    const struct vb_unmodelled *u; /* never NULL: an empty one stands in for hand-made defs */
    unsigned int flags;
    /* Only for a namespaced definition: <domain><os/></domain> with their attributes, parsed
     * once when a fragment first needs their declarations in scope. */
    xmlDocPtr scope_doc;
    struct vb_ns_scope domain_scope, os_scope;
};

static void add_attrs(struct vb_buf *buf, const char *attrs)
{
    if (attrs)
        vb_buf_add(buf, attrs);
}

static bool load_scope(struct format_ctx *ctx)
{
    struct vb_buf wrapper = { 0 };
    xmlNodePtr domain, os;

    if (ctx->scope_doc)
        return true;
    vb_buf_add(&wrapper, "<domain");
    add_attrs(&wrapper, ctx->u->domain_attrs);
    vb_buf_add(&wrapper, "><os");
    add_attrs(&wrapper, ctx->u->os_attrs);
    vb_buf_add(&wrapper, "/></domain>");
    ctx->scope_doc = wrapper.oom ? NULL : vb_fragment_parse(wrapper.data);
    vb_buf_free(&wrapper);
    domain = ctx->scope_doc ? xmlDocGetRootElement(ctx->scope_doc) : NULL;
    os = domain ? vb_xml_child(domain, "os") : NULL;
    if (!os)
        return false;
    ctx->domain_scope = (struct vb_ns_scope){ NULL, domain->nsDef };
    ctx->os_scope = (struct vb_ns_scope){ &ctx->domain_scope, os->nsDef };
    return true;
}

/* A fragment at its place: as stored, unless enclosing elements declare namespaces and the
 * fragment declares some too, which may then be left out as repeats. */
static void format_fragment(struct format_ctx *ctx, const char *text, int level,
                            enum vb_xml_quote quote, const char *skip_attr, bool in_os)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;

    if (!text)
        return;
    if (!ctx->u->namespaced || !strstr(text, "xmlns")) {
        vb_fragment_add(ctx->buf, text, skip_attr);
        return;
    }
    doc = load_scope(ctx) ? vb_fragment_parse(text) : NULL;
    if (!doc) {
        ctx->buf->oom = true;
        return;
    }
    vb_xml_format_node(ctx->buf, xmlDocGetRootElement(doc), level, quote, skip_attr,
                       in_os ? &ctx->os_scope : &ctx->domain_scope);
}

/* The kept children of <domain> (in_os false, level 1) or <os> (level 2) at one slot. */
static void format_extras(struct format_ctx *ctx, bool in_os, int slot)
{
    const struct vb_extra_list *list = in_os ? &ctx->u->os_children : &ctx->u->top;

    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].slot == slot)
            format_fragment(ctx, list->items[i].text, in_os ? 2 : 1, VB_XML_QUOTE_SINGLE, NULL,
                            in_os);
}

/* Whether a fragment's element has local name `name`. */
static bool fragment_is(const char *text, const char *name)
{
    size_t len;
    const char *colon;

    text += strspn(text, " ");
    if (*text++ != '<')
        return false;
    len = strcspn(text, " />\n");
    colon = memchr(text, ':', len);
    if (colon) {
        len -= (size_t) (colon + 1 - text);
        text = colon + 1;
    }
    return len == strlen(name) && !strncmp(text, name, len);
}

static bool has_extra(const struct vb_extra_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (fragment_is(list->items[i].text, name))
            return true;
    return false;
}

static void format_memory(struct format_ctx *ctx)
{
    vb_buf_add(ctx->buf, "  <memory unit='KiB'");
    add_attrs(ctx->buf, ctx->u->memory_attrs);
    vb_buf_addf(ctx->buf, ">%" PRIu64 "</memory>\n", ctx->def->max_memory_kib);
}

/* libvirt always prints currentMemory; absent, it equals memory. */
static void format_current_memory(struct format_ctx *ctx)
{
    uint64_t current = ctx->def->current_memory_kib;

    if (!current || current > ctx->def->max_memory_kib)
        current = ctx->def->max_memory_kib;
    vb_buf_addf(ctx->buf, "  <currentMemory unit='KiB'>%" PRIu64 "</currentMemory>\n", current);
}

static void format_vcpu(struct format_ctx *ctx)
{
    unsigned int max = ctx->def->vcpus_max ? ctx->def->vcpus_max : 1;

    vb_buf_add(ctx->buf, ctx->u->vcpu_auto ? "  <vcpu placement='auto'"
                                           : "  <vcpu placement='static'");
    if (ctx->u->vcpu_cpuset) {
        vb_buf_add(ctx->buf, " cpuset='");
        vb_buf_escape(ctx->buf, ctx->u->vcpu_cpuset);
        vb_buf_add(ctx->buf, "'");
    }
    if (ctx->def->vcpus_current && ctx->def->vcpus_current < max)
        vb_buf_addf(ctx->buf, " current='%u'", ctx->def->vcpus_current);
    add_attrs(ctx->buf, ctx->u->vcpu_attrs);
    vb_buf_addf(ctx->buf, ">%u</vcpu>\n", max);
    vb_vcpus_format(ctx->buf, ctx->def);
}

static void format_os_type(struct format_ctx *ctx)
{
    const struct vb_domain_def *def = ctx->def;

    if (!def->os_type)
        return;
    vb_buf_add(ctx->buf, "    <type");
    if (def->os_arch) {
        vb_buf_add(ctx->buf, " arch='");
        vb_buf_escape(ctx->buf, def->os_arch);
        vb_buf_add(ctx->buf, "'");
    }
    if (def->os_machine) {
        vb_buf_add(ctx->buf, " machine='");
        vb_buf_escape(ctx->buf, def->os_machine);
        vb_buf_add(ctx->buf, "'");
    }
    vb_buf_add(ctx->buf, ">");
    vb_buf_escape(ctx->buf, def->os_type);
    vb_buf_add(ctx->buf, "</type>\n");
}

static void format_os_slot(struct format_ctx *ctx, const char *name)
{
    const struct vb_domain_def *def = ctx->def;

    if (streq(name, "type"))
        format_os_type(ctx);
    else if (streq(name, "kernel"))
        vb_buf_element(ctx->buf, 2, "kernel", def->os_kernel);
    else if (streq(name, "initrd"))
        vb_buf_element(ctx->buf, 2, "initrd", def->os_initrd);
    else if (streq(name, "cmdline"))
        vb_buf_element(ctx->buf, 2, "cmdline", def->os_cmdline);
    else if (streq(name, "boot"))
        for (size_t i = 0; def->boot_devices && def->boot_devices[i]; i++) {
            vb_buf_add(ctx->buf, "    <boot dev='");
            vb_buf_escape(ctx->buf, def->boot_devices[i]);
            vb_buf_add(ctx->buf, "'/>\n");
        }
}

static void format_os(struct format_ctx *ctx)
{
    vb_buf_add(ctx->buf, "  <os");
    add_attrs(ctx->buf, ctx->u->os_attrs);
    vb_buf_add(ctx->buf, ">\n");
    format_extras(ctx, true, -1);
    for (int slot = 0; vb_os_slots[slot]; slot++) {
        format_os_slot(ctx, vb_os_slots[slot]);
        format_extras(ctx, true, slot);
    }
    vb_buf_add(ctx->buf, "  </os>\n");
}

static void format_lifecycle(struct format_ctx *ctx, const char *name,
                             enum vb_lifecycle_action action, enum vb_lifecycle_action fallback)
{
    const char *text = vb_lifecycle_action_to_string(action);

    /* An absent element means libvirt's default, which libvirt always prints. */
    vb_buf_element(ctx->buf, 1, name, text ? text : vb_lifecycle_action_to_string(fallback));
}

static void format_devices(struct format_ctx *ctx)
{
    /* libvirt prints a graphics password only for VIR_DOMAIN_XML_SECURE. */
    const char *secret = ctx->flags & VB_DOMAIN_XML_SECURE ? NULL : "passwd";

    vb_buf_add(ctx->buf, "  <devices>\n");
    for (size_t i = 0; i < ctx->def->n_devices; i++) {
        const struct vb_device_def *dev = ctx->def->devices[i];

        format_fragment(ctx, dev->xml_text, 2, VB_XML_QUOTE_SINGLE,
                        dev->kind == VB_DEVICE_GRAPHICS ? secret : NULL, false);
    }
    vb_buf_add(ctx->buf, "  </devices>\n");
}

static void format_uuid(struct format_ctx *ctx)
{
    char uuid[VB_UUID_STRING_LEN];

    vb_uuid_format(ctx->def->uuid, uuid);
    vb_buf_addf(ctx->buf, "  <uuid>%s</uuid>\n", uuid);
}

/* The modelled element of one output slot, if any. */
static void format_slot(struct format_ctx *ctx, const char *name)
{
    const struct vb_domain_def *def = ctx->def;

    if (streq(name, "name"))
        vb_buf_element(ctx->buf, 1, "name", def->name);
    else if (streq(name, "uuid"))
        format_uuid(ctx);
    else if (streq(name, "title"))
        vb_buf_element(ctx->buf, 1, "title", def->title);
    else if (streq(name, "description"))
        vb_buf_element(ctx->buf, 1, "description", def->description);
    else if (streq(name, "metadata"))
        format_fragment(ctx, ctx->u->metadata, 1, VB_XML_QUOTE_DOUBLE, NULL, false);
    else if (streq(name, "memory"))
        format_memory(ctx);
    else if (streq(name, "currentMemory"))
        format_current_memory(ctx);
    else if (streq(name, "vcpu"))
        format_vcpu(ctx);
    else if (streq(name, "os"))
        format_os(ctx);
    else if (streq(name, "clock") && !has_extra(&ctx->u->top, "clock"))
        vb_buf_add(ctx->buf, "  <clock offset='utc'/>\n");
    else if (streq(name, "on_poweroff"))
        format_lifecycle(ctx, name, def->on_poweroff, VB_LIFECYCLE_DESTROY);
    else if (streq(name, "on_reboot"))
        format_lifecycle(ctx, name, def->on_reboot, VB_LIFECYCLE_RESTART);
    else if (streq(name, "on_crash"))
        format_lifecycle(ctx, name, def->on_crash, VB_LIFECYCLE_DESTROY);
    else if (streq(name, "devices"))
        format_devices(ctx);
}

static void format_domain_open(struct format_ctx *ctx)
{
    const struct vb_domain_def *def = ctx->def;

    vb_buf_add(ctx->buf, "<domain type='");
    vb_buf_escape(ctx->buf, def->virt_type ? def->virt_type : "test");
    vb_buf_add(ctx->buf, "'");
    if (def->id >= 0 && !(ctx->flags & VB_DOMAIN_XML_INACTIVE))
        vb_buf_addf(ctx->buf, " id='%d'", def->id);
    /* Declarations go out with nothing in scope: <domain> is where they are all printed. */
    add_attrs(ctx->buf, ctx->u->domain_attrs);
    vb_buf_add(ctx->buf, ">\n");
}

char *vb_domain_def_format(const struct vb_domain_def *def, unsigned int flags, struct vb_error *err)
{
    struct vb_unmodelled empty = { 0 };
    struct vb_buf buf = { 0 };
    struct format_ctx ctx = { .buf = &buf, .def = def, .flags = flags };

    if (!def) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "def in %s must not be NULL", __func__);
        return NULL;
    }
    ctx.u = def->unmodelled ? def->unmodelled : &empty;
    format_domain_open(&ctx);
    format_extras(&ctx, false, -1);
    for (int slot = 0; vb_domain_slots[slot]; slot++) {
        format_slot(&ctx, vb_domain_slots[slot]);
        format_extras(&ctx, false, slot);
    }
    vb_buf_add(&buf, "</domain>\n");
    if (ctx.scope_doc)
        xmlFreeDoc(ctx.scope_doc);
    return vb_buf_steal(&buf, err);
}
