/* cmd.c: the command table lookup and the one privilege/length check. */
#include "cmd.h"
#include "ipmi.h"
#include "session.h"
#include "target.h"

int
cmd_channel_ok(uint8_t ch)
{
	ch &= 0x0f;
	return ch == CMD_CHANNEL_SELF || ch == CMD_CHANNEL_LAN;
}

const struct cmd_entry *
cmd_find(uint8_t netfn, uint8_t cmd)
{
	const struct cmd_entry *tab;
	size_t n;

	switch (netfn) {
	case NETFN_APP:
		if (cmd >= APP_ACTIVATE_PAYLOAD && cmd <= APP_PAYLOAD_VERSION) {
			tab = cmd_payload;
			n = cmd_payload_n;
		} else {
			tab = cmd_app;
			n = cmd_app_n;
		}
		break;
	case NETFN_TRANSPORT:
		tab = cmd_transport;
		n = cmd_transport_n;
		break;
	case NETFN_CHASSIS:
		tab = cmd_chassis;
		n = cmd_chassis_n;
		break;
	case NETFN_SENSOR:
		tab = cmd_sensor;
		n = cmd_sensor_n;
		break;
	case NETFN_STORAGE:
		tab = cmd_storage;
		n = cmd_storage_n;
		break;
	default:
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (tab[i].cmd == cmd)
			return &tab[i];
	return NULL;
}

int
cmd_dispatch(struct cmd_ctx *c, uint8_t netfn, uint8_t cmd,
    const uint8_t *data, size_t len, struct wbuf *rsp)
{
	const struct cmd_entry *e = cmd_find(netfn, cmd);
	struct buf req;

	if (e == NULL)
		return CC_INVALID_CMD;
	if (c->s == NULL && !(e->where & CMD_SESSIONLESS))
		return CC_PRIV;
	if (e->where & CMD_SESSION) {
		if (c->bridged)
			return CC_INVALID_CMD;
	} else if (!(e->where & (c->t == NULL ? CMD_BMC : CMD_TARGET)))
		return CC_INVALID_CMD;
	if (c->s != NULL && c->s->priv < e->priv)
		return CC_PRIV;
	if (len < e->min_len)
		return CC_REQ_LEN;
	if (len > e->max_len)
		return CC_REQ_LEN;
	buf_init(&req, data, len);
	return e->fn(c, &req, rsp);
}
