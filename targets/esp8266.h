/*
 * esp8266.h: the esp8266 driver, an ESP8266 relay board running
 * esp8266-universal-io-bridge (docs/esp8266.md).  esp8266.c holds the
 * configuration, the command link (TCP port 24, one text command at a
 * time) and the power logic; esp8266_console.c the UART bridge (TCP port
 * 23) that feeds SOL.  esp8266_parse() is pure: the reply grammar, kept
 * apart so that it can be read (and tested) without sockets.
 */
#ifndef PMBD_ESP8266_H
#define PMBD_ESP8266_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define ESP_HOST_MAX	256
#define ESP_LINE_MAX	512		/* longest reply line accepted */
#define ESP_CON_TX	4096		/* console bytes waiting for the UART */
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

#endif
