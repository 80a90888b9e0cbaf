/*
 * sol.c: the Serial-over-LAN payload for one target.
 *
 * Output (machine to viewer) is read from the history ring at pos, one
 * packet in flight at a time; pos moves only when the viewer acknowledges,
 * so a byte is either acknowledged or sent again under the same sequence
 * number (which every client recognises as a copy), never sent under a
 * new number twice and never given up while the session lives.
 *
 * Input (viewer to machine) is acknowledged when it is taken into a
 * bounded FIFO that the driver drains.  Above the FIFO's mark a packet is
 * held unacknowledged and new output waits until the line has drained
 * the FIFO below the mark: the only way to slow ipmitool down, which takes
 * any output it gets while it waits for an ACK as the end of that wait.
 * A held packet is never taken on pmbd's initiative, because a client
 * that resends under a new sequence number (ipmitool) would then deliver
 * it twice; it is taken when the client resends it, or when the client
 * acknowledges an output packet that went while it was held (then the
 * client took that packet as its answer and moved on).  See transmit()
 * and input().
 *
 * The driver is called (console_write) only from feed(), which is never
 * re-entered: a driver that reports room (target_console_ready) from
 * inside console_write only makes feed() go round once more.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ipmi.h"
#include "rmcp.h"
#include "sol.h"

#define SOL_BREAK_MS		250
#define SOL_SLOW_RETRY_MS	1000	/* after the configured retries */
#define SOL_HOLD_MAX_MS		15000	/* a held packet nobody resends */
#define SOL_CLOSE_WAIT_MS	1000	/* a stolen instance's last ACK */

int
sol_init(struct sol *l, struct target *t, size_t history)
{
	memset(l, 0, sizeof(*l));
	l->t = t;
	l->rl = (struct log_rl)LOG_RL_INIT("SOL data loss");
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

int
sol_active(const struct sol *l)
{
	return l->s != NULL && !l->closing;
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
		log_rl(&l->rl, "sol %s: %llu bytes of output overwritten "
		    "before the viewer acknowledged them", l->t->name,
		    (unsigned long long)(tail - l->pos));
		l->overrun += tail - l->pos;
		l->pos = tail;
		l->status |= SOL_ST_OVERRUN;
	}
	l->out_len = (uint8_t)ring_read(&l->hist, l->pos, l->out_data,
	    SOL_DATA_MAX);
	return l->out_len;
}

/*
 * The configured retries (parameter 4) come first; after them the packet
 * is not dropped but sent again every second under the same number until
 * it is acknowledged or the session ends: giving up would lose bytes, and
 * sending them again under a new number would duplicate them for a client
 * that had them.
 */
static void
arm_retry(struct core *c, struct sol *l)
{
	uint64_t ms = cfg(l)->retry_interval * 10ull;

	if (ms == 0)
		ms = 10;
	if (l->out_tries >= cfg(l)->retry_count)
		ms = SOL_SLOW_RETRY_MS;
	l->out_due = c->now + ms;
	core_wake(c, l->out_due);
}

/*
 * Send output if there is some and nothing is in flight.  It never shares
 * a packet with an acknowledgement: ipmitool drops the characters of a
 * packet that also acknowledges its own.
 *
 * No new output goes while the input FIFO is above its mark: ipmitool
 * takes any output that reaches it while it waits for an ACK as the end of
 * that wait and sends its next characters, so each output packet lets one
 * input packet in; output must go no faster than the line drains input.
 * Output that goes while a packet is held (the FIFO drained meanwhile)
 * will end the client's wait for it: the held packet is taken when that
 * output is acknowledged (acked()).
 */
static void
transmit(struct core *c, struct sol *l)
{
	uint8_t seq;

	if (l->s == NULL || l->busy || l->closing || l->out_seq != 0 ||
	    l->fifo_len > SOL_FIFO_MARK || fill(l) == 0)
		return;
	seq = l->next_seq;
	l->next_seq = (uint8_t)(l->next_seq % 15 + 1);
	l->out_seq = seq;
	l->out_status = l->status;
	l->out_tries = 0;
	l->status = 0;
	l->send_due = 0;
	if (l->pend_seq != 0)
		l->pend_raced = 1;
	arm_retry(c, l);
	send_pkt(c, l, seq, 0, 0, l->out_status, l->out_data, l->out_len);
}

/* Into the FIFO; -1 (and counted) beyond its hard limit. */
static int
fifo_put(struct sol *l, const uint8_t *p, size_t n)
{
	if (l->fifo_off + l->fifo_len + n > SOL_FIFO_MAX) {
		memmove(l->fifo, l->fifo + l->fifo_off, l->fifo_len);
		l->fifo_off = 0;
	}
	if (l->fifo_len + n > SOL_FIFO_MAX) {
		l->in_dropped += n;
		log_rl(&l->rl, "sol %s: %zu bytes of input over %d dropped",
		    l->t->name, n, SOL_FIFO_MAX);
		return -1;
	}
	memcpy(l->fifo + l->fifo_off + l->fifo_len, p, n);
	l->fifo_len += n;
	return 0;
}

/*
 * Hand the line what it will take.  Never re-entered: console_write may
 * (against the rule in target.h) report room or output on the way; room
 * makes the loop go round again, output waits for transmit().
 */
static void
feed(struct sol *l)
{
	struct target_src *con = &l->t->con;

	if (l->busy) {
		l->again = 1;
		return;
	}
	do {
		l->again = 0;
		while (l->fifo_len > 0) {
			size_t took;

			l->busy = 1;
			took = con->drv->console_write(con,
			    l->fifo + l->fifo_off, l->fifo_len);
			l->busy = 0;
			if (took > l->fifo_len)		/* cleared meanwhile */
				took = l->fifo_len;
			if (took == 0)
				break;
			l->fifo_off += took;
			l->fifo_len -= took;
		}
	} while (l->again && l->fifo_len > 0);
	l->again = 0;
	if (l->fifo_len == 0)
		l->fifo_off = 0;
}

/* Take a console packet: into the FIFO, and acknowledged. */
static void
take(struct core *c, struct sol *l, uint8_t seq, const uint8_t *p,
    size_t n)
{
	(void)fifo_put(l, p, n);
	l->in_seq = seq;
	l->in_acc = (uint8_t)n;
	send_pkt(c, l, 0, seq, (uint8_t)n, 0, NULL, 0);
}

static int
has_room(const struct sol *l, size_t n)
{
	return l->fifo_len + n <= SOL_FIFO_MARK;
}

/* The held packet: taken now if force or if the FIFO has room. */
static void
take_held(struct core *c, struct sol *l, int force)
{
	if (l->pend_seq == 0 || (!force && !has_room(l, l->pend_len)))
		return;
	log_debug("sol %s: held seq %u taken (fifo %zu)", l->t->name,
	    l->pend_seq, l->fifo_len);
	take(c, l, l->pend_seq, l->pend, l->pend_len);
	l->pend_seq = 0;
}

static void
hold(struct core *c, struct sol *l, uint8_t seq, const uint8_t *p, size_t n)
{
	log_debug("sol %s: seq %u held (fifo %zu)", l->t->name, seq,
	    l->fifo_len);
	memcpy(l->pend, p, n);
	l->pend_len = n;
	l->pend_seq = seq;
	l->pend_raced = l->out_seq != 0;
	l->pend_at = c->now;
}

/* Close a stolen instance: tell the console, end its session. */
static void
finish_steal(struct core *c, struct sol *l)
{
	struct session *s = l->s;

	sol_deactivate(c, l, 1);
	s->sol_target = 0;
	session_close(&c->st, s);
}

/* The console acknowledges (or refuses) our packet in flight. */
static void
acked(struct core *c, struct sol *l, uint8_t acc, int nack)
{
	if (nack) {			/* it is full: the same packet later */
		arm_retry(c, l);
		return;
	}
	l->pos += acc < l->out_len ? acc : l->out_len;
	if (l->unseen < l->pos)
		l->unseen = l->pos;
	l->out_seq = 0;
	/*
	 * This packet reached a client waiting for the ACK of the one we
	 * hold: ipmitool ends its wait on it and goes on as if that one was
	 * delivered, so it is.
	 */
	if (l->pend_seq != 0 && l->pend_raced)
		take_held(c, l, 1);
}

/* A console packet with characters (n > 0) under sequence number seq. */
static void
input(struct core *c, struct sol *l, uint8_t seq, const uint8_t *p, size_t n)
{
	if (seq == l->pend_seq) {		/* resent, same number */
		take_held(c, l, 0);
		return;
	}
	if (seq == l->in_seq) {			/* our ACK was lost */
		send_pkt(c, l, 0, seq, l->in_acc, 0, NULL, 0);
		return;
	}
	if (l->pend_seq != 0) {
		if (n == l->pend_len && memcmp(p, l->pend, n) == 0) {
			/*
			 * ipmitool resends what we hold under a new number (its
			 * send_sol numbers every try).  A client that had gone
			 * on would have acknowledged our packet first.
			 */
			l->pend_seq = seq;
			take_held(c, l, 0);
			return;
		}
		/* Different characters: the client counts the held ones
		 * as delivered (it gave up waiting), so they are. */
		take_held(c, l, 1);
	}
	if (has_room(l, n))
		take(c, l, seq, p, n);
	else
		hold(c, l, seq, p, n);
}

void
sol_activate(struct core *c, struct sol *l, struct session *s)
{
	uint64_t tail = ring_tail(&l->hist);

	if (l->s != NULL && l->closing)
		finish_steal(c, l);
	l->s = s;
	l->pos = l->unseen < tail ? tail : l->unseen;
	l->next_seq = 1;
	l->out_seq = 0;
	l->in_seq = 0;
	l->pend_seq = 0;
	l->status = 0;
	l->send_due = 0;
	l->closing = 0;
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
	/*
	 * What the FIFO holds was acknowledged: it still goes to the line
	 * (sol_tick), ahead of the next viewer's input.  A held packet was
	 * not, and goes.
	 */
	l->s = NULL;
	l->out_seq = 0;
	l->pend_seq = 0;
	l->closing = 0;
}

void
sol_steal(struct core *c, struct sol *l)
{
	if (l->s == NULL || l->closing)
		return;
	if (l->out_seq == 0) {
		finish_steal(c, l);
		return;
	}
	l->closing = 1;
	l->closing_due = c->now + SOL_CLOSE_WAIT_MS;
	core_wake(c, l->closing_due);
}

/*
 * Room for the machine's output: without a viewer, the whole history (old
 * bytes are overwritten); with one, what it has not acknowledged is never
 * overwritten, so a driver that can wait (serial, node) waits.
 */
size_t
sol_room(const struct sol *l)
{
	uint64_t used;

	if (l->s == NULL)
		return l->hist.cap;
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
	if (l->s == NULL || l->out_seq != 0 || l->busy)
		return;			/* sent when the ACK comes, or by the
					   caller of feed() */
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

	if (n < 4 || n > 4 + SOL_PAYLOAD_SIZE)
		return;				/* not a SOL packet we take */
	seq = p[0] & 0x0f;
	ack = p[1] & 0x0f;
	acc = p[2];
	op = p[3];
	p += 4;
	n -= 4;
	if (ack != 0 && ack == l->out_seq)
		acked(c, l, acc, op & SOL_OP_NACK);
	if (l->closing) {			/* only its last ACK counts */
		if (l->out_seq == 0)
			finish_steal(c, l);
		return;
	}
	if ((op & SOL_OP_BREAK) && con->drv->console_break != NULL)
		con->drv->console_break(con, SOL_BREAK_MS);
	if (seq != 0 && n == 0) {		/* BREAK, keepalive: ACK */
		l->in_seq = seq;
		l->in_acc = 0;
		send_pkt(c, l, 0, seq, 0, 0, NULL, 0);
	} else if (seq != 0)
		input(c, l, seq, p, n);
	feed(l);
	transmit(c, l);
}

void
sol_ready(struct core *c, struct sol *l)
{
	feed(l);
	if (l->busy)
		return;		/* re-entered: the outer feed() goes on */
	transmit(c, l);
}

/* The packet in flight is due again. */
static void
retransmit(struct core *c, struct sol *l)
{
	if (l->out_tries >= cfg(l)->retry_count) {
		if (l->out_tries == cfg(l)->retry_count)
			log_rl(&l->rl, "sol %s: no ACK for seq %u after %u "
			    "tries; retrying every %d ms", l->t->name,
			    l->out_seq, l->out_tries, SOL_SLOW_RETRY_MS);
		l->slow_retries++;
	}
	l->out_tries++;
	send_pkt(c, l, l->out_seq, 0, 0, l->out_status, l->out_data,
	    l->out_len);
	arm_retry(c, l);
}

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

uint64_t
sol_tick(struct core *c, struct sol *l)
{
	uint64_t next = 0;

	if (l->s == NULL) {		/* acknowledged input still drains */
		feed(l);
		return l->fifo_len > 0 ? c->now + 100 : 0;
	}
	if (l->closing && c->now >= l->closing_due) {
		finish_steal(c, l);	/* the in-flight bytes stay unseen */
		return 0;
	}
	if (l->pend_seq != 0 && c->now - l->pend_at >= SOL_HOLD_MAX_MS) {
		if (l->pend_raced)	/* the client may count it delivered */
			take_held(c, l, 1);
		else {
			log_rl(&l->rl, "sol %s: held input (seq %u) never "
			    "resent; dropped", l->t->name, l->pend_seq);
			l->pend_seq = 0;
		}
	}
	feed(l);
	if (l->fifo_len > 0)
		next = c->now + 100;	/* the driver may not call back */
	if (l->pend_seq != 0)
		next = earliest(next, l->pend_at + SOL_HOLD_MAX_MS);
	if (l->out_seq != 0 && c->now >= l->out_due)
		retransmit(c, l);
	if (l->out_seq == 0 && l->pos < l->hist.head &&
	    (l->send_due == 0 || c->now >= l->send_due))
		transmit(c, l);
	if (l->closing)
		next = earliest(next, l->closing_due);
	if (l->out_seq != 0)
		next = earliest(next, l->out_due);
	else if (l->send_due != 0)
		next = earliest(next, l->send_due);
	return next;
}
