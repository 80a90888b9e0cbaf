/*
 * out.h: the one way out of the IPMI protocol core.  Everything the core
 * sends (rakp.c, sol.c, bridge.c and core.c itself) leaves through here,
 * wrapped for its session or bare, and every wake-up it wants too; no
 * handler calls back up into core.c.
 */
#ifndef PMBD_OUT_H
#define PMBD_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct out {
	/* Given by the daemon (net.c) or a test. */
	void		(*send)(void *arg, int ep, const struct peer *,
			    const uint8_t *, size_t);
	void		(*wake)(void *arg, uint64_t when);
	void		*arg;
	uint64_t	 wake_at;	/* asked of wake(), 0: none */
	uint64_t	 tx;		/* datagrams sent */
	uint8_t		 buf[1024];	/* the one being built */
};

void	 out_raw(struct out *, int ep, const struct peer *, const uint8_t *,
	    size_t);
/* An RMCP+ payload in session s (sequence number, integrity, encryption). */
void	 out_session(struct out *, struct session *, uint8_t ptype,
	    const uint8_t *, size_t);
/* A pre-session RMCP+ payload (Open Session, RAKP). */
void	 out_presession(struct out *, int ep, const struct peer *,
	    uint8_t ptype, const uint8_t *, size_t);
/* An ASF pong; ipmi: whether it says IPMI is supported. */
void	 out_pong(struct out *, int ep, const struct peer *, uint8_t tag,
	    int ipmi);
/* Call core_tick() at `when` or sooner. */
void	 out_wake(struct out *, uint64_t now, uint64_t when);

#endif
