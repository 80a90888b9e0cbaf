/*
 * machine.h: one model of each managed machine, under every front end.
 *
 * IPMI (core.c and cmd_*.c), Redfish and the web page are translators onto
 * these calls: they turn their protocol's bytes into a machine verb and
 * the verb's result and state back into their protocol.  Drivers
 * (targets/, through target.h) report facts: power sensed, an action done,
 * bytes the machine printed, a link up or down.  The model keeps the
 * bookkeeping every front end shares: the last power event and restart
 * cause, the boot override and its one-shot use, identify, who holds the
 * console, the event log, and who did what (the audit trail).
 *
 * Pure: no sockets, no event loop, no libconfig; time comes in as `now`
 * (monotonic ms); persistence goes out through machine_set_ops().
 *
 * Callbacks never re-enter: a machine_ops or console callback is never
 * called from inside the machine_* call that caused it when the caller
 * could still be inside its own state change; completions of actions come
 * from the driver's own I/O or tick (target.h) through machine_tick() or
 * the driver's report, never from inside machine_power().
 */
#ifndef PMBD_MACHINE_H
#define PMBD_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

/* Results of the verbs.  The values are IPMI's completion codes for the
 * same outcomes, so that the IPMI face needs no table; other faces
 * translate (Redfish: 409, 503 ...). */
enum machine_result {
	MACHINE_OK		= 0x00,
	MACHINE_BUSY		= 0xc0,	/* an action is under way */
	MACHINE_UNSUPPORTED	= 0xc1,	/* this target cannot do that */
	MACHINE_TIMEOUT		= 0xc3,
	MACHINE_INVALID		= 0xcc,	/* a bad argument */
	MACHINE_UNREACHABLE	= 0xd3,	/* the way to it works, it does not
					   (incompatible node firmware) */
	MACHINE_WRONG_STATE	= 0xd5,	/* off, offline, not now */
	MACHINE_FAILED		= 0xff,
	MACHINE_PENDING		= -1,	/* TARGET_PENDING: answered later */
};

enum machine_power {
	MACHINE_POWER_UNKNOWN = 0,	/* offline node, no probe */
	MACHINE_POWER_OFF,
	MACHINE_POWER_ON,
};

/* Why the machine last started (IPMI's Get System Restart Cause values). */
enum machine_restart {
	MACHINE_RESTART_UNKNOWN		= 0,
	MACHINE_RESTART_COMMAND		= 1,	/* a power action of ours */
	MACHINE_RESTART_RESET_BUTTON	= 2,
	MACHINE_RESTART_POWER_BUTTON	= 3,	/* on, no command explains it */
	MACHINE_RESTART_WATCHDOG	= 4,
	MACHINE_RESTART_ALWAYS_ON	= 6,	/* restore policy */
	MACHINE_RESTART_PREVIOUS	= 7,
};

/* Who asks: for the audit trail and the event log. */
struct machine_who {
	const char	*face;		/* "ipmi", "redfish", "web", "pmbd" */
	const char	*user;		/* escaped, printable; NULL: none */
	const char	*peer;		/* "addr:port"; NULL: none */
};

/* What a front end sees of a machine at one moment. */
struct machine_state {
	enum machine_power	 power;
	int			 power_sensed;	/* 0: assumed (no sense line) */
	int			 has_link;	/* a node or relay board */
	int			 link_up;
	int			 fault;
	int			 has_power;	/* the driver has a power side */
	enum target_identify	 identify;
	int			 on_by_command;	/* last power-on was ours */
	enum machine_restart	 restart_cause;
	int			 action_pending; /* PoweringOn/PoweringOff */
	enum target_power	 pending_action;
};

/* The boot override, in words every face has (IPMI keeps its raw
 * parameter block beside it: machine_boot_raw()). */
enum machine_boot_device {
	MACHINE_BOOT_NONE = 0,		/* no override */
	MACHINE_BOOT_PXE,
	MACHINE_BOOT_DISK,
	MACHINE_BOOT_CD,
	MACHINE_BOOT_BIOS,		/* firmware setup */
	MACHINE_BOOT_DIAG,
	MACHINE_BOOT_FLOPPY,
	MACHINE_BOOT_REMOTE_CD,
	MACHINE_BOOT_REMOTE_DISK,
	MACHINE_BOOT_SAFE_DISK,
};
struct machine_boot {
	enum machine_boot_device device;
	int		 persistent;	/* every boot, not only the next */
	int		 uefi;		/* 0: legacy BIOS */
};

/* A completion, for an action that answered MACHINE_PENDING. */
typedef void machine_done_fn(void *arg, uint32_t cookie, int result);

/* What the model needs of the daemon around it. */
struct machine_ops {
	/* Persistent state changed: write it (state.c, atomically). */
	void	(*persist)(void *arg, const struct target *);
	/* Call machine_tick() at this time (monotonic ms) or sooner. */
	void	(*wake)(void *arg, uint64_t when);
	void	*arg;
	/* File descriptors for drivers (target_env); NULL in unit tests. */
	void	*(*io_add)(void *ioarg, int fd, target_io_fn *, void *cbarg);
	void	 (*io_want)(void *handle, int readable, int writable);
	void	 (*io_del)(void *handle);
	void	*ioarg;
	/* The global node_listen (pico), NULL when not configured. */
	const struct conf_addr *node_listen;
};

/* A console holder (IPMI SOL, the web page's WebSocket). */
struct machine_console_ops {
	/* The machine printed: read from the history (machine_console_read)
	 * at the holder's own position. */
	void	(*output)(void *arg, uint64_t now);
	/* The line took input again after machine_console_write was short. */
	void	(*ready)(void *arg, uint64_t now);
	/* Another holder took the console, or the machine went away. */
	void	(*taken)(void *arg, uint64_t now);
};

/* ---- the registry ------------------------------------------------ */

void	 machine_set_ops(const struct machine_ops *);
/* The target's model starts (no driver runs yet: target_start). */
int	 machine_add(struct target *, size_t history, uint64_t now);
void	 machine_remove(struct target *);
struct target *machine_by_addr(uint8_t);
struct target *machine_by_name(const char *);
/* In address order; NULL after the last. */
struct target *machine_next(const struct target *);
/* Completions time out after this (target_timeout). */
void	 machine_set_timeout(unsigned ms);
/* Driver ticks, action timeouts, sensed changes; the next deadline or 0. */
uint64_t machine_tick(uint64_t now);

/* ---- state and verbs ------------------------------------------------ */

void	 machine_state(struct target *, uint64_t now, struct machine_state *);
/*
 * A power action with the rules every face shares; MACHINE_PENDING means
 * done(arg, cookie, result) follows (from the driver's own I/O or tick).
 * The model records who did it, the restart cause and the last power event
 * when it completes.
 */
int	 machine_power(struct target *, uint64_t now, enum target_power,
	    const struct machine_who *, machine_done_fn *, void *arg,
	    uint32_t cookie);
int	 machine_identify(struct target *, uint64_t now, unsigned secs,
	    int force, const struct machine_who *, machine_done_fn *,
	    void *arg, uint32_t cookie);
/* Cold: reboot the way to it (a node); warm: reconnect.  Never pmbd. */
int	 machine_reset_link(struct target *, uint64_t now, int cold,
	    const struct machine_who *, machine_done_fn *, void *arg,
	    uint32_t cookie);

/* Boot override. */
void	 machine_boot_get(struct target *, struct machine_boot *);
int	 machine_boot_set(struct target *, const struct machine_boot *,
	    const struct machine_who *);
/* IPMI's System Boot Options block, read and written whole by cmd_chassis;
 * machine_boot_commit() after a change (persists, tells the driver). */
struct target_boot *machine_boot_raw(struct target *);
void	 machine_boot_commit(struct target *, const struct machine_who *);

/* A face changed what it keeps in t->st (SOL parameters): write it. */
void	 machine_save(struct target *);

/* Sensors: the driver's list and readings (target.h). */
int	 machine_has_sensors(struct target *);
size_t	 machine_sensors(struct target *, const struct target_sensor **);
int	 machine_sensor_read(struct target *, uint64_t now, size_t i,
	    uint8_t *raw);

/* ---- the console: one holder at a time -------------------------------- */

/* 0, or MACHINE_BUSY when held (machine_console_steal takes it over);
 * MACHINE_UNSUPPORTED without a console. */
int	 machine_console_attach(struct target *, uint64_t now,
	    const struct machine_console_ops *, void *arg,
	    const struct machine_who *);
/* The holder leaves (its bytes stay acknowledged input on their way). */
void	 machine_console_detach(struct target *, void *arg);
/* The current holder is told (taken) and detached; then attach. */
void	 machine_console_steal(struct target *, uint64_t now,
	    const struct machine_who *);
int	 machine_console_held(struct target *);
/*
 * History: where a new holder starts (what no holder has acknowledged
 * yet), and reading from a position; a position the ring has overwritten
 * is moved to its tail and the count of lost bytes returned in *lost.
 */
uint64_t machine_console_start(struct target *);
size_t	 machine_console_read(struct target *, uint64_t *pos, uint8_t *,
	    size_t, uint64_t *lost);
uint64_t machine_console_head(struct target *);
/* The holder has shown everything before pos: the machine may print
 * into the room that leaves. */
void	 machine_console_ack(struct target *, uint64_t pos);
/* Input: into the bounded FIFO to the line: n, or 0 past its hard limit
 * (32 KiB); the caller is not called back from inside. */
size_t	 machine_console_write(struct target *, uint64_t now, const uint8_t *,
	    size_t);
size_t	 machine_console_queued(struct target *);
int	 machine_console_break(struct target *, unsigned ms);
int	 machine_console_baud(struct target *, unsigned baud);

#endif
