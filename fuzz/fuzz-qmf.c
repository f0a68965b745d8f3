/* libFuzzer target: an AMQP message as the QMF agent reads one. Decodes it with proton, then runs
 * virtbus's own readers over the body: map lookups, string and integer reads, depth, copy, and
 * the body as a _where predicate against an object's values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <proton/message.h>

#include "bus/amqp_value.h"
#include "bus/qmf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pn_data_t *object_values(void)
{
    pn_data_t *values = pn_data(0);

    pn_data_put_map(values);
    pn_data_enter(values);
    bus_put_string(values, "name", "test");
    bus_put_uint32(values, "numVcpus", 2);
    bus_put_bool(values, "active", true);
    pn_data_exit(values);
    return values;
}

static void read_fields(pn_data_t *body)
{
    static const char *const keys[] = { "_what", "_object_id", "_method_name", "_arguments", "_where" };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        pn_data_rewind(body);
        if (!pn_data_next(body) || !bus_map_find(body, keys[i]))
            continue;
        free(bus_value_dup_string(body));
        int64_t v;
        (void) bus_value_get_int64(body, &v);
        pn_data_exit(body);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pn_message_t *msg = pn_message();
    pn_data_t *body;

    /* As bus/route.c: proton aborts on an empty buffer, so it never gets one. */
    if (size == 0 || pn_message_decode(msg, (const char *) data, size) != 0) {
        pn_message_free(msg);
        return 0;
    }
    body = pn_message_body(msg);
    read_fields(body);
    pn_data_rewind(body);
    if (pn_data_next(body)) {
        pn_data_t *copy = pn_data(0), *values;
        char err[256];

        (void) bus_value_depth(body, BUS_VALUE_MAX_DEPTH);
        (void) bus_value_copy(copy, body);
        pn_data_free(copy);
        values = object_values();
        pn_data_rewind(values);
        pn_data_next(values);
        (void) bus_qmf_where(body, values, err, sizeof(err));
        pn_data_free(values);
    }
    pn_message_free(msg);
    return 0;
}
