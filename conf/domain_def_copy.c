/* Deep copy and release of domain definitions, and the storage for what is kept verbatim. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"

/* libvirt's virDomainDefFormatInternal order of <domain> children. */
const char *const vb_domain_slots[] = {
    "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
    "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
    "iothreadids", "defaultiothread", "cputune", "numatune", "resource", "throttlegroups",
    "sysinfo", "bootloader", "bootloader_args", "os", "idmap", "features", "cpu", "clock",
    "on_poweroff", "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices",
    "seclabel", "keywrap", "launchSecurity", NULL,
};

/* ... and of <os> children. */
const char *const vb_os_slots[] = {
    "type", "firmware", "init", "initarg", "initenv", "initdir", "inituser", "initgroup",
    "loader", "nvram", "varstore", "kernel", "initrd", "cmdline", "shim", "dtb", "acpi", "boot",
    "bootmenu", "smbios", "bios", NULL,
};

int vb_slot_index(const char *const *slots, const xmlChar *name)
{
    for (int i = 0; slots[i]; i++)
        if (xmlStrEqual(name, BAD_CAST slots[i]))
            return i;
    return -1;
}

struct vb_unmodelled *vb_unmodelled_new(void)
{
    return calloc(1, sizeof(struct vb_unmodelled));
}

int vb_extra_list_append(struct vb_extra_list *list, char *text, int slot)
{
    struct vb_extra *items;

    if (!text)
        return -1;
    items = realloc(list->items, (list->n + 1) * sizeof(*items));
    if (!items) {
        free(text);
        return -1;
    }
    list->items = items;
    list->items[list->n++] = (struct vb_extra){ .text = text, .slot = slot };
    return 0;
}

static void extra_list_clear(struct vb_extra_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].text);
    free(list->items);
    *list = (struct vb_extra_list){ 0 };
}

static int extra_list_copy(struct vb_extra_list *dst, const struct vb_extra_list *src)
{
    if (!src->n)
        return 0;
    dst->items = calloc(src->n, sizeof(*dst->items));
    if (!dst->items)
        return -1;
    for (; dst->n < src->n; dst->n++) {
        dst->items[dst->n].slot = src->items[dst->n].slot;
        dst->items[dst->n].text = strdup(src->items[dst->n].text);
        if (!dst->items[dst->n].text)
            return -1;
    }
    return 0;
}

/* strdup of an optional string: true on success, including when there is nothing to copy. */
static bool copy_string(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return !src || *dst;
}

void vb_unmodelled_free(struct vb_unmodelled *u)
{
    if (!u)
        return;
    free(u->domain_attrs);
    free(u->memory_attrs);
    free(u->vcpu_attrs);
    free(u->vcpu_cpuset);
    free(u->os_attrs);
    free(u->metadata);
    extra_list_clear(&u->top);
    extra_list_clear(&u->os_children);
    free(u);
}

struct vb_unmodelled *vb_unmodelled_copy(const struct vb_unmodelled *src)
{
    _cleanup_(vb_unmodelled_freep) struct vb_unmodelled *u = vb_unmodelled_new();

    if (!u)
        return NULL;
    if (!src)
        return TAKE_PTR(u);
    u->have_vcpu = src->have_vcpu;
    u->vcpu_auto = src->vcpu_auto;
    u->namespaced = src->namespaced;
    if (!copy_string(&u->domain_attrs, src->domain_attrs) ||
        !copy_string(&u->memory_attrs, src->memory_attrs) ||
        !copy_string(&u->vcpu_attrs, src->vcpu_attrs) ||
        !copy_string(&u->vcpu_cpuset, src->vcpu_cpuset) ||
        !copy_string(&u->os_attrs, src->os_attrs) || !copy_string(&u->metadata, src->metadata) ||
        extra_list_copy(&u->top, &src->top) < 0 ||
        extra_list_copy(&u->os_children, &src->os_children) < 0)
        return NULL;
    return TAKE_PTR(u);
}

static bool copy_strv(char ***dst, char *const *src)
{
    size_t n = 0;

    *dst = NULL;
    if (!src)
        return true;
    while (src[n])
        n++;
    *dst = calloc(n + 1, sizeof(char *));
    if (!*dst)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!copy_string(&(*dst)[i], src[i]))
            return false;
    return true;
}

static bool copy_strings(struct vb_domain_def *def, const struct vb_domain_def *src)
{
    return copy_string(&def->virt_type, src->virt_type) && copy_string(&def->name, src->name) &&
           copy_string(&def->title, src->title) &&
           copy_string(&def->description, src->description) &&
           copy_string(&def->os_type, src->os_type) && copy_string(&def->os_arch, src->os_arch) &&
           copy_string(&def->os_machine, src->os_machine) &&
           copy_string(&def->os_kernel, src->os_kernel) &&
           copy_string(&def->os_initrd, src->os_initrd) &&
           copy_string(&def->os_cmdline, src->os_cmdline) &&
           copy_strv(&def->boot_devices, src->boot_devices);
}

static bool copy_devices(struct vb_domain_def *def, const struct vb_domain_def *src)
{
    if (!src->n_devices)
        return true;
    def->devices = calloc(src->n_devices, sizeof(*def->devices));
    if (!def->devices)
        return false;
    for (size_t i = 0; i < src->n_devices; i++) {
        def->devices[i] = vb_device_def_copy(src->devices[i]);
        if (!def->devices[i])
            return false;
        def->n_devices++;
    }
    return true;
}

struct vb_domain_def *vb_domain_def_copy(const struct vb_domain_def *src, struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;

    if (!src) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "def in %s must not be NULL", __func__);
        return NULL;
    }
    def = calloc(1, sizeof(*def));
    if (!def)
        goto oom;
    /* Scalars first; every pointer is then replaced by its own copy. */
    *def = *src;
    def->virt_type = def->name = def->title = def->description = NULL;
    def->os_type = def->os_arch = def->os_machine = NULL;
    def->os_kernel = def->os_initrd = def->os_cmdline = NULL;
    def->boot_devices = NULL;
    def->devices = NULL;
    def->n_devices = 0;
    def->unmodelled = NULL;
    def->vcpus = NULL;
    if (!copy_strings(def, src) || !copy_devices(def, src))
        goto oom;
    if (src->vcpus && !(def->vcpus = malloc((src->vcpus_max + 1) * sizeof(*def->vcpus))))
        goto oom;
    if (src->vcpus)
        memcpy(def->vcpus, src->vcpus, (src->vcpus_max + 1) * sizeof(*def->vcpus));
    def->unmodelled = vb_unmodelled_copy(src->unmodelled);
    if (!def->unmodelled)
        goto oom;
    return TAKE_PTR(def);
oom:
    vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return NULL;
}

void vb_domain_def_free(struct vb_domain_def *def)
{
    if (!def)
        return;
    free(def->virt_type);
    free(def->name);
    free(def->title);
    free(def->description);
    free(def->os_type);
    free(def->os_arch);
    free(def->os_machine);
    free(def->os_kernel);
    free(def->os_initrd);
    free(def->os_cmdline);
    for (size_t i = 0; def->boot_devices && def->boot_devices[i]; i++)
        free(def->boot_devices[i]);
    free(def->boot_devices);
    for (size_t i = 0; i < def->n_devices; i++)
        vb_device_def_free(def->devices[i]);
    free(def->devices);
    free(def->vcpus);
    vb_unmodelled_free(def->unmodelled);
    free(def);
}
