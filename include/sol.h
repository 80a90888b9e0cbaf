/*
 * sol.h: Serial-over-LAN (IPMI 2.0 payload type 1) for one target: the
 * one SOL instance a target may have, a holder of the machine's console
 * (machine.h: the history, the input FIFO and who holds it are the
 * model's).  Pure: packets go out through out.h, time comes in through the
 * core.  A new instance first receives what no holder has acknowledged yet
 * (the boot it missed), then live output.
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
#define SOL_FIFO_MARK	16384	/* input queued for the line above it:
					   new input waits (the FIFO holds
					   32 KiB: machine_console_write) */

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

/*
 * The IPMI face of a target's console (machine_console_*): the viewer's
 * position in the history, the packet in flight, the held input packet.
 */
struct sol {
	struct core	*c;
	struct target	*t;
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
	/* A packet that came while the FIFO was above its mark: held,
	 * unacknowledged.  See sol_input() in sol.c. */
	uint8_t		 pend[SOL_PAYLOAD_SIZE];
	size_t		 pend_len;
	uint8_t		 pend_seq;	/* 0: none */
	uint8_t		 pend_raced;	/* our output went while held */
	uint64_t	 pend_at;
	uint8_t		 status;	/* for the next packet */
	/* Deactivated by another session, waiting for the last ACK. */
	uint8_t		 closing;
	uint64_t	 closing_due;
	/* Counters (pmbd status, tests). */
	uint64_t	 in_dropped;	/* input beyond every limit */
	uint64_t	 overrun;	/* overwritten before sent */
	uint64_t	 slow_retries;	/* after the configured retries */
	struct log_rl	 rl;
};

void	 sol_init(struct sol *, struct core *, struct target *);
/* Start an instance for session s: 0, or the completion code. */
int	 sol_activate(struct sol *, struct session *);
/*
 * End it at once; notify: tell the console first.  Used when the owner
 * deactivates, its session closes, or the target goes.
 */
void	 sol_deactivate(struct sol *, int notify);
/*
 * Another session deactivates it: the console is told and its session
 * ends, once the packet in flight is acknowledged (at most a second), so
 * that the next viewer gets exactly what this one did not.
 */
void	 sol_steal(struct sol *);
/* 1 while an instance runs (a closing one does not count). */
int	 sol_active(const struct sol *);
/* A SOL payload from the instance's session. */
void	 sol_input(struct sol *, const uint8_t *, size_t);
/* Retransmissions and accumulated output; the next deadline or 0. */
uint64_t sol_tick(struct sol *);

#endif
