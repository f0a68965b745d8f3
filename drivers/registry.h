/* The driver registry: picks the driver that serves a connection URI. */
#pragma once

#include "drivers/driver.h"

/* Returns the driver whose uri_matches accepts uri, or NULL. */
const struct vb_driver *vb_driver_for_uri(const char *uri);
