/* virtbusctl: the amqp-passwd command, which edits the AMQP front end's users file. */
#pragma once

#include "tools/ctl_common.h"

/* amqp-passwd NAME UNIXUSER (--users-file FILE required): sets NAME's password, read from
 * standard input, or with --no-password makes NAME an EXTERNAL-only principal. Needs no bus. */
int ctl_cmd_amqp_passwd(struct ctl *ctl, int argc, char **argv);
