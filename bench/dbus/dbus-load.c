/* dbus-load: a D-Bus load generator for bench/dbus: N sd-bus clients calling one method in a loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define LIBVIRT_NAME "org.libvirt"
#define CONNECT_PATH "/org/libvirt/Test"
#define CONNECT_IFACE "org.libvirt.Connect"
#define DOMAIN_IFACE "org.libvirt.Domain"
#define TEST_DOMAIN_PATH "/org/libvirt/Test/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f"
/* test:///default's pool, and the volume the storage rows read (named so its path needs no
 * escaping beyond the key's '/' and '-'): both services name objects the same way. */
#define POOL_PATH "/org/libvirt/Test/storagepool/_dfe224cb_28fb_8dd0_c4b2_64eb3f0f4566"
#define POOL_IFACE "org.libvirt.StoragePool"
#define VOL_PATH "/org/libvirt/Test/storagevol/_2fdefault_2dpool_2fbenchvol0"
#define VOL_IFACE "org.libvirt.StorageVol"
#define CEILING_PATH "/org/virtbus/Bench"
#define CEILING_IFACE "org.virtbus.Bench"
#define MAX_CLIENTS 64
/* Calls in flight per connection while defining domains in bulk: enough to keep the daemon busy
 * between replies, far below dbus-daemon's default limit of pending replies per connection. */
#define DEFINE_WINDOW 16

/* A realistic small definition: both libvirt's test driver and ours accept it. */
#define DOMAIN_XML_FORMAT                                                                      \
    "<domain type='test'><name>%s</name>"                                                      \
    "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"                                         \
    "<os><type arch='x86_64'>hvm</type></os>"                                                  \
    "<devices><disk type='file' device='disk'><source file='/var/lib/bench/%s.img'/>"          \
    "<target dev='vda' bus='virtio'/></disk>"                                                  \
    "<interface type='network'><source network='default'/></interface></devices></domain>"

enum load_op { OP_PING, OP_EMPTY, OP_LIST, OP_XML, OP_GETALL, OP_CYCLE, OP_DEFINE, OP_LIST_TIME, OP_WAIT_NAME,
               OP_POOLS, OP_VOL_XML, OP_VOL_CREATE, OP_VOLS_TIME };

static const char *const op_names[] = {
    [OP_PING] = "ping",     [OP_EMPTY] = "empty",   [OP_LIST] = "list",
    [OP_XML] = "xml",       [OP_GETALL] = "getall", [OP_CYCLE] = "cycle",
    [OP_DEFINE] = "define", [OP_LIST_TIME] = "list-time", [OP_WAIT_NAME] = "wait-name",
    [OP_POOLS] = "pools",   [OP_VOL_XML] = "vol-xml", [OP_VOL_CREATE] = "vol-create",
    [OP_VOLS_TIME] = "vols-time",
};

struct load_options {
    const char *address;
    const char *destination;
    const char *ping_path;
    enum load_op op;
    unsigned clients;
    double warmup_seconds;
    double duration_seconds;
    unsigned long count;
};

struct load_client {
    const struct load_options *options;
    unsigned index;
    sd_bus *bus;
    uint64_t *latencies; /* nanoseconds, one per measured call */
    size_t n_latencies;
    size_t capacity;
    unsigned long iteration;
    unsigned long defined; /* OP_DEFINE: replies received */
    int error;
    pthread_t thread;
};

static pthread_barrier_t connected_barrier;
static pthread_barrier_t start_barrier;
static _Atomic uint64_t start_ns;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bus_connect(const char *address, sd_bus **ret) {
    sd_bus *bus = NULL;
    int r = sd_bus_new(&bus);
    if (r >= 0)
        r = sd_bus_set_address(bus, address);
    if (r >= 0)
        r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0)
        r = sd_bus_start(bus);
    if (r < 0) {
        sd_bus_unref(bus);
        return r;
    }
    *ret = bus;
    return 0;
}

static int record_latency(struct load_client *client, uint64_t ns) {
    if (client->n_latencies == client->capacity) {
        size_t capacity = client->capacity ? client->capacity * 2 : 65536;
        uint64_t *grown = realloc(client->latencies, capacity * sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        client->latencies = grown;
        client->capacity = capacity;
    }
    client->latencies[client->n_latencies++] = ns;
    return 0;
}

static void format_domain_xml(char *xml, size_t size, const char *name) {
    snprintf(xml, size, DOMAIN_XML_FORMAT, name, name);
}

static int report_call_error(const char *what, int r, const sd_bus_error *error) {
    fprintf(stderr, "dbus-load: %s failed: %s\n", what,
            sd_bus_error_is_set(error) ? error->message : strerror(-r));
    return r < 0 ? r : -EIO;
}

/* DomainDefineXML then Undefine of the new domain: one operation. */
static int call_cycle(struct load_client *client) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    char name[96], xml[1024];
    const char *path;
    int r;

    snprintf(name, sizeof(name), "bench-%ld-c%u-i%lu", (long)getpid(), client->index, client->iteration++);
    format_domain_xml(xml, sizeof(xml), name);
    r = sd_bus_call_method(client->bus, client->options->destination, CONNECT_PATH, CONNECT_IFACE,
                           "DomainDefineXML", &error, &reply, "s", xml);
    if (r < 0)
        goto fail;
    r = sd_bus_message_read(reply, "o", &path);
    if (r < 0)
        goto fail;
    r = sd_bus_call_method(client->bus, client->options->destination, path, DOMAIN_IFACE, "Undefine", &error,
                           NULL, "u", 0u);
    if (r < 0)
        goto fail;
    sd_bus_message_unref(reply);
    return 0;
fail:
    r = report_call_error("define+undefine", r, &error);
    sd_bus_error_free(&error);
    sd_bus_message_unref(reply);
    return r;
}

/* One synchronous call of the operation under test; the reply is checked but not decoded further,
 * so the client's own cost is the same whoever answers. */
static int call_once(struct load_client *client) {
    const struct load_options *o = client->options;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    int r;

    switch (o->op) {
    case OP_PING:
        r = sd_bus_call_method(client->bus, o->destination, o->ping_path, "org.freedesktop.DBus.Peer", "Ping",
                               &error, NULL, NULL);
        break;
    case OP_EMPTY:
        r = sd_bus_call_method(client->bus, o->destination, CEILING_PATH, CEILING_IFACE, "Empty", &error, NULL,
                               NULL);
        break;
    case OP_LIST:
        r = sd_bus_call_method(client->bus, o->destination, CONNECT_PATH, CONNECT_IFACE, "ListDomains", &error,
                               NULL, "u", 0u);
        break;
    case OP_XML:
        r = sd_bus_call_method(client->bus, o->destination, TEST_DOMAIN_PATH, DOMAIN_IFACE, "GetXMLDesc",
                               &error, NULL, "u", 0u);
        break;
    case OP_GETALL:
        r = sd_bus_call_method(client->bus, o->destination, TEST_DOMAIN_PATH, "org.freedesktop.DBus.Properties",
                               "GetAll", &error, NULL, "s", DOMAIN_IFACE);
        break;
    case OP_CYCLE:
        return call_cycle(client);
    case OP_POOLS:
        r = sd_bus_call_method(client->bus, o->destination, CONNECT_PATH, CONNECT_IFACE, "ListStoragePools", &error,
                               NULL, "u", 0u);
        break;
    case OP_VOL_XML:
        r = sd_bus_call_method(client->bus, o->destination, VOL_PATH, VOL_IFACE, "GetXMLDesc", &error, NULL, "u", 0u);
        break;
    default:
        return -EINVAL;
    }
    if (r < 0)
        r = report_call_error(op_names[o->op], r, &error);
    sd_bus_error_free(&error);
    return r < 0 ? r : 0;
}

static int run_rate_loop(struct load_client *client) {
    const struct load_options *o = client->options;
    uint64_t t0 = atomic_load(&start_ns);
    uint64_t measure_from = t0 + (uint64_t)(o->warmup_seconds * 1e9);
    uint64_t measure_until = measure_from + (uint64_t)(o->duration_seconds * 1e9);

    for (;;) {
        uint64_t before = now_ns();
        if (before >= measure_until)
            return 0;
        int r = call_once(client);
        if (r < 0)
            return r;
        if (before >= measure_from) {
            r = record_latency(client, now_ns() - before);
            if (r < 0)
                return r;
        }
    }
}

static int on_defined(sd_bus_message *m, void *userdata, sd_bus_error *ret_error __attribute__((unused))) {
    struct load_client *client = userdata;
    const sd_bus_error *error = sd_bus_message_get_error(m);

    if (error && client->error == 0) {
        fprintf(stderr, "dbus-load: DomainDefineXML failed: %s\n", error->message);
        client->error = -EIO;
    }
    client->defined++;
    return 0;
}

/* Defines this client's share of --count domains, DEFINE_WINDOW calls in flight at a time. */
static int run_define(struct load_client *client) {
    const struct load_options *o = client->options;
    unsigned long share = o->count / o->clients + (client->index < o->count % o->clients ? 1 : 0);
    unsigned long sent = 0;
    char name[96], xml[1024];

    while (client->defined < share && client->error == 0) {
        while (sent < share && sent - client->defined < DEFINE_WINDOW) {
            int r;
            if (o->op == OP_VOL_CREATE) {
                /* benchvol0 .. benchvolN-1 across the clients; 1 byte each, so 10,000 fit the pool */
                snprintf(xml, sizeof(xml), "<volume><name>benchvol%lu</name><capacity>1</capacity></volume>",
                         sent * o->clients + client->index);
                r = sd_bus_call_method_async(client->bus, NULL, o->destination, POOL_PATH, POOL_IFACE,
                                             "StorageVolCreateXML", on_defined, client, "su", xml, 0u);
            } else {
                snprintf(name, sizeof(name), "scale-c%u-%06lu", client->index, sent);
                format_domain_xml(xml, sizeof(xml), name);
                r = sd_bus_call_method_async(client->bus, NULL, o->destination, CONNECT_PATH, CONNECT_IFACE,
                                             "DomainDefineXML", on_defined, client, "s", xml);
            }
            if (r < 0)
                return r;
            sent++;
        }
        int r = sd_bus_process(client->bus, NULL);
        if (r < 0)
            return r;
        if (r > 0)
            continue;
        r = sd_bus_wait(client->bus, UINT64_MAX);
        if (r < 0 && r != -EINTR)
            return r;
    }
    return client->error;
}

static void *client_main(void *userdata) {
    struct load_client *client = userdata;
    int r = bus_connect(client->options->address, &client->bus);
    if (r < 0)
        fprintf(stderr, "dbus-load: cannot connect to %s: %s\n", client->options->address, strerror(-r));
    pthread_barrier_wait(&connected_barrier);
    pthread_barrier_wait(&start_barrier);
    if (r >= 0)
        r = client->options->op == OP_DEFINE || client->options->op == OP_VOL_CREATE ? run_define(client)
                                                                                     : run_rate_loop(client);
    client->error = r < 0 ? r : 0;
    sd_bus_flush_close_unref(client->bus);
    client->bus = NULL;
    return NULL;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t percentile(const uint64_t *sorted, size_t n, unsigned pct) {
    return n ? sorted[(n - 1) * pct / 100] : 0;
}

static int run_clients(const struct load_options *o) {
    static struct load_client clients[MAX_CLIENTS];
    uint64_t *all = NULL;
    size_t total = 0;
    int result = 0;

    pthread_barrier_init(&connected_barrier, NULL, o->clients + 1);
    pthread_barrier_init(&start_barrier, NULL, o->clients + 1);
    for (unsigned i = 0; i < o->clients; i++) {
        clients[i] = (struct load_client){ .options = o, .index = i };
        if (pthread_create(&clients[i].thread, NULL, client_main, &clients[i]) != 0) {
            fprintf(stderr, "dbus-load: cannot start client thread\n");
            exit(EXIT_FAILURE); /* the barriers cannot be released any more */
        }
    }
    pthread_barrier_wait(&connected_barrier);
    uint64_t t0 = now_ns();
    atomic_store(&start_ns, t0);
    pthread_barrier_wait(&start_barrier);
    for (unsigned i = 0; i < o->clients; i++) {
        pthread_join(clients[i].thread, NULL);
        if (clients[i].error < 0)
            result = clients[i].error;
        total += clients[i].n_latencies;
    }
    double elapsed = (double)(now_ns() - t0) / 1e9;

    if (result >= 0 && (o->op == OP_DEFINE || o->op == OP_VOL_CREATE)) {
        printf("op=%s clients=%u domains=%lu seconds=%.3f rate=%.1f\n", op_names[o->op], o->clients, o->count,
               elapsed, (double)o->count / elapsed);
    } else if (result >= 0) {
        all = malloc((total ? total : 1) * sizeof(*all));
        if (!all)
            return -ENOMEM;
        size_t at = 0;
        for (unsigned i = 0; i < o->clients; i++) {
            if (clients[i].n_latencies)
                memcpy(all + at, clients[i].latencies, clients[i].n_latencies * sizeof(*all));
            at += clients[i].n_latencies;
        }
        qsort(all, total, sizeof(*all), compare_u64);
        printf("op=%s clients=%u calls=%zu seconds=%.3f rate=%.1f p50_us=%.1f p99_us=%.1f\n", op_names[o->op],
               o->clients, total, o->duration_seconds, (double)total / o->duration_seconds,
               (double)percentile(all, total, 50) / 1e3, (double)percentile(all, total, 99) / 1e3);
    }
    for (unsigned i = 0; i < o->clients; i++)
        free(clients[i].latencies);
    free(all);
    pthread_barrier_destroy(&connected_barrier);
    pthread_barrier_destroy(&start_barrier);
    return result;
}

/* ListDomains(0) --count times in a row on one connection; reports the median and the list size.
 * Two times per call: until the whole reply has arrived (the service's cost, the figure the
 * target is about) and until the client has also decoded every path (sd-bus's read_strv, a
 * client-library cost the same for every service). */
static int run_list_time(const struct load_options *o) {
    sd_bus *bus = NULL;
    uint64_t *samples = calloc(o->count ? o->count : 1, sizeof(*samples));
    uint64_t *decoded = calloc(o->count ? o->count : 1, sizeof(*decoded));
    size_t n_domains = 0;
    int r = samples && decoded ? bus_connect(o->address, &bus) : -ENOMEM;

    for (unsigned long i = 0; r >= 0 && i < o->count; i++) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        char **paths = NULL;
        uint64_t before = now_ns();

        if (o->op == OP_VOLS_TIME)
            r = sd_bus_call_method(bus, o->destination, POOL_PATH, POOL_IFACE, "ListStorageVolumes", &error, &reply,
                                   "u", 0u);
        else
            r = sd_bus_call_method(bus, o->destination, CONNECT_PATH, CONNECT_IFACE, "ListDomains", &error, &reply,
                                   "u", 0u);
        samples[i] = now_ns() - before;
        if (r >= 0)
            r = sd_bus_message_read_strv(reply, &paths);
        decoded[i] = now_ns() - before;
        if (r < 0)
            r = report_call_error(o->op == OP_VOLS_TIME ? "ListStorageVolumes" : "ListDomains", r, &error);
        n_domains = 0;
        for (char **p = paths; p && *p; p++, n_domains++)
            free(*p);
        free(paths);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
    }
    if (r >= 0) {
        qsort(decoded, o->count, sizeof(*decoded), compare_u64);
        printf("op=list-decode p50_decode_ms=%.2f\n", (double)percentile(decoded, o->count, 50) / 1e6);
    }
    free(decoded);
    if (r >= 0) {
        qsort(samples, o->count, sizeof(*samples), compare_u64);
        printf("op=list-time calls=%lu domains=%zu p50_ms=%.2f min_ms=%.2f max_ms=%.2f\n", o->count, n_domains,
               (double)percentile(samples, o->count, 50) / 1e6, (double)samples[0] / 1e6,
               (double)samples[o->count - 1] / 1e6);
    }
    free(samples);
    sd_bus_flush_close_unref(bus);
    return r < 0 ? r : 0;
}

/* Polls NameHasOwner every 20 ms for up to --duration seconds. */
static int run_wait_name(const struct load_options *o) {
    sd_bus *bus = NULL;
    uint64_t until = now_ns() + (uint64_t)(o->duration_seconds * 1e9);
    int r = bus_connect(o->address, &bus);

    while (r >= 0) {
        sd_bus_message *reply = NULL;
        int owned = 0;
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", NULL, &reply, "s", o->destination);
        if (r >= 0)
            r = sd_bus_message_read(reply, "b", &owned);
        sd_bus_message_unref(reply);
        if (r < 0 || owned)
            break;
        if (now_ns() >= until) {
            r = -ETIMEDOUT;
            break;
        }
        usleep(20000);
    }
    sd_bus_flush_close_unref(bus);
    if (r < 0)
        fprintf(stderr, "dbus-load: %s not owned on %s: %s\n", o->destination, o->address, strerror(-r));
    return r < 0 ? r : 0;
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: dbus-load --address ADDR --op OP [--dest NAME] [--clients N] [--warmup S] [--duration S]\n"
            "                 [--count N] [--ping-path PATH]\n"
            "  OP: ping empty list xml getall cycle pools vol-xml\n"
            "                  calls/s and p50/p99 over --duration after --warmup\n"
            "      define      define --count domains over --clients connections, as fast as possible\n"
            "      vol-create  create --count volumes benchvol0.. in test:///default's pool, likewise\n"
            "      list-time   --count ListDomains(0) calls on one connection; median in ms\n"
            "      vols-time   the same with the pool's ListStorageVolumes(0)\n"
            "      wait-name   wait up to --duration seconds for --dest to be owned\n");
}

static int parse_op(const char *name, enum load_op *ret) {
    for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
        if (strcmp(op_names[i], name) == 0) {
            *ret = (enum load_op)i;
            return 0;
        }
    return -EINVAL;
}

static int parse_options(int argc, char **argv, struct load_options *o) {
    static const struct option longopts[] = {
        { "address", required_argument, NULL, 'a' },  { "dest", required_argument, NULL, 'd' },
        { "op", required_argument, NULL, 'o' },       { "clients", required_argument, NULL, 'c' },
        { "warmup", required_argument, NULL, 'w' },   { "duration", required_argument, NULL, 't' },
        { "count", required_argument, NULL, 'n' },    { "ping-path", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
    };
    bool have_op = false;
    int c;

    *o = (struct load_options){ .destination = LIBVIRT_NAME, .ping_path = "/", .clients = 1,
                                .warmup_seconds = 0.5, .duration_seconds = 3.0, .count = 20 };
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': o->address = optarg; break;
        case 'd': o->destination = optarg; break;
        case 'o':
            if (parse_op(optarg, &o->op) < 0)
                return -EINVAL;
            have_op = true;
            break;
        case 'c': o->clients = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'w': o->warmup_seconds = strtod(optarg, NULL); break;
        case 't': o->duration_seconds = strtod(optarg, NULL); break;
        case 'n': o->count = strtoul(optarg, NULL, 10); break;
        case 'p': o->ping_path = optarg; break;
        case 'h': usage(stdout); exit(EXIT_SUCCESS);
        default: return -EINVAL;
        }
    }
    if (!o->address)
        o->address = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (!o->address || !have_op || o->clients < 1 || o->clients > MAX_CLIENTS || o->duration_seconds <= 0 ||
        o->warmup_seconds < 0 || o->count < 1 || optind != argc)
        return -EINVAL;
    return 0;
}

int main(int argc, char **argv) {
    struct load_options options;
    int r;

    if (parse_options(argc, argv, &options) < 0) {
        usage(stderr);
        return 2;
    }
    switch (options.op) {
    case OP_LIST_TIME:
    case OP_VOLS_TIME: r = run_list_time(&options); break;
    case OP_WAIT_NAME: r = run_wait_name(&options); break;
    default: r = run_clients(&options); break;
    }
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
