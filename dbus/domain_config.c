/* org.libvirt.Domain methods that change or read configuration: vcpus and pinning, memory,
 * metadata, devices, saving. An empty string stands for NULL where libvirt-dbus says so. */
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/reply.h"

static const char *empty_to_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* Replies with nothing or with the core's error. */
static int reply_empty_or_error(sd_bus_message *m, int r, struct vb_error *err, sd_bus_error *error)
{
    if (r < 0)
        return dbus_reply_core_error(error, err);
    return sd_bus_reply_method_return(m, NULL);
}

/* Replies to a change, and announces any property (Updated) it changed. */
static int finish_change(sd_bus_message *m, struct dbus_connect *dc, const unsigned char uuid[VB_UUID_LEN], int r,
                         struct vb_error *err, sd_bus_error *error)
{
    if (r < 0)
        return dbus_reply_core_error(error, err);
    dbus_objects_refresh(dc, uuid);
    return sd_bus_reply_method_return(m, NULL);
}

static int method_set_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t vcpus, flags;
    int r;

    if ((r = sd_bus_message_read(m, "uu", &vcpus, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_set_vcpus(((struct dbus_connect *) userdata)->conn, uuid, vcpus, flags, &err);
    return finish_change(m, userdata, uuid, r, &err, error);
}

static int method_get_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_get_vcpus(((struct dbus_connect *) userdata)->conn, uuid, flags, &err);
    if (r < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "u", (uint32_t) r);
}

static int method_set_memory(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint64_t kib;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "tu", &kib, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_set_memory(((struct dbus_connect *) userdata)->conn, uuid, kib, flags, &err);
    return finish_change(m, userdata, uuid, r, &err, error);
}

static int method_set_memory_stats_period(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    int32_t period;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "iu", &period, &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_set_memory_stats_period(((struct dbus_connect *) userdata)->conn, uuid, period, flags, &err);
    return finish_change(m, userdata, uuid, r, &err, error);
}

static int method_get_metadata(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ char *value = NULL;
    const char *uri;
    int32_t type;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "isu", &type, &uri, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    value = vb_domain_get_metadata(((struct dbus_connect *) userdata)->conn, uuid, type, empty_to_null(uri), flags,
                                   &err);
    if (!value)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "s", value);
}

static int method_set_metadata(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *value, *key, *uri;
    int32_t type;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "isssu", &type, &value, &key, &uri, &flags)) < 0 ||
        (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_set_metadata(((struct dbus_connect *) userdata)->conn, uuid, type, empty_to_null(value),
                               empty_to_null(key), empty_to_null(uri), flags, &err);
    return finish_change(m, userdata, uuid, r, &err, error);
}

typedef int (*device_op)(struct vb_connect *conn, vb_uuid_t uuid, const char *xml, unsigned int flags,
                         struct vb_error *err);

static int run_device_op(sd_bus_message *m, struct dbus_connect *dc, device_op op, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    const char *xml;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "su", &xml, &flags)) < 0 || (r = dbus_message_domain_uuid(m, dc, uuid, error)) < 0)
        return r;
    r = op(dc->conn, uuid, xml, flags, &err);
    return finish_change(m, dc, uuid, r, &err, error);
}

static int method_attach_device(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_device_op(m, userdata, vb_domain_attach_device, error);
}

static int method_detach_device(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_device_op(m, userdata, vb_domain_detach_device, error);
}

static int method_update_device(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_device_op(m, userdata, vb_domain_update_device, error);
}

static int method_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    struct dbus_pending *pending;
    const char *to, *xml;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "ssu", &to, &xml, &flags)) < 0 || (r = dbus_message_domain_uuid(m, dc, uuid, error)) < 0)
        return r;
    pending = dbus_pending_new(m);
    if (!pending)
        return -ENOMEM;
    r = vb_domain_save(dc->conn, uuid, to, empty_to_null(xml), flags, &pending->done, &err);
    r = dbus_pending_finish(pending, r, &err, error);
    vb_error_clear(&err);
    return r;
}

static int method_has_managed_save(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    if (flags != 0)
        return sd_bus_error_setf(error, DBUS_LIBVIRT_ERROR, "invalid argument: %s: unsupported flags (0x%x)",
                                 "virDomainHasManagedSaveImage", flags);
    r = vb_domain_has_managed_save(((struct dbus_connect *) userdata)->conn, uuid, &err);
    if (r < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "b", r > 0);
}

static int method_managed_save_remove(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_managed_save_remove(((struct dbus_connect *) userdata)->conn, uuid, flags, &err);
    return reply_empty_or_error(m, r, &err, error);
}

/* Reads an "ab" CPU map. */
static int read_cpumap(sd_bus_message *m, bool **out, unsigned int *n)
{
    const int *bools;
    size_t size;
    bool *map;
    int r;

    /* D-Bus booleans are 32-bit on the wire; sd-bus hands the array over as ints. */
    r = sd_bus_message_read_array(m, 'b', (const void **) &bools, &size);
    if (r < 0)
        return r;
    map = calloc(size / sizeof(int) + 1, sizeof(*map));
    if (!map)
        return -ENOMEM;
    for (size_t i = 0; i < size / sizeof(int); i++)
        map[i] = bools[i] != 0;
    *out = map;
    *n = (unsigned int) (size / sizeof(int));
    return 0;
}

static int method_pin_vcpu(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ bool *map = NULL;
    unsigned int ncpus = 0;
    uint32_t vcpu, flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &vcpu)) < 0 || (r = read_cpumap(m, &map, &ncpus)) < 0 ||
        (r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    r = vb_domain_pin_vcpu(((struct dbus_connect *) userdata)->conn, uuid, vcpu, map, ncpus, flags, &err);
    return reply_empty_or_error(m, r, &err, error);
}

static int append_pin_info(sd_bus_message *reply, const bool *maps, unsigned int nvcpus, unsigned int ncpus)
{
    int r = sd_bus_message_open_container(reply, 'a', "ab");

    for (unsigned int v = 0; r >= 0 && v < nvcpus; v++) {
        r = sd_bus_message_open_container(reply, 'a', "b");
        for (unsigned int c = 0; r >= 0 && c < ncpus; c++)
            r = sd_bus_message_append(reply, "b", maps[v * ncpus + c]);
        if (r >= 0)
            r = sd_bus_message_close_container(reply);
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int method_get_vcpu_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char uuid[VB_UUID_LEN];
    _cleanup_free_ bool *maps = NULL;
    unsigned int nvcpus = 0, ncpus = 0;
    uint32_t flags;
    int r;

    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 || (r = dbus_message_domain_uuid(m, userdata, uuid, error)) < 0)
        return r;
    if (vb_domain_get_vcpu_pin_info(((struct dbus_connect *) userdata)->conn, uuid, flags, &maps, &nvcpus, &ncpus,
                                    &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = append_pin_info(reply, maps, nvcpus, ncpus);
    return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable domain_config_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("AttachDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_attach_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("DetachDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_detach_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetMetadata", SD_BUS_ARGS("i", type, "s", uri, "u", flags),
                            SD_BUS_RESULT("s", metadata), method_get_metadata, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetVcpuPinInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("aab", vcpuPinInfo),
                            method_get_vcpu_pin_info, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetVcpus", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("u", vcpus), method_get_vcpus,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("HasManagedSaveImage", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("b", managedSaveImage),
                            method_has_managed_save, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ManagedSaveRemove", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                            method_managed_save_remove, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PinVcpu", SD_BUS_ARGS("u", vcpu, "ab", cpumap, "u", flags), SD_BUS_NO_RESULT,
                            method_pin_vcpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Save", SD_BUS_ARGS("s", to, "s", xml, "u", flags), SD_BUS_NO_RESULT, method_save,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMemory", SD_BUS_ARGS("t", memory, "u", flags), SD_BUS_NO_RESULT,
                            method_set_memory, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMemoryStatsPeriod", SD_BUS_ARGS("i", period, "u", flags), SD_BUS_NO_RESULT,
                            method_set_memory_stats_period, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetMetadata", SD_BUS_ARGS("i", type, "s", metadata, "s", key, "s", uri, "u", flags),
                            SD_BUS_NO_RESULT, method_set_metadata, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SetVcpus", SD_BUS_ARGS("u", vcpus, "u", flags), SD_BUS_NO_RESULT, method_set_vcpus,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("UpdateDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT,
                            method_update_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_domain_config_register(struct dbus_connect *dc)
{
    return sd_bus_add_fallback_vtable(dc->bus, NULL, dc->domain_prefix, DBUS_DOMAIN_INTERFACE, domain_config_vtable,
                                      dbus_domain_find, dc);
}
