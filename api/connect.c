/* Opening and closing connections, the daemon's state hooks, and the node-level calls. */
#include <stdlib.h>
#include <string.h>

#include "api/connect.h"
#include "api/dispatch.h"
#include "drivers/driver_node.h"
#include "drivers/registry.h"
#include "util/log.h"

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
    conn->loop = env->loop;
    conn->job_wait_usec = env->job_wait_usec ? env->job_wait_usec : VB_JOB_WAIT_DEFAULT_USEC;
    conn->max_queued_jobs = env->max_queued_jobs;
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

char *vb_connect_get_hostname(struct vb_connect *conn, struct vb_error *err)
{
    if (!conn->driver->get_hostname) {
        vb_error_set(err, VB_ERR_NO_SUPPORT, "virConnectGetHostname");
        return NULL;
    }
    return conn->driver->get_hostname(conn->priv, err);
}

int vb_connect_node_get_info(struct vb_connect *conn, struct vb_call *call, struct vb_node_info *info)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_INFO, conn->driver->node_get_info, info);
}

int vb_connect_get_capabilities(struct vb_connect *conn, struct vb_call *call, char **xml)
{
    const struct vb_node_driver *node = conn->driver->node;

    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_GET_CAPABILITIES, node ? node->get_capabilities : NULL, xml);
}

void vb_connect_client_gone(struct vb_connect *conn, vb_client_id client)
{
    if (conn->driver->client_gone)
        conn->driver->client_gone(conn->priv, client);
}

/* --- the daemon's life ------------------------------------------------------------------------ */

int vb_state_initialize(const struct vb_driver_env *env, struct vb_error *err)
{
    size_t n;
    const struct vb_driver *const *drivers = vb_drivers(&n);

    for (size_t i = 0; i < n; i++) {
        const struct vb_state_driver *state = drivers[i]->state;

        if (state && state->initialize && state->initialize(env, err) < 0) {
            vb_log_error("cannot initialize the %s driver: %s", drivers[i]->name, vb_error_message(err));
            return -1;
        }
    }
    return 0;
}

void vb_state_auto_start(void)
{
    size_t n;
    const struct vb_driver *const *drivers = vb_drivers(&n);

    for (size_t i = 0; i < n; i++)
        if (drivers[i]->state && drivers[i]->state->auto_start)
            drivers[i]->state->auto_start();
}

int vb_state_reload(struct vb_error *err)
{
    size_t n;
    const struct vb_driver *const *drivers = vb_drivers(&n);
    int r = 0;

    for (size_t i = 0; i < n; i++) {
        const struct vb_state_driver *state = drivers[i]->state;

        if (state && state->reload && state->reload(err) < 0)
            r = -1;
    }
    return r;
}

void vb_state_cleanup(void)
{
    size_t n;
    const struct vb_driver *const *drivers = vb_drivers(&n);

    for (size_t i = n; i-- > 0;)
        if (drivers[i]->state && drivers[i]->state->cleanup)
            drivers[i]->state->cleanup();
}
