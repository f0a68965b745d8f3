/* The operation table's names and job kinds. */
#include "api/operation.h"
#include "util/macros.h"

struct operation_info {
    const char *name;
    const char *api;
    enum vb_job_kind job;
};

#define VB_OPERATION_INFO(id, api, job) [VB_OP_##id] = { #id, api, VB_JOB_##job },
static const struct operation_info operations[VB_OP_COUNT] = { VB_OPERATIONS(VB_OPERATION_INFO) };
#undef VB_OPERATION_INFO

const char *vb_operation_api(enum vb_operation op)
{
    return (unsigned int) op < VB_OP_COUNT ? operations[op].api : "(unknown)";
}

const char *vb_operation_name(enum vb_operation op)
{
    return (unsigned int) op < VB_OP_COUNT ? operations[op].name : "UNKNOWN";
}

enum vb_job_kind vb_operation_job(enum vb_operation op)
{
    return (unsigned int) op < VB_OP_COUNT ? operations[op].job : VB_JOB_NONE;
}
