/* virtbusctl: the domain commands. Each takes its positional arguments (counted by the caller)
 * and returns an exit code, having printed any error itself. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tools/ctl_common.h"

struct ctl_domain_info {
    char *name, *uuid, *os_type;
    uint32_t id; /* 0 when inactive */
    bool active, persistent, autostart;
    int state, reason;
};

void ctl_domain_info_clear(struct ctl_domain_info *info);
/* Reads a domain's properties (GetAll, double-wrapped values) and its state. */
int ctl_domain_info_fetch(struct ctl *ctl, const char *path, struct ctl_domain_info *info, sd_bus_error *error);
/* virsh's state names: "running", "shut off", ... */
const char *ctl_domain_state_name(int state);

/* ctl_domain.c: reading */
int ctl_cmd_list(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_dominfo(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_dumpxml(struct ctl *ctl, int argc, char **argv);

/* ctl_lifecycle.c: changing */
int ctl_cmd_define(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_undefine(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_create(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_start(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_shutdown(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_destroy(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_reboot(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_reset(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_suspend(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_resume(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_save(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_restore(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_managedsave(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_setvcpus(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_setmem(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_blockresize(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_autostart(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_attach_device(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_detach_device(struct ctl *ctl, int argc, char **argv);

/* ctl_job.c: the job a domain runs (a save) */
int ctl_cmd_domjobinfo(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_domjobabort(struct ctl *ctl, int argc, char **argv);
