/*
 * machine_events.h: the model's changes, for faces that show them as
 * they happen (Redfish's event stream, the web page, the event log), and
 * the facts about a machine that only some faces show.  Implemented by
 * src/machine_info.c.
 */
#ifndef PMBD_MACHINE_EVENTS_H
#define PMBD_MACHINE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* ---- changes, for Redfish's SSE stream (and the web page) ------------ */

enum machine_event_kind {
	MACHINE_EV_POWER,	/* power state changed (sensed or assumed) */
	MACHINE_EV_LINK,	/* the way to the machine came up or went */
	MACHINE_EV_ADDED,	/* a machine appeared (start, reload) */
	MACHINE_EV_REMOVED,	/* a machine went (reload); t only for its
				   name and address, gone after the call */
};

struct machine_event {
	enum machine_event_kind	 kind;
	struct target		*t;
	enum machine_power	 power;		/* MACHINE_EV_POWER */
	int			 link_up;	/* MACHINE_EV_LINK */
};

/*
 * Called from machine_tick(), machine_add() and machine_remove(), never
 * from inside another machine_* call of the subscriber.  At most
 * MACHINE_SUBSCRIBERS.
 */
#define MACHINE_SUBSCRIBERS	8
typedef void machine_event_fn(void *arg, const struct machine_event *,
	    uint64_t now);
int	 machine_subscribe(machine_event_fn *, void *arg);	/* 0 or -1 */
void	 machine_unsubscribe(machine_event_fn *, void *arg);

/* ---- facts Redfish shows -------------------------------------------- */

/* The IPMI System GUID (Get System GUID's byte order). */
void	 machine_guid(const struct target *, uint8_t out[16]);

/* The serial console as IPMI SOL offers it. */
struct machine_console_info {
	int	 has_console;
	int	 sol_enabled;		/* SOL parameter 1 */
};
void	 machine_console_info(struct target *,
	    struct machine_console_info *);

/* A node (pico) that pmbd reaches over a link of its own. */
struct machine_node {
	int	 is_node;
	int	 link_up;
	int	 has_signal;
	int	 signal_dbm;
	char	 firmware[64];		/* "": not known */
};
void	 machine_node(struct target *, uint64_t now, struct machine_node *);

#endif
