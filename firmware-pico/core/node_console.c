/*
 * node_console.c: the server's console both ways (docs/node-protocol.md,
 * "Console").  Offsets are 32-bit running counters that wrap; a range test
 * is always a difference.
 *
 * Node to daemon: what the UART printed goes into con_ring, held until
 * pmbd acknowledges it; a full ring drops its oldest bytes (con_lost).
 * con_tail <= con_sent <= con_head, and nothing past con_limit (the peer's
 * next + window) is sent.
 *
 * Daemon to node: CON_DATA goes into con_tx (the UART transmit buffer);
 * con_tx_done <= con_rx_next.  CON_ACK says con_rx_next and the free
 * space of con_tx.
 */
#include <string.h>

#include "board.h"
#include "node.h"

#define RING_MASK	(NODE_CON_RING - 1)
#define TX_MASK		(NODE_CON_TX - 1)
#define ACK_STEP	256	/* window growth worth a CON_ACK */

_Static_assert((NODE_CON_RING & RING_MASK) == 0, "ring: power of two");
_Static_assert((NODE_CON_TX & TX_MASK) == 0, "tx: power of two");

/* a <= x <= b, on wrapping offsets. */
static int
within(uint32_t x, uint32_t a, uint32_t b)
{
	return (uint32_t)(x - a) <= (uint32_t)(b - a);
}

static uint16_t
tx_free(const struct node *n)
{
	return (uint16_t)(NODE_CON_TX - (n->con_rx_next - n->con_tx_done));
}

void
node_con_init(struct node *n)
{
	n->con_head = n->con_tail = n->con_sent = n->con_limit = 0;
	n->con_lost = 0;
	n->con_rx_next = n->con_tx_done = 0;
	n->con_adv_next = 0;
	n->con_adv_win = 0;
	n->con_ack_due = 0;
}

/* UART output: into the ring, dropping the oldest when full. */
void
node_con_input(struct node *n, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		n->con_ring[n->con_head & RING_MASK] = p[i];
		n->con_head++;
		if (n->con_head - n->con_tail > NODE_CON_RING) {
			n->con_tail++;
			n->con_lost++;
		}
	}
	if (!within(n->con_sent, n->con_tail, n->con_head))
		n->con_sent = n->con_tail;
}

void
node_con_hello(struct node *n, struct np_hello *h)
{
	h->con_rx_next = n->con_rx_next;
	h->con_tx_base = n->con_tail;
}

void
node_con_welcome(struct node *n, const struct np_welcome *w)
{
	uint32_t r = w->con_rx_next;

	if (r != NP_OFF_ANY && within(r, n->con_tail, n->con_head))
		n->con_tail = r;	/* the daemon has what came before */
	n->con_sent = n->con_tail;	/* everything held is resent */
	n->con_limit = n->con_tail + w->con_window;
	n->con_ack_due = 1;		/* tell our window */
}

void
node_con_ack(struct node *n, const struct np_con_ack *a)
{
	if ((int32_t)(a->next - n->con_tail) < 0) {
		/* Up to bytes the ring dropped since: the window counts
		 * from the oldest held. */
		n->con_limit = n->con_tail + a->window;
		return;
	}
	if (!within(a->next, n->con_tail, n->con_head))
		return;			/* past what was sent: bogus */
	n->con_tail = a->next;
	if (!within(n->con_sent, n->con_tail, n->con_head))
		n->con_sent = n->con_tail;
	n->con_limit = a->next + a->window;
}

void
node_con_data(struct node *n, const struct np_con_data *d)
{
	uint32_t skip, take, i;

	n->con_ack_due = 1;
	if ((int32_t)(d->off - n->con_rx_next) > 0)
		return;			/* a gap: wait for the resend */
	skip = n->con_rx_next - d->off;
	if (skip >= d->len)
		return;			/* all seen already */
	take = d->len - skip;
	if (take > tx_free(n))
		take = tx_free(n);	/* past the window: dropped */
	for (i = 0; i < take; i++)
		n->con_tx[(n->con_rx_next + i) & TX_MASK] = d->data[skip + i];
	n->con_rx_next += take;
}

static void
drain_uart(struct node *n)
{
	uint32_t at, chunk;
	size_t w;

	while (n->con_tx_done != n->con_rx_next) {
		at = n->con_tx_done & TX_MASK;
		chunk = n->con_rx_next - n->con_tx_done;
		if (chunk > NODE_CON_TX - at)
			chunk = NODE_CON_TX - at;
		w = board_uart_write(n->con_tx + at, chunk);
		n->con_tx_done += (uint32_t)w;
		if (w < chunk)
			break;
	}
}

static void
send_ack(struct node *n)
{
	struct np_msg m;
	uint16_t fr = tx_free(n);

	if (!n->con_ack_due && n->con_rx_next == n->con_adv_next &&
	    (fr == n->con_adv_win || (fr < n->con_adv_win + ACK_STEP &&
	    fr != NODE_CON_TX)))
		return;
	memset(&m, 0, sizeof(m));
	m.type = NP_CON_ACK;
	m.u.ack.next = n->con_rx_next;
	m.u.ack.window = fr;
	if (node_send(n, &m) != 0)
		return;
	n->con_ack_due = 0;
	n->con_adv_next = n->con_rx_next;
	n->con_adv_win = fr;
}

static void
send_data(struct node *n)
{
	struct np_msg m;
	uint32_t len, at, room;

	while (n->state == NODE_UP && n->con_sent != n->con_head &&
	    (int32_t)(n->con_limit - n->con_sent) > 0) {
		len = n->con_head - n->con_sent;
		if (len > n->con_limit - n->con_sent)
			len = n->con_limit - n->con_sent;
		at = n->con_sent & RING_MASK;
		if (len > NODE_CON_RING - at)
			len = NODE_CON_RING - at;	/* contiguous */
		if (len > NP_DATA_MAX)
			len = NP_DATA_MAX;
		room = NODE_OUT_MAX - (uint32_t)n->out_len;
		if (room < NP_HDR + 4 + 64)
			break;			/* the link is behind */
		if (len > room - NP_HDR - 4)
			len = room - NP_HDR - 4;
		memset(&m, 0, sizeof(m));
		m.type = NP_CON_DATA;
		m.u.con.off = n->con_sent;
		m.u.con.len = (uint16_t)len;
		m.u.con.data = n->con_ring + at;
		if (node_send(n, &m) != 0)
			break;
		n->con_sent += len;
	}
}

void
node_con_poll(struct node *n)
{
	drain_uart(n);
	if (n->state != NODE_UP)
		return;
	send_ack(n);
	send_data(n);
}
