/* sol.c: the Serial-over-LAN payload for one target. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ipmi.h"
#include "rmcp.h"
#include "sol.h"

#define SOL_BREAK_MS	250
/*
 * How long a console packet may wait for room on a full line before it is
 * refused.  ipmitool gives up on an ACK after 1 s and drops what was
 * refused (NACK); a partial ACK makes it resend the rest at once.  So a
 * packet is held until some of it fits, and refused only if the line stays
 * full this long.
 */
#define SOL_HOLD_MS	800

int
sol_init(struct sol *l, struct target *t, size_t history)
{
	memset(l, 0, sizeof(*l));
	l->t = t;
	return ring_init(&l->hist, history);
}

void
sol_free(struct sol *l)
{
	ring_free(&l->hist);
}

static const struct target_solcfg *
cfg(const struct sol *l)
{
	return &l->t->st.sol;
}

static void
send_pkt(struct core *c, struct sol *l, uint8_t seq, uint8_t ack,
    uint8_t acc, uint8_t status, const uint8_t *data, size_t len)
{
	uint8_t p[4 + SOL_DATA_MAX];

	p[0] = seq;
	p[1] = ack;
	p[2] = acc;
	p[3] = status;
	memcpy(p + 4, data, len);
	core_send20(c, l->s, PAYLOAD_SOL, p, 4 + len);
}

/* Take the next packet's worth of output into out_data; 0 if none. */
static size_t
fill(struct sol *l)
{
	uint64_t tail = ring_tail(&l->hist);

	if (l->pos < tail) {		/* the viewer fell behind the ring */
		l->overrun += tail - l->pos;
		l->pos = tail;
		l->status |= SOL_ST_OVERRUN;
	}
	l->out_len = (uint8_t)ring_read(&l->hist, l->pos, l->out_data,
	    SOL_DATA_MAX);
	return l->out_len;
}

static void
arm_retry(struct core *c, struct sol *l)
{
	l->out_due = c->now + cfg(l)->retry_interval * 10ull;
	if (cfg(l)->retry_interval == 0)
		l->out_due = c->now + 10;
	core_wake(c, l->out_due);
}

/*
 * Acknowledge the console's packet if one is due, then send output if
 * there is some and nothing is in flight.  The two never share a packet:
 * ipmitool drops the characters of a packet that also acknowledges its
 * own (ipmi_lanplus_send_payload stops waiting at the ACK).
 */
static void
transmit(struct core *c, struct sol *l, int ack, uint8_t ackseq,
    uint8_t acc, uint8_t ackst)
{
	uint8_t seq;

	if (ack)
		send_pkt(c, l, 0, ackseq, acc, ackst, NULL, 0);
	if (l->out_seq != 0 || fill(l) == 0)
		return;
	seq = l->next_seq;
	l->next_seq = (uint8_t)(l->next_seq % 15 + 1);
	l->out_seq = seq;
	l->out_status = l->status;
	l->out_tries = 0;
	l->status = 0;
	l->send_due = 0;
	arm_retry(c, l);
	send_pkt(c, l, seq, 0, 0, l->out_status, l->out_data, l->out_len);
}

void
sol_activate(struct core *c, struct sol *l, struct session *s)
{
	uint64_t tail = ring_tail(&l->hist);

	l->s = s;
	l->pos = l->unseen < tail ? tail : l->unseen;
	l->next_seq = 1;
	l->out_seq = 0;
	l->in_seq = 0;
	l->held_len = 0;
	l->status = 0;
	l->send_due = 0;
	/* Send what the machine printed while nobody watched. */
	if (l->pos < l->hist.head) {
		l->send_due = c->now + 50;	/* after the activation reply */
		core_wake(c, l->send_due);
	}
}

void
sol_deactivate(struct core *c, struct sol *l, int notify)
{
	struct session *s = l->s;

	if (s == NULL)
		return;
	if (notify) {
		/*
		 * FreeIPMI and pyghmi end on "deactivating" (pyghmi wants NACK
		 * too).  ipmitool ignores that bit and would linger until its
		 * keepalive failed, a minute later; a pong saying "no IPMI
		 * here" makes its receive fail at once, and it prints "SOL
		 * session closed by BMC".
		 */
		send_pkt(c, l, 0, 0, 0, SOL_ST_NACK | SOL_ST_DEACTIVATING,
		    NULL, 0);
		core_send_raw(c, s->ep, &s->peer, c->out,
		    rmcp_pong(0, 0, c->out, sizeof(c->out)));
	}
	l->s = NULL;
	l->out_seq = 0;
	l->held_len = 0;
}

size_t
sol_room(const struct sol *l)
{
	uint64_t used;

	if (l->s == NULL)
		return l->hist.cap;	/* history only: keep draining */
	used = l->hist.head - (l->pos < ring_tail(&l->hist) ?
	    ring_tail(&l->hist) : l->pos);
	return used < l->hist.cap ? (size_t)(l->hist.cap - used) : 0;
}

void
sol_output(struct core *c, struct sol *l, const uint8_t *p, size_t n)
{
	uint64_t tail;

	ring_write(&l->hist, p, n);
	tail = ring_tail(&l->hist);
	if (l->unseen < tail) {
		l->lost += tail - l->unseen;
		l->unseen = tail;
	}
	if (l->s == NULL || l->out_seq != 0)
		return;			/* sent when the ACK comes */
	if (l->hist.head - l->pos >= cfg(l)->threshold)
		transmit(c, l, 0, 0, 0, 0);
	else if (l->send_due == 0) {
		l->send_due = c->now + cfg(l)->accum * 5ull;
		core_wake(c, l->send_due);
	}
}

void
sol_input(struct core *c, struct sol *l, const uint8_t *p, size_t n)
{
	struct target_src *con = &l->t->con;
	uint8_t seq, ack, acc, op;
	int need_ack = 0;

	if (n < 4 || n > 4 + SOL_PAYLOAD_SIZE)
		return;				/* not a SOL packet we take */
	seq = p[0] & 0x0f;
	ack = p[1] & 0x0f;
	acc = p[2];
	op = p[3];
	p += 4;
	n -= 4;
	log_debug("sol %s: in seq %u ack %u acc %u op 0x%02x, %zu bytes",
	    l->t->name, seq, ack, acc, op, n);
	/* The console acknowledges our packet in flight. */
	if (ack != 0 && ack == l->out_seq) {
		if (op & SOL_OP_NACK)
			arm_retry(c, l);	/* it is full: later */
		else {
			l->pos += acc < l->out_len ? acc : l->out_len;
			if (l->unseen < l->pos)
				l->unseen = l->pos;
			l->out_seq = 0;
		}
	}
	if ((op & SOL_OP_BREAK) && con->drv->console_break != NULL)
		con->drv->console_break(con,
		    SOL_BREAK_MS);
	if (seq != 0 && seq == l->in_seq && l->held_len > 0)
		seq = 0;		/* a resend of what is held: wait */
	if (seq != 0) {
		need_ack = 1;
		if (seq != l->in_seq || n == 0) {	/* not a resend */
			size_t took = n > 0 ? con->drv->console_write(
			    con, p, n) : 0;

			if (l->held_len > 0) {	/* given up by the console */
				send_pkt(c, l, 0, l->in_seq, 0, SOL_ST_NACK,
				    NULL, 0);
				l->held_len = 0;
			}
			l->in_acc = (uint8_t)(took > n ? n : took);
			l->in_seq = seq;
			if (n > 0 && took == 0) {	/* full: hold it */
				memcpy(l->held, p, n);
				l->held_len = n;
				l->held_since = c->now;
				core_wake(c, c->now + 100);
				need_ack = 0;
			}
		}
	}
	transmit(c, l, need_ack, seq, l->in_acc, 0);
}

void
sol_ready(struct core *c, struct sol *l)
{
	struct target_src *con = &l->t->con;
	size_t took;

	if (l->s == NULL || l->held_len == 0)
		return;
	took = con->drv->console_write(con, l->held, l->held_len);
	if (took == 0 && c->now - l->held_since < SOL_HOLD_MS)
		return;
	l->in_acc = (uint8_t)(took > l->held_len ? l->held_len : took);
	l->held_len = 0;
	send_pkt(c, l, 0, l->in_seq, l->in_acc, took == 0 ? SOL_ST_NACK : 0,
	    NULL, 0);
}

uint64_t
sol_tick(struct core *c, struct sol *l)
{
	uint64_t next = 0;

	if (l->s == NULL)
		return 0;
	sol_ready(c, l);
	if (l->held_len > 0)
		next = c->now + 100;
	if (l->out_seq != 0 && c->now >= l->out_due) {
		if (l->out_tries < cfg(l)->retry_count) {
			l->out_tries++;
			send_pkt(c, l, l->out_seq, 0, 0, l->out_status,
			    l->out_data, l->out_len);
			arm_retry(c, l);
		} else {		/* the spec's answer: drop it */
			l->dropped += l->out_len;
			l->pos += l->out_len;
			l->out_seq = 0;
			l->status |= SOL_ST_OVERRUN;
		}
	}
	if (l->out_seq == 0 && l->pos < l->hist.head &&
	    (l->send_due == 0 || c->now >= l->send_due))
		transmit(c, l, 0, 0, 0, 0);
	if (l->out_seq != 0 && (next == 0 || l->out_due < next))
		next = l->out_due;
	else if (l->send_due != 0 && (next == 0 || l->send_due < next))
		next = l->send_due;
	return next;
}
