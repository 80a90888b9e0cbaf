/* pico_conf.c: the pico driver's options (pmbd.conf(5)). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "crypto.h"
#include "pico.h"

void *
pico_conf_new(void)
{
	return calloc(1, sizeof(struct pico_conf));
}

int
pico_conf_set(void *p, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct pico_conf *c = p;
	uint16_t *ms = NULL;

	if (strcmp(key, "node") == 0) {
		if (v->type != CONF_STRING || !addr_name_ok(v->s, NP_TEXT_MAX, 0)) {
			snprintf(err, errlen, "pico: node must be 1..%d "
			    "letters, digits, '.', '_' or '-'",
			    NP_TEXT_MAX - 1);
			return -1;
		}
		strcpy(c->node, v->s);
		return 0;
	}
	if (strcmp(key, "psk") == 0) {		/* never echoed back */
		if (v->type != CONF_STRING || buf_hex(v->s, c->psk, PICO_PSK_LEN) != PICO_PSK_LEN) {
			crypto_cleanse(c->psk, sizeof(c->psk));
			snprintf(err, errlen, "pico: psk must be %d hex digits "
			    "(openssl rand -hex %d)", 2 * PICO_PSK_LEN,
			    PICO_PSK_LEN);
			return -1;
		}
		c->has_psk = 1;
		return 0;
	}
	if (strcmp(key, "press_ms") == 0)
		ms = &c->press_ms;
	else if (strcmp(key, "hold_ms") == 0)
		ms = &c->hold_ms;
	else if (strcmp(key, "reset_ms") == 0)
		ms = &c->reset_ms;
	else {
		snprintf(err, errlen, "pico: unknown option \"%s\"", key);
		return -1;
	}
	if (v->type != CONF_INT || v->i < NP_PULSE_MIN_MS ||
	    v->i > NP_PULSE_MAX_MS) {
		snprintf(err, errlen, "pico: %s must be %d..%d (ms)", key,
		    NP_PULSE_MIN_MS, NP_PULSE_MAX_MS);
		return -1;
	}
	*ms = (uint16_t)v->i;
	return 0;
}

int
pico_conf_check(void *p, char *err, size_t errlen)
{
	const struct pico_conf *c = p;

	if (c->node[0] == '\0') {
		snprintf(err, errlen, "pico: node = \"NAME\" is required (the "
		    "node's PSK identity)");
		return -1;
	}
	if (!c->has_psk) {
		snprintf(err, errlen, "pico: psk = \"<%d hex digits>\" is "
		    "required", 2 * PICO_PSK_LEN);
		return -1;
	}
	return 0;
}

void
pico_conf_free(void *p)
{
	if (p != NULL)
		crypto_cleanse(p, sizeof(struct pico_conf));
	free(p);
}

const char *
pico_conf_unique(const void *p)
{
	return ((const struct pico_conf *)p)->node;
}
