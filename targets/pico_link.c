/*
 * pico_link.c: the node link's sockets.  One TCP listener on node_listen,
 * made when the first pico target starts, serves them all.  A connection
 * goes through the TLS handshake (the PSK identity picks the target), then
 * must say HELLO with that same name within PICO_HANDSHAKE_MS of accept;
 * from then on its frames go to that target's pico.c.  Connections live
 * in a table made once (2 per pico target + 8 at most); each has one
 * frame-sized input buffer and a bounded output buffer: a peer that does
 * not read loses its link when PICO_OUT_MAX bytes wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "crypto.h"
#include "log.h"
#include "pico.h"

#define CONN_MAX	(2 * CONF_MAX_TARGETS + 8)
#define CONN_EXTRA	8
#define CONN_PER_HOST	4	/* unauthenticated, from one address */

enum conn_state {
	PC_FREE,
	PC_HANDSHAKE,		/* TLS */
	PC_HELLO,		/* TLS done, waiting for HELLO */
	PC_BOUND,		/* frames go to p */
};

struct pico_conn {
	enum conn_state		 state;
	unsigned		 gen;		/* changes at every close */
	int			 fd;
	void			*io;
	struct crypto_tls_conn	*tls;
	struct pico		*p;
	uint64_t		 deadline;	/* handshake and HELLO */
	int			 tls_wants_write;
	char			 peer[INET6_ADDRSTRLEN + 8];
	char			 ident[NP_TEXT_MAX];
	uint8_t			 in[2 * NP_FRAME_MAX];
	size_t			 inlen;
	uint8_t			*out;		/* PICO_OUT_MAX */
	size_t			 outoff, outlen;
};

static struct {
	int			 refs;
	int			 fd;
	void			*io;
	const struct target_env	*env;
	struct crypto_tls	*tls;
	struct pico_conn	*conns;		/* CONN_MAX */
	size_t			 nconns;	/* in use */
	int			 resting;	/* out of fds: not accepting */
	struct log_rl		 rl;
	char			 unknown[4 * NP_TEXT_MAX]; /* from psk_lookup */
	uint64_t		 now;		/* of the callback or tick */
} L = { .fd = -1 };

const char *
pico_link_peer(const struct pico_conn *c)
{
	return c->peer;
}

static void
conn_free(struct pico_conn *c)
{
	if (c->state == PC_FREE)
		return;
	if (c->io != NULL && L.env->io_del != NULL)
		L.env->io_del(c->io);
	c->tls = crypto_tls_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->out = NULL;
	c->io = NULL;
	c->fd = -1;
	c->p = NULL;
	c->inlen = c->outoff = c->outlen = 0;
	c->state = PC_FREE;
	c->gen++;
	L.nconns--;
}

void
pico_link_close(struct pico_conn *c, const char *why)
{
	log_debug("node link %s: closed (%s)", c->peer, why);
	c->p = NULL;
	conn_free(c);
}

/* The link layer ends a connection: its target hears of it. */
static void
conn_close(struct pico_conn *c, const char *why)
{
	if (c->p != NULL)
		pico_gone(c->p, c, why);
	else if (c->state != PC_BOUND)
		log_rl(&L.rl, "node link from %s%s%s: %s", c->peer,
		    c->ident[0] ? " as " : "", c->ident, why);
	pico_link_close(c, why);
}

static void
conn_want(struct pico_conn *c)
{
	if (c->state != PC_FREE && L.env->io_want != NULL)
		L.env->io_want(c->io, 1, c->tls_wants_write || c->outlen > 0);
}

int
pico_link_send(struct pico_conn *c, const uint8_t *p, size_t n)
{
	if (c->outlen + n > PICO_OUT_MAX) {
		conn_close(c, "output buffer full");
		return -1;
	}
	if (c->outoff + c->outlen + n > PICO_OUT_MAX) {
		memmove(c->out, c->out + c->outoff, c->outlen);
		c->outoff = 0;
	}
	memcpy(c->out + c->outoff + c->outlen, p, n);
	c->outlen += n;
	conn_want(c);
	return 0;
}

/* Write what waits; -1 if the connection was closed. */
static int
conn_flush(struct pico_conn *c)
{
	c->tls_wants_write = 0;
	while (c->outlen > 0) {
		int n = crypto_tls_write(c->tls, c->out + c->outoff,
		    c->outlen);

		if (n == CRYPTO_TLS_WANT_WRITE) {
			c->tls_wants_write = 1;
			return 0;
		}
		if (n == CRYPTO_TLS_WANT_READ)
			return 0;
		if (n < 0) {
			conn_close(c, "write failed");
			return -1;
		}
		c->outoff += (size_t)n;
		c->outlen -= (size_t)n;
	}
	c->outoff = 0;
	return 0;
}

/* Whole frames in c->in; -1 if the connection was closed. */
static int
conn_frames(struct pico_conn *c)
{
	unsigned gen = c->gen;
	size_t off = 0;
	int len;

	while ((len = np_frame_len(c->in + off, c->inlen - off)) > 0 &&
	    (size_t)len <= c->inlen - off) {
		struct np_msg m;
		uint64_t now = L.now;

		if (np_decode(c->in + off, (size_t)len, &m) != 0) {
			conn_close(c, "malformed frame");
			return -1;
		}
		if (c->state == PC_HELLO) {
			struct pico *p = pico_find(c->ident);

			if (m.type != NP_HELLO) {
				conn_close(c, "no HELLO first");
				return -1;
			}
			if (strcmp(m.u.hello.name, c->ident) != 0 ||
			    p == NULL) {
				conn_close(c, "HELLO name is not the PSK "
				    "identity");
				return -1;
			}
			c->state = PC_BOUND;
			c->p = p;
			if (pico_hello(p, c, &m, now) != 0) {
				c->p = NULL;
				conn_close(c, "HELLO refused");
				return -1;
			}
		} else
			pico_input(c->p, &m, now);
		if (c->gen != gen)
			return -1;		/* closed meanwhile */
		off += (size_t)len;
	}
	if (len < 0) {
		conn_close(c, "not a frame");
		return -1;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return 0;
}

static int
conn_read(struct pico_conn *c)
{
	for (;;) {
		int n = crypto_tls_read(c->tls, c->in + c->inlen,
		    sizeof(c->in) - c->inlen);

		if (n == CRYPTO_TLS_WANT_READ)
			return 0;
		if (n == CRYPTO_TLS_WANT_WRITE) {
			c->tls_wants_write = 1;
			return 0;
		}
		if (n <= 0) {
			conn_close(c, n == 0 ? "closed by the node" :
			    crypto_tls_error());
			return -1;
		}
		c->inlen += (size_t)n;
		if (conn_frames(c) != 0)
			return -1;
	}
}

static void
conn_handshake(struct pico_conn *c)
{
	int rc;

	L.unknown[0] = '\0';
	rc = crypto_tls_handshake(c->tls);
	if (rc == CRYPTO_TLS_WANT_READ || rc == CRYPTO_TLS_WANT_WRITE) {
		c->tls_wants_write = rc == CRYPTO_TLS_WANT_WRITE;
		return;
	}
	c->tls_wants_write = 0;
	if (rc != 0) {
		char why[sizeof(L.unknown) + 64];

		if (L.unknown[0] != '\0')
			snprintf(why, sizeof(why), "TLS handshake failed: "
			    "unknown node \"%s\"", L.unknown);
		else
			snprintf(why, sizeof(why), "TLS handshake failed: %s",
			    crypto_tls_error());
		conn_close(c, why);
		return;
	}
	snprintf(c->ident, sizeof(c->ident), "%s",
	    crypto_tls_identity(c->tls));
	c->state = PC_HELLO;
	log_debug("node link %s: TLS up as %s", c->peer, c->ident);
}

static void
conn_io(void *arg, uint64_t now, int readable, int writable)
{
	struct pico_conn *c = arg;

	(void)readable;
	(void)writable;
	L.now = now;
	if (c->state == PC_HANDSHAKE)
		conn_handshake(c);
	if (c->state == PC_HELLO || c->state == PC_BOUND) {
		if (conn_flush(c) != 0 || conn_read(c) != 0)
			return;
		if (conn_flush(c) != 0)
			return;
	}
	conn_want(c);
}

/* The PSK callback: the key of the pico target named so. */
static size_t
psk_lookup(void *arg, const char *identity, uint8_t *key, size_t max)
{
	size_t n;

	(void)arg;
	if ((n = pico_psk(identity, key, max)) == 0)	/* logged by the caller */
		log_escape((const uint8_t *)identity, strnlen(identity,
		    NP_TEXT_MAX), L.unknown, sizeof(L.unknown));
	return n;
}

static void
peer_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%u", a, ntohs(s->sin6_port));
	} else {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(out, len, "%s:%u", a, ntohs(s->sin_port));
	}
}

static void
accept_one(int fd, const struct sockaddr_storage *ss)
{
	struct pico_conn *c = NULL;
	size_t limit = 2 * pico_count() + CONN_EXTRA;
	int one = 1;

	char peer[sizeof(c->peer)];
	struct pico_conn *oldest = NULL, *oldest_same = NULL;
	size_t plen, same = 0;

	if (limit > CONN_MAX)
		limit = CONN_MAX;
	peer_text(ss, peer, sizeof(peer));
	plen = strrchr(peer, ':') != NULL ? (size_t)(strrchr(peer, ':') -
	    peer) + 1 : strlen(peer);
	/*
	 * Connections that have not proved a key yet: at most CONN_PER_HOST
	 * per address (its oldest makes room), and when the table is full the
	 * oldest of all makes room: idle connections cannot lock nodes out,
	 * whose handshakes take milliseconds.
	 */
	for (size_t i = 0; i < limit; i++) {
		struct pico_conn *o = &L.conns[i];

		if (o->state == PC_FREE) {
			if (c == NULL)
				c = o;
			continue;
		}
		if (o->state == PC_BOUND)
			continue;
		if (strncmp(o->peer, peer, plen) == 0) {
			same++;
			if (oldest_same == NULL ||
			    o->deadline < oldest_same->deadline)
				oldest_same = o;
		}
		if (oldest == NULL || o->deadline < oldest->deadline)
			oldest = o;
	}
	if (same >= CONN_PER_HOST) {		/* its own oldest goes */
		log_rl(&L.rl, "node link from %s: too many unauthenticated "
		    "connections from there", peer);
		conn_close(oldest_same, "room for a newer connection");
		if (c == NULL)
			c = oldest_same;
	} else if (c == NULL && oldest != NULL) {
		conn_close(oldest, "room for a newer connection");
		c = oldest;
	}
	if (c == NULL) {
		log_rl(&L.rl, "node link from %s: too many connections", peer);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->state = PC_HANDSHAKE;
	c->ident[0] = '\0';
	c->deadline = L.now + PICO_HANDSHAKE_MS;
	peer_text(ss, c->peer, sizeof(c->peer));
	L.nconns++;
	if ((c->out = malloc(PICO_OUT_MAX)) == NULL ||
	    (c->tls = crypto_tls_accept(L.tls, fd)) == NULL ||
	    (c->io = L.env->io_add(L.env->ioarg, fd, conn_io, c)) == NULL) {
		conn_close(c, "out of memory");
		return;
	}
	conn_io(c, L.now, 1, 0);
}

static void
listen_io(void *arg, uint64_t now, int readable, int writable)
{
	(void)arg;
	(void)writable;
	L.now = now;
	for (int i = 0; readable && i < 16; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(L.fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_rl(&L.rl, "node link: accept: %s",
				    strerror(errno));
			/* Out of descriptors: the listener stays readable;
			 * rest it until the next tick rather than spin. */
			if ((errno == EMFILE || errno == ENFILE) &&
			    L.env->io_want != NULL) {
				L.env->io_want(L.io, 0, 0);
				L.resting = 1;
			}
			return;
		}
		accept_one(fd, &ss);
	}
}

static int
listen_open(const struct conf_addr *a)
{
	int one = 1;

	L.fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (L.fd < 0) {
		log_warn("node_listen %s: socket", a->text);
		return -1;
	}
	setsockopt(L.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(L.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(L.fd, (const struct sockaddr *)&a->ss, a->len) != 0 ||
	    listen(L.fd, 64) != 0) {
		log_warn("node_listen %s", a->text);
		return -1;
	}
	return 0;
}

static void
link_free(void)
{
	if (L.conns != NULL)
		for (size_t i = 0; i < CONN_MAX; i++)
			if (L.conns[i].state != PC_FREE)
				pico_link_close(&L.conns[i], "stopping");
	free(L.conns);
	L.conns = NULL;
	if (L.io != NULL && L.env->io_del != NULL)
		L.env->io_del(L.io);
	L.io = NULL;
	if (L.fd >= 0)
		close(L.fd);
	L.fd = -1;
	L.tls = crypto_tls_server_free(L.tls);
}

int
pico_link_start(const struct target_env *env)
{
	if (L.refs++ > 0)
		return 0;
	L.env = env;
	L.rl = (struct log_rl)LOG_RL_INIT("node link failures");
	if (env->node_listen == NULL || env->io_add == NULL) {
		log_warnx("pico: no node_listen address");
		goto bad;
	}
	if ((L.conns = calloc(CONN_MAX, sizeof(*L.conns))) == NULL ||
	    (L.tls = crypto_tls_server_new(psk_lookup, NULL)) == NULL ||
	    listen_open(env->node_listen) != 0 ||
	    (L.io = env->io_add(env->ioarg, L.fd, listen_io, NULL)) == NULL)
		goto bad;
	for (size_t i = 0; i < CONN_MAX; i++)
		L.conns[i].fd = -1;
	log_info("listening for nodes on %s (TCP, TLS-PSK)",
	    env->node_listen->text);
	return 0;
bad:
	link_free();
	L.refs = 0;
	return -1;
}

void
pico_link_stop(void)
{
	if (L.refs > 0 && --L.refs == 0)
		link_free();
}

/* Handshakes and HELLOs that take too long; at most once per ms. */
void
pico_link_tick(uint64_t now)
{
	static uint64_t last;

	L.now = now;
	if (L.conns == NULL || now == last)
		return;
	last = now;
	if (L.resting && L.env->io_want != NULL) {
		L.resting = 0;
		L.env->io_want(L.io, 1, 0);
	}
	for (size_t i = 0; i < CONN_MAX; i++) {
		struct pico_conn *c = &L.conns[i];

		if ((c->state == PC_HANDSHAKE || c->state == PC_HELLO) &&
		    now >= c->deadline)
			conn_close(c, c->state == PC_HANDSHAKE ?
			    "TLS handshake timed out" : "no HELLO in time");
	}
}
