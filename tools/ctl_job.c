/* virtbusctl: the job commands domjobinfo and domjobabort (GetJobInfo, AbortJob). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/ctl_domain.h"
#include "tools/ctl_output.h"

/* libvirt's virDomainJobType. */
enum {
    JOB_NONE = 0,
    JOB_BOUNDED = 1,
    JOB_UNBOUNDED = 2,
};

/* virDomainJobInfo, in the order GetJobInfo's (ittttttttttt) carries it. */
struct job_info {
    int32_t type;
    uint64_t time_elapsed, time_remaining;
    uint64_t data_total, data_processed, data_remaining;
    uint64_t mem_total, mem_processed, mem_remaining;
    uint64_t file_total, file_processed, file_remaining;
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

/* ---- text: virsh's cmdDomjobinfo when the daemon has no job statistics -------------------- */

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

static void print_job_text(const struct job_info *info)
{
    /* virsh pads values to 12 columns, trailing spaces included; scripts compare its output. */
    printf("%-17s %-12s\n", "Job type:", job_type_name(info->type));
    if (info->type == JOB_NONE)
        return;
    /* GetJobInfo does not say which operation runs: virsh's "Unknown" without job statistics. */
    printf("%-17s %-12s\n", "Operation:", "Unknown");
    if (info->type != JOB_BOUNDED && info->type != JOB_UNBOUNDED)
        return;
    printf("%-17s %-12llu ms\n", "Time elapsed:", (unsigned long long) info->time_elapsed);
    if (info->type == JOB_BOUNDED)
        printf("%-17s %-12llu ms\n", "Time remaining:", (unsigned long long) info->time_remaining);
    print_progress("Data", info->data_processed, info->data_remaining, info->data_total);
    print_progress("Memory", info->mem_processed, info->mem_remaining, info->mem_total);
    print_progress("File", info->file_processed, info->file_remaining, info->file_total);
}

/* ---- JSON --------------------------------------------------------------------------------- */

static int print_job_json(const struct job_info *info)
{
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
    return ctl_json_print(o, false) < 0 ? ctl_error("%s", strerror(ENOMEM)) : 0;
}

/* ---- commands ----------------------------------------------------------------------------- */

int ctl_cmd_domjobinfo(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_free_ char *path = NULL;
    struct job_info info = { 0 };
    int r;

    r = ctl_lookup_domain(ctl, argv[0], &path);
    if (r != 0)
        return r;
    r = fetch_job_info(ctl, path, &info, &error);
    if (r < 0)
        return ctl_bus_error(NULL, &error, r);
    if (ctl->opt.json)
        return print_job_json(&info);
    print_job_text(&info);
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
