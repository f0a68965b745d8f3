/* The in-memory test driver: libvirt's test:///default and test:///PATH. */
#pragma once

#include "drivers/driver.h"

extern const struct vb_driver vb_test_driver;
