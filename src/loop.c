/*
 * loop.c: the event loop on libevent, the one file that includes its loop
 * API (the HTTP server's evhttp lives in its own file).  Descriptors have
 * one event per direction, made once, added and deleted as wanted: safe
 * to change from inside the callbacks.
 */
#include <event2/event.h>
#include <stdlib.h>

#include "clock.h"
#include "log.h"
#include "loop.h"

#define LOOP_SIGNALS	8

struct loop {
	struct event_base	*base;
	struct {
		struct event	*ev;
		loop_signal_fn	*fn;
		void		*arg;
	} sig[LOOP_SIGNALS];
	int			 nsig;
};

struct io {
	struct event	*rev;
	struct event	*wev;
	int		 r, w;
	target_io_fn	*fn;
	void		*cbarg;
};

struct loop_timer {
	struct loop	*l;
	struct event	*ev;
	loop_fn		*fn;
	void		*arg;
	int		 every;
};

struct loop *
loop_new(void)
{
	struct loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->base = event_base_new()) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

struct loop *
loop_free(struct loop *l)
{
	if (l == NULL)
		return NULL;
	for (int i = 0; i < l->nsig; i++)
		event_free(l->sig[i].ev);
	event_base_free(l->base);
	free(l);
	return NULL;
}

void
loop_run(struct loop *l)
{
	event_base_dispatch(l->base);
}

void
loop_exit(struct loop *l)
{
	event_base_loopexit(l->base, NULL);
}

void *
loop_base(struct loop *l)
{
	return l->base;
}

/* ---- descriptors ---------------------------------------------------- */

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io *io = arg;

	(void)fd;
	io->fn(io->cbarg, clock_ms(), (what & EV_READ) != 0,
	    (what & EV_WRITE) != 0);
}

void *
loop_io_add(void *loop, int fd, target_io_fn *fn, void *cbarg)
{
	struct loop *l = loop;
	struct io *io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return NULL;
	io->fn = fn;
	io->cbarg = cbarg;
	io->rev = event_new(l->base, fd, EV_READ | EV_PERSIST, io_cb, io);
	io->wev = event_new(l->base, fd, EV_WRITE | EV_PERSIST, io_cb, io);
	if (io->rev == NULL || io->wev == NULL) {
		loop_io_del(io);
		return NULL;
	}
	loop_io_want(io, 1, 0);
	return io;
}

static void
set(struct event *ev, int *cur, int want)
{
	if (want == *cur)
		return;
	if (want ? event_add(ev, NULL) : event_del(ev))
		log_warnx("cannot watch a descriptor");
	*cur = want;
}

void
loop_io_want(void *handle, int readable, int writable)
{
	struct io *io = handle;

	set(io->rev, &io->r, readable != 0);
	set(io->wev, &io->w, writable != 0);
}

void
loop_io_del(void *handle)
{
	struct io *io = handle;

	if (io == NULL)
		return;
	if (io->rev != NULL)
		event_free(io->rev);
	if (io->wev != NULL)
		event_free(io->wev);
	free(io);
}

/* ---- timers ----------------------------------------------------------- */

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_timer *t = arg;

	(void)fd;
	(void)what;
	t->fn(t->arg, clock_ms());
}

struct loop_timer *
loop_timer_new(struct loop *l, loop_fn *fn, void *arg)
{
	struct loop_timer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->l = l;
	t->fn = fn;
	t->arg = arg;
	return t;
}

static void
arm(struct loop_timer *t, uint64_t ms, int every)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	if (t->ev == NULL || every != t->every) {
		if (t->ev != NULL)
			event_free(t->ev);
		t->ev = event_new(t->l->base, -1, every ? EV_PERSIST : 0,
		    timer_cb, t);
	}
	t->every = every;
	if (t->ev == NULL || event_add(t->ev, &tv) != 0)
		log_warnx("cannot arm a timer");
}

void
loop_timer_in(struct loop_timer *t, uint64_t ms)
{
	arm(t, ms, 0);
}

void
loop_timer_every(struct loop_timer *t, uint64_t ms)
{
	arm(t, ms, 1);
}

void
loop_timer_free(struct loop_timer *t)
{
	if (t == NULL)
		return;
	if (t->ev != NULL)
		event_free(t->ev);
	free(t);
}

/* ---- signals ---------------------------------------------------------- */

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	(void)what;
	for (int i = 0; i < l->nsig; i++)
		if (event_get_signal(l->sig[i].ev) == (int)sig)
			l->sig[i].fn(l->sig[i].arg, (int)sig);
}

int
loop_signal(struct loop *l, int signo, loop_signal_fn *fn, void *arg)
{
	struct event *ev;

	if (l->nsig == LOOP_SIGNALS ||
	    (ev = evsignal_new(l->base, signo, signal_cb, l)) == NULL)
		return -1;
	if (event_add(ev, NULL) != 0) {
		event_free(ev);
		return -1;
	}
	l->sig[l->nsig].ev = ev;
	l->sig[l->nsig].fn = fn;
	l->sig[l->nsig].arg = arg;
	l->nsig++;
	return 0;
}
