/*
 * machine_console.c: a machine's serial console in the model: the history
 * ring of what it printed, the one holder that shows it (IPMI SOL now, the
 * web page's console next), and the bounded FIFO of input on its way to
 * the line.
 *
 * History: every byte the machine prints goes into a bounded ring; the
 * oldest are overwritten and counted.  A new holder first receives what
 * no holder has acknowledged yet (the output since the last one left, as
 * much as the ring still holds), then live output.  While a holder is
 * attached the driver may deliver only as much as fits without
 * overwriting what the holder has not acknowledged (a serial port or a
 * node waits); without one the ring simply keeps the newest bytes.
 *
 * Input: what a holder wrote waits in the FIFO for the driver's
 * console_write, which is called only from feed(); feed() is never
 * re-entered (a driver reporting room from inside console_write only makes
 * it go round once more), and output reported from inside console_write
 * (a machine that echoes) reaches the holder once feed() is done.
 * Acknowledged input outlives its holder: it still goes to the line.
 */
#include <stdlib.h>
#include <string.h>

#include "machine_int.h"

void
machine_console_gone(struct machine *m, uint64_t now)
{
	const struct machine_console_ops *o = m->hops;
	void *arg = m->harg;

	m->hops = NULL;
	m->harg = NULL;
	if (o != NULL && o->taken != NULL)
		o->taken(arg, now);
}

int
machine_console_attach(struct target *t, uint64_t now,
    const struct machine_console_ops *o, void *arg,
    const struct machine_who *who)
{
	struct machine *m = machine_of(t);

	(void)now;
	(void)who;
	if (m == NULL || !m->has_console)
		return MACHINE_UNSUPPORTED;
	if (m->hops != NULL)
		return MACHINE_BUSY;
	m->hops = o;
	m->harg = arg;
	m->hack = machine_console_start(t);
	return MACHINE_OK;
}

void
machine_console_detach(struct target *t, void *arg)
{
	struct machine *m = machine_of(t);

	if (m != NULL && m->hops != NULL && m->harg == arg) {
		m->hops = NULL;
		m->harg = NULL;
	}
}

void
machine_console_steal(struct target *t, uint64_t now,
    const struct machine_who *who)
{
	struct machine *m = machine_of(t);

	(void)who;
	if (m != NULL)
		machine_console_gone(m, now);
}

int
machine_console_held(struct target *t)
{
	struct machine *m = machine_of(t);

	return m != NULL && m->hops != NULL;
}

uint64_t
machine_console_start(struct target *t)
{
	struct machine *m = machine_of(t);
	uint64_t tail;

	if (m == NULL || !m->has_console)
		return 0;
	tail = ring_tail(&m->hist);
	return m->unseen < tail ? tail : m->unseen;
}

uint64_t
machine_console_head(struct target *t)
{
	struct machine *m = machine_of(t);

	return m != NULL && m->has_console ? m->hist.head : 0;
}

size_t
machine_console_read(struct target *t, uint64_t *pos, uint8_t *p, size_t max,
    uint64_t *lost)
{
	struct machine *m = machine_of(t);
	uint64_t tail;

	*lost = 0;
	if (m == NULL || !m->has_console)
		return 0;
	tail = ring_tail(&m->hist);
	if (*pos < tail) {		/* the holder fell behind the ring */
		*lost = tail - *pos;
		*pos = tail;
	}
	return ring_read(&m->hist, *pos, p, max);
}

void
machine_console_ack(struct target *t, uint64_t pos)
{
	struct machine *m = machine_of(t);

	if (m == NULL || !m->has_console)
		return;
	if (pos > m->hist.head)
		pos = m->hist.head;
	if (pos > m->hack)
		m->hack = pos;
	if (m->unseen < pos)
		m->unseen = pos;
}

size_t
machine_console_room(struct machine *m)
{
	uint64_t used, tail = ring_tail(&m->hist);

	if (m->hops == NULL)
		return m->hist.cap;
	used = m->hist.head - (m->hack < tail ? tail : m->hack);
	return used < m->hist.cap ? (size_t)(m->hist.cap - used) : 0;
}

void
machine_console_output(struct machine *m, uint64_t now, const uint8_t *p,
    size_t n)
{
	uint64_t tail;

	ring_write(&m->hist, p, n);
	tail = ring_tail(&m->hist);
	if (m->unseen < tail) {
		m->lost += tail - m->unseen;
		m->unseen = tail;
	}
	if (m->busy) {
		m->out_pending = 1;	/* told when feed() is done */
		return;
	}
	if (m->hops != NULL && m->hops->output != NULL)
		m->hops->output(m->harg, now);
}

/* ---- input ------------------------------------------------------------- */

static void	feed(struct machine *, uint64_t, int);

/* Into the FIFO, and on to the line as far as it takes; the holder that
 * writes is not called back (it looks at the history and the FIFO after). */
size_t
machine_console_write(struct target *t, uint64_t now, const uint8_t *p,
    size_t n)
{
	struct machine *m = machine_of(t);

	if (m == NULL || !m->has_console || n == 0)
		return 0;
	if (m->fifo_off + m->fifo_len + n > MACHINE_FIFO_MAX) {
		memmove(m->fifo, m->fifo + m->fifo_off, m->fifo_len);
		m->fifo_off = 0;
	}
	if (m->fifo_len + n > MACHINE_FIFO_MAX) {
		log_rl(&m->rl, "target %s: %zu bytes of console input over "
		    "%d refused", t->name, n, MACHINE_FIFO_MAX);
		return 0;
	}
	memcpy(m->fifo + m->fifo_off + m->fifo_len, p, n);
	m->fifo_len += n;
	feed(m, now, 0);
	return n;
}

size_t
machine_console_queued(struct target *t)
{
	struct machine *m = machine_of(t);

	return m != NULL && m->has_console ? m->fifo_len : 0;
}

/*
 * Hand the line what it will take; never re-entered.  With notify the
 * holder hears of output that came meanwhile, and of input that moved (its
 * pacing looks at the FIFO's level), when it is done.
 */
static void
feed(struct machine *m, uint64_t now, int notify)
{
	struct target_src *con = &m->t->con;
	size_t before = m->fifo_len;

	if (m->busy) {
		m->again = 1;
		return;
	}
	if (con->drv == NULL || con->drv->console_write == NULL)
		return;
	do {
		m->again = 0;
		while (m->fifo_len > 0) {
			size_t took;

			m->busy = 1;
			took = con->drv->console_write(con,
			    m->fifo + m->fifo_off, m->fifo_len);
			m->busy = 0;
			if (took > m->fifo_len)
				took = m->fifo_len;
			if (took == 0)
				break;
			m->fifo_off += took;
			m->fifo_len -= took;
		}
	} while (m->again && m->fifo_len > 0);
	m->again = 0;
	if (m->fifo_len == 0)
		m->fifo_off = 0;
	if (!notify) {
		m->out_pending = 0;
		return;
	}
	if (m->out_pending) {
		m->out_pending = 0;
		if (m->hops != NULL && m->hops->output != NULL)
			m->hops->output(m->harg, now);
	}
	if (m->fifo_len != before && m->hops != NULL &&
	    m->hops->ready != NULL)
		m->hops->ready(m->harg, now);
}

void
machine_console_feed(struct machine *m, uint64_t now)
{
	feed(m, now, 1);
}

int
machine_console_break(struct target *t, unsigned ms)
{
	struct target_src *con = &t->con;

	if (con->drv == NULL || con->drv->console_break == NULL)
		return -1;
	return con->drv->console_break(con, ms);
}

int
machine_console_baud(struct target *t, unsigned baud)
{
	struct target_src *con = &t->con;

	if (con->drv == NULL || con->drv->console_baud == NULL)
		return 0;
	return con->drv->console_baud(con, baud);
}

