/*
 * esp8266_parse.c: the reply grammar of esp8266-universal-io-bridge, pure
 * (no I/O): one reply line in, what it says out.  Fuzzed
 * (tests/fuzz/fuzz_esp8266.c) and unit tested (check_esp8266.c).
 *
 * Protocol facts relied on (docs/esp8266.md has them with more detail):
 *  - Commands: TCP port 24 (README of eriksl/esp8266-universal-io-bridge,
 *    "The software listens at tcp port 24"); the UART is bridged on TCP
 *    port 23 (README, "UART bridge").  The port-24 connection is closed by
 *    the firmware after 30 s idle (README, command "q").
 *  - One command per TCP segment: dispatch.c hands the whole receive
 *    buffer to application_content() as one command and clears it, so the
 *    daemon sends one command and waits for its reply before the next.
 *    pypmi ends commands with "\r\n" (telnetbmc.py COMMAND_TELNET_CONFIG).
 *  - Replies end in "\n" (every string_append/string_format in
 *    application.c, io.c).  Mode names "dinput"/"doutput" since 2018
 *    (io.c io_mode_traits, commit 25be25e 2018-01-01); older firmware calls
 *    them "inputd"/"outputd" and answers "invalid mode".
 *  - `im 0 P` dumps the pin: "* io[0]: ...", then
 *    "  pin:  P, mode: digital output  [hw: digital output ] flags:
 *    [autostart], output, state: on, max value: 1, info: ..." (io.c
 *    io_config_dump, plain strings); `im 0 P doutput|dinput` sets the mode
 *    and dumps the pin the same way.
 *  - `iw 0 P L` answers "digital output: [L]" (the level read back);
 *    an input answers "digital input: cannot write to gpio P" (io.c
 *    application_function_io_write, io_gpio.c).  `ir 0 P` answers
 *    "digital input: [L]".
 *  - `isf`/`icf 0 P FLAG` answer "flags for pin 0/P:FLAGS" (io.c).
 *    autostart sets an output high when the ESP boots, else it starts low
 *    (README, flags table): released-high pins need it, released-low ones
 *    must not have it (pypmi esp8266bmc.py needs_autostart()).
 *  - `ub 0 [N]` "> baudrate[0]: N", `ud 0 [N]` "data bits[0]: N",
 *    `us 0 [N]` "> stop bits[0]: N", `up 0 [P]` "parity[0]: none|even|odd",
 *    `bp [N]` "> port: N" (application.c).  Setting a default value may
 *    answer "> cannot delete config (default values)" (pypmi accepts it).
 *  - `r` answers "> reset", then the ESP restarts (dispatch.c).
 *  - An empty line answers "> empty command" (dispatch.c); pypmi also
 *    accepts ": command unknown" for its keepalive.  Unknown commands
 *    answer "WORD: command unknown" (application.c).
 *
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp8266.h"

static int
tail_number(const char *s, const char *prefix, long *ret)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(s, prefix, n) != 0 || s[n] < '0' || s[n] > '9')
		return 0;
	errno = 0;
	v = strtol(s + n, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*ret = v;
	return 1;
}

static void
copy_trim(char *dst, size_t max, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= max)
		n = max - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int
parse_pin_dump(const char *s, struct esp_parsed *r)
{
	const char *m, *hw, *fl, *fe, *st;
	char *end;
	long pin;

	while (*s == ' ')
		s++;
	if (strncmp(s, "pin:", 4) != 0)
		return 0;
	s += 4;
	while (*s == ' ')
		s++;
	pin = strtol(s, &end, 10);
	if (end == s || pin < 0 || pin > 15 || strncmp(end, ", mode: ", 8))
		return 0;
	m = end + 8;
	if ((hw = strstr(m, " [hw: ")) == NULL ||
	    (fl = strstr(hw, "] flags: [")) == NULL ||
	    (fe = strchr(fl + 10, ']')) == NULL)
		return 0;
	r->kind = ESP_R_PIN_DUMP;
	r->pin = (int)pin;
	copy_trim(r->mode, sizeof(r->mode), m, (size_t)(hw - m));
	copy_trim(r->flags, sizeof(r->flags), fl + 10, (size_t)(fe - fl -
	    10));
	r->state = -1;
	if ((st = strstr(fe, "state: ")) != NULL) {
		if (strncmp(st + 7, "on", 2) == 0 && (st[9] == ',' ||
		    st[9] == '\0'))
			r->state = 1;
		else if (strncmp(st + 7, "off", 3) == 0 && (st[10] == ',' ||
		    st[10] == '\0'))
			r->state = 0;
	}
	return 1;
}

/* The firmware's own refusals (application.c, io.c, io_gpio.c). */
static int
is_refusal(const char *s)
{
	static const char *const words[] = {
		"command unknown", "invalid", "cannot", "usage",
		"not detected", "out of range", "failure", "io-flag <",
		"io-write <", "io-read: <", "get: <",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(s, words[i]) != NULL)
			return 1;
	return 0;
}

/*
 * One reply line, without its "\n", into *ret: 0, or -1 when it is not a
 * line the firmware sends (ret->kind ESP_R_NONE).
 */
int
esp8266_parse(const char *line, struct esp_parsed *r)
{
	char s[ESP_LINE_MAX];
	const char *b;
	size_t n = strlen(line);
	unsigned io, pin;
	int used = 0;

	memset(r, 0, sizeof(*r));
	r->kind = ESP_R_NONE;
	r->state = -1;
	if (n >= sizeof(s))
		return -1;
	memcpy(s, line, n + 1);
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';

	if (strcmp(s, "> reset") == 0) {	/* r (dispatch.c) */
		r->kind = ESP_R_RESET;
		return 0;
	}
	if (strcmp(s, "> empty command") == 0) {
		r->kind = ESP_R_EMPTY;
		return 0;
	}
	if (strncmp(s, "* io[", 5) == 0 || strncmp(s, "  io[", 5) == 0) {
		r->kind = ESP_R_IO_HEADER;
		return 0;
	}
	if (parse_pin_dump(s, r))
		return 0;
	if (sscanf(s, "flags for pin %u/%u:%n", &io, &pin, &used) == 2 &&
	    used > 0 && io == 0 && pin <= 15) {
		r->kind = ESP_R_FLAGS;
		r->pin = (int)pin;
		copy_trim(r->flags, sizeof(r->flags), s + used,
		    strlen(s + used));
		return 0;
	}
	if (tail_number(s, "> baudrate[0]: ", &r->value)) {
		r->kind = ESP_R_BAUD;
		return 0;
	}
	if (tail_number(s, "data bits[0]: ", &r->value) ||
	    tail_number(s, "> data bits[0]: ", &r->value)) {
		r->kind = ESP_R_DATA_BITS;
		return 0;
	}
	if (tail_number(s, "> stop bits[0]: ", &r->value)) {
		r->kind = ESP_R_STOP_BITS;
		return 0;
	}
	if (strncmp(s, "parity[0]: ", 11) == 0 || strncmp(s,
	    "> parity[0]: ", 13) == 0) {
		b = strchr(s, ':') + 2;
		if (strcmp(b, "none") == 0 || strcmp(b, "even") == 0 ||
		    strcmp(b, "odd") == 0) {
			r->kind = ESP_R_PARITY;
			strcpy(r->word, b);
			return 0;
		}
	}
	if (tail_number(s, "> port: ", &r->value)) {
		r->kind = ESP_R_PORT;
		return 0;
	}
	/* "digital output: [1]" */
	if ((b = strstr(s, ": [")) != NULL && b > s && n > 0 &&
	    s[n - 1] == ']' && (size_t)(b - s) < sizeof(r->mode)) {
		char *end;

		r->value = strtol(b + 3, &end, 10);
		if (end != b + 3 && *end == ']' && end == s + n - 1) {
			r->kind = ESP_R_VALUE;
			copy_trim(r->mode, sizeof(r->mode), s, (size_t)(b - s));
			return 0;
		}
	}
	if (is_refusal(s)) {
		r->kind = ESP_R_ERROR;
		return 0;
	}
	return -1;
}

/* Is FLAG one of the space-separated FLAGS? */
int
esp8266_flag_set(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return 1;
	return 0;
}
