/* Opening and closing connections, and the node-level calls. */
#include <stdlib.h>
#include <string.h>

#include "api/connect.h"
#include "drivers/driver_node.h"
#include "drivers/registry.h"

int vb_connect_open(const char *uri, const struct vb_driver_env *env, struct vb_connect **out,
                    struct vb_error *err)
{
    const struct vb_driver *driver = vb_driver_for_uri(uri);
    struct vb_connect *conn;

    if (!driver)
        return vb_error_set(err, VB_ERR_NO_CONNECT, "%s", uri ? uri : "(null)");
    conn = calloc(1, sizeof(*conn));
    if (!conn || !(conn->uri = strdup(uri))) {
        free(conn);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    conn->driver = driver;
    if (driver->connect_open(uri, env, &conn->priv, err) < 0) {
        free(conn->uri);
        free(conn);
        return -1;
    }
    *out = conn;
    return 0;
}

void vb_connect_close(struct vb_connect *conn)
{
    if (!conn)
        return;
    if (conn->driver->connect_close)
        conn->driver->connect_close(conn->priv);
    free(conn->uri);
    free(conn);
}

int vb_connect_node_get_info(struct vb_connect *conn, struct vb_node_info *info, struct vb_error *err)
{
    if (!conn->driver->node_get_info)
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "virNodeGetInfo");
    return conn->driver->node_get_info(conn->priv, info, err);
}

char *vb_connect_get_capabilities(struct vb_connect *conn, struct vb_error *err)
{
    const struct vb_node_driver *node = conn->driver->node;

    if (!node || !node->get_capabilities) {
        vb_error_set(err, VB_ERR_NO_SUPPORT, "virConnectGetCapabilities");
        return NULL;
    }
    return node->get_capabilities(conn->priv, err);
}

char *vb_connect_get_hostname(struct vb_connect *conn, struct vb_error *err)
{
    if (!conn->driver->get_hostname) {
        vb_error_set(err, VB_ERR_NO_SUPPORT, "virConnectGetHostname");
        return NULL;
    }
    return conn->driver->get_hostname(conn->priv, err);
}

void vb_connect_client_gone(struct vb_connect *conn, vb_client_id client)
{
    if (conn->driver->client_gone)
        conn->driver->client_gone(conn->priv, client);
}
