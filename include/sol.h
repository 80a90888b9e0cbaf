/*
 * sol.h: Serial-over-LAN (IPMI 2.0 payload type 1) for one target: the
 * console history ring and the one SOL instance a target may have.  Pure:
 * packets go out through the core, time comes in as an argument.
 *
 * History: every byte the machine prints goes into a bounded ring
 * (console_history, 64 KiB by default); the oldest bytes are overwritten
 * and counted.  A new SOL session first receives what no SOL session has
 * received yet (the output since the last viewer left, as much of it as the
 * ring still holds), then live output: a late viewer sees the boot it
 * missed, a viewer who comes back sees only what is new.
 */
#ifndef PMBD_SOL_H
#define PMBD_SOL_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "ring.h"

/*
 * Payload size advertised in Activate Payload: FreeIPMI wants 5..259,
 * ipmitool's and pyghmi's acknowledgements count characters in one byte.
 * Consoles send up to SOL_PAYLOAD_SIZE - 4 characters; pyghmi sends
 * SOL_PAYLOAD_SIZE, so up to SOL_PAYLOAD_SIZE + 4 bytes are taken in.
 */
#define SOL_PAYLOAD_SIZE 255
#define SOL_DATA_MAX	(SOL_PAYLOAD_SIZE - 4)	/* characters we send */
/*
 * Inbound size advertised: smaller than what we send.  ipmitool reads its
 * stdin SOL_IN_SIZE - 4 bytes at a time, pyghmi SOL_IN_SIZE; while a
 * console's packet is held no output can go (see sol.c), so output only
 * keeps up with a saturated line if each input packet carries fewer
 * characters than an output packet.
 */
#define SOL_IN_SIZE	132
#define SOL_FIFO_MAX	32768	/* input taken, not yet on the line */
#define SOL_FIFO_MARK	16384	/* above it, new input waits */

/* Status bits, pmbd to console (byte 4 of a SOL packet). */
#define SOL_ST_NACK		0x40
#define SOL_ST_UNAVAILABLE	0x20
#define SOL_ST_DEACTIVATING	0x10
#define SOL_ST_OVERRUN		0x08
#define SOL_ST_BREAK		0x04
/* Operation bits, console to pmbd. */
#define SOL_OP_NACK		0x40
#define SOL_OP_BREAK		0x10

struct core;
struct session;
struct target;

struct sol {
	struct target	*t;
	struct ring	 hist;
	uint64_t	 unseen;	/* no viewer has had output from here */
	uint64_t	 lost;		/* bytes overwritten before anyone saw */
	/* The active instance. */
	struct session	*s;		/* NULL: inactive */
	uint64_t	 pos;		/* next byte the viewer has not acked */
	uint8_t		 next_seq;
	uint8_t		 out_seq;	/* packet in flight, 0: none */
	uint8_t		 out_len;
	uint8_t		 out_data[SOL_DATA_MAX];
	uint8_t		 out_status;
	unsigned	 out_tries;
	uint64_t	 out_due;	/* retransmit then */
	uint64_t	 send_due;	/* accumulated output goes then, 0: not */
	uint8_t		 in_seq;	/* the console's last packet taken */
	uint8_t		 in_acc;
	/*
	 * Input on its way to the line: what was acknowledged waits in the
	 * FIFO for the driver; a packet that came while the FIFO was above
	 * its mark is held, unacknowledged.  See sol_input() in sol.c.
	 */
	uint8_t		 fifo[SOL_FIFO_MAX];
	size_t		 fifo_off;
	size_t		 fifo_len;
	uint8_t		 pend[SOL_PAYLOAD_SIZE];
	size_t		 pend_len;
	uint8_t		 pend_seq;	/* 0: none */
	uint8_t		 pend_raced;	/* our packet was in flight then */
	uint64_t	 pend_at;
	uint8_t		 status;	/* for the next packet */
	/* Inside the driver's console_write: see feed() in sol.c. */
	uint8_t		 busy;
	uint8_t		 again;
	/* Deactivated by another session, waiting for the last ACK. */
	uint8_t		 closing;
	uint64_t	 closing_due;
	/* Counters (pmbd status, tests). */
	uint64_t	 in_dropped;	/* input beyond every limit */
	uint64_t	 overrun;	/* overwritten before sent */
	uint64_t	 slow_retries;	/* after the configured retries */
	struct log_rl	 rl;
};

int	 sol_init(struct sol *, struct target *, size_t history);
void	 sol_free(struct sol *);
/* Start an instance for session s at time now. */
void	 sol_activate(struct core *, struct sol *, struct session *);
/*
 * End it at once; notify: tell the console first.  Used when the owner
 * deactivates, its session closes, or the target goes.
 */
void	 sol_deactivate(struct core *, struct sol *, int notify);
/*
 * Another session deactivates it: the console is told and its session
 * ends, once the packet in flight is acknowledged (at most a second), so
 * that the next viewer gets exactly what this one did not.
 */
void	 sol_steal(struct core *, struct sol *);
/* 1 while an instance runs (a closing one does not count). */
int	 sol_active(const struct sol *);
/* A SOL payload from the instance's session. */
void	 sol_input(struct core *, struct sol *, const uint8_t *, size_t);
/* The machine printed this. */
void	 sol_output(struct core *, struct sol *, const uint8_t *, size_t);
/* How much the driver may deliver before a viewer would lose output. */
size_t	 sol_room(const struct sol *);
/* The console line has room again: hand it what is waiting. */
void	 sol_ready(struct core *, struct sol *);
/* Retransmissions and accumulated output; the next deadline or 0. */
uint64_t sol_tick(struct core *, struct sol *);

#endif
