/* The driver registry: every compiled-in driver, tried in order. */
#include <stddef.h>
#include <stdlib.h>

#include "drivers/registry.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/test/test_driver.h"

static const struct vb_driver *const drivers[] = {
    &vb_test_driver,
    &vb_qemu_driver,
};

const struct vb_driver *const *vb_drivers(size_t *n)
{
    *n = ARRAY_SIZE(drivers);
    return drivers;
}

const struct vb_driver *vb_driver_for_uri(const char *uri)
{
    if (!uri)
        return NULL;
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
        if (drivers[i]->uri_matches(uri))
            return drivers[i];
    return NULL;
}

void vb_domain_ref_clear(struct vb_domain_ref *ref)
{
    free(ref->name);
    ref->name = NULL;
}

void vb_domain_refs_free(struct vb_domain_ref *refs, size_t n)
{
    if (!refs)
        return;
    for (size_t i = 0; i < n; i++)
        vb_domain_ref_clear(&refs[i]);
    free(refs);
}

void vb_domain_info_clear(struct vb_domain_info *info)
{
    free(info->name);
    free(info->os_type);
    free(info->scheduler_type);
    info->name = info->os_type = info->scheduler_type = NULL;
}

void vb_domain_stats_free(struct vb_domain_stats *records, size_t n)
{
    for (size_t i = 0; records && i < n; i++) {
        free(records[i].name);
        vb_typed_params_clear(&records[i].params);
    }
    free(records);
}

void vb_ifaces_free(struct vb_iface *ifaces, size_t n)
{
    if (!ifaces)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ifaces[i].n_addrs; j++)
            free(ifaces[i].addrs[j].addr);
        free(ifaces[i].addrs);
        free(ifaces[i].name);
        free(ifaces[i].hwaddr);
    }
    free(ifaces);
}
