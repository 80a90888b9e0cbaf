/*
 * core_alone.c: `make core-alone` links this with the protocol core (the
 * model and the IPMI face), crypto.c and log.c (and clock.c, which log.c
 * reads) and nothing else: no driver, no libconfig, no libevent.  If the
 * core ever calls into anything more, the link fails and so does make
 * check.  It also runs: one target with no driver answers a ping.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "machine.h"
#include "rmcp.h"

static int sent;

static void
count(void *arg, int ep, const struct peer *p, const uint8_t *b, size_t n)
{
	(void)arg, (void)ep, (void)p, (void)b, (void)n;
	sent++;
}

int
main(void)
{
	static const uint8_t ping[12] = { 0x06, 0x00, 0xff, 0x06, 0x00, 0x00,
	    0x11, 0xbe, 0x80, 0x2a, 0x00, 0x00 };
	static const struct target_driver none = { .name = "none" };
	static struct conf cf;
	struct core_ops ops = { .send = count };
	struct machine_ops mops = { 0 };
	struct target t;
	struct peer peer = { .len = sizeof(struct sockaddr_storage) };
	struct core *c;
	uint8_t guid[16] = { 0 };

	cf.neps = 1;
	cf.max_sessions = 4;
	cf.max_half_open = 4;
	cf.console_history = 1024;
	memset(&t, 0, sizeof(t));
	t.addr = 1;
	t.main = (struct target_src){ &t, &none, NULL, NULL };
	machine_set_ops(&mops);
	if ((c = core_new(&cf, &ops, guid)) == NULL ||
	    machine_add(&t, cf.console_history, 1) != 0 ||
	    core_add_target(c, &t) != 0)
		return 1;
	core_input(c, 0, &peer, ping, sizeof(ping), 1);
	machine_tick(2);
	core_tick(c, 2);
	core_remove_target(c, 1);
	machine_remove(&t);
	core_free(c);
	printf("core alone: linked with crypto and log only; %d reply\n",
	    sent);
	return sent == 1 ? 0 : 1;
}
