/*
 * core.h: the IPMI face.  Bytes, the peer, the endpoint and the time
 * come in; datagrams go out through out.h (core_ops.send).  No sockets, no
 * event loop, no OpenSSL here: net.c feeds it, tests call it directly.
 * What a target is and does is the model's (machine.h).
 */
#ifndef PMBD_CORE_H
#define PMBD_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "log.h"
#include "out.h"
#include "session.h"
#include "target.h"

struct core_ops {
	void	(*send)(void *arg, int ep, const struct peer *,
		    const uint8_t *, size_t);
	/* Call core_tick() at this time (monotonic ms) or sooner. */
	void	(*wake)(void *arg, uint64_t when);
	void	*arg;
};

struct core_stats {
	uint64_t	 rx;
	uint64_t	 dropped;	/* malformed or unauthenticated */
	uint64_t	 replays;
	uint64_t	 retries;	/* answered from the reply cache */
	uint64_t	 auth_fail;
	uint64_t	 sessions;	/* activated, in all */
};

struct sol;

struct core {
	const struct conf	*conf;
	struct out		 out;		/* the one way out */
	struct session_table	 st;
	struct sol		*sol[256];	/* SOL instances, by target */
	uint8_t			 guid[16];	/* pmbd's own */
	uint64_t		 now;
	uint16_t		 token_seq;	/* see bridge.c */
	struct core_stats	 stats;
	struct log_rl		 rl_drop;
	struct log_rl		 rl_auth;
	uint8_t			 plain[512];	/* decrypted payload */
};

struct core *core_new(const struct conf *, const struct core_ops *,
	    const uint8_t guid[16]);
struct core *core_free(struct core *);
/*
 * The IPMI face of a target the model has (machine_add): its SOL
 * instance; 0 or -1.  Removing it ends that instance (the viewer is told).
 */
int	 core_add_target(struct core *, struct target *);
void	 core_remove_target(struct core *, uint8_t addr);
/* Reload: see core.c. */
unsigned core_set_conf(struct core *, const struct conf *);
void	 core_input(struct core *, int ep, const struct peer *,
	    const uint8_t *, size_t, uint64_t now);
/* Call at least every 100 ms: expiry, pending timeouts, SOL. */
void	 core_tick(struct core *, uint64_t now);

#endif
