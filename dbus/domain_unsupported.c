/* The rest of libvirt-dbus's org.libvirt.Domain interface: methods libvirt's own test driver
 * does not implement either (checked against libvirt 9.0), and no other virtbus driver yet.
 * They exist with their real signatures so clients see the whole interface; the core checks
 * that the domain exists, then answers libvirt's "this function is not supported by the
 * connection driver: virDomainXxx". MigrateToURI3 answers what libvirt's API layer answers. */
#include "api/domain.h"
#include "dbus/bus.h"

/* X(member, operation, input signature, output signature) */
#define UNSUPPORTED_DOMAIN_METHODS(X)                                                      \
    X("BlockCommit", DOMAIN_BLOCK_COMMIT, "ssstu", "")                                     \
    X("BlockCopy", DOMAIN_BLOCK_COPY, "ssa{sv}u", "")                                      \
    X("BlockJobAbort", DOMAIN_BLOCK_JOB_ABORT, "su", "")                                   \
    X("BlockJobSetSpeed", DOMAIN_BLOCK_JOB_SET_SPEED, "stu", "")                           \
    X("BlockPull", DOMAIN_BLOCK_PULL, "stu", "")                                           \
    X("BlockRebase", DOMAIN_BLOCK_REBASE, "sstu", "")                                      \
    X("GetBlockJobInfo", DOMAIN_GET_BLOCK_JOB_INFO, "su", "(ittt)")                        \
    X("GetGuestVcpus", DOMAIN_GET_GUEST_VCPUS, "u", "a{sv}")                               \
    X("GetSecurityLabelList", DOMAIN_GET_SECURITY_LABEL_LIST, "", "a(sb)")                 \
    X("MigrateGetCompressionCache", DOMAIN_MIGRATE_GET_COMPRESSION_CACHE, "u", "t")        \
    X("MigrateGetMaxSpeed", DOMAIN_MIGRATE_GET_MAX_SPEED, "u", "t")                        \
    X("MigrateSetCompressionCache", DOMAIN_MIGRATE_SET_COMPRESSION_CACHE, "tu", "")        \
    X("MigrateSetMaxDowntime", DOMAIN_MIGRATE_SET_MAX_DOWNTIME, "tu", "")                  \
    X("MigrateSetMaxSpeed", DOMAIN_MIGRATE_SET_MAX_SPEED, "tu", "")                        \
    X("MigrateStartPostCopy", DOMAIN_MIGRATE_START_POST_COPY, "u", "")                     \
    X("OpenGraphicsFD", DOMAIN_OPEN_GRAPHICS_FD, "uu", "h")                                \
    X("PMWakeup", DOMAIN_PM_WAKEUP, "u", "")                                               \
    X("SetGuestVcpus", DOMAIN_SET_GUEST_VCPUS, "abiu", "")

/* The arguments are left unread: the answer is an error whatever they say. */
static int run_unsupported(sd_bus_message *m, struct dbus_domain *d, enum vb_operation op, sd_bus_error *error)
{
    struct dbus_call *call = dbus_empty_call_new(d->dc->frontend, m);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_unsupported(d->dc->conn, &call->core, d->uuid, op), error);
}

#define UNSUPPORTED_HANDLER(member, id, in, out)                                               \
    static int method_##id(sd_bus_message *m, void *userdata, sd_bus_error *error)            \
    {                                                                                         \
        return run_unsupported(m, userdata, VB_OP_##id, error);                                \
    }
UNSUPPORTED_DOMAIN_METHODS(UNSUPPORTED_HANDLER)

/* Migration is refused by libvirt's API layer, not as "not supported": see
 * vb_domain_migrate_to_uri3. */
static int method_migrate_to_uri3(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_domain *d = userdata;
    struct dbus_call *call;
    const char *dconnuri;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "s", &dconnuri)) < 0 || (r = sd_bus_message_skip(m, "a{sv}")) < 0 ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0)
        return r;
    call = dbus_empty_call_new(d->dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(call, vb_domain_migrate_to_uri3(d->dc->conn, &call->core, d->uuid, dconnuri, flags),
                            error);
}

#define VTABLE_ENTRY(member, id, in, out) SD_BUS_METHOD(member, in, out, method_##id, SD_BUS_VTABLE_UNPRIVILEGED),
static const sd_bus_vtable domain_unsupported_vtable[] = {
    SD_BUS_VTABLE_START(0),
    UNSUPPORTED_DOMAIN_METHODS(VTABLE_ENTRY)
    SD_BUS_METHOD_WITH_ARGS("MigrateToURI3", SD_BUS_ARGS("s", dconuri, "a{sv}", params, "u", flags),
                            SD_BUS_NO_RESULT, method_migrate_to_uri3, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_unsupported_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE,
                                      domain_unsupported_vtable, dbus_domain_find, dc);
}
