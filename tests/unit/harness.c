/*
 * harness.c: the protocol core driven through core_input() by a test
 * client that plays ipmitool's side of RMCP+, with a fake driver that
 * counts what it is asked to do.  No sockets, no event loop.  Shared by
 * check_core.c and check_sol.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"

/* ---- captured output ---------------------------------------------- */

uint8_t out[OUT_MAX][1024];
size_t out_len[OUT_MAX];
int nout;

static void
fake_send(void *arg, int ep, const struct peer *p, const uint8_t *b,
    size_t n)
{
	(void)arg, (void)ep, (void)p;
	ck_assert_int_lt(nout, OUT_MAX);
	memcpy(out[nout], b, n);
	out_len[nout++] = n;
}

int npersist;
static void
fake_persist(void *arg, const struct target *t)
{
	(void)arg, (void)t;
	npersist++;
}

/* ---- a fake driver ------------------------------------------------- */

int fake_calls, fake_pending, fake_on;
uint32_t fake_token;

static void
fake_status(struct target_src *t, uint64_t when, struct target_status *st)
{
	(void)t, (void)when;
	st->power_on = fake_on;
	st->power_known = 1;
}

static int
fake_power(struct target_src *t, uint64_t when, enum target_power a,
    uint32_t tok)
{
	(void)t, (void)when;
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
fake_sensor_read(struct target_src *t, uint64_t when, size_t i, uint8_t *raw)
{
	(void)t, (void)when;
	if (i == 1)
		return -1;			/* rail: no reading */
	*raw = 96;				/* above critical */
	return 0;
}

/* The console: takes up to fake_con_room bytes (SIZE_MAX: no limit),
 * keeps them in fake_con_in, echoes them when fake_con_echo is set. */
uint8_t fake_con_in[65536];
size_t fake_con_len, fake_con_room = SIZE_MAX;
int fake_con_echo, fake_breaks;

static size_t
fake_console_write(struct target_src *t, const uint8_t *p, size_t n)
{
	if (n > fake_con_room)
		n = fake_con_room;
	if (n > sizeof(fake_con_in) - fake_con_len)
		n = sizeof(fake_con_in) - fake_con_len;
	memcpy(fake_con_in + fake_con_len, p, n);
	fake_con_len += n;
	if (fake_con_room != SIZE_MAX)
		fake_con_room -= n;
	if (fake_con_echo)
		target_console_output(t->t, now, p, n);
	return n;
}

static int
fake_console_break(struct target_src *t, unsigned ms)
{
	(void)t, (void)ms;
	fake_breaks++;
	return 0;
}

const struct target_driver fake_driver = {
	.name = "fake", .status = fake_status, .power = fake_power,
	.sensor_list = fake_sensor_list, .sensor_read = fake_sensor_read,
	.console_write = fake_console_write,
	.console_break = fake_console_break,
};

/* ---- fixture ------------------------------------------------------- */

struct conf cf;
struct core *core;
struct target t1, t72;
const uint8_t guid[16] = "0123456789abcdef";
uint64_t now = 1000000;

void
add_user(const char *name, const char *pass, uint8_t priv)
{
	struct conf_user *u = &cf.users[cf.nusers++];

	strcpy(u->name, name);
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->key, pass, strlen(pass));
	u->priv = priv;
}

void
setup(void)
{
	struct core_ops ops = { .send = fake_send };
	struct machine_ops mops = { .persist = fake_persist };

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
	machine_set_ops(&mops);
	machine_set_timeout(cf.target_timeout);
	core = core_new(&cf, &ops, guid);
	ck_assert_ptr_nonnull(core);
	memset(&t1, 0, sizeof(t1));
	memset(&t72, 0, sizeof(t72));
	t1.addr = 1;
	t72.addr = 0x72;
	t1.main = (struct target_src){ &t1, &fake_driver, NULL, NULL };
	t72.main = (struct target_src){ &t72, &fake_driver, NULL, NULL };
	t1.con = t1.main;
	t72.con = t72.main;
	fake_con_len = 0;
	fake_con_room = SIZE_MAX;
	fake_con_echo = fake_breaks = 0;
	target_solcfg_default(&t1.st.sol);
	target_solcfg_default(&t72.st.sol);
	ck_assert_int_eq(machine_add(&t1, cf.console_history, now), 0);
	ck_assert_int_eq(machine_add(&t72, cf.console_history, now), 0);
	ck_assert_int_eq(core_add_target(core, &t1), 0);
	ck_assert_int_eq(core_add_target(core, &t72), 0);
	nout = npersist = fake_calls = fake_pending = fake_on = 0;
}

void
teardown(void)
{
	core = core_free(core);
	machine_remove(&t1);
	machine_remove(&t72);
}

/* Time passes: the model (drivers, timeouts) and the IPMI face. */
void
tick(uint64_t when)
{
	machine_tick(when);
	core_tick(core, when);
}

/* ---- the test client ----------------------------------------------- */

void
client_init(struct client *c, int ep, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	c->ep = ep;
	c->peer.ss.ss_family = AF_INET;
	((struct sockaddr_in *)&c->peer.ss)->sin_port = htons(port);
	c->peer.len = sizeof(struct sockaddr_in);
}

void
client_input(struct client *c, const uint8_t *p, size_t n)
{
	memcpy(c->last, p, n);
	c->last_len = n;
	core_input(core, c->ep, &c->peer, p, n, now);
}

void
send_presession(struct client *c, uint8_t ptype, const uint8_t *p, size_t n)
{
	uint8_t pkt[256];

	nout = 0;
	client_input(c, pkt, rmcp_wrap20(NULL, ptype, p, n, pkt, sizeof(pkt)));
}

/* The payload of captured datagram i (pre-session: not encrypted). */
const uint8_t *
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
int
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
int
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

void
client_free(struct client *c)
{
	c->cs.mac = crypto_mac_free(c->cs.mac);
	c->cs.aes = crypto_aes_free(c->cs.aes);
}

/* Send one in-session request; rqSeq given (retries reuse it). */
void
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
size_t
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
int
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

struct client cl;

void
admin_login(int ep)
{
	client_init(&cl, ep, 40000);
	ck_assert_int_eq(login(&cl, "admin", "secretpass1", 17, 0x14), 0);
	request(&cl, 1, NETFN_APP, APP_SET_SESSION_PRIV,
	    (const uint8_t *)"\x04", 1);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SET_SESSION_PRIV), 0);
}

/* Send Message wrapping the inner request to `to`. */
void
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

