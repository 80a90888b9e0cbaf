/*
 * machine_int.h: what machine.c and machine_console.c share; nothing else
 * includes it.
 */
#ifndef PMBD_MACHINE_INT_H
#define PMBD_MACHINE_INT_H

#include "log.h"
#include "machine.h"
#include "ring.h"

#define MACHINE_PEND_MAX	8	/* actions under way per machine */
#define MACHINE_FIFO_MAX	32768	/* console input not yet on the line */

struct machine_pend {
	int			 used;
	uint16_t		 gen;
	enum { PEND_POWER, PEND_IDENTIFY, PEND_LINK } kind;
	enum target_power	 action;
	int			 was_on;	/* sensed on before it */
	machine_done_fn		*fn;
	void			*arg;
	uint32_t		 cookie;
	uint64_t		 due;		/* given up then */
	char			 who[96];	/* for the audit line */
};

struct machine {
	struct target		*t;
	/* Bookkeeping. */
	int			 on_by_command;
	enum machine_restart	 restart;
	enum machine_power	 seen;		/* sensed at the last tick */
	uint64_t		 explained_until; /* a power change until then
						    is our action's doing */
	struct machine_pend	 pend[MACHINE_PEND_MAX];
	uint16_t		 gen;
	/* The console: history, its one holder, input on its way. */
	int			 has_console;
	struct ring		 hist;
	uint64_t		 unseen;	/* no holder has acknowledged
						   output from here */
	uint64_t		 lost;		/* overwritten before seen */
	const struct machine_console_ops *hops;
	void			*harg;
	uint64_t		 hack;		/* the holder's acknowledged
						   position */
	uint8_t			*fifo;		/* MACHINE_FIFO_MAX */
	size_t			 fifo_off;
	size_t			 fifo_len;
	int			 busy;		/* inside console_write */
	int			 again;
	int			 out_pending;	/* output while busy */
	struct log_rl		 rl;
	/* What the faces were last told (machine_info.c). */
	int			 shown;
	enum machine_power	 shown_power;
	int			 shown_link;
};

struct machine *machine_of(struct target *);
void	 machine_persist(struct target *);
void	 machine_boot_used(struct target *);
/* machine_info.c */
struct machine_event;
void	 machine_notify(const struct machine_event *, uint64_t now);
void	 machine_changes(struct machine *, uint64_t now);
/* From the driver (target.h callbacks) and the tick. */
void	 machine_console_output(struct machine *, uint64_t now,
	    const uint8_t *, size_t);
size_t	 machine_console_room(struct machine *);
void	 machine_console_feed(struct machine *, uint64_t now);
/* The machine goes: its holder is told. */
void	 machine_console_gone(struct machine *, uint64_t now);

#endif
