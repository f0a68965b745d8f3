/* The test driver's snapshot bookkeeping, as other test driver files need it. */
#pragma once

#include "conf/domain_obj.h"
#include "util/error.h"

/* How many snapshots the domain has (libvirt's virDomainSnapshotObjListNum(..., 0)). */
int test_snapshot_count(struct vb_domain_obj *obj);

/* libvirt's test driver rule for undefine: an inactive domain with snapshots is only undefined
 * with VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, else VB_ERR_OPERATION_INVALID
 * "cannot delete inactive domain with %d snapshots". */
int test_snapshot_check_undefine(struct vb_domain_obj *obj, unsigned int flags, struct vb_error *err);
