/* The test driver's state driver (libvirt's virStateDriver): what outlives a connection. The
 * test driver keeps its nodes per connection, so its daemon-long work is autostart: once the
 * daemon has opened its connections, every persistent, inactive domain marked autostart is
 * started, as libvirt starts them when its daemon starts. */
#include "drivers/test/test_private.h"
#include "util/log.h"

static struct test_conn *open_conns;

void test_state_register(struct test_conn *conn)
{
    conn->next_open = open_conns;
    open_conns = conn;
}

void test_state_unregister(struct test_conn *conn)
{
    for (struct test_conn **link = &open_conns; *link; link = &(*link)->next_open)
        if (*link == conn) {
            *link = conn->next_open;
            break;
        }
    conn->next_open = NULL;
}

void test_autostart(struct test_conn *conn)
{
    _cleanup_free_ struct vb_domain_obj **objs = NULL;
    int n;

    if (conn->autostarted)
        return;
    conn->autostarted = true;
    n = vb_domain_list_collect(conn->domains, &objs);
    for (int i = 0; i < n; i++) {
        struct vb_domain_obj *obj = objs[i];
        struct vb_error err = VB_ERROR_INIT;

        if (!obj->autostart || !obj->persistent || vb_domain_obj_is_active(obj) ||
            vb_domain_job_is_active(&obj->job))
            continue;
        if (test_domain_autostart(conn, obj, &err) < 0)
            vb_log_warning("could not autostart domain '%s': %s", obj->def->name, vb_error_message(&err));
        else
            vb_log_info("autostarted domain '%s'", obj->def->name);
        vb_error_clear(&err);
    }
}

static void state_auto_start(void)
{
    for (struct test_conn *conn = open_conns; conn; conn = conn->next_open)
        test_autostart(conn);
}

/* The test nodes live with their connections: nothing to set up, re-read or tear down for the
 * daemon as a whole. */
const struct vb_state_driver vb_test_state_driver = {
    .auto_start = state_auto_start,
};
