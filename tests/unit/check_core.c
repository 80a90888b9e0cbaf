/*
 * check_core.c: the protocol core driven through core_input() by a test
 * client that plays ipmitool's side of RMCP+, with a fake driver that
 * counts what it is asked to do.  No sockets, no event loop.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "buf.h"
#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "msg.h"
#include "rakp.h"
#include "rmcp.h"
#include "test.h"

/* ---- captured output ---------------------------------------------- */

#define OUT_MAX 16
static uint8_t out[OUT_MAX][1024];
static size_t out_len[OUT_MAX];
static int nout;

static void
fake_send(void *arg, int ep, const struct peer *p, const uint8_t *b,
    size_t n)
{
	(void)arg, (void)ep, (void)p;
	ck_assert_int_lt(nout, OUT_MAX);
	memcpy(out[nout], b, n);
	out_len[nout++] = n;
}

static int npersist;
static void
fake_persist(void *arg, const struct target *t)
{
	(void)arg, (void)t;
	npersist++;
}

/* ---- a fake driver ------------------------------------------------- */

static int fake_calls, fake_pending, fake_on;
static uint32_t fake_token;

static void
fake_status(struct target_src *t, uint64_t now, struct target_status *st)
{
	(void)t, (void)now;
	st->power_on = fake_on;
	st->power_known = 1;
}

static int
fake_power(struct target_src *t, uint64_t now, enum target_power a,
    uint32_t tok)
{
	(void)t, (void)now;
	fake_calls++;
	fake_token = tok;
	if (a == TARGET_POWER_ON)
		fake_on = 1;
	else if (a == TARGET_POWER_OFF)
		fake_on = 0;
	return fake_pending ? TARGET_PENDING : CC_OK;
}

static const struct target_sensor fake_sensors[] = {
	{ "Temp", 0x01, 1, 1, 0, 1, 80, 95 },
	{ "Rail", 0x02, 4, 1, -1, 0, 0, 0 },
};

static size_t
fake_sensor_list(struct target_src *t, const struct target_sensor **ret)
{
	(void)t;
	*ret = fake_sensors;
	return 2;
}

static int
fake_sensor_read(struct target_src *t, uint64_t now, size_t i, uint8_t *raw)
{
	(void)t, (void)now;
	if (i == 1)
		return -1;			/* rail: no reading */
	*raw = 96;				/* above critical */
	return 0;
}

static const struct target_driver fake_driver = {
	.name = "fake", .status = fake_status, .power = fake_power,
	.sensor_list = fake_sensor_list, .sensor_read = fake_sensor_read,
};

/* ---- fixture ------------------------------------------------------- */

static struct conf cf;
static struct core *core;
static struct target t1, t72;
static const uint8_t guid[16] = "0123456789abcdef";
static uint64_t now = 1000000;

static void
add_user(const char *name, const char *pass, uint8_t priv)
{
	struct conf_user *u = &cf.users[cf.nusers++];

	strcpy(u->name, name);
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->key, pass, strlen(pass));
	u->priv = priv;
}

static void
setup(void)
{
	struct core_ops ops = { .send = fake_send, .persist = fake_persist };

	memset(&cf, 0, sizeof(cf));
	cf.neps = 2;
	cf.nlisten = 1;
	cf.eps[1].target = 0x72;
	cf.suites[0] = 17;
	cf.suites[1] = 3;
	cf.nsuites = 2;
	cf.max_sessions = 8;
	cf.max_half_open = 4;
	cf.session_timeout = 60;
	cf.target_timeout = 5000;
	cf.console_history = 4096;
	add_user("admin", "secretpass1", PRIV_ADMIN);
	add_user("viewer", "viewerpass1", PRIV_USER);
	add_user("op", "operatorpass", PRIV_OPERATOR);
	core = core_new(&cf, &ops, guid);
	ck_assert_ptr_nonnull(core);
	memset(&t1, 0, sizeof(t1));
	memset(&t72, 0, sizeof(t72));
	t1.addr = 1;
	t72.addr = 0x72;
	t1.main = (struct target_src){ &t1, &fake_driver, NULL, NULL };
	t72.main = (struct target_src){ &t72, &fake_driver, NULL, NULL };
	target_solcfg_default(&t1.st.sol);
	target_solcfg_default(&t72.st.sol);
	ck_assert_int_eq(core_add_target(core, &t1), 0);
	ck_assert_int_eq(core_add_target(core, &t72), 0);
	nout = npersist = fake_calls = fake_pending = fake_on = 0;
}

static void
teardown(void)
{
	core = core_free(core);
}

/* ---- the test client ----------------------------------------------- */

struct client {
	int		 ep;
	struct peer	 peer;
	struct session	 cs;		/* our view: csid = pmbd's SID */
	uint8_t		 rqseq;
	uint8_t		 last[1024];	/* last datagram sent */
	size_t		 last_len;
};

static void
client_init(struct client *c, int ep, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	c->ep = ep;
	c->peer.ss.ss_family = AF_INET;
	((struct sockaddr_in *)&c->peer.ss)->sin_port = htons(port);
	c->peer.len = sizeof(struct sockaddr_in);
}

static void
client_input(struct client *c, const uint8_t *p, size_t n)
{
	memcpy(c->last, p, n);
	c->last_len = n;
	core_input(core, c->ep, &c->peer, p, n, now);
}

static void
send_presession(struct client *c, uint8_t ptype, const uint8_t *p, size_t n)
{
	uint8_t pkt[256];

	nout = 0;
	client_input(c, pkt, rmcp_wrap20(NULL, ptype, p, n, pkt, sizeof(pkt)));
}

/* The payload of captured datagram i (pre-session: not encrypted). */
static const uint8_t *
reply_payload(int i, uint8_t want_type, size_t *ret_len)
{
	struct rmcp_pkt pkt;

	ck_assert_int_lt(i, nout);
	ck_assert_int_eq(rmcp_parse(out[i], out_len[i], &pkt), 0);
	ck_assert_uint_eq(pkt.ptype, want_type);
	*ret_len = pkt.len;
	return pkt.payload;
}

static void
put_alg(uint8_t *p, uint8_t type, uint8_t alg)
{
	memset(p, 0, 8);
	p[0] = type;
	p[3] = 8;
	p[4] = alg;
}

/* Open Session with the given algorithms: the status, SID in *msid. */
static int
open_session(struct client *c, uint8_t a, uint8_t i, uint8_t cf_, uint32_t *msid)
{
	uint8_t req[32] = { 0x00, 0x00, 0, 0, 0xa4, 0xa3, 0xa2, 0xa0 };
	const uint8_t *r;
	size_t n;

	put_alg(req + 8, 0, a);
	put_alg(req + 16, 1, i);
	put_alg(req + 24, 2, cf_);
	send_presession(c, PAYLOAD_OPEN_REQ, req, sizeof(req));
	ck_assert_int_eq(nout, 1);
	r = reply_payload(0, PAYLOAD_OPEN_RSP, &n);
	if (r[1] == 0) {
		ck_assert_uint_eq(n, 36);
		ck_assert_uint_eq(r[2], PRIV_ADMIN);
		*msid = (uint32_t)(r[8] | r[9] << 8 | r[10] << 16 |
		    (uint32_t)r[11] << 24);
	} else
		ck_assert_uint_eq(n, 8);
	return r[1];
}

/* A full login; 0 or the failing RMCP+ status. */
static int
login(struct client *c, const char *user, const char *pass, int suite,
    uint8_t role)
{
	enum crypto_hash h = suite == 17 ? CRYPTO_SHA256 : CRYPTO_SHA1;
	size_t mdlen = crypto_md_len(h), n, ulen = strlen(user);
	uint8_t req[64], kuid[20] = { 0 }, rc[16], rm[16], g[16];
	uint8_t sik[32], k1[32], k2[32], md[32];
	struct rakp_keys k;
	const uint8_t *r;
	uint32_t msid = 0;
	int st, bad2;

	st = suite == 17 ? open_session(c, 3, 4, 1, &msid) :
	    open_session(c, 1, 1, 1, &msid);
	if (st != 0)
		return st;
	memcpy(kuid, pass, strlen(pass));
	memset(rc, 0x5a, sizeof(rc));
	memset(req, 0, sizeof(req));
	memcpy(req + 4, &msid, 4);			/* little endian host */
	memcpy(req + 8, rc, 16);
	req[24] = role;
	req[27] = (uint8_t)ulen;
	memcpy(req + 28, user, ulen);
	send_presession(c, PAYLOAD_RAKP1, req, 28 + ulen);
	ck_assert_int_eq(nout, 1);
	r = reply_payload(0, PAYLOAD_RAKP2, &n);
	if (r[1] != 0)
		return r[1];
	ck_assert_uint_eq(n, 40 + mdlen);
	memcpy(rm, r + 8, 16);
	memcpy(g, r + 24, 16);
	ck_assert_mem_eq(g, guid, 16);
	k = (struct rakp_keys){ .kuid = kuid, .csid = 0xa0a2a3a4, .msid = msid,
	    .rc = rc, .rm = rm, .guid = g, .role = role,
	    .ulen = (uint8_t)ulen, .user = (const uint8_t *)user };
	ck_assert_int_eq(rakp_hmac2(h, &k, md), 0);
	/* A wrong password shows here; go on as an attacker would. */
	bad2 = !crypto_memeq(md, r + 40, mdlen);
	memset(req, 0, sizeof(req));
	memcpy(req + 4, &msid, 4);
	ck_assert_int_eq(rakp_hmac3(h, &k, req + 8), 0);
	send_presession(c, PAYLOAD_RAKP3, req, 8 + mdlen);
	ck_assert_int_eq(nout, 1);
	r = reply_payload(0, PAYLOAD_RAKP4, &n);
	if (r[1] != 0)
		return r[1];
	ck_assert_int_eq(bad2, 0);
	rakp_sik(h, &k, sik);
	rakp_kn(h, sik, 1, k1);
	rakp_kn(h, sik, 2, k2);
	rakp_icv4(h, sik, &k, md);
	ck_assert_uint_eq(n, 8 + (suite == 17 ? 16 : 12));
	ck_assert_mem_eq(r + 8, md, n - 8);
	c->cs.csid = msid;
	c->cs.hash = h;
	c->cs.auth_len = suite == 17 ? 16 : 12;
	c->cs.mac = crypto_mac_new(h, k1, mdlen);
	c->cs.aes = crypto_aes_new(k2);
	return 0;
}

static void
client_free(struct client *c)
{
	c->cs.mac = crypto_mac_free(c->cs.mac);
	c->cs.aes = crypto_aes_free(c->cs.aes);
}

/* Send one in-session request; rqSeq given (retries reuse it). */
static void
request(struct client *c, uint8_t seq, uint8_t netfn, uint8_t cmd,
    const uint8_t *data, size_t len)
{
	struct msg_req m = { .rs_sa = 0x20, .netfn = netfn, .rq_sa = 0x81,
	    .rq_seq = seq, .cmd = cmd, .data = data, .len = len };
	uint8_t msg[300], pkt[1024];
	size_t n = msg_request(&m, msg, sizeof(msg));

	nout = 0;
	client_input(c, pkt, rmcp_wrap20(&c->cs, PAYLOAD_IPMI, msg, n, pkt,
	    sizeof(pkt)));
}

/* Decrypt captured reply i into msg; returns its length. */
static size_t
reply(struct client *c, int i, uint8_t *msg)
{
	struct rmcp_pkt pkt;
	uint8_t plain[512];

	ck_assert_int_lt(i, nout);
	ck_assert_int_eq(rmcp_parse(out[i], out_len[i], &pkt), 0);
	ck_assert_int_eq(rmcp_unwrap(&c->cs, &pkt, plain), 0);
	memcpy(msg, pkt.payload, pkt.len);
	return pkt.len;
}

/* Completion code of reply i (checksums verified). */
static int
reply_cc(struct client *c, int i, uint8_t want_cmd)
{
	uint8_t m[512];
	size_t n = reply(c, i, m);

	ck_assert_uint_ge(n, 8);
	ck_assert_uint_eq(buf_cksum(m, 3), 0);
	ck_assert_uint_eq(buf_cksum(m + 3, n - 3), 0);
	ck_assert_uint_eq(m[5], want_cmd);
	return m[6];
}

static struct client cl;

static void
admin_login(int ep)
{
	client_init(&cl, ep, 40000);
	ck_assert_int_eq(login(&cl, "admin", "secretpass1", 17, 0x14), 0);
	request(&cl, 1, NETFN_APP, APP_SET_SESSION_PRIV,
	    (const uint8_t *)"\x04", 1);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SET_SESSION_PRIV), 0);
}

/* ---- tests --------------------------------------------------------- */

START_TEST(login_suites)
{
	uint8_t m[512];

	client_init(&cl, 0, 40000);
	ck_assert_int_eq(login(&cl, "admin", "secretpass1", _i, 0x14), 0);
	request(&cl, 1, NETFN_APP, APP_GET_DEVICE_ID, NULL, 0);
	ck_assert_int_eq(nout, 1);
	ck_assert_uint_eq(reply(&cl, 0, m), 8 + 15);
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(m[7], IPMI_BMC_ADDR);
	ck_assert_uint_eq(core->st.nactive, 1);
	client_free(&cl);
}
END_TEST

START_TEST(login_refused)
{
	uint32_t sid;

	client_init(&cl, 0, 40000);
	ck_assert_int_eq(login(&cl, "admin", "wrongpass1", 3, 0x14),
	    RMCPP_INVALID_ICV);
	ck_assert_int_eq(login(&cl, "nobody", "secretpass1", 3, 0x14),
	    RMCPP_UNAUTH_NAME);
	ck_assert_int_eq(login(&cl, "", "", 3, 0x14), RMCPP_UNAUTH_NAME);
	/* viewer may not ask for ADMINISTRATOR */
	ck_assert_int_eq(login(&cl, "viewer", "viewerpass1", 3, 0x14),
	    RMCPP_INVALID_ROLE);
	ck_assert_int_eq(login(&cl, "admin", "secretpass1", 3, 0x15),
	    RMCPP_INVALID_ROLE);
	ck_assert_uint_eq(core->st.nactive, 0);
	ck_assert_uint_eq(core->st.nhalf, 0);
	/* Cipher suite 0, 1, 2 and 3-with-SHA256-integrity: no session. */
	ck_assert_int_eq(open_session(&cl, 0, 0, 0, &sid),
	    RMCPP_INVALID_AUTH_ALG);
	ck_assert_int_eq(open_session(&cl, 1, 0, 0, &sid),
	    RMCPP_INVALID_INTEG_ALG);
	ck_assert_int_eq(open_session(&cl, 1, 1, 0, &sid),
	    RMCPP_INVALID_CONF_ALG);
	ck_assert_int_eq(open_session(&cl, 1, 4, 1, &sid),
	    RMCPP_NO_CIPHER_SUITE);
	ck_assert_uint_eq(core->st.nhalf, 0);
	cf.suites[0] = 3;			/* suite 17 disabled */
	cf.nsuites = 1;
	ck_assert_int_eq(open_session(&cl, 3, 4, 1, &sid),
	    RMCPP_INVALID_AUTH_ALG);
	ck_assert_uint_eq(core->st.nhalf, 0);
}
END_TEST

START_TEST(replay_dropped)
{
	uint8_t pkt[1024];
	size_t n;

	admin_login(0);
	request(&cl, 2, NETFN_APP, APP_GET_DEVICE_ID, NULL, 0);
	ck_assert_int_eq(nout, 1);
	memcpy(pkt, cl.last, cl.last_len);
	n = cl.last_len;
	nout = 0;
	client_input(&cl, pkt, n);		/* byte-identical replay */
	ck_assert_int_eq(nout, 0);
	ck_assert_uint_eq(core->stats.replays, 1);
	pkt[n - 1] ^= 1;			/* bad AuthCode */
	client_input(&cl, pkt, n);
	ck_assert_int_eq(nout, 0);
	/* Unauthenticated packet on an active session. */
	pkt[5] = PAYLOAD_IPMI;
	client_input(&cl, pkt, n);
	ck_assert_int_eq(nout, 0);
	client_free(&cl);
}
END_TEST

START_TEST(privilege_table)
{
	const uint8_t on = TARGET_POWER_ON, boot[] = { 5, 0x80, 4, 0, 0, 0 };

	client_init(&cl, 1, 40000);		/* per-target endpoint 0x72 */
	ck_assert_int_eq(login(&cl, "viewer", "viewerpass1", 17, 0x12), 0);
	request(&cl, 1, NETFN_CHASSIS, CHASSIS_GET_STATUS, NULL, 0);
	ck_assert_int_eq(reply_cc(&cl, 0, CHASSIS_GET_STATUS), 0);
	request(&cl, 2, NETFN_CHASSIS, CHASSIS_CONTROL, &on, 1);
	ck_assert_int_eq(reply_cc(&cl, 0, CHASSIS_CONTROL), CC_PRIV);
	ck_assert_int_eq(fake_calls, 0);
	request(&cl, 3, NETFN_APP, APP_SET_SESSION_PRIV,
	    (const uint8_t *)"\x04", 1);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SET_SESSION_PRIV),
	    CC_PRIV_EXCEEDS);
	request(&cl, 4, NETFN_CHASSIS, CHASSIS_SET_BOOT, boot, sizeof(boot));
	ck_assert_int_eq(reply_cc(&cl, 0, CHASSIS_SET_BOOT), CC_PRIV);
	client_free(&cl);

	client_init(&cl, 1, 40001);
	ck_assert_int_eq(login(&cl, "op", "operatorpass", 3, 0x13), 0);
	request(&cl, 1, NETFN_APP, APP_SET_SESSION_PRIV,
	    (const uint8_t *)"\x03", 1);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SET_SESSION_PRIV), 0);
	request(&cl, 2, NETFN_CHASSIS, CHASSIS_CONTROL, &on, 1);
	ck_assert_int_eq(reply_cc(&cl, 0, CHASSIS_CONTROL), 0);
	ck_assert_int_eq(fake_calls, 1);
	request(&cl, 3, NETFN_CHASSIS, CHASSIS_SET_BOOT, boot, sizeof(boot));
	ck_assert_int_eq(reply_cc(&cl, 0, CHASSIS_SET_BOOT), 0);
	ck_assert_int_eq(npersist, 1);
	ck_assert_uint_eq(t72.st.boot.flags[1], 4);
	request(&cl, 4, NETFN_APP, APP_COLD_RESET, NULL, 0);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_COLD_RESET), CC_PRIV);
	/* Unknown command, wrong length. */
	request(&cl, 5, 0x2c, 0x3e, NULL, 0);
	ck_assert_int_eq(reply_cc(&cl, 0, 0x3e), CC_INVALID_CMD);
	request(&cl, 6, NETFN_CHASSIS, CHASSIS_CONTROL, NULL, 0);
	ck_assert_int_eq(reply_cc(&cl, 0, CHASSIS_CONTROL), CC_REQ_LEN);
	client_free(&cl);
}
END_TEST

/* Send Message wrapping the inner request to `to`. */
static void
bridged(struct client *c, uint8_t seq, uint8_t to, uint8_t netfn,
    uint8_t cmd, const uint8_t *data, size_t len)
{
	struct msg_req in = { .rs_sa = to, .netfn = netfn, .rq_sa = 0x81,
	    .rq_seq = seq, .cmd = cmd, .data = data, .len = len };
	uint8_t sm[300];
	size_t n;

	sm[0] = 0x40;
	n = msg_request(&in, sm + 1, sizeof(sm) - 1);
	request(c, seq, NETFN_APP, APP_SEND_MESSAGE, sm, n + 1);
}

START_TEST(bridging)
{
	uint8_t m[512];
	size_t n;

	admin_login(0);
	fake_on = 1;
	bridged(&cl, 7, 0x72, NETFN_CHASSIS, CHASSIS_GET_STATUS, NULL, 0);
	ck_assert_int_eq(nout, 2);
	n = reply(&cl, 0, m);
	ck_assert_uint_eq(n, 8);		/* exactly the 8 bytes */
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(m[5], APP_SEND_MESSAGE);
	n = reply(&cl, 1, m);
	ck_assert_uint_eq(m[0], 0x81);
	ck_assert_uint_eq(m[1], (NETFN_CHASSIS | 1) << 2);
	ck_assert_uint_eq(m[3], 0x72);
	ck_assert_uint_eq(m[4], 7 << 2);
	ck_assert_uint_eq(m[5], CHASSIS_GET_STATUS);
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(m[7] & 1, 1);		/* power on */
	ck_assert_uint_eq(buf_cksum(m + 3, n - 3), 0);
	/* Unknown target: one packet, 83h. */
	bridged(&cl, 8, 0x05, NETFN_CHASSIS, CHASSIS_GET_STATUS, NULL, 0);
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SEND_MESSAGE), CC_SENDMSG_NAK);
	/* To pmbd's own address: runs locally (ipmitool -m). */
	bridged(&cl, 9, 0x20, NETFN_APP, APP_GET_DEVICE_ID, NULL, 0);
	ck_assert_int_eq(nout, 2);
	reply(&cl, 1, m);
	ck_assert_uint_eq(m[3], 0x20);
	ck_assert_uint_eq(m[7], 0x20);
	/* Nested Send Message: refused in the outer response. */
	{
		uint8_t inner[32];
		struct msg_req r = { .rs_sa = 0x72, .netfn = NETFN_CHASSIS,
		    .rq_sa = 0x81, .rq_seq = 10, .cmd = 1 };

		inner[0] = 0x40;
		n = msg_request(&r, inner + 1, sizeof(inner) - 1);
		bridged(&cl, 10, 0x72, NETFN_APP, APP_SEND_MESSAGE, inner,
		    n + 1);
		ck_assert_int_eq(nout, 1);
		ck_assert_int_eq(reply_cc(&cl, 0, APP_SEND_MESSAGE),
		    CC_INVALID_FIELD);
	}
	/* Session commands cannot be bridged. */
	bridged(&cl, 11, 0x72, NETFN_APP, APP_SET_SESSION_PRIV,
	    (const uint8_t *)"\x02", 1);
	ck_assert_int_eq(nout, 2);
	ck_assert_int_eq(reply_cc(&cl, 1, APP_SET_SESSION_PRIV),
	    CC_INVALID_CMD);
	client_free(&cl);
}
END_TEST

START_TEST(retry_not_executed_twice)
{
	const uint8_t cycle = TARGET_POWER_CYCLE;
	uint8_t a[512], b[512];
	size_t na, nb;

	admin_login(1);
	request(&cl, 5, NETFN_CHASSIS, CHASSIS_CONTROL, &cycle, 1);
	ck_assert_int_eq(nout, 1);
	na = reply(&cl, 0, a);
	request(&cl, 5, NETFN_CHASSIS, CHASSIS_CONTROL, &cycle, 1);
	ck_assert_int_eq(nout, 1);		/* answered ... */
	nb = reply(&cl, 0, b);
	ck_assert_int_eq(fake_calls, 1);	/* ... but not run again */
	ck_assert_uint_eq(na, nb);
	ck_assert_mem_eq(a, b, na);
	ck_assert_uint_eq(core->stats.retries, 1);
	/* Bridged retry: both packets again, still one press. */
	bridged(&cl, 6, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &cycle, 1);
	ck_assert_int_eq(nout, 2);
	bridged(&cl, 6, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &cycle, 1);
	ck_assert_int_eq(nout, 2);
	ck_assert_int_eq(fake_calls, 2);
	/* A new rqSeq is a new request. */
	request(&cl, 7, NETFN_CHASSIS, CHASSIS_CONTROL, &cycle, 1);
	ck_assert_int_eq(fake_calls, 3);
	/* After the cache lifetime the same bytes run again. */
	now += SESSION_RCACHE_TTL_MS;
	request(&cl, 7, NETFN_CHASSIS, CHASSIS_CONTROL, &cycle, 1);
	ck_assert_int_eq(fake_calls, 4);
	client_free(&cl);
}
END_TEST

START_TEST(async_completion)
{
	const uint8_t off = TARGET_POWER_OFF;

	admin_login(0);
	fake_pending = 1;
	bridged(&cl, 3, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	ck_assert_int_eq(nout, 0);		/* waits for the target */
	bridged(&cl, 3, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	ck_assert_int_eq(nout, 0);		/* retry while pending */
	ck_assert_int_eq(fake_calls, 1);
	target_done(&t1, fake_token, CC_OK);
	ck_assert_int_eq(nout, 2);		/* both, in order */
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SEND_MESSAGE), 0);
	ck_assert_int_eq(reply_cc(&cl, 1, CHASSIS_CONTROL), 0);
	nout = 0;
	target_done(&t1, fake_token, CC_OK);	/* late duplicate: ignored */
	ck_assert_int_eq(nout, 0);
	/* A target that never answers: timeout code, once. */
	bridged(&cl, 4, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	ck_assert_int_eq(nout, 0);
	now += cf.target_timeout - 1;
	core_tick(core, now);
	ck_assert_int_eq(nout, 0);
	now += 1;
	core_tick(core, now);
	ck_assert_int_eq(nout, 2);
	ck_assert_int_eq(reply_cc(&cl, 1, CHASSIS_CONTROL), CC_TIMEOUT);
	nout = 0;
	target_done(&t1, fake_token, CC_OK);
	ck_assert_int_eq(nout, 0);
	client_free(&cl);
}
END_TEST

/* A late answer to a timed-out request must not complete a later request
 * that reuses its reply-cache entry (found by the fuzzer). */
START_TEST(stale_completion)
{
	const uint8_t off = TARGET_POWER_OFF;
	uint32_t stale;

	admin_login(0);
	fake_pending = 1;
	bridged(&cl, 2, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	stale = fake_token;
	now += cf.target_timeout;
	core_tick(core, now);
	ck_assert_int_eq(nout, 2);		/* C3h */
	now += 1;			/* the other entries are younger */
	for (uint8_t seq = 3; seq < 3 + SESSION_RCACHE - 1; seq++) {
		bridged(&cl, seq, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
		target_done(&t1, fake_token, CC_OK);
		ck_assert_int_eq(nout, 2);
	}
	bridged(&cl, 20, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	ck_assert_int_eq(nout, 0);		/* pending, in a reused entry */
	target_done(&t1, stale, CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(nout, 0);		/* not the stale answer */
	target_done(&t72, fake_token, CC_OK);
	ck_assert_int_eq(nout, 0);		/* nor another target's */
	target_done(&t1, fake_token, CC_OK);
	ck_assert_int_eq(nout, 2);
	ck_assert_int_eq(reply_cc(&cl, 1, CHASSIS_CONTROL), CC_OK);
	client_free(&cl);
}
END_TEST

START_TEST(open_session_flood)
{
	struct client flood;
	uint32_t sid;

	client_init(&flood, 0, 50000);
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(open_session(&flood, 3, 4, 1, &sid), 0);
	ck_assert_uint_le(core->st.nhalf, cf.max_half_open);
	admin_login(0);				/* still gets in */
	ck_assert_uint_eq(core->st.nactive, 1);
	for (int i = 0; i < 200; i++)
		open_session(&flood, 3, 4, 1, &sid);
	request(&cl, 9, NETFN_APP, APP_GET_DEVICE_ID, NULL, 0);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_GET_DEVICE_ID), 0);
	now += SESSION_HALF_TTL_MS;
	core_tick(core, now);
	ck_assert_uint_eq(core->st.nhalf, 0);
	ck_assert_uint_eq(core->st.nactive, 1);
	client_free(&cl);
}
END_TEST

START_TEST(close_session)
{
	uint8_t sid[4];

	admin_login(0);
	memcpy(sid, &cl.cs.csid, 4);
	request(&cl, 2, NETFN_APP, APP_CLOSE_SESSION, sid, 4);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_CLOSE_SESSION), 0);
	ck_assert_uint_eq(core->st.nactive, 0);
	request(&cl, 3, NETFN_APP, APP_GET_DEVICE_ID, NULL, 0);
	ck_assert_int_eq(nout, 0);
	client_free(&cl);
}
END_TEST

START_TEST(presession)
{
	uint8_t pkt[64], m[64];
	size_t n;
	struct rmcp_pkt p;

	client_init(&cl, 0, 40000);
	/* ASF presence ping -> 28-byte pong */
	n = test_hex("06 00 ff 06 00 00 11 be 80 c4 00 00", pkt, sizeof(pkt));
	nout = 0;
	client_input(&cl, pkt, n);
	ck_assert_int_eq(nout, 1);
	ck_assert_uint_eq(out_len[0], 28);
	ck_assert_uint_eq(out[0][8], 0x40);
	ck_assert_uint_eq(out[0][9], 0xc4);
	/* Get Channel Auth Caps, IPMI 1.5 wrapper, as ipmitool sends it. */
	n = test_hex("06 00 ff 07 00 00000000 00000000 09"
	    "20 18 c8 81 00 38 8e 04 b5", pkt, sizeof(pkt));
	nout = 0;
	client_input(&cl, pkt, n);
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(rmcp_parse(out[0], out_len[0], &p), 0);
	ck_assert_int_eq(p.kind, RMCP_IPMI15);
	memcpy(m, p.payload, p.len);
	ck_assert_uint_eq(p.len, 16);
	ck_assert_mem_eq(m + 6, "\x00\x01\x80\x04\x02\x00\x00\x00\x00", 9);
	/* Get Channel Cipher Suites in RMCP+ form: 17 and 3. */
	n = test_hex("06 00 ff 07 06 00 00000000 00000000 0a00"
	    "20 18 c8 81 04 54 0e 00 80 99", pkt, sizeof(pkt));
	nout = 0;
	client_input(&cl, pkt, n);
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(rmcp_parse(out[0], out_len[0], &p), 0);
	n = test_hex("81 1c 63 20 04 54 00 01 c0 11 03 44 81 c0 03 01 41 81"
	    "68", m, sizeof(m));
	ck_assert_uint_eq(p.len, n);
	ck_assert_mem_eq(p.payload, m, n);
	/* Anything else outside a session is dropped. */
	n = test_hex("06 00 ff 07 00 00000000 00000000 07"
	    "20 00 e0 81 04 01 7b", pkt, sizeof(pkt));
	nout = 0;
	client_input(&cl, pkt, n);
	ck_assert_int_eq(nout, 0);
}
END_TEST

START_TEST(malformed)
{
	uint8_t pkt[64];

	client_init(&cl, 0, 40000);
	memset(pkt, 0, sizeof(pkt));
	for (size_t n = 0; n < sizeof(pkt); n++) {
		nout = 0;
		client_input(&cl, pkt, n);
		ck_assert_int_eq(nout, 0);
	}
	ck_assert_uint_eq(core->stats.dropped, sizeof(pkt));
}
END_TEST

START_TEST(sensors)
{
	const uint8_t first[6] = { 0, 0, 0, 0, 0, 0xff };
	const uint8_t part[6] = { 0, 0, 2, 0, 48, 16 };
	uint8_t m[512], num = 1;
	size_t n;

	admin_login(0);
	/* Record 1, whole: header, owner = the target's address (bridged). */
	bridged(&cl, 1, 0x72, NETFN_STORAGE, STORAGE_GET_SDR, first, 6);
	ck_assert_int_eq(nout, 2);
	n = reply(&cl, 1, m);
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(n, 8 + 2 + 48 + 4);	/* next ID, record "Temp" */
	ck_assert_uint_eq(m[7] | m[8] << 8, 2);	/* next record */
	ck_assert_uint_eq(m[9] | m[10] << 8, 1);	/* this record */
	ck_assert_uint_eq(m[11], 0x51);
	ck_assert_uint_eq(m[12], 0x01);		/* full sensor record */
	ck_assert_uint_eq(m[13], 43 + 4);
	ck_assert_uint_eq(m[14], 0x72);		/* owner */
	ck_assert_uint_eq(m[16], 1);		/* sensor number */
	ck_assert_mem_eq(m + 9 + 48, "Temp", 4);
	/* The last record's "next" is FFFFh; a partial read works. */
	bridged(&cl, 2, 0x72, NETFN_STORAGE, STORAGE_GET_SDR, part, 6);
	n = reply(&cl, 1, m);
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(m[7] | m[8] << 8, 0xffff);
	ck_assert_uint_eq(n, 8 + 2 + 4);
	ck_assert_mem_eq(m + 9, "Rail", 4);
	/* Reading above the critical threshold; no reading for the rail. */
	bridged(&cl, 3, 0x72, NETFN_SENSOR, SE_GET_READING, &num, 1);
	reply(&cl, 1, m);
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(m[7], 96);
	ck_assert_uint_eq(m[9], 0x18);		/* UNC and UCR crossed */
	num = 2;
	bridged(&cl, 4, 0x72, NETFN_SENSOR, SE_GET_READING, &num, 1);
	reply(&cl, 1, m);
	ck_assert_uint_eq(m[8] & 0x20, 0x20);	/* unavailable */
	num = 3;
	bridged(&cl, 5, 0x72, NETFN_SENSOR, SE_GET_READING, &num, 1);
	ck_assert_int_eq(reply_cc(&cl, 1, SE_GET_READING), CC_NOT_PRESENT);
	/* On its own endpoint the target is the BMC: owner 20h. */
	client_free(&cl);
	admin_login(1);
	request(&cl, 2, NETFN_STORAGE, STORAGE_GET_SDR, first, 6);
	reply(&cl, 0, m);
	ck_assert_uint_eq(m[14], 0x20);
	client_free(&cl);
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, login_suites, 3, 4);
	tcase_add_loop_test(tc, login_suites, 17, 18);
	tcase_add_test(tc, login_refused);
	tcase_add_test(tc, replay_dropped);
	tcase_add_test(tc, privilege_table);
	tcase_add_test(tc, bridging);
	tcase_add_test(tc, retry_not_executed_twice);
	tcase_add_test(tc, async_completion);
	tcase_add_test(tc, stale_completion);
	tcase_add_test(tc, open_session_flood);
	tcase_add_test(tc, close_session);
	tcase_add_test(tc, presession);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, sensors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(core_suite)
