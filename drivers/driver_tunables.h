/* The tunables driver table: typed-parameter tunables and I/O threads (placeholder, being written). */
#pragma once

struct vb_tunables_driver {
    int unused;
};
