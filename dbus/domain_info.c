/* org.libvirt.Domain methods that read guest information: jobs, statistics, block and
 * interface details. GetInfo and GetBlockInfo are ours (libvirt-dbus lacks them). */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/typed_params.h"

static int method_get_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t stats, flags;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &stats, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    if (vb_domain_get_stats(((struct dbus_connect *) userdata)->conn, uuid, stats, flags, &params, &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = dbus_typed_params_append(reply, &params);
    vb_typed_params_clear(&params);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int method_get_job_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_job_info j;
    int r = dbus_message_domain_uuid(m, userdata, uuid, error);

    if (r < 0)
        return r;
    if (vb_domain_get_job_info(((struct dbus_connect *) userdata)->conn, uuid, &j, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "(ittttttttttt)", (int32_t) j.type, (uint64_t) j.time_elapsed,
                                      (uint64_t) j.time_remaining, (uint64_t) j.data_total,
                                      (uint64_t) j.data_processed, (uint64_t) j.data_remaining,
                                      (uint64_t) j.mem_total, (uint64_t) j.mem_processed,
                                      (uint64_t) j.mem_remaining, (uint64_t) j.file_total,
                                      (uint64_t) j.file_processed, (uint64_t) j.file_remaining);
}

static int method_abort_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    int r = dbus_message_domain_uuid(m, userdata, uuid, error);

    if (r < 0)
        return r;
    if (vb_domain_abort_job(((struct dbus_connect *) userdata)->conn, uuid, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, NULL);
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_domain_info info = { 0 };
    int r = dbus_message_domain_uuid(m, userdata, uuid, error);

    if (r < 0)
        return r;
    if (vb_domain_get_info(((struct dbus_connect *) userdata)->conn, uuid, &info, &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_reply_method_return(m, "(ittut)", (int32_t) info.state, (uint64_t) info.max_memory_kib,
                                   (uint64_t) info.memory_kib, (uint32_t) info.vcpus, (uint64_t) info.cpu_time_ns);
    vb_domain_info_clear(&info);
    return r;
}

static int method_get_block_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_block_info info;
    const char *disk;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "su", &disk, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    if (vb_domain_get_block_info(((struct dbus_connect *) userdata)->conn, uuid, disk, flags, &info, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "(ttt)", (uint64_t) info.capacity, (uint64_t) info.allocation,
                                      (uint64_t) info.physical);
}

static int append_iface(sd_bus_message *reply, const struct vb_iface *iface)
{
    int r = sd_bus_message_open_container(reply, 'r', "ssa(isu)");

    if (r >= 0)
        r = sd_bus_message_append(reply, "ss", iface->name, iface->hwaddr);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(isu)");
    for (size_t i = 0; r >= 0 && i < iface->n_addrs; i++)
        r = sd_bus_message_append(reply, "(isu)", (int32_t) iface->addrs[i].type, iface->addrs[i].addr,
                                  (uint32_t) iface->addrs[i].prefix);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int method_interface_addresses(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct vb_iface *ifaces = NULL;
    uint32_t source, flags;
    size_t n = 0;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &source, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    if (vb_domain_interface_addresses(((struct dbus_connect *) userdata)->conn, uuid, source, flags, &ifaces, &n,
                                      &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(ssa(isu))");
    for (size_t i = 0; r >= 0 && i < n; i++)
        r = append_iface(reply, &ifaces[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    vb_ifaces_free(ifaces, n);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable domain_info_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("AbortJob", NULL, NULL, method_abort_job, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetBlockInfo", SD_BUS_ARGS("s", disk, "u", flags), SD_BUS_RESULT("(ttt)", blockInfo),
                            method_get_block_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ittut)", info), method_get_info,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetJobInfo", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ittttttttttt)", jobInfo),
                            method_get_job_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetStats", SD_BUS_ARGS("u", stats, "u", flags), SD_BUS_RESULT("a{sv}", records),
                            method_get_stats, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("InterfaceAddresses", SD_BUS_ARGS("u", source, "u", flags),
                            SD_BUS_RESULT("a(ssa(isu))", ifaces), method_interface_addresses,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_info_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE, domain_info_vtable,
                                      dbus_domain_find, dc);
}
