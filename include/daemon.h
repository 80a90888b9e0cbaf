/*
 * daemon.h: the running daemon as main.c assembles it: configuration,
 * event loop, sockets, core and targets.  Shared by main.c (start-up, the
 * loop, signals, systemd) and reload.c (SIGHUP).
 */
#ifndef PMBD_DAEMON_H
#define PMBD_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

struct conf;
struct conf_target;
struct core;
struct loop;
struct loop_timer;
struct net;
struct target;

struct pmbd {
	const char		*path;		/* the configuration file */
	struct conf		*conf;
	struct loop		*loop;
	struct net		*net;
	struct core		*core;
	struct machine_ops	 mops;		/* the model's, kept for reload */
	struct target		*targets[256];	/* by address, NULL: none */
	struct loop_timer	*wake;
	struct loop_timer	*watchdog;
};

/* Start the target a configuration entry describes: 0, or -1 (logged). */
int	 pmbd_target_start(struct pmbd *, const struct conf_target *,
	    uint64_t now);
void	 pmbd_target_stop(struct pmbd *, uint8_t addr);
/* One line for systemd's STATUS=: targets up/down, sessions. */
void	 pmbd_status(struct pmbd *, char *, size_t);

/* reload.c: SIGHUP. */
void	 reload_run(struct pmbd *);

/* privdrop.c: as root, become user:group (keeping the right to bind
 * ports below 1024, for reloads); 0, or -1 with err. */
int	 privdrop(const char *user, const char *group, const char *state_dir,
	    char *err, size_t);

#endif
