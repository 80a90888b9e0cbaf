/* drivers.c: the registry of target drivers, by name. */
#include <string.h>

#include "target.h"

extern const struct target_driver esp8266_driver;
extern const struct target_driver exec_driver;
extern const struct target_driver gpio_driver;
extern const struct target_driver pico_driver;
extern const struct target_driver serial_driver;
extern const struct target_driver sim_driver;
extern const struct target_driver wol_driver;

static const struct target_driver *const drivers[] = {
	&esp8266_driver,
	&exec_driver,
	&gpio_driver,
	&pico_driver,
	&serial_driver,
	&sim_driver,
	&wol_driver,
};

const struct target_driver *
target_driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

