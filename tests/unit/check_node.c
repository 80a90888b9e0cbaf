/*
 * check_node.c: the node firmware's core (firmware-pico/core) on a fake
 * board: a fake clock, pins that log, alarms fired by the test's clock, a
 * UART in memory and a fake link that records the frames sent (no TLS).
 */
/* The core's headers find each other; the test finds them here. */
#include "../../firmware-pico/core/board.h"
#include "../../firmware-pico/core/node.h"
#include "test.h"

#define P_POWER	2
#define P_RESET	3
#define P_SENSE	4
#define P_FREE	6

/* The fake board. */
static uint32_t	 now;
static int	 pin_level[32], pin_mode[32];
static int	 server_on;
static unsigned	 feeds;
static char	 events[64][32];
static int	 nevents;
static int	 presses[2];
static struct {
	int		 armed;
	uint32_t	 at;
	board_alarm_fn	 fn;
} alarms[BOARD_ALARMS];
static uint8_t	 uart_in[20000];
static size_t	 uart_in_len;
static uint8_t	 uart_out[4096];
static size_t	 uart_out_len;
static size_t	 uart_room = (size_t)-1;
static uint8_t	 reset_cause;
static int	 rebooted;

#define event(fmt, a, b) do {					\
	if (nevents < 64)						\
		snprintf(events[nevents++], sizeof(events[0]), fmt,	\
		    (int)(a), (int)(b));				\
} while (0)

/* Index of the first event equal to s, or -1. */
static int
find_event(const char *s)
{
	for (int i = 0; i < nevents; i++)
		if (strcmp(events[i], s) == 0)
			return i;
	return -1;
}

int board_pin_ok(uint8_t pin) { return pin < 30; }
void board_pin_mode(uint8_t pin, int mode) { pin_mode[pin] = mode; }

void
board_pin_set(uint8_t pin, int level)
{
	if (pin_level[pin] != level) {
		event("pin %d %d", pin, level);
		if (level && pin == P_POWER)
			presses[0]++;
		if (level && pin == P_RESET)
			presses[1]++;
	}
	pin_level[pin] = level;
}

int
board_pin_get(uint8_t pin)
{
	if (pin == P_SENSE)
		return server_on;
	return pin_level[pin];
}

int
board_alarm_arm(unsigned id, uint32_t ms, board_alarm_fn fn)
{
	event("arm %d %d", (int)id, (int)ms);
	alarms[id].armed = 1;
	alarms[id].at = now + ms;
	alarms[id].fn = fn;
	return 0;
}

void board_alarm_cancel(unsigned id) { alarms[id].armed = 0; }
uint32_t board_now_ms(void) { return now; }

size_t
board_uart_write(const uint8_t *p, size_t n)
{
	if (n > uart_room)
		n = uart_room;
	if (n > sizeof(uart_out) - uart_out_len)
		n = sizeof(uart_out) - uart_out_len;
	memcpy(uart_out + uart_out_len, p, n);
	uart_out_len += n;
	return n;
}

size_t
board_uart_read(uint8_t *p, size_t n)
{
	if (n > uart_in_len)
		n = uart_in_len;
	memcpy(p, uart_in, n);
	memmove(uart_in, uart_in + n, uart_in_len - n);
	uart_in_len -= n;
	return n;
}

void board_uart_config(uint32_t b, uint8_t d, uint8_t p, uint8_t s)
{ (void)b; (void)d; (void)p; (void)s; }
void board_uart_break(uint16_t ms) { (void)ms; }
void board_wdt_feed(void) { feeds++; }
uint32_t board_random(void) { static uint32_t r = 12345; return r = r * 1103515245u + 12345; }
int board_tcp_connect(void) { return -1; }
int board_tcp_status(void) { return -1; }
long board_tcp_send(const uint8_t *p, size_t n) { (void)p; (void)n; return -1; }
long board_tcp_recv(uint8_t *p, size_t n) { (void)p; (void)n; return -1; }
void board_tcp_close(void) {}
void board_info(struct board_info *bi) { memset(bi, 0, sizeof(*bi)); }
const char *board_name(void) { return "fake"; }
uint8_t board_reset_cause(void) { return reset_cause; }
void board_reboot(void) { rebooted++; }
void board_led(int on) { (void)on; }

/* Time passes: alarms fire (as interrupts would), the loop is not run. */
static void
advance(uint32_t ms)
{
	for (uint32_t i = 0; i < ms; i++) {
		now++;
		for (int a = 0; a < BOARD_ALARMS; a++) {
			if (alarms[a].armed && alarms[a].at == now) {
				alarms[a].armed = 0;
				alarms[a].fn((unsigned)a);
			}
		}
	}
}

/* The fake link. */
static uint8_t	 sent[65536];
static size_t	 sent_len, sent_off;
static uint8_t	 inject_buf[8192];
static size_t	 inject_len;
static int	 link_fail, link_opens, link_closes;

static int f_open(void *c) { (void)c; link_opens++; return 0; }
static int f_poll(void *c) { (void)c; return 1; }

static long
f_send(void *c, const uint8_t *p, size_t n)
{
	(void)c;
	if (link_fail)
		return -1;
	ck_assert_uint_le(sent_len + n, sizeof(sent));
	memcpy(sent + sent_len, p, n);
	sent_len += n;
	return (long)n;
}

static long
f_recv(void *c, uint8_t *p, size_t n)
{
	(void)c;
	if (link_fail)
		return -1;
	if (n > inject_len)
		n = inject_len;
	memcpy(p, inject_buf, n);
	memmove(inject_buf, inject_buf + n, inject_len - n);
	inject_len -= n;
	return (long)n;
}

static void f_close(void *c) { (void)c; link_closes++; }

static const struct link_ops fake_link = {
	f_open, f_poll, f_send, f_recv, f_close
};

static struct node node;

static void
inject(const struct np_msg *m)
{
	size_t n = np_encode(inject_buf + inject_len,
	    sizeof(inject_buf) - inject_len, m);

	ck_assert_uint_gt(n, 0);
	inject_len += n;
}

/* The next frame the node sent, or 0 if none. */
static int
next_frame(struct np_msg *m)
{
	int len;

	if (sent_off == sent_len)
		return 0;
	len = np_frame_len(sent + sent_off, sent_len - sent_off);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(np_decode(sent + sent_off, (size_t)len, m), 0);
	sent_off += (size_t)len;
	return 1;
}

/* The next frame of that type (others skipped), or 0. */
static int
next_of(uint8_t type, struct np_msg *m)
{
	while (next_frame(m))
		if (m->type == type)
			return 1;
	return 0;
}

static void
poll_(void)
{
	node_poll(&node, now);
}

static void
request(uint8_t type, uint32_t seq, struct np_msg *m)
{
	m->type = type;
	m->seq = seq;
	inject(m);
	poll_();
}

static struct np_result
power(uint8_t action, uint32_t seq)
{
	struct np_msg m;

	memset(&m, 0, sizeof(m));
	m.u.power.action = action;
	request(NP_POWER, seq, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.seq, seq);
	return m.u.result;
}

/* Time passes with the loop running and the daemon alive. */
static void
idle(uint32_t ms)
{
	struct np_msg m;

	for (uint32_t t = 0; t < ms; t += 100) {
		advance(100);
		if (t % 1000 == 0) {
			memset(&m, 0, sizeof(m));
			m.type = NP_PING;
			inject(&m);
		}
		poll_();
	}
}

static void
welcome(uint32_t daemon_id, uint32_t con_rx_next, uint16_t window)
{
	struct np_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NP_WELCOME;
	m.u.welcome.proto = NP_VERSION;
	m.u.welcome.daemon_id = daemon_id;
	m.u.welcome.heartbeat_ms = 1000;
	m.u.welcome.dead_ms = 3500;
	m.u.welcome.con_rx_next = con_rx_next;
	m.u.welcome.con_window = window;
	inject(&m);
	poll_();
	ck_assert_int_eq(node.state, NODE_UP);
}

/* A fresh node; sense wired unless told; linked up to the HELLO. */
static void
start(int sense, struct np_msg *hello)
{
	struct node_conf c;
	struct np_msg m;

	now = 1000;
	memset(pin_level, 0, sizeof(pin_level));
	memset(pin_mode, 0, sizeof(pin_mode));
	memset(alarms, 0, sizeof(alarms));
	memset(presses, 0, sizeof(presses));
	server_on = 0;
	feeds = 0;
	nevents = 0;
	uart_in_len = uart_out_len = 0;
	uart_room = (size_t)-1;
	sent_len = sent_off = inject_len = 0;
	link_fail = link_opens = link_closes = 0;
	rebooted = 0;

	memset(&c, 0, sizeof(c));
	strcpy(c.name, "node1");
	c.pins.power = P_POWER;
	c.pins.reset = P_RESET;
	c.pins.sense = sense ? P_SENSE : NP_PIN_NONE;
	c.pins.uart_tx = 0;
	c.pins.uart_rx = 1;
	c.pins.led = 25;
	node_init(&node, &c, &fake_link, NULL, now);
	poll_();
	ck_assert_int_eq(node.state, NODE_HELLO);
	ck_assert(next_frame(hello ? hello : &m));
	ck_assert_uint_eq((hello ? hello : &m)->type, NP_HELLO);
}

static void
start_up(int sense)
{
	start(sense, NULL);
	welcome(0xd1, NP_OFF_ANY, 4096);
	sent_off = sent_len;		/* STATE, SENSORS, CON_ACK */
	nevents = 0;
}

START_TEST(hello_fields)
{
	struct np_msg h;

	reset_cause = NP_RST_WATCHDOG;
	start(1, &h);
	reset_cause = NP_RST_POWER;
	ck_assert_str_eq(h.u.hello.name, "node1");
	ck_assert_uint_eq(h.u.hello.reset_cause, NP_RST_WATCHDOG);
	ck_assert_uint_eq(h.u.hello.press_ms, 300);
	ck_assert_uint_eq(h.u.hello.hold_ms, 5000);
	ck_assert_uint_eq(h.u.hello.reset_ms, 200);
	ck_assert_uint_eq(h.u.hello.power, NP_PS_OFF);
	ck_assert(h.u.hello.caps & NP_CAP_SENSE);
	/* Every output released at init, before it became an output. */
	ck_assert_int_eq(pin_level[P_POWER], 0);
	ck_assert_int_eq(pin_mode[P_POWER], NP_PIN_OUT);
}
END_TEST

START_TEST(pulse_clamped)
{
	struct np_msg m;

	start_up(1);
	memset(&m, 0, sizeof(m));
	m.u.pulse.line = NP_LINE_RESET;
	m.u.pulse.ms = 10;
	request(NP_PULSE, 1, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_OK);
	ck_assert_uint_eq(m.u.result.value, 50);
	ck_assert_int_ge(find_event("arm 1 50"), 0);
	advance(50);
	ck_assert_int_eq(pin_level[P_RESET], 0);
	poll_();

	memset(&m, 0, sizeof(m));
	m.u.pulse.line = NP_LINE_POWER;
	m.u.pulse.ms = 20000;
	request(NP_PULSE, 2, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.value, 8000);
	ck_assert_int_ge(find_event("arm 0 8000"), 0);
	ck_assert_uint_eq(np_clamp_pulse(10), 50);
	ck_assert_uint_eq(np_clamp_pulse(20000), 8000);
}
END_TEST

START_TEST(alarm_before_pin)
{
	struct np_result r;
	struct np_msg m;
	int arm, pin;

	start_up(1);
	r = power(NP_PWR_ON, 5);
	ck_assert_uint_eq(r.status, NP_OK);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED);
	ck_assert_uint_eq(r.value, 300);
	arm = find_event("arm 0 300");
	pin = find_event("pin 2 1");
	ck_assert_int_ge(arm, 0);
	ck_assert_int_gt(pin, arm);
	/* STATE follows the RESULT, and the release. */
	ck_assert(next_of(NP_STATE, &m));
	ck_assert_uint_eq(m.u.state.pressed, 1);
	advance(300);
	poll_();
	ck_assert(next_of(NP_STATE, &m));
	ck_assert_uint_eq(m.u.state.pressed, 0);
	ck_assert_uint_eq(m.u.state.power, NP_PS_OFF);
	/* Busy while held: a second press of the line is refused. */
	server_on = 1;
	r = power(NP_PWR_SOFT, 6);
	ck_assert_uint_eq(r.status, NP_OK);
	r = power(NP_PWR_SOFT, 7);
	ck_assert_uint_eq(r.status, NP_E_BUSY);
	ck_assert_int_eq(presses[0], 1 + 1);
}
END_TEST

START_TEST(release_after_link_loss)
{
	struct np_result r;
	struct np_msg m;

	start_up(1);
	server_on = 1;
	r = power(NP_PWR_OFF, 9);
	ck_assert_uint_eq(r.value, 5000);
	ck_assert_int_eq(pin_level[P_POWER], 1);
	link_fail = 1;
	advance(10);
	poll_();
	ck_assert_int_eq(node.state, NODE_DOWN);
	/* No poll from now on: the alarm alone releases, on time. */
	advance(4989);
	ck_assert_int_eq(pin_level[P_POWER], 1);
	advance(1);
	ck_assert_int_eq(pin_level[P_POWER], 0);
	/* The loop learns afterwards; the button is free again. */
	link_fail = 0;
	poll_();
	ck_assert_uint_eq(node.line[0].busy, 0);
	(void)m;
}
END_TEST

START_TEST(watchdog_only_from_poll)
{
	unsigned f;
	struct np_result r;

	start_up(1);
	f = feeds;
	r = power(NP_PWR_ON, 3);	/* one poll inside */
	ck_assert_uint_eq(r.status, NP_OK);
	ck_assert_uint_eq(feeds, f + 1);
	advance(3000);			/* a hung loop feeds nothing */
	ck_assert_uint_eq(feeds, f + 1);
	poll_();
	ck_assert_uint_eq(feeds, f + 2);
}
END_TEST

START_TEST(duplicate_seq)
{
	struct np_result r;

	start_up(1);
	r = power(NP_PWR_ON, 77);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED);
	advance(300);
	poll_();
	r = power(NP_PWR_ON, 77);	/* the retry */
	ck_assert_uint_eq(r.status, NP_OK);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED | NP_RF_REPLAY);
	ck_assert_uint_eq(r.value, 300);
	ck_assert_int_eq(presses[0], 1);

	/* Same daemon after a reconnect: still remembered. */
	link_fail = 1;
	poll_();
	link_fail = 0;
	advance(1000);
	poll_();
	ck_assert_int_eq(node.state, NODE_HELLO);
	welcome(0xd1, NP_OFF_ANY, 4096);
	r = power(NP_PWR_ON, 77);
	ck_assert(r.flags & NP_RF_REPLAY);
	ck_assert_int_eq(presses[0], 1);

	/* Another daemon: forgotten, executed. */
	link_fail = 1;
	poll_();
	link_fail = 0;
	advance(2000);
	poll_();
	welcome(0xd2, NP_OFF_ANY, 4096);
	r = power(NP_PWR_ON, 77);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED);
	ck_assert_int_eq(presses[0], 2);
}
END_TEST

START_TEST(power_table)
{
	struct np_result r;

	start_up(1);
	server_on = 1;
	r = power(NP_PWR_ON, 1);		/* on already */
	ck_assert_uint_eq(r.status, NP_OK);
	ck_assert_uint_eq(r.flags, NP_RF_NOTHING);
	ck_assert_int_eq(presses[0], 0);
	r = power(NP_PWR_OFF, 2);		/* a long hold */
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED);
	ck_assert_uint_eq(r.value, 5000);
	ck_assert_int_ge(find_event("arm 0 5000"), 0);
	idle(5000);
	ck_assert_int_eq(pin_level[P_POWER], 0);
	server_on = 0;
	r = power(NP_PWR_OFF, 3);		/* off already */
	ck_assert_uint_eq(r.flags, NP_RF_NOTHING);
	r = power(NP_PWR_SOFT, 4);		/* soft when off */
	ck_assert_uint_eq(r.status, NP_E_STATE);
	ck_assert_int_eq(presses[0], 1);
	r = power(NP_PWR_RESET, 5);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED);
	ck_assert_uint_eq(r.value, 200);
	ck_assert_int_eq(presses[1], 1);
}
END_TEST

START_TEST(power_unsensed)
{
	struct np_result r;

	start_up(0);
	r = power(NP_PWR_ON, 1);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED | NP_RF_UNSENSED);
	ck_assert_uint_eq(r.power, NP_PS_UNKNOWN);
	ck_assert_int_eq(presses[0], 1);
}
END_TEST

START_TEST(cycle)
{
	struct np_result r;
	uint32_t t0;

	start_up(1);
	server_on = 1;
	r = power(NP_PWR_CYCLE, 1);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED);
	ck_assert_uint_eq(r.value, 5000);
	t0 = now;
	advance(4000);
	server_on = 0;			/* forced off at 4 s */
	poll_();
	advance(1000);			/* released */
	for (int i = 0; i < 100 && presses[0] < 2; i++) {
		poll_();
		advance(10);
	}
	ck_assert_int_eq(presses[0], 2);
	ck_assert_uint_ge(now - t0, 5000);
	ck_assert_int_ge(find_event("arm 0 300"), 0);

	/* A cycle while the button is held: busy, no cycle started. */
	start_up(1);
	server_on = 1;
	r = power(NP_PWR_SOFT, 1);
	ck_assert_uint_eq(r.status, NP_OK);
	r = power(NP_PWR_CYCLE, 2);
	ck_assert_uint_eq(r.status, NP_E_BUSY);
	ck_assert_uint_eq(node.cycle, 0);
	idle(5000);
	ck_assert_int_eq(presses[0], 1);

	/* Unsensed: hold, 2 s, press. */
	start_up(0);
	r = power(NP_PWR_CYCLE, 2);
	ck_assert_uint_eq(r.flags, NP_RF_PRESSED | NP_RF_UNSENSED);
	t0 = now;
	while (presses[0] < 2 && now - t0 < 10000) {
		advance(10);
		poll_();
	}
	ck_assert_int_eq(presses[0], 2);
	ck_assert_uint_ge(now - t0, 7000);
	ck_assert_uint_le(now - t0, 7020);
}
END_TEST

START_TEST(welcome_overrides)
{
	struct np_msg m;
	struct np_result r;

	start(1, NULL);
	memset(&m, 0, sizeof(m));
	m.type = NP_WELCOME;
	m.u.welcome.proto = NP_VERSION;
	m.u.welcome.heartbeat_ms = 1000;
	m.u.welcome.dead_ms = 3500;
	m.u.welcome.con_rx_next = NP_OFF_ANY;
	m.u.welcome.press_ms = 10;		/* clamped */
	m.u.welcome.hold_ms = 60000;		/* clamped */
	inject(&m);
	poll_();
	r = power(NP_PWR_ON, 1);
	ck_assert_uint_eq(r.value, 50);
	ck_assert_uint_eq(node.hold_ms, 8000);
	ck_assert_uint_eq(node.reset_ms, 200);
}
END_TEST

START_TEST(pin_write)
{
	struct np_msg m;

	start_up(1);
	memset(&m, 0, sizeof(m));
	m.u.pin.pin = P_POWER;
	m.u.pin.level = 1;
	m.u.pin.revert_ms = 1000;
	request(NP_PIN_WRITE, 1, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_E_REFUSED);
	ck_assert_int_eq(pin_level[P_POWER], 0);

	memset(&m, 0, sizeof(m));
	m.u.pin.pin = P_RESET;
	m.u.pin.mode = NP_PIN_OUT;
	request(NP_PIN_SETUP, 2, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_E_REFUSED);

	memset(&m, 0, sizeof(m));
	m.u.pin.pin = P_FREE;
	m.u.pin.mode = NP_PIN_OUT;
	request(NP_PIN_SETUP, 3, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_OK);
	memset(&m, 0, sizeof(m));
	m.u.pin.pin = P_FREE;
	m.u.pin.level = 1;
	m.u.pin.revert_ms = 1000;
	request(NP_PIN_WRITE, 4, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_OK);
	ck_assert_int_eq(pin_level[P_FREE], 1);
	ck_assert_int_lt(find_event("arm 2 1000"), find_event("pin 6 1"));
	advance(999);
	ck_assert_int_eq(pin_level[P_FREE], 1);
	advance(1);
	ck_assert_int_eq(pin_level[P_FREE], 0);
	poll_();
	ck_assert_uint_eq(node.revert[0].pin, NP_PIN_NONE);

	memset(&m, 0, sizeof(m));
	m.u.pin.pin = P_SENSE;
	request(NP_PIN_READ, 5, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.value, 0);
}
END_TEST

static void
uart_feed(size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		uart_in[uart_in_len++] = (uint8_t)(first + i);
}

START_TEST(console_ring)
{
	struct np_msg m, h;
	uint32_t next;

	start(1, &h);
	ck_assert_uint_eq(h.u.hello.con_tx_base, 0);
	/* 100 bytes more than the ring, while nobody listens. */
	uart_feed(NODE_CON_RING / 2, 0);
	poll_();
	uart_feed(NODE_CON_RING / 2 + 100, 0);
	poll_();
	ck_assert_uint_eq(node.con_lost, 100);
	ck_assert_uint_eq(node.con_tail, 100);

	/* The daemon had up to 500: resend from there. */
	welcome(0xd1, 500, 300);
	ck_assert(next_of(NP_CON_DATA, &m));
	ck_assert_uint_eq(m.u.con.off, 500);
	ck_assert_uint_eq(m.u.con.len, 300);	/* the window */
	ck_assert_uint_eq(m.u.con.data[0], (uint8_t)500);
	ck_assert(!next_of(NP_CON_DATA, &m));
	/* An ack moves the window. */
	memset(&m, 0, sizeof(m));
	m.u.ack.next = 800;
	m.u.ack.window = 2000;
	request(NP_CON_ACK, 0, &m);
	next = 800;
	while (next_of(NP_CON_DATA, &m)) {
		ck_assert_uint_eq(m.u.con.off, next);
		next += m.u.con.len;
	}
	ck_assert_uint_eq(next, 2800);
	ck_assert_uint_eq(node.con_tail, 800);

	/* SENSORS reports the loss. */
	memset(&m, 0, sizeof(m));
	request(NP_SENSORS_GET, 9, &m);
	ck_assert(next_of(NP_SENSORS, &m));
	ck_assert_uint_eq(m.seq, 9);
	ck_assert_uint_eq(m.u.sensors.con_lost, 100);

	/* A new daemon: everything held. */
	link_fail = 1;
	poll_();
	link_fail = 0;
	advance(1000);
	poll_();
	sent_off = sent_len;
	welcome(0xd2, NP_OFF_ANY, 100);
	ck_assert(next_of(NP_CON_DATA, &m));
	ck_assert_uint_eq(m.u.con.off, 800);
	ck_assert_uint_eq(m.u.con.len, 100);

	/* The ring overruns while the daemon is slow: an ack for bytes
	 * dropped since still opens the window, from the oldest held. */
	while (next_of(NP_CON_DATA, &m))
		;
	uart_feed(NODE_CON_RING, 0);
	poll_();
	ck_assert_uint_eq(node.con_tail, node.con_head - NODE_CON_RING);
	memset(&m, 0, sizeof(m));
	m.u.ack.next = 850;			/* behind the tail now */
	m.u.ack.window = 100;
	request(NP_CON_ACK, 0, &m);
	ck_assert(next_of(NP_CON_DATA, &m));
	ck_assert_uint_eq(m.u.con.off, node.con_tail);
	ck_assert_uint_eq(m.u.con.len, 100);
}
END_TEST

START_TEST(console_to_uart)
{
	struct np_msg m;
	uint8_t data[NP_DATA_MAX];

	start_up(1);
	memset(data, 'x', sizeof(data));
	uart_room = 0;			/* the UART does not drain */
	memset(&m, 0, sizeof(m));
	m.u.con.off = 0;
	m.u.con.len = 1000;
	m.u.con.data = data;
	request(NP_CON_DATA, 0, &m);
	ck_assert(next_of(NP_CON_ACK, &m));
	ck_assert_uint_eq(m.u.ack.next, 1000);
	ck_assert_uint_eq(m.u.ack.window, NODE_CON_TX - 1000);
	/* Past the window: only what fits is taken. */
	memset(&m, 0, sizeof(m));
	m.u.con.off = 900;		/* 100 seen already */
	m.u.con.len = 200;
	m.u.con.data = data;
	request(NP_CON_DATA, 0, &m);
	ck_assert(next_of(NP_CON_ACK, &m));
	ck_assert_uint_eq(m.u.ack.next, NODE_CON_TX);
	ck_assert_uint_eq(m.u.ack.window, 0);
	/* The UART drains: the window opens. */
	uart_room = (size_t)-1;
	poll_();
	ck_assert_uint_eq(uart_out_len, NODE_CON_TX);
	ck_assert(next_of(NP_CON_ACK, &m));
	ck_assert_uint_eq(m.u.ack.next, NODE_CON_TX);
	ck_assert_uint_eq(m.u.ack.window, NODE_CON_TX);
}
END_TEST

START_TEST(heartbeat_and_dead)
{
	struct np_msg m;

	start_up(1);
	advance(1000);
	poll_();
	ck_assert(next_of(NP_PING, &m));
	advance(2499);
	poll_();
	ck_assert_int_eq(node.state, NODE_UP);
	advance(1);
	poll_();
	ck_assert_int_eq(node.state, NODE_DOWN);
	ck_assert_int_eq(link_closes, 1);
}
END_TEST

START_TEST(backoff)
{
	uint32_t step = NODE_BACKOFF_MIN, wait;

	start(1, NULL);
	for (int i = 0; i < 10; i++) {
		link_fail = 1;
		poll_();
		ck_assert_int_eq(node.state, NODE_DOWN);
		link_fail = 0;
		wait = node.next_try - now;
		ck_assert_uint_ge(wait, step * 3 / 4);
		ck_assert_uint_le(wait, step * 5 / 4);
		step = step * 2 > NODE_BACKOFF_MAX ? NODE_BACKOFF_MAX :
		    step * 2;
		advance(wait);
		poll_();
		ck_assert_int_eq(node.state, NODE_HELLO);
	}
	/* Welcomed: back to the first step. */
	welcome(1, NP_OFF_ANY, 0);
	ck_assert_uint_eq(node.backoff, NODE_BACKOFF_MIN);
}
END_TEST

START_TEST(bad_frame_ends_link)
{
	static const uint8_t bad[] = { 6, 0, 2, 0x03, 0, 0, 0, 0 };

	start_up(1);
	memcpy(inject_buf, bad, sizeof(bad));
	inject_len = sizeof(bad);
	poll_();
	ck_assert_int_eq(node.state, NODE_DOWN);
}
END_TEST

START_TEST(reboot_magic)
{
	struct np_msg m;

	start_up(1);
	memset(&m, 0, sizeof(m));
	m.u.reboot_magic = 1;
	request(NP_REBOOT, 1, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_E_ARG);
	memset(&m, 0, sizeof(m));
	m.u.reboot_magic = NP_REBOOT_MAGIC;
	request(NP_REBOOT, 2, &m);
	ck_assert(next_of(NP_RESULT, &m));
	ck_assert_uint_eq(m.u.result.status, NP_OK);
	ck_assert_int_eq(rebooted, 0);
	advance(200);
	poll_();
	ck_assert_int_eq(rebooted, 1);
}
END_TEST

static Suite *
node_suite(void)
{
	Suite *s = suite_create("node");
	TCase *tc = tcase_create("node");

	tcase_add_test(tc, hello_fields);
	tcase_add_test(tc, pulse_clamped);
	tcase_add_test(tc, alarm_before_pin);
	tcase_add_test(tc, release_after_link_loss);
	tcase_add_test(tc, watchdog_only_from_poll);
	tcase_add_test(tc, duplicate_seq);
	tcase_add_test(tc, power_table);
	tcase_add_test(tc, power_unsensed);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, welcome_overrides);
	tcase_add_test(tc, pin_write);
	tcase_add_test(tc, console_ring);
	tcase_add_test(tc, console_to_uart);
	tcase_add_test(tc, heartbeat_and_dead);
	tcase_add_test(tc, backoff);
	tcase_add_test(tc, bad_frame_ends_link);
	tcase_add_test(tc, reboot_magic);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(node_suite)
