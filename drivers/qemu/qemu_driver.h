/* The QEMU driver: qemu:///session and qemu:///system. */
#pragma once

#include "drivers/driver.h"

extern const struct vb_driver vb_qemu_driver;
