/*
 * bridge.c: an IPMI request in a session: the reply cache and Send Message
 * bridging.
 *
 * Each session keeps the last SESSION_RCACHE requests it ran, keyed by a
 * hash of the whole IPMI request (rqSeq included), with the reply (one or
 * two messages) for SESSION_RCACHE_TTL_MS.  A retry gets the cached reply
 * under a new session sequence number and the command does not run again.
 * An entry is also the record of a request a target answers later
 * (MACHINE_PENDING): retries are absorbed meanwhile, the answer goes out
 * when the machine's completion comes (bridge_done), or C3h after
 * target_timeout.  The cookie handed to the model carries the session
 * slot, the entry and a number of its own, so that a late answer for a
 * session that has closed, or an entry used again, finds nothing.
 */
#include <string.h>

#include "bridge.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"
#include "msg.h"
#include "out.h"

#define TOKEN(slot, idx, seq)	((uint32_t)(slot) << 16 | (uint32_t)(idx) << 13 \
				    | ((seq) & 0x1fff))

/*
 * What Send Message leaves for bridge_request(): the target's reply as a
 * second message, or the header it will have when the target answers
 * later.  One request runs at a time, start to end, so one is enough.
 */
static struct {
	uint8_t		 msg[MSG_MAX];
	size_t		 len;
	int		 pending;
	uint8_t		 hdr[MSG_HDR];
	uint8_t		 target;
} second;

static void
send_cached(struct core *c, struct session *s, const struct rcache *e)
{
	for (uint8_t i = 0; i < e->nmsg; i++)
		out_session(&c->out, s, PAYLOAD_IPMI, e->msg[i], e->len[i]);
}

static void
store(struct rcache *e, int i, const uint8_t *p, size_t n)
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
lookup(struct core *c, struct session *s, uint64_t key, int *ret_hit)
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

static struct target *
ep_target(struct core *c, int ep)
{
	uint8_t a = c->conf->eps[ep].target;

	return a != 0 ? machine_by_addr(a) : NULL;
}

void
bridge_request(struct core *c, struct session *s, const uint8_t *p, size_t n)
{
	uint8_t data[MSG_MAX], hdr[MSG_HDR], msg[MSG_MAX];
	struct cmd_ctx ctx = { .core = c, .s = s, .now = c->now };
	struct msg_req req;
	struct rcache *e;
	struct wbuf rsp;
	uint64_t key;
	size_t len;
	int cc, hit;

	if (msg_parse(p, n, &req) != 0) {
		c->stats.dropped++;
		log_rl(&c->rl_drop, "dropped packet: bad IPMI message checksum");
		return;
	}
	key = buf_fnv64(p, n);
	if ((e = lookup(c, s, key, &hit)) != NULL && hit) {
		c->stats.retries++;
		if (e->state == RCACHE_DONE)
			send_cached(c, s, e);
		return;		/* pending: the answer is on its way */
	}
	msg_reply_hdr(&req, req.rs_sa, hdr);
	if (e == NULL) {	/* every entry waits on a target */
		len = msg_reply(hdr, CC_NODE_BUSY, NULL, 0, msg, sizeof(msg));
		out_session(&c->out, s, PAYLOAD_IPMI, msg, len);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->token = TOKEN(s->slot, e - s->rc_ent, ++c->token_seq);
	e->target = c->conf->eps[s->ep].target;
	ctx.t = ep_target(c, s->ep);
	ctx.token = e->token;
	ctx.req = &req;
	second.len = 0;
	second.pending = 0;
	wbuf_init(&rsp, data, sizeof(data));
	cc = cmd_dispatch(&ctx, req.netfn, req.cmd, req.data, req.len, &rsp);
	if (cc == MACHINE_PENDING) {
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
	store(e, 0, msg, len);
	if (cc == CC_OK && second.pending) {	/* bridged, target later */
		e->state = RCACHE_PENDING;
		e->target = second.target;
		e->when = c->now + c->conf->target_timeout;
		memcpy(e->env, second.hdr, MSG_HDR);
		return;
	}
	out_session(&c->out, s, PAYLOAD_IPMI, msg, len);
	if (cc == CC_OK && second.len > 0) {
		if (e->state != RCACHE_FREE)
			store(e, 1, second.msg, second.len);
		out_session(&c->out, s, PAYLOAD_IPMI, second.msg, second.len);
	}
	if (s->closing)
		session_close(&c->st, s);
}

/*
 * Send Message (App 34h): the inner request runs on its target with the
 * session's privilege; the answer is this message's own response, then
 * the target's as a second packet (held until it comes, when later).
 */
int
bridge_send_message(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	struct cmd_ctx in = *c;
	struct msg_bridge mb;
	struct wbuf r2;
	uint8_t data[MSG_MAX], hdr[MSG_HDR];
	size_t n = buf_left(req);
	const uint8_t *p = buf_take(req, n);
	int cc;

	(void)rsp;
	cc = msg_bridge_parse(p, n, &mb);
	if (cc != 0)
		return cc;
	if (mb.inner.netfn == NETFN_APP && mb.inner.cmd == APP_SEND_MESSAGE)
		return CC_INVALID_FIELD;	/* no nested bridging */
	if (mb.inner.rs_sa == IPMI_BMC_ADDR)
		in.t = NULL;			/* ourselves (ipmitool -m) */
	else if ((in.t = machine_by_addr(mb.inner.rs_sa)) == NULL)
		return CC_SENDMSG_NAK;
	in.bridged = 1;
	in.req = &mb.inner;
	msg_bridge_reply_hdr(c->req, &mb.inner, hdr);
	wbuf_init(&r2, data, sizeof(data));
	cc = cmd_dispatch(&in, mb.inner.netfn, mb.inner.cmd, mb.inner.data,
	    mb.inner.len, &r2);
	if (cc == MACHINE_PENDING) {
		second.pending = 1;
		second.target = mb.inner.rs_sa;
		memcpy(second.hdr, hdr, MSG_HDR);
		return CC_OK;
	}
	if (r2.err)
		cc = CC_UNSPECIFIED;
	second.len = msg_reply(hdr, (uint8_t)cc, data,
	    cc == CC_OK ? r2.len : 0, second.msg, sizeof(second.msg));
	return CC_OK;
}

/* A pending request is answered: by its target, or by the timeout. */
static void
finish(struct core *c, struct session *s, struct rcache *e, int cc)
{
	uint8_t msg[MSG_MAX];
	size_t len;
	int i = e->nmsg;	/* 1: the Send Message response is waiting */

	len = msg_reply(e->env, (uint8_t)cc, NULL, 0, msg, sizeof(msg));
	e->state = RCACHE_DONE;
	e->when = c->now;
	store(e, i, msg, len);
	if (i == 1)
		out_session(&c->out, s, PAYLOAD_IPMI, e->msg[0], e->len[0]);
	out_session(&c->out, s, PAYLOAD_IPMI, msg, len);
}

void
bridge_done(void *arg, uint32_t token, int cc)
{
	struct core *c = arg;
	struct session *s = session_slot(&c->st, token >> 16);
	struct rcache *e;

	if (s == NULL || s->state != SESSION_ACTIVE)
		return;		/* the session went away meanwhile */
	e = &s->rc_ent[(token >> 13) & 7];
	if (e->state != RCACHE_PENDING || e->token != token)
		return;		/* timed out, or a new session or request */
	finish(c, s, e, cc);
}

void
bridge_tick(struct core *c)
{
	for (size_t i = 0; i < c->st.n; i++) {
		struct session *s = &c->st.s[i];

		if (s->state != SESSION_ACTIVE)
			continue;
		for (int j = 0; j < SESSION_RCACHE; j++)
			if (s->rc_ent[j].state == RCACHE_PENDING &&
			    c->now >= s->rc_ent[j].when)
				finish(c, s, &s->rc_ent[j], CC_TIMEOUT);
	}
}
