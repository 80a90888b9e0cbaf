/*
 * exec.c: power by running configured commands (a smart plug's HTTP API
 * through curl, a PDU's CLI, a vendor tool).  One argv list per action:
 * on, off, cycle, reset, diag, soft, and status, whose first output line
 * must be exactly "on" or "off" (or, with status_exit = true, whose exit
 * status says it: 0 on, 1 off).  No shell ever runs; see exec_cmd.c.
 *
 * Completion codes: 00h the command exited 0; FFh it exited otherwise or
 * died of a signal; C3h it outlived `timeout` (its process group is
 * killed); C0h a power command is already running; C1h no command is
 * configured for that action.  At most one command runs per target: a
 * background status check gives way to a power command.
 *
 * Power state: from the status command, cached and refreshed every
 * status_interval ms and right after each power command.  Until a check
 * has succeeded, or after one printed something else, the state is
 * unknown and Get Chassis Status answers D5h (never a guessed "off").
 * Without a status command the state is the last action, power_known 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exec_cmd.h"
#include "ipmi.h"
#include "log.h"
#include "target.h"

struct exec_conf {
	struct exec_argv cmd[EXEC_NCMD];
	unsigned	 timeout;		/* ms */
	unsigned	 status_interval;	/* ms */
	int		 status_exit;
	int		 timeout_set;
};

struct exec {
	const struct exec_conf *cf;
	struct target	*t;
	struct exec_run	 run;
	int		 running;	/* command index, -1: none */
	uint32_t	 token;
	uint64_t	 now;
	uint64_t	 next_status;
	int		 known;		/* the status command told */
	int		 on;		/* what it told */
	int		 last_on;	/* the last action succeeded */
};

static void *
exec_conf_new(void)
{
	struct exec_conf *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		c->timeout = 10000;
		c->status_interval = 10000;
	}
	return c;
}

static int
exec_conf_set(void *p, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct exec_conf *c = p;
	int i = exec_cmd_index(key);

	if (i >= 0)
		return exec_argv_set(&c->cmd[i], "exec", key, v, err, errlen);
	if (strcmp(key, "status_exit") == 0) {
		if (v->type != CONF_BOOL) {
			snprintf(err, errlen, "exec: status_exit must be true "
			    "or false");
			return -1;
		}
		c->status_exit = (int)v->i;
		return 0;
	}
	if (strcmp(key, "timeout") == 0 ||
	    strcmp(key, "status_interval") == 0) {
		if (v->type != CONF_INT || v->i < 100 || v->i > 600000) {
			snprintf(err, errlen, "exec: %s must be 100..600000 "
			    "(ms)", key);
			return -1;
		}
		if (key[0] == 't') {
			c->timeout = (unsigned)v->i;
			c->timeout_set = 1;
		} else
			c->status_interval = (unsigned)v->i;
		return 0;
	}
	snprintf(err, errlen, "exec: unknown option \"%s\"", key);
	return -1;
}

static int
exec_conf_check(void *p, char *err, size_t errlen)
{
	const struct exec_conf *c = p;

	for (int i = 0; i < EXEC_NCMD; i++)
		if (c->cmd[i].argc > 0)
			return 0;
	snprintf(err, errlen, "exec: give at least one command (on, off, "
	    "cycle, reset, diag, soft, status)");
	return -1;
}

static void
exec_conf_free(void *p)
{
	free(p);
}

/* "on" or "off" alone on the first line, blanks around it allowed. */
int
exec_parse_status(const uint8_t *p, size_t n)
{
	size_t a = 0, b;

	for (b = 0; b < n && p[b] != '\n'; b++)
		;
	while (a < b && (p[a] == ' ' || p[a] == '\t'))
		a++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t' ||
	    p[b - 1] == '\r'))
		b--;
	if (b - a == 2 && strncasecmp((const char *)p + a, "on", 2) == 0)
		return 1;
	if (b - a == 3 && strncasecmp((const char *)p + a, "off", 3) == 0)
		return 0;
	return -1;
}

static void
exec_status_done(struct exec *s, enum exec_end end, int code,
    const uint8_t *out, size_t n)
{
	static struct log_rl rl = LOG_RL_INIT("exec: status unknown");
	char esc[160];
	int on = -1;

	if (s->cf->status_exit) {
		if (end == EXEC_EXITED && (code == 0 || code == 1))
			on = code == 0;
	} else if (end == EXEC_EXITED && code == 0)
		on = exec_parse_status(out, n);
	s->next_status = s->now + s->cf->status_interval;
	if (on < 0) {
		if (end == EXEC_TIMEDOUT)
			log_rl(&rl, "target %s: status command timed out; "
			    "power state unknown", s->t->name);
		else if (end != EXEC_EXITED || (code != 0 &&
		    !s->cf->status_exit))
			log_rl(&rl, "target %s: status command failed (%s "
			    "%d); power state unknown", s->t->name,
			    end == EXEC_EXITED ? "exit" : "signal", code);
		else
			log_rl(&rl, "target %s: status command said \"%s\", "
			    "not on or off; power state unknown", s->t->name,
			    exec_out_text(out, n, esc, sizeof(esc)));
		s->known = 0;
		return;
	}
	if (!s->known || s->on != on)
		log_info("target %s: power is %s", s->t->name,
		    on ? "on" : "off");
	if (s->known && !s->on && on)
		target_event(s->t, s->now, TARGET_EV_BOOT);
	s->known = 1;
	s->on = on;
}

static void
exec_power_done(struct exec *s, int a, enum exec_end end, int code,
    const uint8_t *out, size_t n)
{
	static struct log_rl rl = LOG_RL_INIT("exec: command failed");
	char esc[160];
	int cc;

	if (end == EXEC_EXITED && code == 0) {
		cc = CC_OK;
		if (a == TARGET_POWER_ON || a == TARGET_POWER_CYCLE ||
		    a == TARGET_POWER_RESET) {
			if (s->cf->cmd[EXEC_STATUS].argc == 0 &&
			    (a != TARGET_POWER_ON || !s->last_on))
				target_event(s->t, s->now, TARGET_EV_BOOT);
			s->last_on = 1;
		} else if (a == TARGET_POWER_OFF || a == TARGET_POWER_SOFT)
			s->last_on = 0;
	} else if (end == EXEC_TIMEDOUT) {
		cc = CC_TIMEOUT;
		log_rl(&rl, "target %s: power %s command timed out after "
		    "%u ms; killed", s->t->name, exec_cmd_names[a],
		    s->cf->timeout);
	} else {
		cc = CC_UNSPECIFIED;
		log_rl(&rl, "target %s: power %s command failed (%s %d): "
		    "\"%s\"", s->t->name, exec_cmd_names[a],
		    end == EXEC_EXITED ? "exit" : end == EXEC_SIGNALED ?
		    "signal" : "error", code,
		    exec_out_text(out, n, esc, sizeof(esc)));
	}
	s->next_status = s->now;	/* look again now */
	target_done(s->t, s->now, s->token, cc);
}

static void
exec_done_cb(void *arg, uint64_t now, enum exec_end end, int code,
    const uint8_t *out, size_t n)
{
	struct exec *s = arg;
	int a = s->running;

	s->now = now;
	s->running = -1;
	if (a == EXEC_STATUS)
		exec_status_done(s, end, code, out, n);
	else if (a >= 0)
		exec_power_done(s, a, end, code, out, n);
}

static int
exec_start(struct target_src *src, uint64_t now)
{
	struct exec *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	s->cf = src->dconf;
	s->t = src->t;
	s->now = now;
	s->running = -1;
	s->next_status = now;
	exec_run_init(&s->run, s->t, exec_done_cb, s);
	for (int i = 0; i < EXEC_NCMD; i++)
		exec_argv_check(&s->cf->cmd[i], s->t, exec_cmd_names[i]);
	if (s->cf->timeout_set && s->t->env->timeout_ms != 0 &&
	    s->cf->timeout > s->t->env->timeout_ms)
		log_info("target %s: exec timeout %u ms is longer than "
		    "target_timeout (%u ms): clients get C3h first", s->t->name,
		    s->cf->timeout, s->t->env->timeout_ms);
	src->dstate = s;
	return 0;
}

static void
exec_stop(struct target_src *src)
{
	struct exec *s = src->dstate;

	exec_run_stop(&s->run);
	free(s);
	src->dstate = NULL;
}

static void
exec_tick(struct target_src *src, uint64_t now)
{
	struct exec *s = src->dstate;

	s->now = now;
	exec_run_tick(&s->run, now);
	if (!exec_run_busy(&s->run) && s->cf->cmd[EXEC_STATUS].argc > 0 &&
	    now >= s->next_status) {
		s->next_status = now + s->cf->status_interval;
		if (exec_run_start(&s->run, &s->cf->cmd[EXEC_STATUS],
		    s->cf->timeout, now) == 0)
			s->running = EXEC_STATUS;
		else
			s->known = 0;
	}
}

static void
exec_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct exec *s = src->dstate;

	(void)now;
	if (s->cf->cmd[EXEC_STATUS].argc > 0) {
		st->has_link = 1;
		st->link_up = s->known;		/* else D5h: unknown */
		st->power_known = s->known;
		st->power_on = s->known && s->on;
	} else {
		st->power_known = 0;
		st->power_on = s->last_on;
	}
}

static int
exec_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t token)
{
	struct exec *s = src->dstate;

	s->now = now;
	if ((int)a < 0 || (int)a >= EXEC_STATUS || s->cf->cmd[a].argc == 0)
		return CC_INVALID_CMD;
	if (exec_run_busy(&s->run)) {
		if (s->running != EXEC_STATUS ||
		    exec_run_abandon(&s->run) != 0)
			return CC_NODE_BUSY;
		s->running = -1;	/* the check gives way */
	}
	if (exec_run_start(&s->run, &s->cf->cmd[a], s->cf->timeout, now) != 0)
		return CC_UNSPECIFIED;
	s->running = (int)a;
	s->token = token;
	return TARGET_PENDING;
}

const struct target_driver exec_driver = {
	.name		= "exec",
	.conf_new	= exec_conf_new,
	.conf_set	= exec_conf_set,
	.conf_check	= exec_conf_check,
	.conf_free	= exec_conf_free,
	.start		= exec_start,
	.stop		= exec_stop,
	.tick		= exec_tick,
	.status		= exec_status,
	.power		= exec_power,
};
