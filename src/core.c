/*
 * core.c: the IPMI face's entry points.  Datagram -> RMCP/session layer ->
 * RAKP (rakp.c), an IPMI request (bridge.c: the reply cache and Send
 * Message, then cmd_*.c) or a SOL payload (sol.c); everything sent leaves
 * through out.h.  What the targets are and do is the model's (machine.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "buf.h"
#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"
#include "msg.h"
#include "rakp.h"
#include "rmcp.h"
#include "sol.h"
#include "users.h"

static void	core_session_closed(void *, struct session *);

struct core *
core_new(const struct conf *cf, const struct core_ops *ops,
    const uint8_t guid[16])
{
	struct core *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (session_table_init(&c->st, cf->max_sessions, cf->max_half_open)) {
		free(c);
		return NULL;
	}
	c->conf = cf;
	c->out.send = ops->send;
	c->out.wake = ops->wake;
	c->out.arg = ops->arg;
	memcpy(c->guid, guid, 16);
	c->st.on_close = core_session_closed;
	c->st.on_close_arg = c;
	c->rl_drop = (struct log_rl)LOG_RL_INIT("dropped packets");
	c->rl_auth = (struct log_rl)LOG_RL_INIT("login failures");
	return c;
}

struct core *
core_free(struct core *c)
{
	if (c != NULL) {
		session_table_free(&c->st);
		for (int a = 0; a < 256; a++)
			free(c->sol[a]);
		free(c);
	}
	return NULL;
}

int
core_add_target(struct core *c, struct target *t)
{
	if (!target_has_console(t))
		return 0;
	if ((c->sol[t->addr] = calloc(1, sizeof(struct sol))) == NULL)
		return -1;
	sol_init(c->sol[t->addr], c, t);
	return 0;
}

/*
 * Reload: a target goes.  Its SOL instance ends (the viewer is told, as by
 * a Deactivate Payload from elsewhere) and its history is freed.  Requests
 * it still owed an answer time out (C3h): its driver has been stopped.
 */
void
core_remove_target(struct core *c, uint8_t addr)
{
	struct sol *l = c->sol[addr];

	if (l != NULL) {
		struct session *s = l->s;

		if (s != NULL) {
			sol_deactivate(l, 1);
			s->sol_target = 0;
		}
		free(l);
		c->sol[addr] = NULL;
	}
}

static int
same_ep(const struct conf *a, const struct conf *b, int ep)
{
	return ep >= 0 && (size_t)ep < a->neps && (size_t)ep < b->neps &&
	    a->eps[ep].addr.len != 0 &&
	    strcmp(a->eps[ep].addr.text, b->eps[ep].addr.text) == 0 &&
	    a->eps[ep].target == b->eps[ep].target;
}

/*
 * Reload: the new configuration replaces the old one (which the caller
 * frees after).  Sessions whose user was removed or changed (password,
 * privilege), or whose endpoint went, end; the others go on.  Endpoints
 * that stayed keep their index (conf_align_eps).  Returns how many ended.
 */
unsigned
core_set_conf(struct core *c, const struct conf *cf)
{
	const struct conf *old = c->conf;
	unsigned ended = 0;

	for (size_t i = 0; i < c->st.n; i++) {
		struct session *s = session_slot(&c->st, i);
		const struct conf_user *ou, *nu;

		if (s == NULL || s->state == SESSION_FREE)
			continue;
		ou = users_find(old, s->user, s->user_len);
		nu = users_find(cf, s->user, s->user_len);
		if (ou != NULL && nu != NULL && ou->priv == nu->priv &&
		    memcmp(ou->key, nu->key, sizeof(ou->key)) == 0 &&
		    same_ep(old, cf, s->ep))
			continue;
		if (s->sol_target != 0 && c->sol[s->sol_target] != NULL &&
		    c->sol[s->sol_target]->s == s) {
			sol_deactivate(c->sol[s->sol_target], 1);
			s->sol_target = 0;	/* its console is told */
		}
		session_close(&c->st, s);
		ended++;
	}
	c->conf = cf;
	machine_set_timeout(cf->target_timeout);
	return ended;
}

/* A session ends (closed, timed out, evicted): its SOL instance too. */
static void
core_session_closed(void *arg, struct session *s)
{
	struct core *c = arg;
	struct sol *l;

	if (s->sol_target == 0 || (l = c->sol[s->sol_target]) == NULL ||
	    l->s != s)
		return;
	sol_deactivate(l, 0);
	s->sol_target = 0;
}

static void
core_drop(struct core *c, const char *why)
{
	c->stats.dropped++;
	log_rl(&c->rl_drop, "dropped packet: %s", why);
}

static struct target *
ep_target(struct core *c, int ep)
{
	uint8_t a = c->conf->eps[ep].target;

	return a != 0 ? machine_by_addr(a) : NULL;
}

/* Session-less requests: only what a client asks before it logs in. */
static void
sessionless(struct core *c, int ep, const struct peer *peer,
    const struct rmcp_pkt *pkt)
{
	uint8_t data[64], hdr[MSG_HDR], msg[MSG_MAX];
	struct cmd_ctx ctx = { .core = c, .now = c->now };
	const struct cmd_entry *e;
	struct msg_req req;
	struct wbuf rsp;
	size_t n;
	int cc;

	if (msg_parse(pkt->payload, pkt->len, &req) != 0) {
		core_drop(c, "bad checksum");
		return;
	}
	e = cmd_find(req.netfn, req.cmd);
	if (e == NULL || !(e->where & CMD_SESSIONLESS)) {
		core_drop(c, "session-less command not allowed");
		return;
	}
	wbuf_init(&rsp, data, sizeof(data));
	ctx.t = ep_target(c, ep);
	ctx.req = &req;
	cc = cmd_dispatch(&ctx, req.netfn, req.cmd, req.data, req.len, &rsp);
	msg_reply_hdr(&req, req.rs_sa, hdr);
	n = msg_reply(hdr, (uint8_t)cc, data, cc == CC_OK ? rsp.len : 0, msg,
	    sizeof(msg));
	if (pkt->kind == RMCP_IPMI15)
		out_raw(&c->out, ep, peer, c->out.buf, rmcp_wrap15(msg, n,
		    c->out.buf, sizeof(c->out.buf)));
	else
		out_presession(&c->out, ep, peer, PAYLOAD_IPMI, msg, n);
}

void
core_input(struct core *c, int ep, const struct peer *peer,
    const uint8_t *p, size_t n, uint64_t now)
{
	struct rmcp_pkt pkt;
	struct session *s;

	c->now = now;
	c->stats.rx++;
	if (ep < 0 || (size_t)ep >= c->conf->neps)
		return;
	if (rmcp_parse(p, n, &pkt) != 0) {
		core_drop(c, "malformed");
		return;
	}
	switch (pkt.kind) {
	case RMCP_ASF_PING:
		out_pong(&c->out, ep, peer, pkt.asf_tag, 1);
		return;
	case RMCP_IPMI15:
		sessionless(c, ep, peer, &pkt);
		return;
	case RMCP_IPMI20:
		break;
	}
	if (pkt.sid == 0) {
		if (pkt.authenticated || pkt.encrypted) {
			core_drop(c, "session-less packet with auth bits");
			return;
		}
		switch (pkt.ptype) {
		case PAYLOAD_IPMI:
			sessionless(c, ep, peer, &pkt);
			return;
		case PAYLOAD_OPEN_REQ:
			rakp_open(c, ep, peer, pkt.payload, pkt.len);
			return;
		case PAYLOAD_RAKP1:
			rakp_rakp1(c, ep, peer, pkt.payload, pkt.len);
			return;
		case PAYLOAD_RAKP3:
			rakp_rakp3(c, ep, peer, pkt.payload, pkt.len);
			return;
		default:
			core_drop(c, "unexpected payload type");
			return;
		}
	}
	s = session_find(&c->st, pkt.sid);
	if (s == NULL || s->state != SESSION_ACTIVE ||
	    !session_same_peer(s, ep, peer)) {
		core_drop(c, "unknown session");
		return;
	}
	if (rmcp_unwrap(s, &pkt, c->plain) != 0) {
		core_drop(c, "integrity or confidentiality check failed");
		return;
	}
	if (session_seq_check(s, pkt.seq) != 0) {
		c->stats.replays++;
		core_drop(c, "replayed or out-of-window sequence number");
		return;
	}
	s->last = now;
	if (pkt.ptype == PAYLOAD_IPMI)
		bridge_request(c, s, pkt.payload, pkt.len);
	else if (pkt.ptype == PAYLOAD_SOL && s->sol_target != 0 &&
	    c->sol[s->sol_target] != NULL && c->sol[s->sol_target]->s == s)
		sol_input(c->sol[s->sol_target], pkt.payload, pkt.len);
	else if (pkt.ptype == PAYLOAD_SOL)
		core_drop(c, "SOL packet on a session without SOL");
	else
		core_drop(c, "unsupported payload type");
}

void
core_tick(struct core *c, uint64_t now)
{
	uint64_t next = 0;

	c->now = now;
	if (c->out.wake_at != 0 && c->out.wake_at <= now)
		c->out.wake_at = 0;
	session_expire(&c->st, now, (uint64_t)c->conf->session_timeout * 1000);
	bridge_tick(c);
	for (int a = 1; a < 256; a++) {
		uint64_t d;

		if (c->sol[a] == NULL || c->sol[a]->s == NULL)
			continue;
		d = sol_tick(c->sol[a]);
		if (d != 0 && (next == 0 || d < next))
			next = d;
	}
	if (next != 0)
		out_wake(&c->out, now, next);
}
