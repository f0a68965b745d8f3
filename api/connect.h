/* A connection: one open driver instance chosen by URI (libvirt's virConnect). */
#pragma once

#include "drivers/driver.h"

struct vb_connect {
    const struct vb_driver *driver;
    void *priv;
    char *uri;
    struct sd_event *loop;         /* NULL: no waiting (a busy job fails at once) */
    uint64_t job_wait_usec;        /* how long a call waits for a domain's job */
    unsigned int max_queued_jobs;  /* 0: no limit */
};

/* Opens the driver that serves uri. Unknown URI: VB_ERR_NO_CONNECT. */
int vb_connect_open(const char *uri, const struct vb_driver_env *env, struct vb_connect **conn,
                    struct vb_error *err);
/* Closes the driver, which ends every call it still has pending. */
void vb_connect_close(struct vb_connect *conn);

/* Registry reads: answered at once. */
char *vb_connect_get_hostname(struct vb_connect *conn, struct vb_error *err);

/* Operations: 0, -1 (call->err) or VB_PENDING (drivers/call.h). */
int vb_connect_node_get_info(struct vb_connect *conn, struct vb_call *call, struct vb_node_info *info);
int vb_connect_get_capabilities(struct vb_connect *conn, struct vb_call *call, char **xml);

/* A front-end client went away: domains it started with AUTODESTROY are destroyed. */
void vb_connect_client_gone(struct vb_connect *conn, vb_client_id client);

/* The daemon's life (libvirt's virStateInitialize, ...): every registered driver's state hooks. */
int vb_state_initialize(const struct vb_driver_env *env, struct vb_error *err);
void vb_state_auto_start(void);
int vb_state_reload(struct vb_error *err);
void vb_state_cleanup(void);

DEFINE_CLEANUP_FUNC(struct vb_connect, vb_connect_close)
