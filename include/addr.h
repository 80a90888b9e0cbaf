/* addr.h: address and name syntax shared by the configuration and the
 * drivers (no libconfig): "host:port" and "[v6]:port", and the names of
 * hosts and nodes. */
#ifndef PMBD_ADDR_H
#define PMBD_ADDR_H

#include <stddef.h>

#include "conf.h"

/* "1.2.3.4:623" or "[::1]:623" into a; 0 or -1. */
int	 addr_parse(const char *, struct conf_addr *);
/* 1..max-1 letters, digits, '.', '-', '_' (and ':' with colon). */
int	 addr_name_ok(const char *, size_t max, int colon);

#endif
