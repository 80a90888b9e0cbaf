/* main.c: command line, start-up in dependency order, the event loop. */
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "core.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "state.h"
#include "target.h"
#include "version.h"

#define TICK_MS		100

struct ctx {
	struct conf		*conf;
	struct event_base	*base;
	struct net		*net;
	struct core		*core;
	struct target		*targets;
	size_t			 ntargets;
	struct event		*wake;
};

static void
usage(void)
{
	fprintf(stderr, "usage: pmbd [-fnv] -c FILE\n"
	    "       pmbd --version\n"
	    "  -c FILE  configuration (libconfig syntax)\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -n       check the configuration and exit\n"
	    "  -v       more logging (debug)\n");
	exit(2);
}

static void
persist_cb(void *arg, const struct target *t)
{
	struct ctx *x = arg;

	if (state_save_target(x->conf->state_dir, t) != 0)
		log_warn("target %s: cannot save state in %s", t->name,
		    x->conf->state_dir);
}

static void
send_cb(void *arg, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	struct ctx *x = arg;

	net_send(x->net, ep, peer, p, n);
}

/* The core wants core_tick() at `when`: a one-shot timer. */
static void
wake_cb(void *arg, uint64_t when)
{
	struct ctx *x = arg;
	uint64_t now = net_now(), ms = when > now ? when - now : 0;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) *
	    1000 };

	if (x->wake != NULL)
		event_add(x->wake, &tv);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctx *x = arg;

	(void)fd;
	(void)what;
	core_tick(x->core, net_now());
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ctx *x = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		log_warnx("SIGHUP: live reload is not supported yet; restart "
		    "pmbd to apply a new configuration");
		break;
	default:
		log_info("signal %d: shutting down", (int)sig);
		event_base_loopexit(x->base, NULL);
	}
}

static void
start_targets(struct ctx *x)
{
	const struct conf *cf = x->conf;
	uint64_t now = net_now();

	x->ntargets = cf->ntargets;
	if ((x->targets = calloc(cf->ntargets + 1, sizeof(*x->targets))) ==
	    NULL)
		fatal("calloc");
	for (size_t i = 0; i < cf->ntargets; i++) {
		struct target *t = &x->targets[i];
		int rc;

		target_setup(t, &cf->targets[i]);
		if ((rc = state_load_target(cf->state_dir, t)) < 0)
			fatal("target %s: cannot load state from %s", t->name,
			    cf->state_dir);
		if (rc == 1)
			log_warnx("target %s: state file was corrupt; kept as "
			    ".corrupt, started afresh", t->name);
		if (core_add_target(x->core, t) != 0)
			fatalx("target %s: out of memory for its console "
			    "history", t->name);
		if (target_start(t, now) != 0)
			fatalx("target %s: driver %s failed to start", t->name,
			    t->main.drv->name);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx x = { 0 };
	struct core_ops ops;
	struct event *tick, *sigs[4];
	const int signums[4] = { SIGINT, SIGTERM, SIGHUP, 0 };
	struct timeval tv = { 0, TICK_MS * 1000 };
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
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc)
		usage();
	if (conf_load(path, &x.conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "pmbd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		conf_free(x.conf);
		return 0;
	}
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
	if (!fg) {
		/* Under systemd stay in the foreground: it supervises us. */
		if (getenv("INVOCATION_ID") == NULL && daemon(0, 0) != 0)
			fatal("daemon");
		log_init(0, verbose);
	}
	if ((x.base = event_base_new()) == NULL ||
	    (x.wake = evtimer_new(x.base, tick_cb, &x)) == NULL)
		fatalx("event_base_new");
	ops.send = send_cb;
	ops.persist = persist_cb;
	ops.wake = wake_cb;
	ops.arg = &x;
	ops.io_add = io_add;
	ops.io_want = io_want;
	ops.io_del = io_del;
	ops.ioarg = x.base;
	if ((x.core = core_new(x.conf, &ops, guid)) == NULL)
		fatalx("out of memory");
	if (x.conf->has_node_listen)
		x.core->env.node_listen = &x.conf->node_listen;
	start_targets(&x);
	net_start(x.net, x.base, x.core);
	if (rc == 1)
		log_warnx("pmbd.state was corrupt; kept as .corrupt, new GUID");

	tick = event_new(x.base, -1, EV_PERSIST, tick_cb, &x);
	if (tick == NULL || event_add(tick, &tv) != 0)
		fatalx("cannot start the timer");
	for (int i = 0; signums[i] != 0; i++) {
		sigs[i] = evsignal_new(x.base, signums[i], signal_cb, &x);
		if (sigs[i] == NULL || event_add(sigs[i], NULL) != 0)
			fatalx("cannot watch signals");
	}
	for (size_t i = 0; i < x.conf->neps; i++)
		log_info("listening on %s%s", x.conf->eps[i].addr.text,
		    x.conf->eps[i].target != 0 ? " (per-target endpoint)" : "");
	log_info("pmbd %s ready: %zu targets, %zu users", PMBD_VERSION,
	    x.conf->ntargets, x.conf->nusers);

	event_base_dispatch(x.base);

	for (int i = 0; signums[i] != 0; i++)
		event_free(sigs[i]);
	event_free(tick);
	event_free(x.wake);
	for (size_t i = 0; i < x.ntargets; i++)
		target_stop(&x.targets[i]);
	x.core = core_free(x.core);
	x.net = net_free(x.net);
	event_base_free(x.base);
	free(x.targets);
	conf_free(x.conf);
	crypto_shutdown();
	return 0;
}
