/* target.c: a target's driver instances (set-up, start, stop) and the calls
 * drivers make back into the model (target_env); the registry of drivers
 * is targets/drivers.c. */
#include <string.h>

#include "target.h"

static int
has_console_ops(const struct target_driver *d)
{
	return d != NULL && d->console_write != NULL;
}

void
target_setup(struct target *t, const struct conf_target *ct)
{
	t->addr = ct->addr;
	memcpy(t->name, ct->name, sizeof(t->name));
	t->main = (struct target_src){ t, ct->drv, ct->dconf, NULL };
	if (ct->con_drv != NULL)		/* a console of its own */
		t->con = (struct target_src){ t, ct->con_drv, ct->con_dconf,
		    NULL };
	else if (has_console_ops(ct->drv))	/* the same instance */
		t->con = (struct target_src){ t, ct->drv, ct->dconf, NULL };
	else
		memset(&t->con, 0, sizeof(t->con));
}

static int
same_instance(const struct target *t)
{
	return t->con.drv == t->main.drv && t->con.dconf == t->main.dconf;
}

int
target_start(struct target *t, uint64_t now)
{
	if (t->main.drv->start != NULL && t->main.drv->start(&t->main, now))
		return -1;
	if (t->con.drv == NULL)
		return 0;
	if (same_instance(t)) {
		t->con.dstate = t->main.dstate;
		return 0;
	}
	if (t->con.drv->start != NULL && t->con.drv->start(&t->con, now) != 0) {
		if (t->main.drv->stop != NULL)
			t->main.drv->stop(&t->main);
		return -1;
	}
	return 0;
}

void
target_stop(struct target *t)
{
	/* A driver that is not running (dstate NULL) has nothing to stop. */
	if (t->con.drv != NULL && !same_instance(t) && t->con.drv->stop &&
	    t->con.dstate != NULL)
		t->con.drv->stop(&t->con);
	if (t->main.drv->stop != NULL && t->main.dstate != NULL)
		t->main.drv->stop(&t->main);
}

int
target_has_console(const struct target *t)
{
	return has_console_ops(t->con.drv);
}

void
target_done(struct target *t, uint64_t now, uint32_t token, int cc)
{
	t->env->done(t->env->arg, t, now, token, cc);
}

void
target_event(struct target *t, uint64_t now, enum target_event ev)
{
	t->env->event(t->env->arg, t, now, ev);
}

void
target_console_output(struct target *t, uint64_t now, const uint8_t *p,
    size_t n)
{
	if (t->env->console != NULL && n > 0)
		t->env->console(t->env->arg, t, now, p, n);
}

void
target_console_ready(struct target *t, uint64_t now)
{
	if (t->env->console_ready != NULL)
		t->env->console_ready(t->env->arg, t, now);
}

size_t
target_console_room(struct target *t)
{
	return t->env->console_room != NULL ?
	    t->env->console_room(t->env->arg, t) : 0;
}
