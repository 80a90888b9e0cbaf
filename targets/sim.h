/* sim.h: the simulated machine's state, shared by sim.c and sim_console.c. */
#ifndef PMBD_SIM_H
#define PMBD_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

enum sim_login {
	SIM_LOGIN_USER,		/* "login: " */
	SIM_LOGIN_PASSWORD,	/* "Password: ", no echo */
};

struct sim_console {
	enum sim_login	 state;
	size_t		 linelen;
	unsigned	 baud;
};

#define SIM_PENDING_MAX	8

struct sim_conf {
	unsigned	 power_on_delay;	/* ms */
	unsigned	 soft_off_delay;	/* ms */
	unsigned	 cycle_delay;		/* ms off during a cycle */
	unsigned	 reply_delay;		/* ms; 0: answer at once */
	int		 start_on;
};

enum sim_state {
	SIM_OFF,
	SIM_POWERING_ON,	/* looks off until the delay ends */
	SIM_ON,
	SIM_SHUTTING_DOWN,	/* looks on until the OS is down */
	SIM_CYCLE_OFF,		/* off, on again after cycle_delay */
};

struct sim {
	const struct sim_conf *cf;
	struct target	*t;
	enum sim_state	 state;
	uint64_t	 until;
	uint64_t	 ident_until;
	int		 ident_forced;
	uint64_t	 now;		/* of the last call into the driver */
	int		 boot_pending;	/* reported at the next tick */
	struct {
		uint32_t token;
		int	 cc;
		uint64_t due;
		int	 used;
	} pend[SIM_PENDING_MAX];
	struct sim_console con;
};

void	 sim_console_boot(struct sim *);
void	 sim_console_off(struct sim *);
size_t	 sim_console_write(struct target_src *, const uint8_t *, size_t);
int	 sim_console_break(struct target_src *, unsigned);
int	 sim_console_baud(struct target_src *, unsigned);

#endif
