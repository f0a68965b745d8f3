/* libFuzzer target: what virtbus-snmp reads from the network. The first byte picks the reader:
 * a JSON event body, an AMQP URL, or an encoded AMQP message read as a QMF answer (objects
 * mapped to guest rows, an exception, agent values). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <proton/message.h>

#include "bridges/common/amqp_url.h"
#include "bridges/common/qmf_console.h"
#include "bridges/common/virtbus_event.h"
#include "bridges/snmp/guest_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_object(pn_data_t *values, void *userdata)
{
    struct guest_info info;

    guest_info_read(values, &info);
    guest_table_update(userdata, &info, "fuzz");
}

static void read_qmf(const uint8_t *data, size_t size)
{
    pn_message_t *msg = pn_message();
    struct guest_table table = {0};

    /* proton asserts on an empty buffer: amqp_client_read never passes one */
    if (msg && size > 0 && pn_message_decode(msg, (const char *) data, size) == 0) {
        char text[256], uri[256];
        int64_t code;
        uint64_t epoch;

        qmf_console_reply_opcode(msg, text, sizeof(text));
        qmf_console_reply_agent(msg, text, sizeof(text));
        (void) qmf_console_reply_partial(msg);
        qmf_console_each_object(msg, read_object, &table);
        qmf_console_exception(msg, &code, text, sizeof(text));
        qmf_console_agent_values(msg, text, sizeof(text), &epoch, uri, sizeof(uri));
    }
    guest_table_clear(&table);
    if (msg)
        pn_message_free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct virtbus_event event;
    struct amqp_url url;
    const char *error;
    char *text;

    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        virtbus_event_parse((const char *) data + 1, size - 1, &event, &error);
        break;
    case 1:
        text = strndup((const char *) data + 1, size - 1);
        if (text)
            amqp_url_parse(text, &url, &error);
        free(text);
        break;
    default:
        read_qmf(data + 1, size - 1);
        break;
    }
    return 0;
}
