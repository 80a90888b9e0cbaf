/*
 * reload.c: SIGHUP.  The new configuration is read and checked whole; if
 * anything is wrong pmbd keeps running on the old one and says why.  Else
 * the difference is applied, in an order that cannot half-fail:
 *
 *  1. endpoints: new ones are bound first (failure: nothing changed);
 *     unchanged ones keep their socket and index;
 *  2. targets: a target whose whole block is unchanged keeps running (its
 *     sessions, SOL, node link and history); one removed is stopped; one
 *     changed is stopped and started from its new block; one added starts;
 *  3. users: sessions of a user removed or changed (password, privilege)
 *     end, the others go on;
 *  4. everything else (timeouts, cipher suites, Kg, IDs) applies from the
 *     next packet.  max_sessions, max_half_open, state_dir, user, group
 *     and node_listen take effect at the next start (logged).
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "core.h"
#include "daemon.h"
#include "log.h"
#include "machine.h"
#include "net.h"
#include "notify.h"
#include "target.h"

static struct conf_target *
find(struct conf *cf, uint8_t addr)
{
	for (size_t i = 0; i < cf->ntargets; i++)
		if (cf->targets[i].addr == addr)
			return &cf->targets[i];
	return NULL;
}

static void
warn_restart(const struct conf *old, const struct conf *nw)
{
	if (old->max_sessions != nw->max_sessions ||
	    old->max_half_open != nw->max_half_open)
		log_warnx("reload: max_sessions/max_half_open change at the "
		    "next start");
	if (strcmp(old->state_dir, nw->state_dir) != 0)
		log_warnx("reload: state_dir changes at the next start");
	if (strcmp(old->user, nw->user) != 0 ||
	    strcmp(old->group, nw->group) != 0)
		log_warnx("reload: user/group change at the next start");
	if (old->has_node_listen && (!nw->has_node_listen ||
	    strcmp(old->node_listen.text, nw->node_listen.text) != 0))
		log_warnx("reload: node_listen changes at the next start; "
		    "nodes keep calling %s", old->node_listen.text);
}

void
reload_run(struct pmbd *x)
{
	struct conf *old = x->conf, *nw;
	struct conf_target *ot, *nt;
	unsigned added = 0, removed = 0, changed = 0, kept = 0, ended;
	uint64_t now = clock_ms();
	char err[512], status[160];

	notify_reloading();
	if (conf_load(x->path, &nw, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; still running on the previous "
		    "configuration", err);
		pmbd_status(x, status, sizeof(status));
		notify_ready(status);
		return;
	}
	conf_align_eps(nw, old);
	if (net_reload(x->net, old, nw, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; still running on the previous "
		    "configuration", err);
		conf_free(nw);
		pmbd_status(x, status, sizeof(status));
		notify_ready(status);
		return;
	}
	warn_restart(old, nw);
	/* Old targets: keep the unchanged ones, stop the others. */
	for (int a = 1; a < 256; a++) {
		if ((ot = find(old, (uint8_t)a)) == NULL)
			continue;
		nt = find(nw, (uint8_t)a);
		if (nt != NULL && nt->hash == ot->hash &&
		    nt->drv == ot->drv && nt->con_drv == ot->con_drv) {
			/*
			 * The running driver keeps its options: swap them,
			 * so that freeing the old configuration frees the
			 * new, unused, copy.
			 */
			void *d = nt->dconf, *cd = nt->con_dconf;

			nt->dconf = ot->dconf;
			nt->con_dconf = ot->con_dconf;
			ot->dconf = d;
			ot->con_dconf = cd;
			kept++;
			continue;
		}
		pmbd_target_stop(x, (uint8_t)a);
		if (nt == NULL) {
			log_info("reload: target %s removed", ot->name);
			removed++;
		} else {
			log_info("reload: target %s changed: restarting it",
			    ot->name);
			changed++;
		}
	}
	/* state_dir moves at the next start, like node_listen. */
	memcpy(nw->state_dir, old->state_dir, sizeof(nw->state_dir));
	ended = core_set_conf(x->core, nw);
	x->conf = nw;
	/* Nodes keep calling the listener they know (node_listen moves at
	 * the next start); a first one comes with the first pico target. */
	if (old->has_node_listen) {
		nw->node_listen = old->node_listen;
		nw->has_node_listen = 1;
	}
	x->mops.node_listen = nw->has_node_listen ? &nw->node_listen : NULL;
	machine_set_ops(&x->mops);
	/* New and changed targets. */
	for (size_t i = 0; i < nw->ntargets; i++) {
		nt = &nw->targets[i];
		if (x->targets[nt->addr] != NULL)
			continue;
		if (pmbd_target_start(x, nt, now) == 0 &&
		    find(old, nt->addr) == NULL) {
			log_info("reload: target %s added", nt->name);
			added++;
		}
	}
	/* Unchanged targets point at their block in the new configuration. */
	for (int a = 1; a < 256; a++) {
		struct target *t = x->targets[a];

		if (t == NULL || (nt = find(nw, (uint8_t)a)) == NULL)
			continue;
		t->main.dconf = nt->dconf;
		if (t->con.drv != NULL && nt->con_drv != NULL)
			t->con.dconf = nt->con_dconf;
	}
	conf_free(old);
	log_info("reload: done: %u targets kept, %u added, %u removed, %u "
	    "restarted; %zu users, %u sessions ended", kept, added, removed,
	    changed, nw->nusers, ended);
	pmbd_status(x, status, sizeof(status));
	notify_ready(status);
}
