/*
 * esp8266.h: the esp8266 driver, an ESP8266 relay board running
 * esp8266-universal-io-bridge (docs/esp8266.md).  esp8266.c holds the
 * command link (TCP port 24, one text command at a time) and the driver's
 * entry points; esp8266_cmd.c the command sequence (set-up, replies,
 * presses, power); esp8266_conf.c the options; esp8266_console.c the UART
 * bridge (TCP port 23) that feeds SOL.  esp8266_parse() is pure: the reply grammar, kept
 * apart so that it can be read (and tested) without sockets.
 */
#ifndef PMBD_ESP8266_H
#define PMBD_ESP8266_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define ESP_HOST_MAX	256
#define ESP_LINE_MAX	512		/* longest reply line accepted */
#define ESP_PULSE_MIN_MS 50
#define ESP_PULSE_MAX_MS 8000
#define ESP_NO_PIN	(-1)

struct esp_conf {
	char		 host[ESP_HOST_MAX];
	uint16_t	 command_port;	/* 24 */
	uint16_t	 bridge_port;	/* 23; 0: no console */
	int		 power_pin;	/* GPIO (device 0), ESP_NO_PIN: none */
	int		 reset_pin;
	int		 sense_pin;
	int		 power_invert;	/* 1: pressed is low */
	int		 reset_invert;
	int		 sense_invert;	/* 1: low means on */
	unsigned	 press_ms;
	unsigned	 hold_ms;
	unsigned	 reset_ms;
	unsigned	 baud;
	unsigned	 data_bits;
	unsigned	 stop_bits;
	char		 parity[8];	/* none, even, odd */
};

/* What a reply line is (esp8266_parse). */
enum esp_reply {
	ESP_R_NONE,		/* nothing we know: a protocol error */
	ESP_R_IO_HEADER,	/* "* io[0]: gpio@00": before a pin dump */
	ESP_R_PIN_DUMP,		/* "  pin:  2, mode: digital input ..." */
	ESP_R_VALUE,		/* "digital output: [1]" (ir, iw) */
	ESP_R_FLAGS,		/* "flags for pin 0/2:autostart" */
	ESP_R_BAUD,		/* "> baudrate[0]: 115200" */
	ESP_R_DATA_BITS,	/* "data bits[0]: 8" */
	ESP_R_STOP_BITS,	/* "> stop bits[0]: 1" */
	ESP_R_PARITY,		/* "parity[0]: none" */
	ESP_R_PORT,		/* "> port: 23" (bp) */
	ESP_R_EMPTY,		/* "> empty command" (keepalive) */
	ESP_R_RESET,		/* "> reset" (r): the ESP restarts */
	ESP_R_ERROR,		/* a refusal the firmware words itself */
};

struct esp_parsed {
	enum esp_reply	 kind;
	int		 pin;		/* PIN_DUMP, FLAGS */
	char		 mode[32];	/* PIN_DUMP, VALUE: "digital output" */
	char		 flags[64];	/* PIN_DUMP, FLAGS */
	int		 state;		/* PIN_DUMP: 1 on, 0 off, -1 none */
	long		 value;		/* VALUE, BAUD, bits, PORT */
	char		 word[16];	/* PARITY */
};

/* esp8266_conf.c: the driver's conf_* callbacks. */
void	*esp8266_conf_new(void);
int	 esp8266_conf_set(void *, const char *key, const struct conf_value *,
	    char *err, size_t);
int	 esp8266_conf_check(void *, char *err, size_t);
void	 esp8266_conf_free(void *);

/* esp8266_parse.c */
int	 esp8266_parse(const char *line, struct esp_parsed *ret);
int	 esp8266_flag_set(const char *flags, const char *flag);

/* esp8266_console.c: the UART bridge, owned by one driver instance. */
struct esp_console;
struct esp_console *esp_console_new(struct target_src *,
	    const struct esp_conf *, uint64_t now);
struct esp_console *esp_console_free(struct esp_console *);
void	 esp_console_tick(struct esp_console *, uint64_t now);
size_t	 esp_console_write(struct esp_console *, const uint8_t *, size_t);
/* The host's address, as the command link resolved it (len 0: none). */
void	 esp_console_addr(struct esp_console *, const void *sa,
	    unsigned salen);

/*
 * The driver's state, shared by esp8266.c (the command link: socket,
 * connect, send, read, drop; the driver's entry points) and esp8266_cmd.c
 * (the command sequence: the set-up, what to send next, what a reply
 * means, power).  Nothing else uses it.
 */
#define ESP_CMD_MS	1500	/* a reply takes longer: the link is dead */
#define ESP_CONNECT_MS	3000
#define ESP_BACKOFF_MIN	500
#define ESP_BACKOFF_MAX	10000
#define ESP_BAD_FW_MS	30000	/* retry after a protocol mismatch */
#define ESP_POLL_MS	500	/* sense pin poll, keeps the link alive */
#define ESP_KEEPALIVE_MS 10000	/* without a sense pin */
#define ESP_CYCLE_WAIT_MS 10000	/* cycle: the machine must go off by then */
#define ESP_CYCLE_GAP_MS 2000	/* off, then on after this */
#define ESP_DIAG_MS	ESP_PULSE_MIN_MS
#define ESP_RESET_MS	1000	/* reconnect after restarting the ESP */
/* A firmware that does not speak what we expect. */
#define CC_FIRMWARE	CC_DEST_UNAVAILABLE

enum { L_POWER, L_RESET, L_MAX };	/* the output lines */

enum esp_cmd {
	C_NONE,
	C_KEEPALIVE,
	C_PIN_CHECK,	/* im 0 P */
	C_PIN_MODE,	/* im 0 P doutput|dinput */
	C_PIN_FLAG,	/* isf|icf 0 P autostart|invert */
	C_RELEASE,	/* iw 0 P released */
	C_PRESS,	/* iw 0 P pressed */
	C_SENSE_READ,	/* ir 0 S */
	C_UART_READ,	/* ub 0, ud 0, us 0, up 0, bp */
	C_UART_SET,
	C_VERIFY,	/* ir 0 P: an output is at its released level */
	C_RESET,	/* r: restart the ESP (a new bridge port) */
};

enum uart_item { U_BAUD, U_DATA, U_STOP, U_PARITY, U_PORT, U_MAX };

struct esp_pin {
	int		 pin;		/* ESP_NO_PIN: not wired */
	int		 output;
	int		 invert;
	int		 check;		/* im 0 P due */
	int		 fix_mode;
	int		 fix_autostart;	/* isf/icf autostart due */
	int		 fix_invert;	/* icf invert due */
	int		 fw_invert;	/* the ESP's invert flag, in force now */
	int		 verify;	/* ir 0 P due before the link is ready */
	/* Outputs: the pin may be pressed until a release is confirmed. */
	int		 want_release;
	uint64_t	 release_at;
	int		 fails;		/* errors on release in a row */
};

struct esp_plan {
	int		 active;
	int		 line;
	unsigned	 ms;
	int		 has_token;
	uint32_t	 token;
	int		 boot;		/* a press that starts the machine */
};

struct esp {
	const struct esp_conf	*cf;
	struct target_src	*src;
	struct esp_console	*con;
	uint64_t		 now;
	/* Address. */
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct gaicb		*gai;	/* a lookup in progress */
	/* The command link. */
	int			 fd;
	void			*io;
	int			 connected;
	int			 ready;		/* set up: power actions go */
	int			 incompatible;	/* its replies made no sense */
	uint64_t		 deadline;	/* connect or reply */
	uint64_t		 retry_at;
	unsigned		 backoff;
	int			 down_logged;
	char			 out[96];
	size_t			 outlen;
	char			 in[ESP_LINE_MAX];
	size_t			 inlen;
	enum esp_cmd		 cmd;		/* in flight */
	int			 cmd_pin;	/* index into pins[] */
	int			 cmd_item;
	char			 cmd_text[64];
	/* Pins: the two outputs, then the sense input. */
	struct esp_pin		 pins[L_MAX + 1];
	int			 sense_valid;
	int			 sensed_on;
	int			 assumed_on;	/* without a sense pin */
	uint64_t		 poll_at;
	/* UART: what is to be read (1) or set (2). */
	int			 uart[U_MAX];
	unsigned		 want_baud;
	int			 reset_due;	/* r, once nothing is pressed */
	int			 bp_reset;	/* restarted for bp last link */
	/* Power. */
	struct esp_plan		 plan;
	int			 cycle;		/* 1: wait for off, 2: press at */
	uint64_t		 cycle_at;
	/* The release timer. */
	int			 tfd;
	void			*tio;
};

#define SENSE	L_MAX

/* esp8266.c */
void	 esp_send(struct esp *, enum esp_cmd, int pin, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	 esp_drop(struct esp *, const char *why, unsigned retry_ms);
void	 esp_protocol(struct esp *, const char *line, int refused);
void	 esp_plan_answer(struct esp *, int cc);
void	 esp_arm(struct esp *);		/* the release timer */
void	 esp_poll(struct esp *);

/* esp8266_cmd.c */
int	 esp_released(const struct esp_pin *);	/* the released level */
int	 esp_logical(const struct esp_pin *, int level);	/* iw/ir value */
void	 esp_line(struct esp *, const char *line);	/* a reply line */
void	 esp_next(struct esp *);	/* the next command, none in flight */
void	 esp_status(struct target_src *, uint64_t now, struct target_status *);
int	 esp_power(struct target_src *, uint64_t now, enum target_power,
	    uint32_t tok);

#endif
