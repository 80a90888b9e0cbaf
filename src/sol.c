/* sol.c: the Serial-over-LAN payload for one target. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ipmi.h"
#include "rmcp.h"
#include "sol.h"

#define SOL_BREAK_MS	250

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
	if (len > 0)
		memcpy(p + 4, data, len);
	core_send20(c, l->s, PAYLOAD_SOL, p, 4 + len);
}

/* Take the next packet's worth of output into out_data; 0 if none. */
static size_t
fill(struct sol *l)
{
	uint64_t tail = ring_tail(&l->hist);

	if (l->pos < tail) {		/* the viewer fell behind the ring */
		log_debug("sol %s: viewer overrun by %llu", l->t->name,
		    (unsigned long long)(tail - l->pos));
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
 * Send output if there is some and nothing is in flight.  It never shares
 * a packet with an acknowledgement:
 * ipmitool drops the characters of a packet that also acknowledges its
 * own (ipmi_lanplus_send_payload stops waiting at the ACK).  And no output
 * goes while a console packet is held (sol_input): ipmitool takes any of
 * our data as the end of its wait and sends its next characters, so only
 * silence makes it slow down (it resends a held packet, unchanged, after
 * a second).
 */
static void
transmit(struct core *c, struct sol *l)
{
	uint8_t seq;

	if (l->out_seq != 0 || l->pend_seq != 0 || fill(l) == 0)
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

/* Take a console packet's characters; 0, or -1 beyond the hard limit. */
static int
fifo_put(struct sol *l, const uint8_t *p, size_t n)
{
	if (l->fifo_off + l->fifo_len + n > SOL_FIFO_MAX) {
		memmove(l->fifo, l->fifo + l->fifo_off, l->fifo_len);
		l->fifo_off = 0;
	}
	if (l->fifo_len + n > SOL_FIFO_MAX) {
		l->in_dropped += n;
		return -1;
	}
	memcpy(l->fifo + l->fifo_off + l->fifo_len, p, n);
	l->fifo_len += n;
	return 0;
}

/* Hand the line what it will take; below the mark, the held packet's turn. */
static void
feed(struct core *c, struct sol *l)
{
	struct target_src *con = &l->t->con;

	while (l->fifo_len > 0) {
		size_t took = con->drv->console_write(con,
		    l->fifo + l->fifo_off, l->fifo_len);

		if (took == 0)
			break;
		l->fifo_off += took;
		l->fifo_len -= took;
	}
	if (l->fifo_len == 0)
		l->fifo_off = 0;
	if (l->pend_seq != 0 && l->fifo_len + l->pend_len <= SOL_FIFO_MARK) {
		(void)fifo_put(l, l->pend, l->pend_len);
		l->in_seq = l->pend_seq;
		l->in_acc = (uint8_t)l->pend_len;
		l->pend_seq = 0;
		log_debug("sol %s: seq %u taken (fifo %zu)", l->t->name,
		    l->in_seq, l->fifo_len);
		send_pkt(c, l, 0, l->in_seq, l->in_acc, 0, NULL, 0);
		feed(c, l);
	}
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
	l->fifo_off = l->fifo_len = 0;
	l->pend_seq = 0;
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
	l->fifo_off = l->fifo_len = 0;
	l->pend_seq = 0;
}

size_t
sol_room(const struct sol *l)
{
	uint64_t used;

	if (l->s == NULL || l->pend_seq != 0)
		return l->hist.cap;	/* history only, or output stopped by
					   us: never block the machine */
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
		transmit(c, l);
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
	if (seq != 0 && n == 0) {		/* BREAK, keepalive: ACK */
		l->in_seq = seq;
		l->in_acc = 0;
		need_ack = 1;
	} else if (seq != 0 && seq == l->in_seq) {
		need_ack = 1;			/* our ACK was lost: again */
	} else if (seq != 0 && seq == l->pend_seq) {
		seq = 0;			/* held already */
	} else if (seq != 0) {
		/*
		 * Every ACK is for a whole packet: ipmitool drops what a NACK
		 * refuses and pyghmi loses the rest of a partial ACK.  Input
		 * is taken into a bounded FIFO; past its mark the packet is
		 * held, unacknowledged, and output stops (transmit()): that
		 * slows every client down.  ipmitool resends a held packet
		 * unchanged under a new number; but it also takes any output
		 * that reaches it while it waits as the end of the wait and
		 * sends what comes next: a held packet followed by different
		 * characters was delivered as far as it knows, so it is kept.
		 */
		if (l->pend_seq != 0 && (l->pend_len != n ||
		    memcmp(l->pend, p, n) != 0) &&
		    fifo_put(l, l->pend, l->pend_len) != 0)
			log_debug("sol %s: input over %d bytes dropped",
			    l->t->name, SOL_FIFO_MAX);
		l->pend_seq = 0;
		if (l->fifo_len + n <= SOL_FIFO_MARK) {
			(void)fifo_put(l, p, n);
			l->in_seq = seq;
			l->in_acc = (uint8_t)n;
			need_ack = 1;
		} else {
			log_debug("sol %s: seq %u held (fifo %zu)", l->t->name,
			    seq, l->fifo_len);
			memcpy(l->pend, p, n);
			l->pend_len = n;
			l->pend_seq = seq;
			seq = 0;
		}
		feed(c, l);
	}
	if (need_ack)
		send_pkt(c, l, 0, seq, l->in_acc, 0, NULL, 0);
	transmit(c, l);
}

void
sol_ready(struct core *c, struct sol *l)
{
	if (l->s == NULL)
		return;
	feed(c, l);
	transmit(c, l);	/* output may go again */
}

uint64_t
sol_tick(struct core *c, struct sol *l)
{
	uint64_t next = 0;

	if (l->s == NULL)
		return 0;
	feed(c, l);
	if (l->fifo_len > 0)
		next = c->now + 100;	/* the driver may not call back */
	if (l->out_seq != 0 && c->now >= l->out_due && l->pend_seq != 0)
		arm_retry(c, l);		/* see transmit() */
	else if (l->out_seq != 0 && c->now >= l->out_due) {
		if (l->out_tries < cfg(l)->retry_count) {
			l->out_tries++;
			send_pkt(c, l, l->out_seq, 0, 0, l->out_status,
			    l->out_data, l->out_len);
			arm_retry(c, l);
		} else {		/* the spec's answer: drop it */
			log_debug("sol %s: seq %u dropped after %u tries",
			    l->t->name, l->out_seq, l->out_tries);
			l->dropped += l->out_len;
			l->pos += l->out_len;
			l->out_seq = 0;
			l->status |= SOL_ST_OVERRUN;
		}
	}
	if (l->out_seq == 0 && l->pos < l->hist.head &&
	    (l->send_due == 0 || c->now >= l->send_due))
		transmit(c, l);
	if (l->out_seq != 0 && (next == 0 || l->out_due < next))
		next = l->out_due;
	else if (l->send_due != 0 && (next == 0 || l->send_due < next))
		next = l->send_due;
	return next;
}
