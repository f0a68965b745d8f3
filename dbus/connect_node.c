/* org.libvirt.Connect, node and host methods: capabilities, sysinfo, CPU models, node statistics
 * and memory tunables. A second vtable on the Connect path; sd-bus merges it with dbus/connect.c's. */
#include <stdlib.h>
#include <string.h>

#include "api/node.h"
#include "dbus/bus.h"
#include "dbus/errors.h"
#include "dbus/typed_params.h"

/* Sends the core's error and releases it; returns what the handler returns. */
/* Replies with an owned string result, or the core's error when it is NULL. */
static int reply_string(sd_bus_message *m, char *value, struct vb_error *err, sd_bus_error *error)
{
    int r;

    if (!value)
        return dbus_reply_core_error(error, err);
    r = sd_bus_reply_method_return(m, "s", value);
    free(value);
    return r;
}

static size_t strv_count(char **strv)
{
    size_t n = 0;

    while (strv && strv[n])
        n++;
    return n;
}

/* libvirt-dbus passes an empty string as NULL for optional arguments. */
static const char *empty_to_null(const char *s)
{
    return s && *s ? s : NULL;
}

static int method_get_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;

    return reply_string(m, vb_connect_get_capabilities(dc->conn, &err), &err, error);
}

static int method_get_domain_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    const char *emulatorbin, *arch, *machine, *virttype;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "ssssu", &emulatorbin, &arch, &machine, &virttype, &flags);
    if (r < 0)
        return r;
    return reply_string(m,
                        vb_node_get_domain_capabilities(dc->conn, empty_to_null(emulatorbin), empty_to_null(arch),
                                                        empty_to_null(machine), empty_to_null(virttype), flags,
                                                        &err),
                        &err, error);
}

static int method_get_sysinfo(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    return reply_string(m, vb_node_get_sysinfo(dc->conn, flags, &err), &err, error);
}

static int method_get_cpu_model_names(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    char **models = NULL;
    const char *arch;
    size_t n = 0;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "su", &arch, &flags);
    if (r < 0)
        return r;
    if (vb_node_get_cpu_model_names(dc->conn, arch, flags, &models, &n, &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_append_strv(reply, models);
    vb_strv_free(models);
    if (r < 0)
        return r;
    return sd_bus_send(NULL, reply, NULL);
}

static int method_baseline_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    /* sd-bus reads an empty array as NULL; the API takes a (possibly empty) list. */
    static const char *const no_cpus[] = { NULL };
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    char **xml_cpus = NULL;
    uint32_t flags;
    char *cpu;
    int r;

    r = sd_bus_message_read_strv(m, &xml_cpus);
    if (r >= 0)
        r = sd_bus_message_read(m, "u", &flags);
    if (r < 0) {
        vb_strv_free(xml_cpus);
        return r;
    }
    cpu = vb_node_baseline_cpu(dc->conn, xml_cpus ? (const char *const *) xml_cpus : no_cpus,
                               strv_count(xml_cpus), flags, &err);
    vb_strv_free(xml_cpus);
    return reply_string(m, cpu, &err, error);
}

static int method_compare_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    const char *xml;
    uint32_t flags;
    int r, result;

    r = sd_bus_message_read(m, "su", &xml, &flags);
    if (r < 0)
        return r;
    result = vb_node_compare_cpu(dc->conn, xml, flags, &err);
    if (result == VB_CPU_COMPARE_ERROR)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "i", (int32_t) result);
}

/* a{st}: NodeGetCPUStats and NodeGetMemoryStats send their counters plain (no variants). */
static int reply_stats(sd_bus_message *m, struct vb_node_stat *stats, size_t n)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    int r;

    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{st}");
    for (size_t i = 0; r >= 0 && i < n; i++)
        r = sd_bus_message_append(reply, "{st}", stats[i].field, stats[i].value);
    free(stats);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r < 0)
        return r;
    return sd_bus_send(NULL, reply, NULL);
}

static int method_node_get_cpu_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_node_stat *stats = NULL;
    size_t n = 0;
    int32_t cpu_num;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "iu", &cpu_num, &flags);
    if (r < 0)
        return r;
    if (vb_node_get_cpu_stats(dc->conn, cpu_num, flags, &stats, &n, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_stats(m, stats, n);
}

static int method_node_get_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_node_stat *stats = NULL;
    size_t n = 0;
    int32_t cell_num;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "iu", &cell_num, &flags);
    if (r < 0)
        return r;
    if (vb_node_get_memory_stats(dc->conn, cell_num, flags, &stats, &n, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return reply_stats(m, stats, n);
}

static int method_node_get_free_memory(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    uint64_t bytes = 0;

    if (vb_node_get_free_memory(dc->conn, &bytes, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "t", bytes);
}

static int method_node_get_cpu_map(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ bool *map = NULL;
    unsigned int online = 0;
    uint32_t flags;
    int r, cpus;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    cpus = vb_node_get_cpu_map(dc->conn, flags, &map, &online, &err);
    if (cpus < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "b");
    for (int i = 0; r >= 0 && i < cpus; i++)
        r = sd_bus_message_append(reply, "b", (int) map[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r < 0)
        return r;
    return sd_bus_send(NULL, reply, NULL);
}

static int method_node_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    uint32_t flags;
    int r;

    r = sd_bus_message_read(m, "u", &flags);
    if (r < 0)
        return r;
    if (vb_node_get_memory_parameters(dc->conn, flags, &params, &err) < 0)
        return dbus_reply_core_error(error, &err);
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = dbus_typed_params_append(reply, &params);
    vb_typed_params_clear(&params);
    if (r < 0)
        return r;
    return sd_bus_send(NULL, reply, NULL);
}

static int method_node_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    uint32_t flags;
    int r;

    r = dbus_typed_params_read(m, &params, &err);
    if (r < 0)
        return vb_error_is_set(&err) ? dbus_reply_core_error(error, &err) : r;
    r = sd_bus_message_read(m, "u", &flags);
    if (r >= 0)
        r = vb_node_set_memory_parameters(dc->conn, &params, flags, &err);
    vb_typed_params_clear(&params);
    if (vb_error_is_set(&err))
        return dbus_reply_core_error(error, &err);
    if (r < 0)
        return r;
    return sd_bus_reply_method_return(m, NULL);
}

static int method_node_get_security_model(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_security_model model;

    if (vb_node_get_security_model(dc->conn, &model, &err) < 0)
        return dbus_reply_core_error(error, &err);
    return sd_bus_reply_method_return(m, "(ss)", model.model, model.doi);
}

static const sd_bus_vtable connect_node_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("BaselineCPU", SD_BUS_ARGS("as", xmlCPUs, "u", flags), SD_BUS_RESULT("s", cpu), method_baseline_cpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CompareCPU", SD_BUS_ARGS("s", xmlDesc, "u", flags), SD_BUS_RESULT("i", compareResult),
                method_compare_cpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetCapabilities", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", capabilities), method_get_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetCPUModelNames", SD_BUS_ARGS("s", arch, "u", flags), SD_BUS_RESULT("as", models),
                method_get_cpu_model_names, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetDomainCapabilities",
                SD_BUS_ARGS("s", emulatorbin, "s", arch, "s", machine, "s", virttype, "u", flags),
                SD_BUS_RESULT("s", domCapabilities), method_get_domain_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetSysinfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", sysinfo), method_get_sysinfo, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetCPUMap", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ab", res), method_node_get_cpu_map, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetCPUStats", SD_BUS_ARGS("i", cpuNum, "u", flags), SD_BUS_RESULT("a{st}", cpuStats),
                method_node_get_cpu_stats, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetFreeMemory", SD_BUS_NO_ARGS, SD_BUS_RESULT("t", freemem), method_node_get_free_memory, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetMemoryParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", memoryParameters),
                method_node_get_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetMemoryStats", SD_BUS_ARGS("i", cellNum, "u", flags), SD_BUS_RESULT("a{st}", stats),
                method_node_get_memory_stats, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetSecurityModel", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ss)", secModel),
                method_node_get_security_model, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeSetMemoryParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                method_node_set_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int dbus_connect_node_register(struct dbus_connect *dc)
{
    return sd_bus_add_object_vtable(dc->bus, NULL, dc->path, DBUS_CONNECT_INTERFACE, connect_node_vtable, dc);
}
