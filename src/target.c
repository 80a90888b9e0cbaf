/* target.c: the driver registry and the calls drivers make back. */
#include <string.h>

#include "target.h"

extern const struct target_driver sim_driver;

static const struct target_driver *const drivers[] = {
	&sim_driver,
};

const struct target_driver *
target_driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

void
target_done(struct target *t, uint32_t token, int cc)
{
	t->env->done(t->env->arg, t, token, cc);
}

void
target_event(struct target *t, enum target_event ev)
{
	t->env->event(t->env->arg, t, ev);
}
