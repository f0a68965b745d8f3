/* The rest of libvirt-dbus's org.libvirt.Domain interface: methods libvirt's own test driver
 * does not implement either (checked against libvirt 9.0), and no other virtbus driver yet.
 * They exist with their real signatures so clients see the whole interface, check that the
 * domain exists, and then answer libvirt's "this function is not supported by the connection
 * driver: virDomainXxx"; MigrateToURI3 answers what libvirt's API layer answers instead. */
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"

/* X(member, input signature, output signature, libvirt API) */
#define UNSUPPORTED_DOMAIN_METHODS(X)                                                       \
    X("BlockCommit", "ssstu", "", "virDomainBlockCommit")                                   \
    X("BlockCopy", "ssa{sv}u", "", "virDomainBlockCopy")                                    \
    X("BlockJobAbort", "su", "", "virDomainBlockJobAbort")                                  \
    X("BlockJobSetSpeed", "stu", "", "virDomainBlockJobSetSpeed")                           \
    X("BlockPeek", "sttu", "ay", "virDomainBlockPeek")                                      \
    X("BlockPull", "stu", "", "virDomainBlockPull")                                         \
    X("BlockRebase", "sstu", "", "virDomainBlockRebase")                                    \
    X("BlockResize", "stu", "", "virDomainBlockResize")                                     \
    X("GetBlockJobInfo", "su", "(ittt)", "virDomainGetBlockJobInfo")                        \
    X("GetGuestVcpus", "u", "a{sv}", "virDomainGetGuestVcpus")                              \
    X("GetJobStats", "u", "(ia{sv})", "virDomainGetJobStats")                               \
    X("GetSecurityLabelList", "", "a(sb)", "virDomainGetSecurityLabelList")                 \
    X("MigrateGetCompressionCache", "u", "t", "virDomainMigrateGetCompressionCache")        \
    X("MigrateGetMaxSpeed", "u", "t", "virDomainMigrateGetMaxSpeed")                        \
    X("MigrateSetCompressionCache", "tu", "", "virDomainMigrateSetCompressionCache")        \
    X("MigrateSetMaxDowntime", "tu", "", "virDomainMigrateSetMaxDowntime")                  \
    X("MigrateSetMaxSpeed", "tu", "", "virDomainMigrateSetMaxSpeed")                        \
    X("MigrateStartPostCopy", "u", "", "virDomainMigrateStartPostCopy")                     \
    X("OpenGraphicsFD", "uu", "h", "virDomainOpenGraphicsFD")                               \
    X("PMWakeup", "u", "", "virDomainPMWakeup")                                             \
    X("SetGuestVcpus", "abiu", "", "virDomainSetGuestVcpus")

struct unsupported_method {
    const char *member;
    const char *api;
};

#define METHOD_NAME(member, in, out, api) { member, api },
static const struct unsupported_method unsupported_methods[] = { UNSUPPORTED_DOMAIN_METHODS(METHOD_NAME) };

static const char *api_for_member(const char *member)
{
    for (size_t i = 0; i < ARRAY_SIZE(unsupported_methods); i++)
        if (streq(unsupported_methods[i].member, member))
            return unsupported_methods[i].api;
    return "virDomainUnknown";
}

static int method_not_supported(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    unsigned char uuid[VB_UUID_LEN];
    int r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);

    if (r < 0)
        return r;
    /* A call on a domain that does not exist says so first, as libvirt-dbus does. */
    if (vb_domain_lookup_by_uuid(dc->conn, uuid, &ref, &err) < 0)
        return dbus_reply_core_error(error, &err);
    vb_domain_ref_clear(&ref);
    vb_error_set(&err, VB_ERR_NO_SUPPORT, "%s", api_for_member(sd_bus_message_get_member(m)));
    return dbus_reply_core_error(error, &err);
}

/* Migration is refused by libvirt's API layer, not as "not supported": see
 * vb_domain_migrate_to_uri3. */
static int method_migrate_to_uri3(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *dconnuri;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "s", &dconnuri)) < 0 || (r = sd_bus_message_skip(m, "a{sv}")) < 0 ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0)
        return r;
    r = dbus_domain_uuid(dc, sd_bus_message_get_path(m), uuid, error);
    if (r < 0)
        return r;
    vb_domain_migrate_to_uri3(dc->conn, uuid, dconnuri, flags, &err);
    return dbus_reply_core_error(error, &err);
}

#define VTABLE_ENTRY(member, in, out, api) \
    SD_BUS_METHOD(member, in, out, method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),
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
