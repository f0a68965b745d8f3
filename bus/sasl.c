/* virtbus's server side of SASL, plugged into proton: ANONYMOUS (read-only), PLAIN checked
 * against the users file, EXTERNAL for a TLS client certificate whose subject the users file
 * names. proton's built-in server offers no PLAIN, and Cyrus SASL would need its own database. */
#include <stdlib.h>
#include <string.h>

#include <proton/sasl.h>
#include <proton/sasl_plugin.h>

#include "bus/frontend.h"
#include "bus/users.h"
#include "util/log.h"

/* PLAIN's message: authzid NUL authcid NUL password, each at most this long. */
#define PLAIN_FIELD_MAX 1024

static const char *list_mechanisms(pn_transport_t *transport)
{
    struct bus_conn *conn = pnx_sasl_get_context(transport);

    if (pnx_sasl_get_external_username(transport) && conn->fe->users)
        return "EXTERNAL PLAIN ANONYMOUS";
    return conn->fe->users ? "PLAIN ANONYMOUS" : "ANONYMOUS";
}

static bool init_server(pn_transport_t *transport)
{
    pnx_sasl_set_desired_state(transport, SASL_POSTED_MECHANISMS);
    return true;
}

static bool set_principal(struct bus_conn *conn, enum bus_principal_kind kind, const char *name, uid_t uid)
{
    char *copy = strdup(name);

    if (!copy)
        return false;
    free(conn->principal.name);
    conn->principal = (struct bus_principal){ .kind = kind, .name = copy, .uid = uid };
    return true;
}

/* Splits PLAIN's response; false when malformed. */
static bool split_plain(const pn_bytes_t *recv, char *user, char *password)
{
    const char *p = recv->start, *end = recv->start + recv->size;
    const char *nul1 = memchr(p, '\0', recv->size), *nul2;
    size_t user_len, password_len;

    if (!nul1)
        return false;
    nul2 = memchr(nul1 + 1, '\0', (size_t) (end - nul1 - 1));
    if (!nul2)
        return false;
    user_len = (size_t) (nul2 - nul1 - 1);
    password_len = (size_t) (end - nul2 - 1);
    if (user_len == 0 || user_len >= PLAIN_FIELD_MAX || password_len >= PLAIN_FIELD_MAX ||
        memchr(nul2 + 1, '\0', password_len))
        return false;
    memcpy(user, nul1 + 1, user_len);
    user[user_len] = '\0';
    memcpy(password, nul2 + 1, password_len);
    password[password_len] = '\0';
    return true;
}

static bool authenticate_plain(struct bus_conn *conn, const pn_bytes_t *recv)
{
    char user[PLAIN_FIELD_MAX], password[PLAIN_FIELD_MAX];
    uid_t uid;
    bool ok;

    if (!conn->fe->users || !split_plain(recv, user, password)) {
        vb_log_notice("amqp %s: malformed PLAIN authentication", conn->label);
        return false;
    }
    ok = bus_users_check_password(conn->fe->users, user, password, &uid);
    explicit_bzero(password, sizeof(password));
    if (!ok) {
        vb_log_notice("amqp %s: PLAIN authentication failed for '%s'", conn->label, user);
        return false;
    }
    return set_principal(conn, BUS_PRINCIPAL_USER, user, uid);
}

static bool authenticate_external(struct bus_conn *conn, pn_transport_t *transport)
{
    const char *subject = pnx_sasl_get_external_username(transport);
    uid_t uid;

    if (!subject || !conn->fe->users || !bus_users_lookup(conn->fe->users, subject, &uid)) {
        vb_log_notice("amqp %s: EXTERNAL authentication failed for '%s'", conn->label, subject ? subject : "");
        return false;
    }
    return set_principal(conn, BUS_PRINCIPAL_USER, subject, uid);
}

static void process_init(pn_transport_t *transport, const char *mechanism, const pn_bytes_t *recv)
{
    struct bus_conn *conn = pnx_sasl_get_context(transport);
    bool ok = false;

    if (strcmp(mechanism, "ANONYMOUS") == 0)
        ok = set_principal(conn, BUS_PRINCIPAL_ANONYMOUS, "anonymous", (uid_t) -1);
    else if (strcmp(mechanism, "PLAIN") == 0)
        ok = authenticate_plain(conn, recv);
    else if (strcmp(mechanism, "EXTERNAL") == 0)
        ok = authenticate_external(conn, transport);
    if (ok && conn->principal.kind == BUS_PRINCIPAL_ANONYMOUS) {
        vb_log_debug("amqp %s: anonymous", conn->label);
        pnx_sasl_set_succeeded(transport, conn->principal.name, NULL);
    } else if (ok) {
        vb_log_info("amqp %s: authenticated as %s (%s)", conn->label, conn->principal.name, mechanism);
        pnx_sasl_set_succeeded(transport, conn->principal.name, NULL);
    } else {
        pnx_sasl_set_failed(transport);
    }
    pnx_sasl_set_desired_state(transport, SASL_POSTED_OUTCOME);
}

static void ignore_transport(pn_transport_t *transport)
{
}

static bool refuse_client(pn_transport_t *transport)
{
    return false;
}

static void ignore_bytes(pn_transport_t *transport, const pn_bytes_t *recv)
{
}

static bool ignore_mechanisms(pn_transport_t *transport, const char *mechs)
{
    return false;
}

static bool cannot_encrypt(pn_transport_t *transport)
{
    return false;
}

static ssize_t no_encrypt_size(pn_transport_t *transport)
{
    return 0;
}

static ssize_t no_coding(pn_transport_t *transport, pn_bytes_t in, pn_bytes_t *out)
{
    return 0;
}

static const pnx_sasl_implementation server_sasl = {
    .free = ignore_transport,
    .list_mechanisms = list_mechanisms,
    .init_server = init_server,
    .init_client = refuse_client,
    .prepare_write = ignore_transport,
    .process_init = process_init,
    .process_response = ignore_bytes,
    .process_mechanisms = ignore_mechanisms,
    .process_challenge = ignore_bytes,
    .process_outcome = ignore_bytes,
    .can_encrypt = cannot_encrypt,
    .max_encrypt_size = no_encrypt_size,
    .encode = no_coding,
    .decode = no_coding,
};

void bus_sasl_server_init(struct bus_conn *conn, pn_transport_t *transport)
{
    pn_sasl_t *sasl = pn_sasl(transport);

    pnx_sasl_set_implementation(transport, &server_sasl, conn);
    /* PLAIN over plain TCP: the listener is loopback by default, and refusing it would leave
     * tools without TLS no way to authenticate. */
    pn_sasl_set_allow_insecure_mechs(sasl, true);
}
