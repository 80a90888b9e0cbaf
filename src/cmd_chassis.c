/*
 * cmd_chassis.c: Chassis netfn (00h): status, control, identify, boot.
 * IPMI's bytes onto the model's verbs and state (machine.h) and back.
 */
#include <string.h>

#include "bridge.h"
#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"

static int
get_caps(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	(void)req;
	wbuf_u8(rsp, 0x04);		/* diagnostic interrupt */
	wbuf_u8(rsp, c->t->addr);	/* FRU, SDR, SEL, system management */
	wbuf_u8(rsp, c->t->addr);
	wbuf_u8(rsp, c->t->addr);
	wbuf_u8(rsp, c->t->addr);
	return CC_OK;
}

static int
get_status(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct machine_state ms;

	(void)req;
	machine_state(c->t, c->now, &ms);
	if (!ms.has_power)
		return CC_INVALID_CMD;
	if (ms.power == MACHINE_POWER_UNKNOWN)
		return CC_NOT_SUPPORTED_STATE;	/* unknown, not "off" */
	/* Power restore policy "unknown": pmbd does not restore power. */
	wbuf_u8(rsp, (uint8_t)(0x60 | (ms.power == MACHINE_POWER_ON ? 0x01 :
	    0) | (ms.fault ? 0x08 : 0)));
	wbuf_u8(rsp, ms.on_by_command ? 0x10 : 0x00);	/* last power event */
	wbuf_u8(rsp, (uint8_t)(0x40 | (ms.identify & 3) << 4));
	wbuf_u8(rsp, 0x00);		/* no front panel lockout */
	return CC_OK;
}

static int
control(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint8_t a = buf_u8(req);

	(void)rsp;
	if (a > TARGET_POWER_SOFT)
		return CC_INVALID_FIELD;
	return machine_power(c->t, c->now, (enum target_power)a, cmd_who(c),
	    bridge_done, c->core, c->token);
}

static int
identify(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	unsigned secs = 15;
	int force = 0;

	(void)rsp;
	if (buf_left(req) >= 1)
		secs = buf_u8(req);
	if (buf_left(req) >= 1)
		force = buf_u8(req) & 1;
	return machine_identify(c->t, c->now, secs, force, cmd_who(c),
	    bridge_done, c->core, c->token);
}

static int
restart_cause(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct machine_state ms;

	(void)req;
	machine_state(c->t, c->now, &ms);
	if (!ms.has_power)
		return CC_INVALID_CMD;
	wbuf_u8(rsp, (uint8_t)(ms.restart_cause & 0x0f));
	wbuf_u8(rsp, 0x01);		/* channel */
	return CC_OK;
}

/* System Boot Options parameters: the lengths we keep. */
static const uint8_t boot_len[] = { 1, 1, 1, 1, 2, 5, 9 };

static uint8_t *
boot_param(struct target_boot *b, uint8_t p)
{
	switch (p) {
	case 0: return &b->in_progress;
	case 1: return &b->svc_partition;
	case 2: return &b->svc_scan;
	case 3: return &b->clear_mask;
	case 4: return b->ack;
	case 5: return b->flags;
	case 6: return b->initiator;
	default: return NULL;
	}
}

static int
set_boot(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct target_boot *b = machine_boot_raw(c->t), nb = *b;
	uint8_t sel = buf_u8(req), p = sel & 0x7f;
	size_t n = buf_left(req);
	const uint8_t *d = buf_take(req, n);
	uint8_t *dst;

	(void)rsp;
	if ((dst = boot_param(&nb, p)) == NULL)
		return CC_PARAM_UNSUPPORTED;
	if (n != boot_len[p])
		return CC_REQ_LEN;
	switch (p) {
	case 0:
		if ((d[0] & 3) == 3)
			return CC_INVALID_FIELD;
		/* "commit write" completes the set at once */
		nb.in_progress = (d[0] & 3) == 1 ? 1 : 0;
		break;
	case 4:			/* write mask, then acknowledge bits */
		nb.ack[1] = (uint8_t)((nb.ack[1] & ~d[0]) | (d[0] & d[1]));
		break;
	default:
		memcpy(dst, d, n);
	}
	if (sel & 0x80)
		nb.invalid |= (uint8_t)(1u << p);
	else
		nb.invalid &= (uint8_t)~(1u << p);
	if (memcmp(&nb, b, sizeof(nb)) != 0) {
		*b = nb;
		machine_boot_commit(c->t, cmd_who(c));
	}
	return CC_OK;
}

static int
get_boot(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct target_boot *b = machine_boot_raw(c->t);
	uint8_t p = buf_u8(req) & 0x7f;
	const uint8_t *src;

	if ((src = boot_param(b, p)) == NULL)
		return CC_PARAM_UNSUPPORTED;
	wbuf_u8(rsp, 0x01);		/* parameter version */
	wbuf_u8(rsp, (uint8_t)(p | ((b->invalid >> p) & 1) << 7));
	if (p == 4)
		wbuf_u8(rsp, 0x00), wbuf_u8(rsp, b->ack[1]);
	else
		wbuf_put(rsp, src, boot_len[p]);
	return CC_OK;
}

#define T	CMD_TARGET

const struct cmd_entry cmd_chassis[] = {
	/* cmd			priv		where	min max handler */
	{ NETFN_CHASSIS, CHASSIS_GET_CAPS, PRIV_USER,	T,	0, 0, get_caps },
	{ NETFN_CHASSIS, CHASSIS_GET_STATUS, PRIV_USER,	T,	0, 0, get_status },
	{ NETFN_CHASSIS, CHASSIS_CONTROL, PRIV_OPERATOR, T,	1, 1, control },
	{ NETFN_CHASSIS, CHASSIS_IDENTIFY, PRIV_OPERATOR, T,	0, 2, identify },
	{ NETFN_CHASSIS, CHASSIS_RESTART_CAUSE, PRIV_USER, T,	0, 0, restart_cause },
	{ NETFN_CHASSIS, CHASSIS_SET_BOOT, PRIV_OPERATOR, T,	1, 17, set_boot },
	{ NETFN_CHASSIS, CHASSIS_GET_BOOT, PRIV_OPERATOR, T,	3, 3, get_boot },
};
const size_t cmd_chassis_n = sizeof(cmd_chassis) / sizeof(cmd_chassis[0]);
