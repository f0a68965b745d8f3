/* Domain tunables kept in the definition as libvirt formats them (<memtune>, ...): read and
 * written through the text the model keeps for elements it does not otherwise interpret. */
#pragma once

#include "conf/domain_def.h"

/* libvirt's VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: a memtune limit that is not set. */
#define VB_MEMORY_PARAM_UNLIMITED 9007199254740991ULL

/* libvirt's def->mem limits, in KiB; VB_MEMORY_PARAM_UNLIMITED when not set. */
struct vb_memtune {
    unsigned long long hard_limit, soft_limit, swap_hard_limit;
};

/* Reads <memtune> (every limit unlimited when absent). Returns 0, or -1 with err set. */
int vb_domain_def_get_memtune(const struct vb_domain_def *def, struct vb_memtune *out, struct vb_error *err);

/* Replaces <memtune> with the limits that are set (removed when none is), as libvirt's
 * virDomainMemtuneFormat prints it. Changes nothing on failure. */
int vb_domain_def_set_memtune(struct vb_domain_def *def, const struct vb_memtune *memtune, struct vb_error *err);
