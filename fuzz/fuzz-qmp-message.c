/* libFuzzer target: one line from a QMP monitor, as the QEMU driver's client classifies it
 * (drivers/qemu/qmp_message.c), then every field it hands out read. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/qemu/qmp_message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qmp_message msg;
    struct vb_error err = VB_ERROR_INIT;
    volatile size_t sink = 0;

    if (qmp_message_parse((const char *) data, size, &msg, &err) < 0) {
        vb_error_clear(&err);
        return 0;
    }
    if (msg.id)
        sink += strlen(msg.id);
    if (msg.event)
        sink += strlen(msg.event);
    if (msg.error_class)
        sink += strlen(msg.error_class) + strlen(msg.error_desc);
    if (msg.value)
        sink += strlen(json_object_to_json_string(msg.value));
    sink += (size_t) msg.timestamp_usec;
    (void) sink;
    qmp_message_clear(&msg);
    return 0;
}
