/*
 * fuzz_packet.c: libFuzzer harness over the packet decoder and the whole
 * protocol core (RMCP, ASF, RAKP, sessions, commands, bridging, the reply
 * cache, driver completions and timeouts).  Build with `make fuzz`.
 *
 * One in-memory configuration: a bridge endpoint (ep 0), a per-target
 * endpoint for the sim target at 0x72 (ep 1), a second sim target at 1
 * that answers after reply_delay, two users, suites 17 and 3.  The
 * fuzzer cannot forge HMACs, so the harness plays the console for two
 * real sessions (one per endpoint): it runs Open Session/RAKP1/RAKP3 at
 * start-up, and again whenever the core has dropped one, and can wrap
 * input bytes as authenticated, encrypted in-session payloads.
 *
 * The input is a list of records, each an op byte and its operands; a
 * record that runs past the end takes what is left.
 *
 *   op & 7   record
 *   0        RAW     len:u8 bytes     datagram as is; op bit 6: len is
 *                                     le16; bit 3 endpoint, 5:4 peer
 *   1        OPEN    count:u8         count % 32 valid Open Session
 *                                     requests (bit 6: suite 3, else 17);
 *                                     bit 7: each followed by a valid
 *                                     RAKP 1; bit 3 endpoint, 5:4 peer
 *   2        SESS    len:u8 bytes     in-session payload; op bit 4 set:
 *                                     the first byte is the payload type
 *   3        MSG     len:u8 rsSA netFn rqSA rqSeq cmd data..
 *                                     in-session IPMI request, the
 *                                     harness fills both checksums
 *   4        BRIDGE  len:u8 rqSeq chan rsSA netFn cmd data..
 *                                     in-session Send Message to rsSA,
 *                                     both checksum layers filled
 *            (SESS/MSG/BRIDGE: op bit 3 session, bits 7:5 move the
 *            console's sequence number: 0 none, else skip ahead or go
 *            back, to reach the replay window)
 *   5        LESS    len:u8 rsSA netFn rqSA rqSeq cmd data..
 *                                     session-less request with
 *                                     checksums; op bit 3: IPMI 1.5
 *                                     wrapper, else RMCP+ SID 0;
 *                                     bit 4 endpoint, bits 6:5 peer
 *   6        TICK    dt:u8            time += dt * 64 ms (op bit 3:
 *                                     dt * 1 s); core_tick(); op bit 4:
 *                                     first set the reply_delay of 0x72
 *                                     to 0, 30, 6000 or 0 ms (bits 6:5)
 *   7        TAMPER  pos:u8 xor:u8    resend the session's last
 *                                     datagram with one byte changed
 *                                     (xor 0: a plain replay)
 *
 * In the bytes of RAW, SESS, MSG, BRIDGE and LESS records "SID0" and
 * "SID1" stand for the BMC's session ID of harness session 0 or 1, and
 * "SIDh" for that of the last half-open session: the fuzzer cannot guess
 * those random numbers.
 *
 * Fake time moves 1 ms per record and core_tick() runs every 100 ms of
 * it, as the daemon's timer would.  Every datagram the core sends is
 * checked: to a harness session it must verify, decrypt and hold a
 * well-formed IPMI response; at the end of each input the session table
 * must agree with its counters and stay within its limits.
 *
 * PMBD_FUZZ_RESET=1 rebuilds the core, targets and sessions before each
 * input (slower, but an input then behaves the same whatever ran before);
 * PMBD_FUZZ_DEBUG=1 prints every datagram sent and each decrypted reply.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "addr.h"
#include "conf.h"
#include "core.h"
#include "machine.h"
#include "crypto.h"
#include "ipmi.h"
#include "msg.h"
#include "rakp.h"
#include "rmcp.h"
#include "session.h"
#include "target.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NPEERS		3
#define NCLIENTS	2
#define T0		1000000ull	/* fake ms at start-up */
#define TICK_MS		100
#define MAX_HANDSHAKES	4		/* per input */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_packet: check failed: %s: ",	\
		    #cond);						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* The console side of one session. */
struct client {
	int		 ep;
	int		 peer;
	const char	*user;
	const char	*pass;
	uint8_t		 role;
	struct session	 s;		/* sid: console's; csid: the BMC's */
	int		 up;
	uint8_t		 last[RMCP_PKT_MAX];
	size_t		 last_len;
};

static struct conf	*cf;
static struct core	*core;
static struct target	 targets[2];
static struct peer	 peers[NPEERS];
static struct client	 clients[NCLIENTS] = {
	{ .ep = 0, .peer = 0, .user = "admin", .pass = "fuzz-admin-pass",
	  .role = PRIV_ADMIN },
	{ .ep = 1, .peer = 2, .user = "oper", .pass = "fuzz-oper-pass",
	  .role = PRIV_OPERATOR },
};
static uint64_t		 now, next_tick;
static unsigned		 nhandshakes, budget;
static uint32_t		 console_sid = 0x5eed0000;
static const uint8_t	 guid[16] = "pmbd-fuzz-guid!";

/* What the fake send saw. */
static uint64_t		 tx_bytes, tx_pkts;
static uint32_t		 last_msid;	/* of the last Open Session */
static uint8_t		 cap[RMCP_PKT_MAX];
static size_t		 cap_len;
static int		 cap_ep;
static const struct peer *cap_peer;

static void
set_user(struct conf_user *u, const char *name, const char *pass,
    uint8_t priv)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->key, pass, strlen(pass));
	u->priv = priv;
}

extern const struct target_driver sim_driver;

static void *
sim_conf(int64_t reply_delay)
{
	const struct target_driver *d = &sim_driver;
	struct conf_value v = { .type = CONF_INT };
	char err[128];
	void *dc;

	CHECK(d != NULL && (dc = d->conf_new()) != NULL, "sim driver");
	v.i = reply_delay;
	CHECK(d->conf_set(dc, "reply_delay", &v, err, sizeof(err)) == 0,
	    "%s", err);
	v.i = 200;
	CHECK(d->conf_set(dc, "power_on_delay", &v, err, sizeof(err)) == 0,
	    "%s", err);
	return dc;
}

static struct conf *
conf_build(void)
{
	struct conf *c = calloc(1, sizeof(*c));
	struct conf_target *t;

	CHECK(c != NULL, "calloc");
	snprintf(c->path, sizeof(c->path), "(fuzz)");
	snprintf(c->state_dir, sizeof(c->state_dir), "/nonexistent");
	CHECK(addr_parse("127.0.0.1:623", &c->eps[0].addr) == 0, "ep0");
	CHECK(addr_parse("127.0.0.1:6272", &c->eps[1].addr) == 0,
	    "ep1");
	c->eps[0].target = 0;
	c->eps[1].target = 0x72;
	c->neps = 2;
	c->nlisten = 1;
	set_user(&c->users[0], "admin", "fuzz-admin-pass", PRIV_ADMIN);
	set_user(&c->users[1], "oper", "fuzz-oper-pass", PRIV_OPERATOR);
	c->nusers = 2;

	t = &c->targets[0];
	t->addr = 0x72;
	snprintf(t->name, sizeof(t->name), "node72");
	t->drv = &sim_driver;
	t->dconf = sim_conf(0);
	t->has_listen = 1;
	t->listen = c->eps[1].addr;
	t = &c->targets[1];
	t->addr = 1;
	snprintf(t->name, sizeof(t->name), "node1");
	t->drv = &sim_driver;
	t->dconf = sim_conf(50);		/* answers later */
	c->ntargets = 2;

	c->suites[0] = 17;
	c->suites[1] = 3;
	c->nsuites = 2;
	c->max_sessions = 64;		/* the limits: conf.c's defaults */
	c->max_half_open = 32;
	c->session_timeout = 60;
	c->target_timeout = 5000;
	c->console_history = 4096;
	c->manufacturer_id = 57253;
	c->product_id = 1;
	memcpy(c->kg, "fuzz-kg-0123456789ab", CONF_PASS_MAX);
	return c;
}

static void
peers_build(void)
{
	struct sockaddr_in *a;
	struct sockaddr_in6 *b;

	memset(peers, 0, sizeof(peers));
	for (int i = 0; i < 2; i++) {
		a = (struct sockaddr_in *)&peers[i].ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(0x0a000001u + (uint32_t)i);
		a->sin_port = htons((uint16_t)(40000 + i));
		peers[i].len = sizeof(*a);
	}
	b = (struct sockaddr_in6 *)&peers[2].ss;
	b->sin6_family = AF_INET6;
	b->sin6_addr.s6_addr[0] = 0xfe;
	b->sin6_addr.s6_addr[1] = 0x80;
	b->sin6_addr.s6_addr[15] = 1;
	b->sin6_port = htons(40002);
	peers[2].len = sizeof(*b);
}

static int
same_peer(const struct peer *a, const struct peer *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static int debug;

static void
hexdump(const char *what, int ep, const uint8_t *p, size_t n)
{
	fprintf(stderr, "fuzz_packet: %s ep %d:", what, ep);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fputc('\n', stderr);
}

/* Every datagram to a harness session must be authentic and sane. */
static void
check_reply(int ep, const struct peer *peer, const uint8_t *p, size_t n)
{
	uint8_t plain[RMCP_PAYLOAD_MAX];
	struct rmcp_pkt pkt;
	struct msg_req m;

	if (n >= 4 && p[3] == RMCP_CLASS_ASF)
		return;			/* a pong */
	CHECK(rmcp_parse(p, n, &pkt) == 0, "the core sent a datagram it "
	    "cannot parse itself (%zu bytes)", n);
	if (pkt.kind != RMCP_IPMI20 || pkt.sid == 0) {
		CHECK(!pkt.authenticated && !pkt.encrypted, "session-less "
		    "reply with auth bits");
		if (pkt.ptype == PAYLOAD_OPEN_RSP && pkt.len == 36 &&
		    pkt.payload[1] == RMCPP_OK)
			last_msid = (uint32_t)pkt.payload[8] |
			    (uint32_t)pkt.payload[9] << 8 |
			    (uint32_t)pkt.payload[10] << 16 |
			    (uint32_t)pkt.payload[11] << 24;
		return;
	}
	for (int i = 0; i < NCLIENTS; i++) {
		struct client *cl = &clients[i];

		if (!cl->up || pkt.sid != cl->s.sid)
			continue;
		CHECK(ep == cl->ep && same_peer(peer, &peers[cl->peer]),
		    "session %d: reply to the wrong endpoint or peer", i);
		CHECK(rmcp_unwrap(&cl->s, &pkt, plain) == 0, "session %d: "
		    "reply does not verify or decrypt", i);
		CHECK(pkt.ptype == PAYLOAD_IPMI, "session %d: payload type "
		    "0x%02x", i, pkt.ptype);
		CHECK(msg_parse(pkt.payload, pkt.len, &m) == 0 &&
		    (m.netfn & 1) == 1, "session %d: bad IPMI response", i);
		if (debug)
			hexdump(i == 0 ? "  session 0 reply" :
			    "  session 1 reply", ep, pkt.payload, pkt.len);
		return;
	}
	CHECK(0, "in-session datagram for console SID 0x%08x, which is no "
	    "harness session", pkt.sid);
}

static void
fake_send(void *arg, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	(void)arg;
	if (debug)
		hexdump("sent", ep, p, n);
	CHECK(ep >= 0 && (size_t)ep < cf->neps, "endpoint %d", ep);
	CHECK(n > 0 && n <= RMCP_PKT_MAX, "length %zu", n);
	tx_bytes += n;
	tx_pkts++;
	memcpy(cap, p, n);
	cap_len = n;
	cap_ep = ep;
	cap_peer = peer;
	check_reply(ep, peer, p, n);
}

static void
input(int ep, const struct peer *peer, const uint8_t *p, size_t n)
{
	core_input(core, ep, peer, p, n, now);
}

/* Send a session-less RMCP+ payload and return the payload answered. */
static const uint8_t *
exchange(struct client *cl, uint8_t ptype, const uint8_t *pl, size_t n,
    uint8_t want, size_t *ret_len)
{
	uint8_t out[RMCP_PKT_MAX];
	static struct rmcp_pkt pkt;
	size_t len;

	len = rmcp_wrap20(NULL, ptype, pl, n, out, sizeof(out));
	CHECK(len > 0, "wrap");
	cap_len = 0;
	input(cl->ep, &peers[cl->peer], out, len);
	CHECK(cap_len > 0 && cap_ep == cl->ep &&
	    same_peer(cap_peer, &peers[cl->peer]), "no answer to 0x%02x",
	    ptype);
	CHECK(rmcp_parse(cap, cap_len, &pkt) == 0 && pkt.ptype == want &&
	    pkt.sid == 0 && pkt.len >= 8, "bad answer to 0x%02x", ptype);
	CHECK(pkt.payload[1] == RMCPP_OK, "payload 0x%02x: status 0x%02x",
	    ptype, pkt.payload[1]);
	*ret_len = pkt.len;
	return pkt.payload;
}

static size_t
ipmi_req(uint8_t *out, uint8_t rs_sa, uint8_t netfn_lun, uint8_t rq_sa,
    uint8_t rq_seq, uint8_t cmd, const uint8_t *data, size_t len)
{
	out[0] = rs_sa;
	out[1] = netfn_lun;
	out[2] = buf_cksum(out, 2);
	out[3] = rq_sa;
	out[4] = rq_seq;
	out[5] = cmd;
	if (len > 0)
		memcpy(out + 6, data, len);
	out[6 + len] = buf_cksum(out + 3, 3 + len);
	return 7 + len;
}

static void
sess_send(struct client *cl, uint8_t ptype, const uint8_t *pl, size_t n)
{
	cl->last_len = rmcp_wrap20(&cl->s, ptype, pl, n, cl->last,
	    sizeof(cl->last));
	if (cl->last_len > 0)
		input(cl->ep, &peers[cl->peer], cl->last, cl->last_len);
}

/* Open Session, RAKP 1-4 as a console; then raise the privilege. */
static void
handshake(struct client *cl)
{
	uint8_t pl[64], sik[CRYPTO_MAX_MD], k1[CRYPTO_MAX_MD];
	uint8_t k2[CRYPTO_MAX_MD], md[CRYPTO_MAX_MD], rc[16], rm[16];
	int sha256 = nhandshakes % 2 == 0;
	enum crypto_hash h = sha256 ? CRYPTO_SHA256 : CRYPTO_SHA1;
	size_t mdlen = crypto_md_len(h), auth_len = sha256 ? 16 : 12, n;
	uint8_t ulen = (uint8_t)strlen(cl->user);
	const uint8_t *r;
	struct rakp_keys k;
	uint8_t kuid[CONF_PASS_MAX] = { 0 };
	uint32_t msid, csid = ++console_sid;
	struct wbuf w;

	nhandshakes++;
	if (cl->up) {
		crypto_mac_free(cl->s.mac);
		crypto_aes_free(cl->s.aes);
		cl->up = 0;
	}
	cf->has_kg = (nhandshakes / 2) % 2;	/* both SIK key choices */
	memcpy(kuid, cl->pass, strlen(cl->pass));

	/* Open Session */
	wbuf_init(&w, pl, sizeof(pl));
	wbuf_u8(&w, 0x11);			/* tag */
	wbuf_u8(&w, 0);				/* highest the user has */
	wbuf_le16(&w, 0);
	wbuf_le32(&w, csid);
	wbuf_put(&w, (uint8_t[]){ 0, 0, 0, 8, sha256 ?
	    AUTH_RAKP_HMAC_SHA256 : AUTH_RAKP_HMAC_SHA1, 0, 0, 0 }, 8);
	wbuf_put(&w, (uint8_t[]){ 1, 0, 0, 8, sha256 ?
	    INTEG_HMAC_SHA256_128 : INTEG_HMAC_SHA1_96, 0, 0, 0 }, 8);
	wbuf_put(&w, (uint8_t[]){ 2, 0, 0, 8, CONF_AES_CBC_128, 0, 0, 0 }, 8);
	r = exchange(cl, PAYLOAD_OPEN_REQ, pl, w.len, PAYLOAD_OPEN_RSP, &n);
	CHECK(n == 36 && r[0] == 0x11, "open session response");
	msid = (uint32_t)r[8] | (uint32_t)r[9] << 8 | (uint32_t)r[10] << 16 |
	    (uint32_t)r[11] << 24;
	CHECK(msid != 0 && (r[4] | r[5] << 8 | r[6] << 16 |
	    (uint32_t)r[7] << 24) == csid, "open session SIDs");

	/* RAKP 1 */
	CHECK(crypto_random(rc, sizeof(rc)) == 0, "random");
	wbuf_init(&w, pl, sizeof(pl));
	wbuf_u8(&w, 0x12);
	wbuf_fill(&w, 0, 3);
	wbuf_le32(&w, msid);
	wbuf_put(&w, rc, 16);
	wbuf_u8(&w, cl->role);
	wbuf_le16(&w, 0);
	wbuf_u8(&w, ulen);
	wbuf_put(&w, cl->user, ulen);
	r = exchange(cl, PAYLOAD_RAKP1, pl, w.len, PAYLOAD_RAKP2, &n);
	CHECK(n == 40 + mdlen && r[0] == 0x12, "RAKP 2 length %zu", n);
	memcpy(rm, r + 8, 16);
	CHECK(memcmp(r + 24, guid, 16) == 0, "RAKP 2 GUID");
	k = (struct rakp_keys){ .kuid = kuid, .kg = cf->has_kg ? cf->kg :
	    NULL, .csid = csid, .msid = msid, .rc = rc, .rm = rm,
	    .guid = guid, .role = cl->role, .ulen = ulen,
	    .user = (const uint8_t *)cl->user };
	CHECK(rakp_hmac2(h, &k, md) == 0 && memcmp(md, r + 40, mdlen) == 0,
	    "RAKP 2 HMAC");

	/* RAKP 3 */
	wbuf_init(&w, pl, sizeof(pl));
	wbuf_u8(&w, 0x13);
	wbuf_u8(&w, RMCPP_OK);
	wbuf_le16(&w, 0);
	wbuf_le32(&w, msid);
	CHECK(rakp_hmac3(h, &k, md) == 0, "hmac3");
	wbuf_put(&w, md, mdlen);
	r = exchange(cl, PAYLOAD_RAKP3, pl, w.len, PAYLOAD_RAKP4, &n);
	CHECK(n == 8 + auth_len && r[0] == 0x13, "RAKP 4 length %zu", n);
	CHECK(rakp_sik(h, &k, sik) == 0 && rakp_kn(h, sik, 1, k1) == 0 &&
	    rakp_kn(h, sik, 2, k2) == 0 && rakp_icv4(h, sik, &k, md) == 0,
	    "keys");
	CHECK(memcmp(md, r + 8, auth_len) == 0, "RAKP 4 ICV");

	memset(&cl->s, 0, sizeof(cl->s));
	cl->s.state = SESSION_ACTIVE;
	cl->s.sid = csid;
	cl->s.csid = msid;		/* rmcp_wrap20 writes csid */
	cl->s.hash = h;
	cl->s.auth_len = (uint8_t)auth_len;
	CHECK((cl->s.aes = crypto_aes_new(k2)) != NULL, "aes");
	CHECK((cl->s.mac = crypto_mac_new(h, k1, mdlen)) != NULL, "mac");
	cl->up = 1;
	cl->last_len = 0;

	/* Set Session Privilege Level to the role asked for. */
	n = ipmi_req(pl, IPMI_BMC_ADDR, NETFN_APP << 2, IPMI_REMOTE_SWID,
	    0x04, APP_SET_SESSION_PRIV, &cl->role, 1);
	cap_len = 0;
	sess_send(cl, PAYLOAD_IPMI, pl, n);
	CHECK(cap_len > 0, "no answer to Set Session Privilege");
}

static int
client_alive(const struct client *cl)
{
	const struct session *s;

	if (!cl->up)
		return 0;
	s = session_find(&core->st, cl->s.csid);
	return s != NULL && s->state == SESSION_ACTIVE && s->csid == cl->s.sid;
}

/* A live session to use, or NULL when this input has had its share. */
static struct client *
client_get(int i)
{
	struct client *cl = &clients[i];

	if (client_alive(cl))
		return cl;
	if (budget == 0)
		return NULL;
	budget--;
	handshake(cl);
	return cl;
}

/* How long the target at 0x72 takes to answer, changed at run time. */
static void
set_delay72(unsigned how)
{
	static const int64_t delay[4] = { 0, 30, 6000, 0 };
	struct conf_value v = { .type = CONF_INT, .i = delay[how & 3] };
	char err[64];

	CHECK(cf->targets[0].drv->conf_set(cf->targets[0].dconf,
	    "reply_delay", &v, err, sizeof(err)) == 0, "%s", err);
}

static void
world_start(void)
{
	struct core_ops ops = { .send = fake_send };

	now = T0;
	next_tick = T0 + TICK_MS;
	CHECK((core = core_new(cf, &ops, guid)) != NULL, "core_new");
	for (size_t i = 0; i < cf->ntargets; i++) {
		struct target *t = &targets[i];

		memset(t, 0, sizeof(*t));
		target_setup(t, &cf->targets[i]);
		memset(t->st.guid, (int)i + 1, sizeof(t->st.guid));
		target_solcfg_default(&t->st.sol);
		CHECK(machine_add(t, cf->console_history, now) == 0,
		    "machine_add");
		CHECK(core_add_target(core, t) == 0, "core_add_target");
		CHECK(target_start(t, now) == 0, "target start");
	}
	set_delay72(0);
	nhandshakes = 0;
	for (int i = 0; i < NCLIENTS; i++)
		handshake(&clients[i]);
}

static void
world_stop(void)
{
	core = core_free(core);
	for (size_t i = 0; i < cf->ntargets; i++) {
		target_stop(&targets[i]);
		machine_remove(&targets[i]);
	}
	for (int i = 0; i < NCLIENTS; i++)
		if (clients[i].up) {
			clients[i].s.mac = crypto_mac_free(clients[i].s.mac);
			clients[i].s.aes = crypto_aes_free(clients[i].s.aes);
			clients[i].up = 0;
		}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	debug = getenv("PMBD_FUZZ_DEBUG") != NULL;
	log_init(1, 0);
	CHECK(crypto_init() == 0, "crypto_init");
	peers_build();
	cf = conf_build();
	world_start();
	return 0;
}

static void
clock_advance(uint64_t ms)
{
	now += ms;
	if (now >= next_tick) {		/* one late tick after a jump */
		machine_tick(now);
		core_tick(core, now);
		next_tick = now + TICK_MS;
	}
}

/*
 * Move the console's sequence number to reach the replay window: skip
 * ahead for good, or go back for this one datagram.  The value to
 * restore after it, or 0.
 */
static uint32_t
seq_move(struct client *cl, unsigned how)
{
	static const int32_t delta[8] = { 0, 1, 4, 14, -1, -2, -8, -30 };
	uint32_t saved = cl->s.out_seq;

	cl->s.out_seq += (uint32_t)delta[how & 7];
	return delta[how & 7] < 0 ? saved : 0;
}

static void
check_table(void)
{
	const struct session_table *st = &core->st;
	unsigned na = 0, nh = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct session *s = &st->s[i];

		CHECK(s->slot == i, "slot %zu says %u", i, s->slot);
		if (s->state == SESSION_FREE)
			continue;
		CHECK(session_find(st, s->sid) == s, "slot %zu: SID 0x%08x "
		    "not found by lookup", i, s->sid);
		if (s->state == SESSION_ACTIVE) {
			na++;
			CHECK(s->mac != NULL && (s->auth_len == 12 ||
			    s->auth_len == 16), "active session keys");
		} else
			nh++;
	}
	CHECK(na == st->nactive && nh == st->nhalf, "counted %u active %u "
	    "half-open, table says %u/%u", na, nh, st->nactive, st->nhalf);
	CHECK(st->nactive <= st->max_active && st->nhalf <= st->max_half,
	    "over budget: %u/%u active, %u/%u half-open", st->nactive,
	    st->max_active, st->nhalf, st->max_half);
}

/* Bytes of a record: up to len, as many as there are; never NULL. */
static const uint8_t *
take(struct buf *b, size_t len, size_t *ret)
{
	static const uint8_t none[1];
	size_t n = buf_left(b) < len ? buf_left(b) : len;
	const uint8_t *p = buf_take(b, n);

	*ret = p != NULL ? n : 0;
	return p != NULL ? p : none;
}

/*
 * Input bytes into dst, with the SIDs the fuzzer cannot guess put in:
 * "SID0" and "SID1" become the BMC's session ID of harness session 0
 * or 1, "SIDh" that of the last half-open session (little-endian).
 */
static void
fill(uint8_t *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	for (size_t i = 0; i + 4 <= n; i++) {
		uint32_t v;

		if (memcmp(dst + i, "SID", 3) != 0)
			continue;
		if (dst[i + 3] == '0' || dst[i + 3] == '1')
			v = clients[dst[i + 3] - '0'].s.csid;
		else if (dst[i + 3] == 'h')
			v = last_msid;
		else
			continue;
		dst[i] = v & 0xff;
		dst[i + 1] = (v >> 8) & 0xff;
		dst[i + 2] = (v >> 16) & 0xff;
		dst[i + 3] = v >> 24;
		i += 3;
	}
}

/* Open count sessions as a console would; rakp1: take them to RAKP 2. */
static void
open_many(int ep, const struct peer *peer, unsigned count, int sha1,
    int rakp1)
{
	uint8_t pl[64], out[RMCP_PKT_MAX];
	struct rmcp_pkt pkt;
	struct wbuf w;
	size_t n;

	for (unsigned i = 0; i < count; i++) {
		wbuf_init(&w, pl, sizeof(pl));
		wbuf_u8(&w, (uint8_t)i);
		wbuf_u8(&w, 0);
		wbuf_le16(&w, 0);
		wbuf_le32(&w, 0x0b000000u + i);
		wbuf_put(&w, (uint8_t[]){ 0, 0, 0, 8, sha1 ?
		    AUTH_RAKP_HMAC_SHA1 : AUTH_RAKP_HMAC_SHA256, 0, 0, 0 }, 8);
		wbuf_put(&w, (uint8_t[]){ 1, 0, 0, 8, sha1 ?
		    INTEG_HMAC_SHA1_96 : INTEG_HMAC_SHA256_128, 0, 0, 0 }, 8);
		wbuf_put(&w, (uint8_t[]){ 2, 0, 0, 8, CONF_AES_CBC_128, 0, 0,
		    0 }, 8);
		n = rmcp_wrap20(NULL, PAYLOAD_OPEN_REQ, pl, w.len, out,
		    sizeof(out));
		cap_len = 0;
		input(ep, peer, out, n);
		if (!rakp1 || cap_len == 0 || rmcp_parse(cap, cap_len,
		    &pkt) != 0 || pkt.ptype != PAYLOAD_OPEN_RSP ||
		    pkt.len != 36 || pkt.payload[1] != RMCPP_OK)
			continue;
		wbuf_init(&w, pl, sizeof(pl));
		wbuf_u8(&w, (uint8_t)i);
		wbuf_fill(&w, 0, 3);
		wbuf_put(&w, pkt.payload + 8, 4);	/* the BMC's SID */
		wbuf_fill(&w, 0x5a, 16);
		wbuf_u8(&w, PRIV_ADMIN);
		wbuf_le16(&w, 0);
		wbuf_u8(&w, 5);
		wbuf_put(&w, "admin", 5);
		n = rmcp_wrap20(NULL, PAYLOAD_RAKP1, pl, w.len, out,
		    sizeof(out));
		input(ep, peer, out, n);
	}
}

static void
run_record(uint8_t op, struct buf *b)
{
	uint8_t msg[2 * RMCP_PKT_MAX], buf[RMCP_PKT_MAX], f[8] = { 0 };
	const uint8_t *p;
	struct client *cl;
	uint32_t seq;
	size_t n, m;

	switch (op & 7) {
	case 0:
		n = (op & 0x40) ? buf_le16(b) : buf_u8(b);
		p = take(b, n, &n);
		if (n > sizeof(buf))
			n = sizeof(buf);
		fill(buf, p, n);
		input((op >> 3) & 1, &peers[((op >> 4) & 3) % NPEERS], buf, n);
		return;
	case 1:
		open_many((op >> 3) & 1, &peers[((op >> 4) & 3) % NPEERS],
		    buf_u8(b) % 32, (op >> 6) & 1, (op >> 7) & 1);
		return;
	case 2:
	case 3:
	case 4:
		n = buf_u8(b);
		p = take(b, n, &n);
		fill(buf, p, n);
		p = buf;
		if ((cl = client_get((op >> 3) & 1)) == NULL)
			return;
		seq = seq_move(cl, op >> 5);
		if ((op & 7) == 2) {
			uint8_t pt = PAYLOAD_IPMI;

			if ((op & 0x10) && n > 0) {
				pt = p[0] & IPMI_PAYLOAD_TYPE_MASK;
				p++;
				n--;
			}
			sess_send(cl, pt, p, n);
			if (seq != 0)
				cl->s.out_seq = seq;
			return;
		}
		m = n < 5 ? n : 5;
		memcpy(f, p, m);
		if ((op & 7) == 3) {
			n = ipmi_req(msg, f[0], f[1], f[2], f[3], f[4], p + m,
			    n - m);
		} else {
			/* [channel] + inner request, in the outer's data. */
			uint8_t inner[RMCP_PKT_MAX];

			inner[0] = f[1];
			n = 1 + ipmi_req(inner + 1, f[2], f[3],
			    IPMI_REMOTE_SWID, f[0], f[4], p + m, n - m);
			n = ipmi_req(msg, IPMI_BMC_ADDR, NETFN_APP << 2,
			    IPMI_REMOTE_SWID, f[0], APP_SEND_MESSAGE, inner,
			    n);
		}
		sess_send(cl, PAYLOAD_IPMI, msg, n);
		if (seq != 0)
			cl->s.out_seq = seq;
		return;
	case 5: {
		uint8_t out[2 * RMCP_PKT_MAX];

		n = buf_u8(b);
		p = take(b, n, &n);
		fill(buf, p, n);
		m = n < 5 ? n : 5;
		memcpy(f, buf, m);
		n = ipmi_req(msg, f[0], f[1], f[2], f[3], f[4], buf + m,
		    n - m);
		if (op & 0x08)
			n = rmcp_wrap15(msg, n, out, sizeof(out));
		else
			n = rmcp_wrap20(NULL, PAYLOAD_IPMI, msg, n, out,
			    sizeof(out));
		input((op >> 4) & 1, &peers[((op >> 5) & 3) % NPEERS], out, n);
		return;
	}
	case 6:
		n = buf_u8(b);
		if (op & 0x10)
			set_delay72(op >> 5);
		clock_advance(n * ((op & 0x08) ? 1000u : 64u));
		machine_tick(now);
		core_tick(core, now);
		return;
	case 7: {
		uint8_t pos = buf_u8(b), x = buf_u8(b);

		cl = &clients[(op >> 3) & 1];
		if (!client_alive(cl) || cl->last_len == 0)
			return;
		memcpy(msg, cl->last, cl->last_len);
		msg[pos % cl->last_len] ^= x;
		input(cl->ep, &peers[cl->peer], msg, cl->last_len);
		return;
	}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int reset = -1;
	struct buf b;

	if (reset < 0) {
		const char *e = getenv("PMBD_FUZZ_RESET");

		reset = e != NULL && e[0] == '1';
	}
	if (reset) {
		world_stop();
		world_start();
	}
	budget = MAX_HANDSHAKES;
	buf_init(&b, data, size);
	while (buf_left(&b) > 0) {
		uint8_t op = buf_u8(&b);

		clock_advance(1);
		run_record(op, &b);
	}
	check_table();
	if (debug)
		fprintf(stderr, "fuzz_packet: %llu datagrams, %llu bytes sent "
		    "so far\n", (unsigned long long)tx_pkts,
		    (unsigned long long)tx_bytes);
	return 0;
}
