/* cmd_app.c: App netfn (06h): identity, channel, session and Send Message. */
#include <netinet/in.h>
#include <string.h>

#include "bridge.h"
#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"
#include "msg.h"
#include "users.h"
#include "version.h"

static int
get_device_id(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct conf *cf = c->core->conf;

	(void)req;
	wbuf_u8(rsp, c->t != NULL ? c->t->addr : IPMI_BMC_ADDR); /* dev ID */
	wbuf_u8(rsp, 0x01);		/* device revision, no SDRs */
	wbuf_u8(rsp, PMBD_FW_MAJOR & 0x7f);	/* device available */
	wbuf_u8(rsp, PMBD_FW_MINOR);	/* BCD */
	wbuf_u8(rsp, 0x02);		/* IPMI 2.0 */
	/*
	 * pmbd: chassis device + IPMB bridge.  A target: chassis device, and
	 * SDR repository + sensor device when its driver has sensors.
	 */
	if (c->t == NULL)
		wbuf_u8(rsp, 0xc0);
	else
		wbuf_u8(rsp, machine_has_sensors(c->t) ? 0x83 : 0x80);
	wbuf_u8(rsp, cf->manufacturer_id & 0xff);
	wbuf_u8(rsp, (cf->manufacturer_id >> 8) & 0xff);
	wbuf_u8(rsp, (cf->manufacturer_id >> 16) & 0x0f);
	wbuf_le16(rsp, cf->product_id);
	wbuf_fill(rsp, 0, 4);		/* auxiliary firmware revision */
	return CC_OK;
}

static int
cold_warm_reset(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	(void)req;
	(void)rsp;
	if (c->t == NULL)
		return CC_NOT_SUPPORTED_STATE;	/* never resets pmbd */
	return machine_reset_link(c->t, c->now,
	    c->req->cmd == APP_COLD_RESET, cmd_who(c), bridge_done, c->core,
	    c->token);
}

static int
get_self_test(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	(void)c;
	(void)req;
	wbuf_u8(rsp, 0x55);		/* no error */
	wbuf_u8(rsp, 0x00);
	return CC_OK;
}

static int
get_acpi_power(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct machine_state ms;
	int on;

	(void)req;
	machine_state(c->t, c->now, &ms);
	if (!ms.has_power)
		return CC_INVALID_CMD;
	on = ms.power == MACHINE_POWER_ON;
	wbuf_u8(rsp, on ? 0x00 : 0x05);		/* S0/G0 : S5/G2 */
	wbuf_u8(rsp, on ? 0x00 : 0x03);		/* D0 : D3 */
	return CC_OK;
}

static int
get_guid(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	(void)req;
	wbuf_put(rsp, c->t != NULL ? c->t->st.guid : c->core->guid, 16);
	return CC_OK;
}

static int
get_chan_auth_cap(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint8_t ch = buf_u8(req), priv = buf_u8(req) & 0x0f;

	if (!cmd_channel_ok(ch) || (ch & 0x70) != 0 || priv < PRIV_CALLBACK ||
	    priv > PRIV_OEM)
		return CC_INVALID_FIELD;
	wbuf_u8(rsp, CMD_CHANNEL_LAN);
	wbuf_u8(rsp, 0x80);	/* IPMI 2.0 extended data; no 1.5 auth types */
	/* Non-null user names only; Kg status. */
	wbuf_u8(rsp, (uint8_t)(0x04 | (c->core->conf->has_kg ? 0x20 : 0)));
	wbuf_u8(rsp, 0x02);	/* IPMI 2.0 connections only */
	wbuf_fill(rsp, 0, 4);	/* OEM ID, OEM aux */
	return CC_OK;
}

static int
get_chan_ciphers(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct conf *cf = c->core->conf;
	uint8_t ch = buf_u8(req), pt = buf_u8(req), ix = buf_u8(req);
	uint8_t recs[5 * CONF_MAX_SUITES];
	size_t n = 0, off, len;

	if (!cmd_channel_ok(ch) || (pt & 0x3f) > PAYLOAD_SOL)
		return CC_INVALID_FIELD;
	for (size_t i = 0; i < cf->nsuites; i++) {
		int sha256 = cf->suites[i] == 17;

		if (ix & 0x80)
			recs[n++] = 0xc0;
		if (ix & 0x80)
			recs[n++] = cf->suites[i];
		recs[n++] = sha256 ? AUTH_RAKP_HMAC_SHA256 :
		    AUTH_RAKP_HMAC_SHA1;
		recs[n++] = 0x40 | (sha256 ? INTEG_HMAC_SHA256_128 :
		    INTEG_HMAC_SHA1_96);
		recs[n++] = 0x80 | CONF_AES_CBC_128;
	}
	off = (size_t)(ix & 0x3f) * 16;
	len = off < n ? n - off : 0;
	wbuf_u8(rsp, CMD_CHANNEL_LAN);
	wbuf_put(rsp, recs + (off < n ? off : 0), len > 16 ? 16 : len);
	return CC_OK;
}

static int
set_session_priv(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint8_t v = buf_u8(req), lvl = v & 0x0f;

	if ((v & 0xf0) != 0 || lvl == PRIV_CALLBACK || lvl > PRIV_OEM)
		return CC_INVALID_FIELD;
	if (lvl != 0) {
		if (lvl > c->s->max_priv)
			return CC_PRIV_EXCEEDS;
		c->s->priv = lvl;
	}
	wbuf_u8(rsp, c->s->priv);
	return CC_OK;
}

static int
close_session(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint32_t sid = buf_le32(req);
	struct session *o;

	(void)rsp;
	if (sid == c->s->sid) {
		c->s->closing = 1;	/* after this reply */
		return CC_OK;
	}
	if (c->s->priv < PRIV_ADMIN)
		return CC_PRIV;
	o = session_find(&c->core->st, sid);
	if (o == NULL || o->state != SESSION_ACTIVE)
		return CC_INVALID_SESSION;
	session_close(&c->core->st, o);
	return CC_OK;
}

static unsigned
user_id(const struct conf *cf, const struct session *s)
{
	const struct conf_user *u = users_find(cf, s->user, s->user_len);

	return u != NULL ? (unsigned)(u - cf->users) + 1 : 0;
}

static int
get_session_info(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct session_table *st = &c->core->st;
	const struct session *s = NULL;
	uint8_t ix = buf_u8(req);
	unsigned nth = 0;

	if (ix == 0)
		s = c->s;
	else if (ix == 0xff) {
		s = session_find(st, buf_le32(req));
	} else if (ix == 0xfe) {
		s = session_slot(st, (size_t)buf_u8(req) - 1);
	} else
		for (size_t i = 0; i < st->n && s == NULL; i++)
			if (st->s[i].state == SESSION_ACTIVE && ++nth == ix)
				s = &st->s[i];
	if (req->err)
		return CC_REQ_LEN;
	if (s != NULL && s->state != SESSION_ACTIVE)
		s = NULL;
	wbuf_u8(rsp, s != NULL && s->slot < 255 ? (uint8_t)(s->slot + 1) : 0);
	wbuf_u8(rsp, (uint8_t)(st->max_active > 63 ? 63 : st->max_active));
	wbuf_u8(rsp, (uint8_t)(st->nactive > 63 ? 63 : st->nactive));
	if (s == NULL)
		return CC_OK;
	wbuf_u8(rsp, (uint8_t)user_id(c->core->conf, s));
	wbuf_u8(rsp, s->priv);
	wbuf_u8(rsp, 0x10 | CMD_CHANNEL_LAN);	/* IPMI 2.0 on channel 1 */
	if (s->peer.ss.ss_family == AF_INET) {
		const struct sockaddr_in *in =
		    (const struct sockaddr_in *)&s->peer.ss;

		wbuf_put(rsp, &in->sin_addr, 4);
		wbuf_fill(rsp, 0, 6);		/* MAC: not known */
		wbuf_le16(rsp, ntohs(in->sin_port));
	}
	return CC_OK;
}

static int
get_chan_access(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint8_t ch = buf_u8(req), type = buf_u8(req) >> 6;

	(void)c;
	if (!cmd_channel_ok(ch) || type == 0 || type == 3)
		return CC_INVALID_FIELD;
	wbuf_u8(rsp, 0x22);	/* alerting disabled, always available */
	wbuf_u8(rsp, PRIV_ADMIN);
	return CC_OK;
}

static int
get_chan_info(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	unsigned n = c->core->st.nactive;

	if (!cmd_channel_ok(buf_u8(req)))
		return CC_INVALID_FIELD;
	wbuf_u8(rsp, CMD_CHANNEL_LAN);
	wbuf_u8(rsp, 0x04);	/* 802.3 LAN */
	wbuf_u8(rsp, 0x01);	/* IPMB-1.0 */
	wbuf_u8(rsp, (uint8_t)(0x80 | (n > 63 ? 63 : n)));	/* multi */
	wbuf_u8(rsp, 0xf2);	/* IPMI Forum, 7154 */
	wbuf_u8(rsp, 0x1b);
	wbuf_u8(rsp, 0x00);
	wbuf_le16(rsp, 0);
	return CC_OK;
}

#define ANY	(CMD_BMC | CMD_TARGET)
#define SESS	CMD_SESSION
#define PRE	(CMD_SESSION | CMD_SESSIONLESS)

const struct cmd_entry cmd_app[] = {
	/* cmd			priv		where	min max handler */
	{ NETFN_APP, APP_GET_DEVICE_ID,	PRIV_USER,	ANY,	0, 0, get_device_id },
	{ NETFN_APP, APP_COLD_RESET,	PRIV_ADMIN,	ANY,	0, 0, cold_warm_reset },
	{ NETFN_APP, APP_WARM_RESET,	PRIV_ADMIN,	ANY,	0, 0, cold_warm_reset },
	{ NETFN_APP, APP_GET_SELF_TEST,	PRIV_USER,	ANY,	0, 0, get_self_test },
	{ NETFN_APP, APP_GET_ACPI_POWER, PRIV_USER,	CMD_TARGET, 0, 0, get_acpi_power },
	{ NETFN_APP, APP_GET_DEVICE_GUID, PRIV_USER,	ANY,	0, 0, get_guid },
	{ NETFN_APP, APP_SEND_MESSAGE,	PRIV_USER,	SESS,	1, 255, bridge_send_message },
	{ NETFN_APP, APP_GET_SYSTEM_GUID, PRIV_USER,	ANY,	0, 0, get_guid },
	{ NETFN_APP, APP_GET_CHAN_AUTH_CAP, PRIV_CALLBACK, PRE,	2, 2, get_chan_auth_cap },
	{ NETFN_APP, APP_SET_SESSION_PRIV, PRIV_CALLBACK, SESS,	1, 1, set_session_priv },
	{ NETFN_APP, APP_CLOSE_SESSION,	PRIV_CALLBACK,	SESS,	4, 5, close_session },
	{ NETFN_APP, APP_GET_SESSION_INFO, PRIV_USER,	SESS,	1, 5, get_session_info },
	{ NETFN_APP, APP_GET_CHAN_ACCESS, PRIV_USER,	SESS,	2, 2, get_chan_access },
	{ NETFN_APP, APP_GET_CHAN_INFO,	PRIV_USER,	SESS,	1, 1, get_chan_info },
	{ NETFN_APP, APP_GET_CHAN_CIPHERS, PRIV_CALLBACK, PRE,	3, 3, get_chan_ciphers },
};
const size_t cmd_app_n = sizeof(cmd_app) / sizeof(cmd_app[0]);
