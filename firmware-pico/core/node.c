/*
 * node.c: the node's session with pmbd (docs/node-protocol.md): connect
 * with backoff, HELLO, WELCOME, heartbeats, frames in and out, requests
 * dispatched to node_power.c and node_console.c, remembered RESULTs.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "node.h"

#define ELAPSED(now, t)	((uint32_t)((now) - (t)))
#define REACHED(now, t)	((int32_t)((now) - (t)) >= 0)

static void	 link_close(struct node *, uint32_t now);

void
node_init(struct node *n, const struct node_conf *c,
    const struct link_ops *link, void *link_ctx, uint32_t now)
{
	memset(n, 0, sizeof(*n));
	n->conf = *c;
	n->conf.name[NP_TEXT_MAX - 1] = '\0';
	n->link = link;
	n->link_ctx = link_ctx;
	n->boot_id = board_random();
	n->reset_cause = board_reset_cause();
	n->boot_ms = now;
	n->press_ms = np_clamp_pulse(c->press_ms ? c->press_ms : 300);
	n->hold_ms = np_clamp_pulse(c->hold_ms ? c->hold_ms : 5000);
	n->reset_ms = np_clamp_pulse(c->reset_ms ? c->reset_ms : 200);
	n->heartbeat_ms = NP_HEARTBEAT_MS;
	n->dead_ms = NP_DEAD_MS;
	n->state = NODE_DOWN;
	n->backoff = NODE_BACKOFF_MIN;
	n->next_try = now;		/* first attempt at once */
	node_power_init(n);		/* outputs released first */
	node_con_init(n);
	n->last_power = node_power_sensed(n);
}

void
node_shutdown(struct node *n)
{
	node_release_all(n);
	if (n->state != NODE_DOWN)
		n->link->close(n->link_ctx);
	n->state = NODE_DOWN;
}

/* Queue one frame; -1 (and the link is closed) if it does not fit. */
int
node_send(struct node *n, const struct np_msg *m)
{
	size_t len;

	if (n->state == NODE_DOWN || n->state == NODE_OPENING)
		return -1;
	len = np_encode(n->out + n->out_len, sizeof(n->out) - n->out_len, m);
	if (len == 0) {
		/* Not room: the peer does not read; start over. */
		link_close(n, n->now);
		return -1;
	}
	n->out_len += len;
	return 0;
}

void
node_result(struct node *n, uint32_t seq, uint8_t status, uint8_t flags,
    uint32_t value)
{
	struct np_msg m;
	struct node_memo *mm;

	memset(&m, 0, sizeof(m));
	m.type = NP_RESULT;
	m.seq = seq;
	m.u.result.status = status;
	m.u.result.flags = flags;
	m.u.result.power = node_power_sensed(n);
	m.u.result.value = value;
	mm = &n->memo[n->memo_next];
	n->memo_next = (n->memo_next + 1) % NODE_RESULTS;
	mm->used = 1;
	mm->seq = seq;
	mm->res = m.u.result;
	node_send(n, &m);
}

void
node_send_state(struct node *n)
{
	struct np_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NP_STATE;
	m.u.state.power = n->last_power;
	m.u.state.pressed = n->last_pressed;
	node_send(n, &m);
}

static void
send_sensors(struct node *n, uint32_t seq, uint32_t now)
{
	struct np_msg m;
	struct board_info bi;

	memset(&bi, 0, sizeof(bi));
	board_info(&bi);
	memset(&m, 0, sizeof(m));
	m.type = NP_SENSORS;
	m.seq = seq;
	m.u.sensors.temp_cdeg = bi.temp_cdeg;
	m.u.sensors.vsys_mv = bi.vsys_mv;
	m.u.sensors.rssi = bi.rssi;
	m.u.sensors.uptime_s = ELAPSED(now, n->boot_ms) / 1000;
	m.u.sensors.free_mem = bi.free_mem;
	m.u.sensors.reset_cause = n->reset_cause;
	m.u.sensors.con_lost = n->con_lost;
	node_send(n, &m);
	n->sensors_t = now + NODE_SENSORS_MS;
}

static void
send_text(struct node *n, uint8_t type, uint32_t seq, const char *s)
{
	struct np_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.seq = seq;
	m.u.text.s = s;
	m.u.text.len = (uint16_t)strnlen(s, NP_DATA_MAX);
	node_send(n, &m);
}

static void
send_info(struct node *n, uint32_t seq, uint32_t now)
{
	struct board_info bi;
	char s[384];

	memset(&bi, 0, sizeof(bi));
	board_info(&bi);
	snprintf(s, sizeof(s),
	    "version=%s\nboard=%s\nname=%s\nfree_mem=%lu\nuptime_s=%lu\n"
	    "reset_cause=%u\nboot_id=%08lx\nlinks=%lu\ncon_lost=%lu\n"
	    "press_ms=%u\nhold_ms=%u\nreset_ms=%u\n",
	    NODE_FW_VERSION, board_name(), n->conf.name,
	    (unsigned long)bi.free_mem,
	    (unsigned long)(ELAPSED(now, n->boot_ms) / 1000),
	    n->reset_cause, (unsigned long)n->boot_id,
	    (unsigned long)n->links, (unsigned long)n->con_lost,
	    n->press_ms, n->hold_ms, n->reset_ms);
	send_text(n, NP_INFO, seq, s);
}

static uint32_t
caps(const struct node *n)
{
	const struct np_pins *p = &n->conf.pins;
	uint32_t c = NP_CAP_PINS | NP_CAP_SENSORS | NP_CAP_WATCHDOG;

	if (p->power != NP_PIN_NONE)
		c |= NP_CAP_POWER;
	if (p->reset != NP_PIN_NONE)
		c |= NP_CAP_RESET;
	if (p->sense != NP_PIN_NONE)
		c |= NP_CAP_SENSE;
	if (p->uart_tx != NP_PIN_NONE || p->uart_rx != NP_PIN_NONE)
		c |= NP_CAP_CONSOLE;
	return c;
}

static void
send_hello(struct node *n)
{
	struct np_msg m;
	struct np_hello *h = &m.u.hello;

	memset(&m, 0, sizeof(m));
	m.type = NP_HELLO;
	h->proto = NP_VERSION;
	snprintf(h->board, sizeof(h->board), "%s", board_name());
	snprintf(h->fw, sizeof(h->fw), "%s", NODE_FW_VERSION);
	memcpy(h->name, n->conf.name, sizeof(h->name));
	h->caps = caps(n);
	h->reset_cause = n->reset_cause;
	h->boot_id = n->boot_id;
	h->pins = n->conf.pins;
	h->press_ms = n->press_ms;
	h->hold_ms = n->hold_ms;
	h->reset_ms = n->reset_ms;
	h->power = node_power_sensed(n);
	node_con_hello(n, h);
	node_send(n, &m);
}

/* Next wait: the step, jittered to 75..125 %, then the step doubles. */
static void
schedule_retry(struct node *n, uint32_t now)
{
	uint32_t lo = n->backoff * 3 / 4, span = n->backoff / 2;

	n->next_try = now + lo + (span ? board_random() % (span + 1) : 0);
	n->backoff *= 2;
	if (n->backoff > NODE_BACKOFF_MAX)
		n->backoff = NODE_BACKOFF_MAX;
}

static void
link_close(struct node *n, uint32_t now)
{
	if (n->state == NODE_DOWN)
		return;
	n->link->close(n->link_ctx);
	n->state = NODE_DOWN;
	n->out_len = 0;
	n->in_len = 0;
	schedule_retry(n, now);
}

static void
on_welcome(struct node *n, const struct np_welcome *w, uint32_t now)
{
	if (!n->have_daemon || w->daemon_id != n->daemon_id)
		memset(n->memo, 0, sizeof(n->memo));	/* another daemon */
	n->have_daemon = 1;
	n->daemon_id = w->daemon_id;
	n->heartbeat_ms = w->heartbeat_ms;
	n->dead_ms = w->dead_ms;
	if (w->press_ms)
		n->press_ms = np_clamp_pulse(w->press_ms);
	if (w->hold_ms)
		n->hold_ms = np_clamp_pulse(w->hold_ms);
	if (w->reset_ms)
		n->reset_ms = np_clamp_pulse(w->reset_ms);
	n->state = NODE_UP;
	n->up_since = now;
	n->links++;
	n->backoff = NODE_BACKOFF_MIN;
	n->last_power = node_power_sensed(n);
	node_con_welcome(n, w);
	node_send_state(n);
	send_sensors(n, 0, now);
}

/* A request seen before: its RESULT again, flagged, nothing done. */
static int
replayed(struct node *n, uint32_t seq)
{
	struct np_msg m;
	int i;

	for (i = 0; i < NODE_RESULTS; i++) {
		if (!n->memo[i].used || n->memo[i].seq != seq)
			continue;
		memset(&m, 0, sizeof(m));
		m.type = NP_RESULT;
		m.seq = seq;
		m.u.result = n->memo[i].res;
		m.u.result.flags |= NP_RF_REPLAY;
		node_send(n, &m);
		return 1;
	}
	return 0;
}

static void
request(struct node *n, const struct np_msg *m, uint32_t now)
{
	switch (m->type) {
	case NP_PING:
	case NP_STATE:
	case NP_RESULT:
	case NP_SENSORS:
	case NP_ACTIONS:
	case NP_INFO:
	case NP_HELLO:
		return;
	case NP_WELCOME:	/* only once */
		link_close(n, now);
		return;
	case NP_CON_DATA:
		node_con_data(n, &m->u.con);
		return;
	case NP_CON_ACK:
		node_con_ack(n, &m->u.ack);
		return;
	case NP_SENSORS_GET:
		send_sensors(n, m->seq, now);
		return;
	case NP_ACTIONS_GET:
		send_text(n, NP_ACTIONS, m->seq,
		    "power-on,power-off,power-cycle,power-reset,power-soft,"
		    "pulse,identify,sensors,console,console-set,"
		    "console-break,pin-setup,pin-read,pin-write,info,reboot");
		return;
	case NP_INFO_GET:
		send_info(n, m->seq, now);
		return;
	}

	/* Requests that act: at most once per seq. */
	if (replayed(n, m->seq))
		return;
	switch (m->type) {
	case NP_POWER:
	case NP_PULSE:
		node_power_request(n, m, now);
		break;
	case NP_PIN_SETUP:
	case NP_PIN_READ:
	case NP_PIN_WRITE:
		node_pin_request(n, m);
		break;
	case NP_CON_SET:
		board_uart_config(m->u.set.baud, m->u.set.data_bits,
		    m->u.set.parity, m->u.set.stop_bits);
		node_result(n, m->seq, NP_OK, 0, 0);
		break;
	case NP_CON_BREAK:
		board_uart_break(m->u.break_ms);
		node_result(n, m->seq, NP_OK, 0, m->u.break_ms);
		break;
	case NP_IDENTIFY:
		n->ident = m->u.identify_s;
		n->ident_until = now + (uint32_t)m->u.identify_s * 1000;
		node_result(n, m->seq, NP_OK, 0, m->u.identify_s);
		break;
	case NP_REBOOT:
		if (m->u.reboot_magic != NP_REBOOT_MAGIC) {
			node_result(n, m->seq, NP_E_ARG, 0, 0);
			break;
		}
		node_result(n, m->seq, NP_OK, 0, 0);
		n->reboot_pending = 1;	/* after the RESULT went out */
		n->reboot_t = now + 200;
		break;
	default:
		node_result(n, m->seq, NP_E_UNSUPP, 0, 0);
		break;
	}
}

/* Frames received: decode each; one that does not decode ends the link. */
static void
input(struct node *n, uint32_t now)
{
	static struct np_msg m;		/* off the stack (docs/firmware.md);
					   never re-entered */
	size_t off = 0;
	int len;

	while (n->state == NODE_HELLO || n->state == NODE_UP) {
		len = np_frame_len(n->in + off, n->in_len - off);
		if (len < 0) {
			link_close(n, now);
			return;
		}
		if (len == 0 || (size_t)len > n->in_len - off)
			break;			/* not all here yet */
		if (np_decode(n->in + off, (size_t)len, &m) != 0) {
			link_close(n, now);
			return;
		}
		off += (size_t)len;
		if (n->state == NODE_HELLO) {
			if (m.type != NP_WELCOME || m.u.welcome.proto !=
			    NP_VERSION) {
				link_close(n, now);
				return;
			}
			on_welcome(n, &m.u.welcome, now);
		} else
			request(n, &m, now);
	}
	if (n->state == NODE_DOWN)
		return;
	memmove(n->in, n->in + off, n->in_len - off);
	n->in_len -= off;
}

/* Move bytes both ways; -1 if the link failed. */
static int
pump(struct node *n, uint32_t now)
{
	long r;

	for (;;) {
		if (n->in_len == sizeof(n->in))
			break;
		r = n->link->recv(n->link_ctx, n->in + n->in_len,
		    sizeof(n->in) - n->in_len);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n->in_len += (size_t)r;
		n->last_rx = now;
		input(n, now);
		if (n->state == NODE_DOWN)
			return 0;
	}
	return 0;
}

static int
flush(struct node *n, uint32_t now)
{
	long r;

	while (n->out_len > 0) {
		r = n->link->send(n->link_ctx, n->out, n->out_len);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		memmove(n->out, n->out + r, n->out_len - (size_t)r);
		n->out_len -= (size_t)r;
		n->last_tx = now;
	}
	return 0;
}

static void
poll_link(struct node *n, uint32_t now)
{
	struct np_msg m;
	int r;

	switch (n->state) {
	case NODE_DOWN:
		if (!REACHED(now, n->next_try))
			return;
		if (n->link->open(n->link_ctx) != 0) {
			schedule_retry(n, now);
			return;
		}
		n->state = NODE_OPENING;
		n->opened = now;
		/* FALLTHROUGH */
	case NODE_OPENING:
		r = n->link->poll(n->link_ctx);
		if (r < 0 || (r == 0 && ELAPSED(now, n->opened) >=
		    NODE_OPEN_MS)) {
			link_close(n, now);
			return;
		}
		if (r == 0)
			return;
		n->state = NODE_HELLO;
		n->out_len = n->in_len = 0;
		n->last_rx = n->last_tx = now;
		send_hello(n);
		break;
	case NODE_HELLO:
		if (ELAPSED(now, n->opened) >= NODE_OPEN_MS) {
			link_close(n, now);
			return;
		}
		break;
	case NODE_UP:
		break;
	}

	if (pump(n, now) != 0) {
		link_close(n, now);
		return;
	}
	if (n->state != NODE_UP) {
		if (n->state == NODE_HELLO && flush(n, now) != 0)
			link_close(n, now);
		return;
	}
	if (ELAPSED(now, n->last_rx) >= n->dead_ms) {
		link_close(n, now);
		return;
	}
	node_power_state(n);
	if (n->state_dirty) {
		n->state_dirty = 0;
		node_send_state(n);
	}
	if (REACHED(now, n->sensors_t))
		send_sensors(n, 0, now);
	node_con_poll(n);
	if (n->state == NODE_UP && n->out_len == 0 &&
	    ELAPSED(now, n->last_tx) >= n->heartbeat_ms) {
		memset(&m, 0, sizeof(m));
		m.type = NP_PING;
		node_send(n, &m);
	}
	if (n->state != NODE_DOWN && flush(n, now) != 0)
		link_close(n, now);
}

static void
poll_led(struct node *n, uint32_t now)
{
	int on;

	if (n->ident && n->ident != 255 && REACHED(now, n->ident_until))
		n->ident = 0;
	if (n->ident)
		on = (now / 125) & 1;		/* fast blink: identify */
	else if (n->state == NODE_UP)
		on = 1;
	else
		on = (now / 500) & 1;		/* slow blink: no link */
	if (on != n->led_on) {
		n->led_on = on;
		board_led(on);
	}
}

/*
 * The main loop's one call.  The watchdog is fed here and nowhere else: a
 * loop that stops calling node_poll() reboots the node.
 */
void
node_poll(struct node *n, uint32_t now)
{
	uint8_t buf[64];
	size_t got;

	board_wdt_feed();
	n->now = now;
	node_power_poll(n, now);
	while ((got = board_uart_read(buf, sizeof(buf))) > 0)
		node_con_input(n, buf, got);
	poll_link(n, now);
	if (n->state != NODE_UP)
		node_con_poll(n);	/* the UART drains anyway */
	poll_led(n, now);
	if (n->reboot_pending && (n->out_len == 0 ||
	    REACHED(now, n->reboot_t + 1000)) && REACHED(now, n->reboot_t)) {
		n->reboot_pending = 0;
		node_shutdown(n);
		board_reboot();
	}
}
