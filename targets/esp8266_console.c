/*
 * esp8266_console.c: the esp8266 driver's console, the firmware's UART
 * bridge: a raw TCP connection to bridge_port (23 by default) that carries
 * the server's serial line both ways (README of
 * esp8266-universal-io-bridge, "UART bridge").  What the server prints goes
 * to the SOL path and history ring as far as target_console_room() allows
 * (the socket is not read meanwhile: TCP holds the rest back); what SOL
 * clients type waits in a bounded buffer.  The connection is reopened on
 * its own, with backoff, when it drops.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "console_tx.h"
#include "esp8266.h"
#include "log.h"

#define CON_RX		4096
#define CON_CONNECT_MS	3000
#define CON_BACKOFF_MIN	500
#define CON_BACKOFF_MAX	10000

struct esp_console {
	struct target_src	*src;
	const struct esp_conf	*cf;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 fd;
	void			*io;
	int			 connected;
	int			 paused;	/* no room in the core */
	int			 down_logged;
	uint64_t		 now;
	uint64_t		 deadline;
	uint64_t		 retry_at;
	unsigned		 backoff;
	struct contx		 tx;		/* input waiting for the UART */
};

static void
con_want(struct esp_console *c)
{
	const struct target_env *env = c->src->t->env;

	if (c->io != NULL && env->io_want != NULL)
		env->io_want(c->io, c->connected && !c->paused,
		    !c->connected || c->tx.len > 0);
}

static void
con_close(struct esp_console *c, const char *why)
{
	const struct target_env *env = c->src->t->env;

	if (c->io != NULL && env->io_del != NULL)
		env->io_del(c->io);
	c->io = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (why != NULL && (c->connected || !c->down_logged))
		log_warnx("target %s: esp8266 console %s:%u: %s",
		    c->src->t->name, c->cf->host, c->cf->bridge_port, why);
	if (why != NULL)
		c->down_logged = 1;
	c->connected = 0;
	c->paused = 0;
	contx_clear(&c->tx);		/* the engine's tick retries */
	c->backoff = c->backoff == 0 ? CON_BACKOFF_MIN : c->backoff * 2 >
	    CON_BACKOFF_MAX ? CON_BACKOFF_MAX : c->backoff * 2;
	c->retry_at = c->now + c->backoff;
}

/* Send what waits; never calls the core (console_write uses it). */
static void
con_flush(struct esp_console *c)
{
	if (c->fd < 0 || !c->connected)
		return;
	if (contx_flush(&c->tx, c->fd, 1) != 0)
		con_close(c, "send failed");
}

static void
con_read(struct esp_console *c)
{
	uint8_t buf[CON_RX];
	size_t room = target_console_room(c->src->t);
	ssize_t n;

	if (room == 0) {
		c->paused = 1;
		return;
	}
	n = recv(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		con_close(c, n == 0 ? "closed by the ESP" : "receive failed");
	else
		target_console_output(c->src->t, c->now, buf, (size_t)n);
}

static void
con_io_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct esp_console *c = arg;
	int err = 0, one = 1;
	socklen_t len = sizeof(err);

	c->now = now;
	if (!c->connected) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
		    err != 0) {
			con_close(c, "cannot connect");
			return;
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->connected = 1;
		c->backoff = 0;
		if (c->down_logged)
			log_info("target %s: esp8266 console %s:%u is back",
			    c->src->t->name, c->cf->host, c->cf->bridge_port);
		c->down_logged = 0;
		writable = 1;
	}
	if (writable)
		con_flush(c);
	if (readable && c->fd >= 0)
		con_read(c);
	if (c->fd >= 0)
		con_want(c);
	if (contx_ready(&c->tx))		/* the engine may write again */
		target_console_ready(c->src->t, now);
}

static void
con_connect(struct esp_console *c)
{
	const struct target_env *env = c->src->t->env;
	struct sockaddr_storage ss = c->ss;

	if (c->sslen == 0)
		return;			/* the command link resolves it */
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port =
		    htons(c->cf->bridge_port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons(c->cf->bridge_port);
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&ss, c->sslen) !=
	    0 && errno != EINPROGRESS)) {
		con_close(c, "cannot connect");
		return;
	}
	if (env->io_add != NULL && (c->io = env->io_add(env->ioarg, c->fd,
	    con_io_cb, c)) == NULL) {
		con_close(c, "cannot watch the socket");
		return;
	}
	c->deadline = c->now + CON_CONNECT_MS;
	con_want(c);
}

struct esp_console *
esp_console_new(struct target_src *src, const struct esp_conf *cf,
    uint64_t now)
{
	struct esp_console *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->src = src;
	c->cf = cf;
	c->fd = -1;
	c->now = now;
	return c;
}

struct esp_console *
esp_console_free(struct esp_console *c)
{
	if (c == NULL)
		return NULL;
	con_close(c, NULL);
	free(c);
	return NULL;
}

void
esp_console_addr(struct esp_console *c, const void *sa, unsigned salen)
{
	if (c == NULL || salen > sizeof(c->ss))
		return;
	memcpy(&c->ss, sa, salen);
	c->sslen = salen;
}

void
esp_console_tick(struct esp_console *c, uint64_t now)
{
	c->now = now;
	if (c->fd < 0) {
		if (now >= c->retry_at)
			con_connect(c);
		return;
	}
	if (!c->connected) {
		if (now >= c->deadline)
			con_close(c, "connect timed out");
		return;
	}
	if (c->paused && target_console_room(c->src->t) > 0) {
		c->paused = 0;
		con_want(c);
	}
}

size_t
esp_console_write(struct esp_console *c, const uint8_t *p, size_t n)
{
	if (c->fd < 0 || !c->connected)
		return 0;		/* down: kept for later */
	n = contx_put(&c->tx, p, n);
	con_flush(c);
	if (c->fd >= 0)
		con_want(c);
	return n;
}
