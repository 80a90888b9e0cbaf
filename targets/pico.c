/*
 * pico.c: a target behind a node (docs/node-protocol.md).  The node calls
 * in over TLS (pico_link.c); this file is the protocol per target, driven
 * by frames and the time it is given.
 *
 * Power and identify become requests with a sequence number: the IPMI
 * answer comes with the node's RESULT.  An offline node is answered at once
 * (D5h).  A request that was unanswered when the link dropped is resent
 * with the same number once the node is back, while the core still waits;
 * the node answers a number it has seen with its earlier RESULT.
 *
 * The console is in pico_console.c; sensors come from the last SENSORS.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "ipmi.h"
#include "log.h"
#include "pico.h"

#define PICO_MAX	CONF_MAX_TARGETS
#define DIAG_PULSE_MS	NP_PULSE_MIN_MS	/* IPMI diag: a short reset pulse */
#define DEFAULT_TIMEOUT	5000

static struct pico *picos[PICO_MAX];
static size_t npicos;
static uint32_t seq_next, daemon_id;
static int ids_set;

/* ---- the registry, for the link layer --------------------------------- */

struct pico *
pico_find(const char *node)
{
	for (size_t i = 0; i < npicos; i++)
		if (strcmp(picos[i]->cf->node, node) == 0)
			return picos[i];
	return NULL;
}

size_t
pico_psk(const char *node, uint8_t *key, size_t max)
{
	struct pico *p = pico_find(node);

	if (p == NULL || max < PICO_PSK_LEN)
		return 0;
	memcpy(key, p->cf->psk, PICO_PSK_LEN);
	return PICO_PSK_LEN;
}

size_t
pico_count(void)
{
	return npicos;
}

/* ---- sending ---------------------------------------------------------- */

int
pico_send(struct pico *p, struct np_msg *m)
{
	size_t n;

	if (p->conn == NULL)
		return -1;
	if ((n = np_encode(p->frame, sizeof(p->frame), m)) == 0) {
		log_warnx("node %s: cannot encode %s", p->cf->node,
		    np_type_name(m->type));
		return -1;
	}
	if (pico_link_send(p->conn, p->frame, n) != 0)
		return -1;		/* closed: pico_gone() ran */
	p->last_tx = p->now;
	return 0;
}

/* A request nobody waits for (settings, sensors): fire and forget. */
void
pico_send_req(struct pico *p, struct np_msg *m)
{
	m->seq = seq_next++;
	pico_send(p, m);
}

static void
pico_down(struct pico *p, const char *why)
{
	p->conn = NULL;
	p->have_sens = 0;
	log_rl(&p->rl, "node %s: link down (%s)", p->cf->node, why);
}

void
pico_gone(struct pico *p, struct pico_conn *c, const char *why)
{
	if (p->conn == c)
		pico_down(p, why);
}

/* ---- link up ---------------------------------------------------------- */

static const char *
reset_cause(uint8_t c)
{
	static const char *const names[] = { "power-on", "watchdog",
	    "requested reboot", "other" };

	return c < 4 ? names[c] : "unknown";
}

static uint16_t
req_timeout(const struct pico *p)
{
	unsigned ms = p->t->env->timeout_ms;

	return (uint16_t)(ms != 0 && ms < 0xffff ? ms : DEFAULT_TIMEOUT);
}

int
pico_hello(struct pico *p, struct pico_conn *c, const struct np_msg *m,
    uint64_t now)
{
	const struct np_hello *h = &m->u.hello;
	struct np_msg w = { .type = NP_WELCOME };
	char board[4 * NP_TEXT_MAX], fw[4 * NP_TEXT_MAX];
	int new_boot, offany;

	p->now = now;
	if (h->proto != NP_VERSION) {
		log_rl(&p->rl, "node %s: protocol %u, not %u", p->cf->node,
		    h->proto, NP_VERSION);
		return -1;
	}
	if (p->conn != NULL) {
		struct pico_conn *old = p->conn;

		p->conn = NULL;
		pico_link_close(old, "replaced");
		log_rl(&p->rl, "node %s: a new link replaces the old one",
		    p->cf->node);
	}
	p->conn = c;
	p->last_rx = p->last_tx = now;
	memcpy(p->board, h->board, sizeof(p->board));
	memcpy(p->fw, h->fw, sizeof(p->fw));
	p->caps = h->caps;
	p->power = h->power;
	new_boot = !p->booted || h->boot_id != p->boot_id;
	offany = new_boot || !p->rx_known;
	p->boot_id = h->boot_id;
	p->booted = 1;
	pico_con_resume(p, h, new_boot);

	w.u.welcome.proto = NP_VERSION;
	w.u.welcome.daemon_id = daemon_id;
	w.u.welcome.heartbeat_ms = NP_HEARTBEAT_MS;
	w.u.welcome.dead_ms = NP_DEAD_MS;
	w.u.welcome.con_rx_next = offany ? NP_OFF_ANY : p->rx_next;
	w.u.welcome.con_window = pico_rx_window(p);
	w.u.welcome.press_ms = p->cf->press_ms;
	w.u.welcome.hold_ms = p->cf->hold_ms;
	w.u.welcome.reset_ms = p->cf->reset_ms;
	if (pico_send(p, &w) != 0)
		return 0;
	p->rx_limit = p->rx_next + w.u.welcome.con_window;
	log_rl(&p->rl, "node %s: link up (fw %s, board %s, reset cause %s) "
	    "from %s", p->cf->node,
	    log_escape((const uint8_t *)p->fw, strlen(p->fw), fw, sizeof(fw)),
	    log_escape((const uint8_t *)p->board, strlen(p->board), board,
	    sizeof(board)), reset_cause(h->reset_cause), pico_link_peer(c));
	if (p->power == NP_PS_UNKNOWN && !p->unsensed_logged) {
		log_info("node %s: power is not sensed (no sense pin): status "
		    "reports the last state commanded", p->cf->node);
		p->unsensed_logged = 1;
	}
	/*
	 * What the core still waits for, under the same numbers: the node
	 * answers a request it already ran from memory.  A node that
	 * rebooted has no memory: it may have run the request or not, so
	 * the client is told it timed out rather than have it run twice.
	 */
	for (int i = 0; i < PICO_REQ_MAX && p->conn == c; i++) {
		struct pico_req *r = &p->req[i];

		if (r->used && r->until > now && !new_boot) {
			pico_send(p, &r->msg);
			continue;
		}
		if (r->used && r->until > now)
			target_done(p->t, p->now, r->token, CC_TIMEOUT);
		r->used = 0;
	}
	if (p->baud != 0 && p->conn == c) {
		struct np_msg s = { .type = NP_CON_SET };

		s.u.set = (struct np_con_set){ p->baud, 8, 0, 1 };
		pico_send_req(p, &s);
	}
	if (p->conn == c) {
		struct np_msg s = { .type = NP_SENSORS_GET };

		pico_send_req(p, &s);
	}
	return 0;
}

/* ---- requests and answers ---------------------------------------------- */

static int
cc_of(uint8_t status)
{
	switch (status) {
	case NP_OK:
		return CC_OK;
	case NP_E_ARG:
	case NP_E_UNSUPP:		/* that line is not wired */
		return CC_INVALID_FIELD;
	case NP_E_BUSY:			/* the button is pressed already */
		return CC_NODE_BUSY;
	case NP_E_REFUSED:
	case NP_E_STATE:		/* soft-off of a machine that is off */
		return CC_NOT_SUPPORTED_STATE;
	default:
		return CC_UNSPECIFIED;
	}
}

/* Send a request the core waits for: TARGET_PENDING or a code now. */
static int
pico_request(struct pico *p, struct np_msg *m, enum pico_req_kind kind,
    uint32_t token)
{
	struct pico_req *r = NULL;

	if (p->conn == NULL)
		return CC_NOT_SUPPORTED_STATE;	/* the node is offline */
	for (int i = 0; i < PICO_REQ_MAX && r == NULL; i++)
		if (!p->req[i].used || p->req[i].until <= p->now)
			r = &p->req[i];
	if (r == NULL)
		return CC_NODE_BUSY;
	m->seq = seq_next++;
	r->used = 1;
	r->kind = kind;
	r->token = token;
	r->until = p->now + req_timeout(p);
	r->msg = *m;
	pico_send(p, m);	/* if the link drops, resent when back */
	return TARGET_PENDING;
}

static int
is_on(const struct pico *p)
{
	return p->power == NP_PS_UNKNOWN ? p->assumed_on :
	    p->power == NP_PS_ON;
}

/* A power action the node carried out. */
static void
power_done(struct pico *p, uint8_t action, const struct np_result *res)
{
	int unsensed = p->power == NP_PS_UNKNOWN;

	if (res->flags & NP_RF_NOTHING)
		return;
	switch (action) {
	case NP_PWR_ON:
	case NP_PWR_CYCLE:
		if (unsensed) {
			p->assumed_on = 1;
			target_event(p->t, p->now, TARGET_EV_BOOT);
		}
		break;
	case NP_PWR_OFF:
	case NP_PWR_SOFT:
		if (unsensed)
			p->assumed_on = 0;
		break;
	case NP_PWR_RESET:
		if (is_on(p))
			target_event(p->t, p->now, TARGET_EV_BOOT);
		break;
	}
}

static void
on_result(struct pico *p, const struct np_msg *m)
{
	const struct np_result *res = &m->u.result;
	struct pico_req *r = NULL;

	for (int i = 0; i < PICO_REQ_MAX && r == NULL; i++)
		if (p->req[i].used && p->req[i].msg.seq == m->seq)
			r = &p->req[i];
	if (res->power <= NP_PS_UNKNOWN)
		p->power = res->power;		/* sensed, after */
	if (r == NULL) {		/* settings, or given up on */
		if (res->status != NP_OK)
			log_debug("node %s: request %u: status %u",
			    p->cf->node, m->seq, res->status);
		return;
	}
	r->used = 0;
	if (res->status == NP_OK && r->kind == PICO_REQ_POWER)
		power_done(p, r->msg.u.power.action, res);
	target_done(p->t, p->now, r->token, cc_of(res->status));
}

static void
on_state(struct pico *p, const struct np_state *s)
{
	int was_on = p->power == NP_PS_ON;

	p->power = s->power;
	if (!was_on && p->power == NP_PS_ON)
		target_event(p->t, p->now, TARGET_EV_BOOT);
}

void
pico_input(struct pico *p, const struct np_msg *m, uint64_t now)
{
	p->now = now;
	p->last_rx = now;
	switch (m->type) {
	case NP_PING:
		break;
	case NP_RESULT:
		on_result(p, m);
		break;
	case NP_STATE:
		on_state(p, &m->u.state);
		break;
	case NP_CON_DATA:
		pico_con_input(p, &m->u.con);
		break;
	case NP_CON_ACK:
		pico_con_acked(p, &m->u.ack);
		break;
	case NP_SENSORS:
		p->sens = m->u.sensors;
		p->have_sens = 1;
		break;
	case NP_ACTIONS:
	case NP_INFO:
		break;			/* not asked for yet */
	default: {
		struct pico_conn *c = p->conn;

		log_rl(&p->rl, "node %s: unexpected %s", p->cf->node,
		    np_type_name(m->type));
		pico_down(p, "protocol error");
		pico_link_close(c, "protocol error");
	}
	}
}

/* ---- the driver --------------------------------------------------------- */

static int
pico_start(struct target_src *src, uint64_t now)
{
	struct pico *p;

	if (npicos >= PICO_MAX || (p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	if (!ids_set) {
		if (crypto_random(&seq_next, sizeof(seq_next)) != 0 ||
		    crypto_random(&daemon_id, sizeof(daemon_id)) != 0) {
			free(p);
			return -1;
		}
		ids_set = 1;
	}
	p->cf = src->dconf;
	p->t = src->t;
	p->now = now;
	p->power = NP_PS_UNKNOWN;
	p->rl = (struct log_rl)LOG_RL_INFO("node link messages");
	picos[npicos++] = p;
	if (pico_link_start(src->t->env) != 0) {
		picos[--npicos] = NULL;
		free(p);
		return -1;
	}
	src->dstate = p;
	return 0;
}

static void
pico_stop(struct target_src *src)
{
	struct pico *p = src->dstate;

	for (size_t i = 0; i < npicos; i++)
		if (picos[i] == p) {
			picos[i] = picos[--npicos];
			picos[npicos] = NULL;
			break;
		}
	if (p->conn != NULL)
		pico_link_close(p->conn, "stopping");
	pico_link_stop();
	free(p);
	src->dstate = NULL;
}

static void
pico_tick(struct target_src *src, uint64_t now)
{
	struct pico *p = src->dstate;

	p->now = now;
	pico_link_tick(now);
	if (p->conn != NULL && now - p->last_rx >= NP_DEAD_MS) {
		struct pico_conn *c = p->conn;

		pico_down(p, "no heartbeat");
		pico_link_close(c, "no heartbeat");
	}
	if (p->conn != NULL && now - p->last_tx >= NP_HEARTBEAT_MS) {
		struct np_msg m = { .type = NP_PING };

		pico_send(p, &m);
	}
	/* The core had room again after granting no window. */
	if (p->conn != NULL && pico_diff(p->rx_limit, p->rx_next) <= 0 &&
	    pico_rx_window(p) > 0)
		pico_con_ack(p);
	for (int i = 0; i < PICO_REQ_MAX; i++)
		if (p->req[i].used && p->req[i].until <= now)
			p->req[i].used = 0;	/* the core answered C3h */
	if (!p->ident_forced && p->ident_until != 0 && now >= p->ident_until)
		p->ident_until = 0;
}

static void
pico_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct pico *p = src->dstate;

	(void)now;
	st->has_link = 1;
	st->link_up = p->conn != NULL;
	st->power_known = p->conn != NULL && p->power != NP_PS_UNKNOWN;
	st->power_on = is_on(p);
	st->identify = p->ident_forced ? TARGET_IDENT_ON :
	    p->ident_until != 0 ? TARGET_IDENT_TIMED : TARGET_IDENT_OFF;
}

static int
pico_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t tok)
{
	struct pico *p = src->dstate;
	struct np_msg m = { .type = NP_POWER };

	p->now = now;
	switch (a) {
	case TARGET_POWER_OFF:
		m.u.power.action = NP_PWR_OFF;
		break;
	case TARGET_POWER_ON:
		m.u.power.action = NP_PWR_ON;
		break;
	case TARGET_POWER_CYCLE:
		m.u.power.action = NP_PWR_CYCLE;
		break;
	case TARGET_POWER_RESET:
		m.u.power.action = NP_PWR_RESET;
		break;
	case TARGET_POWER_SOFT:
		m.u.power.action = NP_PWR_SOFT;
		break;
	case TARGET_POWER_DIAG:		/* no NMI line: a short reset pulse */
		m.type = NP_PULSE;
		m.u.pulse.line = NP_LINE_RESET;
		m.u.pulse.ms = DIAG_PULSE_MS;
		return pico_request(p, &m, PICO_REQ_PULSE, tok);
	default:
		return CC_INVALID_FIELD;
	}
	return pico_request(p, &m, PICO_REQ_POWER, tok);
}

static int
pico_identify(struct target_src *src, uint64_t now, unsigned secs,
    int force, uint32_t tok)
{
	struct pico *p = src->dstate;
	struct np_msg m = { .type = NP_IDENTIFY };
	int rc;

	p->now = now;
	m.u.identify_s = (uint8_t)(force ? 255 : secs < 254 ? secs : 254);
	if ((rc = pico_request(p, &m, PICO_REQ_IDENTIFY, tok)) != TARGET_PENDING)
		return rc;
	p->ident_forced = force;
	p->ident_until = (!force && secs > 0) ? now + secs * 1000ull : 0;
	return rc;
}

/*
 * IPMI Cold Reset of the target (`ipmitool -t N bmc reset cold`) restarts
 * the node (its outputs are released at reset); Warm Reset only drops the
 * link, which the node opens again at once.
 */
static int
pico_reset_link(struct target_src *src, uint64_t now, int cold, uint32_t tok)
{
	struct pico *p = src->dstate;
	struct np_msg m = { .type = NP_REBOOT };
	struct pico_conn *c = p->conn;

	p->now = now;
	if (c == NULL)
		return CC_NOT_SUPPORTED_STATE;
	if (cold) {
		m.u.reboot_magic = NP_REBOOT_MAGIC;
		return pico_request(p, &m, PICO_REQ_REBOOT, tok);
	}
	log_info("node %s: link reset by IPMI", p->cf->node);
	pico_down(p, "warm reset");
	pico_link_close(c, "warm reset");
	return CC_OK;
}

const struct target_driver pico_driver = {
	.name		= "pico",
	.conf_new	= pico_conf_new,
	.conf_set	= pico_conf_set,
	.conf_check	= pico_conf_check,
	.conf_free	= pico_conf_free,
	.conf_unique	= pico_conf_unique,
	.needs_node_listen = 1,
	.start		= pico_start,
	.stop		= pico_stop,
	.tick		= pico_tick,
	.status		= pico_status,
	.power		= pico_power,
	.identify	= pico_identify,
	.reset_link	= pico_reset_link,
	.sensor_list	= pico_sensor_list,
	.sensor_read	= pico_sensor_read,
	.node_firmware	= pico_node_firmware,
	.console_write	= pico_console_write,
	.console_break	= pico_console_break,
	.console_baud	= pico_console_baud,
};
