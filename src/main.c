/* main.c: command line, start-up in dependency order, the event loop. */
#include <sys/prctl.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "core.h"
#include "crypto.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "machine.h"
#include "net.h"
#include "notify.h"
#include "state.h"
#include "target.h"
#include "version.h"

#define TICK_MS		100
#define STATUS_MS	10000


static void
usage(void)
{
	fprintf(stderr, "usage: pmbd [-fnv] -c FILE\n"
	    "       pmbd --ping ADDR:PORT\n"
	    "       pmbd --version\n"
	    "  -c FILE  configuration (libconfig syntax)\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -n       check the configuration and exit\n"
	    "  -v       more logging (debug)\n"
	    "  --ping   send an RMCP presence ping: exit 0 on a pong within\n"
	    "           2 s (a health check), 1 otherwise\n");
	exit(2);
}

static void
persist_cb(void *arg, const struct target *t)
{
	struct pmbd *x = arg;

	if (state_save_target(x->conf->state_dir, t) != 0)
		log_warn("target %s: cannot save state in %s", t->name,
		    x->conf->state_dir);
}

static void
send_cb(void *arg, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	struct pmbd *x = arg;

	net_send(x->net, ep, peer, p, n);
}

/* The core or the model wants a tick at `when`: a one-shot timer. */
static void
wake_cb(void *arg, uint64_t when)
{
	struct pmbd *x = arg;
	uint64_t now = clock_ms();

	if (x->wake != NULL)
		loop_timer_in(x->wake, when > now ? when - now : 0);
}

static void
tick_cb(void *arg, uint64_t now)
{
	struct pmbd *x = arg;
	uint64_t next;

	next = machine_tick(now);
	core_tick(x->core, now);
	if (next != 0)
		wake_cb(x, next);
}

static void
signal_cb(void *arg, int sig)
{
	struct pmbd *x = arg;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: reloading %s", x->path);
		reload_run(x);
		break;
	default:
		log_info("signal %d: shutting down", sig);
		loop_exit(x->loop);
	}
}

int
pmbd_target_start(struct pmbd *x, const struct conf_target *ct, uint64_t now)
{
	struct target *t;
	int rc;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("target %s", ct->name);
		return -1;
	}
	target_setup(t, ct);
	if ((rc = state_load_target(x->conf->state_dir, t)) < 0) {
		log_warn("target %s: cannot load state from %s", t->name,
		    x->conf->state_dir);
		free(t);
		return -1;
	}
	if (rc == 1)
		log_warnx("target %s: state file was corrupt; kept as "
		    ".corrupt, started afresh", t->name);
	if (machine_add(t, x->conf->console_history, now) != 0 ||
	    core_add_target(x->core, t) != 0) {
		log_warnx("target %s: out of memory for its console history",
		    t->name);
		core_remove_target(x->core, t->addr);
		machine_remove(t);
		free(t);
		return -1;
	}
	x->targets[t->addr] = t;
	if (target_start(t, now) != 0) {
		/* target_start() has undone its own part: not stopped again */
		log_warnx("target %s: driver %s failed to start", t->name,
		    t->main.drv->name);
		core_remove_target(x->core, t->addr);
		machine_remove(t);
		x->targets[t->addr] = NULL;
		free(t);
		return -1;
	}
	return 0;
}

void
pmbd_target_stop(struct pmbd *x, uint8_t addr)
{
	struct target *t = x->targets[addr];

	if (t == NULL)
		return;
	core_remove_target(x->core, addr);
	target_stop(t);
	machine_remove(t);
	x->targets[addr] = NULL;
	free(t);
}

void
pmbd_status(struct pmbd *x, char *out, size_t len)
{
	unsigned n = 0, up = 0, down = 0;
	uint64_t now = clock_ms();

	for (int a = 1; a < 256; a++) {
		struct target *t = x->targets[a];
		struct machine_state ms;

		if (t == NULL)
			continue;
		n++;
		machine_state(t, now, &ms);
		if (!ms.has_power)
			continue;
		if (ms.has_link && !ms.link_up)
			down++;
		else
			up++;
	}
	snprintf(out, len, "%u targets (%u reachable, %u unreachable), %u "
	    "sessions", n, up, down, x->core->st.nactive);
}

static void
status_cb(void *arg, uint64_t now)
{
	char status[160];

	(void)now;
	pmbd_status(arg, status, sizeof(status));
	notify_status(status);
}

static void
watchdog_cb(void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
	notify_watchdog();		/* the loop runs: we are alive */
}

/* Journal lines get fields from the log vocabulary: "target NAME",
 * "node NAME", "peer ADDR", "user NAME". */
static const char *
field(const char *msg, const char *word, char *out, size_t len)
{
	const char *p = msg;
	size_t n = strlen(word), i = 0;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == msg || p[-1] == ' ' || p[-1] == '(') &&
		    p[n] == ' ')
			break;
		p += n;
	}
	if (p == NULL)
		return NULL;
	for (p += n + 1; *p != '\0' && *p != ':' && *p != ' ' &&
	    *p != ',' && *p != ')' && i + 1 < len; p++)
		out[i++] = *p;
	out[i] = '\0';
	return i > 0 ? out : NULL;
}

static void
journal_sink(int pri, const char *msg)
{
	char t[64], p[80], u[32];
	const char *target = field(msg, "target", t, sizeof(t));

	if (target == NULL)
		target = field(msg, "node", t, sizeof(t));
	notify_journal_send(pri, msg, target, field(msg, "peer", p, sizeof(p)),
	    field(msg, "user", u, sizeof(u)));
}

/* --ping ADDR:PORT: an RMCP/ASF presence ping; 0 on a pong within 2 s. */
static int
ping(const char *where)
{
	static const uint8_t req[12] = { 0x06, 0x00, 0xff, 0x06, 0x00, 0x00,
	    0x11, 0xbe, 0x80, 0x2a, 0x00, 0x00 };
	struct conf_addr a;
	struct timeval tv = { 2, 0 };
	uint8_t rsp[64];
	struct buf b;
	ssize_t n;
	int fd;

	if (addr_parse(where, &a) != 0) {
		fprintf(stderr, "pmbd: --ping: bad address \"%s\"\n", where);
		return 2;
	}
	if ((fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&a.ss, a.len) != 0 ||
	    send(fd, req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
		perror("pmbd: --ping");
		return 1;
	}
	while ((n = recv(fd, rsp, sizeof(rsp), 0)) >= 0) {
		buf_init(&b, rsp, (size_t)n);
		if (buf_u8(&b) == 0x06 && (buf_skip(&b, 2), buf_u8(&b)) == 0x06 &&
		    buf_le32(&b) == 0xbe110000u && buf_u8(&b) == 0x40 &&
		    buf_u8(&b) == 0x2a && !b.err) {
			close(fd);
			printf("pong from %s\n", where);
			return 0;
		}
	}
	close(fd);
	fprintf(stderr, "pmbd: no pong from %s\n", where);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "ping", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct pmbd x = { 0 };
	struct loop_timer *status_ev, *tick;
	uint64_t wd_usec;
	char status[160];
	struct core_ops ops;
	const int signums[4] = { SIGINT, SIGTERM, SIGHUP, 0 };
	const char *path = NULL;
	char err[512];
	uint8_t guid[16];
	int ch, fg = 0, check = 0, verbose = 0, rc;

	while ((ch = getopt_long(argc, argv, "c:fnv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			fg = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("pmbd %s\n", PMBD_VERSION);
			return 0;
		case 'P':
			return ping(optarg);
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc)
		usage();
	x.path = path;
	if (conf_load(path, &x.conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "pmbd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		conf_free(x.conf);
		return 0;
	}
	/* Children are reaped by their drivers: SIGCHLD must not be ignored
	 * (a parent may have left it so), nor blocked. */
	signal(SIGCHLD, SIG_DFL);
	{
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	/* Commands pmbd runs (exec targets) inherit no capability. */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* Start-up errors go to the terminal; syslog once detached. */
	log_init(1, verbose);
	signal(SIGPIPE, SIG_IGN);
	if (crypto_init() != 0)
		fatalx("cannot initialise OpenSSL");
	if (state_init(x.conf->state_dir) != 0)
		fatal("state_dir %s", x.conf->state_dir);
	if ((rc = state_load_self(x.conf->state_dir, guid)) < 0)
		fatal("cannot load state from %s", x.conf->state_dir);
	if ((x.net = net_new(x.conf, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* Ports are bound: root is no longer needed. */
	if (x.conf->user[0] != '\0') {
		if (privdrop(x.conf->user, x.conf->group, x.conf->state_dir,
		    err, sizeof(err)) != 0)
			fatalx("%s", err);
		log_info("running as %s (uid %u)", x.conf->user,
		    (unsigned)getuid());
	}
	if (notify_journal())
		log_sink(journal_sink);
	if (!fg) {
		/* Under systemd stay in the foreground: it supervises us. */
		if (getenv("INVOCATION_ID") == NULL && daemon(0, 0) != 0)
			fatal("daemon");
		log_init(0, verbose);
	}
	if ((x.loop = loop_new()) == NULL ||
	    (x.wake = loop_timer_new(x.loop, tick_cb, &x)) == NULL)
		fatalx("cannot make the event loop");
	x.mops.persist = persist_cb;
	x.mops.wake = wake_cb;
	x.mops.arg = &x;
	x.mops.io_add = loop_io_add;
	x.mops.io_want = loop_io_want;
	x.mops.io_del = loop_io_del;
	x.mops.ioarg = x.loop;
	x.mops.node_listen = x.conf->has_node_listen ?
	    &x.conf->node_listen : NULL;
	machine_set_ops(&x.mops);
	machine_set_timeout(x.conf->target_timeout);
	ops.send = send_cb;
	ops.wake = wake_cb;
	ops.arg = &x;
	if ((x.core = core_new(x.conf, &ops, guid)) == NULL)
		fatalx("out of memory");
	for (size_t i = 0; i < x.conf->ntargets; i++)
		if (pmbd_target_start(&x, &x.conf->targets[i], clock_ms()) != 0)
			fatalx("target %s could not start",
			    x.conf->targets[i].name);
	net_start(x.net, x.loop, x.core);
	if (rc == 1)
		log_warnx("pmbd.state was corrupt; kept as .corrupt, new GUID");

	if ((tick = loop_timer_new(x.loop, tick_cb, &x)) == NULL)
		fatalx("cannot start the timer");
	loop_timer_every(tick, TICK_MS);
	for (int i = 0; signums[i] != 0; i++)
		if (loop_signal(x.loop, signums[i], signal_cb, &x) != 0)
			fatalx("cannot watch signals");
	/* systemd: WATCHDOG=1 from the loop itself, STATUS= now and then. */
	if ((wd_usec = notify_watchdog_usec()) > 0) {
		if ((x.watchdog = loop_timer_new(x.loop, watchdog_cb,
		    &x)) == NULL)
			fatalx("cannot start the watchdog timer");
		loop_timer_every(x.watchdog, wd_usec / 2000);
	}
	if ((status_ev = loop_timer_new(x.loop, status_cb, &x)) == NULL)
		fatalx("cannot start the status timer");
	loop_timer_every(status_ev, STATUS_MS);
	for (size_t i = 0; i < x.conf->neps; i++)
		log_info("listening on %s%s", x.conf->eps[i].addr.text,
		    x.conf->eps[i].target != 0 ? " (per-target endpoint)" : "");
	log_info("pmbd %s ready: %zu targets, %zu users", PMBD_VERSION,
	    x.conf->ntargets, x.conf->nusers);
	pmbd_status(&x, status, sizeof(status));
	notify_ready(status);

	loop_run(x.loop);
	notify_stopping();

	loop_timer_free(tick);
	loop_timer_free(status_ev);
	loop_timer_free(x.watchdog);
	loop_timer_free(x.wake);
	x.wake = NULL;
	for (int a = 1; a < 256; a++)
		pmbd_target_stop(&x, (uint8_t)a);
	x.core = core_free(x.core);
	x.net = net_free(x.net);
	x.loop = loop_free(x.loop);
	conf_free(x.conf);
	crypto_shutdown();
	return 0;
}
