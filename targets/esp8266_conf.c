/*
 * esp8266_conf.c: the esp8266 driver's target options, checked before
 * anything starts (see pmbd.conf(5) and docs/esp8266.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "esp8266.h"

void *
esp8266_conf_new(void)
{
	struct esp_conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->command_port = 24;
	c->bridge_port = 23;
	c->power_pin = c->reset_pin = c->sense_pin = ESP_NO_PIN;
	c->press_ms = 300;
	c->hold_ms = 5000;
	c->reset_ms = 200;
	c->baud = 115200;
	c->data_bits = 8;
	c->stop_bits = 1;
	strcpy(c->parity, "none");
	return c;
}

int
esp8266_conf_set(void *p, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct esp_conf *c = p;
	int *pin = NULL, *flag = NULL;
	unsigned *ms = NULL;

	if (strcmp(key, "host") == 0) {
		if (v->type != CONF_STRING || !addr_name_ok(v->s, ESP_HOST_MAX, 1)) {
			snprintf(err, errlen, "esp8266: host must be a host "
			    "name or an address");
			return -1;
		}
		strcpy(c->host, v->s);
		return 0;
	}
	if (strcmp(key, "command_port") == 0 ||
	    strcmp(key, "bridge_port") == 0) {
		int bridge = key[0] == 'b';

		if (v->type != CONF_INT || v->i < (bridge ? 0 : 1) ||
		    v->i > 65535) {
			snprintf(err, errlen, "esp8266: %s must be %d..65535%s",
			    key, bridge ? 0 : 1, bridge ? " (0: no console)" :
			    "");
			return -1;
		}
		*(bridge ? &c->bridge_port : &c->command_port) =
		    (uint16_t)v->i;
		return 0;
	}
	if (strcmp(key, "power_pin") == 0)
		pin = &c->power_pin;
	else if (strcmp(key, "reset_pin") == 0)
		pin = &c->reset_pin;
	else if (strcmp(key, "sense_pin") == 0)
		pin = &c->sense_pin;
	if (pin != NULL) {
		/* GPIO 6..11 drive the flash chip: the firmware refuses them */
		if (v->type != CONF_INT || v->i < 0 || v->i > 15 ||
		    (v->i >= 6 && v->i <= 11)) {
			snprintf(err, errlen, "esp8266: %s must be a GPIO "
			    "0..5 or 12..15", key);
			return -1;
		}
		*pin = (int)v->i;
		return 0;
	}
	if (strcmp(key, "power_invert") == 0)
		flag = &c->power_invert;
	else if (strcmp(key, "reset_invert") == 0)
		flag = &c->reset_invert;
	else if (strcmp(key, "sense_invert") == 0)
		flag = &c->sense_invert;
	if (flag != NULL) {
		if (v->type != CONF_BOOL) {
			snprintf(err, errlen, "esp8266: %s must be true or "
			    "false", key);
			return -1;
		}
		*flag = v->i != 0;
		return 0;
	}
	if (strcmp(key, "press_ms") == 0)
		ms = &c->press_ms;
	else if (strcmp(key, "hold_ms") == 0)
		ms = &c->hold_ms;
	else if (strcmp(key, "reset_ms") == 0)
		ms = &c->reset_ms;
	if (ms != NULL) {
		if (v->type != CONF_INT || v->i < ESP_PULSE_MIN_MS ||
		    v->i > ESP_PULSE_MAX_MS) {
			snprintf(err, errlen, "esp8266: %s must be %d..%d (ms)",
			    key, ESP_PULSE_MIN_MS, ESP_PULSE_MAX_MS);
			return -1;
		}
		*ms = (unsigned)v->i;
		return 0;
	}
	if (strcmp(key, "baud") == 0) {
		if (v->type != CONF_INT || v->i < 300 || v->i > 921600) {
			snprintf(err, errlen, "esp8266: baud must be "
			    "300..921600");
			return -1;
		}
		c->baud = (unsigned)v->i;
		return 0;
	}
	if (strcmp(key, "data_bits") == 0) {
		if (v->type != CONF_INT || v->i < 5 || v->i > 8) {
			snprintf(err, errlen, "esp8266: data_bits must be "
			    "5..8");
			return -1;
		}
		c->data_bits = (unsigned)v->i;
		return 0;
	}
	if (strcmp(key, "stop_bits") == 0) {
		if (v->type != CONF_INT || (v->i != 1 && v->i != 2)) {
			snprintf(err, errlen, "esp8266: stop_bits must be 1 "
			    "or 2");
			return -1;
		}
		c->stop_bits = (unsigned)v->i;
		return 0;
	}
	if (strcmp(key, "parity") == 0) {
		if (v->type != CONF_STRING || (strcmp(v->s, "none") != 0 &&
		    strcmp(v->s, "even") != 0 && strcmp(v->s, "odd") != 0)) {
			snprintf(err, errlen, "esp8266: parity is none, even "
			    "or odd");
			return -1;
		}
		strcpy(c->parity, v->s);
		return 0;
	}
	snprintf(err, errlen, "esp8266: unknown option \"%s\"", key);
	return -1;
}

int
esp8266_conf_check(void *p, char *err, size_t errlen)
{
	const struct esp_conf *c = p;
	const int pins[3] = { c->power_pin, c->reset_pin, c->sense_pin };
	static const char *const names[3] = { "power_pin", "reset_pin",
	    "sense_pin" };

	if (c->host[0] == '\0') {
		snprintf(err, errlen, "esp8266: host = \"ADDRESS\" is "
		    "required");
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (pins[i] == ESP_NO_PIN)
			continue;
		for (int j = i + 1; j < 3; j++)
			if (pins[j] == pins[i]) {
				snprintf(err, errlen, "esp8266: %s and %s are "
				    "both GPIO %d", names[i], names[j],
				    pins[i]);
				return -1;
			}
		/* GPIO 1 and 3 are TX and RX of the bridged UART */
		if (c->bridge_port != 0 && (pins[i] == 1 || pins[i] == 3)) {
			snprintf(err, errlen, "esp8266: %s = %d is the UART's "
			    "%s (the console); set bridge_port = 0 to use it",
			    names[i], pins[i], pins[i] == 1 ? "TX" : "RX");
			return -1;
		}
	}
	if (c->reset_pin != ESP_NO_PIN && c->power_pin == ESP_NO_PIN) {
		snprintf(err, errlen, "esp8266: reset_pin needs power_pin");
		return -1;
	}
	return 0;
}

void
esp8266_conf_free(void *p)
{
	free(p);
}

/* ---- reply grammar (pure) ------------------------------------------- */

/* "%ld" that must end the line. */