/* The node driver table: host facts and host-wide calls (capabilities, CPU models, node
 * statistics, memory tunables), as libvirt's node* and connectGet* hypervisor slots. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/typed_params.h"

/* One named counter of NodeGetCPUStats / NodeGetMemoryStats (virNodeCPUStats). */
#define VB_NODE_STATS_FIELD_LENGTH 80
struct vb_node_stat {
    char field[VB_NODE_STATS_FIELD_LENGTH];
    uint64_t value;
};

/* libvirt's virSecurityModel. */
#define VB_SECURITY_MODEL_BUFLEN 257
struct vb_security_model {
    char model[VB_SECURITY_MODEL_BUFLEN];
    char doi[VB_SECURITY_MODEL_BUFLEN];
};

/* libvirt's VIR_NODE_CPU_STATS_ALL_CPUS / VIR_NODE_MEMORY_STATS_ALL_CELLS. */
#define VB_NODE_ALL_CPUS (-1)
#define VB_NODE_ALL_CELLS (-1)

/* libvirt's virCPUCompareResult. */
enum vb_cpu_compare_result {
    VB_CPU_COMPARE_ERROR = -1,
    VB_CPU_COMPARE_INCOMPATIBLE = 0,
    VB_CPU_COMPARE_IDENTICAL = 1,
    VB_CPU_COMPARE_SUPERSET = 2,
};

enum { VB_BASELINE_CPU_EXPAND_FEATURES = 1 << 0, VB_BASELINE_CPU_MIGRATABLE = 1 << 1 };

/* Every slot may be NULL ("not supported"). Strings and arrays handed out are malloc'd and
 * owned by the caller; on failure nothing is handed out and err is set. */
struct vb_node_driver {
    char *(*get_capabilities)(void *priv, struct vb_error *err);
    /* Any of emulatorbin, arch, machine, virttype may be NULL (the driver's default). */
    char *(*get_domain_capabilities)(void *priv, const char *emulatorbin, const char *arch, const char *machine,
                                     const char *virttype, unsigned int flags, struct vb_error *err);
    char *(*get_sysinfo)(void *priv, unsigned int flags, struct vb_error *err);
    /* *models is a NULL-terminated array of *n names. */
    int (*get_cpu_model_names)(void *priv, const char *arch, unsigned int flags, char ***models, size_t *n,
                               struct vb_error *err);
    char *(*baseline_cpu)(void *priv, const char *const *xml_cpus, size_t n, unsigned int flags,
                          struct vb_error *err);
    /* Returns an enum vb_cpu_compare_result; VB_CPU_COMPARE_ERROR with err set. */
    int (*compare_cpu)(void *priv, const char *xml, unsigned int flags, struct vb_error *err);

    /* cpu_num / cell_num: an index or VB_NODE_ALL_CPUS / VB_NODE_ALL_CELLS. */
    int (*get_cpu_stats)(void *priv, int cpu_num, unsigned int flags, struct vb_node_stat **stats, size_t *n,
                         struct vb_error *err);
    int (*get_memory_stats)(void *priv, int cell_num, unsigned int flags, struct vb_node_stat **stats,
                            size_t *n, struct vb_error *err);
    int (*get_free_memory)(void *priv, uint64_t *bytes, struct vb_error *err);
    /* Returns the number of host CPUs, *map holding that many entries; *online the count set. */
    int (*get_cpu_map)(void *priv, unsigned int flags, bool **map, unsigned int *online, struct vb_error *err);
    int (*get_memory_parameters)(void *priv, unsigned int flags, struct vb_typed_params *params,
                                 struct vb_error *err);
    int (*set_memory_parameters)(void *priv, const struct vb_typed_params *params, unsigned int flags,
                                 struct vb_error *err);
    int (*get_security_model)(void *priv, struct vb_security_model *model, struct vb_error *err);
};
