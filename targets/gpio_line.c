/*
 * gpio_line.c: one GPIO line through libgpiod (the v1 API, Debian 12's
 * 1.6).  The only file that includes gpiod.h.  Each line keeps its own
 * chip handle, so a line can be closed on its own.
 */
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpio.h"

#define CONSUMER	"pmbd"

struct gpio_line {
	struct gpiod_chip	*chip;
	struct gpiod_line	*line;
};

static int
req_flags(const struct gpio_line_spec *s, int output)
{
	int f = 0;

	if (s->active_low)
		f |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	switch (s->bias) {
	case GPIO_BIAS_PULL_UP:
		f |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
		break;
	case GPIO_BIAS_PULL_DOWN:
		f |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
		break;
	case GPIO_BIAS_DISABLE:
		f |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
		break;
	case GPIO_BIAS_AS_IS:
		break;
	}
	if (output && s->drive == GPIO_DRIVE_OPEN_DRAIN)
		f |= GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN;
	else if (output && s->drive == GPIO_DRIVE_OPEN_SOURCE)
		f |= GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE;
	return f;
}

struct gpio_line *
gpio_line_open(const char *chip, const struct gpio_line_spec *s, int output,
    char *err, size_t errlen)
{
	struct gpio_line *l;
	int rc;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* A name ("gpiochip0"), a path, a label or a number. */
	if ((l->chip = gpiod_chip_open_lookup(chip)) == NULL) {
		snprintf(err, errlen, "cannot open GPIO chip \"%s\": %s", chip,
		    strerror(errno));
		goto bad;
	}
	if (s->name[0] != '\0')
		l->line = gpiod_chip_find_line(l->chip, s->name);
	else if (s->offset < gpiod_chip_num_lines(l->chip))
		l->line = gpiod_chip_get_line(l->chip, s->offset);
	else
		errno = EINVAL;
	if (l->line == NULL) {
		if (s->name[0] != '\0')
			snprintf(err, errlen, "%s has no line named \"%s\"",
			    chip, s->name);
		else
			snprintf(err, errlen, "%s has no line %u (it has %u)",
			    chip, s->offset, gpiod_chip_num_lines(l->chip));
		goto bad;
	}
	/* An output's first level is "released", set in the same request. */
	rc = output ?
	    gpiod_line_request_output_flags(l->line, CONSUMER,
	    req_flags(s, 1), 0) :
	    gpiod_line_request_input_flags(l->line, CONSUMER,
	    req_flags(s, 0));
	if (rc != 0) {
		if (s->name[0] != '\0')
			snprintf(err, errlen, "cannot request line \"%s\" of "
			    "%s: %s", s->name, chip, strerror(errno));
		else
			snprintf(err, errlen, "cannot request line %u of %s: "
			    "%s", s->offset, chip, strerror(errno));
		l->line = NULL;
		goto bad;
	}
	return l;
bad:
	gpio_line_close(l);
	return NULL;
}

int
gpio_line_set(struct gpio_line *l, int asserted)
{
	return gpiod_line_set_value(l->line, asserted ? 1 : 0) == 0 ? 0 : -1;
}

int
gpio_line_get(struct gpio_line *l)
{
	int v = gpiod_line_get_value(l->line);

	return v < 0 ? -1 : v != 0;
}

void
gpio_line_close(struct gpio_line *l)
{
	if (l == NULL)
		return;
	if (l->line != NULL)
		gpiod_line_release(l->line);
	if (l->chip != NULL)
		gpiod_chip_close(l->chip);
	free(l);
}
