/* check_nproto.c: the node link codec, both directions, and its refusals. */
#include "nproto.h"
#include "test.h"

static size_t
enc(const struct np_msg *m, uint8_t *out)
{
	return np_encode(out, NP_FRAME_MAX, m);
}

START_TEST(hello_round_trip)
{
	struct np_msg m = { .type = NP_HELLO, .seq = 0 }, d;
	uint8_t f[NP_FRAME_MAX];
	size_t n;

	m.u.hello.proto = NP_VERSION;
	strcpy(m.u.hello.board, "pico_w");
	strcpy(m.u.hello.fw, "0.1.0");
	strcpy(m.u.hello.name, "rack1-node5");
	m.u.hello.caps = NP_CAP_POWER | NP_CAP_SENSE;
	m.u.hello.reset_cause = NP_RST_WATCHDOG;
	m.u.hello.boot_id = 0xdeadbeef;
	m.u.hello.pins = (struct np_pins){ 2, 3, 4, 0, 1, NP_PIN_NONE, 0, 0 };
	m.u.hello.press_ms = 300;
	m.u.hello.hold_ms = 5000;
	m.u.hello.reset_ms = 200;
	m.u.hello.power = NP_PS_ON;
	m.u.hello.con_rx_next = 77;
	m.u.hello.con_tx_base = 0xfffffff0u;
	n = enc(&m, f);
	/* 8 header + 1 + 3*32 + 4 + 1 + 4 + 8 + 6 + 1 + 8 */
	ck_assert_uint_eq(n, 8 + 1 + 96 + 4 + 1 + 4 + 8 + 6 + 1 + 8);
	ck_assert_uint_eq(f[0] | f[1] << 8, n - 2);
	ck_assert_uint_eq(f[2], NP_VERSION);
	ck_assert_uint_eq(f[3], NP_HELLO);
	ck_assert_int_eq(np_frame_len(f, n), (int)n);
	ck_assert_int_eq(np_decode(f, n, &d), 0);
	ck_assert_str_eq(d.u.hello.board, "pico_w");
	ck_assert_str_eq(d.u.hello.name, "rack1-node5");
	ck_assert_uint_eq(d.u.hello.boot_id, 0xdeadbeef);
	ck_assert_uint_eq(d.u.hello.pins.sense, 4);
	ck_assert_uint_eq(d.u.hello.pins.led, NP_PIN_NONE);
	ck_assert_uint_eq(d.u.hello.hold_ms, 5000);
	ck_assert_uint_eq(d.u.hello.con_tx_base, 0xfffffff0u);
	/* Every truncation is refused, and so is one byte more. */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(np_decode(f, i, &d), -1);
	ck_assert_int_eq(np_decode(f, n + 1, &d), -1);
}
END_TEST

START_TEST(fixed_bytes)
{
	struct np_msg m = { .type = NP_POWER, .seq = 0x01020304 }, d;
	uint8_t f[NP_FRAME_MAX], want[16];
	size_t n;

	m.u.power.action = NP_PWR_SOFT;
	n = enc(&m, f);
	ck_assert_uint_eq(n, test_hex("0700 01 10 04030201 05", want, 16));
	ck_assert_mem_eq(f, want, n);

	m = (struct np_msg){ .type = NP_RESULT, .seq = 7 };
	m.u.result = (struct np_result){ NP_OK, NP_RF_PRESSED, NP_PS_ON, 300 };
	n = enc(&m, f);
	ck_assert_uint_eq(n, test_hex("0d00 01 04 07000000 00 01 01 2c010000",
	    want, 16));
	ck_assert_mem_eq(f, want, n);
	ck_assert_int_eq(np_decode(f, n, &d), 0);
	ck_assert_uint_eq(d.seq, 7);
	ck_assert_uint_eq(d.u.result.value, 300);

	m = (struct np_msg){ .type = NP_PING };
	n = enc(&m, f);
	ck_assert_uint_eq(n, test_hex("0600 01 03 00000000", want, 16));
	ck_assert_mem_eq(f, want, n);
}
END_TEST

START_TEST(console_data)
{
	struct np_msg m = { .type = NP_CON_DATA }, d;
	uint8_t f[NP_FRAME_MAX + 8], data[NP_DATA_MAX + 1];
	size_t n;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	m.u.con.off = 1000;
	m.u.con.data = data;
	m.u.con.len = NP_DATA_MAX;
	n = enc(&m, f);
	ck_assert_uint_eq(n, NP_FRAME_MAX);
	ck_assert_int_eq(np_decode(f, n, &d), 0);
	ck_assert_uint_eq(d.u.con.off, 1000);
	ck_assert_uint_eq(d.u.con.len, NP_DATA_MAX);
	ck_assert_mem_eq(d.u.con.data, data, NP_DATA_MAX);
	/* Too much, or nothing, is not a frame. */
	m.u.con.len = NP_DATA_MAX + 1;
	ck_assert_uint_eq(np_encode(f, sizeof(f), &m), 0);
	m.u.con.len = 0;
	ck_assert_uint_eq(enc(&m, f), 0);
	/* A buffer too small is refused, not overrun. */
	m.u.con.len = 10;
	ck_assert_uint_eq(np_encode(f, 8 + 4 + 9, &m), 0);
	ck_assert_uint_eq(np_encode(f, 8 + 4 + 10, &m), 8 + 4 + 10);
}
END_TEST

START_TEST(streaming)
{
	struct np_msg m = { .type = NP_CON_ACK }, d;
	uint8_t f[64];
	size_t n;

	m.u.ack = (struct np_con_ack){ 123456, 1024 };
	n = enc(&m, f);
	ck_assert_int_eq(np_frame_len(f, 0), 0);
	ck_assert_int_eq(np_frame_len(f, 1), 0);
	ck_assert_int_eq(np_frame_len(f, 2), (int)n);
	ck_assert_int_eq(np_decode(f, n, &d), 0);
	ck_assert_uint_eq(d.u.ack.window, 1024);
	/* A wrong version or an impossible length ends the link. */
	f[2] = 2;
	ck_assert_int_eq(np_frame_len(f, 3), -1);
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	ck_assert_int_eq(np_frame_len((const uint8_t *)"\x05\x00", 2), -1);
	ck_assert_int_eq(np_frame_len((const uint8_t *)"\xff\xff", 2), -1);
	ck_assert_int_eq(np_frame_len((const uint8_t *)"\x0b\x04", 2), -1);
	ck_assert_int_eq(np_frame_len((const uint8_t *)"\x0a\x04", 2), NP_FRAME_MAX);
}
END_TEST

START_TEST(refusals)
{
	uint8_t f[64];
	struct np_msg d;
	size_t n;

	/* Unknown type. */
	n = test_hex("0600 01 7f 00000000", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	/* Power action 4 (diag) is not a node action. */
	n = test_hex("0700 01 10 01000000 04", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	/* Pulse on a line that does not exist. */
	n = test_hex("0900 01 11 01000000 02 6400", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	/* PIN_WRITE without a revert time, or beyond the limit. */
	n = test_hex("0c00 01 52 01000000 05 01 00000000", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	n = test_hex("0c00 01 52 01000000 05 01 61ea0000", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	n = test_hex("0c00 01 52 01000000 05 01 60ea0000", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), 0);
	ck_assert_uint_eq(d.u.pin.revert_ms, 60000);
	/* CON_SET with 9 data bits. */
	n = test_hex("0d00 01 22 01000000 00c20100 09 00 01", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	/* A PING with a payload. */
	n = test_hex("0700 01 03 00000000 00", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
	/* WELCOME whose dead time is not above its heartbeat. */
	n = test_hex("1700 01 02 00000000 01 01000000 e803 e803 ffffffff 0004"
	    "0000 0000 0000", f, sizeof(f));
	ck_assert_int_eq(np_decode(f, n, &d), -1);
}
END_TEST

START_TEST(every_type_round_trips)
{
	static const uint8_t types[] = { NP_WELCOME, NP_PULSE, NP_STATE,
	    NP_CON_SET, NP_CON_BREAK, NP_IDENTIFY, NP_SENSORS_GET, NP_SENSORS,
	    NP_REBOOT, NP_PIN_SETUP, NP_PIN_READ, NP_ACTIONS_GET, NP_ACTIONS,
	    NP_INFO_GET, NP_INFO };
	uint8_t f[NP_FRAME_MAX], g[NP_FRAME_MAX];

	for (size_t i = 0; i < sizeof(types); i++) {
		struct np_msg m = { .type = types[i], .seq = (uint32_t)i }, d;
		size_t n;

		switch (types[i]) {
		case NP_WELCOME:
			m.u.welcome = (struct np_welcome){ 1, 42, 1000, 3500,
			    NP_OFF_ANY, 1024, 0, 6000, 0 };
			break;
		case NP_PULSE:
			m.u.pulse = (struct np_pulse){ NP_LINE_RESET, 200 };
			break;
		case NP_STATE:
			m.u.state = (struct np_state){ NP_PS_UNKNOWN, 1 };
			break;
		case NP_CON_SET:
			m.u.set = (struct np_con_set){ 115200, 8, 0, 1 };
			break;
		case NP_SENSORS:
			m.u.sensors = (struct np_sensors){ -1250, 5012, -61,
			    3600, 150000, NP_RST_POWER, 9 };
			break;
		case NP_ACTIONS:
		case NP_INFO:
			m.u.text = (struct np_text){ 13, "power,reset,x" };
			break;
		default:
			m.u.pin.pin = 5;
			break;
		}
		n = enc(&m, f);
		ck_assert_msg(n > 0, "type %s", np_type_name(types[i]));
		ck_assert_int_eq(np_decode(f, n, &d), 0);
		ck_assert_uint_eq(d.type, types[i]);
		ck_assert_uint_eq(d.seq, i);
		/* Decoding then encoding gives the same bytes. */
		ck_assert_uint_eq(enc(&d, g), n);
		ck_assert_mem_eq(f, g, n);
	}
}
END_TEST

START_TEST(clamp)
{
	ck_assert_uint_eq(np_clamp_pulse(0), NP_PULSE_MIN_MS);
	ck_assert_uint_eq(np_clamp_pulse(10), 50);
	ck_assert_uint_eq(np_clamp_pulse(300), 300);
	ck_assert_uint_eq(np_clamp_pulse(20000), 8000);
	ck_assert_uint_eq(np_clamp_pulse(0xffffffffu), 8000);
}
END_TEST

static Suite *
nproto_suite(void)
{
	Suite *s = suite_create("nproto");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, hello_round_trip);
	tcase_add_test(tc, fixed_bytes);
	tcase_add_test(tc, console_data);
	tcase_add_test(tc, streaming);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, every_type_round_trips);
	tcase_add_test(tc, clamp);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(nproto_suite)
