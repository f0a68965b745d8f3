/* How the core runs an operation on a domain: take a reference on the domain, take its job as
 * the operation table says (waiting in line, bounded by the job wait timeout, when another call
 * holds it), then invoke the driver. Private to api/. */
#pragma once

#include "api/connect.h"
#include "api/operation.h"

/* Runs op on the domain uuid names. args (args_size bytes, at most VB_CALL_ARGS_MAX) are copied
 * if the call has to wait, and handed to invoke once it runs. Returns 0, -1 (call->err set) or
 * VB_PENDING. */
int vb_dispatch_domain(struct vb_connect *conn, struct vb_call *call, enum vb_operation op, vb_uuid_t uuid,
                       vb_call_invoke_fn invoke, const void *args, size_t args_size);

/* libvirt's "not supported" for a missing driver slot, naming op's API. Returns -1. */
int vb_dispatch_unsupported(struct vb_call *call, enum vb_operation op);

/* Defines invoke_NAME for a domain operation whose arguments travel in `struct NAME_args`:
 * slot_call calls the driver slot, reading the arguments through `a`, with `conn`, `call` and
 * `obj` (the domain object) in scope. */
#define VB_INVOKE(name, slot_call)                                                                 \
    static int invoke_##name(struct vb_connect *conn, struct vb_call *call, struct vb_domain_obj *obj, \
                             const void *args_)                                                      \
    {                                                                                                \
        const struct name##_args *a = args_;                                                         \
        return (slot_call);                                                                          \
    }

/* The same for a slot that takes nothing but the domain. */
#define VB_INVOKE_NO_ARGS(name, slot_call)                                                         \
    static int invoke_##name(struct vb_connect *conn, struct vb_call *call, struct vb_domain_obj *obj, \
                             const void *args_)                                                      \
    {                                                                                                \
        (void) args_;                                                                                \
        return (slot_call);                                                                          \
    }

/* Runs the domain operation NAME (its args block filled from the remaining arguments, in field
 * order), or answers "not supported" when has_slot is false. For use as a function's body. */
#define VB_DISPATCH(conn, call, op, uuid, name, has_slot, ...)                                     \
    do {                                                                                            \
        struct name##_args args_ = { __VA_ARGS__ };                                                 \
        if (!(has_slot))                                                                            \
            return vb_dispatch_unsupported((call), (op));                                           \
        return vb_dispatch_domain((conn), (call), (op), (uuid), invoke_##name, &args_, sizeof(args_)); \
    } while (0)

#define VB_DISPATCH_NO_ARGS(conn, call, op, uuid, name, has_slot)                                 \
    do {                                                                                            \
        if (!(has_slot))                                                                            \
            return vb_dispatch_unsupported((call), (op));                                           \
        return vb_dispatch_domain((conn), (call), (op), (uuid), invoke_##name, NULL, 0);            \
    } while (0)

/* Calls a connection-level operation slot (no domain, no job), or answers "not supported". */
#define VB_CALL_SLOT(conn, call, op, slot, ...)                                                    \
    ((slot) ? (vb_call_enter((call), (conn), vb_operation_api(op)),                                 \
               vb_call_leave((call), (slot)((conn)->priv, (call), __VA_ARGS__)))                     \
            : vb_dispatch_unsupported((call), (op)))
