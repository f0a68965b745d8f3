/* A probe for the authorization tests: asks polkit, as the AMQP front end will, whether a unix
 * user may perform an action on a domain. Prints "allowed" or "denied" and exits 0 or 1; 2 when
 * polkit could not answer. Not a test by itself: tests/integration/test_polkit.py runs it against
 * a real polkitd. Usage: policy-ask UID ACTION [DOMAIN_NAME] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "policy/polkit.h"

struct answer {
    int allowed;
    char *message;
    sd_event *loop;
};

static void on_done(void *userdata, int allowed, const char *message)
{
    struct answer *a = userdata;

    a->allowed = allowed;
    a->message = message ? strdup(message) : NULL;
    sd_event_exit(a->loop, 0);
}

int main(int argc, char **argv)
{
    struct policy_subject subject = { .kind = POLICY_SUBJECT_UNIX_USER };
    struct policy_details details = { .connect_driver = "Test" };
    struct answer a = { .allowed = -EINPROGRESS };
    struct policy_polkit *polkit = NULL;
    sd_bus_slot *slot = NULL;
    sd_bus *bus = NULL;
    int r;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: policy-ask UID ACTION [DOMAIN_NAME]\n");
        return 2;
    }
    subject.uid = (uint32_t) strtoul(argv[1], NULL, 10);
    if (argc == 4)
        details.object[0] = (struct policy_detail){ "domain_name", argv[3] };
    r = sd_event_default(&a.loop);
    if (r >= 0)
        r = sd_bus_open_system(&bus);
    if (r >= 0)
        r = sd_bus_attach_event(bus, a.loop, 0);
    if (r >= 0)
        r = policy_polkit_new(bus, 0, &polkit);
    if (r >= 0)
        r = policy_polkit_check(polkit, &subject, argv[2], &details, false, on_done, &a, &slot);
    if (r >= 0)
        r = sd_event_loop(a.loop);
    if (r < 0 || a.allowed < 0) {
        fprintf(stderr, "policy-ask: %s\n", a.message ? a.message : strerror(r < 0 ? -r : EIO));
        r = 2;
    } else {
        printf("%s\n", a.allowed ? "allowed" : "denied");
        r = a.allowed ? 0 : 1;
    }
    free(a.message);
    sd_bus_slot_unref(slot);
    policy_polkit_free(polkit);
    sd_bus_flush_close_unref(bus);
    sd_event_unref(a.loop);
    return r;
}
