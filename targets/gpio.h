/*
 * gpio.h: the gpio driver (relays and a sense input on the bridge host's
 * own GPIO lines) and the small line layer under it.  gpio_line.c is the
 * only file that includes libgpiod; the unit test replaces it with a fake.
 */
#ifndef PMBD_GPIO_H
#define PMBD_GPIO_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define GPIO_NAME_MAX		64	/* a chip path or a line name */
#define GPIO_PULSE_MIN_MS	50	/* every press is clamped to these, */
#define GPIO_PULSE_MAX_MS	8000	/* as the Pico node does */
#define GPIO_CYCLE_WAIT_MS	10000	/* cycle: sensed off within */
#define GPIO_CYCLE_BLIND_MS	2000	/* cycle without sense */
#define GPIO_CYCLE_GAP_MS	500	/* released, off: then press */

/* The lines of a target; power and reset are outputs, sense an input. */
enum gpio_role {
	GPIO_POWER	= 0,
	GPIO_RESET	= 1,
	GPIO_SENSE	= 2,
	GPIO_ROLES	= 3,
};
#define GPIO_OUTPUTS	2

enum gpio_bias {
	GPIO_BIAS_AS_IS,
	GPIO_BIAS_PULL_UP,
	GPIO_BIAS_PULL_DOWN,
	GPIO_BIAS_DISABLE,
};

enum gpio_drive {
	GPIO_DRIVE_PUSH_PULL,
	GPIO_DRIVE_OPEN_DRAIN,
	GPIO_DRIVE_OPEN_SOURCE,
};

/* What to request: a line by offset, or by name when name[0] is set. */
struct gpio_line_spec {
	int		 used;
	char		 name[GPIO_NAME_MAX];
	unsigned	 offset;
	int		 active_low;
	enum gpio_bias	 bias;
	enum gpio_drive	 drive;
};

struct gpio_conf {
	char			 chip[GPIO_NAME_MAX];
	struct gpio_line_spec	 line[GPIO_ROLES];
	unsigned		 press_ms;
	unsigned		 hold_ms;
	unsigned		 reset_ms;
};

/*
 * The line layer.  Values are logical (1: asserted, a button pressed or
 * the machine sensed on); active-low is applied below.  An output is
 * requested already released (its first level is 0).  open fills err and
 * returns NULL on failure; set and get return -1 on failure.
 */
struct gpio_line;

struct gpio_line *gpio_line_open(const char *chip,
	    const struct gpio_line_spec *, int output, char *err, size_t);
int	 gpio_line_set(struct gpio_line *, int asserted);
int	 gpio_line_get(struct gpio_line *);
void	 gpio_line_close(struct gpio_line *);

/* gpio_conf.c: the options. */
extern const char *const gpio_role_name[GPIO_ROLES];
void	*gpio_conf_new(void);
int	 gpio_conf_set(void *, const char *, const struct conf_value *, char *,
	    size_t);
int	 gpio_conf_check(void *, char *, size_t);
void	 gpio_conf_free(void *);

#endif
