/* A connection: one open driver instance chosen by URI (libvirt's virConnect). */
#pragma once

#include "drivers/driver.h"

struct vb_connect {
    const struct vb_driver *driver;
    void *priv;
    char *uri;
};

/* Opens the driver that serves uri. Unknown URI: VB_ERR_NO_CONNECT. */
int vb_connect_open(const char *uri, const struct vb_driver_env *env, struct vb_connect **conn,
                    struct vb_error *err);
void vb_connect_close(struct vb_connect *conn);

int vb_connect_node_get_info(struct vb_connect *conn, struct vb_node_info *info, struct vb_error *err);
char *vb_connect_get_capabilities(struct vb_connect *conn, struct vb_error *err);
char *vb_connect_get_hostname(struct vb_connect *conn, struct vb_error *err);

/* A front-end client went away: domains it started with AUTODESTROY are destroyed. */
void vb_connect_client_gone(struct vb_connect *conn, vb_client_id client);

DEFINE_CLEANUP_FUNC(struct vb_connect, vb_connect_close)
