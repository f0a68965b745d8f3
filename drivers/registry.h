/* The driver registry: every compiled-in driver, and the one that serves a connection URI. */
#pragma once

#include "drivers/driver.h"

/* Returns the driver whose uri_matches accepts uri, or NULL. */
const struct vb_driver *vb_driver_for_uri(const char *uri);

/* Every registered driver, in registration order. */
const struct vb_driver *const *vb_drivers(size_t *n);
