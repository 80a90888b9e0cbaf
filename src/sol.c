/*
 * sol.c: the Serial-over-LAN payload for one target.
 *
 * Output (machine to viewer) is read from the machine's console history
 * (machine_console_read) at pos, one packet in flight at a time; pos moves only when the viewer acknowledges,
 * so a byte is either acknowledged or sent again under the same sequence
 * number (which every client recognises as a copy), never sent under a
 * new number twice and never given up while the session lives.
 *
 * Input (viewer to machine) is acknowledged when it is taken into the
 * model's bounded FIFO that the driver drains (machine_console_write).  Above the FIFO's mark a packet is
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
 * The instance is the console's holder (machine.h): the model tells it of
 * output (sol_output_cb), of input that moved on (sol_ready_cb), and of
 * another face taking the console (sol_taken_cb).
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ipmi.h"
#include "machine.h"
#include "out.h"
#include "sol.h"

#define SOL_BREAK_MS		250
#define SOL_SLOW_RETRY_MS	1000	/* after the configured retries */
#define SOL_HOLD_MAX_MS		15000	/* a held packet nobody resends */
#define SOL_CLOSE_WAIT_MS	1000	/* a stolen instance's last ACK */

static void	sol_output_cb(void *, uint64_t);
static void	sol_ready_cb(void *, uint64_t);
static void	sol_taken_cb(void *, uint64_t);

static const struct machine_console_ops holder = {
	.output	= sol_output_cb,
	.ready	= sol_ready_cb,
	.taken	= sol_taken_cb,
};

void
sol_init(struct sol *l, struct core *c, struct target *t)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->t = t;
	l->rl = (struct log_rl)LOG_RL_INIT("SOL data loss");
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
send_pkt(struct sol *l, uint8_t seq, uint8_t ack, uint8_t acc,
    uint8_t status, const uint8_t *data, size_t len)
{
	uint8_t p[4 + SOL_DATA_MAX];

	p[0] = seq;
	p[1] = ack;
	p[2] = acc;
	p[3] = status;
	if (len > 0)
		memcpy(p + 4, data, len);
	out_session(&l->c->out, l->s, PAYLOAD_SOL, p, 4 + len);
}

/* Take the next packet's worth of output into out_data; 0 if none. */
static size_t
fill(struct sol *l)
{
	uint64_t lost;

	l->out_len = (uint8_t)machine_console_read(l->t, &l->pos, l->out_data,
	    SOL_DATA_MAX, &lost);
	if (lost > 0) {			/* the viewer fell behind the ring */
		log_rl(&l->rl, "sol %s: %llu bytes of output overwritten "
		    "before the viewer acknowledged them", l->t->name,
		    (unsigned long long)lost);
		l->overrun += lost;
		l->status |= SOL_ST_OVERRUN;
	}
	return l->out_len;
}

static void
wake(struct sol *l, uint64_t when)
{
	out_wake(&l->c->out, l->c->now, when);
}

/*
 * The configured retries (parameter 4) come first; after them the packet
 * is not dropped but sent again every second under the same number until
 * it is acknowledged or the session ends: giving up would lose bytes, and
 * sending them again under a new number would duplicate them for a client
 * that had them.
 */
static void
arm_retry(struct sol *l)
{
	uint64_t ms = cfg(l)->retry_interval * 10ull;

	if (ms == 0)
		ms = 10;
	if (l->out_tries >= cfg(l)->retry_count)
		ms = SOL_SLOW_RETRY_MS;
	l->out_due = l->c->now + ms;
	wake(l, l->out_due);
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
transmit(struct sol *l)
{
	uint8_t seq;

	if (l->s == NULL || l->closing || l->out_seq != 0 ||
	    machine_console_queued(l->t) > SOL_FIFO_MARK || fill(l) == 0)
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
	arm_retry(l);
	send_pkt(l, seq, 0, 0, l->out_status, l->out_data, l->out_len);
}

/*
 * Take a console packet: into the model's FIFO, and acknowledged.  Past
 * the FIFO's hard limit (only packets taken past the mark get there) the
 * characters are lost: counted and logged.
 */
static void
take(struct sol *l, uint8_t seq, const uint8_t *p, size_t n)
{
	if (machine_console_write(l->t, l->c->now, p, n) != n) {
		l->in_dropped += n;
		log_rl(&l->rl, "sol %s: %zu bytes of input dropped: the "
		    "line takes nothing", l->t->name, n);
	}
	l->in_seq = seq;
	l->in_acc = (uint8_t)n;
	send_pkt(l, 0, seq, (uint8_t)n, 0, NULL, 0);
}

static int
has_room(const struct sol *l, size_t n)
{
	return machine_console_queued(l->t) + n <= SOL_FIFO_MARK;
}

/* The held packet: taken now if force or if the FIFO has room. */
static void
take_held(struct sol *l, int force)
{
	if (l->pend_seq == 0 || (!force && !has_room(l, l->pend_len)))
		return;
	log_debug("sol %s: held seq %u taken (fifo %zu)", l->t->name,
	    l->pend_seq, machine_console_queued(l->t));
	take(l, l->pend_seq, l->pend, l->pend_len);
	l->pend_seq = 0;
}

static void
hold(struct sol *l, uint8_t seq, const uint8_t *p, size_t n)
{
	log_debug("sol %s: seq %u held (fifo %zu)", l->t->name, seq,
	    machine_console_queued(l->t));
	memcpy(l->pend, p, n);
	l->pend_len = n;
	l->pend_seq = seq;
	l->pend_raced = l->out_seq != 0;
	l->pend_at = l->c->now;
}

/* Close a stolen instance: tell the console, end its session. */
static void
finish_steal(struct sol *l)
{
	struct session *s = l->s;

	sol_deactivate(l, 1);
	s->sol_target = 0;
	session_close(&l->c->st, s);
}

/* The console acknowledges (or refuses) our packet in flight. */
static void
acked(struct sol *l, uint8_t acc, int nack)
{
	if (nack) {			/* it is full: the same packet later */
		arm_retry(l);
		return;
	}
	l->pos += acc < l->out_len ? acc : l->out_len;
	machine_console_ack(l->t, l->pos);
	l->out_seq = 0;
	/*
	 * This packet reached a client waiting for the ACK of the one we
	 * hold: ipmitool ends its wait on it and goes on as if that one was
	 * delivered, so it is.
	 */
	if (l->pend_seq != 0 && l->pend_raced)
		take_held(l, 1);
}

/* A console packet with characters (n > 0) under sequence number seq. */
static void
input(struct sol *l, uint8_t seq, const uint8_t *p, size_t n)
{
	if (seq == l->pend_seq) {		/* resent, same number */
		take_held(l, 0);
		return;
	}
	if (seq == l->in_seq) {			/* our ACK was lost */
		send_pkt(l, 0, seq, l->in_acc, 0, NULL, 0);
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
			take_held(l, 0);
			return;
		}
		/* Different characters: the client counts the held ones
		 * as delivered (it gave up waiting), so they are. */
		take_held(l, 1);
	}
	if (has_room(l, n))
		take(l, seq, p, n);
	else
		hold(l, seq, p, n);
}

int
sol_activate(struct sol *l, struct session *s)
{
	struct machine_who who = { "ipmi", NULL, NULL };
	int r;

	if (l->s != NULL && l->closing)
		finish_steal(l);
	r = machine_console_attach(l->t, l->c->now, &holder, l, &who);
	if (r != MACHINE_OK)
		return r;
	l->s = s;
	l->pos = machine_console_start(l->t);
	l->next_seq = 1;
	l->out_seq = 0;
	l->in_seq = 0;
	l->pend_seq = 0;
	l->status = 0;
	l->send_due = 0;
	l->closing = 0;
	/* Send what the machine printed while nobody watched. */
	if (l->pos < machine_console_head(l->t)) {
		l->send_due = l->c->now + 50;	/* after the activation reply */
		wake(l, l->send_due);
	}
	return 0;
}

void
sol_deactivate(struct sol *l, int notify)
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
		send_pkt(l, 0, 0, 0, SOL_ST_NACK | SOL_ST_DEACTIVATING, NULL,
		    0);
		out_pong(&l->c->out, s->ep, &s->peer, 0, 0);
	}
	/* Acknowledged input stays in the model's FIFO and still goes to
	 * the line, ahead of the next viewer's; a held packet was not
	 * acknowledged, and goes. */
	machine_console_detach(l->t, l);
	l->s = NULL;
	l->out_seq = 0;
	l->pend_seq = 0;
	l->closing = 0;
}

void
sol_steal(struct sol *l)
{
	if (l->s == NULL || l->closing)
		return;
	if (l->out_seq == 0) {
		finish_steal(l);
		return;
	}
	l->closing = 1;
	l->closing_due = l->c->now + SOL_CLOSE_WAIT_MS;
	wake(l, l->closing_due);
}

/* The machine printed (the model tells its holder). */
static void
sol_output_cb(void *arg, uint64_t now)
{
	struct sol *l = arg;

	if (now > l->c->now)
		l->c->now = now;
	if (l->s == NULL || l->out_seq != 0)
		return;			/* sent when the ACK comes */
	if (machine_console_head(l->t) - l->pos >= cfg(l)->threshold)
		transmit(l);
	else if (l->send_due == 0) {
		l->send_due = l->c->now + cfg(l)->accum * 5ull;
		wake(l, l->send_due);
	}
}

/* Input moved on to the line: output may go again (transmit()). */
static void
sol_ready_cb(void *arg, uint64_t now)
{
	struct sol *l = arg;

	if (now > l->c->now)
		l->c->now = now;
	transmit(l);
}

/* Another face (the web console) took the console: as a steal. */
static void
sol_taken_cb(void *arg, uint64_t now)
{
	struct sol *l = arg;
	struct session *s = l->s;

	if (now > l->c->now)
		l->c->now = now;
	if (s == NULL)
		return;
	l->closing = 0;
	sol_deactivate(l, 1);
	s->sol_target = 0;
	session_close(&l->c->st, s);
}

void
sol_input(struct sol *l, const uint8_t *p, size_t n)
{
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
		acked(l, acc, op & SOL_OP_NACK);
	if (l->closing) {			/* only its last ACK counts */
		if (l->out_seq == 0)
			finish_steal(l);
		return;
	}
	if (op & SOL_OP_BREAK)
		(void)machine_console_break(l->t, SOL_BREAK_MS);
	if (seq != 0 && n == 0) {		/* BREAK, keepalive: ACK */
		l->in_seq = seq;
		l->in_acc = 0;
		send_pkt(l, 0, seq, 0, 0, NULL, 0);
	} else if (seq != 0)
		input(l, seq, p, n);
	transmit(l);
}

/* The packet in flight is due again. */
static void
retransmit(struct sol *l)
{
	if (l->out_tries >= cfg(l)->retry_count) {
		if (l->out_tries == cfg(l)->retry_count)
			log_rl(&l->rl, "sol %s: no ACK for seq %u after %u "
			    "tries; retrying every %d ms", l->t->name,
			    l->out_seq, l->out_tries, SOL_SLOW_RETRY_MS);
		l->slow_retries++;
	}
	l->out_tries++;
	send_pkt(l, l->out_seq, 0, 0, l->out_status, l->out_data, l->out_len);
	arm_retry(l);
}

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

uint64_t
sol_tick(struct sol *l)
{
	uint64_t now = l->c->now, next = 0;

	if (l->s == NULL)
		return 0;
	if (l->closing && now >= l->closing_due) {
		finish_steal(l);	/* the in-flight bytes stay unseen */
		return 0;
	}
	if (l->pend_seq != 0 && now - l->pend_at >= SOL_HOLD_MAX_MS) {
		if (l->pend_raced)	/* the client may count it delivered */
			take_held(l, 1);
		else {
			log_rl(&l->rl, "sol %s: held input (seq %u) never "
			    "resent; dropped", l->t->name, l->pend_seq);
			l->pend_seq = 0;
		}
	}
	if (l->pend_seq != 0)
		next = l->pend_at + SOL_HOLD_MAX_MS;
	if (l->out_seq != 0 && now >= l->out_due)
		retransmit(l);
	if (l->out_seq == 0 && l->pos < machine_console_head(l->t) &&
	    (l->send_due == 0 || now >= l->send_due))
		transmit(l);
	if (l->closing)
		next = earliest(next, l->closing_due);
	if (l->out_seq != 0)
		next = earliest(next, l->out_due);
	else if (l->send_due != 0)
		next = earliest(next, l->send_due);
	return next;
}
