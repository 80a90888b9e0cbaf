/* net.c: the UDP sockets of the IPMI face, on the event loop (loop.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "core.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "notify.h"
#include "session.h"

#define NET_BATCH	32	/* datagrams per recvmmsg() */
#define NET_DGRAM	2048	/* larger datagrams are not IPMI: dropped */

struct net_ep {
	struct net	*net;
	int		 idx;
	int		 fd;
	void		*io;		/* loop_io_add() */
};

struct net {
	struct loop		*loop;
	struct core		*core;
	size_t			 n;		/* slots in use: 0..n */
	struct net_ep		 eps[CONF_MAX_ENDPOINTS];
	struct log_rl		 rl_send;
	struct log_rl		 rl_big;
	struct mmsghdr		 msgs[NET_BATCH];
	struct iovec		 iov[NET_BATCH];
	struct peer		 peers[NET_BATCH];
	uint8_t			 buf[NET_BATCH][NET_DGRAM];
};

static void
net_read_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct net_ep *ep = arg;
	struct net *net = ep->net;
	int fd = ep->fd, n;

	(void)readable;
	(void)writable;
	/* One system call for whatever is queued, up to NET_BATCH. */
	for (int i = 0; i < NET_BATCH; i++) {
		struct msghdr *h = &net->msgs[i].msg_hdr;

		memset(h, 0, sizeof(*h));
		net->iov[i].iov_base = net->buf[i];
		net->iov[i].iov_len = NET_DGRAM;
		h->msg_iov = &net->iov[i];
		h->msg_iovlen = 1;
		h->msg_name = &net->peers[i].ss;
		h->msg_namelen = sizeof(net->peers[i].ss);
	}
	n = recvmmsg(fd, net->msgs, NET_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return;			/* EAGAIN or a transient error */
	for (int i = 0; i < n; i++) {
		struct peer *p = &net->peers[i];

		if (net->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			log_rl(&net->rl_big, "dropped a datagram over %d "
			    "bytes", NET_DGRAM);
			continue;
		}
		p->len = net->msgs[i].msg_hdr.msg_namelen;
		core_input(net->core, ep->idx, p, net->buf[i],
		    net->msgs[i].msg_len, now);
	}
}

void
net_send(void *arg, int idx, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	struct net *net = arg;

	if (sendto(net->eps[idx].fd, p, n, MSG_DONTWAIT,
	    (const struct sockaddr *)&peer->ss, peer->len) < 0)
		log_rl(&net->rl_send, "sendto: %s", strerror(errno));
}

/* A bound socket for an endpoint: systemd's (socket activation) or ours. */
static int
ep_open(const struct conf_addr *a, char *err, size_t errlen)
{
	int fd, one = 1;

	if ((fd = notify_listen_fd((const struct sockaddr *)&a->ss,
	    a->len)) >= 0) {
		log_info("%s: the socket systemd passed", a->text);
		return fd;
	}
	fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    (a->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", a->text,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
ep_watch(struct net *net, size_t i)
{
	struct net_ep *ep = &net->eps[i];

	ep->io = loop_io_add(net->loop, ep->fd, net_read_cb, ep);
	return ep->io == NULL ? -1 : 0;
}

static void
ep_close(struct net_ep *ep)
{
	loop_io_del(ep->io);
	if (ep->fd >= 0)
		close(ep->fd);
	ep->io = NULL;
	ep->fd = -1;
}

struct net *
net_new(const struct conf *cf, char *err, size_t errlen)
{
	struct net *net;

	if ((net = calloc(1, sizeof(*net))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	net->rl_send = (struct log_rl)LOG_RL_INIT("send errors");
	net->rl_big = (struct log_rl)LOG_RL_INIT("oversized datagrams");
	for (size_t i = 0; i < CONF_MAX_ENDPOINTS; i++) {
		net->eps[i].fd = -1;
		net->eps[i].net = net;
		net->eps[i].idx = (int)i;
	}
	net->n = cf->neps;
	for (size_t i = 0; i < cf->neps; i++)
		if (cf->eps[i].addr.len != 0 &&
		    (net->eps[i].fd = ep_open(&cf->eps[i].addr, err,
		    errlen)) < 0)
			return net_free(net);
	return net;
}

void
net_start(struct net *net, struct loop *loop, struct core *core)
{
	net->loop = loop;
	net->core = core;
	for (size_t i = 0; i < net->n; i++)
		if (net->eps[i].fd >= 0 && ep_watch(net, i) != 0)
			fatalx("cannot watch socket");
}

int
net_reload(struct net *net, const struct conf *old, const struct conf *nw,
    char *err, size_t errlen)
{
	int fresh[CONF_MAX_ENDPOINTS];
	size_t max = old->neps > nw->neps ? old->neps : nw->neps;

	/* Bind what is new first: if one fails, nothing changed. */
	for (size_t i = 0; i < max; i++) {
		const struct conf_endpoint *o = i < old->neps ? &old->eps[i] :
		    NULL, *e = i < nw->neps ? &nw->eps[i] : NULL;

		fresh[i] = -1;
		if (e == NULL || e->addr.len == 0 || (o != NULL &&
		    o->addr.len != 0 && o->target == e->target &&
		    strcmp(o->addr.text, e->addr.text) == 0))
			continue;
		if ((fresh[i] = ep_open(&e->addr, err, errlen)) < 0) {
			for (size_t k = 0; k < i; k++)
				if (fresh[k] >= 0)
					close(fresh[k]);
			return -1;
		}
	}
	for (size_t i = 0; i < max; i++) {
		const struct conf_endpoint *e = i < nw->neps ? &nw->eps[i] :
		    NULL;

		if (fresh[i] >= 0 || e == NULL || e->addr.len == 0) {
			if (net->eps[i].fd >= 0)
				log_info("no longer listening on %s",
				    old->eps[i].addr.text);
			ep_close(&net->eps[i]);
		}
		if (fresh[i] >= 0) {
			net->eps[i].fd = fresh[i];
			if (ep_watch(net, i) != 0)
				fatalx("cannot watch socket");
			log_info("listening on %s", e->addr.text);
		}
	}
	net->n = nw->neps;
	return 0;
}

struct net *
net_free(struct net *net)
{
	if (net == NULL)
		return NULL;
	for (size_t i = 0; i < CONF_MAX_ENDPOINTS; i++)
		ep_close(&net->eps[i]);
	free(net);
	return NULL;
}
