/*
 * settings.c: the node's settings in the last flash sector.  A record is
 * taken only with the right magic, version, size and checksum; anything
 * else means defaults (and the setup access point).  Written by erasing the
 * sector and programming it with interrupts off (one core runs code; the
 * other is idle), then read back and compared.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardware/flash.h"
#include "hardware/sync.h"
#include "pico/stdlib.h"

#include "buf.h"
#include "port.h"

#define SETTINGS_OFFSET	(PICO_FLASH_SIZE_BYTES - FLASH_SECTOR_SIZE)
#define SUMMED		offsetof(struct settings, sum)

struct settings settings;

enum kind { K_TEXT, K_SECRET, K_HEX64, K_PIN, K_BOOL, K_MS, K_BAUD, K_PULL };

static const char *const pulls[] = { "auto", "up", "down", "none" };

static const struct key {
	const char	*name;
	enum kind	 kind;
	size_t		 off;
	size_t		 size;
	const char	*help;
} keys[] = {
	{ "ssid", K_TEXT, offsetof(struct settings, ssid), 33,
	    "WiFi network" },
	{ "wifi_pass", K_SECRET, offsetof(struct settings, wifi_pass), 64,
	    "WiFi password" },
	{ "server", K_TEXT, offsetof(struct settings, server), 64,
	    "pmbd's node_listen, HOST:PORT" },
	{ "name", K_TEXT, offsetof(struct settings, name), NP_TEXT_MAX,
	    "node name (pmbd's node = ...)" },
	{ "psk", K_HEX64, offsetof(struct settings, psk), 65,
	    "pre-shared key, 64 hex digits" },
	{ "pin_power", K_PIN, offsetof(struct settings, pin_power), 1,
	    "power button output GPIO" },
	{ "pin_reset", K_PIN, offsetof(struct settings, pin_reset), 1,
	    "reset button output GPIO" },
	{ "pin_sense", K_PIN, offsetof(struct settings, pin_sense), 1,
	    "power LED sense input GPIO (none: not wired)" },
	{ "pin_uart_tx", K_PIN, offsetof(struct settings, pin_uart_tx), 1,
	    "console UART TX GPIO" },
	{ "pin_uart_rx", K_PIN, offsetof(struct settings, pin_uart_rx), 1,
	    "console UART RX GPIO" },
	{ "sense_active_low", K_BOOL,
	    offsetof(struct settings, sense_active_low), 1,
	    "sense reads low when the server is on" },
	{ "sense_pull", K_PULL, offsetof(struct settings, sense_pull), 1,
	    "sense pull: auto (up if active low, else down), up, down, none" },
	{ "out_active_low", K_BOOL, offsetof(struct settings, out_active_low),
	    1, "outputs press when low" },
	{ "press_ms", K_MS, offsetof(struct settings, press_ms), 2,
	    "press to turn on / soft off" },
	{ "hold_ms", K_MS, offsetof(struct settings, hold_ms), 2,
	    "hold to force off" },
	{ "reset_ms", K_MS, offsetof(struct settings, reset_ms), 2,
	    "reset pulse" },
	{ "baud", K_BAUD, offsetof(struct settings, baud), 4,
	    "console UART speed" },
};

void
settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->magic = SETTINGS_MAGIC;
	s->version = SETTINGS_VERSION;
	s->size = sizeof(*s);
	s->pin_power = 2;
	s->pin_reset = 3;
	s->pin_sense = 4;
	s->pin_uart_tx = 0;
	s->pin_uart_rx = 1;
	s->sense_active_low = 1;	/* optocoupler to GND, pull-up */
	s->out_active_low = 0;
	s->press_ms = 300;
	s->hold_ms = 5000;
	s->reset_ms = 200;
	s->baud = 115200;
}

int
settings_load(void)
{
	const struct settings *f = (const struct settings *)(XIP_BASE +
	    SETTINGS_OFFSET);

	if (f->magic != SETTINGS_MAGIC || f->version != SETTINGS_VERSION ||
	    f->size != sizeof(*f) ||
	    f->sum != buf_fnv32((const uint8_t *)f, SUMMED)) {
		settings_defaults(&settings);
		return -1;
	}
	memcpy(&settings, f, sizeof(settings));
	/* Texts are terminated whatever the flash holds. */
	settings.ssid[sizeof(settings.ssid) - 1] = '\0';
	settings.wifi_pass[sizeof(settings.wifi_pass) - 1] = '\0';
	settings.server[sizeof(settings.server) - 1] = '\0';
	settings.name[sizeof(settings.name) - 1] = '\0';
	settings.psk[sizeof(settings.psk) - 1] = '\0';
	if (settings.sense_pull > 3)
		settings.sense_pull = 0;	/* auto */
	return 0;
}

int
settings_uart_index(uint8_t tx, uint8_t rx)
{
	/* UART0 TX on GP0/12/16/28, UART1 on GP4/8/20/24; RX is TX + 1. */
	if (tx > 28 || rx != tx + 1 || (tx & 3) != 0 || rx == 23 ||
	    rx == 25 || rx > 28)
		return -1;
	return (((tx >> 2) + 1) >> 1) & 1;
}

/* Two roles on one pin: the name of the other, or NULL. */
static const char *
pin_clash(const struct settings *s, const char **which)
{
	static const char *const names[] = { "pin_power", "pin_reset",
	    "pin_sense", "pin_uart_tx", "pin_uart_rx" };
	uint8_t pins[5] = { s->pin_power, s->pin_reset, s->pin_sense,
	    s->pin_uart_tx, s->pin_uart_rx };

	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (pins[i] != NP_PIN_NONE && pins[i] == pins[j]) {
				*which = names[i];
				return names[j];
			}
	return NULL;
}

const char *
settings_check(const struct settings *s)
{
	static char why[96];
	const char *a, *b;
	size_t pw = strlen(s->wifi_pass);

	if ((b = pin_clash(s, &a)) != NULL) {
		snprintf(why, sizeof(why), "%s and %s are both GP%u", a, b,
		    a[4] == 'p' ? s->pin_power : a[4] == 'r' ? s->pin_reset :
		    a[4] == 's' ? s->pin_sense : s->pin_uart_tx);
		return why;
	}
	if (settings_uart_index(s->pin_uart_tx, s->pin_uart_rx) < 0)
		return "pin_uart_tx/pin_uart_rx: no UART there (TX on GP0, 4, "
		    "8, 12, 16 or 20, RX on the next pin)";
	if (pw != 0 && (pw < 8 || pw > 63))
		return "wifi_pass: 8 to 63 characters (WPA2), or empty for an "
		    "open network";
	return NULL;
}

int
settings_save(void)
{
	static uint8_t page[FLASH_PAGE_SIZE * ((sizeof(struct settings) +
	    FLASH_PAGE_SIZE - 1) / FLASH_PAGE_SIZE)];
	uint32_t irq;

	if (settings_check(&settings) != NULL)
		return SETTINGS_BAD;
	/*
	 * No alarm fires while the flash is erased or programmed (interrupts
	 * are off here, and the SDK's alarm code runs from flash), for up to
	 * 400 ms a sector: a press must not be in progress.  The caller runs
	 * in the main loop, the only place a press starts, so nothing can
	 * start between this check and the write.
	 */
	if (port_outputs_busy())
		return SETTINGS_BUSY;

	settings.magic = SETTINGS_MAGIC;
	settings.version = SETTINGS_VERSION;
	settings.size = sizeof(settings);
	settings.sum = buf_fnv32((const uint8_t *)&settings, SUMMED);
	memset(page, 0xff, sizeof(page));
	memcpy(page, &settings, sizeof(settings));
	irq = save_and_disable_interrupts();
	flash_range_erase(SETTINGS_OFFSET, FLASH_SECTOR_SIZE);
	flash_range_program(SETTINGS_OFFSET, page, sizeof(page));
	restore_interrupts(irq);
	return memcmp((const void *)(XIP_BASE + SETTINGS_OFFSET), &settings,
	    sizeof(settings)) == 0 ? 0 : -1;
}

static int
parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	*out = strtoul(v, &end, 10);
	return *end == '\0' && *out <= max ? 0 : -1;
}

const char *
settings_set(const char *key, const char *v)
{
	const struct key *k = NULL;
	uint8_t *p = (uint8_t *)&settings;
	unsigned long n;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL)
		return "unknown setting";
	switch (k->kind) {
	case K_TEXT:
	case K_SECRET:
		if (strlen(v) >= k->size)
			return "too long";
		for (const char *c = v; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return "no control characters";
		if (k->kind == K_SECRET && *v != '\0' && (strlen(v) < 8 ||
		    strlen(v) > 63))
			return "want 8 to 63 characters (WPA2)";
		if (strcmp(k->name, "server") == 0 && *v != '\0') {
			char host[64];
			uint16_t port;
			char save[64];

			memcpy(save, settings.server, sizeof(save));
			strcpy(settings.server, v);
			if (settings_parse_server(host, sizeof(host),
			    &port) != 0) {
				memcpy(settings.server, save, sizeof(save));
				return "want HOST:PORT";
			}
		}
		memset(p + k->off, 0, k->size);
		memcpy(p + k->off, v, strlen(v));
		return NULL;
	case K_HEX64: {
		uint8_t key[32];

		if (buf_hex(v, key, sizeof(key)) != (int)sizeof(key))
			return "want 64 hex digits";
		memcpy(p + k->off, v, 65);
		return NULL;
	}
	case K_PIN:
		if (strcmp(v, "none") == 0) {
			if (strcmp(k->name, "pin_sense") != 0)
				return "only the sense pin may be unwired";
			p[k->off] = NP_PIN_NONE;
			return NULL;
		}
		if (parse_uint(v, 28, &n) != 0 || n == 23 || n == 24 ||
		    n == 25 || n == 29)
			return "want GPIO 0..22, 26..28 (23-25, 29: WiFi chip)";
		{
			struct settings t = settings;
			const char *a, *b;
			static char why[64];

			((uint8_t *)&t)[k->off] = (uint8_t)n;
			if ((b = pin_clash(&t, &a)) != NULL) {
				snprintf(why, sizeof(why), "GP%lu is %s "
				    "already", n, strcmp(a, k->name) == 0 ?
				    b : a);
				return why;
			}
		}
		p[k->off] = (uint8_t)n;
		return NULL;
	case K_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return "want 0 or 1";
		p[k->off] = (uint8_t)(v[0] - '0');
		return NULL;
	case K_MS:
		if (parse_uint(v, NP_PULSE_MAX_MS, &n) != 0 ||
		    n < NP_PULSE_MIN_MS)
			return "want 50..8000 (ms)";
		memcpy(p + k->off, &(uint16_t){ (uint16_t)n }, 2);
		return NULL;
	case K_PULL:
		for (n = 0; n < 4 && strcmp(v, pulls[n]) != 0; n++)
			;
		if (n == 4)
			return "want auto, up, down or none";
		p[k->off] = (uint8_t)n;
		return NULL;
	case K_BAUD:
		if (parse_uint(v, 921600, &n) != 0 || n < 300)
			return "want 300..921600";
		memcpy(p + k->off, &(uint32_t){ (uint32_t)n }, 4);
		return NULL;
	}
	return "unknown setting";
}

void
settings_show(void (*out)(const char *))
{
	const uint8_t *p = (const uint8_t *)&settings;
	char line[160];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		uint16_t u16;
		uint32_t u32;

		switch (k->kind) {
		case K_TEXT:
			snprintf(line, sizeof(line), "%-16s %s",
			    k->name, (const char *)p + k->off);
			break;
		case K_SECRET:
		case K_HEX64:			/* never shown back */
			snprintf(line, sizeof(line), "%-16s %s", k->name,
			    p[k->off] != '\0' ? "(set)" : "(not set)");
			break;
		case K_PIN:
			if (p[k->off] == NP_PIN_NONE)
				snprintf(line, sizeof(line), "%-16s none",
				    k->name);
			else
				snprintf(line, sizeof(line), "%-16s GP%u",
				    k->name, p[k->off]);
			break;
		case K_BOOL:
			snprintf(line, sizeof(line), "%-16s %u", k->name,
			    p[k->off]);
			break;
		case K_MS:
			memcpy(&u16, p + k->off, 2);
			snprintf(line, sizeof(line), "%-16s %u", k->name, u16);
			break;
		case K_PULL:
			snprintf(line, sizeof(line), "%-16s %s", k->name,
			    pulls[p[k->off] & 3]);
			break;
		case K_BAUD:
			memcpy(&u32, p + k->off, 4);
			snprintf(line, sizeof(line), "%-16s %lu", k->name,
			    (unsigned long)u32);
			break;
		}
		out(line);
	}
}

void
settings_help(void (*out)(const char *))
{
	char line[160];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(line, sizeof(line), "  %-16s %s", keys[i].name,
		    keys[i].help);
		out(line);
	}
}

int
settings_complete(void)
{
	char host[64];
	uint16_t port;

	return settings.ssid[0] != '\0' && settings.name[0] != '\0' &&
	    strlen(settings.psk) == 64 &&
	    settings_parse_server(host, sizeof(host), &port) == 0;
}

int
settings_parse_server(char *host, size_t hostlen, uint16_t *port)
{
	const char *colon = strrchr(settings.server, ':');
	unsigned long n;
	size_t len;

	if (colon == NULL || colon == settings.server)
		return -1;
	len = (size_t)(colon - settings.server);
	if (len >= hostlen || parse_uint(colon + 1, 65535, &n) != 0 || n == 0)
		return -1;
	memcpy(host, settings.server, len);
	host[len] = '\0';
	*port = (uint16_t)n;
	return 0;
}
