/*
 * target.h: a managed machine behind pmbd and the driver interface that
 * reaches it.  Drivers live in targets/ and fill in struct target_driver.
 *
 * Calls into a driver never block.  An action either completes at once
 * (the driver returns an IPMI completion code) or returns TARGET_PENDING
 * and later calls target_done() with the token it was given; the core
 * answers the client then, or with CC_TIMEOUT when the target takes longer
 * than target_timeout.
 *
 * The one rule for callbacks: a driver never calls back into the core
 * (target_done, target_event, target_console_ready) from inside a call the
 * core made into it (power, identify, console_write, console_break ...).
 * What it learns there it reports from its own I/O callback or tick, when
 * the core's state is complete.  The one exception is
 * target_console_output() from console_write (a machine that echoes), which
 * only appends to the history.  The SOL engine also defends itself: a
 * report of room from inside console_write only makes it loop once more.
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
	int		 has_link;	/* link_up is meaningful: when it is 0,
					   Get Chassis Status answers D5h */
	int		 fault;
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

/* SOL Configuration Parameters (Transport 21h/22h), kept by the core. */
struct target_solcfg {
	uint8_t		 enable;	/* param 1, bit 0 */
	uint8_t		 auth;		/* param 2: force encryption (bit 7),
					   force authentication (6), privilege */
	uint8_t		 accum;		/* param 3: interval, 5 ms units */
	uint8_t		 threshold;	/* param 3: characters */
	uint8_t		 retry_count;	/* param 4 */
	uint8_t		 retry_interval; /* param 4: 10 ms units */
	uint8_t		 nv_rate;	/* param 5: bit rate code */
	uint8_t		 v_rate;	/* param 6 */
};

/* State that survives restarts, written to state_dir by state.c. */
struct target_persist {
	uint8_t		 guid[16];
	struct target_boot boot;
	struct target_solcfg sol;
};

/* The SOL configuration a new target starts with. */
static inline void
target_solcfg_default(struct target_solcfg *c)
{
	c->enable = 1;
	c->auth = 0xc0 | 0x03;		/* encrypted, authenticated, OPERATOR:
					   a SOL console types, BREAK included
					   (magic SysRq); a user only reads */
	c->accum = 2;			/* 10 ms */
	c->threshold = 128;
	c->retry_count = 7;
	c->retry_interval = 10;		/* 100 ms */
	c->nv_rate = 0x0a;		/* 115200 */
	c->v_rate = 0x0a;
}

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
struct target_src;

/*
 * What the core gives drivers: completions, events, console output, and
 * file descriptors watched by the event loop (a driver never blocks and
 * never runs a loop of its own).
 */
typedef void target_io_fn(void *cbarg, uint64_t now, int readable,
		    int writable);

struct target_env {
	void	(*done)(void *arg, struct target *, uint64_t now,
		    uint32_t token, int cc);
	void	(*event)(void *arg, struct target *, uint64_t now,
		    enum target_event);
	void	(*console)(void *arg, struct target *, uint64_t now,
		    const uint8_t *, size_t);
	size_t	(*console_room)(void *arg, struct target *);
	void	(*console_ready)(void *arg, struct target *, uint64_t now);
	void	*arg;
	/* I/O, provided by main.c; NULL in unit tests. */
	void	*(*io_add)(void *ioarg, int fd, target_io_fn *, void *cbarg);
	void	 (*io_want)(void *handle, int readable, int writable);
	void	 (*io_del)(void *handle);
	void	*ioarg;
	/* How long the core waits for target_done() (ms). */
	unsigned		 timeout_ms;
	/* Global node_listen (TCP), NULL when not configured. */
	const struct conf_addr	*node_listen;
};

/*
 * A driver.  Every callback may be NULL: a target whose driver has no
 * power callback answers Chassis Control with C1h, one without console
 * callbacks has no Serial-over-LAN.
 */
struct target_driver {
	const char	*name;
	/* Configuration: options are checked before anything starts. */
	void	*(*conf_new)(void);
	int	 (*conf_set)(void *, const char *key, const struct conf_value *,
		    char *err, size_t);
	int	 (*conf_check)(void *, char *err, size_t);
	void	 (*conf_free)(void *);
	/*
	 * Optional: a name that must be unique among this driver's instances
	 * (pico: the node), and whether the driver needs node_listen.
	 */
	const char *(*conf_unique)(const void *);
	int	 needs_node_listen;
	/* Runtime. */
	int	 (*start)(struct target_src *, uint64_t now);
	void	 (*stop)(struct target_src *);
	void	 (*tick)(struct target_src *, uint64_t now);
	/* Power and the front panel. */
	void	 (*status)(struct target_src *, uint64_t now,
		    struct target_status *);
	int	 (*power)(struct target_src *, uint64_t now, enum target_power,
		    uint32_t token);
	int	 (*identify)(struct target_src *, uint64_t now, unsigned secs,
		    int force, uint32_t token);
	int	 (*reset_link)(struct target_src *, uint64_t now, int cold,
		    uint32_t token);
	/* Optional: the boot options changed (Set System Boot Options). */
	void	 (*boot_changed)(struct target_src *, const struct target_boot *);
	/*
	 * Sensors: a fixed list (its count; the pointer stays valid while
	 * the target runs), and the current raw reading of entry i, or -1
	 * when there is none.  Readings come from what the driver already
	 * knows; they never wait for the machine.
	 */
	size_t	 (*sensor_list)(struct target_src *,
		    const struct target_sensor **);
	int	 (*sensor_read)(struct target_src *, uint64_t now, size_t i,
		    uint8_t *raw);
	/*
	 * Console: the machine's serial line.  What the machine prints comes
	 * back through target_console_output(); a driver that can hold its
	 * source (a serial port, a node) reads no more than
	 * target_console_room() allows.  console_write takes what fits in
	 * the driver's bounded buffer and returns that count: 0 means full,
	 * the client is told to resend later.  console_break sends a BREAK;
	 * console_baud sets the line speed (bits per second).
	 */
	size_t	 (*console_write)(struct target_src *, const uint8_t *, size_t);
	int	 (*console_break)(struct target_src *, unsigned ms);
	int	 (*console_baud)(struct target_src *, unsigned baud);
	/*
	 * Optional, for a driver that reaches a node of its own (pico): its
	 * firmware version ("" when not known), copied into fw[len].
	 */
	void	 (*node_firmware)(struct target_src *, char *fw, size_t len);
};

/* One driver instance: a target has one for power and one for its
 * console, which may be the same instance. */
struct target_src {
	struct target			*t;
	const struct target_driver	*drv;
	const void			*dconf;
	void				*dstate;
};

struct target {
	uint8_t				 addr;
	char				 name[CONF_NAME_MAX];
	struct target_src		 main;	/* power, identify, sensors */
	struct target_src		 con;	/* console; drv NULL: none */
	const struct target_env		*env;
	struct target_persist		 st;
};

const struct target_driver *target_driver_find(const char *);
/* Wire a target's sources from its configuration (no driver runs yet). */
void	 target_setup(struct target *, const struct conf_target *);
int	 target_start(struct target *, uint64_t now);
void	 target_stop(struct target *);
int	 target_has_console(const struct target *);

/*
 * For drivers, from their own I/O callbacks and ticks (never from inside
 * a call the core made): completion of a pending action, an event, with
 * the time the callback or tick was given.
 */
void	 target_done(struct target *, uint64_t now, uint32_t token, int cc);
void	 target_event(struct target *, uint64_t now, enum target_event);
/* For drivers: the machine printed this (never fails: see the core). */
void	 target_console_output(struct target *, uint64_t now, const uint8_t *,
	    size_t);
size_t	 target_console_room(struct target *);
/* For drivers whose console_write returned less than offered: call this
 * when the line has room again. */
void	 target_console_ready(struct target *, uint64_t now);

#endif
