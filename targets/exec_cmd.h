/*
 * exec_cmd.h: configured commands (argv lists, never a shell) and one
 * runner per target that starts them without blocking, captures the first
 * EXEC_OUT_MAX bytes of their stdout through a pipe watched by the event
 * loop, kills the process group on timeout and reaps every child.  Used by
 * the exec driver and by wol for the actions a magic packet cannot do.
 */
#ifndef PMBD_EXEC_CMD_H
#define PMBD_EXEC_CMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target.h"

#define EXEC_ARGV_MAX	CONF_LIST_MAX
#define EXEC_ARGS_BYTES	2048		/* all arguments, NUL terminated */
#define EXEC_OUT_MAX	256		/* stdout kept; the rest is drained */
#define EXEC_ZOMBIES	4		/* killed, not yet reaped */

/* A command: argc strings laid out in buf; argc 0 means none. */
struct exec_argv {
	char		 buf[EXEC_ARGS_BYTES];
	uint16_t	 off[EXEC_ARGV_MAX];
	int		 argc;
};

enum exec_end {
	EXEC_EXITED,			/* code: the exit status */
	EXEC_SIGNALED,			/* code: the signal */
	EXEC_TIMEDOUT,			/* killed after the timeout */
	EXEC_FAILED,			/* could not be started */
};

typedef void exec_done_fn(void *arg, uint64_t now, enum exec_end, int code,
    const uint8_t *out, size_t n);

struct exec_run {
	const struct target	*t;
	exec_done_fn		*done;
	void			*arg;
	pid_t			 pid;		/* 0: idle */
	int			 fd;		/* stdout, -1 when closed */
	void			*io;
	uint64_t		 deadline;
	uint8_t			 out[EXEC_OUT_MAX];
	size_t			 outlen;
	pid_t			 zombies[EXEC_ZOMBIES];
};

/* Chassis Control actions by their option names, indexed by enum
 * target_power; EXEC_STATUS is the status command. */
#define EXEC_STATUS	6
#define EXEC_NCMD	7
extern const char *const exec_cmd_names[EXEC_NCMD];
/* The index of an option naming a command, or -1. */
int	 exec_cmd_index(const char *key);

/*
 * Parse `key = [ "/abs/prog", "arg", ... ];` for driver drv; 0 or -1 with
 * the reason in err.
 */
int	 exec_argv_set(struct exec_argv *, const char *drv, const char *key,
	    const struct conf_value *, char *err, size_t);
/* What a command printed, for a log line: at most 40 bytes, trailing
 * blanks dropped, escaped. */
const char *exec_out_text(const uint8_t *, size_t, char *, size_t);
/* exec.c: the status command's stdout (the first n <= EXEC_OUT_MAX bytes):
 * 1 "on", 0 "off" alone on the first line (blanks around it, any case),
 * else -1.  Pure; exposed for tests/fuzz/fuzz_exec_status.c. */
int	 exec_parse_status(const uint8_t *, size_t);
/* Warn (once, at start) when a configured program is not executable. */
void	 exec_argv_check(const struct exec_argv *, const struct target *,
	    const char *key);

void	 exec_run_init(struct exec_run *, const struct target *,
	    exec_done_fn *, void *);
/* 0 started, -1 could not start (logged); never blocks. */
int	 exec_run_start(struct exec_run *, const struct exec_argv *,
	    unsigned timeout_ms, uint64_t now);
int	 exec_run_busy(const struct exec_run *);
/* Free the slot at once: kill the running command, reap it later.  -1
 * when too many killed commands are still unreaped. */
int	 exec_run_abandon(struct exec_run *);
/* Timeouts and reaping; may call done. */
void	 exec_run_tick(struct exec_run *, uint64_t now);
/* At shutdown: kill and reap everything (blocks for the reaping only). */
void	 exec_run_stop(struct exec_run *);

#endif
