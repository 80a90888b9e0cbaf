/*
 * check_pico.c: the pico driver (targets/pico.c) through its frame
 * interface.  pico_link.c is replaced by a fake link that keeps what the
 * driver sends; the node's frames go in encoded and decoded by nproto.c,
 * as on the wire.  No sockets, no TLS.
 */
#include "ipmi.h"
#include "nproto.h"
#include "pico.h"
#include "target.h"
#include "test.h"

extern const struct target_driver pico_driver;

#define K64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* ---- the fake link ---------------------------------------------------- */

struct pico_conn {
	int		 id;
	int		 closed;
};

#define SENT_MAX	64
static uint8_t sent[SENT_MAX][NP_FRAME_MAX];
static size_t sent_len[SENT_MAX];
static int nsent, link_refs, link_fail;
static struct pico_conn c1 = { 1, 0 }, c2 = { 2, 0 };
static struct pico *p;			/* the target under test */

int
pico_link_start(const struct target_env *env)
{
	(void)env;
	link_refs++;
	return 0;
}

void
pico_link_stop(void)
{
	link_refs--;
}

void
pico_link_tick(uint64_t now)
{
	(void)now;
}

int
pico_link_send(struct pico_conn *c, const uint8_t *frame, size_t n)
{
	ck_assert_int_eq(c->closed, 0);
	ck_assert_int_lt(nsent, SENT_MAX);
	if (link_fail) {		/* as pico_link.c: overflow closes */
		c->closed = 1;
		pico_gone(p, c, "output buffer full");
		return -1;
	}
	memcpy(sent[nsent], frame, n);
	sent_len[nsent++] = n;
	return 0;
}

void
pico_link_close(struct pico_conn *c, const char *why)
{
	(void)why;
	c->closed = 1;
}

const char *
pico_link_peer(const struct pico_conn *c)
{
	return c->id == 1 ? "127.0.0.1:1" : "127.0.0.1:2";
}

/* ---- the fake core ---------------------------------------------------- */

static int ndone, last_cc, nboot, nready;
static uint32_t last_token;
static uint8_t con_out[8192];
static size_t con_len, con_room;

static void
done_cb(void *arg, struct target *t, uint64_t when, uint32_t token, int cc)
{
	(void)arg, (void)t, (void)when;
	ndone++;
	last_token = token;
	last_cc = cc;
}

static void
event_cb(void *arg, struct target *t, uint64_t when, enum target_event ev)
{
	(void)arg, (void)t, (void)when;
	if (ev == TARGET_EV_BOOT)
		nboot++;
}

static void
console_cb(void *arg, struct target *t, uint64_t when, const uint8_t *d,
    size_t n)
{
	(void)arg, (void)t, (void)when;
	ck_assert_uint_le(n, con_room);
	memcpy(con_out + con_len, d, n);
	con_len += n;
	con_room -= n;
}

static size_t
room_cb(void *arg, struct target *t)
{
	(void)arg, (void)t;
	return con_room;
}

static void
ready_cb(void *arg, struct target *t, uint64_t when)
{
	(void)arg, (void)t, (void)when;
	nready++;
}

static struct target_env env = {
	.done = done_cb, .event = event_cb, .console = console_cb,
	.console_room = room_cb, .console_ready = ready_cb,
	.timeout_ms = 5000,
};
static struct target t;
static uint64_t now = 1000000;

static void
set(void *dc, const char *k, const char *s, long long i)
{
	struct conf_value v = { .type = s ? CONF_STRING : CONF_INT, .i = i,
	    .s = s };
	char err[200];

	ck_assert_msg(pico_driver.conf_set(dc, k, &v, err, sizeof(err)) == 0,
	    "%s: %s", k, err);
}

static void
setup(void)
{
	void *dc = pico_driver.conf_new();

	set(dc, "node", "n1", 0);
	set(dc, "psk", K64, 0);
	set(dc, "press_ms", NULL, 300);
	ck_assert_int_eq(pico_driver.conf_check(dc, NULL, 0), 0);
	nsent = ndone = nboot = nready = link_fail = 0;
	con_len = 0;
	c1.closed = c2.closed = 0;
	memset(&t, 0, sizeof(t));
	t.addr = 1;
	strcpy(t.name, "srv1");
	t.env = &env;
	t.main = (struct target_src){ &t, &pico_driver, dc, NULL };
	con_room = 4096;
	ck_assert_int_eq(pico_driver.start(&t.main, now), 0);
	ck_assert_int_eq(link_refs, 1);
	p = pico_find("n1");
	ck_assert_ptr_nonnull(p);
}

static void
teardown(void)
{
	void *dc = (void *)(uintptr_t)t.main.dconf;

	pico_driver.stop(&t.main);
	ck_assert_int_eq(link_refs, 0);
	ck_assert_ptr_null(pico_find("n1"));
	pico_driver.conf_free(dc);
}

/* The i-th frame sent (negative: from the end), decoded. */
static struct np_msg
sent_msg(int i)
{
	struct np_msg m;

	if (i < 0)
		i += nsent;
	ck_assert_int_ge(i, 0);
	ck_assert_int_lt(i, nsent);
	ck_assert_int_eq(np_decode(sent[i], sent_len[i], &m), 0);
	return m;
}

/* The only frame of this type sent since the last clear. */
static struct np_msg
sent_one(uint8_t type)
{
	struct np_msg m, found = { 0 };
	int n = 0;

	for (int i = 0; i < nsent; i++) {
		m = sent_msg(i);
		if (m.type == type) {
			found = m;
			n++;
		}
	}
	ck_assert_msg(n == 1, "%d frames of type %s", n, np_type_name(type));
	return found;
}

static int
sent_count(uint8_t type)
{
	int n = 0;

	for (int i = 0; i < nsent; i++)
		n += sent_msg(i).type == type;
	return n;
}

/* A frame from the node, through the codec. */
static void
from_node(struct np_msg *m)
{
	uint8_t buf[NP_FRAME_MAX];
	size_t n = np_encode(buf, sizeof(buf), m);
	struct np_msg d;

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(np_frame_len(buf, n), (int)n);
	ck_assert_int_eq(np_decode(buf, n, &d), 0);
	pico_input(p, &d, now);
}

static struct np_msg
hello_msg(uint32_t boot_id, uint8_t power, uint32_t rx_next,
    uint32_t tx_base)
{
	struct np_msg m = { .type = NP_HELLO };

	m.u.hello.proto = NP_VERSION;
	strcpy(m.u.hello.board, "pico_w");
	strcpy(m.u.hello.fw, "0.1");
	strcpy(m.u.hello.name, "n1");
	m.u.hello.caps = NP_CAP_POWER | NP_CAP_RESET | NP_CAP_SENSE |
	    NP_CAP_CONSOLE;
	m.u.hello.boot_id = boot_id;
	m.u.hello.power = power;
	m.u.hello.con_rx_next = rx_next;
	m.u.hello.con_tx_base = tx_base;
	return m;
}

/* The node connects on c and says HELLO; what was sent is cleared. */
static struct np_msg
node_connect(struct pico_conn *c, uint32_t boot_id, uint8_t power,
    uint32_t rx_next, uint32_t tx_base)
{
	struct np_msg m = hello_msg(boot_id, power, rx_next, tx_base);
	struct np_msg w;

	c->closed = 0;
	nsent = 0;
	ck_assert_int_eq(pico_hello(p, c, &m, now), 0);
	w = sent_msg(0);
	ck_assert_uint_eq(w.type, NP_WELCOME);
	return w;
}

static void
result(uint32_t seq, uint8_t status, uint8_t flags, uint8_t power)
{
	struct np_msg m = { .type = NP_RESULT, .seq = seq };

	m.u.result.status = status;
	m.u.result.flags = flags;
	m.u.result.power = power;
	from_node(&m);
}

static void
con_ack(uint32_t next, uint16_t window)
{
	struct np_msg m = { .type = NP_CON_ACK };

	m.u.ack.next = next;
	m.u.ack.window = window;
	from_node(&m);
}

static void
con_data(uint32_t off, const char *s)
{
	struct np_msg m = { .type = NP_CON_DATA };

	m.u.con.off = off;
	m.u.con.len = (uint16_t)strlen(s);
	m.u.con.data = (const uint8_t *)s;
	from_node(&m);
}

static struct target_status
status(void)
{
	struct target_status st;

	memset(&st, 0, sizeof(st));
	pico_driver.status(&t.main, now, &st);
	return st;
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(hello_welcome)
{
	struct np_msg w;
	struct target_status st = status();

	ck_assert_int_eq(st.has_link, 1);
	ck_assert_int_eq(st.link_up, 0);
	w = node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	ck_assert_uint_eq(w.u.welcome.proto, NP_VERSION);
	ck_assert_uint_eq(w.u.welcome.heartbeat_ms, NP_HEARTBEAT_MS);
	ck_assert_uint_eq(w.u.welcome.dead_ms, NP_DEAD_MS);
	ck_assert_uint_eq(w.u.welcome.con_rx_next, NP_OFF_ANY);
	ck_assert_uint_eq(w.u.welcome.con_window, 4096);
	ck_assert_uint_eq(w.u.welcome.press_ms, 300);
	ck_assert_uint_eq(w.u.welcome.hold_ms, 0);	/* the node's own */
	ck_assert_uint_eq(w.u.welcome.reset_ms, 0);
	sent_one(NP_SENSORS_GET);
	st = status();
	ck_assert_int_eq(st.link_up, 1);
	ck_assert_int_eq(st.power_known, 1);
	ck_assert_int_eq(st.power_on, 0);
	/* PSK lookup for the TLS callback. */
	{
		uint8_t key[64];

		ck_assert_uint_eq(pico_psk("n1", key, sizeof(key)), 32);
		ck_assert_uint_eq(key[0], 0x00);
		ck_assert_uint_eq(key[31], 0xff);
		ck_assert_uint_eq(pico_psk("n2", key, sizeof(key)), 0);
	}
	/* A bad protocol version is refused. */
	{
		struct np_msg m = hello_msg(7, 0, 0, 0);

		m.u.hello.proto = 2;
		ck_assert_int_eq(pico_hello(p, &c2, &m, now), -1);
		ck_assert_int_eq(c1.closed, 0);
	}
}
END_TEST

START_TEST(power_result)
{
	struct np_msg m;
	uint32_t seq;

	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	nsent = 0;
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON,
	    0x1234), TARGET_PENDING);
	m = sent_one(NP_POWER);
	ck_assert_uint_eq(m.u.power.action, NP_PWR_ON);
	seq = m.seq;
	result(seq + 1, NP_OK, 0, NP_PS_OFF);		/* not ours */
	ck_assert_int_eq(ndone, 0);
	result(seq, NP_OK, NP_RF_PRESSED, NP_PS_OFF);
	ck_assert_int_eq(ndone, 1);
	ck_assert_uint_eq(last_token, 0x1234);
	ck_assert_int_eq(last_cc, CC_OK);
	result(seq, NP_OK, NP_RF_PRESSED, NP_PS_OFF);	/* once only */
	ck_assert_int_eq(ndone, 1);
	/* The machine comes on: STATE, a boot. */
	m = (struct np_msg){ .type = NP_STATE };
	m.u.state.power = NP_PS_ON;
	from_node(&m);
	ck_assert_int_eq(status().power_on, 1);
	ck_assert_int_eq(nboot, 1);

	/* Sequence numbers count up; status codes map to IPMI codes. */
	nsent = 0;
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_SOFT,
	    2), TARGET_PENDING);
	m = sent_one(NP_POWER);
	ck_assert_uint_eq(m.seq, seq + 1);
	ck_assert_uint_eq(m.u.power.action, NP_PWR_SOFT);
	result(m.seq, NP_E_STATE, 0, NP_PS_OFF);
	ck_assert_int_eq(last_cc, CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_RESET,
	    3), TARGET_PENDING);
	m = sent_msg(-1);
	ck_assert_uint_eq(m.u.power.action, NP_PWR_RESET);
	result(m.seq, NP_E_BUSY, 0, NP_PS_ON);
	ck_assert_int_eq(last_cc, CC_NODE_BUSY);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_CYCLE,
	    4), TARGET_PENDING);
	ck_assert_uint_eq(sent_msg(-1).u.power.action, NP_PWR_CYCLE);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_OFF,
	    5), TARGET_PENDING);
	ck_assert_uint_eq(sent_msg(-1).u.power.action, NP_PWR_OFF);
	/* Diag: a short pulse on the reset line. */
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_DIAG,
	    6), TARGET_PENDING);
	m = sent_msg(-1);
	ck_assert_uint_eq(m.type, NP_PULSE);
	ck_assert_uint_eq(m.u.pulse.line, NP_LINE_RESET);
	ck_assert_uint_eq(m.u.pulse.ms, NP_PULSE_MIN_MS);
	result(m.seq, NP_E_UNSUPP, 0, NP_PS_ON);
	ck_assert_uint_eq(last_token, 6);
	ck_assert_int_eq(last_cc, CC_INVALID_FIELD);
	/* Identify. */
	ck_assert_int_eq(pico_driver.identify(&t.main, now, 15, 0, 7),
	    TARGET_PENDING);
	m = sent_msg(-1);
	ck_assert_uint_eq(m.type, NP_IDENTIFY);
	ck_assert_uint_eq(m.u.identify_s, 15);
	ck_assert_int_eq(status().identify, TARGET_IDENT_TIMED);
	ck_assert_int_eq(pico_driver.identify(&t.main, now, 0, 1, 8),
	    TARGET_PENDING);
	ck_assert_uint_eq(sent_msg(-1).u.identify_s, 255);
	ck_assert_int_eq(status().identify, TARGET_IDENT_ON);
}
END_TEST

START_TEST(offline_answers_at_once)
{
	struct target_status st;
	uint8_t raw;

	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON, 1),
	    CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(pico_driver.identify(&t.main, now, 15, 0, 2),
	    CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 0, &raw), -1);
	ck_assert_int_eq(pico_driver.console_break(&t.main, 100), -1);
	st = status();
	ck_assert_int_eq(st.has_link, 1);
	ck_assert_int_eq(st.link_up, 0);
	ck_assert_int_eq(st.power_known, 0);
	ck_assert_int_eq(nsent, 0);
	/* Down after having been up: the same. */
	node_connect(&c1, 7, NP_PS_ON, 0, 0);
	pico_gone(p, &c1, "test");
	ck_assert_int_eq(status().link_up, 0);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_OFF, 3),
	    CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(ndone, 0);
}
END_TEST

START_TEST(resend_after_reconnect)
{
	struct np_msg m, again;

	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON,
	    0x55), TARGET_PENDING);
	m = sent_msg(-1);
	/* Sent into a link that dies before the RESULT. */
	pico_gone(p, &c1, "test");
	now += 1000;
	pico_driver.tick(&t.main, now);
	ck_assert_int_eq(ndone, 0);
	/* Back (same boot): the same request, the same number. */
	node_connect(&c2, 7, NP_PS_OFF, 0, 0);
	again = sent_one(NP_POWER);
	ck_assert_uint_eq(again.seq, m.seq);
	ck_assert_uint_eq(again.u.power.action, NP_PWR_ON);
	result(m.seq, NP_OK, NP_RF_PRESSED | NP_RF_REPLAY, NP_PS_OFF);
	ck_assert_int_eq(ndone, 1);
	ck_assert_uint_eq(last_token, 0x55);
	ck_assert_int_eq(last_cc, CC_OK);
	/* Once the core has given up, nothing is resent. */
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_OFF,
	    0x56), TARGET_PENDING);
	pico_gone(p, &c2, "test");
	now += 6000;
	pico_driver.tick(&t.main, now);
	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	ck_assert_int_eq(sent_count(NP_POWER), 0);
	ck_assert_int_eq(ndone, 1);
}
END_TEST

START_TEST(no_resend_after_node_reboot)
{
	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON,
	    0x57), TARGET_PENDING);
	pico_gone(p, &c1, "test");
	now += 1000;
	pico_driver.tick(&t.main, now);
	/* Back with another boot_id: it has no memory of the request, which
	 * it may have run; the client hears C3h, nothing is resent. */
	node_connect(&c2, 8, NP_PS_OFF, 0, 0);
	ck_assert_int_eq(sent_count(NP_POWER), 0);
	ck_assert_int_eq(ndone, 1);
	ck_assert_uint_eq(last_token, 0x57);
	ck_assert_int_eq(last_cc, CC_TIMEOUT);
}
END_TEST

START_TEST(send_fails)
{
	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	link_fail = 1;
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON, 9),
	    TARGET_PENDING);
	ck_assert_int_eq(status().link_up, 0);
	ck_assert_int_eq(c1.closed, 1);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON, 10),
	    CC_NOT_SUPPORTED_STATE);
	link_fail = 0;
	node_connect(&c2, 7, NP_PS_OFF, 0, 0);
	ck_assert_uint_eq(sent_one(NP_POWER).u.power.action, NP_PWR_ON);
}
END_TEST

START_TEST(replaced_link)
{
	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	node_connect(&c2, 7, NP_PS_OFF, 0, 0);
	ck_assert_int_eq(c1.closed, 1);
	ck_assert_int_eq(c2.closed, 0);
	ck_assert_int_eq(status().link_up, 1);
	pico_gone(p, &c1, "old one ends late");	/* not the current link */
	ck_assert_int_eq(status().link_up, 1);
}
END_TEST

START_TEST(heartbeat_and_dead)
{
	struct np_msg m = { .type = NP_PING };

	node_connect(&c1, 7, NP_PS_OFF, 0, 0);
	nsent = 0;
	now += 999;
	pico_driver.tick(&t.main, now);
	ck_assert_int_eq(nsent, 0);
	now += 1;
	pico_driver.tick(&t.main, now);
	sent_one(NP_PING);
	from_node(&m);				/* the node is alive */
	now += 3499;
	pico_driver.tick(&t.main, now);
	ck_assert_int_eq(status().link_up, 1);
	now += 1;
	pico_driver.tick(&t.main, now);
	ck_assert_int_eq(status().link_up, 0);
	ck_assert_int_eq(c1.closed, 1);
}
END_TEST

START_TEST(console_from_node)
{
	struct np_msg w, a;

	w = node_connect(&c1, 7, NP_PS_ON, 0, 1000);
	ck_assert_uint_eq(w.u.welcome.con_rx_next, NP_OFF_ANY);
	nsent = 0;
	con_data(1000, "hello");
	ck_assert_uint_eq(con_len, 5);
	ck_assert_mem_eq(con_out, "hello", 5);
	a = sent_one(NP_CON_ACK);
	ck_assert_uint_eq(a.u.ack.next, 1005);
	ck_assert_uint_eq(a.u.ack.window, 4091);
	/* A resend overlapping what we have: only the new bytes. */
	con_data(1003, "lo, world");
	ck_assert_uint_eq(con_len, 12);
	ck_assert_mem_eq(con_out, "hello, world", 12);
	con_data(1000, "hello");		/* all old */
	ck_assert_uint_eq(con_len, 12);
	/* No room: window 0, reopened by the tick when there is room. */
	con_room = 3;
	nsent = 0;
	con_data(1012, "abc");
	a = sent_one(NP_CON_ACK);
	ck_assert_uint_eq(a.u.ack.next, 1015);
	ck_assert_uint_eq(a.u.ack.window, 0);
	nsent = 0;
	pico_driver.tick(&t.main, now);
	ck_assert_int_eq(nsent, 0);
	con_room = 100;
	pico_driver.tick(&t.main, now);
	a = sent_one(NP_CON_ACK);
	ck_assert_uint_eq(a.u.ack.next, 1015);
	ck_assert_uint_eq(a.u.ack.window, 100);
	/* The link drops; the same boot resumes where we are. */
	pico_gone(p, &c1, "test");
	w = node_connect(&c2, 7, NP_PS_ON, 0, 900);
	ck_assert_uint_eq(w.u.welcome.con_rx_next, 1015);
	ck_assert_uint_eq(w.u.welcome.con_window, 100);
	con_data(1012, "abcdef");
	ck_assert_uint_eq(con_len, 18);
	ck_assert_mem_eq(con_out + 12, "abcdef", 6);
	/* The node lost bytes (its ring was full): the gap is skipped. */
	con_data(1030, "xy");
	ck_assert_uint_eq(con_len, 20);
	ck_assert_uint_eq(sent_msg(-1).u.ack.next, 1032);
	/* A new boot: everything it holds, from its base. */
	pico_gone(p, &c2, "test");
	w = node_connect(&c1, 8, NP_PS_ON, 0, 0);
	ck_assert_uint_eq(w.u.welcome.con_rx_next, NP_OFF_ANY);
	con_data(0, "boot");
	ck_assert_mem_eq(con_out + 20, "boot", 4);
}
END_TEST

START_TEST(console_to_node)
{
	struct np_msg m;
	uint8_t big[5000];

	node_connect(&c1, 7, NP_PS_ON, 500, 0);
	nsent = 0;
	/* No window before the node's first CON_ACK. */
	ck_assert_uint_eq(pico_driver.console_write(&t.main,
	    (const uint8_t *)"abc", 3), 3);
	ck_assert_int_eq(nsent, 0);
	con_ack(500, 2);
	m = sent_one(NP_CON_DATA);
	ck_assert_uint_eq(m.u.con.off, 500);
	ck_assert_uint_eq(m.u.con.len, 2);
	ck_assert_mem_eq(m.u.con.data, "ab", 2);
	nsent = 0;
	con_ack(501, 10);		/* took one, room for ten */
	m = sent_one(NP_CON_DATA);
	ck_assert_uint_eq(m.u.con.off, 502);
	ck_assert_mem_eq(m.u.con.data, "c", 1);
	/* The link drops; typing goes on into the buffer. */
	pico_gone(p, &c1, "test");
	ck_assert_uint_eq(pico_driver.console_write(&t.main,
	    (const uint8_t *)"def", 3), 3);
	/* Same boot, it had consumed "ab" only: "cdef" again from 502. */
	node_connect(&c2, 7, NP_PS_ON, 502, 0);
	ck_assert_int_eq(sent_count(NP_CON_DATA), 0);
	nsent = 0;
	con_ack(502, 100);
	m = sent_one(NP_CON_DATA);
	ck_assert_uint_eq(m.u.con.off, 502);
	ck_assert_uint_eq(m.u.con.len, 4);
	ck_assert_mem_eq(m.u.con.data, "cdef", 4);
	/* A new boot renumbers what is held from its next. */
	pico_gone(p, &c2, "test");
	node_connect(&c1, 9, NP_PS_ON, 0, 0);
	nsent = 0;
	con_ack(0, 100);
	m = sent_one(NP_CON_DATA);
	ck_assert_uint_eq(m.u.con.off, 0);
	ck_assert_mem_eq(m.u.con.data, "cdef", 4);
	con_ack(4, 100);
	/* The buffer is bounded: 4 KiB, then ready when it drains. */
	memset(big, 'x', sizeof(big));
	nsent = 0;
	ck_assert_uint_eq(pico_driver.console_write(&t.main, big, sizeof(big)),
	    PICO_CON_TX - 0);
	ck_assert_uint_eq(pico_driver.console_write(&t.main, big, 1), 0);
	ck_assert_int_eq(nready, 0);
	con_ack(4 + 100, 2000);
	ck_assert_int_eq(nready, 1);
	ck_assert_uint_eq(pico_driver.console_write(&t.main, big, 200), 100);
	/* Sent in frames of at most 1024 bytes, up to the window. */
	m = sent_msg(-1);
	ck_assert_uint_eq(m.type, NP_CON_DATA);
	ck_assert_uint_le(m.u.con.len, NP_DATA_MAX);
	ck_assert_uint_eq(m.u.con.off + m.u.con.len, 4 + 100 + 2000);
	/* BREAK and line speed. */
	ck_assert_int_eq(pico_driver.console_break(&t.main, 250), 0);
	m = sent_msg(-1);
	ck_assert_uint_eq(m.type, NP_CON_BREAK);
	ck_assert_uint_eq(m.u.break_ms, 250);
	ck_assert_int_eq(pico_driver.console_baud(&t.main, 9600), 0);
	m = sent_msg(-1);
	ck_assert_uint_eq(m.type, NP_CON_SET);
	ck_assert_uint_eq(m.u.set.baud, 9600);
	pico_gone(p, &c1, "test");
	node_connect(&c2, 9, NP_PS_ON, 4, 0);
	ck_assert_uint_eq(sent_one(NP_CON_SET).u.set.baud, 9600);
}
END_TEST

START_TEST(sensors)
{
	const struct target_sensor *list;
	struct np_msg m = { .type = NP_SENSORS };
	uint8_t raw;

	ck_assert_uint_eq(pico_driver.sensor_list(&t.main, &list), 3);
	ck_assert_uint_eq(list[0].type, 0x01);		/* temperature */
	ck_assert_uint_eq(list[0].unit, 1);		/* degrees C */
	ck_assert_uint_eq(list[1].unit, 4);		/* volts */
	ck_assert_uint_eq(list[2].unit, 60);		/* decibels */
	node_connect(&c1, 7, NP_PS_ON, 0, 0);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 0, &raw), -1);
	m.u.sensors.temp_cdeg = 2349;
	m.u.sensors.vsys_mv = 5000;
	m.u.sensors.rssi = -60;
	from_node(&m);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 0, &raw), 0);
	ck_assert_uint_eq(raw, 23);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 1, &raw), 0);
	ck_assert_uint_eq(raw, 250);			/* 5.00 V */
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 2, &raw), 0);
	ck_assert_int_eq((int8_t)raw, -60);
	m.u.sensors.temp_cdeg = -550;
	m.u.sensors.rssi = 0;				/* unknown */
	from_node(&m);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 0, &raw), 0);
	ck_assert_int_eq((int8_t)raw, -6);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 2, &raw), -1);
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 3, &raw), -1);
	pico_gone(p, &c1, "test");
	ck_assert_int_eq(pico_driver.sensor_read(&t.main, now, 0, &raw), -1);
}
END_TEST

START_TEST(unsensed_power)
{
	struct np_msg m;

	node_connect(&c1, 7, NP_PS_UNKNOWN, 0, 0);
	ck_assert_int_eq(status().power_known, 0);
	ck_assert_int_eq(status().power_on, 0);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON, 1),
	    TARGET_PENDING);
	m = sent_msg(-1);
	result(m.seq, NP_OK, NP_RF_PRESSED | NP_RF_UNSENSED, NP_PS_UNKNOWN);
	ck_assert_int_eq(status().power_on, 1);		/* assumed */
	ck_assert_int_eq(status().power_known, 0);
	ck_assert_int_eq(nboot, 1);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_OFF, 2),
	    TARGET_PENDING);
	m = sent_msg(-1);
	result(m.seq, NP_OK, NP_RF_PRESSED | NP_RF_UNSENSED, NP_PS_UNKNOWN);
	ck_assert_int_eq(status().power_on, 0);
}
END_TEST

START_TEST(bounded_requests)
{
	node_connect(&c1, 7, NP_PS_ON, 0, 0);
	for (int i = 0; i < PICO_REQ_MAX; i++)
		ck_assert_int_eq(pico_driver.power(&t.main, now,
		    TARGET_POWER_ON, (uint32_t)i), TARGET_PENDING);
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON, 99),
	    CC_NODE_BUSY);
	now += 5000;			/* the core gave up on them */
	ck_assert_int_eq(pico_driver.power(&t.main, now, TARGET_POWER_ON, 100),
	    TARGET_PENDING);
}
END_TEST

START_TEST(protocol_error_closes)
{
	struct np_msg m = hello_msg(7, 0, 0, 0);

	node_connect(&c1, 7, NP_PS_ON, 0, 0);
	from_node(&m);			/* HELLO twice */
	ck_assert_int_eq(c1.closed, 1);
	ck_assert_int_eq(status().link_up, 0);
}
END_TEST

START_TEST(conf_options)
{
	void *dc = pico_driver.conf_new();
	struct conf_value v = { .type = CONF_STRING, .s = "short" };
	char err[200] = "";

	ck_assert_int_ne(pico_driver.conf_check(dc, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "node"));
	ck_assert_int_ne(pico_driver.conf_set(dc, "psk", &v, err,
	    sizeof(err)), 0);
	v.s = "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	ck_assert_int_ne(pico_driver.conf_set(dc, "psk", &v, err,
	    sizeof(err)), 0);
	ck_assert_ptr_null(strstr(err, v.s));
	v.s = "bad name";
	ck_assert_int_ne(pico_driver.conf_set(dc, "node", &v, err,
	    sizeof(err)), 0);
	v = (struct conf_value){ .type = CONF_INT, .i = 49 };
	ck_assert_int_ne(pico_driver.conf_set(dc, "hold_ms", &v, err,
	    sizeof(err)), 0);
	v.i = 8001;
	ck_assert_int_ne(pico_driver.conf_set(dc, "reset_ms", &v, err,
	    sizeof(err)), 0);
	v.i = 8000;
	ck_assert_int_eq(pico_driver.conf_set(dc, "reset_ms", &v, err,
	    sizeof(err)), 0);
	pico_driver.conf_free(dc);
}
END_TEST

static Suite *
pico_suite(void)
{
	Suite *s = suite_create("pico");
	TCase *tc = tcase_create("pico");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hello_welcome);
	tcase_add_test(tc, power_result);
	tcase_add_test(tc, offline_answers_at_once);
	tcase_add_test(tc, resend_after_reconnect);
	tcase_add_test(tc, no_resend_after_node_reboot);
	tcase_add_test(tc, send_fails);
	tcase_add_test(tc, replaced_link);
	tcase_add_test(tc, heartbeat_and_dead);
	tcase_add_test(tc, console_from_node);
	tcase_add_test(tc, console_to_node);
	tcase_add_test(tc, sensors);
	tcase_add_test(tc, unsensed_power);
	tcase_add_test(tc, bounded_requests);
	tcase_add_test(tc, protocol_error_closes);
	tcase_add_test(tc, conf_options);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pico_suite)
