/* The public domain API: argument checks and driver dispatch for every domain call. */
#include <stdlib.h>

#include "api/checks.h"
#include "api/dispatch.h"
#include "api/domain.h"

#define DRIVER(conn) ((conn)->driver)

/* --- registry --------------------------------------------------------------------------------- */

static int unsupported_read(const char *api, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_NO_SUPPORT, "%s", api);
}

int vb_domain_list(struct vb_connect *conn, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                   struct vb_error *err)
{
    if (flags & VB_LIST_UUIDS_ONLY)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "virConnectListAllDomains: unsupported flags (0x%x)",
                            (unsigned int) VB_LIST_UUIDS_ONLY);
    if (!DRIVER(conn)->list_domains)
        return unsupported_read("virConnectListAllDomains", err);
    return DRIVER(conn)->list_domains(conn->priv, flags, refs, n, err);
}

int vb_domain_list_uuids(struct vb_connect *conn, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                         struct vb_error *err)
{
    if (flags & VB_LIST_UUIDS_ONLY)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "virConnectListAllDomains: unsupported flags (0x%x)",
                            (unsigned int) VB_LIST_UUIDS_ONLY);
    if (!DRIVER(conn)->list_domains)
        return unsupported_read("virConnectListAllDomains", err);
    return DRIVER(conn)->list_domains(conn->priv, flags | VB_LIST_UUIDS_ONLY, refs, n, err);
}

int vb_domain_lookup_by_uuid(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err)
{
    if (!DRIVER(conn)->lookup_by_uuid)
        return unsupported_read("virDomainLookupByUUID", err);
    return DRIVER(conn)->lookup_by_uuid(conn->priv, uuid, ref, err);
}

int vb_domain_lookup_by_name(struct vb_connect *conn, const char *name, struct vb_domain_ref *ref,
                             struct vb_error *err)
{
    if (vb_check_non_null(name, "name", "virDomainLookupByName", err) < 0)
        return -1;
    if (!DRIVER(conn)->lookup_by_name)
        return unsupported_read("virDomainLookupByName", err);
    return DRIVER(conn)->lookup_by_name(conn->priv, name, ref, err);
}

int vb_domain_lookup_by_id(struct vb_connect *conn, int id, struct vb_domain_ref *ref, struct vb_error *err)
{
    if (id < 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "id in virDomainLookupByID must be non-negative");
    if (!DRIVER(conn)->lookup_by_id)
        return unsupported_read("virDomainLookupByID", err);
    return DRIVER(conn)->lookup_by_id(conn->priv, id, ref, err);
}

int vb_domain_get_state(struct vb_connect *conn, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err)
{
    if (!DRIVER(conn)->get_state)
        return unsupported_read("virDomainGetState", err);
    return DRIVER(conn)->get_state(conn->priv, uuid, state, reason, err);
}

int vb_domain_get_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err)
{
    if (!DRIVER(conn)->get_info)
        return unsupported_read("virDomainGetInfo", err);
    return DRIVER(conn)->get_info(conn->priv, uuid, info, err);
}

/* --- operations on the connection ------------------------------------------------------------- */

int vb_domain_define_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                         struct vb_domain_ref *ref)
{
    if (vb_check_non_null(xml, "xml", "virDomainDefineXMLFlags", &call->err) < 0 ||
        vb_check_string_max(xml, "xml", "virDomainDefineXMLFlags", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_DOMAIN_DEFINE_XML, DRIVER(conn)->define_xml, xml, flags, ref);
}

int vb_domain_create_xml(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                         struct vb_domain_ref *ref)
{
    if (vb_check_non_null(xml, "xmlDesc", "virDomainCreateXML", &call->err) < 0 ||
        vb_check_string_max(xml, "xmlDesc", "virDomainCreateXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_DOMAIN_CREATE_XML, DRIVER(conn)->create_xml, xml, flags, ref);
}

int vb_domain_restore(struct vb_connect *conn, struct vb_call *call, const char *path, const char *dxml,
                      unsigned int flags)
{
    if (vb_check_non_null(path, "from", "virDomainRestoreFlags", &call->err) < 0 ||
        vb_check_string_max(dxml, "dxml", "virDomainRestoreFlags", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_DOMAIN_RESTORE, DRIVER(conn)->restore, path, dxml, flags);
}

int vb_domain_save_image_get_xml_desc(struct vb_connect *conn, struct vb_call *call, const char *path,
                                      unsigned int flags, char **xml)
{
    *xml = NULL;
    if (vb_check_non_null(path, "file", "virDomainSaveImageGetXMLDesc", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_DOMAIN_SAVE_IMAGE_GET_XML_DESC, DRIVER(conn)->save_image_get_xml_desc,
                        path, flags, xml);
}

int vb_domain_save_image_define_xml(struct vb_connect *conn, struct vb_call *call, const char *path,
                                    const char *dxml, unsigned int flags)
{
    if (vb_check_non_null(path, "file", "virDomainSaveImageDefineXML", &call->err) < 0 ||
        vb_check_non_null(dxml, "dxml", "virDomainSaveImageDefineXML", &call->err) < 0 ||
        vb_check_string_max(dxml, "dxml", "virDomainSaveImageDefineXML", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_DOMAIN_SAVE_IMAGE_DEFINE_XML, DRIVER(conn)->save_image_define_xml, path,
                        dxml, flags);
}

int vb_domain_list_get_stats(struct vb_connect *conn, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN],
                             size_t n, unsigned int stats, unsigned int flags, struct vb_domain_stats **records,
                             size_t *n_records)
{
    *records = NULL;
    *n_records = 0;
    return VB_CALL_SLOT(conn, call, VB_OP_DOMAIN_LIST_GET_STATS, DRIVER(conn)->get_stats, uuids, n, stats, flags,
                        records, n_records);
}

/* --- lifecycle -------------------------------------------------------------------------------- */

struct create_args { unsigned int flags; };
VB_INVOKE(create, DRIVER(conn)->create(conn->priv, call, obj, a->flags))
struct destroy_args { unsigned int flags; };
VB_INVOKE(destroy, DRIVER(conn)->destroy(conn->priv, call, obj, a->flags))
struct shutdown_args { unsigned int flags; };
VB_INVOKE(shutdown, DRIVER(conn)->shutdown(conn->priv, call, obj, a->flags))
struct reboot_args { unsigned int flags; };
VB_INVOKE(reboot, DRIVER(conn)->reboot(conn->priv, call, obj, a->flags))
struct reset_args { unsigned int flags; };
VB_INVOKE(reset, DRIVER(conn)->reset(conn->priv, call, obj, a->flags))
struct managed_save_args { unsigned int flags; };
VB_INVOKE(managed_save, DRIVER(conn)->managed_save(conn->priv, call, obj, a->flags))
struct undefine_args { unsigned int flags; };
VB_INVOKE(undefine, DRIVER(conn)->undefine(conn->priv, call, obj, a->flags))
struct managed_save_remove_args { unsigned int flags; };
VB_INVOKE(managed_save_remove, DRIVER(conn)->managed_save_remove(conn->priv, call, obj, a->flags))
VB_INVOKE_NO_ARGS(suspend, DRIVER(conn)->suspend(conn->priv, call, obj))
VB_INVOKE_NO_ARGS(resume, DRIVER(conn)->resume(conn->priv, call, obj))
VB_INVOKE_NO_ARGS(abort_job, DRIVER(conn)->abort_job(conn->priv, call, obj))

int vb_domain_create(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_CREATE, uuid, create, DRIVER(conn)->create, flags);
}

int vb_domain_destroy(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_DESTROY, uuid, destroy, DRIVER(conn)->destroy, flags);
}

int vb_domain_shutdown(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SHUTDOWN, uuid, shutdown, DRIVER(conn)->shutdown, flags);
}

int vb_domain_reboot(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_REBOOT, uuid, reboot, DRIVER(conn)->reboot, flags);
}

int vb_domain_reset(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_RESET, uuid, reset, DRIVER(conn)->reset, flags);
}

int vb_domain_suspend(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    VB_DISPATCH_NO_ARGS(conn, call, VB_OP_DOMAIN_SUSPEND, uuid, suspend, DRIVER(conn)->suspend);
}

int vb_domain_resume(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    VB_DISPATCH_NO_ARGS(conn, call, VB_OP_DOMAIN_RESUME, uuid, resume, DRIVER(conn)->resume);
}

int vb_domain_managed_save(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_MANAGED_SAVE, uuid, managed_save, DRIVER(conn)->managed_save, flags);
}

struct save_args { const char *path, *dxml; unsigned int flags; };
VB_INVOKE(save, DRIVER(conn)->save(conn->priv, call, obj, a->path, a->dxml, a->flags))

int vb_domain_save(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *path, const char *dxml,
                   unsigned int flags)
{
    if (vb_check_non_null(path, "to", "virDomainSaveFlags", &call->err) < 0 ||
        vb_check_string_max(dxml, "dxml", "virDomainSaveFlags", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SAVE, uuid, save, DRIVER(conn)->save, path, dxml, flags);
}

int vb_domain_undefine(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_UNDEFINE, uuid, undefine, DRIVER(conn)->undefine, flags);
}

int vb_domain_managed_save_remove(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_MANAGED_SAVE_REMOVE, uuid, managed_save_remove,
                DRIVER(conn)->managed_save_remove, flags);
}

/* --- definition and configuration ----------------------------------------------------------- */

struct get_xml_desc_args { unsigned int flags; char **xml; };
VB_INVOKE(get_xml_desc, DRIVER(conn)->get_xml_desc(conn->priv, call, obj, a->flags, a->xml))

int vb_domain_get_xml_desc(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                           char **xml)
{
    *xml = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_XML_DESC, uuid, get_xml_desc, DRIVER(conn)->get_xml_desc, flags, xml);
}

struct has_managed_save_args { unsigned int flags; bool *result; };
VB_INVOKE(has_managed_save, DRIVER(conn)->has_managed_save(conn->priv, call, obj, a->flags, a->result))

int vb_domain_has_managed_save(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                               bool *result)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_HAS_MANAGED_SAVE_IMAGE, uuid, has_managed_save,
                DRIVER(conn)->has_managed_save, flags, result);
}

struct set_vcpus_args { unsigned int count, flags; };
VB_INVOKE(set_vcpus, DRIVER(conn)->set_vcpus(conn->priv, call, obj, a->count, a->flags))

int vb_domain_set_vcpus(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int count,
                        unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_VCPUS, uuid, set_vcpus, DRIVER(conn)->set_vcpus, count, flags);
}

struct set_memory_args { uint64_t kib; unsigned int flags; };
VB_INVOKE(set_memory, DRIVER(conn)->set_memory(conn->priv, call, obj, a->kib, a->flags))

int vb_domain_set_memory(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, uint64_t kib,
                         unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_MEMORY, uuid, set_memory, DRIVER(conn)->set_memory, kib, flags);
}

struct set_autostart_args { bool autostart; };
VB_INVOKE(set_autostart, DRIVER(conn)->set_autostart(conn->priv, call, obj, a->autostart))

int vb_domain_set_autostart(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, bool autostart)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_AUTOSTART, uuid, set_autostart, DRIVER(conn)->set_autostart,
                autostart);
}

struct get_metadata_args { int type; const char *uri; unsigned int flags; char **metadata; };
VB_INVOKE(get_metadata, DRIVER(conn)->get_metadata(conn->priv, call, obj, a->type, a->uri, a->flags, a->metadata))

int vb_domain_get_metadata(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, int type, const char *uri,
                           unsigned int flags, char **metadata)
{
    *metadata = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_METADATA, uuid, get_metadata, DRIVER(conn)->get_metadata, type, uri,
                flags, metadata);
}

struct set_metadata_args { int type; const char *metadata, *key, *uri; unsigned int flags; };
VB_INVOKE(set_metadata,
          DRIVER(conn)->set_metadata(conn->priv, call, obj, a->type, a->metadata, a->key, a->uri, a->flags))

int vb_domain_set_metadata(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, int type,
                           const char *metadata, const char *key, const char *uri, unsigned int flags)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_METADATA, uuid, set_metadata, DRIVER(conn)->set_metadata, type,
                metadata, key, uri, flags);
}

struct attach_device_args { const char *xml; unsigned int flags; };
VB_INVOKE(attach_device, DRIVER(conn)->attach_device(conn->priv, call, obj, a->xml, a->flags))
struct detach_device_args { const char *xml; unsigned int flags; };
VB_INVOKE(detach_device, DRIVER(conn)->detach_device(conn->priv, call, obj, a->xml, a->flags))
struct update_device_args { const char *xml; unsigned int flags; };
VB_INVOKE(update_device, DRIVER(conn)->update_device(conn->priv, call, obj, a->xml, a->flags))

int vb_domain_attach_device(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                            unsigned int flags)
{
    if (vb_check_non_null(xml, "xml", "virDomainAttachDeviceFlags", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_ATTACH_DEVICE, uuid, attach_device, DRIVER(conn)->attach_device, xml,
                flags);
}

int vb_domain_detach_device(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                            unsigned int flags)
{
    if (vb_check_non_null(xml, "xml", "virDomainDetachDeviceFlags", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_DETACH_DEVICE, uuid, detach_device, DRIVER(conn)->detach_device, xml,
                flags);
}

int vb_domain_update_device(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *xml,
                            unsigned int flags)
{
    if (vb_check_non_null(xml, "xml", "virDomainUpdateDeviceFlags", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_UPDATE_DEVICE, uuid, update_device, DRIVER(conn)->update_device, xml,
                flags);
}

/* --- vcpus ------------------------------------------------------------------------------------ */

struct get_vcpus_args { unsigned int flags; unsigned int *count; };
VB_INVOKE(get_vcpus, DRIVER(conn)->get_vcpus(conn->priv, call, obj, a->flags, a->count))

int vb_domain_get_vcpus(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                        unsigned int *count)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_VCPUS, uuid, get_vcpus, DRIVER(conn)->get_vcpus, flags, count);
}

struct get_vcpu_pin_info_args { unsigned int flags; bool **maps; unsigned int *nvcpus, *ncpus; };
VB_INVOKE(get_vcpu_pin_info,
          DRIVER(conn)->get_vcpu_pin_info(conn->priv, call, obj, a->flags, a->maps, a->nvcpus, a->ncpus))

int vb_domain_get_vcpu_pin_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                bool **maps, unsigned int *nvcpus, unsigned int *ncpus)
{
    *maps = NULL;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_VCPU_PIN_INFO, uuid, get_vcpu_pin_info, DRIVER(conn)->get_vcpu_pin_info,
                flags, maps, nvcpus, ncpus);
}

struct pin_vcpu_args { unsigned int vcpu; const bool *cpumap; unsigned int ncpus, flags; };
VB_INVOKE(pin_vcpu, DRIVER(conn)->pin_vcpu(conn->priv, call, obj, a->vcpu, a->cpumap, a->ncpus, a->flags))

int vb_domain_pin_vcpu(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int vcpu,
                       const bool *cpumap, unsigned int ncpus, unsigned int flags)
{
    if (ncpus == 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG,
                            "maplen in virDomainPinVcpuFlags must be greater than zero");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_PIN_VCPU, uuid, pin_vcpu, DRIVER(conn)->pin_vcpu, vcpu, cpumap, ncpus,
                flags);
}

struct set_memory_stats_period_args { int period; unsigned int flags; };
VB_INVOKE(set_memory_stats_period,
          DRIVER(conn)->set_memory_stats_period(conn->priv, call, obj, a->period, a->flags))

int vb_domain_set_memory_stats_period(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, int period,
                                      unsigned int flags)
{
    if (period < 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG,
                            "period in virDomainSetMemoryStatsPeriod must not be negative");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_SET_MEMORY_STATS_PERIOD, uuid, set_memory_stats_period,
                DRIVER(conn)->set_memory_stats_period, period, flags);
}

/* --- jobs and guest information --------------------------------------------------------------- */

struct get_job_info_args { struct vb_job_info *info; };
VB_INVOKE(get_job_info, DRIVER(conn)->get_job_info(conn->priv, call, obj, a->info))

int vb_domain_get_job_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, struct vb_job_info *info)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_JOB_INFO, uuid, get_job_info, DRIVER(conn)->get_job_info, info);
}

int vb_domain_abort_job(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid)
{
    VB_DISPATCH_NO_ARGS(conn, call, VB_OP_DOMAIN_ABORT_JOB, uuid, abort_job, DRIVER(conn)->abort_job);
}

struct get_job_stats_args { unsigned int flags; int *type; struct vb_typed_params *params; };
VB_INVOKE(get_job_stats, DRIVER(conn)->get_job_stats(conn->priv, call, obj, a->flags, a->type, a->params))

int vb_domain_get_job_stats(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                            int *type, struct vb_typed_params *params)
{
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_JOB_STATS, uuid, get_job_stats, DRIVER(conn)->get_job_stats, flags,
                type, params);
}

struct get_block_info_args { const char *disk; unsigned int flags; struct vb_block_info *info; };
VB_INVOKE(get_block_info, DRIVER(conn)->get_block_info(conn->priv, call, obj, a->disk, a->flags, a->info))

int vb_domain_get_block_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                             unsigned int flags, struct vb_block_info *info)
{
    if (vb_check_non_null(disk, "disk", "virDomainGetBlockInfo", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_GET_BLOCK_INFO, uuid, get_block_info, DRIVER(conn)->get_block_info, disk,
                flags, info);
}

struct block_resize_args { const char *disk; uint64_t size; unsigned int flags; };
VB_INVOKE(block_resize, DRIVER(conn)->block_resize(conn->priv, call, obj, a->disk, a->size, a->flags))

int vb_domain_block_resize(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                           uint64_t size, unsigned int flags)
{
    if (vb_check_non_null(disk, "disk", "virDomainBlockResize", &call->err) < 0)
        return -1;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_BLOCK_RESIZE, uuid, block_resize, DRIVER(conn)->block_resize, disk, size,
                flags);
}

struct block_peek_args { const char *disk; uint64_t offset; size_t size; unsigned int flags; uint8_t **buffer; };
VB_INVOKE(block_peek,
          DRIVER(conn)->block_peek(conn->priv, call, obj, a->disk, a->offset, a->size, a->flags, a->buffer))

int vb_domain_block_peek(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *disk,
                         uint64_t offset, uint64_t size, unsigned int flags, uint8_t **buffer)
{
    *buffer = NULL;
    /* libvirt's remote daemon refuses this before the API is called: its reply could not carry more */
    if (size > VB_DOMAIN_BLOCK_PEEK_MAX)
        return vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "size > maximum buffer size");
    if (!disk || !*disk)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "string disk in virDomainBlockPeek must not be empty");
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_BLOCK_PEEK, uuid, block_peek, DRIVER(conn)->block_peek, disk, offset,
                (size_t) size, flags, buffer);
}

struct interface_addresses_args { unsigned int source, flags; struct vb_iface **ifaces; size_t *n; };
VB_INVOKE(interface_addresses,
          DRIVER(conn)->interface_addresses(conn->priv, call, obj, a->source, a->flags, a->ifaces, a->n))

int vb_domain_interface_addresses(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int source,
                                  unsigned int flags, struct vb_iface **ifaces, size_t *n)
{
    *ifaces = NULL;
    *n = 0;
    VB_DISPATCH(conn, call, VB_OP_DOMAIN_INTERFACE_ADDRESSES, uuid, interface_addresses,
                DRIVER(conn)->interface_addresses, source, flags, ifaces, n);
}

/* --- what no driver does yet ------------------------------------------------------------------ */

int vb_domain_migrate_to_uri3(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *dconnuri,
                              unsigned int flags)
{
    struct vb_domain_ref ref = { 0 };

    if (vb_domain_lookup_by_uuid(conn, uuid, &ref, &call->err) < 0)
        return -1;
    vb_domain_ref_clear(&ref);
    /* libvirt refuses in its public API when the source driver lacks the kind of migration the
     * flags ask for; no virtbus driver migrates yet, so every request ends here, worded as
     * libvirt words it for its own test driver. */
    if (flags & VB_MIGRATE_PEER2PEER)
        return vb_error_set(&call->err, VB_ERR_ARGUMENT_UNSUPPORTED,
                            "p2p migration is not supported by the source host");
    return vb_error_set(&call->err, VB_ERR_ARGUMENT_UNSUPPORTED,
                        "direct migration is not supported by the source host");
}

int vb_domain_unsupported(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, enum vb_operation op)
{
    struct vb_domain_ref ref = { 0 };

    if (vb_domain_lookup_by_uuid(conn, uuid, &ref, &call->err) < 0)
        return -1;
    vb_domain_ref_clear(&ref);
    return vb_dispatch_unsupported(call, op);
}
