/*
 * cmd.h: IPMI command dispatch.  One table row per command, with the
 * privilege it needs and where it may run as columns; the privilege and
 * length checks happen once in cmd_dispatch(), never in a handler.
 */
#ifndef PMBD_CMD_H
#define PMBD_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#include "machine.h"

struct core;
struct session;
struct target;
struct msg_req;

/* Where a command may run. */
#define CMD_BMC		0x01	/* pmbd itself (no target) */
#define CMD_TARGET	0x02	/* a target, direct or bridged */
#define CMD_SESSION	0x04	/* session/channel: any endpoint, never bridged */
#define CMD_SESSIONLESS	0x08	/* also outside a session */

struct cmd_ctx {
	struct core	*core;
	struct session	*s;		/* NULL: session-less */
	struct target	*t;		/* NULL: pmbd itself */
	uint64_t	 now;
	uint32_t	 token;		/* the cookie for MACHINE_PENDING */
	int		 bridged;
	const struct msg_req *req;	/* the request being run */
	/* Who asks (cmd_who), made when first needed. */
	struct machine_who who;
	char		 who_user[4 * 16 + 1];
	char		 who_peer[64];
};

typedef int cmd_fn(struct cmd_ctx *, struct buf *req, struct wbuf *rsp);

struct cmd_entry {
	uint8_t		 netfn;
	uint8_t		 cmd;
	uint8_t		 priv;
	uint8_t		 where;
	uint8_t		 min_len;
	uint8_t		 max_len;
	cmd_fn		*fn;
};

extern const struct cmd_entry cmd_app[];
extern const size_t cmd_app_n;
extern const struct cmd_entry cmd_chassis[];
extern const size_t cmd_chassis_n;
extern const struct cmd_entry cmd_sensor[];
extern const size_t cmd_sensor_n;
extern const struct cmd_entry cmd_storage[];
extern const size_t cmd_storage_n;
extern const struct cmd_entry cmd_transport[];
extern const size_t cmd_transport_n;
extern const struct cmd_entry cmd_payload[];	/* App netfn, SOL part */
extern const size_t cmd_payload_n;

/* pmbd's one LAN channel; 0Eh in a request means "this channel". */
#define CMD_CHANNEL_LAN		0x01
#define CMD_CHANNEL_SELF	0x0e
int	 cmd_channel_ok(uint8_t);

const struct cmd_entry *cmd_find(uint8_t netfn, uint8_t cmd);
/* Who asks, for the model's audit trail: the session's user and peer. */
const struct machine_who *cmd_who(struct cmd_ctx *);
/*
 * Run one command: the completion code (response data in rsp), or
 * MACHINE_PENDING when the machine answers later (bridge_done).
 */
int	 cmd_dispatch(struct cmd_ctx *, uint8_t netfn, uint8_t cmd,
	    const uint8_t *, size_t, struct wbuf *rsp);

#endif
