/* console_tx.c: a console line's bounded transmit buffer. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console_tx.h"

size_t
contx_put(struct contx *x, const uint8_t *p, size_t n)
{
	size_t room = sizeof(x->buf) - x->len;

	x->full = n > room;
	if (n > room)
		n = room;
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	return n;
}

void
contx_consume(struct contx *x, size_t n)
{
	if (n > x->len)
		n = x->len;
	memmove(x->buf, x->buf + n, x->len - n);
	x->len -= n;
}

int
contx_flush(struct contx *x, int fd, int sock)
{
	ssize_t n;

	if (fd < 0 || x->len == 0)
		return 0;
	n = sock ? send(fd, x->buf, x->len, MSG_NOSIGNAL) :
	    write(fd, x->buf, x->len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	contx_consume(x, (size_t)n);
	return 0;
}

int
contx_ready(struct contx *x)
{
	if (!x->full || x->len == sizeof(x->buf))
		return 0;
	x->full = 0;
	return 1;
}

void
contx_clear(struct contx *x)
{
	x->len = 0;
	x->full = 0;
}
