/*
 * node_power.c: the buttons and the generic pins, the part of the node
 * that must fail safe (docs/node-protocol.md, "Fail-safe rules").
 *
 * Every press is a pulse clamped to NP_PULSE_MIN_MS..NP_PULSE_MAX_MS.  Its
 * release is a board alarm armed *before* the pin is asserted; the alarm
 * fires in interrupt context and releases the pin itself, so neither the
 * link nor a hung main loop can hold a button.  The main loop only notices
 * afterwards (fired) to clear busy and report STATE.  PIN_WRITE reverts
 * the same way.  Nothing here is persisted.
 */
#include <string.h>

#include "board.h"
#include "node.h"

#define REACHED(now, t)	((int32_t)((now) - (t)) >= 0)

/* The one node the alarms act on (one node per firmware). */
static struct node *volatile alarm_node;

static int
out_level(const struct node *n, int asserted)
{
	return n->conf.pins.out_active_low == 1 ? !asserted : asserted;
}

/* Interrupt context: release the line, tell the main loop. */
static void
line_alarm(unsigned id)
{
	struct node *n = alarm_node;
	struct node_line *l;

	if (n == NULL || id > NP_LINE_RESET)
		return;
	l = &n->line[id];
	if (l->pin != NP_PIN_NONE)
		board_pin_set(l->pin, out_level(n, 0));
	atomic_store(&l->fired, 1);
}

/* Interrupt context: put a written pin back. */
static void
revert_alarm(unsigned id)
{
	struct node *n = alarm_node;
	struct node_revert *r;

	if (n == NULL || id < NODE_ALARM_REVERT(0) ||
	    id >= NODE_ALARM_REVERT(NODE_REVERTS))
		return;
	r = &n->revert[id - NODE_ALARM_REVERT(0)];
	if (r->pin != NP_PIN_NONE)
		board_pin_set(r->pin, r->level);
	atomic_store(&r->fired, 1);
}

/* The sense pin's input mode: its pull as configured or as the polarity
 * wants (node.h, enum node_pull). */
int
node_sense_mode(const struct node_conf *c)
{
	switch (c->sense_pull) {
	case NODE_PULL_UP:
		return NP_PIN_IN_UP;
	case NODE_PULL_DOWN:
		return NP_PIN_IN_DOWN;
	case NODE_PULL_NONE:
		return NP_PIN_IN;
	default:
		return c->pins.sense_active_low == 1 ? NP_PIN_IN_UP :
		    NP_PIN_IN_DOWN;
	}
}

void
node_power_init(struct node *n)
{
	const struct np_pins *p = &n->conf.pins;
	int i;

	alarm_node = n;
	n->line[NP_LINE_POWER].pin = p->power;
	n->line[NP_LINE_RESET].pin = p->reset;
	for (i = 0; i < 2; i++) {
		board_alarm_cancel(NODE_ALARM_LINE(i));
		atomic_store(&n->line[i].fired, 0);
		n->line[i].busy = 0;
		if (n->line[i].pin == NP_PIN_NONE)
			continue;
		/* Released before it becomes an output. */
		board_pin_set(n->line[i].pin, out_level(n, 0));
		board_pin_mode(n->line[i].pin, NP_PIN_OUT);
	}
	if (p->sense != NP_PIN_NONE)
		board_pin_mode(p->sense, node_sense_mode(&n->conf));
	memset(n->pin_mode, 0xff, sizeof(n->pin_mode));
	for (i = 0; i < NODE_REVERTS; i++) {
		board_alarm_cancel(NODE_ALARM_REVERT(i));
		n->revert[i].pin = NP_PIN_NONE;
		atomic_store(&n->revert[i].fired, 0);
	}
}

/*
 * A press, hold, cycle or pin revert is in progress: its release depends
 * on an alarm (flash writes must wait, docs/firmware.md).
 */
int
node_busy(struct node *n)
{
	for (int i = 0; i < 2; i++)
		if (n->line[i].busy && !atomic_load(&n->line[i].fired))
			return 1;
	if (n->cycle != 0)
		return 1;
	for (int i = 0; i < NODE_REVERTS; i++)
		if (n->revert[i].pin != NP_PIN_NONE &&
		    !atomic_load(&n->revert[i].fired))
			return 1;
	return 0;
}

void
node_release_all(struct node *n)
{
	struct node_revert *r;
	int i;

	for (i = 0; i < 2; i++) {
		board_alarm_cancel(NODE_ALARM_LINE(i));
		if (n->line[i].pin != NP_PIN_NONE)
			board_pin_set(n->line[i].pin, out_level(n, 0));
		n->line[i].busy = 0;
	}
	n->cycle = 0;
	for (i = 0; i < NODE_REVERTS; i++) {
		r = &n->revert[i];
		board_alarm_cancel(NODE_ALARM_REVERT(i));
		if (r->pin != NP_PIN_NONE)
			board_pin_set(r->pin, r->level);
		r->pin = NP_PIN_NONE;
	}
}

uint8_t
node_power_sensed(const struct node *n)
{
	const struct np_pins *p = &n->conf.pins;
	int v;

	if (p->sense == NP_PIN_NONE)
		return NP_PS_UNKNOWN;
	v = board_pin_get(p->sense);
	if (p->sense_active_low == 1)
		v = !v;
	return v ? NP_PS_ON : NP_PS_OFF;
}

/*
 * Press a line for ms (clamped): NP_OK, NP_E_BUSY or NP_E_UNSUPP.  The
 * release alarm is armed first; no alarm, no press.
 */
int
node_press(struct node *n, unsigned line, uint32_t ms, uint32_t now)
{
	struct node_line *l;

	(void)now;
	if (line > NP_LINE_RESET)
		return NP_E_ARG;
	l = &n->line[line];
	if (l->pin == NP_PIN_NONE)
		return NP_E_UNSUPP;
	if (l->busy)
		return NP_E_BUSY;
	l->ms = np_clamp_pulse(ms);
	atomic_store(&l->fired, 0);
	if (board_alarm_arm(NODE_ALARM_LINE(line), l->ms, line_alarm) != 0)
		return NP_E_BUSY;
	l->busy = 1;
	board_pin_set(l->pin, out_level(n, 1));
	if (atomic_load(&l->fired))		/* the alarm came first */
		board_pin_set(l->pin, out_level(n, 0));
	return NP_OK;
}

/* Press for a power action: the RESULT as the table says. */
static int
press_result(struct node *n, uint32_t seq, unsigned line, uint32_t ms,
    uint8_t flags, uint32_t now)
{
	int st;

	st = node_press(n, line, ms, now);
	if (st != NP_OK) {
		node_result(n, seq, (uint8_t)st, 0, 0);
		return st;
	}
	node_result(n, seq, NP_OK, flags | NP_RF_PRESSED, n->line[line].ms);
	return NP_OK;
}

void
node_power_request(struct node *n, const struct np_msg *m, uint32_t now)
{
	uint8_t ps = node_power_sensed(n), blind;

	blind = ps == NP_PS_UNKNOWN ? NP_RF_UNSENSED : 0;
	if (m->type == NP_PULSE) {
		if (m->u.pulse.line == NP_LINE_POWER && n->cycle) {
			node_result(n, m->seq, NP_E_BUSY, 0, 0);
			return;
		}
		press_result(n, m->seq, m->u.pulse.line, m->u.pulse.ms, 0,
		    now);
		return;
	}
	if (m->u.power.action != NP_PWR_RESET &&
	    n->line[NP_LINE_POWER].pin == NP_PIN_NONE) {
		node_result(n, m->seq, NP_E_UNSUPP, 0, 0);
		return;
	}
	if (m->u.power.action != NP_PWR_RESET && n->cycle) {
		node_result(n, m->seq, NP_E_BUSY, 0, 0);
		return;
	}
	switch (m->u.power.action) {
	case NP_PWR_ON:
		if (ps == NP_PS_ON)
			node_result(n, m->seq, NP_OK, NP_RF_NOTHING, 0);
		else
			press_result(n, m->seq, NP_LINE_POWER, n->press_ms,
			    blind, now);
		break;
	case NP_PWR_OFF:
		if (ps == NP_PS_OFF)
			node_result(n, m->seq, NP_OK, NP_RF_NOTHING, 0);
		else
			press_result(n, m->seq, NP_LINE_POWER, n->hold_ms,
			    blind, now);
		break;
	case NP_PWR_SOFT:
		if (ps == NP_PS_OFF)
			node_result(n, m->seq, NP_E_STATE, 0, 0);
		else
			press_result(n, m->seq, NP_LINE_POWER, n->press_ms,
			    blind, now);
		break;
	case NP_PWR_RESET:
		press_result(n, m->seq, NP_LINE_RESET, n->reset_ms, blind,
		    now);
		break;
	case NP_PWR_CYCLE:
		if (ps == NP_PS_OFF) {
			press_result(n, m->seq, NP_LINE_POWER, n->press_ms, 0,
			    now);
			break;
		}
		if (press_result(n, m->seq, NP_LINE_POWER, n->hold_ms, blind,
		    now) != NP_OK)
			break;
		n->cycle = blind ? 2 : 1;
		n->cycle_t = now + n->line[NP_LINE_POWER].ms +
		    (blind ? NODE_CYCLE_BLIND_MS : NODE_CYCLE_WAIT_MS);
		break;
	default:
		node_result(n, m->seq, NP_E_ARG, 0, 0);
		break;
	}
}

/*
 * Cycle: 1, the hold is on or done, waiting (until cycle_t) for the
 * machine to be sensed off; 3, off and released, press after a short gap;
 * 2, no sense pin: press at cycle_t (2 s after the hold).
 */
static void
poll_cycle(struct node *n, uint32_t now)
{
	if (n->cycle == 0 || n->line[NP_LINE_POWER].busy)
		return;
	switch (n->cycle) {
	case 1:
		if (node_power_sensed(n) == NP_PS_OFF) {
			n->cycle = 3;
			n->cycle_t = now + NODE_CYCLE_GAP_MS;
		} else if (REACHED(now, n->cycle_t))
			n->cycle = 0;		/* never went off: give up */
		break;
	case 2:
	case 3:
		if (REACHED(now, n->cycle_t)) {
			n->cycle = 0;
			(void)node_press(n, NP_LINE_POWER, n->press_ms, now);
		}
		break;
	}
}

void
node_power_poll(struct node *n, uint32_t now)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (n->line[i].busy && atomic_load(&n->line[i].fired))
			n->line[i].busy = 0;
	}
	for (i = 0; i < NODE_REVERTS; i++) {
		if (n->revert[i].pin != NP_PIN_NONE &&
		    atomic_load(&n->revert[i].fired))
			n->revert[i].pin = NP_PIN_NONE;
	}
	poll_cycle(n, now);
	node_power_state(n);
}

/* STATE is due when the sensed power or a button changed. */
void
node_power_state(struct node *n)
{
	uint8_t ps, pressed = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (n->line[i].busy)
			pressed |= (uint8_t)(1u << i);
	ps = node_power_sensed(n);
	if (ps != n->last_power || pressed != n->last_pressed) {
		n->last_power = ps;
		n->last_pressed = pressed;
		n->state_dirty = 1;
	}
}

/* Pins the generic actions may not set up or write. */
static int
reserved(const struct node *n, uint8_t pin)
{
	const struct np_pins *p = &n->conf.pins;

	return pin == p->power || pin == p->reset || pin == p->sense ||
	    pin == p->uart_tx || pin == p->uart_rx || pin == p->led;
}

static void
pin_write(struct node *n, const struct np_msg *m)
{
	const struct np_pin_req *q = &m->u.pin;
	struct node_revert *r = NULL;
	uint8_t prev;
	int i;

	if (q->pin == n->conf.pins.power || q->pin == n->conf.pins.reset ||
	    reserved(n, q->pin)) {
		node_result(n, m->seq, NP_E_REFUSED, 0, 0);
		return;
	}
	if (n->pin_mode[q->pin] != NP_PIN_OUT) {
		node_result(n, m->seq, NP_E_STATE, 0, 0);
		return;
	}
	/* A pin written again keeps its first level to go back to. */
	for (i = 0; i < NODE_REVERTS && r == NULL; i++)
		if (n->revert[i].pin == q->pin)
			r = &n->revert[i];
	if (r != NULL)
		prev = r->level;
	else {
		prev = (uint8_t)board_pin_get(q->pin);
		for (i = 0; i < NODE_REVERTS && r == NULL; i++)
			if (n->revert[i].pin == NP_PIN_NONE)
				r = &n->revert[i];
	}
	if (r == NULL) {
		node_result(n, m->seq, NP_E_BUSY, 0, 0);
		return;
	}
	i = (int)(r - n->revert);
	r->level = prev;
	atomic_store(&r->fired, 0);
	r->pin = q->pin;
	if (board_alarm_arm(NODE_ALARM_REVERT(i), q->revert_ms,
	    revert_alarm) != 0) {
		r->pin = NP_PIN_NONE;
		node_result(n, m->seq, NP_E_BUSY, 0, 0);
		return;
	}
	board_pin_set(q->pin, q->level);
	if (atomic_load(&r->fired))
		board_pin_set(q->pin, prev);
	node_result(n, m->seq, NP_OK, 0, q->level);
}

void
node_pin_request(struct node *n, const struct np_msg *m)
{
	const struct np_pin_req *q = &m->u.pin;

	if (!board_pin_ok(q->pin) || q->pin >= NODE_PINS) {
		node_result(n, m->seq, NP_E_ARG, 0, 0);
		return;
	}
	switch (m->type) {
	case NP_PIN_SETUP:
		if (reserved(n, q->pin)) {
			node_result(n, m->seq, NP_E_REFUSED, 0, 0);
			return;
		}
		if (q->mode == NP_PIN_OUT)
			board_pin_set(q->pin, 0);	/* starts low */
		board_pin_mode(q->pin, q->mode);
		n->pin_mode[q->pin] = q->mode;
		node_result(n, m->seq, NP_OK, 0, 0);
		break;
	case NP_PIN_READ:
		node_result(n, m->seq, NP_OK, 0,
		    (uint32_t)board_pin_get(q->pin));
		break;
	case NP_PIN_WRITE:
		pin_write(n, m);
		break;
	}
}
