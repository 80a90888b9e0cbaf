/*
 * exec_cmd.c: run a configured command without a shell and without
 * blocking.  posix_spawn in a process group of its own, stdin and stderr
 * on /dev/null, stdout into a pipe read as the event loop says, every
 * other descriptor closed, signals back to their defaults.  The child is
 * reaped from the tick (waitpid on its pid only); on timeout its whole
 * process group gets SIGKILL, before it is reaped, so the group id cannot
 * have been reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_cmd.h"
#include "log.h"

extern char **environ;

const char *const exec_cmd_names[EXEC_NCMD] = {
	"off", "on", "cycle", "reset", "diag", "soft", "status",
};

int
exec_cmd_index(const char *key)
{
	for (int i = 0; i < EXEC_NCMD; i++)
		if (strcmp(key, exec_cmd_names[i]) == 0)
			return i;
	return -1;
}

int
exec_argv_set(struct exec_argv *a, const char *drv, const char *key,
    const struct conf_value *v, char *err, size_t errlen)
{
	size_t used = 0;

	if (v->type != CONF_LIST) {
		snprintf(err, errlen, "%s: %s must be a list [ \"/path/to/"
		    "program\", \"argument\", ... ]", drv, key);
		return -1;
	}
	if (v->n == 0 || v->list[0][0] == '\0') {
		snprintf(err, errlen, "%s: %s needs a program: [ \"/path/to/"
		    "program\", ... ]", drv, key);
		return -1;
	}
	if (v->list[0][0] != '/') {
		snprintf(err, errlen, "%s: %s: \"%.64s\" is not an absolute "
		    "path (no shell, no PATH search)", drv, key, v->list[0]);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < v->n; i++) {
		size_t len = strlen(v->list[i]) + 1;

		if (len > sizeof(a->buf) - used) {
			snprintf(err, errlen, "%s: %s: arguments too long (at "
			    "most %zu bytes)", drv, key, sizeof(a->buf) - 1);
			return -1;
		}
		memcpy(a->buf + used, v->list[i], len);
		a->off[i] = (uint16_t)used;
		used += len;
	}
	a->argc = (int)v->n;
	return 0;
}

const char *
exec_out_text(const uint8_t *p, size_t n, char *buf, size_t len)
{
	if (n > 40)
		n = 40;
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' ||
	    p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return log_escape(p, n, buf, len);
}

void
exec_argv_check(const struct exec_argv *a, const struct target *t,
    const char *key)
{
	if (a->argc > 0 && access(a->buf, X_OK) != 0)
		log_warnx("target %s: %s: %s is not executable: %s", t->name,
		    key, a->buf, strerror(errno));
}

void
exec_run_init(struct exec_run *r, const struct target *t, exec_done_fn *fn,
    void *arg)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	r->done = fn;
	r->arg = arg;
	r->fd = -1;
}

int
exec_run_busy(const struct exec_run *r)
{
	return r->pid != 0;
}

static void
exec_run_close(struct exec_run *r)
{
	const struct target_env *env = r->t->env;

	if (r->io != NULL && env->io_del != NULL)
		env->io_del(r->io);
	r->io = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* Read what the command printed: keep the first EXEC_OUT_MAX bytes,
 * drain the rest so that it never blocks on a full pipe. */
static void
exec_run_read(struct exec_run *r)
{
	uint8_t buf[512];
	ssize_t n;

	while (r->fd >= 0) {
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {		/* end of output, or an error */
			exec_run_close(r);
			return;
		}
		if (r->outlen < sizeof(r->out)) {
			size_t k = sizeof(r->out) - r->outlen;

			if ((size_t)n < k)
				k = (size_t)n;
			memcpy(r->out + r->outlen, buf, k);
			r->outlen += k;
		}
	}
}

/* The command ended: collect it and tell the owner (which may start the
 * next command from its callback). */
static void
exec_run_reap(struct exec_run *r, uint64_t now)
{
	uint8_t out[EXEC_OUT_MAX];
	size_t n;
	int st, timedout;
	pid_t p;

	if (r->pid == 0)
		return;
	p = waitpid(r->pid, &st, WNOHANG);
	if (p == 0 || (p < 0 && errno == EINTR))
		return;
	exec_run_read(r);
	exec_run_close(r);
	n = r->outlen;
	memcpy(out, r->out, n);
	timedout = r->deadline == 0;
	r->pid = 0;
	r->outlen = 0;
	if (p < 0)			/* not ours any more: cannot happen */
		r->done(r->arg, now, EXEC_FAILED, 0, out, n);
	else if (timedout)
		r->done(r->arg, now, EXEC_TIMEDOUT, 0, out, n);
	else if (WIFEXITED(st))
		r->done(r->arg, now, EXEC_EXITED, WEXITSTATUS(st), out, n);
	else
		r->done(r->arg, now, EXEC_SIGNALED, WTERMSIG(st), out, n);
}

static void
exec_run_io_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct exec_run *r = arg;

	(void)writable;
	if (readable)
		exec_run_read(r);
	if (r->fd < 0)			/* end of output: most likely gone */
		exec_run_reap(r, now);
}

static int
exec_spawn(const struct exec_argv *a, int out, pid_t *ret_pid)
{
	char *argv[EXEC_ARGV_MAX + 1];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, all;
	int rc;

	for (int i = 0; i < a->argc; i++)
		argv[i] = (char *)(uintptr_t)(a->buf + a->off[i]);
	argv[a->argc] = NULL;
	sigemptyset(&none);
	sigfillset(&all);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&sa)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
	    O_WRONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&sa, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&sa, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&sa, &all)) == 0 &&
	    (rc = posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
		rc = posix_spawn(ret_pid, argv[0], &fa, &sa, argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int
exec_run_start(struct exec_run *r, const struct exec_argv *a,
    unsigned timeout_ms, uint64_t now)
{
	static struct log_rl rl = LOG_RL_INIT("exec: cannot start");
	const struct target_env *env = r->t->env;
	int p[2], rc;

	if (r->pid != 0 || a->argc == 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) != 0) {
		log_rl(&rl, "target %s: pipe: %s", r->t->name,
		    strerror(errno));
		return -1;
	}
	rc = exec_spawn(a, p[1], &r->pid);
	close(p[1]);
	if (rc != 0) {
		r->pid = 0;
		close(p[0]);
		log_rl(&rl, "target %s: cannot run %s: %s", r->t->name,
		    a->buf, strerror(rc));
		return -1;
	}
	r->fd = p[0];
	r->outlen = 0;
	r->deadline = now + timeout_ms;
	if (r->deadline == 0)
		r->deadline = 1;
	(void)fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
	if (env->io_add != NULL)	/* else drained at reaping */
		r->io = env->io_add(env->ioarg, r->fd, exec_run_io_cb, r);
	log_debug("target %s: running %s (pid %d)", r->t->name, a->buf,
	    (int)r->pid);
	return 0;
}

int
exec_run_abandon(struct exec_run *r)
{
	int i;

	if (r->pid == 0)
		return 0;
	for (i = 0; i < EXEC_ZOMBIES && r->zombies[i] != 0; i++)
		;
	if (i == EXEC_ZOMBIES)
		return -1;
	kill(-r->pid, SIGKILL);
	r->zombies[i] = r->pid;
	r->pid = 0;
	r->outlen = 0;
	exec_run_close(r);
	return 0;
}

void
exec_run_tick(struct exec_run *r, uint64_t now)
{
	for (int i = 0; i < EXEC_ZOMBIES; i++) {
		pid_t p;

		if (r->zombies[i] == 0)
			continue;
		p = waitpid(r->zombies[i], NULL, WNOHANG);
		if (p == r->zombies[i] || (p < 0 && errno == ECHILD))
			r->zombies[i] = 0;
	}
	if (r->pid == 0)
		return;
	if (r->deadline != 0 && now >= r->deadline) {
		/* The leader is not reaped yet: its group id is still ours. */
		kill(-r->pid, SIGKILL);
		r->deadline = 0;	/* marks "timed out" */
	}
	exec_run_reap(r, now);
}

void
exec_run_stop(struct exec_run *r)
{
	if (r->pid != 0 && exec_run_abandon(r) != 0) {
		kill(-r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
	exec_run_close(r);
	for (int i = 0; i < EXEC_ZOMBIES; i++)
		if (r->zombies[i] != 0) {
			while (waitpid(r->zombies[i], NULL, 0) < 0 &&
			    errno == EINTR)
				;
			r->zombies[i] = 0;
		}
}
