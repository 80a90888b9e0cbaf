/* cmd.c: the command table lookup and the one privilege/length check. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "cmd.h"
#include "ipmi.h"
#include "log.h"
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

const struct machine_who *
cmd_who(struct cmd_ctx *c)
{
	const struct peer *p;
	char host[INET6_ADDRSTRLEN];
	unsigned port = 0;

	if (c->who.face != NULL)
		return &c->who;
	c->who.face = "ipmi";
	if (c->s == NULL)
		return &c->who;
	log_escape(c->s->user, c->s->user_len, c->who_user,
	    sizeof(c->who_user));
	c->who.user = c->who_user;
	p = &c->s->peer;
	host[0] = '\0';
	if (p->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&p->ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		snprintf(c->who_peer, sizeof(c->who_peer), "[%s]:%u", host,
		    port);
	} else {
		const struct sockaddr_in *a = (const void *)&p->ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		snprintf(c->who_peer, sizeof(c->who_peer), "%s:%u", host,
		    port);
	}
	c->who.peer = c->who_peer;
	return &c->who;
}
