/* The guest driver table: guest control and queries (placeholder, being written). */
#pragma once

struct vb_guest_driver {
    int unused;
};
