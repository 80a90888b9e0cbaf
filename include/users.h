/* users.h: who may log in: the configured users, looked up by name
 * (RAKP, Set Session Privilege, reload; Redfish next).  No libconfig. */
#ifndef PMBD_USERS_H
#define PMBD_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

const struct conf_user *users_find(const struct conf *, const uint8_t *name,
	    size_t len);

#endif
