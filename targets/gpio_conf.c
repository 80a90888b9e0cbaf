/* gpio_conf.c: the gpio driver's options (pmbd.conf(5)), checked before
 * anything starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpio.h"
#include "target.h"

#define LINE_MAX_OFFSET	1023

const char *const gpio_role_name[GPIO_ROLES] = { "power", "reset",
    "sense" };

struct gpio_conf_priv {
	struct gpio_conf	 c;
	unsigned		 opts[GPIO_ROLES];
};

void *
gpio_conf_new(void)
{
	struct gpio_conf_priv *p = calloc(1, sizeof(*p));

	if (p != NULL) {
		strcpy(p->c.chip, "gpiochip0");
		p->c.press_ms = 300;
		p->c.hold_ms = 5000;
		p->c.reset_ms = 200;
	}
	return p;
}

static int
role_of(const char *key, const char **rest)
{
	for (int r = 0; r < GPIO_ROLES; r++) {
		size_t n = strlen(gpio_role_name[r]);

		if (strncmp(key, gpio_role_name[r], n) == 0 && key[n] == '_') {
			*rest = key + n + 1;
			return r;
		}
	}
	return -1;
}

static int
set_line_opt(struct gpio_conf_priv *p, int r, const char *opt,
    const struct conf_value *v, const char *key, char *err, size_t errlen)
{
	struct gpio_line_spec *s = &p->c.line[r];

	if (strcmp(opt, "line") == 0) {
		if (v->type == CONF_INT && v->i >= 0 &&
		    v->i <= LINE_MAX_OFFSET) {
			s->offset = (unsigned)v->i;
			s->name[0] = '\0';
		} else if (v->type == CONF_STRING && v->s[0] != '\0' &&
		    strlen(v->s) < sizeof(s->name)) {
			strcpy(s->name, v->s);
		} else {
			snprintf(err, errlen, "gpio: %s must be a line offset "
			    "0..%d or a line name (\"GPIO17\")", key,
			    LINE_MAX_OFFSET);
			return -1;
		}
		s->used = 1;
		return 0;
	}
	if (strcmp(opt, "active_low") == 0) {
		if (v->type != CONF_BOOL) {
			snprintf(err, errlen, "gpio: %s must be true or false",
			    key);
			return -1;
		}
		s->active_low = (int)v->i;
	} else if (strcmp(opt, "bias") == 0) {
		static const char *const names[] = { "as-is", "pull-up",
		    "pull-down", "disable" };
		int i;

		for (i = 0; i < 4; i++)
			if (v->type == CONF_STRING &&
			    strcmp(v->s, names[i]) == 0)
				break;
		if (i == 4) {
			snprintf(err, errlen, "gpio: %s must be \"pull-up\", "
			    "\"pull-down\", \"disable\" or \"as-is\"", key);
			return -1;
		}
		s->bias = (enum gpio_bias)i;
	} else if (strcmp(opt, "drive") == 0 && r != GPIO_SENSE) {
		static const char *const names[] = { "push-pull",
		    "open-drain", "open-source" };
		int i;

		for (i = 0; i < 3; i++)
			if (v->type == CONF_STRING &&
			    strcmp(v->s, names[i]) == 0)
				break;
		if (i == 3) {
			snprintf(err, errlen, "gpio: %s must be \"push-pull\", "
			    "\"open-drain\" or \"open-source\"", key);
			return -1;
		}
		s->drive = (enum gpio_drive)i;
	} else {
		snprintf(err, errlen, "gpio: unknown option \"%s\"", key);
		return -1;
	}
	p->opts[r]++;
	return 0;
}

int
gpio_conf_set(void *vp, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct gpio_conf_priv *p = vp;
	unsigned *ms = NULL;
	const char *opt;
	int r;

	if (strcmp(key, "chip") == 0) {
		if (v->type != CONF_STRING || v->s[0] == '\0' ||
		    strlen(v->s) >= sizeof(p->c.chip)) {
			snprintf(err, errlen, "gpio: chip must be a chip name "
			    "(\"gpiochip0\") or path, at most %d characters",
			    GPIO_NAME_MAX - 1);
			return -1;
		}
		strcpy(p->c.chip, v->s);
		return 0;
	}
	if (strcmp(key, "press_ms") == 0)
		ms = &p->c.press_ms;
	else if (strcmp(key, "hold_ms") == 0)
		ms = &p->c.hold_ms;
	else if (strcmp(key, "reset_ms") == 0)	/* before reset_* */
		ms = &p->c.reset_ms;
	else if ((r = role_of(key, &opt)) >= 0)
		return set_line_opt(p, r, opt, v, key, err, errlen);
	else {
		snprintf(err, errlen, "gpio: unknown option \"%s\"", key);
		return -1;
	}
	if (v->type != CONF_INT || v->i < GPIO_PULSE_MIN_MS ||
	    v->i > GPIO_PULSE_MAX_MS) {
		snprintf(err, errlen, "gpio: %s must be %d..%d (ms)", key,
		    GPIO_PULSE_MIN_MS, GPIO_PULSE_MAX_MS);
		return -1;
	}
	*ms = (unsigned)v->i;
	return 0;
}

static int
same_line(const struct gpio_line_spec *a, const struct gpio_line_spec *b)
{
	if (!a->used || !b->used)
		return 0;
	if (a->name[0] != '\0' || b->name[0] != '\0')
		return strcmp(a->name, b->name) == 0;
	return a->offset == b->offset;
}

int
gpio_conf_check(void *vp, char *err, size_t errlen)
{
	const struct gpio_conf_priv *p = vp;

	if (!p->c.line[GPIO_POWER].used) {
		snprintf(err, errlen, "gpio: power_line (an offset or a line "
		    "name) is required");
		return -1;
	}
	for (int r = 0; r < GPIO_ROLES; r++) {
		if (!p->c.line[r].used && p->opts[r] > 0) {
			snprintf(err, errlen, "gpio: %s_* options without "
			    "%s_line", gpio_role_name[r], gpio_role_name[r]);
			return -1;
		}
		for (int o = r + 1; o < GPIO_ROLES; o++)
			if (same_line(&p->c.line[r], &p->c.line[o])) {
				snprintf(err, errlen, "gpio: %s_line and "
				    "%s_line are the same line", gpio_role_name[r],
				    gpio_role_name[o]);
				return -1;
			}
	}
	return 0;
}

void
gpio_conf_free(void *p)
{
	free(p);
}

/* ---- lines and presses --------------------------------------------- */
