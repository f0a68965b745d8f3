/* The public domain API: argument checks and driver dispatch for every domain call. */
#include <stdlib.h>

#include "api/domain.h"

/* Calls the driver slot, or reports libvirt's "not supported" naming the public API. */
#define DISPATCH_INT(conn, slot, api, err, ...)                                  \
    do {                                                                         \
        if (!(conn)->driver->slot)                                               \
            return vb_error_set((err), VB_ERR_NO_SUPPORT, "%s", (api));          \
        return (conn)->driver->slot((conn)->priv, __VA_ARGS__);                  \
    } while (0)

#define DISPATCH_PTR(conn, slot, api, err, ...)                                  \
    do {                                                                         \
        if (!(conn)->driver->slot) {                                             \
            vb_error_set((err), VB_ERR_NO_SUPPORT, "%s", (api));                 \
            return NULL;                                                         \
        }                                                                        \
        return (conn)->driver->slot((conn)->priv, __VA_ARGS__);                  \
    } while (0)

/* libvirt's virCheckNonNullArg wording. */
static int check_non_null(const void *arg, const char *name, const char *api, struct vb_error *err)
{
    if (!arg)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s in %s must not be NULL", name, api);
    return 0;
}

int vb_domain_list(struct vb_connect *conn, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                   struct vb_error *err)
{
    DISPATCH_INT(conn, list_domains, "virConnectListAllDomains", err, flags, refs, n, err);
}

int vb_domain_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err)
{
    DISPATCH_INT(conn, lookup_by_uuid, "virDomainLookupByUUID", err, uuid, ref, err);
}

int vb_domain_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_domain_ref *ref,
                             struct vb_error *err)
{
    if (check_non_null(name, "name", "virDomainLookupByName", err) < 0)
        return -1;
    DISPATCH_INT(conn, lookup_by_name, "virDomainLookupByName", err, name, ref, err);
}

int vb_domain_lookup_by_id(struct vb_connect *conn, int id, struct vb_domain_ref *ref, struct vb_error *err)
{
    if (id < 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "id in virDomainLookupByID must be non-negative");
    DISPATCH_INT(conn, lookup_by_id, "virDomainLookupByID", err, id, ref, err);
}

int vb_domain_define_xml(struct vb_connect *conn, const char *xml, unsigned int flags, struct vb_domain_ref *ref,
                         struct vb_error *err)
{
    if (check_non_null(xml, "xml", "virDomainDefineXMLFlags", err) < 0)
        return -1;
    DISPATCH_INT(conn, define_xml, "virDomainDefineXMLFlags", err, xml, flags, ref, err);
}

int vb_domain_undefine(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    DISPATCH_INT(conn, undefine, "virDomainUndefineFlags", err, uuid, flags, err);
}

char *vb_domain_get_xml_desc(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    DISPATCH_PTR(conn, get_xml_desc, "virDomainGetXMLDesc", err, uuid, flags, err);
}

int vb_domain_create_xml(struct vb_connect *conn, const char *xml, unsigned int flags, vb_client_id client,
                         struct vb_domain_ref *ref, const struct vb_completion *done, struct vb_error *err)
{
    if (check_non_null(xml, "xmlDesc", "virDomainCreateXML", err) < 0)
        return -1;
    DISPATCH_INT(conn, create_xml, "virDomainCreateXML", err, xml, flags, client, ref, done, err);
}

int vb_domain_create(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, vb_client_id client,
                     const struct vb_completion *done, struct vb_error *err)
{
    DISPATCH_INT(conn, create, "virDomainCreateWithFlags", err, uuid, flags, client, done, err);
}

int vb_domain_destroy(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                      struct vb_error *err)
{
    DISPATCH_INT(conn, destroy, "virDomainDestroyFlags", err, uuid, flags, done, err);
}

int vb_domain_shutdown(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                       struct vb_error *err)
{
    DISPATCH_INT(conn, shutdown, "virDomainShutdownFlags", err, uuid, flags, done, err);
}

int vb_domain_reboot(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                     struct vb_error *err)
{
    DISPATCH_INT(conn, reboot, "virDomainReboot", err, uuid, flags, done, err);
}

int vb_domain_reset(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                    struct vb_error *err)
{
    DISPATCH_INT(conn, reset, "virDomainReset", err, uuid, flags, done, err);
}

int vb_domain_suspend(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err)
{
    DISPATCH_INT(conn, suspend, "virDomainSuspend", err, uuid, done, err);
}

int vb_domain_resume(struct vb_connect *conn, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err)
{
    DISPATCH_INT(conn, resume, "virDomainResume", err, uuid, done, err);
}

int vb_domain_managed_save(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags,
                           const struct vb_completion *done, struct vb_error *err)
{
    DISPATCH_INT(conn, managed_save, "virDomainManagedSave", err, uuid, flags, done, err);
}

int vb_domain_save(struct vb_connect *conn, vb_uuid_t uuid, const char *path, const char *dxml, unsigned int flags,
                   const struct vb_completion *done, struct vb_error *err)
{
    if (check_non_null(path, "to", "virDomainSaveFlags", err) < 0)
        return -1;
    DISPATCH_INT(conn, save, "virDomainSaveFlags", err, uuid, path, dxml, flags, done, err);
}

int vb_domain_restore(struct vb_connect *conn, const char *path, const char *dxml, unsigned int flags,
                      const struct vb_completion *done, struct vb_error *err)
{
    if (check_non_null(path, "from", "virDomainRestoreFlags", err) < 0)
        return -1;
    DISPATCH_INT(conn, restore, "virDomainRestoreFlags", err, path, dxml, flags, done, err);
}

int vb_domain_get_state(struct vb_connect *conn, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err)
{
    DISPATCH_INT(conn, get_state, "virDomainGetState", err, uuid, state, reason, err);
}

int vb_domain_get_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err)
{
    DISPATCH_INT(conn, get_info, "virDomainGetInfo", err, uuid, info, err);
}

int vb_domain_has_managed_save(struct vb_connect *conn, vb_uuid_t uuid, struct vb_error *err)
{
    DISPATCH_INT(conn, has_managed_save, "virDomainHasManagedSaveImage", err, uuid, err);
}

int vb_domain_managed_save_remove(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    DISPATCH_INT(conn, managed_save_remove, "virDomainManagedSaveRemove", err, uuid, flags, err);
}

int vb_domain_set_vcpus(struct vb_connect *conn, vb_uuid_t uuid, unsigned int count, unsigned int flags,
                        struct vb_error *err)
{
    DISPATCH_INT(conn, set_vcpus, "virDomainSetVcpusFlags", err, uuid, count, flags, err);
}

int vb_domain_set_memory(struct vb_connect *conn, vb_uuid_t uuid, uint64_t kib, unsigned int flags,
                         struct vb_error *err)
{
    DISPATCH_INT(conn, set_memory, "virDomainSetMemoryFlags", err, uuid, kib, flags, err);
}

int vb_domain_set_autostart(struct vb_connect *conn, vb_uuid_t uuid, bool autostart, struct vb_error *err)
{
    DISPATCH_INT(conn, set_autostart, "virDomainSetAutostart", err, uuid, autostart, err);
}

char *vb_domain_get_metadata(struct vb_connect *conn, vb_uuid_t uuid, int type, const char *uri, unsigned int flags,
                             struct vb_error *err)
{
    DISPATCH_PTR(conn, get_metadata, "virDomainGetMetadata", err, uuid, type, uri, flags, err);
}

int vb_domain_set_metadata(struct vb_connect *conn, vb_uuid_t uuid, int type, const char *metadata, const char *key,
                           const char *uri, unsigned int flags, struct vb_error *err)
{
    DISPATCH_INT(conn, set_metadata, "virDomainSetMetadata", err, uuid, type, metadata, key, uri, flags, err);
}
