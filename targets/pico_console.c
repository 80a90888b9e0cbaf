/*
 * pico_console.c: the pico target's console, numbered both ways
 * (docs/node-protocol.md, Console).  What the machine prints goes to the
 * core as far as it has room, and the node gets a window of that size.
 * What a client types waits in PICO_CON_TX bytes until the node
 * acknowledges it, and is resent from HELLO's con_rx_next after a
 * reconnect (renumbered from there after the node rebooted).
 */
#include <string.h>

#include "log.h"
#include "pico.h"

int32_t
pico_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

uint16_t
pico_rx_window(struct pico *p)
{
	size_t room = target_console_room(p->t);

	return (uint16_t)(room < 0xffff ? room : 0xffff);
}

void
pico_con_ack(struct pico *p)
{
	struct np_msg m = { .type = NP_CON_ACK };

	m.u.ack.next = p->rx_next;
	m.u.ack.window = pico_rx_window(p);
	if (pico_send(p, &m) == 0)
		p->rx_limit = p->rx_next + m.u.ack.window;
}

void
pico_con_input(struct pico *p, const struct np_con_data *d)
{
	int32_t skip = pico_diff(p->rx_next, d->off);
	size_t len = d->len, room;

	if (skip < 0) {			/* the node's ring lost bytes */
		log_debug("node %s: console skips %ld bytes the node lost",
		    p->cf->node, -(long)skip);
		p->rx_next = d->off;
		skip = 0;
	}
	if ((size_t)skip >= len) {	/* had them: a resend */
		pico_con_ack(p);
		return;
	}
	len -= (size_t)skip;
	room = target_console_room(p->t);
	if (len > room)
		log_rl(&p->rl, "node %s: sent %zu console bytes past its "
		    "window; dropped", p->cf->node, len - room);
	target_console_output(p->t, p->now, d->data + skip,
	    len < room ? len : room);
	p->rx_next += (uint32_t)len;
	pico_con_ack(p);
}

/* Forget the n oldest bytes: the node has them. */
static void
con_drop(struct pico *p, size_t n)
{
	if (n == 0)
		return;
	contx_consume(&p->tx, n);
	p->tx_base += (uint32_t)n;
	if (pico_diff(p->tx_sent, p->tx_base) < 0)
		p->tx_sent = p->tx_base;
	if (contx_ready(&p->tx))	/* from the link's I/O, never from
					   pico_console_write */
		target_console_ready(p->t, p->now);
}

static void
con_pump(struct pico *p)
{
	while (p->conn != NULL) {
		struct np_msg m = { .type = NP_CON_DATA };
		int32_t avail = pico_diff(p->tx_base + (uint32_t)p->tx.len,
		    p->tx_sent), win = pico_diff(p->tx_limit, p->tx_sent);
		size_t n;

		if (avail <= 0 || win <= 0)
			return;
		n = (size_t)(avail < win ? avail : win);
		if (n > NP_DATA_MAX)
			n = NP_DATA_MAX;
		m.u.con.off = p->tx_sent;
		m.u.con.len = (uint16_t)n;
		m.u.con.data = p->tx.buf + (p->tx_sent - p->tx_base);
		if (pico_send(p, &m) != 0)
			return;
		p->tx_sent += (uint32_t)n;
	}
}

void
pico_con_acked(struct pico *p, const struct np_con_ack *a)
{
	int32_t d = pico_diff(a->next, p->tx_base);

	if (d < 0)
		return;			/* an old acknowledgement */
	if ((size_t)d > p->tx.len) {
		log_rl(&p->rl, "node %s: acknowledged console bytes never sent",
		    p->cf->node);
		return;
	}
	con_drop(p, (size_t)d);
	p->tx_limit = a->next + a->window;
	con_pump(p);
}

/* HELLO: where the node's console numbering stands. */
void
pico_con_resume(struct pico *p, const struct np_hello *h, int new_boot)
{
	int32_t d = pico_diff(h->con_rx_next, p->tx_base);

	if (!new_boot && d >= 0 && (size_t)d <= p->tx.len)
		con_drop(p, (size_t)d);
	else			/* renumber what is held from its next */
		p->tx_base = h->con_rx_next;
	p->tx_sent = p->tx_base;
	p->tx_limit = p->tx_base;	/* until its CON_ACK gives a window */
	if (new_boot || !p->rx_known) {
		p->rx_next = h->con_tx_base;
		p->rx_known = 1;
	}
}

size_t
pico_console_write(struct target_src *src, const uint8_t *d, size_t n)
{
	struct pico *p = src->dstate;

	n = contx_put(&p->tx, d, n);
	con_pump(p);
	return n;
}

int
pico_console_break(struct target_src *src, unsigned ms)
{
	struct pico *p = src->dstate;
	struct np_msg m = { .type = NP_CON_BREAK };

	if (p->conn == NULL)
		return -1;
	m.u.break_ms = (uint16_t)(ms < 0xffff ? ms : 0xffff);
	pico_send_req(p, &m);
	return 0;
}

int
pico_console_baud(struct target_src *src, unsigned baud)
{
	struct pico *p = src->dstate;
	struct np_msg m = { .type = NP_CON_SET };

	if (baud == 0)
		return -1;
	p->baud = baud;			/* sent again at each link up */
	if (p->conn == NULL)
		return 0;
	m.u.set = (struct np_con_set){ baud, 8, 0, 1 };
	pico_send_req(p, &m);
	return 0;
}
