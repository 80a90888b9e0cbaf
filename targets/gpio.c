/*
 * gpio.c: a machine whose buttons are relays (or optocouplers) on the
 * bridge host's own GPIO lines, with an optional sense input on its power
 * LED.  The power rules are the Pico node's (docs/node-protocol.md,
 * "Power" and "Fail-safe rules"):
 *
 *  - every press is a pulse clamped to 50 ms..8 s; its release time is
 *    recorded, and its timer armed, before the line is asserted; a timerfd
 *    on the event loop releases it on time, and the tick releases any
 *    press that is due (the only mechanism when there is no event loop);
 *  - on presses only a machine sensed off, off is a hold of a machine not
 *    sensed off, soft presses only a machine sensed on; without a sense
 *    line each presses and the state reported is the last one commanded
 *    (power_known 0);
 *  - a pressed line refuses a second press (C0h);
 *  - outputs are requested released, and released again at stop.
 *
 * The lines themselves are behind gpio_line.c (libgpiod).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "gpio.h"
#include "ipmi.h"
#include "log.h"
#include "target.h"

#define DIAG_PULSE_MS	GPIO_PULSE_MIN_MS  /* IPMI diag: a short reset pulse */


struct gpio;

struct gpio_out {
	struct gpio	*g;
	int		 role;
	uint64_t	 until;		/* release due; 0: released */
	int		 tfd;		/* -1: the tick releases */
	void		*io;
};

struct gpio {
	const struct gpio_conf	*cf;
	struct target		*t;
	struct gpio_line	*line[GPIO_ROLES];
	struct gpio_out		 out[GPIO_OUTPUTS];
	int			 cycle;		/* as the node's poll_cycle */
	uint64_t		 cycle_t;
	int			 assumed_on;	/* no sense line */
	int			 was_on;	/* last sensed, for BOOT */
	int			 boot_pending;	/* reported at the next tick */
	struct log_rl		 rl;
};

/* ---- configuration ------------------------------------------------- */

/* Options given per line, to refuse *_bias without its *_line. */
static unsigned
clamp_pulse(unsigned ms)
{
	if (ms < GPIO_PULSE_MIN_MS)
		return GPIO_PULSE_MIN_MS;
	if (ms > GPIO_PULSE_MAX_MS)
		return GPIO_PULSE_MAX_MS;
	return ms;
}

static void
arm(struct gpio_out *o, unsigned ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (o->tfd >= 0 && timerfd_settime(o->tfd, 0, &its, NULL) != 0)
		log_warn("target %s: gpio: cannot arm the release timer",
		    o->g->t->name);
}

static void
release(struct gpio *g, int role)
{
	struct gpio_out *o = &g->out[role];

	if (g->line[role] != NULL && gpio_line_set(g->line[role], 0) != 0) {
		/* Still due: the next tick tries again. */
		log_rl(&g->rl, "target %s: gpio: cannot release the %s line",
		    g->t->name, gpio_role_name[role]);
		return;
	}
	if (o->until != 0)
		arm(o, 0);			/* disarms */
	o->until = 0;
}

/*
 * Press a line for ms (clamped): CC_OK, C0h pressed already, CCh not
 * wired, FFh the line could not be set.  The release is due (and its
 * timer armed) before the line is asserted.
 */
static int
press(struct gpio *g, int role, unsigned ms, uint64_t now)
{
	struct gpio_out *o = &g->out[role];

	if (g->line[role] == NULL)
		return CC_INVALID_FIELD;
	if (o->until != 0)
		return CC_NODE_BUSY;
	ms = clamp_pulse(ms);
	o->until = now + ms;
	if (o->tfd >= 0) {
		struct itimerspec its;

		memset(&its, 0, sizeof(its));
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
		if (timerfd_settime(o->tfd, 0, &its, NULL) != 0) {
			log_warn("target %s: gpio: cannot arm the release "
			    "timer; not pressing", g->t->name);
			o->until = 0;
			return CC_UNSPECIFIED;
		}
	}
	if (gpio_line_set(g->line[role], 1) != 0) {
		log_rl(&g->rl, "target %s: gpio: cannot set the %s line",
		    g->t->name, gpio_role_name[role]);
		release(g, role);
		return CC_UNSPECIFIED;
	}
	log_debug("target %s: gpio: %s pressed for %u ms", g->t->name,
	    gpio_role_name[role], ms);
	return CC_OK;
}

static void
release_due(struct gpio *g, uint64_t now)
{
	for (int r = 0; r < GPIO_OUTPUTS; r++)
		if (g->out[r].until != 0 && now >= g->out[r].until)
			release(g, r);
}

/* The release timer fired: that press is over. */
static void
timer_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct gpio_out *o = arg;
	uint64_t n;

	(void)now;
	(void)writable;
	if (!readable || read(o->tfd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;			/* disarmed or re-armed meanwhile */
	if (o->until != 0)
		release(o->g, o->role);
}

/* 1 on, 0 off, -1 not known (no sense line, or it cannot be read). */
static int
sensed(struct gpio *g)
{
	int v;

	if (g->line[GPIO_SENSE] == NULL)
		return -1;
	if ((v = gpio_line_get(g->line[GPIO_SENSE])) < 0)
		log_rl(&g->rl, "target %s: gpio: cannot read the sense line",
		    g->t->name);
	return v;
}

/* ---- runtime ------------------------------------------------------- */

static void
gpio_close(struct gpio *g)
{
	const struct target_env *env = g->t->env;

	for (int r = 0; r < GPIO_OUTPUTS; r++) {
		struct gpio_out *o = &g->out[r];

		if (g->line[r] != NULL && gpio_line_set(g->line[r], 0) != 0)
			log_warnx("target %s: gpio: cannot release the %s "
			    "line", g->t->name, gpio_role_name[r]);
		o->until = 0;
		if (o->io != NULL && env != NULL && env->io_del != NULL)
			env->io_del(o->io);
		o->io = NULL;
		if (o->tfd >= 0)
			close(o->tfd);
		o->tfd = -1;
	}
	for (int r = 0; r < GPIO_ROLES; r++) {
		gpio_line_close(g->line[r]);
		g->line[r] = NULL;
	}
	g->cycle = 0;
}

static int
gpio_start(struct target_src *src, uint64_t now)
{
	const struct gpio_conf *cf = src->dconf;
	const struct target_env *env = src->t->env;
	struct gpio *g;
	char err[256];

	(void)now;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->cf = cf;
	g->t = src->t;
	g->rl = (struct log_rl)LOG_RL_INIT("gpio");
	for (int r = 0; r < GPIO_OUTPUTS; r++)
		g->out[r] = (struct gpio_out){ g, r, 0, -1, NULL };
	/* Outputs first, requested released, and set released again. */
	for (int r = 0; r < GPIO_ROLES; r++) {
		if (!cf->line[r].used)
			continue;
		g->line[r] = gpio_line_open(cf->chip, &cf->line[r],
		    r < GPIO_OUTPUTS, err, sizeof(err));
		if (g->line[r] == NULL) {
			log_warnx("target %s: gpio: %s line: %s", g->t->name,
			    gpio_role_name[r], err);
			goto bad;
		}
		if (r < GPIO_OUTPUTS && gpio_line_set(g->line[r], 0) != 0) {
			log_warnx("target %s: gpio: cannot release the %s "
			    "line", g->t->name, gpio_role_name[r]);
			goto bad;
		}
	}
	/* An exact release from the event loop, where there is one. */
	for (int r = 0; r < GPIO_OUTPUTS && env != NULL &&
	    env->io_add != NULL; r++) {
		struct gpio_out *o = &g->out[r];

		if (g->line[r] == NULL)
			continue;
		if ((o->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
		    TFD_CLOEXEC)) < 0 ||
		    (o->io = env->io_add(env->ioarg, o->tfd, timer_cb, o)) ==
		    NULL) {
			log_warn("target %s: gpio: release timer", g->t->name);
			goto bad;
		}
	}
	g->was_on = sensed(g) == 1;
	if (g->line[GPIO_SENSE] == NULL)
		log_info("target %s: gpio: power is not sensed (no "
		    "sense_line): status reports the last state commanded",
		    g->t->name);
	src->dstate = g;
	return 0;
bad:
	gpio_close(g);
	free(g);
	return -1;
}

static void
gpio_stop(struct target_src *src)
{
	struct gpio *g = src->dstate;

	if (g == NULL)
		return;
	gpio_close(g);
	free(g);
	src->dstate = NULL;
}

/*
 * Cycle, as the node does it: 1, the hold is on or done, waiting (until
 * cycle_t) for the machine to be sensed off; 3, off and released, press
 * after a short gap; 2, no sense line: press at cycle_t.
 */
static void
poll_cycle(struct gpio *g, uint64_t now)
{
	if (g->cycle == 0 || g->out[GPIO_POWER].until != 0)
		return;
	switch (g->cycle) {
	case 1:
		if (sensed(g) == 0) {
			g->cycle = 3;
			g->cycle_t = now + GPIO_CYCLE_GAP_MS;
		} else if (now >= g->cycle_t) {
			g->cycle = 0;		/* never went off: give up */
			log_rl(&g->rl, "target %s: gpio: power cycle: still "
			    "on after the hold, not pressing", g->t->name);
		}
		break;
	case 2:
	case 3:
		if (now >= g->cycle_t) {
			g->cycle = 0;
			(void)press(g, GPIO_POWER, g->cf->press_ms, now);
		}
		break;
	}
}

static void
gpio_tick(struct target_src *src, uint64_t now)
{
	struct gpio *g = src->dstate;
	int on;

	release_due(g, now);
	poll_cycle(g, now);
	if (g->boot_pending) {
		g->boot_pending = 0;
		target_event(g->t, now, TARGET_EV_BOOT);
	}
	if ((on = sensed(g)) >= 0) {
		if (on && !g->was_on)
			target_event(g->t, now, TARGET_EV_BOOT);
		g->was_on = on;
	}
}

static void
gpio_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct gpio *g = src->dstate;
	int on;

	release_due(g, now);
	if (g->line[GPIO_SENSE] == NULL) {
		st->power_known = 0;
		st->power_on = g->assumed_on;
		return;
	}
	on = sensed(g);
	st->has_link = 1;
	st->link_up = on >= 0;		/* else D5h: unknown */
	st->power_known = on >= 0;
	st->power_on = on == 1;
}

/* After a power action pressed a line; blind: no sense line; running:
 * the machine was (or was assumed) on before.  A boot it causes is
 * reported at the next tick (never from inside gpio_power). */
static void
pressed(struct gpio *g, enum target_power a, int blind, int running)
{
	switch (a) {
	case TARGET_POWER_ON:
	case TARGET_POWER_CYCLE:
		if (blind) {
			g->assumed_on = 1;
			g->boot_pending = 1;
		}
		break;
	case TARGET_POWER_OFF:
	case TARGET_POWER_SOFT:
		if (blind)
			g->assumed_on = 0;
		break;
	case TARGET_POWER_RESET:
		if (running)
			g->boot_pending = 1;
		break;
	case TARGET_POWER_DIAG:
		break;
	}
}

static int
gpio_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t tok)
{
	struct gpio *g = src->dstate;
	int on, blind, cc;

	(void)tok;
	release_due(g, now);
	if (a == TARGET_POWER_DIAG)	/* no NMI line: a short reset pulse */
		return press(g, GPIO_RESET, DIAG_PULSE_MS, now);
	blind = g->line[GPIO_SENSE] == NULL;
	on = sensed(g);
	if (a == TARGET_POWER_RESET) {	/* whatever the state, as the node */
		if ((cc = press(g, GPIO_RESET, g->cf->reset_ms, now)) ==
		    CC_OK)
			pressed(g, a, blind, blind ? g->assumed_on : on == 1);
		return cc;
	}
	if (g->cycle != 0)
		return CC_NODE_BUSY;
	if (!blind && on < 0)
		return CC_NOT_SUPPORTED_STATE;	/* never guess: not pressing */
	switch (a) {
	case TARGET_POWER_ON:
		if (on == 1)
			return CC_OK;		/* a press would turn it off */
		cc = press(g, GPIO_POWER, g->cf->press_ms, now);
		break;
	case TARGET_POWER_OFF:
		if (on == 0)
			return CC_OK;
		cc = press(g, GPIO_POWER, g->cf->hold_ms, now);
		break;
	case TARGET_POWER_SOFT:
		if (on == 0)
			return CC_NOT_SUPPORTED_STATE;
		cc = press(g, GPIO_POWER, g->cf->press_ms, now);
		break;
	case TARGET_POWER_CYCLE:
		if (on == 0) {
			cc = press(g, GPIO_POWER, g->cf->press_ms, now);
			break;
		}
		if ((cc = press(g, GPIO_POWER, g->cf->hold_ms, now)) != CC_OK)
			break;
		g->cycle = blind ? 2 : 1;
		g->cycle_t = g->out[GPIO_POWER].until +
		    (blind ? GPIO_CYCLE_BLIND_MS : GPIO_CYCLE_WAIT_MS);
		break;
	default:
		return CC_INVALID_FIELD;
	}
	if (cc == CC_OK)
		pressed(g, a, blind, on == 1);
	return cc;
}

/* Cold/Warm Reset of the target's link: let go of every line. */
static int
gpio_reset_link(struct target_src *src, uint64_t now, int cold, uint32_t tok)
{
	struct gpio *g = src->dstate;

	(void)now;
	(void)cold;
	(void)tok;
	for (int r = 0; r < GPIO_OUTPUTS; r++)
		release(g, r);
	g->cycle = 0;
	return CC_OK;
}

const struct target_driver gpio_driver = {
	.name		= "gpio",
	.conf_new	= gpio_conf_new,
	.conf_set	= gpio_conf_set,
	.conf_check	= gpio_conf_check,
	.conf_free	= gpio_conf_free,
	.start		= gpio_start,
	.stop		= gpio_stop,
	.tick		= gpio_tick,
	.status		= gpio_status,
	.power		= gpio_power,
	.reset_link	= gpio_reset_link,
};
