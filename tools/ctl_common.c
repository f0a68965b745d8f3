/* virtbusctl: the bus connection, object paths, D-Bus calls and error reporting shared by commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ctl_common.h"

#define UUID_STRING_LEN 36

static void print_error(const char *fmt, va_list ap)
{
    fputs("virtbusctl: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int ctl_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_error(fmt, ap);
    va_end(ap);
    return CTL_EXIT_FAILURE;
}

int ctl_usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_error(fmt, ap);
    va_end(ap);
    fputs("Try 'virtbusctl --help' for more information.\n", stderr);
    return CTL_EXIT_USAGE;
}

/* Remote error messages are libvirt's one-line texts; keep ours one line too. */
static const char *error_text(const sd_bus_error *error, int r)
{
    if (sd_bus_error_is_set(error) && error->message && error->message[0])
        return error->message;
    if (sd_bus_error_is_set(error))
        return error->name;
    return strerror(r < 0 ? -r : r);
}

/* A caret line ("-----^") only points into the line above; on one line it means nothing. */
static bool is_caret_line(const char *line, size_t len)
{
    return len > 0 && line[len - 1] == '^' && strspn(line, "-") == len - 1;
}

/* libvirt's XML errors span lines (message, snippet, caret); an error here is one line. */
static char *one_line(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;

    if (!out)
        return NULL;
    while (*text) {
        size_t len = strcspn(text, "\n");
        if (!is_caret_line(text, len)) {
            if (o != out)
                *o++ = ' ';
            for (size_t i = 0; i < len; i++)
                *o++ = (unsigned char) text[i] < ' ' ? ' ' : text[i];
        }
        text += len + (text[len] == '\n');
    }
    *o = '\0';
    return out;
}

int ctl_bus_error(const char *context, const sd_bus_error *error, int r)
{
    _cleanup_free_ char *text = one_line(error_text(error, r));
    const char *message = text ? text : error_text(error, r);

    if (context)
        return ctl_error("%s: %s", context, message);
    return ctl_error("%s", message);
}

/* ---- URIs and buses ------------------------------------------------------------------- */

struct uri_map {
    const char *uri;
    const char *path;
    enum ctl_bus_kind bus_kind;
};

static const struct uri_map uri_maps[] = {
    { "test:///default", "/org/libvirt/Test", CTL_BUS_DEFAULT },
    { "qemu:///session", "/org/libvirt/QEMU", CTL_BUS_SESSION },
    { "qemu:///system", "/org/libvirt/QEMU", CTL_BUS_SYSTEM },
};

int ctl_uri_resolve(const char *uri, const char **path, enum ctl_bus_kind *bus_kind)
{
    for (size_t i = 0; i < ARRAY_SIZE(uri_maps); i++) {
        if (streq(uri, uri_maps[i].uri)) {
            *path = uri_maps[i].path;
            *bus_kind = uri_maps[i].bus_kind;
            return 0;
        }
    }
    /* The daemon serves any test:///PATH node file at the same object. */
    if (strncmp(uri, "test:///", strlen("test:///")) == 0) {
        *path = "/org/libvirt/Test";
        *bus_kind = CTL_BUS_DEFAULT;
        return 0;
    }
    return -EINVAL;
}

int ctl_open(struct ctl *ctl, const char *uri, enum ctl_bus_kind bus_kind)
{
    enum ctl_bus_kind uri_bus;
    int r;

    if (ctl_uri_resolve(uri, &ctl->connect_path, &uri_bus) < 0)
        return ctl_usage_error("unsupported URI '%s' (use test:///default, qemu:///session or qemu:///system)",
                               uri);
    ctl->uri = uri;
    if (bus_kind == CTL_BUS_DEFAULT)
        bus_kind = uri_bus;
    if (bus_kind == CTL_BUS_SYSTEM)
        r = sd_bus_open_system(&ctl->bus);
    else
        r = sd_bus_open_user(&ctl->bus);
    if (r < 0)
        return ctl_error("cannot connect to the %s bus: %s", bus_kind == CTL_BUS_SYSTEM ? "system" : "session",
                         strerror(-r));
    (void) sd_bus_set_method_call_timeout(ctl->bus, CTL_CALL_TIMEOUT_USEC);
    return 0;
}

void ctl_close(struct ctl *ctl)
{
    if (ctl->bus) {
        sd_bus_flush(ctl->bus);
        ctl->bus = sd_bus_flush_close_unref(ctl->bus);
    }
}

int ctl_call(struct ctl *ctl, const char *path, const char *interface, const char *member, sd_bus_error *error,
             sd_bus_message **reply, const char *types, ...)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
    int r;

    r = sd_bus_message_new_method_call(ctl->bus, &m, CTL_BUS_NAME, path, interface, member);
    if (r < 0)
        return r;
    if (types) {
        va_list ap;

        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
            return r;
    }
    return sd_bus_call(ctl->bus, m, CTL_CALL_TIMEOUT_USEC, error, reply);
}

/* ---- domains -------------------------------------------------------------------------- */

static bool looks_like_uuid(const char *s)
{
    size_t hex = 0;

    for (; *s; s++) {
        if (*s == '-' || *s == ' ')
            continue;
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return false;
        hex++;
    }
    return hex == 32;
}

static bool parse_id(const char *s, int32_t *id)
{
    char *end;
    long v;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > INT32_MAX)
        return false;
    *id = (int32_t) v;
    return true;
}

static int read_path(sd_bus_message *reply, char **path)
{
    const char *p;
    int r = sd_bus_message_read(reply, "o", &p);

    if (r < 0)
        return r;
    *path = strdup(p);
    return *path ? 0 : -ENOMEM;
}

/* libvirt-dbus takes an "i"; accept a daemon that declares "u" as well. */
static int lookup_by_id(struct ctl *ctl, int32_t id, sd_bus_error *error, sd_bus_message **reply)
{
    int r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainLookupByID", error, reply, "i", id);

    if (r < 0 && sd_bus_error_has_name(error, SD_BUS_ERROR_INVALID_ARGS)) {
        sd_bus_error_free(error);
        r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainLookupByID", error, reply, "u",
                     (uint32_t) id);
    }
    return r;
}

/* Only "not found" lets the next kind of lookup try; anything else (no daemon, access denied)
 * is the answer. */
static bool try_next(const sd_bus_error *error)
{
    return sd_bus_error_has_name(error, "org.libvirt.Error");
}

int ctl_lookup_domain(struct ctl *ctl, const char *arg, char **path)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    _cleanup_free_ char *context = NULL;
    int32_t id;
    int r = -ENOENT;

    if (parse_id(arg, &id)) {
        r = lookup_by_id(ctl, id, &error, &reply);
        if (r < 0 && !try_next(&error))
            goto fail;
    }
    if (r < 0 && looks_like_uuid(arg)) {
        sd_bus_error_free(&error);
        r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainLookupByUUID", &error, &reply, "s", arg);
        if (r < 0 && !try_next(&error))
            goto fail;
    }
    if (r < 0) {
        sd_bus_error_free(&error);
        r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainLookupByName", &error, &reply, "s",
                     arg);
    }
    if (r >= 0)
        r = read_path(reply, path);
    if (r >= 0)
        return 0;
fail:
    if (asprintf(&context, "failed to get domain '%s'", arg) < 0)
        context = NULL;
    return ctl_bus_error(context ? context : "failed to get domain", &error, r);
}

char *ctl_uuid_from_path(const char *path)
{
    const char *leaf = strrchr(path, '/');
    char *uuid;

    if (!leaf || leaf[1] != '_' || strlen(leaf + 2) != UUID_STRING_LEN)
        return NULL;
    uuid = strdup(leaf + 2);
    if (!uuid)
        return NULL;
    for (char *p = uuid; *p; p++)
        if (*p == '_')
            *p = '-';
    return uuid;
}

/* ---- files ---------------------------------------------------------------------------- */

static int read_stream(FILE *f, char **content)
{
    size_t len = 0, allocated = 4096;
    char *buf = malloc(allocated);

    if (!buf)
        return -ENOMEM;
    for (;;) {
        size_t n = fread(buf + len, 1, allocated - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (allocated - len - 1 == 0) {
            char *bigger = realloc(buf, allocated * 2);
            if (!bigger) {
                free(buf);
                return -ENOMEM;
            }
            buf = bigger;
            allocated *= 2;
        }
    }
    if (ferror(f)) {
        free(buf);
        return -EIO;
    }
    buf[len] = '\0';
    *content = buf;
    return 0;
}

int ctl_read_file(const char *filename, char **content)
{
    FILE *f = streq(filename, "-") ? stdin : fopen(filename, "re");
    int r;

    if (!f)
        return ctl_error("failed to open '%s': %s", filename, strerror(errno));
    r = read_stream(f, content);
    if (f != stdin)
        fclose(f);
    if (r < 0)
        return ctl_error("failed to read '%s': %s", filename, strerror(-r));
    return 0;
}
