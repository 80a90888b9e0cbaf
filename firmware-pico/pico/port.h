/*
 * port.h: the Pico W / Pico 2 W port of the node: settings kept in flash,
 * the USB console, the setup access point, the network glue.  The core
 * (../core) sees none of it, only board.h.
 */
#ifndef PMB_PORT_H
#define PMB_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "nproto.h"

/* Settings: the last 4 KiB flash sector, versioned and checksummed. */
#define SETTINGS_MAGIC		0x31424d50u	/* "PMB1" */
#define SETTINGS_VERSION	1

struct settings {
	uint32_t	 magic;
	uint16_t	 version;
	uint16_t	 size;		/* sizeof(struct settings) */
	char		 ssid[33];
	char		 wifi_pass[64];
	char		 server[64];	/* HOST:PORT of pmbd's node_listen */
	char		 name[NP_TEXT_MAX];
	char		 psk[65];	/* 64 hex digits */
	uint8_t		 pin_power;
	uint8_t		 pin_reset;
	uint8_t		 pin_sense;
	uint8_t		 pin_uart_tx;
	uint8_t		 pin_uart_rx;
	uint8_t		 sense_active_low;
	uint8_t		 out_active_low;
	uint8_t		 sense_pull;	/* enum node_pull; 0 auto (was pad) */
	uint16_t	 press_ms;
	uint16_t	 hold_ms;
	uint16_t	 reset_ms;
	uint16_t	 pad2;
	uint32_t	 baud;
	uint32_t	 sum;		/* FNV-1a of everything before */
};

extern struct settings settings;

void	 settings_defaults(struct settings *);
int	 settings_load(void);		/* 0: from flash, -1: defaults */
/*
 * Write the settings to flash: 0, SETTINGS_BUSY (refused: a button is
 * pressed, held or a cycle is running: no alarm can release it while the
 * flash is written, docs/firmware.md), SETTINGS_BAD (settings_check) or
 * -1 (the flash did not read back).
 */
int	 settings_save(void);
#define SETTINGS_BUSY	(-2)
#define SETTINGS_BAD	(-3)
/* Why these settings cannot work (pins used twice, a UART pin pair the
 * chip has not, a WiFi password of the wrong length), or NULL. */
const char *settings_check(const struct settings *);
/* The UART (0, 1) with TX on tx and RX on rx, or -1. */
int	 settings_uart_index(uint8_t tx, uint8_t rx);
/* main.c: a press, hold, cycle or pin revert is in progress (node_busy). */
int	 port_outputs_busy(void);
int	 port_radio_ok(void);		/* the radio started */
/* Set one setting by name from text: NULL, or why not. */
const char *settings_set(const char *key, const char *value);
/* Print them (the PSK and passwords only as set / not set). */
void	 settings_show(void (*out)(const char *));
void	 settings_help(void (*out)(const char *));
int	 settings_complete(void);	/* enough to call home */
int	 settings_parse_server(char *host, size_t, uint16_t *port);

/* shell.c: the USB console. */
void	 shell_poll(void);

/* setup_ap.c: the access point with its setup page. */
int	 setup_ap_start(void);		/* 0, or -1: it did not come up */
void	 setup_ap_stop(void);
void	 setup_ap_poll(void);
void	 setup_ap_joined(int up);	/* the station's link, while open */
int	 setup_ap_active(void);
const char *setup_ap_password(void);

/* dhcpd.c: a small DHCP server for the access point. */
int	 dhcpd_start(uint32_t server_ip);
void	 dhcpd_stop(void);

/* net_pico.c */
void	 net_set_server(void);		/* from settings */

/* boot.c: pins at boot (main.c and the emulator's firmware). */
struct node_conf;
void	 boot_release_outputs(void);	/* first thing, after settings */
/* The node's configuration from the settings, clashing pins dropped:
 * 1 if the console UART may be configured, 0 if not. */
int	 boot_node_conf(struct node_conf *);

/* board_pico.c */
void	 board_pico_init(void);
void	 board_pico_output(uint8_t pin, int level);	/* no float */
int16_t	 board_pico_temp_cdeg(void);
void	 board_pico_led_mode(int mode);	/* PORT_LED_* */
void	 board_pico_led_poll(uint32_t now);
#define PORT_LED_CORE	0	/* the core decides (linked, identify) */
#define PORT_LED_WIFI	1	/* joining WiFi: fast double blink */
#define PORT_LED_SETUP	2	/* setup access point: long-short */
#define PORT_LED_ERROR	3	/* error: rapid flicker */
/* The radio failed: the LED is on the radio chip and stays dark. */

#endif
