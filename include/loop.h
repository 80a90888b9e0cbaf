/*
 * loop.h: the event loop.  loop.c is the only file that includes
 * libevent's loop API: descriptors (for net.c and the drivers, through
 * target_env), timers and signals for main.c.  Every callback gets `now`.
 */
#ifndef PMBD_LOOP_H
#define PMBD_LOOP_H

#include <stdint.h>

#include "target.h"

struct loop;
struct loop_timer;

struct loop *loop_new(void);
struct loop *loop_free(struct loop *);
/* Runs until loop_exit(). */
void	 loop_run(struct loop *);
void	 loop_exit(struct loop *);
/* The libevent base, for the HTTP server's own file (evhttp). */
void	*loop_base(struct loop *);

/* Descriptors: the target_env I/O calls (ioarg is the loop). */
void	*loop_io_add(void *loop, int fd, target_io_fn *, void *cbarg);
void	 loop_io_want(void *handle, int readable, int writable);
void	 loop_io_del(void *handle);

typedef void loop_fn(void *arg, uint64_t now);
/* A timer: one-shot after ms (loop_timer_in), or every ms. */
struct loop_timer *loop_timer_new(struct loop *, loop_fn *, void *arg);
void	 loop_timer_in(struct loop_timer *, uint64_t ms);
void	 loop_timer_every(struct loop_timer *, uint64_t ms);
void	 loop_timer_free(struct loop_timer *);

/* A signal, delivered on the loop; 0 or -1. */
typedef void loop_signal_fn(void *arg, int signo);
int	 loop_signal(struct loop *, int signo, loop_signal_fn *, void *arg);

#endif
