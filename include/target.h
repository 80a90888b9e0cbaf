/*
 * target.h: a managed machine behind pmbd and the driver interface that
 * reaches it.  Drivers live in targets/ and fill in struct target_driver.
 *
 * Calls into a driver never block.  An action either completes at once
 * (the driver returns an IPMI completion code) or returns TARGET_PENDING
 * and later calls target_done() with the token it was given; the core
 * answers the client then, or with CC_TIMEOUT when the target takes longer
 * than target_timeout.
 */
#ifndef PMBD_TARGET_H
#define PMBD_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define TARGET_PENDING		(-1)

/* Chassis Control actions, numbered as on the wire. */
enum target_power {
	TARGET_POWER_OFF	= 0,
	TARGET_POWER_ON		= 1,
	TARGET_POWER_CYCLE	= 2,
	TARGET_POWER_RESET	= 3,
	TARGET_POWER_DIAG	= 4,
	TARGET_POWER_SOFT	= 5,
};

/* What a driver tells the core on its own initiative. */
enum target_event {
	TARGET_EV_BOOT,		/* the machine starts (power-on, reset) */
	TARGET_EV_LINK_UP,
	TARGET_EV_LINK_DOWN,
};

enum target_identify {
	TARGET_IDENT_OFF	= 0,
	TARGET_IDENT_TIMED	= 1,
	TARGET_IDENT_ON		= 2,
};

struct target_status {
	int		 power_on;
	int		 power_known;	/* 0: no sense line, state assumed */
	int		 link_up;	/* the driver can reach the machine */
	int		 fault;
	uint8_t		 last_event;	/* Get Chassis Status byte 2 */
	uint8_t		 restart_cause;	/* Get System Restart Cause */
	enum target_identify identify;
};

/* System Boot Options (Chassis 08h/09h), kept by the core. */
struct target_boot {
	uint8_t		 in_progress;	/* param 0 */
	uint8_t		 svc_partition;	/* param 1 */
	uint8_t		 svc_scan;	/* param 2 */
	uint8_t		 clear_mask;	/* param 3 */
	uint8_t		 ack[2];	/* param 4 */
	uint8_t		 flags[5];	/* param 5 */
	uint8_t		 initiator[9];	/* param 6 */
	uint8_t		 invalid;	/* bit n: param n marked invalid */
};

/* State that survives restarts, written to state_dir by state.c. */
struct target_persist {
	uint8_t		 guid[16];
	struct target_boot boot;
};

/*
 * A sensor as the driver describes it: IPMI sensor type (01h temperature,
 * 02h voltage, 04h fan ...), IPMI base unit (1 degrees C, 4 volts, 18 RPM
 * ...), and a linear scale: value = m * raw * 10^rexp, raw being one byte
 * (two's complement when is_signed).  Thresholds are raw; 0 means none.
 */
struct target_sensor {
	char		 name[17];
	uint8_t		 type;
	uint8_t		 unit;
	uint16_t	 m;
	int8_t		 rexp;
	uint8_t		 is_signed;
	uint8_t		 upper_noncrit;
	uint8_t		 upper_crit;
};

struct target;

struct target_env {
	void	(*done)(void *arg, struct target *, uint32_t token, int cc);
	void	(*event)(void *arg, struct target *, enum target_event);
	void	*arg;
};

struct target_driver {
	const char	*name;
	/* Configuration: options are checked before anything starts. */
	void	*(*conf_new)(void);
	int	 (*conf_set)(void *, const char *key, const struct conf_value *,
		    char *err, size_t);
	void	 (*conf_free)(void *);
	/* Runtime. */
	int	 (*start)(struct target *, uint64_t now);
	void	 (*stop)(struct target *);
	void	 (*status)(struct target *, uint64_t now,
		    struct target_status *);
	int	 (*power)(struct target *, uint64_t now, enum target_power,
		    uint32_t token);
	int	 (*identify)(struct target *, uint64_t now, unsigned secs,
		    int force, uint32_t token);
	int	 (*reset_link)(struct target *, uint64_t now, int cold,
		    uint32_t token);
	void	 (*tick)(struct target *, uint64_t now);
	/*
	 * Sensors: a fixed list (its count; the pointer stays valid while
	 * the target runs), and the current raw reading of entry i, or -1
	 * when there is none.  Readings come from what the driver already
	 * knows; they never wait for the machine.
	 */
	size_t	 (*sensor_list)(struct target *,
		    const struct target_sensor **);
	int	 (*sensor_read)(struct target *, uint64_t now, size_t i,
		    uint8_t *raw);
	/* Optional: the boot options changed (Set System Boot Options). */
	void	 (*boot_changed)(struct target *, const struct target_boot *);
};

struct target {
	uint8_t				 addr;
	char				 name[CONF_NAME_MAX];
	const struct target_driver	*drv;
	const void			*dconf;
	void				*dstate;
	const struct target_env		*env;
	struct target_persist		 st;
};

const struct target_driver *target_driver_find(const char *);

/* For drivers: report completion of a pending action, or an event. */
void	 target_done(struct target *, uint32_t token, int cc);
void	 target_event(struct target *, enum target_event);

#endif
