/*
 * wol.c: power on by Wake-on-LAN.  A magic packet (6 x FFh, the MAC 16
 * times, the 6-byte SecureOn password when configured) goes by UDP to
 * wol_address (255.255.255.255:9 by default; SO_BROADCAST on IPv4, and
 * SO_BINDTODEVICE when an interface is named).
 *
 * Power state comes from a probe run in the background and cached:
 * "tcp:ADDR:PORT" (a non-blocking connect: accepted means on; refused,
 * unreachable or no answer within probe_timeout means off) or "icmp:ADDR"
 * (an echo request through an unprivileged ping socket, or a raw socket
 * with CAP_NET_RAW: a reply means on).  Without a probe the state is the
 * last action, power_known 0.
 *
 * A magic packet cannot turn a machine off: off, cycle, reset, diag and
 * soft answer C1h (invalid command) unless a command is configured for
 * them (`off = [ "/usr/bin/curl", ... ];` as in the exec driver), which
 * then runs the same way (exec_cmd.c): 00h exit 0, FFh failure, C3h
 * timeout, C0h one already running.  A failed send answers FFh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "ipmi.h"
#include "log.h"
#include "wol.h"

static void
wol_probe_close(struct wol *w)
{
	const struct target_env *env = w->t->env;

	if (w->pio != NULL && env->io_del != NULL)
		env->io_del(w->pio);
	w->pio = NULL;
	if (w->pfd >= 0)
		close(w->pfd);
	w->pfd = -1;
}

/* on: 1, 0; -1 unknown. */
static void
wol_probe_result(struct wol *w, int on)
{
	w->pdeadline = 0;
	if (w->cf->probe == WOL_PROBE_TCP)
		wol_probe_close(w);
	if (on < 0) {
		w->known = 0;
		return;
	}
	if (!w->known || w->on != on)
		log_info("target %s: power is %s (probe)", w->t->name,
		    on ? "on" : "off");
	if (w->known && !w->on && on)
		target_event(w->t, w->now, TARGET_EV_BOOT);
	w->known = 1;
	w->on = on;
}

static uint16_t
wol_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
wol_icmp_read(struct wol *w)
{
	struct sockaddr_storage from;
	const struct sockaddr_storage *to = &w->cf->probe_ss;
	uint8_t buf[256];
	const uint8_t *p;
	socklen_t fl;
	ssize_t n;
	size_t off;
	int v6 = to->ss_family == AF_INET6;

	for (int k = 0; k < 16; k++) {
		fl = sizeof(from);
		n = recvfrom(w->pfd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);
		if (n <= 0)
			return;
		off = 0;
		if (w->raw && !v6)		/* raw IPv4: the IP header */
			off = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < off + 8)
			continue;
		p = buf + off;
		if (p[0] != (v6 ? 129 : 0) || p[1] != 0 ||
		    (w->raw && (p[4] << 8 | p[5]) != w->pid) ||
		    (p[6] << 8 | p[7]) != w->pseq || w->pdeadline == 0)
			continue;
		if (from.ss_family != to->ss_family || (v6 ?
		    memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr,
		    &((const struct sockaddr_in6 *)to)->sin6_addr, 16) :
		    memcmp(&((struct sockaddr_in *)&from)->sin_addr,
		    &((const struct sockaddr_in *)to)->sin_addr, 4)) != 0)
			continue;
		wol_probe_result(w, 1);
	}
}

static void
wol_probe_io_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct wol *w = arg;
	int e = 0;
	socklen_t el = sizeof(e);

	w->now = now;
	if (w->cf->probe == WOL_PROBE_ICMP) {
		if (readable)
			wol_icmp_read(w);
		return;
	}
	if (!writable || w->pdeadline == 0)
		return;
	if (getsockopt(w->pfd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
		e = errno;
	if (e == 0)
		wol_probe_result(w, 1);
	else if (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == ETIMEDOUT)
		wol_probe_result(w, 0);
	else
		wol_probe_result(w, -1);
}

/* Open the ICMP socket, once: a ping socket, else a raw one. */
static int
wol_icmp_open(struct wol *w)
{
	const struct target_env *env = w->t->env;
	int v6 = w->cf->probe_ss.ss_family == AF_INET6;
	int af = v6 ? AF_INET6 : AF_INET;
	int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fl = SOCK_NONBLOCK | SOCK_CLOEXEC;

	w->raw = 0;
	if ((w->pfd = socket(af, SOCK_DGRAM | fl, proto)) < 0 &&
	    (errno == EACCES || errno == EPERM)) {
		w->raw = 1;
		w->pfd = socket(af, SOCK_RAW | fl, proto);
	}
	if (w->pfd < 0) {
		log_warnx("target %s: probe icmp: %s; ping sockets need pmbd's "
		    "group in net.ipv4.ping_group_range (sysctl), raw ones "
		    "CAP_NET_RAW; or use probe = \"tcp:ADDR:PORT\"",
		    w->t->name, strerror(errno));
		return -1;
	}
	if (env->io_add != NULL && (w->pio = env->io_add(env->ioarg, w->pfd,
	    wol_probe_io_cb, w)) == NULL) {
		wol_probe_close(w);
		return -1;
	}
	return 0;
}

static void
wol_probe_start(struct wol *w, uint64_t now)
{
	static struct log_rl rl = LOG_RL_INIT("wol: probe");
	const struct target_env *env = w->t->env;
	const struct wol_conf *c = w->cf;
	uint8_t pkt[16];

	w->pdeadline = now + c->probe_timeout;
	if (c->probe == WOL_PROBE_ICMP) {
		int v6 = c->probe_ss.ss_family == AF_INET6;

		w->pseq++;
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = v6 ? 128 : 8;
		pkt[4] = (uint8_t)(w->pid >> 8);
		pkt[5] = (uint8_t)w->pid;
		pkt[6] = (uint8_t)(w->pseq >> 8);
		pkt[7] = (uint8_t)w->pseq;
		memcpy(pkt + 8, "pmbd-wol", 8);
		if (!v6) {
			uint16_t ck = wol_csum(pkt, sizeof(pkt));

			pkt[2] = (uint8_t)(ck >> 8);
			pkt[3] = (uint8_t)ck;
		}
		if (w->pfd >= 0 && sendto(w->pfd, pkt, sizeof(pkt), 0,
		    (const struct sockaddr *)&c->probe_ss, c->probe_len) < 0) {
			if (errno == EHOSTUNREACH || errno == ENETUNREACH)
				wol_probe_result(w, 0);
			else {
				log_rl(&rl, "target %s: probe: %s", w->t->name,
				    strerror(errno));
				wol_probe_result(w, -1);
			}
		}
		return;
	}
	w->pfd = socket(c->probe_ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (w->pfd < 0) {
		log_rl(&rl, "target %s: probe: %s", w->t->name,
		    strerror(errno));
		wol_probe_result(w, -1);
		return;
	}
	if (connect(w->pfd, (const struct sockaddr *)&c->probe_ss,
	    c->probe_len) == 0) {
		wol_probe_result(w, 1);
		return;
	}
	if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
	    errno == ENETUNREACH) {
		wol_probe_result(w, 0);
		return;
	}
	if (errno != EINPROGRESS || env->io_add == NULL ||
	    (w->pio = env->io_add(env->ioarg, w->pfd, wol_probe_io_cb,
	    w)) == NULL) {
		log_rl(&rl, "target %s: probe: %s", w->t->name,
		    strerror(errno));
		wol_probe_result(w, -1);
		return;
	}
	env->io_want(w->pio, 0, 1);
}

/* ---- commands for what a magic packet cannot do ---- */

static void
wol_done_cb(void *arg, uint64_t now, enum exec_end end, int code,
    const uint8_t *out, size_t n)
{
	static struct log_rl rl = LOG_RL_INIT("wol: command failed");
	struct wol *w = arg;
	int a = w->running, cc = CC_OK;
	char esc[160];

	w->now = now;
	w->running = -1;
	if (a < 0)
		return;
	if (end == EXEC_TIMEDOUT) {
		cc = CC_TIMEOUT;
		log_rl(&rl, "target %s: power %s command timed out after %u "
		    "ms; killed", w->t->name, exec_cmd_names[a],
		    w->cf->timeout);
	} else if (end != EXEC_EXITED || code != 0) {
		cc = CC_UNSPECIFIED;
		log_rl(&rl, "target %s: power %s command failed (%s %d): "
		    "\"%s\"", w->t->name, exec_cmd_names[a],
		    end == EXEC_EXITED ? "exit" : "signal", code,
		    exec_out_text(out, n, esc, sizeof(esc)));
	} else if (a == TARGET_POWER_OFF || a == TARGET_POWER_SOFT)
		w->last_on = 0;
	else if (a == TARGET_POWER_CYCLE || a == TARGET_POWER_RESET)
		w->last_on = 1;
	w->next_probe = w->now;		/* look again now */
	target_done(w->t, w->now, w->token, cc);
}

/* ---- the driver ---- */

static int
wol_sock_open(struct wol *w)
{
	const struct wol_conf *c = w->cf;
	int one = 1;

	w->sock = socket(c->dst.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (w->sock < 0) {
		log_warn("target %s: wol: socket", w->t->name);
		return -1;
	}
	if (c->dst.ss.ss_family == AF_INET && setsockopt(w->sock,
	    SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) != 0) {
		log_warn("target %s: wol: SO_BROADCAST", w->t->name);
		return -1;
	}
	if (c->ifname[0] != '\0' && setsockopt(w->sock, SOL_SOCKET,
	    SO_BINDTODEVICE, c->ifname, (socklen_t)strlen(c->ifname)) != 0) {
		if (errno == EPERM || errno == EACCES)
			log_warnx("target %s: wol: interface %s: binding to "
			    "an interface needs CAP_NET_RAW (%s)", w->t->name,
			    c->ifname, strerror(errno));
		else
			log_warnx("target %s: wol: interface %s: %s",
			    w->t->name, c->ifname, strerror(errno));
		return -1;
	}
	return 0;
}

static void
wol_stop(struct target_src *src)
{
	struct wol *w = src->dstate;

	if (w == NULL)
		return;
	exec_run_stop(&w->run);
	wol_probe_close(w);
	if (w->sock >= 0)
		close(w->sock);
	free(w);
	src->dstate = NULL;
}

static int
wol_start(struct target_src *src, uint64_t now)
{
	struct wol *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -1;
	w->cf = src->dconf;
	w->t = src->t;
	w->sock = -1;
	w->pfd = -1;
	w->running = -1;
	w->now = now;
	w->next_probe = now;
	w->pid = (uint16_t)(getpid() ^ (unsigned)w->t->addr << 8);
	src->dstate = w;
	exec_run_init(&w->run, w->t, wol_done_cb, w);
	for (int i = 0; i < EXEC_NCMD; i++)
		exec_argv_check(&w->cf->cmd[i], w->t, exec_cmd_names[i]);
	if (wol_sock_open(w) != 0 || (w->cf->probe == WOL_PROBE_ICMP &&
	    wol_icmp_open(w) != 0)) {
		wol_stop(src);
		return -1;
	}
	return 0;
}

static void
wol_tick(struct target_src *src, uint64_t now)
{
	struct wol *w = src->dstate;

	w->now = now;
	if (w->boot_pending) {
		w->boot_pending = 0;
		target_event(w->t, now, TARGET_EV_BOOT);
	}
	exec_run_tick(&w->run, now);
	if (w->cf->probe == WOL_PROBE_NONE)
		return;
	if (w->pdeadline != 0 && now >= w->pdeadline)
		wol_probe_result(w, 0);		/* no answer: off */
	if (w->pdeadline == 0 && now >= w->next_probe) {
		w->next_probe = now + w->cf->probe_interval;
		wol_probe_start(w, now);
	}
}

static void
wol_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct wol *w = src->dstate;

	(void)now;
	if (w->cf->probe != WOL_PROBE_NONE) {
		st->has_link = 1;
		st->link_up = w->known;		/* else D5h: unknown */
		st->power_known = w->known;
		st->power_on = w->known && w->on;
	} else {
		st->power_known = 0;
		st->power_on = w->last_on;
	}
}

static int
wol_send(struct wol *w)
{
	static struct log_rl rl = LOG_RL_INIT("wol: send");
	static struct log_rl sent = LOG_RL_INFO("wol: sent");
	const struct wol_conf *c = w->cf;
	uint8_t pkt[6 + 16 * 6 + 6];
	size_t n = 6 + 16 * 6;

	memset(pkt, 0xff, 6);
	for (int i = 0; i < 16; i++)
		memcpy(pkt + 6 + 6 * i, c->mac, 6);
	if (c->has_secureon) {
		memcpy(pkt + n, c->secureon, 6);
		n += 6;
	}
	if (sendto(w->sock, pkt, n, 0, (const struct sockaddr *)&c->dst.ss,
	    c->dst.len) != (ssize_t)n) {
		log_rl(&rl, "target %s: magic packet to %s: %s", w->t->name,
		    c->dst.text, strerror(errno));
		return CC_UNSPECIFIED;
	}
	log_rl(&sent, "target %s: magic packet for %02x:%02x:%02x:%02x:%02x:"
	    "%02x sent to %s", w->t->name, c->mac[0], c->mac[1], c->mac[2],
	    c->mac[3], c->mac[4], c->mac[5], c->dst.text);
	return CC_OK;
}

static int
wol_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t token)
{
	struct wol *w = src->dstate;
	int cc;

	w->now = now;
	if (a == TARGET_POWER_ON) {
		if ((cc = wol_send(w)) == CC_OK) {
			/* Without a probe nothing else will see it boot:
			 * one-shot boot flags are used up now. */
			if (w->cf->probe == WOL_PROBE_NONE && !w->last_on)
				w->boot_pending = 1;	/* at the tick */
			w->last_on = 1;
		}
		return cc;
	}
	if ((int)a < 0 || (int)a >= EXEC_STATUS || w->cf->cmd[a].argc == 0)
		return CC_INVALID_CMD;		/* not by a magic packet */
	if (exec_run_busy(&w->run))
		return CC_NODE_BUSY;
	if (exec_run_start(&w->run, &w->cf->cmd[a], w->cf->timeout, now) != 0)
		return CC_UNSPECIFIED;
	w->running = (int)a;
	w->token = token;
	return TARGET_PENDING;
}

const struct target_driver wol_driver = {
	.name		= "wol",
	.conf_new	= wol_conf_new,
	.conf_set	= wol_conf_set,
	.conf_check	= wol_conf_check,
	.conf_free	= wol_conf_free,
	.start		= wol_start,
	.stop		= wol_stop,
	.tick		= wol_tick,
	.status		= wol_status,
	.power		= wol_power,
};
