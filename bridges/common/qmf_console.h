/* QMFv2 console messages for bridges: query and method requests, and readers for the agent's
 * answers (docs/qmf2-amqp.md). Pure encoding and decoding on proton messages, no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proton/codec.h>
#include <proton/message.h>

/* The request header every QMF request carries. subject: the agent's name or NULL. */
int qmf_console_request(pn_message_t *msg, const char *opcode, const char *subject, const char *reply_to,
                        const char *correlation_id);

/* _query_request for objects of class_name, all of them or (object_name set) one. */
int qmf_console_query_objects(pn_message_t *msg, const char *class_name, const char *object_name);

/* _query_request for objects of class_name whose string property is in [low, high). */
int qmf_console_query_range(pn_message_t *msg, const char *class_name, const char *property, const char *low,
                            const char *high);

/* _method_request on object_name with no arguments. */
int qmf_console_method(pn_message_t *msg, const char *object_name, const char *method);

/* The reply's qmf.opcode ("" when missing) and whether more messages of it follow. */
void qmf_console_reply_opcode(pn_message_t *msg, char *out, size_t size);
bool qmf_console_reply_partial(pn_message_t *msg);

/* The name of the agent that sent the reply (qmf.agent), "" when missing. */
void qmf_console_reply_agent(pn_message_t *msg, char *out, size_t size);

/* The _name and _epoch of an _agent_locate_response or heartbeat, and (when uri is not NULL) the
 * connection it serves ("" when not said). Returns 0 or -EBADMSG. */
int qmf_console_agent_values(pn_message_t *msg, char *name, size_t size, uint64_t *epoch, char *uri,
                             size_t uri_size);

/* An _exception's error_code (0 if absent) and error_text (cut to fit; "unknown error" if absent). */
void qmf_console_exception(pn_message_t *msg, int64_t *code, char *text, size_t size);

/* Calls each_value for every key of the map data is inside (pn_data_enter'ed); data is on the
 * value during the call and each_value must leave it there. */
typedef void (*qmf_map_visitor)(const char *key, size_t key_len, pn_data_t *data, void *userdata);
void qmf_map_each(pn_data_t *data, qmf_map_visitor each_value, void *userdata);

/* For each object map of a _query_response body (a list of maps, or one map), calls visit with
 * data inside that object's _values map (read it with qmf_map_each). Returns the number of
 * objects, or -EBADMSG. */
typedef void (*qmf_object_visitor)(pn_data_t *values, void *userdata);
int qmf_console_each_object(pn_message_t *msg, qmf_object_visitor visit, void *userdata);

/* Typed readers of the value data is on: 0 or -EINVAL for the wrong type. */
int qmf_value_string(pn_data_t *data, char *out, size_t size);
int qmf_value_int(pn_data_t *data, int64_t *out);
int qmf_value_uint(pn_data_t *data, uint64_t *out);
int qmf_value_bool(pn_data_t *data, bool *out);
