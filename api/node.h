/* The public node API: host facts, CPU models, node statistics and memory tunables. */
#pragma once

#include "api/connect.h"
#include "drivers/driver_node.h"

char *vb_node_get_domain_capabilities(struct vb_connect *conn, const char *emulatorbin, const char *arch,
                                      const char *machine, const char *virttype, unsigned int flags,
                                      struct vb_error *err);
char *vb_node_get_sysinfo(struct vb_connect *conn, unsigned int flags, struct vb_error *err);
int vb_node_get_cpu_model_names(struct vb_connect *conn, const char *arch, unsigned int flags, char ***models,
                                size_t *n, struct vb_error *err);
char *vb_node_baseline_cpu(struct vb_connect *conn, const char *const *xml_cpus, size_t n, unsigned int flags,
                           struct vb_error *err);
/* Returns an enum vb_cpu_compare_result (VB_CPU_COMPARE_ERROR on failure). */
int vb_node_compare_cpu(struct vb_connect *conn, const char *xml, unsigned int flags, struct vb_error *err);

int vb_node_get_cpu_stats(struct vb_connect *conn, int cpu_num, unsigned int flags, struct vb_node_stat **stats,
                          size_t *n, struct vb_error *err);
int vb_node_get_memory_stats(struct vb_connect *conn, int cell_num, unsigned int flags,
                             struct vb_node_stat **stats, size_t *n, struct vb_error *err);
int vb_node_get_free_memory(struct vb_connect *conn, uint64_t *bytes, struct vb_error *err);
/* Returns the number of host CPUs; *map has that many entries (malloc'd). */
int vb_node_get_cpu_map(struct vb_connect *conn, unsigned int flags, bool **map, unsigned int *online,
                        struct vb_error *err);
int vb_node_get_memory_parameters(struct vb_connect *conn, unsigned int flags, struct vb_typed_params *params,
                                  struct vb_error *err);
int vb_node_set_memory_parameters(struct vb_connect *conn, const struct vb_typed_params *params, unsigned int flags,
                                  struct vb_error *err);
int vb_node_get_security_model(struct vb_connect *conn, struct vb_security_model *model, struct vb_error *err);

/* Frees a NULL-terminated string array such as GetCPUModelNames' result. */
void vb_strv_free(char **strv);
