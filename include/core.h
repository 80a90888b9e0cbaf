/*
 * core.h: the protocol core.  Bytes, the peer, the endpoint and the time
 * come in; datagrams go out through core_ops.send.  No sockets, no event
 * loop, no OpenSSL here: net.c feeds it, tests call it directly.
 */
#ifndef PMBD_CORE_H
#define PMBD_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "log.h"
#include "session.h"
#include "target.h"

struct core_ops {
	void	(*send)(void *arg, int ep, const struct peer *,
		    const uint8_t *, size_t);
	/* A target's persistent state changed: write it out. */
	void	(*persist)(void *arg, const struct target *);
	/* Call core_tick() at this time (monotonic ms) or sooner. */
	void	(*wake)(void *arg, uint64_t when);
	void	*arg;
	/* File descriptors for drivers (see struct target_env). */
	void	*(*io_add)(void *ioarg, int fd, target_io_fn *, void *cbarg);
	void	 (*io_want)(void *handle, int readable, int writable);
	void	 (*io_del)(void *handle);
	void	*ioarg;
};

struct core_stats {
	uint64_t	 rx;
	uint64_t	 tx;
	uint64_t	 dropped;	/* malformed or unauthenticated */
	uint64_t	 replays;
	uint64_t	 retries;	/* answered from the reply cache */
	uint64_t	 auth_fail;
	uint64_t	 sessions;	/* activated, in all */
};

struct core {
	const struct conf	*conf;
	struct core_ops		 ops;
	struct session_table	 st;
	struct target		*targets[256];	/* by IPMB address */
	struct sol		*sol[256];	/* targets with a console */
	uint8_t			 guid[16];	/* pmbd's own */
	struct target_env	 env;
	uint64_t		 now;
	uint16_t		 token_seq;	/* see TOKEN() in core.c */
	uint64_t		 wake_at;	/* asked of ops.wake, 0: none */
	struct core_stats	 stats;
	struct log_rl		 rl_drop;
	struct log_rl		 rl_auth;
	uint8_t			 out[1024];	/* one datagram being built */
	uint8_t			 plain[512];	/* decrypted payload */
};

/* targets[] entries stay owned by the caller. */
struct core *core_new(const struct conf *, const struct core_ops *,
	    const uint8_t guid[16]);
struct core *core_free(struct core *);
/* 0, or -1 when its console history cannot be allocated. */
int	 core_add_target(struct core *, struct target *);
/* Reload: see core.c. */
void	 core_remove_target(struct core *, uint8_t addr);
unsigned core_set_conf(struct core *, const struct conf *);
void	 core_input(struct core *, int ep, const struct peer *,
	    const uint8_t *, size_t, uint64_t now);
/* Call at least every 100 ms: expiry, driver ticks, pending timeouts. */
void	 core_tick(struct core *, uint64_t now);

/* Internal, shared by core.c, rakp.c and the cmd_*.c files. */
void	 core_send20(struct core *, struct session *, uint8_t ptype,
	    const uint8_t *, size_t);
void	 core_send_raw(struct core *, int ep, const struct peer *,
	    const uint8_t *, size_t);
void	 core_persist(struct core *, struct target *);
void	 core_wake(struct core *, uint64_t when);

#endif
