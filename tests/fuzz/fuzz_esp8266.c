/*
 * fuzz_esp8266.c: libFuzzer harness for the esp8266 driver's reply parser
 * (targets/esp8266.c).  The input is what the ESP's command port (TCP 24)
 * sends, framed the way esp_read() frames it: bytes gathered into a line
 * of at most ESP_LINE_MAX - 1 bytes, a "\n" ends the line, a longer line
 * drops the link (nothing after it is read); esp_line() skips "" and "\r"
 * and hands the rest, as a C string (an embedded NUL ends it), to
 * esp8266_parse().  The flag lists it returns go to esp8266_flag_set() as
 * esp_reply() does.  The parsed fields must be terminated strings of their
 * arrays, and the return must agree with the kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp8266.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
line(const char *s)
{
	struct esp_parsed r;
	int rc;

	if (s[0] == '\0' || strcmp(s, "\r") == 0)
		return;
	rc = esp8266_parse(s, &r);
	if ((rc == 0) != (r.kind != ESP_R_NONE) || (rc != 0 && rc != -1))
		abort();
	if (r.kind < ESP_R_NONE || r.kind > ESP_R_ERROR)
		abort();
	if (strnlen(r.mode, sizeof(r.mode)) == sizeof(r.mode) ||
	    strnlen(r.flags, sizeof(r.flags)) == sizeof(r.flags) ||
	    strnlen(r.word, sizeof(r.word)) == sizeof(r.word))
		abort();
	switch (r.kind) {
	case ESP_R_PIN_DUMP:
		if (r.state < -1 || r.state > 1)
			abort();
		/* FALLTHROUGH */
	case ESP_R_FLAGS:
		if (r.pin < 0 || r.pin > 15)
			abort();
		(void)esp8266_flag_set(r.flags, "autostart");
		(void)esp8266_flag_set(r.flags, "invert");
		break;
	case ESP_R_PARITY:
		if (strcmp(r.word, "none") != 0 && strcmp(r.word, "even") != 0 &&
		    strcmp(r.word, "odd") != 0)
			abort();
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	/* On the heap at its exact size, so that ASan sees any over-read. */
	char *in = malloc(ESP_LINE_MAX);
	size_t inlen = 0;

	if (in == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			in[inlen] = '\0';
			inlen = 0;
			line(in);
		} else if (inlen + 1 >= ESP_LINE_MAX)
			break;		/* the driver drops the link */
		else
			in[inlen++] = (char)p[i];
	}
	free(in);
	return 0;
}
