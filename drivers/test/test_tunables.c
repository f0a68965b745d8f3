/* The test driver's tunables (placeholder, being written). */
#include "drivers/driver_tunables.h"
#include "drivers/test/test_private.h"

const struct vb_tunables_driver vb_test_tunables_driver = { 0 };
