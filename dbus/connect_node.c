/* org.libvirt.Connect, node and host methods: capabilities, sysinfo, CPU models, node statistics
 * and memory tunables. A second vtable on the Connect path; sd-bus merges it with dbus/connect.c's. */
#include <stdlib.h>

#include "api/node.h"
#include "dbus/bus.h"
#include "dbus/call_args.h"

/* --- host descriptions ----------------------------------------------------------------------- */

static int method_get_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_string_call *call = dbus_string_call_new(dc->frontend, m);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_connect_get_capabilities(dc->conn, &call->base.core, &call->value),
                            error);
}

static int method_get_domain_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_string_call *call;
    const char *emulatorbin, *arch, *machine, *virttype;
    uint32_t flags;
    int r = sd_bus_message_read(m, "ssssu", &emulatorbin, &arch, &machine, &virttype, &flags);

    if (r < 0)
        return r;
    call = dbus_string_call_new(dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_node_get_domain_capabilities(dc->conn, &call->base.core, dbus_empty_to_null(emulatorbin),
                                        dbus_empty_to_null(arch), dbus_empty_to_null(machine),
                                        dbus_empty_to_null(virttype), flags, &call->value);
    return dbus_call_finish(&call->base, r, error);
}

static int method_get_sysinfo(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_string_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_string_call_new(dc->frontend, m);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_node_get_sysinfo(dc->conn, &call->base.core, flags, &call->value), error);
}

/* --- CPU models ---------------------------------------------------------------------------------- */

struct models_call {
    struct dbus_call base;
    char **models;
    size_t n;
};

static int append_models(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append_strv(reply, ((struct models_call *) call)->models);
}

static void clear_models(struct dbus_call *call)
{
    vb_strv_free(((struct models_call *) call)->models);
}

static int method_get_cpu_model_names(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct models_call *call;
    const char *arch;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &arch, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(dc->frontend, m, sizeof(*call), append_models, clear_models);
    if (!call)
        return -ENOMEM;
    r = vb_node_get_cpu_model_names(dc->conn, &call->base.core, arch, flags, &call->models, &call->n);
    return dbus_call_finish(&call->base, r, error);
}

/* The CPU descriptions are the call's: the core may read them after the handler returned. */
struct baseline_call {
    struct dbus_call base;
    char **xml_cpus;
    char *cpu;
};

static int append_baseline(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "s", ((struct baseline_call *) call)->cpu);
}

static void clear_baseline(struct dbus_call *call)
{
    struct baseline_call *c = (struct baseline_call *) call;

    vb_strv_free(c->xml_cpus);
    free(c->cpu);
}

static int method_baseline_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    /* sd-bus reads an empty array as NULL; the API takes a (possibly empty) list. */
    static const char *const no_cpus[] = { NULL };
    struct dbus_connect *dc = userdata;
    struct baseline_call *call = NULL;
    char **xml_cpus = NULL;
    uint32_t flags;
    size_t n = 0;
    int r;

    if ((r = dbus_read_strv(m, &xml_cpus, &n)) < 0)
        return r;
    if ((r = sd_bus_message_read(m, "u", &flags)) < 0 ||
        !(call = dbus_call_new(dc->frontend, m, sizeof(*call), append_baseline, clear_baseline))) {
        vb_strv_free(xml_cpus);
        return r < 0 ? r : -ENOMEM;
    }
    call->xml_cpus = xml_cpus;
    r = vb_node_baseline_cpu(dc->conn, &call->base.core, xml_cpus ? (const char *const *) xml_cpus : no_cpus, n,
                             flags, &call->cpu);
    return dbus_call_finish(&call->base, r, error);
}

struct compare_call {
    struct dbus_call base;
    int result; /* an enum vb_cpu_compare_result */
};

static int append_compare(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "i", (int32_t) ((struct compare_call *) call)->result);
}

static int method_compare_cpu(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct compare_call *call;
    const char *xml;
    uint32_t flags;
    int r = sd_bus_message_read(m, "su", &xml, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(dc->frontend, m, sizeof(*call), append_compare, NULL);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_node_compare_cpu(dc->conn, &call->base.core, xml, flags, &call->result),
                            error);
}

/* --- node statistics ------------------------------------------------------------------------------ */

typedef int (*node_stats_fn)(struct vb_connect *conn, struct vb_call *call, int index, unsigned int flags,
                             struct vb_node_stat **stats, size_t *n);

/* a{st}: NodeGetCPUStats and NodeGetMemoryStats send their counters plain (no variants). */
struct node_stats_call {
    struct dbus_call base;
    struct vb_node_stat *stats;
    size_t n;
};

static int append_node_stats(struct dbus_call *call, sd_bus_message *reply)
{
    struct node_stats_call *c = (struct node_stats_call *) call;
    int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{st}");

    for (size_t i = 0; r >= 0 && i < c->n; i++)
        r = sd_bus_message_append(reply, "{st}", c->stats[i].field, c->stats[i].value);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_node_stats(struct dbus_call *call)
{
    free(((struct node_stats_call *) call)->stats);
}

/* The CPU or cell index, then the flags. */
static int run_node_stats(sd_bus_message *m, struct dbus_connect *dc, node_stats_fn fn, sd_bus_error *error)
{
    struct node_stats_call *call;
    int32_t index;
    uint32_t flags;
    int r = sd_bus_message_read(m, "iu", &index, &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(dc->frontend, m, sizeof(*call), append_node_stats, clear_node_stats);
    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, fn(dc->conn, &call->base.core, index, flags, &call->stats, &call->n), error);
}

static int method_node_get_cpu_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_node_stats(m, userdata, vb_node_get_cpu_stats, error);
}

static int method_node_get_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return run_node_stats(m, userdata, vb_node_get_memory_stats, error);
}

struct free_memory_call {
    struct dbus_call base;
    uint64_t bytes;
};

static int append_free_memory(struct dbus_call *call, sd_bus_message *reply)
{
    return sd_bus_message_append(reply, "t", ((struct free_memory_call *) call)->bytes);
}

static int method_node_get_free_memory(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct free_memory_call *call = dbus_call_new(dc->frontend, m, sizeof(*call), append_free_memory, NULL);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_node_get_free_memory(dc->conn, &call->base.core, &call->bytes), error);
}

struct cpu_map_call {
    struct dbus_call base;
    bool *map;
    unsigned int ncpus, online;
};

static int append_cpu_map(struct dbus_call *call, sd_bus_message *reply)
{
    struct cpu_map_call *c = (struct cpu_map_call *) call;
    int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "b");

    for (unsigned int i = 0; r >= 0 && i < c->ncpus; i++)
        r = sd_bus_message_append(reply, "b", (int) c->map[i]);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static void clear_cpu_map(struct dbus_call *call)
{
    free(((struct cpu_map_call *) call)->map);
}

static int method_node_get_cpu_map(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct cpu_map_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_call_new(dc->frontend, m, sizeof(*call), append_cpu_map, clear_cpu_map);
    if (!call)
        return -ENOMEM;
    r = vb_node_get_cpu_map(dc->conn, &call->base.core, flags, &call->map, &call->ncpus, &call->online);
    return dbus_call_finish(&call->base, r, error);
}

/* --- memory tunables and security ----------------------------------------------------------------- */

static int method_node_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_params_call *call;
    uint32_t flags;
    int r = sd_bus_message_read(m, "u", &flags);

    if (r < 0)
        return r;
    call = dbus_params_call_new(dc->frontend, m);
    if (!call)
        return -ENOMEM;
    r = vb_node_get_memory_parameters(dc->conn, &call->base.core, flags, &call->params);
    return dbus_call_finish(&call->base, r, error);
}

static int method_node_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct dbus_params_input_call *call;
    uint32_t flags;
    int r = dbus_params_input_call_read(dc->frontend, m, &flags, &call, error);

    if (r < 0)
        return r;
    r = vb_node_set_memory_parameters(dc->conn, &call->base.core, &call->params, flags);
    return dbus_call_finish(&call->base, r, error);
}

struct security_model_call {
    struct dbus_call base;
    struct vb_security_model model;
};

static int append_security_model(struct dbus_call *call, sd_bus_message *reply)
{
    const struct vb_security_model *model = &((struct security_model_call *) call)->model;

    return sd_bus_message_append(reply, "(ss)", model->model, model->doi);
}

static int method_node_get_security_model(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    struct dbus_connect *dc = userdata;
    struct security_model_call *call = dbus_call_new(dc->frontend, m, sizeof(*call), append_security_model, NULL);

    if (!call)
        return -ENOMEM;
    return dbus_call_finish(&call->base, vb_node_get_security_model(dc->conn, &call->base.core, &call->model), error);
}

static const sd_bus_vtable connect_node_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("BaselineCPU", SD_BUS_ARGS("as", xmlCPUs, "u", flags), SD_BUS_RESULT("s", cpu),
                            method_baseline_cpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CompareCPU", SD_BUS_ARGS("s", xmlDesc, "u", flags), SD_BUS_RESULT("i", compareResult),
                            method_compare_cpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetCapabilities", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", capabilities),
                            method_get_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetCPUModelNames", SD_BUS_ARGS("s", arch, "u", flags), SD_BUS_RESULT("as", models),
                            method_get_cpu_model_names, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetDomainCapabilities",
                            SD_BUS_ARGS("s", emulatorbin, "s", arch, "s", machine, "s", virttype, "u", flags),
                            SD_BUS_RESULT("s", domCapabilities), method_get_domain_capabilities,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetSysinfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", sysinfo), method_get_sysinfo,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetCPUMap", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ab", res),
                            method_node_get_cpu_map, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetCPUStats", SD_BUS_ARGS("i", cpuNum, "u", flags), SD_BUS_RESULT("a{st}", cpuStats),
                            method_node_get_cpu_stats, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetFreeMemory", SD_BUS_NO_ARGS, SD_BUS_RESULT("t", freemem),
                            method_node_get_free_memory, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("NodeGetMemoryParameters", SD_BUS_ARGS("u", flags),
                            SD_BUS_RESULT("a{sv}", memoryParameters), method_node_get_memory_parameters,
                            SD_BUS_VTABLE_UNPRIVILEGED),
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
