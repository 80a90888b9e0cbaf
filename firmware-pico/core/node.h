/*
 * node.h: the node firmware's portable core.  One struct node, driven by
 * node_poll(now) from the main loop; the link (TLS, or a fake in the unit
 * test) behind struct link_ops; the board behind board.h.  No allocation:
 * every buffer is in struct node.  docs/node-protocol.md is the protocol.
 *
 * Files: node.c (session, frames, requests), node_power.c (pulses, power
 * actions, generic pins: the fail-safe part), node_console.c (the console
 * both ways).
 */
#ifndef PMB_NODE_H
#define PMB_NODE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "nproto.h"

#define NODE_FW_VERSION	"pmb-node 0.1"

#define NODE_CON_RING	8192	/* node -> daemon, drop oldest; power of 2 */
#define NODE_CON_TX	1024	/* daemon -> node UART buffer; power of 2 */
#define NODE_OUT_MAX	4096	/* frames waiting for the link */
#define NODE_IN_MAX	(NP_FRAME_MAX + 512)
#define NODE_RESULTS	16	/* remembered (seq, RESULT) */
#define NODE_REVERTS	4	/* PIN_WRITEs pending revert */
#define NODE_PINS	32	/* generic pin modes tracked */

#define NODE_BACKOFF_MIN	500
#define NODE_BACKOFF_MAX	30000
#define NODE_OPEN_MS		10000	/* TCP + TLS + WELCOME */
#define NODE_SENSORS_MS		5000
#define NODE_CYCLE_WAIT_MS	10000	/* cycle: sensed off within */
#define NODE_CYCLE_BLIND_MS	2000	/* cycle without sense */
#define NODE_CYCLE_GAP_MS	500	/* released, off: then press */

/* Board alarm ids the core uses. */
#define NODE_ALARM_LINE(l)	(l)		/* 0 power, 1 reset */
#define NODE_ALARM_REVERT(i)	(2 + (i))	/* PIN_WRITE reverts */

/* The link: TLS over the board's TCP, or a test's fake. */
struct link_ops {
	int	(*open)(void *);	/* start: 0, or -1 */
	int	(*poll)(void *);	/* 1 up, 0 not yet, -1 failed */
	long	(*send)(void *, const uint8_t *, size_t); /* n, 0, -1 */
	long	(*recv)(void *, uint8_t *, size_t);	/* n, 0, -1 */
	void	(*close)(void *);
};

/*
 * The sense input's pull.  AUTO follows the polarity: a pull-up for
 * active-low sensing (an optocoupler's open collector to ground reads low
 * while the server is on, and floats otherwise), a pull-down for
 * active-high.  An input nobody drives and nothing pulls reads noise.
 */
enum node_pull {
	NODE_PULL_AUTO	= 0,
	NODE_PULL_UP	= 1,
	NODE_PULL_DOWN	= 2,
	NODE_PULL_NONE	= 3,	/* the wiring has its own resistor */
};

struct node_conf {
	char		 name[NP_TEXT_MAX];	/* the PSK identity */
	struct np_pins	 pins;
	uint8_t		 sense_pull;	/* enum node_pull */
	uint16_t	 press_ms;	/* 0: defaults 300, 5000, 200 */
	uint16_t	 hold_ms;
	uint16_t	 reset_ms;
};

enum node_link {
	NODE_DOWN,		/* waiting for the backoff */
	NODE_OPENING,		/* TCP and TLS handshake */
	NODE_HELLO,		/* HELLO sent, waiting for WELCOME */
	NODE_UP,		/* welcomed */
};

struct node_line {		/* a button: power or reset */
	uint8_t		 pin;
	uint8_t		 busy;		/* pressed, release not yet seen */
	atomic_int	 fired;		/* set by the release alarm */
	uint32_t	 ms;		/* length of the current pulse */
};

struct node_revert {		/* a PIN_WRITE waiting for its revert */
	uint8_t		 pin;		/* NP_PIN_NONE: free */
	uint8_t		 level;		/* to go back to */
	atomic_int	 fired;
};

struct node_memo {		/* a RESULT sent, for retries */
	uint32_t	 seq;
	uint8_t		 used;
	struct np_result res;
};

struct node {
	struct node_conf	 conf;
	const struct link_ops	*link;
	void			*link_ctx;

	uint32_t	 boot_id;
	uint8_t		 reset_cause;
	uint32_t	 boot_ms;
	uint16_t	 press_ms, hold_ms, reset_ms;	/* in force */

	uint32_t	 now;		/* of the current node_poll() */

	/* Link. */
	enum node_link	 state;
	uint32_t	 backoff;	/* current step */
	uint32_t	 next_try;	/* NODE_DOWN: open at */
	uint32_t	 opened;	/* NODE_OPENING/HELLO: since */
	uint32_t	 last_rx, last_tx;
	uint32_t	 up_since;
	uint16_t	 heartbeat_ms, dead_ms;
	uint32_t	 daemon_id;
	uint8_t		 have_daemon;
	uint32_t	 links;		/* welcomed links since boot */

	uint8_t		 out[NODE_OUT_MAX];	/* frames to send */
	size_t		 out_len;
	uint8_t		 in[NODE_IN_MAX];	/* bytes received */
	size_t		 in_len;

	struct node_memo memo[NODE_RESULTS];
	unsigned	 memo_next;

	/* Power. */
	struct node_line line[2];
	uint8_t		 last_power;	/* last STATE sent */
	uint8_t		 last_pressed;
	uint8_t		 state_dirty;
	uint8_t		 cycle;		/* 0, 1 holding/waiting off, 2 blind */
	uint32_t	 cycle_t;	/* phase deadline or start */
	uint32_t	 off_since;	/* cycle: released and sensed off at */

	/* Generic pins. */
	uint8_t		 pin_mode[NODE_PINS];	/* 0xff: not set up */
	struct node_revert revert[NODE_REVERTS];

	/* Identify and LED. */
	uint8_t		 ident;		/* 0 off, 255 until told */
	uint32_t	 ident_until;
	uint32_t	 led_t;
	int		 led_on;

	uint32_t	 sensors_t;	/* next periodic SENSORS */
	uint8_t		 reboot_pending;
	uint32_t	 reboot_t;

	/* Console, node -> daemon: ring offsets. */
	uint8_t		 con_ring[NODE_CON_RING];
	uint32_t	 con_head;	/* next byte from the UART */
	uint32_t	 con_tail;	/* oldest held (not acknowledged) */
	uint32_t	 con_sent;	/* next to send */
	uint32_t	 con_limit;	/* peer's next + window */
	uint32_t	 con_lost;
	/* Console, daemon -> node: the UART transmit buffer. */
	uint8_t		 con_tx[NODE_CON_TX];
	uint32_t	 con_rx_next;	/* next offset expected */
	uint32_t	 con_tx_done;	/* written to the UART up to */
	uint32_t	 con_adv_next;	/* last CON_ACK sent */
	uint16_t	 con_adv_win;
	uint8_t		 con_ack_due;
};

/* node.c */
void	 node_init(struct node *, const struct node_conf *,
	    const struct link_ops *, void *link_ctx, uint32_t now);
void	 node_poll(struct node *, uint32_t now);
void	 node_shutdown(struct node *);	/* close the link, release all */
int	 node_send(struct node *, const struct np_msg *);
void	 node_send_state(struct node *);
void	 node_result(struct node *, uint32_t seq, uint8_t status,
	    uint8_t flags, uint32_t value);

/* node_power.c */
void	 node_power_init(struct node *);
int	 node_sense_mode(const struct node_conf *);	/* enum np_pinmode */
uint8_t	 node_power_sensed(const struct node *);
int	 node_press(struct node *, unsigned line, uint32_t ms, uint32_t now);
void	 node_power_poll(struct node *, uint32_t now);
void	 node_power_state(struct node *);
void	 node_power_request(struct node *, const struct np_msg *,
	    uint32_t now);
void	 node_pin_request(struct node *, const struct np_msg *);
void	 node_release_all(struct node *);
int	 node_busy(struct node *);	/* a release is still due */

/* node_console.c */
void	 node_con_init(struct node *);
void	 node_con_hello(struct node *, struct np_hello *);
void	 node_con_welcome(struct node *, const struct np_welcome *);
void	 node_con_input(struct node *, const uint8_t *, size_t);
void	 node_con_data(struct node *, const struct np_con_data *);
void	 node_con_ack(struct node *, const struct np_con_ack *);
void	 node_con_poll(struct node *);

#endif
