/*
 * net.h: the UDP endpoints on the event loop (loop.h).  net.c reads datagrams and hands
 * them to the core; it never parses a byte.
 */
#ifndef PMBD_NET_H
#define PMBD_NET_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct conf;
struct core;
struct peer;

struct net;

/* Binds every endpoint of the configuration; NULL with err set. */
struct net *net_new(const struct conf *, char *err, size_t);
/* Starts reading: datagrams go to the core from the event loop. */
void	 net_start(struct net *, struct loop *, struct core *);
struct net *net_free(struct net *);
/*
 * Reload: new's endpoints aligned with old's (conf_align_eps).  Binds the
 * new ones first: on failure, -1 with err and nothing changed; then
 * closes the ones that went.  Unchanged sockets stay as they are.
 */
int	 net_reload(struct net *, const struct conf *old,
	    const struct conf *new, char *err, size_t);
/* core_ops.send */
void	 net_send(void *, int ep, const struct peer *, const uint8_t *, size_t);

#endif
