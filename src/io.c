/* io.c: drivers' file descriptors on the event loop. */
#include <event2/event.h>
#include <stdlib.h>

#include "io.h"
#include "log.h"

/* One event per direction, made once, added and deleted as wanted:
 * safe to change from inside the callbacks. */
struct io {
	struct event	*rev;
	struct event	*wev;
	int		 r, w;
	target_io_fn	*fn;
	void		*cbarg;
};

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io *io = arg;

	(void)fd;
	io->fn(io->cbarg, (what & EV_READ) != 0, (what & EV_WRITE) != 0);
}

void *
io_add(void *base, int fd, target_io_fn *fn, void *cbarg)
{
	struct io *io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return NULL;
	io->fn = fn;
	io->cbarg = cbarg;
	io->rev = event_new(base, fd, EV_READ | EV_PERSIST, io_cb, io);
	io->wev = event_new(base, fd, EV_WRITE | EV_PERSIST, io_cb, io);
	if (io->rev == NULL || io->wev == NULL) {
		io_del(io);
		return NULL;
	}
	io_want(io, 1, 0);
	return io;
}

static void
set(struct event *ev, int *cur, int want)
{
	if (want == *cur)
		return;
	if (want ? event_add(ev, NULL) : event_del(ev))
		log_warnx("cannot watch a driver's descriptor");
	*cur = want;
}

void
io_want(void *handle, int readable, int writable)
{
	struct io *io = handle;

	set(io->rev, &io->r, readable != 0);
	set(io->wev, &io->w, writable != 0);
}

void
io_del(void *handle)
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
