/* libFuzzer target: one line from a QMP monitor, as the QEMU driver's client classifies it
 * (drivers/qemu/qmp_message.c), then every field it hands out read; an event is also mapped to
 * libvirt domain events (drivers/qemu/qemu_event_map.c) and their strings read. The same bytes
 * are also read as a save image header (drivers/qemu/qemu_save_image.c), the other untrusted
 * input of the QEMU driver. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/qemu/qemu_event_map.h"
#include "drivers/qemu/qmp_message.h"
#include "drivers/qemu/qemu_save_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t read_mapped_events(const struct qmp_message *msg)
{
    struct qemu_domain_event out[QEMU_EVENT_MAP_MAX];
    size_t sink = 0;

    for (int running = 0; running < 2; running++) {
        size_t n = qemu_event_map(msg->event, msg->value, running, out);

        for (size_t i = 0; i < n; i++) {
            if (out[i].id == VB_DOMAIN_EVENT_ID_IO_ERROR_REASON)
                sink += strlen(out[i].payload.io_error.dev_alias) + strlen(out[i].payload.io_error.reason);
            else if (out[i].id == VB_DOMAIN_EVENT_ID_DEVICE_REMOVED)
                sink += strlen(out[i].payload.device.dev_alias);
            sink += (size_t) out[i].id;
        }
    }
    return sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qmp_message msg;
    struct vb_error err = VB_ERROR_INIT;
    volatile size_t sink = 0;
    struct qemu_save_header header;

    if (qemu_save_header_parse(data, size, &header, &err) == 0)
        sink += header.xml_len + header.was_running;
    vb_error_clear(&err);
    if (qmp_message_parse((const char *) data, size, &msg, &err) < 0) {
        vb_error_clear(&err);
        return 0;
    }
    if (msg.id)
        sink += strlen(msg.id);
    if (msg.event)
        sink += strlen(msg.event) + read_mapped_events(&msg);
    if (msg.error_class)
        sink += strlen(msg.error_class) + strlen(msg.error_desc);
    if (msg.value)
        sink += strlen(json_object_to_json_string(msg.value));
    sink += (size_t) msg.timestamp_usec;
    (void) sink;
    qmp_message_clear(&msg);
    return 0;
}
