/*
 * pico.h: the pico driver, a node (Pico W, pmb-node-sim) that calls pmbd
 * over TLS and speaks docs/node-protocol.md.  pico.c is the protocol
 * logic per target (frames in, frames out, time given); pico_link.c owns
 * the sockets: one listener on node_listen shared by every pico target,
 * the TLS connections, and the framing.  The unit test replaces
 * pico_link.c with a fake link and drives pico.c through these calls.
 */
#ifndef PMBD_PICO_H
#define PMBD_PICO_H

#include <stddef.h>
#include <stdint.h>

#include "nproto.h"
#include "target.h"

#define PICO_PSK_LEN	32		/* bytes; 64 hex digits in the file */
#define PICO_CON_TX	4096		/* console bytes waiting for the node */
#define PICO_REQ_MAX	8		/* requests waiting for a RESULT */
#define PICO_HANDSHAKE_MS 5000		/* TLS and HELLO, from accept */
#define PICO_OUT_MAX	65536		/* unsent output per link */

struct pico;
struct pico_conn;

/* pico.c, for pico_link.c: the targets by node name. */
struct pico *pico_find(const char *node);
/* The node's key for the TLS PSK callback: its length, or 0. */
size_t	 pico_psk(const char *node, uint8_t *key, size_t max);
size_t	 pico_count(void);
/* A connection said HELLO with a matching name: 0, or -1 to close it. */
int	 pico_hello(struct pico *, struct pico_conn *, const struct np_msg *,
	    uint64_t now);
/* A frame on an established link. */
void	 pico_input(struct pico *, const struct np_msg *, uint64_t now);
/* The link layer closed the connection (error, EOF, overflow). */
void	 pico_gone(struct pico *, struct pico_conn *, const char *why);

/* pico_link.c, for pico.c. */
int	 pico_link_start(const struct target_env *);	/* refcounted */
void	 pico_link_stop(void);
void	 pico_link_tick(uint64_t now);
/* Queue one frame: 0, or -1 when the link was closed (pico_gone ran). */
int	 pico_link_send(struct pico_conn *, const uint8_t *, size_t);
/* Close a connection without calling pico_gone. */
void	 pico_link_close(struct pico_conn *, const char *why);
/* The peer's address, for logs. */
const char *pico_link_peer(const struct pico_conn *);

#endif
