/*
 * sim.c: a simulated machine.  Power-on and soft-off take a configurable
 * time, power cycle and reset do what a PC does, identify runs for the
 * given seconds.  With reply_delay set, actions complete asynchronously,
 * as a real node's would.  Its console is in sim_console.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi.h"
#include "sim.h"
#include "target.h"

static void *
sim_conf_new(void)
{
	struct sim_conf *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		c->power_on_delay = 500;
		c->soft_off_delay = 1500;
		c->cycle_delay = 1000;
	}
	return c;
}

static int
sim_conf_set(void *p, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct sim_conf *c = p;
	unsigned *dst = NULL;

	if (strcmp(key, "start_on") == 0) {
		if (v->type != CONF_BOOL)
			goto type;
		c->start_on = (int)v->i;
		return 0;
	}
	if (strcmp(key, "power_on_delay") == 0)
		dst = &c->power_on_delay;
	else if (strcmp(key, "soft_off_delay") == 0)
		dst = &c->soft_off_delay;
	else if (strcmp(key, "cycle_delay") == 0)
		dst = &c->cycle_delay;
	else if (strcmp(key, "reply_delay") == 0)
		dst = &c->reply_delay;
	else {
		snprintf(err, errlen, "sim: unknown option \"%s\"", key);
		return -1;
	}
	if (v->type != CONF_INT || v->i < 0 || v->i > 600000) {
		snprintf(err, errlen, "sim: %s must be 0..600000 (ms)", key);
		return -1;
	}
	*dst = (unsigned)v->i;
	return 0;
type:
	snprintf(err, errlen, "sim: %s must be true or false", key);
	return -1;
}

static void
sim_conf_free(void *p)
{
	free(p);
}

static int
sim_start(struct target_src *src, uint64_t now)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	s->now = now;
	s->cf = src->dconf;
	s->t = src->t;
	s->state = s->cf->start_on ? SIM_ON : SIM_OFF;
	src->dstate = s;
	if (s->state == SIM_ON)
		sim_console_boot(s);
	return 0;
}

static void
sim_stop(struct target_src *src)
{
	free(src->dstate);
	src->dstate = NULL;
}

/* The machine starts; its firmware's output and the BOOT event follow at
 * the next tick, never from inside a call the core made (target.h). */
static void
sim_boot(struct sim *s)
{
	s->state = SIM_ON;
	s->boot_pending = 1;
}

/* Move the machine along; never calls back into the core. */
static void
sim_advance(struct sim *s, uint64_t now)
{
	s->now = now;
	if (now >= s->until) {
		switch (s->state) {
		case SIM_POWERING_ON:
			sim_boot(s);
			break;
		case SIM_SHUTTING_DOWN:
			s->state = SIM_OFF;
			sim_console_off(s);
			break;
		case SIM_CYCLE_OFF:
			s->state = SIM_POWERING_ON;
			s->until = now + s->cf->power_on_delay;
			break;
		default:
			break;
		}
	}
	if (!s->ident_forced && s->ident_until != 0 && now >= s->ident_until)
		s->ident_until = 0;
}

static void
sim_tick(struct target_src *src, uint64_t now)
{
	struct sim *s = src->dstate;

	sim_advance(s, now);
	if (s->boot_pending) {
		s->boot_pending = 0;
		sim_console_boot(s);	/* before the one-shot flag clears */
		target_event(s->t, now, TARGET_EV_BOOT);
	}
	for (int i = 0; i < SIM_PENDING_MAX; i++)
		if (s->pend[i].used && now >= s->pend[i].due) {
			s->pend[i].used = 0;
			target_done(s->t, now, s->pend[i].token,
			    s->pend[i].cc);
		}
}

/* Answer now, or after reply_delay like a node on the network would. */
static int
sim_reply(struct sim *s, uint64_t now, uint32_t token, int cc)
{
	if (s->cf->reply_delay == 0)
		return cc;
	for (int i = 0; i < SIM_PENDING_MAX; i++)
		if (!s->pend[i].used) {
			s->pend[i].used = 1;
			s->pend[i].token = token;
			s->pend[i].cc = cc;
			s->pend[i].due = now + s->cf->reply_delay;
			return TARGET_PENDING;
		}
	return CC_NODE_BUSY;
}

static void
sim_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct sim *s = src->dstate;

	sim_advance(s, now);
	st->power_on = s->state == SIM_ON || s->state == SIM_SHUTTING_DOWN;
	st->power_known = 1;
	st->link_up = 1;
	st->identify = s->ident_forced ? TARGET_IDENT_ON :
	    s->ident_until != 0 ? TARGET_IDENT_TIMED : TARGET_IDENT_OFF;
}

static int
sim_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t tok)
{
	struct sim *s = src->dstate;
	int on;

	sim_advance(s, now);
	on = s->state == SIM_ON || s->state == SIM_SHUTTING_DOWN;
	switch (a) {
	case TARGET_POWER_ON:
		if (s->state == SIM_OFF) {
			s->state = SIM_POWERING_ON;
			s->until = now + s->cf->power_on_delay;
		}
		break;			/* already on: nothing to press */
	case TARGET_POWER_OFF:
		if (s->state != SIM_OFF)
			sim_console_off(s);
		s->state = SIM_OFF;
		break;
	case TARGET_POWER_SOFT:
		if (!on)
			return sim_reply(s, now, tok, CC_NOT_SUPPORTED_STATE);
		if (s->state == SIM_ON) {
			s->state = SIM_SHUTTING_DOWN;
			s->until = now + s->cf->soft_off_delay;
		}
		break;
	case TARGET_POWER_CYCLE:
		if (!on)
			return sim_reply(s, now, tok, CC_NOT_SUPPORTED_STATE);
		s->state = SIM_CYCLE_OFF;
		s->until = now + s->cf->cycle_delay;
		sim_console_off(s);
		break;
	case TARGET_POWER_RESET:
		if (!on)
			return sim_reply(s, now, tok, CC_NOT_SUPPORTED_STATE);
		sim_boot(s);
		break;
	case TARGET_POWER_DIAG:
		if (!on)
			return sim_reply(s, now, tok, CC_NOT_SUPPORTED_STATE);
		break;			/* an NMI: the OS would dump */
	}
	return sim_reply(s, now, tok, CC_OK);
}

static int
sim_identify(struct target_src *src, uint64_t now, unsigned secs, int force,
    uint32_t tok)
{
	struct sim *s = src->dstate;

	s->ident_forced = force;
	s->ident_until = (!force && secs > 0) ? now + secs * 1000ull : 0;
	return sim_reply(s, now, tok, CC_OK);
}

static int
sim_reset_link(struct target_src *src, uint64_t now, int cold, uint32_t tok)
{
	(void)cold;
	return sim_reply(src->dstate, now, tok, CC_OK);
}

/* A small PC: temperatures, the 12 V rail, one fan. */
static const struct target_sensor sim_sensors[] = {
	/* name		type  unit m  rexp signed unc  ucr */
	{ "CPU Temp",	0x01, 1,   1, 0,   1,     80,  95 },
	{ "Inlet Temp",	0x01, 1,   1, 0,   1,     40,  45 },
	{ "12V",	0x02, 4,   1, -1,  0,     0,   0 },
	{ "Fan1",	0x04, 18,  50, 0,  0,     0,   0 },
};

static size_t
sim_sensor_list(struct target_src *src, const struct target_sensor **ret)
{
	(void)src;
	*ret = sim_sensors;
	return sizeof(sim_sensors) / sizeof(sim_sensors[0]);
}

static int
sim_sensor_read(struct target_src *src, uint64_t now, size_t i, uint8_t *raw)
{
	struct sim *s = src->dstate;
	int on, wobble = (int)((now / 1000) % 3);

	sim_advance(s, now);
	on = s->state == SIM_ON || s->state == SIM_SHUTTING_DOWN;
	switch (i) {
	case 0:		/* idles at 45 C when on, cools to the room when off */
		*raw = (uint8_t)(on ? 45 + wobble : 24);
		return 0;
	case 1:
		*raw = 24;
		return 0;
	case 2:		/* 12.1 V when on; the rail is off otherwise */
		if (!on)
			return -1;
		*raw = 121;
		return 0;
	case 3:		/* 2400 RPM */
		*raw = (uint8_t)(on ? 48 : 0);
		return 0;
	default:
		return -1;
	}
}

const struct target_driver sim_driver = {
	.name		= "sim",
	.conf_new	= sim_conf_new,
	.conf_set	= sim_conf_set,
	.conf_free	= sim_conf_free,
	.start		= sim_start,
	.stop		= sim_stop,
	.status		= sim_status,
	.power		= sim_power,
	.identify	= sim_identify,
	.reset_link	= sim_reset_link,
	.tick		= sim_tick,
	.sensor_list	= sim_sensor_list,
	.sensor_read	= sim_sensor_read,
	.console_write	= sim_console_write,
	.console_break	= sim_console_break,
	.console_baud	= sim_console_baud,
};
