/*
 * bridge.h: an IPMI request inside a session, start to end.  The reply
 * cache answers a client's retries (same bytes, same answer, the command
 * runs once) and holds the requests a target answers later; Send Message
 * (App 34h) unwraps a bridged request, runs it on its target and answers
 * with the two packets every client accepts (docs/design.md, Bridging).
 */
#ifndef PMBD_BRIDGE_H
#define PMBD_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

struct core;
struct session;

/* An IPMI payload (type 0) from an active session. */
void	 bridge_request(struct core *, struct session *, const uint8_t *,
	    size_t);
/* A machine's late answer (machine_done_fn; arg is the core). */
void	 bridge_done(void *arg, uint32_t cookie, int result);
/* Requests whose target took longer than target_timeout: C3h. */
void	 bridge_tick(struct core *);
/* The Send Message handler (cmd_app's table row). */
int	 bridge_send_message(struct cmd_ctx *, struct buf *, struct wbuf *);

#endif
