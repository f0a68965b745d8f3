/* The test driver's guest control and queries (placeholder, being written). */
#include "drivers/driver_guest.h"
#include "drivers/test/test_private.h"

const struct vb_guest_driver vb_test_guest_driver = { 0 };
