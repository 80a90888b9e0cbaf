/* users.c: the configured users, looked up by name. */
#include <string.h>

#include "users.h"

const struct conf_user *
users_find(const struct conf *cf, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < cf->nusers; i++)
		if (cf->users[i].name_len == len &&
		    memcmp(cf->users[i].name, name, len) == 0)
			return &cf->users[i];
	return NULL;
}
