/*
 * io.h: file descriptors that drivers want watched, on libevent.  These are
 * the core_ops/target_env I/O callbacks; the argument is the event base.
 */
#ifndef PMBD_IO_H
#define PMBD_IO_H

#include "target.h"

void	*io_add(void *base, int fd, target_io_fn *, void *cbarg);
void	 io_want(void *handle, int readable, int writable);
void	 io_del(void *handle);

#endif
