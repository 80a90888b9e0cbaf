/*
 * nproto.h: the node link protocol between pmbd and a node (a Pico W wired
 * to a server's front panel, or pmb-node-sim).  One codec, compiled into the
 * daemon and into the firmware: portable C, no allocation, every field
 * through the buf.h cursor.  docs/node-protocol.md is the specification;
 * the numbers below are fixed on the wire and never reused.
 *
 * A frame, inside TLS 1.2 PSK, all integers little-endian:
 *
 *	u16 len		bytes after this field: 6 + payload (6..NP_FRAME_MAX-2)
 *	u8  ver		NP_VERSION; a frame of another version ends the link
 *	u8  type	NP_*
 *	u32 seq		requests: the daemon's number; RESULT: the request's
 *	...		payload, by type (struct np_msg)
 */
#ifndef PMBD_NPROTO_H
#define PMBD_NPROTO_H

#include <stddef.h>
#include <stdint.h>

#define NP_VERSION	1
#define NP_HDR		8		/* len, ver, type, seq */
#define NP_DATA_MAX	1024		/* console bytes in one frame */
#define NP_FRAME_MAX	(NP_HDR + 4 + NP_DATA_MAX)	/* largest frame */
#define NP_TEXT_MAX	32		/* board, version, names: NUL padded */
#define NP_PIN_NONE	0xff
#define NP_OFF_ANY	0xffffffffu	/* WELCOME: send all you hold */

/* Pulse limits every node enforces, whatever it is asked. */
#define NP_PULSE_MIN_MS	50
#define NP_PULSE_MAX_MS	8000
#define NP_REVERT_MAX_MS 60000		/* PIN_WRITE's mandatory revert */

/* Timing defaults (WELCOME may change heartbeat and dead time). */
#define NP_HEARTBEAT_MS	1000
#define NP_DEAD_MS	3500

enum np_type {
	NP_HELLO	= 0x01,	/* node: who it is, once, first */
	NP_WELCOME	= 0x02,	/* daemon: accepted, resume points */
	NP_PING		= 0x03,	/* both: heartbeat, no payload */
	NP_RESULT	= 0x04,	/* node: the answer to request seq */
	NP_POWER	= 0x10,	/* daemon: power action on sensed state */
	NP_PULSE	= 0x11,	/* daemon: press a button for ms */
	NP_STATE	= 0x12,	/* node: sensed power and buttons, on change */
	NP_CON_DATA	= 0x20,	/* both: console bytes at an offset */
	NP_CON_ACK	= 0x21,	/* both: consumed up to, and window */
	NP_CON_SET	= 0x22,	/* daemon: UART settings */
	NP_CON_BREAK	= 0x23,	/* daemon: BREAK for ms */
	NP_IDENTIFY	= 0x30,	/* daemon: blink for secs (0 off, 255 on) */
	NP_SENSORS_GET	= 0x31,	/* daemon: send NP_SENSORS now */
	NP_SENSORS	= 0x32,	/* node: readings (also every few seconds) */
	NP_REBOOT	= 0x40,	/* daemon: restart the node (magic) */
	NP_PIN_SETUP	= 0x50,	/* daemon: a free pin's mode */
	NP_PIN_READ	= 0x51,	/* daemon: read a pin (RESULT value) */
	NP_PIN_WRITE	= 0x52,	/* daemon: drive a pin, revert after ms */
	NP_ACTIONS_GET	= 0x53,	/* daemon: list actions */
	NP_ACTIONS	= 0x54,	/* node: action names, comma separated */
	NP_INFO_GET	= 0x55,	/* daemon: version and resources */
	NP_INFO		= 0x56,	/* node: version and resources */
};

/* NP_POWER actions. */
enum np_power {
	NP_PWR_OFF	= 0,	/* hold power for hold_ms, only when on */
	NP_PWR_ON	= 1,	/* press for press_ms, only when off */
	NP_PWR_CYCLE	= 2,	/* off, then on once it is off */
	NP_PWR_RESET	= 3,	/* reset pulse, reset_ms */
	NP_PWR_SOFT	= 5,	/* press for press_ms, only when on */
};

/* Lines a pulse may press. */
enum np_line {
	NP_LINE_POWER	= 0,
	NP_LINE_RESET	= 1,
};

/* Sensed power. */
enum np_pstate {
	NP_PS_OFF	= 0,
	NP_PS_ON	= 1,
	NP_PS_UNKNOWN	= 2,	/* no sense pin */
};

/* RESULT status. */
enum np_status {
	NP_OK		= 0,	/* done (see flags) */
	NP_E_ARG	= 1,	/* malformed or out of range */
	NP_E_BUSY	= 2,	/* that button is pressed already */
	NP_E_REFUSED	= 3,	/* not allowed (a button pin by PIN_WRITE) */
	NP_E_UNSUPP	= 4,	/* this node cannot (no such pin wired) */
	NP_E_STATE	= 5,	/* soft-off of a machine that is off */
};

/* RESULT flags. */
#define NP_RF_PRESSED	0x01	/* a button was pressed */
#define NP_RF_UNSENSED	0x02	/* acted without a sense pin */
#define NP_RF_NOTHING	0x04	/* already in the asked state: no press */
#define NP_RF_REPLAY	0x08	/* a retried request: the earlier answer */

/* HELLO capabilities. */
#define NP_CAP_POWER	0x0001
#define NP_CAP_RESET	0x0002
#define NP_CAP_SENSE	0x0004
#define NP_CAP_CONSOLE	0x0008
#define NP_CAP_PINS	0x0010
#define NP_CAP_SENSORS	0x0020
#define NP_CAP_WATCHDOG	0x0040

/* Reset causes (HELLO, SENSORS). */
enum np_reset {
	NP_RST_POWER	= 0,
	NP_RST_WATCHDOG	= 1,
	NP_RST_REBOOT	= 2,	/* NP_REBOOT or a provisioning change */
	NP_RST_OTHER	= 3,
};

/* PIN_SETUP modes. */
enum np_pinmode {
	NP_PIN_IN	= 0,
	NP_PIN_IN_UP	= 1,
	NP_PIN_IN_DOWN	= 2,
	NP_PIN_OUT	= 3,
};

#define NP_REBOOT_MAGIC	0x544f4f42u	/* "BOOT" */

struct np_pins {		/* GPIO numbers, NP_PIN_NONE if not wired */
	uint8_t		 power;
	uint8_t		 reset;
	uint8_t		 sense;
	uint8_t		 uart_tx;
	uint8_t		 uart_rx;
	uint8_t		 led;
	uint8_t		 sense_active_low;
	uint8_t		 out_active_low;
};

struct np_hello {
	uint8_t		 proto;		/* NP_VERSION */
	char		 board[NP_TEXT_MAX];
	char		 fw[NP_TEXT_MAX];
	char		 name[NP_TEXT_MAX];	/* == the PSK identity */
	uint32_t	 caps;
	uint8_t		 reset_cause;
	uint32_t	 boot_id;	/* random per boot */
	struct np_pins	 pins;
	uint16_t	 press_ms;
	uint16_t	 hold_ms;
	uint16_t	 reset_ms;
	uint8_t		 power;		/* enum np_pstate */
	uint32_t	 con_rx_next;	/* next daemon->node offset expected */
	uint32_t	 con_tx_base;	/* oldest node->daemon byte held */
};

struct np_welcome {
	uint8_t		 proto;
	uint32_t	 daemon_id;	/* random per daemon start */
	uint16_t	 heartbeat_ms;
	uint16_t	 dead_ms;
	uint32_t	 con_rx_next;	/* next node->daemon offset, NP_OFF_ANY */
	uint16_t	 con_window;
	/* The target's timing overrides, 0: keep the node's own. */
	uint16_t	 press_ms;
	uint16_t	 hold_ms;
	uint16_t	 reset_ms;
};

struct np_result {
	uint8_t		 status;	/* enum np_status */
	uint8_t		 flags;		/* NP_RF_* */
	uint8_t		 power;		/* sensed, after */
	uint32_t	 value;		/* pulse ms, pin level */
};

struct np_power_req {
	uint8_t		 action;	/* enum np_power */
};

struct np_pulse {
	uint8_t		 line;		/* enum np_line */
	uint16_t	 ms;
};

struct np_state {
	uint8_t		 power;		/* enum np_pstate */
	uint8_t		 pressed;	/* bit n: line n held */
};

struct np_con_data {
	uint32_t	 off;
	uint16_t	 len;
	const uint8_t	*data;		/* into the frame decoded */
};

struct np_con_ack {
	uint32_t	 next;		/* everything before it consumed */
	uint16_t	 window;	/* bytes from next it can take */
};

struct np_con_set {
	uint32_t	 baud;
	uint8_t		 data_bits;
	uint8_t		 parity;	/* 0 none, 1 odd, 2 even */
	uint8_t		 stop_bits;
};

struct np_sensors {
	int16_t		 temp_cdeg;	/* board, 0.01 degC */
	uint16_t	 vsys_mv;
	int8_t		 rssi;		/* dBm, 0: unknown */
	uint32_t	 uptime_s;
	uint32_t	 free_mem;
	uint8_t		 reset_cause;
	uint32_t	 con_lost;	/* console bytes dropped (full) */
};

struct np_pin_req {
	uint8_t		 pin;
	uint8_t		 mode;		/* SETUP: enum np_pinmode */
	uint8_t		 level;		/* WRITE */
	uint32_t	 revert_ms;	/* WRITE: 1..NP_REVERT_MAX_MS */
};

struct np_text {			/* ACTIONS, INFO */
	uint16_t	 len;
	const char	*s;		/* into the frame, not terminated */
};

struct np_msg {
	uint8_t		 type;
	uint32_t	 seq;
	union {
		struct np_hello		hello;
		struct np_welcome	welcome;
		struct np_result	result;
		struct np_power_req	power;
		struct np_pulse		pulse;
		struct np_state		state;
		struct np_con_data	con;
		struct np_con_ack	ack;
		struct np_con_set	set;
		uint16_t		break_ms;
		uint8_t			identify_s;
		struct np_sensors	sensors;
		uint32_t		reboot_magic;
		struct np_pin_req	pin;
		struct np_text		text;
	} u;
};

/*
 * Streaming: given the first n bytes buffered, the length of the whole
 * frame at their head, 0 if more bytes are needed to know, or -1 if the
 * head cannot be a frame (the link is closed).
 */
int	 np_frame_len(const uint8_t *, size_t n);
/* Decode one whole frame: 0, or -1 (bad version, type, size or field). */
int	 np_decode(const uint8_t *frame, size_t n, struct np_msg *);
/* Encode: the frame's length, or 0 if it does not fit or is invalid. */
size_t	 np_encode(uint8_t *out, size_t cap, const struct np_msg *);
/* Clamp a pulse length to NP_PULSE_MIN_MS..NP_PULSE_MAX_MS. */
uint16_t np_clamp_pulse(uint32_t ms);
const char *np_type_name(uint8_t);

#endif
