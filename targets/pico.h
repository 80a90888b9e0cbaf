/*
 * pico.h: the pico driver, a node (Pico W, pmb-node-sim) that calls pmbd
 * over TLS and speaks docs/node-protocol.md.  pico.c is the protocol
 * logic per target (frames in, frames out, time given), pico_console.c
 * its console; pico_link.c owns the sockets: one listener on node_listen
 * shared by every pico target, the TLS connections, and the framing.  The unit test replaces
 * pico_link.c with a fake link and drives pico.c through these calls.
 */
#ifndef PMBD_PICO_H
#define PMBD_PICO_H

#include <stddef.h>
#include <stdint.h>

#include "console_tx.h"
#include "log.h"
#include "nproto.h"
#include "target.h"

#define PICO_PSK_LEN	32		/* bytes; 64 hex digits in the file */
#define PICO_CON_TX	CONTX_MAX	/* console bytes waiting for the node */
#define PICO_REQ_MAX	8		/* requests waiting for a RESULT */
#define PICO_HANDSHAKE_MS 5000		/* TLS and HELLO, from accept */
#define PICO_OUT_MAX	65536		/* unsent output per link */

struct pico_conn;

struct pico_conf {
	char		 node[NP_TEXT_MAX];
	uint8_t		 psk[PICO_PSK_LEN];
	int		 has_psk;
	uint16_t	 press_ms;	/* 0: the node's own */
	uint16_t	 hold_ms;
	uint16_t	 reset_ms;
};

enum pico_req_kind {
	PICO_REQ_POWER,
	PICO_REQ_PULSE,
	PICO_REQ_IDENTIFY,
	PICO_REQ_REBOOT,
};

/* A request the core waits for. */
struct pico_req {
	int		 used;
	enum pico_req_kind	 kind;
	uint32_t	 token;
	uint64_t	 until;		/* the core gives up then */
	struct np_msg	 msg;		/* resent as is, same seq */
};

struct pico {
	const struct pico_conf	*cf;
	struct target		*t;
	struct pico_conn	*conn;		/* NULL: offline */
	uint64_t		 now;
	uint64_t		 last_rx;
	uint64_t		 last_tx;
	/* What the node told. */
	char			 board[NP_TEXT_MAX];
	char			 fw[NP_TEXT_MAX];
	uint32_t		 caps;
	uint32_t		 boot_id;
	int			 booted;	/* boot_id is known */
	uint8_t			 power;		/* enum np_pstate */
	int			 assumed_on;	/* without a sense pin */
	int			 unsensed_logged;
	int			 ident_forced;
	uint64_t		 ident_until;
	struct pico_req		 req[PICO_REQ_MAX];
	/* Node to daemon console. */
	uint32_t		 rx_next;	/* next offset wanted */
	uint32_t		 rx_limit;	/* rx_next + window granted */
	int			 rx_known;
	/* Daemon to node console: tx.buf[0] is at offset tx_base. */
	struct contx		 tx;
	uint32_t		 tx_base;	/* oldest not acknowledged */
	uint32_t		 tx_sent;	/* next to send */
	uint32_t		 tx_limit;	/* node's next + window */
	unsigned		 baud;		/* 0: never set */
	/* Sensors. */
	struct np_sensors	 sens;
	int			 have_sens;
	struct log_rl		 rl;
	uint8_t			 frame[NP_FRAME_MAX];
};

/* pico.c, for pico_console.c */
int	 pico_send(struct pico *, struct np_msg *);
/* A request nobody waits for (settings): gets the next seq. */
void	 pico_send_req(struct pico *, struct np_msg *);

/* pico_console.c */
int32_t	 pico_diff(uint32_t, uint32_t);		/* a - b, wrapping */
uint16_t pico_rx_window(struct pico *);
void	 pico_con_ack(struct pico *);
void	 pico_con_input(struct pico *, const struct np_con_data *);
void	 pico_con_acked(struct pico *, const struct np_con_ack *);
void	 pico_con_resume(struct pico *, const struct np_hello *, int new_boot);
size_t	 pico_console_write(struct target_src *, const uint8_t *, size_t);
int	 pico_console_break(struct target_src *, unsigned ms);
int	 pico_console_baud(struct target_src *, unsigned baud);

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

/* pico_info.c: sensors and firmware. */
size_t	 pico_sensor_list(struct target_src *, const struct target_sensor **);
int	 pico_sensor_read(struct target_src *, uint64_t, size_t, uint8_t *);
void	 pico_node_firmware(struct target_src *, char *, size_t);

/* pico_conf.c: the options. */
void	*pico_conf_new(void);
int	 pico_conf_set(void *, const char *, const struct conf_value *, char *,
	    size_t);
int	 pico_conf_check(void *, char *, size_t);
void	 pico_conf_free(void *);
const char *pico_conf_unique(const void *);

#endif
