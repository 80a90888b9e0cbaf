/*
 * core.c: the protocol core's entry points.  Datagram -> RMCP/session
 * layer -> (RAKP | IPMI command) -> reply datagrams, plus the reply cache
 * that answers client retries and holds requests a target answers later.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "msg.h"
#include "rakp.h"
#include "rmcp.h"
#include "sol.h"

/*
 * A pending request's token: session slot, reply cache entry and a number
 * of its own, so that a driver's late answer to a request that timed out
 * cannot complete a later request that reuses the entry.
 */
#define TOKEN(slot, idx, seq)	((uint32_t)(slot) << 16 | (uint32_t)(idx) << 13 \
				    | ((seq) & 0x1fff))

static void	core_done_cb(void *, struct target *, uint32_t, int);
static void	core_event_cb(void *, struct target *, enum target_event);
static void	core_console_cb(void *, struct target *, const uint8_t *,
		    size_t);
static size_t	core_console_room_cb(void *, struct target *);
static void	core_console_ready_cb(void *, struct target *);
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
	c->ops = *ops;
	memcpy(c->guid, guid, 16);
	c->env.done = core_done_cb;
	c->env.event = core_event_cb;
	c->env.console = core_console_cb;
	c->env.console_room = core_console_room_cb;
	c->env.console_ready = core_console_ready_cb;
	c->env.arg = c;
	c->env.io_add = ops->io_add;
	c->env.io_want = ops->io_want;
	c->env.io_del = ops->io_del;
	c->env.ioarg = ops->ioarg;
	c->env.timeout_ms = cf->target_timeout;
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
			if (c->sol[a] != NULL) {
				sol_free(c->sol[a]);
				free(c->sol[a]);
			}
		free(c);
	}
	return NULL;
}

int
core_add_target(struct core *c, struct target *t)
{
	t->env = &c->env;
	c->targets[t->addr] = t;
	if (!target_has_console(t))
		return 0;
	if ((c->sol[t->addr] = calloc(1, sizeof(struct sol))) == NULL ||
	    sol_init(c->sol[t->addr], t, c->conf->console_history) != 0) {
		free(c->sol[t->addr]);
		c->sol[t->addr] = NULL;
		return -1;
	}
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
			sol_deactivate(c, l, 1);
			s->sol_target = 0;
		}
		sol_free(l);
		free(l);
		c->sol[addr] = NULL;
	}
	c->targets[addr] = NULL;
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
		ou = conf_user_find(old, s->user, s->user_len);
		nu = conf_user_find(cf, s->user, s->user_len);
		if (ou != NULL && nu != NULL && ou->priv == nu->priv &&
		    memcmp(ou->key, nu->key, sizeof(ou->key)) == 0 &&
		    same_ep(old, cf, s->ep))
			continue;
		if (s->sol_target != 0 && c->sol[s->sol_target] != NULL &&
		    c->sol[s->sol_target]->s == s) {
			sol_deactivate(c, c->sol[s->sol_target], 1);
			s->sol_target = 0;	/* its console is told */
		}
		session_close(&c->st, s);
		ended++;
	}
	c->conf = cf;
	c->env.timeout_ms = cf->target_timeout;
	return ended;
}

void
core_wake(struct core *c, uint64_t when)
{
	if (c->ops.wake == NULL)
		return;
	if (c->wake_at == 0 || when < c->wake_at || c->wake_at <= c->now) {
		c->wake_at = when;
		c->ops.wake(c->ops.arg, when);
	}
}

static void
core_console_cb(void *arg, struct target *t, const uint8_t *p, size_t n)
{
	struct core *c = arg;

	if (c->sol[t->addr] != NULL)
		sol_output(c, c->sol[t->addr], p, n);
}

static size_t
core_console_room_cb(void *arg, struct target *t)
{
	struct core *c = arg;

	return c->sol[t->addr] != NULL ? sol_room(c->sol[t->addr]) : 0;
}

static void
core_console_ready_cb(void *arg, struct target *t)
{
	struct core *c = arg;

	if (c->sol[t->addr] != NULL)
		sol_ready(c, c->sol[t->addr]);
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
	sol_deactivate(c, l, 0);
	s->sol_target = 0;
}

void
core_send_raw(struct core *c, int ep, const struct peer *peer,
    const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	c->stats.tx++;
	c->ops.send(c->ops.arg, ep, peer, p, n);
}

void
core_send20(struct core *c, struct session *s, uint8_t ptype,
    const uint8_t *p, size_t n)
{
	core_send_raw(c, s->ep, &s->peer, c->out,
	    rmcp_wrap20(s, ptype, p, n, c->out, sizeof(c->out)));
}

void
core_persist(struct core *c, struct target *t)
{
	if (c->ops.persist != NULL)
		c->ops.persist(c->ops.arg, t);
}

static void
drop(struct core *c, const char *why)
{
	c->stats.dropped++;
	log_rl(&c->rl_drop, "dropped packet: %s", why);
}

static struct target *
ep_target(struct core *c, int ep)
{
	uint8_t a = c->conf->eps[ep].target;

	return a != 0 ? c->targets[a] : NULL;
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
		drop(c, "bad checksum");
		return;
	}
	e = cmd_find(req.netfn, req.cmd);
	if (e == NULL || !(e->where & CMD_SESSIONLESS)) {
		drop(c, "session-less command not allowed");
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
		n = rmcp_wrap15(msg, n, c->out, sizeof(c->out));
	else
		n = rmcp_wrap20(NULL, PAYLOAD_IPMI, msg, n, c->out,
		    sizeof(c->out));
	core_send_raw(c, ep, peer, c->out, n);
}

static void
rcache_send(struct core *c, struct session *s, const struct rcache *e)
{
	for (uint8_t i = 0; i < e->nmsg; i++)
		core_send20(c, s, PAYLOAD_IPMI, e->msg[i], e->len[i]);
}

static void
rcache_store(struct rcache *e, int i, const uint8_t *p, size_t n)
{
	if (n <= SESSION_RCACHE_MSG) {
		memcpy(e->msg[i], p, n);
		e->len[i] = (uint8_t)n;
		e->nmsg = (uint8_t)(i + 1);
	} else			/* too big to replay: answer, don't cache */
		e->state = RCACHE_FREE;
}

/* The entry for this request: a match, or a fresh one (oldest reused). */
static struct rcache *
rcache_get(struct core *c, struct session *s, uint64_t key, int *ret_hit)
{
	struct rcache *e, *victim = NULL;

	*ret_hit = 0;
	for (int i = 0; i < SESSION_RCACHE; i++) {
		e = &s->rc_ent[i];
		if (e->state == RCACHE_DONE &&
		    c->now - e->when >= SESSION_RCACHE_TTL_MS)
			e->state = RCACHE_FREE;
		if (e->state != RCACHE_FREE && e->key == key) {
			*ret_hit = 1;
			return e;
		}
		if (e->state == RCACHE_PENDING)
			continue;
		if (victim == NULL ||
		    (e->state == RCACHE_FREE && victim->state != RCACHE_FREE) ||
		    (e->state == RCACHE_DONE && victim->state == RCACHE_DONE &&
		    e->when < victim->when))
			victim = e;
	}
	return victim;
}

static void
session_ipmi(struct core *c, struct session *s, const uint8_t *p, size_t n)
{
	uint8_t data[MSG_MAX], hdr[MSG_HDR], msg[MSG_MAX], msg2[MSG_MAX];
	struct cmd_ctx ctx = { .core = c, .s = s, .now = c->now };
	struct msg_req req;
	struct rcache *e;
	struct wbuf rsp;
	uint64_t key;
	size_t len;
	int cc, hit;

	if (msg_parse(p, n, &req) != 0) {
		drop(c, "bad IPMI message checksum");
		return;
	}
	key = buf_fnv64(p, n);
	if ((e = rcache_get(c, s, key, &hit)) != NULL && hit) {
		c->stats.retries++;
		if (e->state == RCACHE_DONE)
			rcache_send(c, s, e);
		return;		/* pending: the answer is on its way */
	}
	msg_reply_hdr(&req, req.rs_sa, hdr);
	if (e == NULL) {	/* every entry waits on a target */
		len = msg_reply(hdr, CC_NODE_BUSY, NULL, 0, msg, sizeof(msg));
		core_send20(c, s, PAYLOAD_IPMI, msg, len);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->token = TOKEN(s->slot, e - s->rc_ent, ++c->token_seq);
	e->target = c->conf->eps[s->ep].target;
	ctx.t = ep_target(c, s->ep);
	ctx.token = e->token;
	ctx.req = &req;
	ctx.msg2 = msg2;
	ctx.msg2_cap = sizeof(msg2);
	wbuf_init(&rsp, data, sizeof(data));
	cc = cmd_dispatch(&ctx, req.netfn, req.cmd, req.data, req.len, &rsp);
	if (cc == TARGET_PENDING) {
		memcpy(e->env, hdr, MSG_HDR);
		e->state = RCACHE_PENDING;
		e->when = c->now + c->conf->target_timeout;
		return;
	}
	if (rsp.err)
		cc = CC_UNSPECIFIED;
	len = msg_reply(hdr, (uint8_t)cc, data, cc == CC_OK ? rsp.len : 0,
	    msg, sizeof(msg));
	e->state = RCACHE_DONE;
	e->when = c->now;
	rcache_store(e, 0, msg, len);
	if (cc == CC_OK && ctx.msg2_pending) {	/* bridged, target later */
		e->state = RCACHE_PENDING;
		e->target = ctx.msg2_target;
		e->when = c->now + c->conf->target_timeout;
		memcpy(e->env, ctx.msg2_hdr, MSG_HDR);
		return;
	}
	core_send20(c, s, PAYLOAD_IPMI, msg, len);
	if (cc == CC_OK && ctx.msg2_len > 0) {
		if (e->state != RCACHE_FREE)
			rcache_store(e, 1, msg2, ctx.msg2_len);
		core_send20(c, s, PAYLOAD_IPMI, msg2, ctx.msg2_len);
	}
	if (s->closing)
		session_close(&c->st, s);
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
		drop(c, "malformed");
		return;
	}
	switch (pkt.kind) {
	case RMCP_ASF_PING:
		core_send_raw(c, ep, peer, c->out,
		    rmcp_pong(pkt.asf_tag, 1, c->out, sizeof(c->out)));
		return;
	case RMCP_IPMI15:
		sessionless(c, ep, peer, &pkt);
		return;
	case RMCP_IPMI20:
		break;
	}
	if (pkt.sid == 0) {
		if (pkt.authenticated || pkt.encrypted) {
			drop(c, "session-less packet with auth bits");
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
			drop(c, "unexpected payload type");
			return;
		}
	}
	s = session_find(&c->st, pkt.sid);
	if (s == NULL || s->state != SESSION_ACTIVE ||
	    !session_same_peer(s, ep, peer)) {
		drop(c, "unknown session");
		return;
	}
	if (rmcp_unwrap(s, &pkt, c->plain) != 0) {
		drop(c, "integrity or confidentiality check failed");
		return;
	}
	if (session_seq_check(s, pkt.seq) != 0) {
		c->stats.replays++;
		drop(c, "replayed or out-of-window sequence number");
		return;
	}
	s->last = now;
	if (pkt.ptype == PAYLOAD_IPMI)
		session_ipmi(c, s, pkt.payload, pkt.len);
	else if (pkt.ptype == PAYLOAD_SOL && s->sol_target != 0 &&
	    c->sol[s->sol_target] != NULL && c->sol[s->sol_target]->s == s)
		sol_input(c, c->sol[s->sol_target], pkt.payload, pkt.len);
	else if (pkt.ptype == PAYLOAD_SOL)
		drop(c, "SOL packet on a session without SOL");
	else
		drop(c, "unsupported payload type");
}

/* A pending request is answered: by its target, or by the timeout. */
static void
rcache_finish(struct core *c, struct session *s, struct rcache *e, int cc)
{
	uint8_t msg[MSG_MAX];
	size_t len;
	int i = e->nmsg;	/* 1: the Send Message response is waiting */

	len = msg_reply(e->env, (uint8_t)cc, NULL, 0, msg, sizeof(msg));
	e->state = RCACHE_DONE;
	e->when = c->now;
	rcache_store(e, i, msg, len);
	if (i == 1)
		core_send20(c, s, PAYLOAD_IPMI, e->msg[0], e->len[0]);
	core_send20(c, s, PAYLOAD_IPMI, msg, len);
}

static void
core_done_cb(void *arg, struct target *t, uint32_t token, int cc)
{
	struct core *c = arg;
	struct session *s = session_slot(&c->st, token >> 16);
	struct rcache *e;

	if (s == NULL || s->state != SESSION_ACTIVE)
		return;		/* the session went away meanwhile */
	e = &s->rc_ent[(token >> 13) & 7];
	if (e->state != RCACHE_PENDING || e->token != token ||
	    e->target != t->addr)
		return;		/* timed out, or a new session or request */
	rcache_finish(c, s, e, cc);
}

/* Boot device selector (boot flags byte 2, bits 5:2) for the log. */
static const char *
boot_device(const struct target_boot *b)
{
	static const char *const dev[16] = {
		"no override", "PXE", "disk", "disk (safe mode)",
		"diagnostic partition", "CD/DVD", "BIOS setup",
		"remote floppy", "remote CD/DVD", "primary remote media",
		"reserved", "remote disk", "reserved", "reserved", "reserved",
		"floppy",
	};

	if (!(b->flags[0] & 0x80) || (b->invalid & (1u << 5)))
		return "no override";
	return dev[(b->flags[1] >> 2) & 0x0f];
}

static void
core_event_cb(void *arg, struct target *t, enum target_event ev)
{
	struct core *c = arg;
	struct target_boot *b = &t->st.boot;

	switch (ev) {
	case TARGET_EV_BOOT:
		log_info("target %s: boots, device %s%s%s", t->name,
		    boot_device(b), (b->flags[0] & 0xa0) == 0xa0 ? ", EFI" : "",
		    (b->flags[0] & 0xc0) == 0x80 ? ", one-shot" : "");
		/* The firmware has read the boot flags: one-shot ones go. */
		if ((b->flags[0] & 0x80) && !(b->flags[0] & 0x40)) {
			b->flags[0] &= (uint8_t)~0x80;
			core_persist(c, t);
		}
		break;
	case TARGET_EV_LINK_UP:
		log_info("target %s: link up", t->name);
		break;
	case TARGET_EV_LINK_DOWN:
		log_info("target %s: link down", t->name);
		break;
	}
}

void
core_tick(struct core *c, uint64_t now)
{
	uint64_t next = 0;

	c->now = now;
	if (c->wake_at != 0 && c->wake_at <= now)
		c->wake_at = 0;
	session_expire(&c->st, now, (uint64_t)c->conf->session_timeout * 1000);
	for (int a = 1; a < 256; a++) {
		struct target *t = c->targets[a];

		if (t == NULL)
			continue;
		if (t->main.drv->tick != NULL)
			t->main.drv->tick(&t->main, now);
		if (t->con.drv != NULL && t->con.dstate != t->main.dstate &&
		    t->con.drv->tick != NULL)
			t->con.drv->tick(&t->con, now);
	}
	for (size_t i = 0; i < c->st.n; i++) {
		struct session *s = &c->st.s[i];

		if (s->state != SESSION_ACTIVE)
			continue;
		for (int j = 0; j < SESSION_RCACHE; j++)
			if (s->rc_ent[j].state == RCACHE_PENDING &&
			    now >= s->rc_ent[j].when)
				rcache_finish(c, s, &s->rc_ent[j], CC_TIMEOUT);
	}
	for (int a = 1; a < 256; a++) {
		uint64_t d;

		if (c->sol[a] == NULL || (c->sol[a]->s == NULL &&
		    c->sol[a]->fifo_len == 0))
			continue;
		d = sol_tick(c, c->sol[a]);
		if (d != 0 && (next == 0 || d < next))
			next = d;
	}
	if (next != 0)
		core_wake(c, next);
}
