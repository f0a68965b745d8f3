/* A disk's <driver cache discard> as qemu's block options, shared by the command line and disk
 * hotplug (cockpit-machines writes cache='default' discard='unmap' into every disk it adds). */
#include <json-c/json.h>
#include <string.h>

#include "conf/domain_view.h"
#include "drivers/qemu/qemu_command.h"
#include "util/macros.h"

/* libvirt's qemuDomainDiskCacheModeFlags: writeback (the device's write-cache), direct
 * (O_DIRECT) and no-flush of each mode; "default" sets nothing. */
static int cache_mode(const char *mode, struct qemu_disk_cache *cache)
{
    static const struct {
        const char *name;
        bool writeback, direct, no_flush;
    } modes[] = {
        { "none", true, true, false },       { "writethrough", false, false, false },
        { "writeback", true, false, false }, { "directsync", false, true, false },
        { "unsafe", true, false, true },
    };

    *cache = (struct qemu_disk_cache){ 0 };
    if (!mode || streq(mode, "default"))
        return 0;
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
        if (streq(modes[i].name, mode)) {
            *cache = (struct qemu_disk_cache){ true, modes[i].writeback, modes[i].direct, modes[i].no_flush };
            return 0;
        }
    return -1;
}

int qemu_disk_driver_options(const struct vb_xml_element *driver, const char *where, struct qemu_disk_cache *cache,
                             const char **discard, struct vb_error *err)
{
    const char *mode = vb_xml_element_attr(driver, "cache");

    *discard = vb_xml_element_attr(driver, "discard");
    if (cache_mode(mode, cache) < 0)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "%s: unknown disk cache mode '%s'", where, mode);
    if (*discard && !streq(*discard, "unmap") && !streq(*discard, "ignore"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "%s: unknown disk discard mode '%s'", where, *discard);
    return 0;
}

void qemu_disk_cache_add(struct json_object *node, const struct qemu_disk_cache *cache)
{
    struct json_object *options;

    if (!cache->set || !(options = json_object_new_object()))
        return;
    json_object_object_add(options, "direct", json_object_new_boolean(cache->direct));
    json_object_object_add(options, "no-flush", json_object_new_boolean(cache->no_flush));
    json_object_object_add(node, "cache", options);
}
