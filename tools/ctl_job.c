/* virtbusctl: the job commands domjobinfo (GetJobStats, else GetJobInfo, as virsh) and
 * domjobabort (AbortJob). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/ctl_domain.h"
#include "tools/ctl_output.h"

/* libvirt's virDomainJobType. */
enum {
    JOB_NONE = 0,
    JOB_BOUNDED = 1,
    JOB_UNBOUNDED = 2,
    JOB_COMPLETED = 3,
};

/* virDomainGetJobStatsFlags */
#define JOB_STATS_COMPLETED 1u
#define JOB_STATS_KEEP_COMPLETED 2u

#define MAX_JOB_PARAMS 64
#define NOT_SUPPORTED "this function is not supported by the connection driver"

/* virDomainJobInfo, in the order GetJobInfo's (ittttttttttt) carries it. */
struct job_info {
    int32_t type;
    uint64_t time_elapsed, time_remaining;
    uint64_t data_total, data_processed, data_remaining;
    uint64_t mem_total, mem_processed, mem_remaining;
    uint64_t file_total, file_processed, file_remaining;
};

/* One typed parameter of GetJobStats: numbers only (the one string libvirt has, errmsg, is kept
 * apart). */
struct job_param {
    const char *name; /* in the reply message, which the caller keeps */
    char type;        /* D-Bus type: 'i', 'u', 'x', 't', 'd', 'b' */
    uint64_t value;   /* signed ones as their two's complement */
};

/* GetJobStats' answer, or GetJobInfo's (detailed false, no parameters). */
struct job_stats {
    struct job_info info;
    bool detailed;
    struct job_param params[MAX_JOB_PARAMS];
    size_t n;
    const char *errmsg;
};

static const char *const job_operation_names[] = {
    "Unknown",  "Start",           "Save", "Restore", "Incoming migration", "Outgoing migration",
    "Snapshot", "Snapshot revert", "Dump", "Backup",  "Snapshot delete",
};

static const char *const job_type_names[] = {
    "None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled",
};

static const char *job_type_name(int32_t type)
{
    if (type < 0 || (size_t) type >= ARRAY_SIZE(job_type_names))
        return "unknown";
    return job_type_names[type];
}

static int fetch_job_info(struct ctl *ctl, const char *path, struct job_info *info, sd_bus_error *error)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    int r;

    r = ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "GetJobInfo", error, &reply, NULL);
    if (r < 0)
        return r;
    return sd_bus_message_read(reply, "(ittttttttttt)", &info->type, &info->time_elapsed, &info->time_remaining,
                               &info->data_total, &info->data_processed, &info->data_remaining,
                               &info->mem_total, &info->mem_processed, &info->mem_remaining,
                               &info->file_total, &info->file_processed, &info->file_remaining);
}

/* Reads one typed parameter's value: libvirt-dbus wraps it in two variants (one is accepted). */
static int read_param_value(sd_bus_message *m, struct job_stats *stats, const char *name)
{
    unsigned depth = 0;
    const char *contents;
    union { int32_t i; uint32_t u; int64_t x; uint64_t t; double d; int b; const char *s; } v;
    char type = 0;
    int r;

    while ((r = sd_bus_message_peek_type(m, &type, &contents)) > 0 && type == SD_BUS_TYPE_VARIANT &&
           (r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents)) >= 0)
        depth++;
    if (r < 0)
        return r;
    if (!type || !strchr("iuxtdbs", type))
        r = sd_bus_message_skip(m, NULL);
    else if ((r = sd_bus_message_read_basic(m, type, &v)) >= 0 && type == 's')
        stats->errmsg = strcmp(name, "errmsg") == 0 ? v.s : stats->errmsg;
    else if (r >= 0 && stats->n < MAX_JOB_PARAMS)
        stats->params[stats->n++] = (struct job_param){
            .name = name, .type = type,
            .value = type == 'i' ? (uint64_t) (int64_t) v.i : type == 'u' ? v.u : type == 'x' ? (uint64_t) v.x
                   : type == 't' ? v.t : type == 'd' ? (uint64_t) v.d : (uint64_t) v.b,
        };
    while (r >= 0 && depth-- > 0)
        r = sd_bus_message_exit_container(m);
    return r;
}

static int read_params(sd_bus_message *m, struct job_stats *stats)
{
    const char *name;
    int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");

    while (r >= 0 && (r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
        r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &name);
        if (r >= 0)
            r = read_param_value(m, stats, name);
        if (r >= 0)
            r = sd_bus_message_exit_container(m);
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* The parameter called name: true with *value set, false when the daemon did not send it. */
static bool job_param(const struct job_stats *stats, const char *name, uint64_t *value)
{
    for (size_t i = 0; i < stats->n; i++)
        if (strcmp(stats->params[i].name, name) == 0) {
            *value = stats->params[i].value;
            return true;
        }
    return false;
}

/* virsh's virshDomainJobStatsToDomainJobInfo: the disk fields are its "file" ones. */
static void stats_to_info(struct job_stats *stats)
{
    const struct { const char *name; uint64_t *field; } map[] = {
        { "time_elapsed", &stats->info.time_elapsed },     { "time_remaining", &stats->info.time_remaining },
        { "data_total", &stats->info.data_total },         { "data_processed", &stats->info.data_processed },
        { "data_remaining", &stats->info.data_remaining }, { "memory_total", &stats->info.mem_total },
        { "memory_processed", &stats->info.mem_processed }, { "memory_remaining", &stats->info.mem_remaining },
        { "disk_total", &stats->info.file_total },         { "disk_processed", &stats->info.file_processed },
        { "disk_remaining", &stats->info.file_remaining },
    };

    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        job_param(stats, map[i].name, map[i].field);
}

/* GetJobStats(flags); *reply keeps the parameter names alive. */
static int fetch_job_stats(struct ctl *ctl, const char *path, unsigned flags, struct job_stats *stats,
                           sd_bus_message **reply, sd_bus_error *error)
{
    int r = ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "GetJobStats", error, reply, "u", flags);

    if (r >= 0)
        r = sd_bus_message_enter_container(*reply, SD_BUS_TYPE_STRUCT, "ia{sv}");
    if (r >= 0)
        r = sd_bus_message_read_basic(*reply, SD_BUS_TYPE_INT32, &stats->info.type);
    if (r >= 0)
        r = read_params(*reply, stats);
    if (r < 0)
        return r;
    stats->detailed = true;
    stats_to_info(stats);
    return 0;
}

/* virsh's order: GetJobStats, and GetJobInfo when the driver has no statistics (then no flag). */
static int fetch_job(struct ctl *ctl, const char *path, unsigned flags, struct job_stats *stats,
                     sd_bus_message **reply)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    int r = fetch_job_stats(ctl, path, flags, stats, reply, &error);

    if (r >= 0)
        return 0;
    if (!error.message || strncmp(error.message, NOT_SUPPORTED, strlen(NOT_SUPPORTED)) != 0)
        return ctl_bus_error(NULL, &error, r);
    if (flags || ctl->opt.rawstats)
        return ctl_error("Optional flags or --rawstats are not supported by the daemon");
    sd_bus_error_free(&error);
    r = fetch_job_info(ctl, path, &stats->info, &error);
    return r < 0 ? ctl_bus_error(NULL, &error, r) : 0;
}

/* ---- text: virsh's cmdDomjobinfo ---------------------------------------------------------- */

/* virsh's vshPrettyCapacity: the largest binary unit the value reaches. */
static double pretty_capacity(uint64_t value, const char **unit)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double limit = 1024, scaled = (double) value;
    size_t i = 0;

    while (i + 1 < ARRAY_SIZE(units) && (double) value >= limit) {
        scaled = (double) value / limit;
        limit *= 1024;
        i++;
    }
    *unit = units[i];
    return scaled;
}

static void print_capacity(const char *label, uint64_t value)
{
    const char *unit;
    double scaled = pretty_capacity(value, &unit);

    printf("%-17s %-.3lf %s\n", label, scaled, unit);
}

/* The processed/remaining/total triple, printed only when one of them is non-zero. */
static void print_progress(const char *what, uint64_t processed, uint64_t remaining, uint64_t total)
{
    char label[32];

    if (!processed && !remaining && !total)
        return;
    snprintf(label, sizeof(label), "%s processed:", what);
    print_capacity(label, processed);
    snprintf(label, sizeof(label), "%s remaining:", what);
    print_capacity(label, remaining);
    snprintf(label, sizeof(label), "%s total:", what);
    print_capacity(label, total);
}

/* How virsh prints one of the statistics it shows when present. */
enum line_kind { LINE_COUNT, LINE_COUNT13, LINE_INT13, LINE_MS, LINE_BYTES, LINE_BANDWIDTH, LINE_PAGE_RATE, LINE_SIZE };

struct stat_line {
    const char *name, *label;
    enum line_kind kind;
};

static void print_stat_line(const struct job_stats *stats, const struct stat_line *line)
{
    uint64_t value;
    const char *unit;
    double scaled;

    if (!job_param(stats, line->name, &value) || (line->kind == LINE_BANDWIDTH && !value))
        return;
    scaled = pretty_capacity(value, &unit);
    switch (line->kind) {
    case LINE_COUNT: printf("%-17s %-12" PRIu64 "\n", line->label, value); break;
    case LINE_COUNT13: printf("%-17s %-13" PRIu64 "\n", line->label, value); break;
    case LINE_INT13: printf("%-17s %-13d\n", line->label, (int) (int64_t) value); break;
    case LINE_MS: printf("%-17s %-12" PRIu64 " ms\n", line->label, value); break;
    case LINE_BYTES: printf("%-17s %-.3lf %s\n", line->label, scaled, unit); break;
    case LINE_BANDWIDTH: printf("%-17s %-.3lf %s/s\n", line->label, scaled, unit); break;
    case LINE_PAGE_RATE: printf("%-17s %-12" PRIu64 " pages/s\n", line->label, value); break;
    case LINE_SIZE: printf("%-17s %-12" PRIu64 " bytes\n", line->label, value); break;
    }
}

static void print_stat_lines(const struct job_stats *stats, const struct stat_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        print_stat_line(stats, &lines[i]);
}

static const struct stat_line memory_lines[] = {
    { "memory_bps", "Memory bandwidth:", LINE_BANDWIDTH }, { "memory_dirty_rate", "Dirty rate:", LINE_PAGE_RATE },
    { "memory_page_size", "Page size:", LINE_SIZE },       { "memory_iteration", "Iteration:", LINE_COUNT },
    { "memory_postcopy_requests", "Postcopy requests:", LINE_COUNT },
};

static const struct stat_line page_lines[] = {
    { "memory_constant", "Constant pages:", LINE_COUNT },
    { "memory_normal", "Normal pages:", LINE_COUNT },
    { "memory_normal_bytes", "Normal data:", LINE_BYTES },
};

static const struct stat_line tail_lines[] = {
    { "downtime_net", "Downtime w/o network:", LINE_MS },
    { "setup_time", "Setup time:", LINE_MS },
    { "compression_cache", "Compression cache:", LINE_BYTES },
    { "compression_bytes", "Compressed data:", LINE_BYTES },
    { "compression_pages", "Compressed pages:", LINE_COUNT13 },
    { "compression_cache_misses", "Compression cache misses:", LINE_COUNT13 },
    { "compression_overflow", "Compression overflows:", LINE_COUNT13 },
    { "auto_converge_throttle", "Auto converge throttle:", LINE_INT13 },
    { "disk_temp_used", "Temporary disk space use:", LINE_BYTES },
    { "disk_temp_total", "Temporary disk space total:", LINE_BYTES },
};

static const char *job_operation_name(const struct job_stats *stats)
{
    uint64_t op = 0;

    job_param(stats, "operation", &op);
    return op < ARRAY_SIZE(job_operation_names) ? job_operation_names[op] : job_operation_names[0];
}

static void print_job_text(const struct job_stats *stats, unsigned flags)
{
    const struct job_info *info = &stats->info;
    const struct stat_line file_bandwidth = { "disk_bps", "File bandwidth:", LINE_BANDWIDTH };
    struct stat_line downtime = { "downtime", "Expected downtime:", LINE_MS };
    uint64_t value;

    /* virsh pads values to 12 columns, trailing spaces included; scripts compare its output. */
    printf("%-17s %-12s\n", "Job type:", job_type_name(info->type));
    if (info->type == JOB_NONE)
        return;
    printf("%-17s %-12s\n", "Operation:", job_operation_name(stats));
    if (info->type != JOB_BOUNDED && info->type != JOB_UNBOUNDED &&
        (!(flags & JOB_STATS_COMPLETED) || info->type != JOB_COMPLETED))
        return;
    printf("%-17s %-12llu ms\n", "Time elapsed:", (unsigned long long) info->time_elapsed);
    if (job_param(stats, "time_elapsed_net", &value))
        printf("%-17s %-12" PRIu64 " ms\n", "Time elapsed w/o network:", value);
    if (info->type == JOB_BOUNDED)
        printf("%-17s %-12llu ms\n", "Time remaining:", (unsigned long long) info->time_remaining);
    print_progress("Data", info->data_processed, info->data_remaining, info->data_total);
    if (info->mem_processed || info->mem_remaining || info->mem_total) {
        print_progress("Memory", info->mem_processed, info->mem_remaining, info->mem_total);
        print_stat_lines(stats, memory_lines, ARRAY_SIZE(memory_lines));
    }
    if (info->file_processed || info->file_remaining || info->file_total) {
        print_progress("File", info->file_processed, info->file_remaining, info->file_total);
        print_stat_line(stats, &file_bandwidth);
    }
    print_stat_lines(stats, page_lines, ARRAY_SIZE(page_lines));
    if (info->type == JOB_COMPLETED)
        downtime.label = "Total downtime:";
    print_stat_line(stats, &downtime);
    print_stat_lines(stats, tail_lines, ARRAY_SIZE(tail_lines));
    if (stats->errmsg)
        printf("%-17s %s\n", "Error message:", stats->errmsg);
}

/* virsh --rawstats: the type, then every parameter as it came. */
static void print_job_raw(const struct job_stats *stats)
{
    printf("Job type: %d\n\n", (int) stats->info.type);
    for (size_t i = 0; i < stats->n; i++) {
        const struct job_param *p = &stats->params[i];

        if (p->type == 'i' || p->type == 'x')
            printf("%s: %" PRId64 "\n", p->name, (int64_t) p->value);
        else
            printf("%s: %" PRIu64 "\n", p->name, p->value);
    }
    if (stats->errmsg)
        printf("errmsg: %s\n", stats->errmsg);
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* The numbers every job has, then (from GetJobStats) its operation and every statistic by
 * libvirt's field name. */
static int print_job_json(const struct job_stats *stats)
{
    const struct job_info *info = &stats->info;
    const struct {
        const char *key;
        uint64_t value;
    } numbers[] = {
        { "time_elapsed_ms", info->time_elapsed },     { "time_remaining_ms", info->time_remaining },
        { "data_total_bytes", info->data_total },      { "data_processed_bytes", info->data_processed },
        { "data_remaining_bytes", info->data_remaining }, { "memory_total_bytes", info->mem_total },
        { "memory_processed_bytes", info->mem_processed }, { "memory_remaining_bytes", info->mem_remaining },
        { "file_total_bytes", info->file_total },      { "file_processed_bytes", info->file_processed },
        { "file_remaining_bytes", info->file_remaining },
    };
    _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();

    if (!o || ctl_json_add(o, "type", json_object_new_string(job_type_name(info->type))) < 0)
        return ctl_error("%s", strerror(ENOMEM));
    for (size_t i = 0; i < ARRAY_SIZE(numbers); i++)
        if (ctl_json_add(o, numbers[i].key, json_object_new_uint64(numbers[i].value)) < 0)
            return ctl_error("%s", strerror(ENOMEM));
    if (stats->detailed) {
        struct json_object *raw;

        if (ctl_json_add(o, "operation", json_object_new_string(job_operation_name(stats))) < 0 ||
            ctl_json_add(o, "statistics", raw = json_object_new_object()) < 0)
            return ctl_error("%s", strerror(ENOMEM));
        for (size_t i = 0; i < stats->n; i++) {
            const struct job_param *p = &stats->params[i];
            struct json_object *v = p->type == 'i' || p->type == 'x' ? json_object_new_int64((int64_t) p->value)
                                                                     : json_object_new_uint64(p->value);

            if (ctl_json_add(raw, p->name, v) < 0)
                return ctl_error("%s", strerror(ENOMEM));
        }
        if (stats->errmsg && ctl_json_add(raw, "errmsg", json_object_new_string(stats->errmsg)) < 0)
            return ctl_error("%s", strerror(ENOMEM));
    }
    return ctl_json_print(o, false) < 0 ? ctl_error("%s", strerror(ENOMEM)) : 0;
}

/* ---- commands ----------------------------------------------------------------------------- */

int ctl_cmd_domjobinfo(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    _cleanup_free_ char *path = NULL;
    struct job_stats stats = { 0 };
    unsigned flags = (ctl->opt.completed ? JOB_STATS_COMPLETED : 0) |
                     (ctl->opt.keep_completed ? JOB_STATS_KEEP_COMPLETED : 0);
    int r;

    if (ctl->opt.keep_completed && !ctl->opt.completed)
        return ctl_usage_error("Option --completed is required by option --keep-completed");
    r = ctl_lookup_domain(ctl, argv[0], &path);
    if (r != 0)
        return r;
    r = fetch_job(ctl, path, flags, &stats, &reply);
    if (r != 0)
        return r;
    if (ctl->opt.json)
        return print_job_json(&stats);
    if (ctl->opt.rawstats)
        print_job_raw(&stats);
    else
        print_job_text(&stats, flags);
    return 0;
}

/* Prints nothing on success, as virsh. */
int ctl_cmd_domjobabort(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_free_ char *path = NULL;
    int r;

    r = ctl_lookup_domain(ctl, argv[0], &path);
    if (r != 0)
        return r;
    r = ctl_call(ctl, path, CTL_DOMAIN_INTERFACE, "AbortJob", &error, NULL, NULL);
    if (r < 0)
        return ctl_bus_error(NULL, &error, r);
    return 0;
}
