/*
 * machine.c: one model of each managed machine (machine.h).  The registry,
 * the verbs every front end calls, the callbacks drivers report facts
 * through (target.h), and the bookkeeping made of those facts: the last
 * power event, the restart cause, the one-shot boot override's use.  The
 * console (history, holder, input) is in machine_console.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine_events.h"
#include "machine_int.h"

/* A power change sensed within this long after our action is its doing. */
#define MACHINE_EXPLAIN_MS	60000

static struct machine	*reg[256];
static struct machine_ops ops;
static unsigned		 timeout_ms = 5000;

static void	env_done(void *, struct target *, uint64_t, uint32_t, int);
static void	env_event(void *, struct target *, uint64_t,
		    enum target_event);
static void	env_console(void *, struct target *, uint64_t,
		    const uint8_t *, size_t);
static size_t	env_room(void *, struct target *);
static void	env_ready(void *, struct target *, uint64_t);

static struct target_env env = {
	.done		= env_done,
	.event		= env_event,
	.console	= env_console,
	.console_room	= env_room,
	.console_ready	= env_ready,
};

void
machine_set_ops(const struct machine_ops *o)
{
	ops = *o;
	env.io_add = o->io_add;
	env.io_want = o->io_want;
	env.io_del = o->io_del;
	env.ioarg = o->ioarg;
	env.node_listen = o->node_listen;
}

void
machine_set_timeout(unsigned ms)
{
	timeout_ms = ms;
	env.timeout_ms = ms;
}

struct machine *
machine_of(struct target *t)
{
	return reg[t->addr] != NULL && reg[t->addr]->t == t ? reg[t->addr] :
	    NULL;
}

void
machine_persist(struct target *t)
{
	if (ops.persist != NULL)
		ops.persist(ops.arg, t);
}

static void
wake(uint64_t when)
{
	if (ops.wake != NULL)
		ops.wake(ops.arg, when);
}

/* ---- the registry -------------------------------------------------- */

int
machine_add(struct target *t, size_t history, uint64_t now)
{
	struct machine *m;

	if (reg[t->addr] != NULL || (m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	m->t = t;
	m->rl = (struct log_rl)LOG_RL_INIT("console data loss");
	t->env = &env;
	if (target_has_console(t)) {
		if (ring_init(&m->hist, history) != 0 ||
		    (m->fifo = malloc(MACHINE_FIFO_MAX)) == NULL) {
			ring_free(&m->hist);
			free(m);
			return -1;
		}
		m->has_console = 1;
	}
	reg[t->addr] = m;
	machine_notify(&(struct machine_event){ .kind = MACHINE_EV_ADDED,
	    .t = t }, now);
	return 0;
}

void
machine_remove(struct target *t)
{
	struct machine *m = machine_of(t);

	if (m == NULL)
		return;
	machine_notify(&(struct machine_event){ .kind = MACHINE_EV_REMOVED,
	    .t = t }, 0);
	machine_console_gone(m, 0);
	/* Completions still owed are dropped: the driver has stopped. */
	for (int i = 0; i < MACHINE_PEND_MAX; i++)
		if (m->pend[i].used && m->pend[i].fn != NULL)
			m->pend[i].fn(m->pend[i].arg, m->pend[i].cookie,
			    MACHINE_TIMEOUT);
	if (m->has_console) {
		ring_free(&m->hist);
		free(m->fifo);
	}
	reg[t->addr] = NULL;
	free(m);
}

struct target *
machine_by_addr(uint8_t a)
{
	return reg[a] != NULL ? reg[a]->t : NULL;
}

struct target *
machine_by_name(const char *name)
{
	for (int a = 1; a < 256; a++)
		if (reg[a] != NULL && strcmp(reg[a]->t->name, name) == 0)
			return reg[a]->t;
	return NULL;
}

struct target *
machine_next(const struct target *after)
{
	for (int a = after == NULL ? 1 : after->addr + 1; a < 256; a++)
		if (reg[a] != NULL)
			return reg[a]->t;
	return NULL;
}

/* ---- state ----------------------------------------------------------- */

static int
driver_status(struct target *t, uint64_t now, struct target_status *st)
{
	memset(st, 0, sizeof(*st));
	if (t->main.drv->status == NULL)
		return -1;
	t->main.drv->status(&t->main, now, st);
	return 0;
}

static enum machine_power
power_of(const struct target_status *st)
{
	if (st->has_link && !st->link_up)
		return MACHINE_POWER_UNKNOWN;
	return st->power_on ? MACHINE_POWER_ON : MACHINE_POWER_OFF;
}

void
machine_state(struct target *t, uint64_t now, struct machine_state *ms)
{
	struct machine *m = machine_of(t);
	struct target_status st;

	memset(ms, 0, sizeof(*ms));
	if (driver_status(t, now, &st) == 0) {
		ms->has_power = 1;
		ms->power = power_of(&st);
		ms->power_sensed = st.power_known;
		ms->has_link = st.has_link;
		ms->link_up = st.link_up;
		ms->fault = st.fault;
		ms->identify = st.identify;
	}
	if (m == NULL)
		return;
	ms->on_by_command = m->on_by_command;
	ms->restart_cause = m->restart;
	for (int i = 0; i < MACHINE_PEND_MAX; i++)
		if (m->pend[i].used && m->pend[i].kind == PEND_POWER) {
			ms->action_pending = 1;
			ms->pending_action = m->pend[i].action;
		}
}

/* ---- verbs ----------------------------------------------------------- */

static const char *const action_names[] = {
	"power off", "power on", "power cycle", "hard reset",
	"diagnostic interrupt", "soft off",
};

static void
who_text(const struct machine_who *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", w != NULL && w->face ? w->face :
	    "pmbd", w != NULL && w->user ? " user " : "",
	    w != NULL && w->user ? w->user : "",
	    w != NULL && w->peer ? " from " : "",
	    w != NULL && w->peer ? w->peer : "");
}

/* An action of ours completed: what every face reports from now on. */
static void
record(struct machine *m, uint64_t now, const struct machine_pend *p,
    int result)
{
	if (p->kind != PEND_POWER || result != MACHINE_OK)
		return;
	switch (p->action) {
	case TARGET_POWER_ON:
		if (p->was_on)
			return;		/* on already: nothing was pressed */
		/* FALLTHROUGH */
	case TARGET_POWER_CYCLE:
		m->on_by_command = 1;
		m->restart = MACHINE_RESTART_COMMAND;
		m->explained_until = now + MACHINE_EXPLAIN_MS;
		break;
	case TARGET_POWER_RESET:
		m->restart = MACHINE_RESTART_COMMAND;
		m->explained_until = now + MACHINE_EXPLAIN_MS;
		break;
	default:
		m->explained_until = now + MACHINE_EXPLAIN_MS;
		break;
	}
}

static const char *
result_text(int r)
{
	switch (r) {
	case MACHINE_OK:		return "done";
	case MACHINE_BUSY:		return "refused: busy";
	case MACHINE_UNSUPPORTED:	return "refused: not supported";
	case MACHINE_TIMEOUT:		return "no answer in time";
	case MACHINE_INVALID:		return "refused: invalid";
	case MACHINE_UNREACHABLE:	return "refused: unreachable";
	case MACHINE_WRONG_STATE:	return "refused: not in this state";
	default:			return "failed";
	}
}

static void
finish(struct machine *m, uint64_t now, struct machine_pend *p, int result)
{
	if (p->kind == PEND_POWER)
		log_info("target %s: %s by %s: %s", m->t->name,
		    action_names[p->action], p->who, result_text(result));
	record(m, now, p, result);
}

/* Start an action: the driver's answer, or MACHINE_PENDING with the slot
 * that done() will find. */
static int
start(struct machine *m, uint64_t now, int kind, enum target_power a,
    const struct machine_who *who, machine_done_fn *fn, void *arg,
    uint32_t cookie, int (*call)(struct machine *, uint64_t, uint32_t,
    const void *), const void *callarg)
{
	struct machine_pend *p = NULL;
	struct target_status st;
	uint32_t token;
	int r, i;

	for (i = 0; i < MACHINE_PEND_MAX && p == NULL; i++)
		if (!m->pend[i].used)
			p = &m->pend[i];
	if (p == NULL)
		return MACHINE_BUSY;
	i = (int)(p - m->pend);
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->action = a;
	p->fn = fn;
	p->arg = arg;
	p->cookie = cookie;
	p->gen = ++m->gen;
	p->was_on = driver_status(m->t, now, &st) == 0 && st.power_known &&
	    power_of(&st) == MACHINE_POWER_ON;
	who_text(who, p->who, sizeof(p->who));
	token = (uint32_t)p->gen << 8 | (uint32_t)i;
	p->used = 1;			/* a late done() finds it */
	r = call(m, now, token, callarg);
	if (r == TARGET_PENDING) {
		p->due = now + (timeout_ms != 0 ? timeout_ms : 5000) * 2ull;
		wake(p->due);
		return MACHINE_PENDING;
	}
	p->used = 0;
	finish(m, now, p, r);
	return r;
}

static int
call_power(struct machine *m, uint64_t now, uint32_t token, const void *a)
{
	return m->t->main.drv->power(&m->t->main, now,
	    *(const enum target_power *)a, token);
}

int
machine_power(struct target *t, uint64_t now, enum target_power a,
    const struct machine_who *who, machine_done_fn *fn, void *arg,
    uint32_t cookie)
{
	struct machine *m = machine_of(t);

	if (a > TARGET_POWER_SOFT)
		return MACHINE_INVALID;
	if (m == NULL || t->main.drv->power == NULL)
		return MACHINE_UNSUPPORTED;	/* e.g. a console-only target */
	return start(m, now, PEND_POWER, a, who, fn, arg, cookie, call_power,
	    &a);
}

struct ident_arg {
	unsigned	 secs;
	int		 force;
};

static int
call_identify(struct machine *m, uint64_t now, uint32_t token, const void *a)
{
	const struct ident_arg *ia = a;

	return m->t->main.drv->identify(&m->t->main, now, ia->secs, ia->force,
	    token);
}

int
machine_identify(struct target *t, uint64_t now, unsigned secs, int force,
    const struct machine_who *who, machine_done_fn *fn, void *arg,
    uint32_t cookie)
{
	struct machine *m = machine_of(t);
	struct ident_arg ia = { secs, force };

	if (m == NULL || t->main.drv->identify == NULL)
		return MACHINE_UNSUPPORTED;
	return start(m, now, PEND_IDENTIFY, 0, who, fn, arg, cookie,
	    call_identify, &ia);
}

static int
call_link(struct machine *m, uint64_t now, uint32_t token, const void *a)
{
	return m->t->main.drv->reset_link(&m->t->main, now,
	    *(const int *)a, token);
}

int
machine_reset_link(struct target *t, uint64_t now, int cold,
    const struct machine_who *who, machine_done_fn *fn, void *arg,
    uint32_t cookie)
{
	struct machine *m = machine_of(t);

	if (m == NULL)
		return MACHINE_UNSUPPORTED;
	if (t->main.drv->reset_link == NULL)
		return MACHINE_OK;		/* nothing between us */
	return start(m, now, PEND_LINK, 0, who, fn, arg, cookie, call_link,
	    &cold);
}

/* ---- what drivers report (target.h) ------------------------------------ */

static void
env_done(void *arg, struct target *t, uint64_t now, uint32_t token, int cc)
{
	struct machine *m = machine_of(t);
	struct machine_pend *p, done;

	(void)arg;
	if (m == NULL || (token & 0xff) >= MACHINE_PEND_MAX)
		return;
	p = &m->pend[token & 0xff];
	if (!p->used || p->gen != (uint16_t)(token >> 8))
		return;		/* given up on, or a slot used again since */
	done = *p;
	p->used = 0;		/* complete before anyone is called */
	finish(m, now, &done, cc);
	if (done.fn != NULL)
		done.fn(done.arg, done.cookie, cc);
}

static void
env_event(void *arg, struct target *t, uint64_t now, enum target_event ev)
{
	struct machine *m = machine_of(t);

	(void)arg;
	(void)now;
	if (m == NULL)
		return;
	switch (ev) {
	case TARGET_EV_BOOT:
		machine_boot_used(t);
		break;
	case TARGET_EV_LINK_UP:
		log_info("target %s: link up", t->name);
		break;
	case TARGET_EV_LINK_DOWN:
		log_info("target %s: link down", t->name);
		break;
	}
}

static void
env_console(void *arg, struct target *t, uint64_t now, const uint8_t *p,
    size_t n)
{
	struct machine *m = machine_of(t);

	(void)arg;
	if (m != NULL && m->has_console)
		machine_console_output(m, now, p, n);
}

static size_t
env_room(void *arg, struct target *t)
{
	struct machine *m = machine_of(t);

	(void)arg;
	return m != NULL && m->has_console ? machine_console_room(m) : 0;
}

static void
env_ready(void *arg, struct target *t, uint64_t now)
{
	struct machine *m = machine_of(t);

	(void)arg;
	if (m != NULL && m->has_console)
		machine_console_feed(m, now);
}

/* ---- time -------------------------------------------------------------- */

/* A power change no action of ours explains: the case button, a crash,
 * the machine's own schedule. */
static void
sensed(struct machine *m, uint64_t now)
{
	struct target_status st;
	enum machine_power p;

	if (driver_status(m->t, now, &st) != 0 || !st.power_known)
		return;
	p = power_of(&st);
	if (p == MACHINE_POWER_UNKNOWN)
		return;
	if (m->seen == MACHINE_POWER_OFF && p == MACHINE_POWER_ON &&
	    now >= m->explained_until) {
		m->on_by_command = 0;
		m->restart = MACHINE_RESTART_POWER_BUTTON;
		log_info("target %s: power on, not by a command of pmbd's",
		    m->t->name);
	} else if (m->seen == MACHINE_POWER_ON && p == MACHINE_POWER_OFF &&
	    now >= m->explained_until)
		log_info("target %s: power off, not by a command of pmbd's",
		    m->t->name);
	m->seen = p;
}

uint64_t
machine_tick(uint64_t now)
{
	uint64_t next = 0;

	for (int a = 1; a < 256; a++) {
		struct machine *m = reg[a];
		struct target *t;

		if (m == NULL)
			continue;
		t = m->t;
		if (t->main.drv->tick != NULL)
			t->main.drv->tick(&t->main, now);
		if (t->con.drv != NULL && t->con.dstate != t->main.dstate &&
		    t->con.drv->tick != NULL)
			t->con.drv->tick(&t->con, now);
		for (int i = 0; i < MACHINE_PEND_MAX; i++) {
			struct machine_pend *p = &m->pend[i], done;

			if (!p->used || now < p->due)
				continue;
			done = *p;
			p->used = 0;
			finish(m, now, &done, MACHINE_TIMEOUT);
			if (done.fn != NULL)
				done.fn(done.arg, done.cookie, MACHINE_TIMEOUT);
		}
		sensed(m, now);
		machine_changes(m, now);
		if (m->has_console) {
			machine_console_feed(m, now);
			if (m->fifo_len > 0 && (next == 0 || now + 100 < next))
				next = now + 100;
		}
	}
	return next;
}
