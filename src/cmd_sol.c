/*
 * cmd_sol.c: the commands around Serial-over-LAN: Activate/Deactivate
 * Payload, Get Payload Activation Status and Instance Info (App netfn), and
 * Get/Set SOL Configuration Parameters (Transport netfn).  They run on a
 * target, directly or bridged; a bridged activation binds the session to
 * the target, since SOL packets carry no address.
 */
#include <netinet/in.h>
#include <string.h>

#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"
#include "sol.h"

#define SOL_INSTANCE	1
#define SOL_PARAM_REV	0x11

static struct sol *
sol_of(struct cmd_ctx *c)
{
	return c->core->sol[c->t->addr];
}

static uint16_t
ep_port(const struct cmd_ctx *c)
{
	const struct sockaddr_storage *ss = &c->core->conf->eps[c->s->ep].addr.ss;

	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* Payload type 1 (SOL), instance 1: the only one there is. */
static int
check_instance(struct buf *req)
{
	uint8_t type = buf_u8(req) & 0x3f, inst = buf_u8(req) & 0x0f;

	if (type != PAYLOAD_SOL || inst != SOL_INSTANCE)
		return CC_INVALID_FIELD;
	return 0;
}

static int
activate(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct target_solcfg *cf = &c->t->st.sol;
	struct sol *l = sol_of(c);
	uint8_t aux;
	int cc;

	if ((cc = check_instance(req)) != 0)
		return cc;
	aux = buf_u8(req);
	if (l == NULL || !(cf->enable & 1))
		return CC_PAYLOAD_DISABLED;
	if (c->s->priv < (cf->auth & 0x0f))
		return CC_PRIV;
	if ((cf->auth & 0x80) && !(aux & 0x80))
		return CC_PAYLOAD_NO_ENCRYPT;
	if (sol_active(l))
		return CC_PAYLOAD_ACTIVE;	/* here or elsewhere */
	if (c->s->sol_target != 0)
		return CC_PAYLOAD_LIMIT;	/* one per session */
	if (sol_activate(l, c->s) != 0)
		return CC_PAYLOAD_ACTIVE;	/* another face holds it */
	c->s->sol_target = c->t->addr;
	wbuf_le32(rsp, 0);			/* auxiliary data */
	wbuf_le16(rsp, SOL_IN_SIZE);		/* inbound payload size */
	wbuf_le16(rsp, SOL_PAYLOAD_SIZE);	/* outbound payload size */
	wbuf_le16(rsp, ep_port(c));		/* the port the client used */
	wbuf_le16(rsp, 0xffff);			/* no VLAN */
	return CC_OK;
}

/*
 * Deactivate: the session that owns the instance, or an administrator
 * (Ironic runs "sol deactivate" before each console start, at its ADMIN
 * default).  Another session's console is told, and that session ends:
 * a console whose SOL was taken has nothing left to do on it.
 */
static int
deactivate(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct sol *l = sol_of(c);
	struct session *owner;
	int cc;

	(void)rsp;
	if ((cc = check_instance(req)) != 0)
		return cc;
	if (l == NULL)
		return CC_PAYLOAD_DISABLED;
	if (!sol_active(l))
		return CC_PAYLOAD_INACTIVE;
	owner = l->s;
	if (owner != c->s && c->s->priv < PRIV_ADMIN)
		return CC_PRIV;
	if (owner == c->s) {
		sol_deactivate(l, 0);
		owner->sol_target = 0;
	} else
		sol_steal(l);
	return CC_OK;
}

static int
payload_status(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct sol *l = sol_of(c);

	if ((buf_u8(req) & 0x3f) != PAYLOAD_SOL)
		return CC_INVALID_FIELD;
	wbuf_u8(rsp, l != NULL ? SOL_INSTANCE : 0);	/* capacity */
	wbuf_u8(rsp, l != NULL && sol_active(l) ? 0x01 : 0x00);
	wbuf_u8(rsp, 0x00);
	return CC_OK;
}

static int
payload_info(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct sol *l = sol_of(c);
	int cc;

	if ((cc = check_instance(req)) != 0)
		return cc;
	wbuf_le32(rsp, l != NULL && sol_active(l) ? l->s->sid : 0);
	wbuf_u8(rsp, 0x01);			/* system serial port 1 */
	wbuf_fill(rsp, 0, 7);
	return CC_OK;
}

/* Get Channel Payload Support: IPMI and SOL, and the session set-up ones. */
static int
payload_support(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	(void)c;
	if (!cmd_channel_ok(buf_u8(req)))
		return CC_INVALID_FIELD;
	wbuf_u8(rsp, 0x03);			/* types 0 (IPMI), 1 (SOL) */
	wbuf_u8(rsp, 0x00);
	wbuf_u8(rsp, 0x3f);			/* 10h-15h: RMCP+ set-up */
	wbuf_fill(rsp, 0, 5);
	return CC_OK;
}

/* Get Channel Payload Version; FreeIPMI's ipmiconsole uses it as keepalive. */
static int
payload_version(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint8_t ch = buf_u8(req), type = buf_u8(req) & 0x3f;

	(void)c;
	if (!cmd_channel_ok(ch))
		return CC_INVALID_FIELD;
	if (type != PAYLOAD_IPMI && type != PAYLOAD_SOL)
		return CC_PAYLOAD_INACTIVE;	/* 80h: not available */
	wbuf_u8(rsp, 0x10);			/* version 1.0 */
	return CC_OK;
}

static int
get_sol(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct target_solcfg *cf = &c->t->st.sol;
	uint8_t ch = buf_u8(req), p = buf_u8(req);

	if (!cmd_channel_ok(ch))
		return CC_INVALID_FIELD;
	wbuf_u8(rsp, SOL_PARAM_REV);
	if (ch & 0x80)
		return p <= 8 ? CC_OK : CC_PARAM_UNSUPPORTED;
	switch (p) {
	case 0:
		wbuf_u8(rsp, 0x00);		/* set complete */
		break;
	case 1:
		wbuf_u8(rsp, cf->enable & 1);
		break;
	case 2:
		wbuf_u8(rsp, cf->auth);
		break;
	case 3:
		wbuf_u8(rsp, cf->accum);
		wbuf_u8(rsp, cf->threshold);
		break;
	case 4:
		wbuf_u8(rsp, cf->retry_count & 7);
		wbuf_u8(rsp, cf->retry_interval);
		break;
	case 5:
		wbuf_u8(rsp, cf->nv_rate);
		break;
	case 6:
		wbuf_u8(rsp, cf->v_rate);
		break;
	case 7:
		wbuf_u8(rsp, CMD_CHANNEL_LAN);
		break;
	case 8:
		wbuf_le16(rsp, c->s != NULL ? ep_port(c) : 623);
		break;
	default:
		return CC_PARAM_UNSUPPORTED;
	}
	return CC_OK;
}

static unsigned
rate_bps(uint8_t code)
{
	static const unsigned bps[] = { 9600, 19200, 38400, 57600, 115200 };

	return code >= 6 && code <= 10 ? bps[code - 6] : 0;
}

static int
set_sol(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct target_solcfg n = c->t->st.sol;
	uint8_t ch = buf_u8(req), p = buf_u8(req);
	size_t len = buf_left(req);
	const uint8_t *d = buf_take(req, len);

	(void)rsp;
	if (!cmd_channel_ok(ch))
		return CC_INVALID_FIELD;
	if (p == 7 || p == 8)
		return CC_PARAM_READ_ONLY;
	if (p > 8)
		return CC_PARAM_UNSUPPORTED;
	if (len != (p == 3 || p == 4 ? 2u : 1u))
		return CC_REQ_LEN;
	switch (p) {
	case 0:
		if ((d[0] & 3) == 3)
			return CC_INVALID_FIELD;
		return CC_OK;			/* no staging: set at once */
	case 1:
		n.enable = d[0] & 1;
		break;
	case 2:
		if ((d[0] & 0x0f) < PRIV_USER || (d[0] & 0x0f) > PRIV_ADMIN ||
		    (d[0] & 0x30) != 0)
			return CC_INVALID_FIELD;
		n.auth = d[0];
		break;
	case 3:
		if (d[0] == 0 || d[1] == 0)
			return CC_INVALID_FIELD;
		n.accum = d[0];
		n.threshold = d[1];
		break;
	case 4:
		n.retry_count = d[0] & 7;
		n.retry_interval = d[1];
		break;
	case 5:
	case 6:
		if ((d[0] & 0x0f) != 0 && rate_bps(d[0] & 0x0f) == 0)
			return CC_INVALID_FIELD;
		if (p == 5)
			n.nv_rate = d[0] & 0x0f;
		else
			n.v_rate = d[0] & 0x0f;
		break;
	}
	if (p == 6 && rate_bps(n.v_rate) != 0 &&
	    machine_console_baud(c->t, rate_bps(n.v_rate)) != 0)
		return CC_UNSPECIFIED;
	if (memcmp(&n, &c->t->st.sol, sizeof(n)) != 0) {
		c->t->st.sol = n;
		machine_save(c->t);
	}
	return CC_OK;
}

#define T	CMD_TARGET

const struct cmd_entry cmd_payload[] = {
	/* cmd			priv		where	min max handler */
	{ NETFN_APP, APP_ACTIVATE_PAYLOAD, PRIV_USER,	T,	6, 6, activate },
	{ NETFN_APP, APP_DEACTIVATE_PAYLOAD, PRIV_USER,	T,	6, 6, deactivate },
	{ NETFN_APP, APP_PAYLOAD_STATUS, PRIV_USER,	T,	1, 1, payload_status },
	{ NETFN_APP, APP_PAYLOAD_INFO,	PRIV_USER,	T,	2, 2, payload_info },
	{ NETFN_APP, APP_PAYLOAD_SUPPORT, PRIV_USER, CMD_BMC | T, 1, 1, payload_support },
	{ NETFN_APP, APP_PAYLOAD_VERSION, PRIV_USER, CMD_BMC | T, 2, 2, payload_version },
};
const size_t cmd_payload_n = sizeof(cmd_payload) / sizeof(cmd_payload[0]);

const struct cmd_entry cmd_transport[] = {
	{ NETFN_TRANSPORT, TRANSPORT_SET_SOL, PRIV_ADMIN, T,	3, 4, set_sol },
	{ NETFN_TRANSPORT, TRANSPORT_GET_SOL, PRIV_USER, T,	4, 4, get_sol },
};
const size_t cmd_transport_n = sizeof(cmd_transport) / sizeof(cmd_transport[0]);
