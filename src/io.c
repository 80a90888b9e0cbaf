/* io.c: drivers' file descriptors on the event loop. */
#include <event2/event.h>
#include <stdlib.h>

#include "io.h"
#include "log.h"

struct io {
	struct event_base	*base;
	struct event		*ev;
	int			 fd;
	target_io_fn		*fn;
	void			*cbarg;
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
	io->base = base;
	io->fd = fd;
	io->fn = fn;
	io->cbarg = cbarg;
	io_want(io, 1, 0);
	if (io->ev == NULL) {
		free(io);
		return NULL;
	}
	return io;
}

void
io_want(void *handle, int readable, int writable)
{
	struct io *io = handle;
	short what = EV_PERSIST | (readable ? EV_READ : 0) |
	    (writable ? EV_WRITE : 0);

	if (io->ev != NULL)
		event_free(io->ev);
	io->ev = NULL;
	if (!readable && !writable)
		return;
	io->ev = event_new(io->base, io->fd, what, io_cb, io);
	if (io->ev == NULL || event_add(io->ev, NULL) != 0)
		log_warnx("cannot watch descriptor %d", io->fd);
}

void
io_del(void *handle)
{
	struct io *io = handle;

	if (io == NULL)
		return;
	if (io->ev != NULL)
		event_free(io->ev);
	free(io);
}
