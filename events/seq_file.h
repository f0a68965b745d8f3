/* Event sequence numbers that are never reused, also across restarts: a mark kept in the state
 * directory says how far numbers have been given out (reserved in blocks, so the file is
 * written once per block, not once per event). */
#pragma once

#include "events/event.h"
#include "util/error.h"

struct vb_event_seq_file;

/* Reads <state_dir>/event-seq (a missing file: numbering starts at 1), makes the stream's numbers
 * continue after it, and reserves the first block. */
int vb_event_seq_file_open(struct vb_event_stream *stream, const char *state_dir, struct vb_event_seq_file **out,
                           struct vb_error *err);
void vb_event_seq_file_free(struct vb_event_seq_file *file);
