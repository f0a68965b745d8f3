/* org.libvirt.Domain methods that read guest information: jobs, statistics, block and
 * interface details, and the block calls (resize, peek). GetInfo and GetBlockInfo are ours
 * (libvirt-dbus lacks them). */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/typed_params.h"

/* --- statistics -------------------------------------------------------------------------------- */

/* The statistics of one domain, through the list call (libvirt's virDomainListGetStats). */
struct stats_call {
    struct dbus_call base;
    unsigned char uuid[1][VB_UUID_LEN]; /* the core may read it after the handler returned */
    struct vb_domain_stats *records;
    size_t n;
};

static int append_stats(struct dbus_call *call, sd_bus_message *reply)
{
    return dbus_typed_params_append(reply, &((struct stats_call *) call)->records[0].params);
}

static void clear_stats(struct dbus_call *call)
{
    struct stats_call *c = (struct stats_call *) call;

    vb_domain_stats_free(c->records, c->n);
}

/* The list leaves out a domain that no longer exists: say so as libvirt's lookup does. */
static int check_found(struct dbus_call *call)
{
    struct stats_call *c = (struct stats_call *) call;
    char text[VB_UUID_STRING_LEN];

    if (c->n > 0)
        return 0;
    vb_uuid_format(c->uuid[0], text);
    return vb_error_set(&call->core.err, VB_ERR_NO_DOMAIN, "no domain with matching uuid '%s'", text);
}

static int method_get_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct stats_call *call;
    uint32_t stats, flags;
    int r = sd_bus_message_read(m, "uu", &stats, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_stats, clear_stats);
    if (!call)
        return -ENOMEM;
    call->base.check = check_found;
    memcpy(call->uuid[0], d->uuid, VB_UUID_LEN);
    r = vb_domain_list_get_stats(d->dc->conn, &call->base.core, (const unsigned char(*)[VB_UUID_LEN]) call->uuid, 1,
                                 stats, flags, &call->records, &call->n);
    return dbus_call_finish(&call->base, r, error);
}

/* --- jobs -------------------------------------------------------------------------------------- */

struct job_info_call {
    struct dbus_call base;
    struct vb_job_info info;
};

static int append_job_info(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_job_info *j = &((struct job_info_call *) call)->info;

    return sd_bus_message_append(reply, "(ittttttttttt)", (int32_t) j->type, (uint64_t) j->time_elapsed,
                                 (uint64_t) j->time_remaining, (uint64_t) j->data_total,
                                 (uint64_t) j->data_processed, (uint64_t) j->data_remaining,
                                 (uint64_t) j->mem_total, (uint64_t) j->mem_processed, (uint64_t) j->mem_remaining,
                                 (uint64_t) j->file_total, (uint64_t) j->file_processed,
                                 (uint64_t) j->file_remaining);
}

static int method_get_job_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct job_info_call *call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_job_info, NULL);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_domain_get_job_info(d->dc->conn, &call->base.core, d->uuid, &call->info),
                            error);
}

/* (ia{sv}): the job type, then its statistics (double-wrapped, as every libvirt-dbus a{sv}). */
struct job_stats_call {
    struct dbus_call base;
    int type;
    struct vb_typed_params params;
};

static int append_job_stats(struct dbus_call *call, sd_bus_message *reply)
{
    const struct job_stats_call *c = (const struct job_stats_call *) call;
    int r = sd_bus_message_open_container(reply, 'r', "ia{sv}");

    if (r >= 0)
        r = sd_bus_message_append(reply, "i", (int32_t) c->type);
    if (r >= 0)
        r = dbus_typed_params_append(reply, &c->params);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_job_stats(struct dbus_call *call)
{
    vb_typed_params_clear(&((struct job_stats_call *) call)->params);
}

static int method_get_job_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct job_stats_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_job_stats, clear_job_stats);
    if (!call)
        return -ENOMEM;
    r = vb_domain_get_job_stats(d->dc->conn, &call->base.core, d->uuid, flags, &call->type, &call->params);
    return dbus_call_finish(&call->base, r, error);
}

static int method_abort_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call = dbus_empty_call_new(d->dc->frontend, m);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_abort_job(d->dc->conn, &call->core, d->uuid), error);
}

/* --- info, block and interfaces ------------------------------------------------------------------ */

/* Read from the driver's memory: answered at once. */
static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_info info = { 0 };
    int r;

    if (vb_domain_get_info(d->dc->conn, d->uuid, &info, &err) < 0)
        return dbus_error_take_vb(error, &err);
    r = sd_bus_reply_method_return(m, "(ittut)", (int32_t) info.state, (uint64_t) info.max_memory_kib,
                                   (uint64_t) info.memory_kib, (uint32_t) info.vcpus, (uint64_t) info.cpu_time_ns);
    vb_domain_info_clear(&info);
    return r;
}

struct block_info_call {
    struct dbus_call base;
    struct vb_block_info info;
};

static int append_block_info(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_block_info *info = &((struct block_info_call *) call)->info;

    return sd_bus_message_append(reply, "(ttt)", (uint64_t) info->capacity, (uint64_t) info->allocation,
                                 (uint64_t) info->physical);
}

static int method_get_block_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct block_info_call *call;
    const char *disk;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &disk, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_block_info, NULL);
    if (!call)
        return -ENOMEM;
    r = vb_domain_get_block_info(d->dc->conn, &call->base.core, d->uuid, disk, flags, &call->info);
    return dbus_call_finish(&call->base, r, error);
}

static int method_block_resize(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *disk;
    uint64_t size;
    uint32_t flags;
    int r = sd_bus_message_read(m, "stu", &disk, &size, &flags);

    if (r < 0)
        return r;
    if (!(call = dbus_empty_call_new(d->dc->frontend, m)))
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_block_resize(d->dc->conn, &call->core, d->uuid, disk, size, flags),
                            error);
}

struct block_peek_call {
    struct dbus_call base;
    uint64_t size;
    uint8_t *buffer;
};

static int append_block_peek(struct dbus_call *call, sd_bus_message *reply)
{
    const struct block_peek_call *c = (const struct block_peek_call *) call;

    return sd_bus_message_append_array(reply, 'y', c->buffer ? (const void *) c->buffer : "", c->size);
}

static void clear_block_peek(struct dbus_call *call)
{
    free(((struct block_peek_call *) call)->buffer);
}

static int method_block_peek(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct block_peek_call *call;
    const char *disk;
    uint64_t offset, size;
    uint32_t flags;
    int r = sd_bus_message_read(m, "sttu", &disk, &offset, &size, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_block_peek, clear_block_peek);
    if (!call)
        return -ENOMEM;
    call->size = size;
    r = vb_domain_block_peek(d->dc->conn, &call->base.core, d->uuid, disk, offset, size, flags, &call->buffer);
    return dbus_call_finish(&call->base, r, error);
}

struct ifaces_call {
    struct dbus_call base;
    struct vb_iface *ifaces;
    size_t n;
};

static int append_one_iface(sd_bus_message *reply, const struct vb_iface *iface)
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

static int append_ifaces(struct dbus_call *call, sd_bus_message *reply)
{
    struct ifaces_call *c = (struct ifaces_call *) call;
    int r = sd_bus_message_open_container(reply, 'a', "(ssa(isu))");

    for (size_t i = 0; r >= 0 && i < c->n; i++)
        r = append_one_iface(reply, &c->ifaces[i]);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_ifaces(struct dbus_call *call)
{
    struct ifaces_call *c = (struct ifaces_call *) call;

    vb_ifaces_free(c->ifaces, c->n);
}

static int method_interface_addresses(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct ifaces_call *call;
    uint32_t source, flags;
    int r = sd_bus_message_read(m, "uu", &source, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(d->dc->frontend, m, sizeof(*call), append_ifaces, clear_ifaces);
    if (!call)
        return -ENOMEM;
    r = vb_domain_interface_addresses(d->dc->conn, &call->base.core, d->uuid, source, flags, &call->ifaces,
                                      &call->n);
    return dbus_call_finish(&call->base, r, error);
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
    SD_BUS_METHOD("GetJobStats", "u", "(ia{sv})", method_get_job_stats, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetStats", SD_BUS_ARGS("u", stats, "u", flags), SD_BUS_RESULT("a{sv}", records),
                            method_get_stats, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("BlockResize", "stu", "", method_block_resize, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("BlockPeek", "sttu", "ay", method_block_peek, SD_BUS_VTABLE_UNPRIVILEGED),
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
