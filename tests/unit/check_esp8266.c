/*
 * check_esp8266.c: the esp8266 driver's reply grammar (esp8266_parse() and
 * esp8266_flag_set() in targets/esp8266.c), on the replies
 * docs/esp8266.md lists (as tests/blackbox/esp_sim.py words them) and on
 * lines the firmware does not send.  Pure: no sockets.
 */
#include "esp8266.h"
#include "test.h"

static struct esp_parsed r;

static int
parse(const char *line)
{
	return esp8266_parse(line, &r);
}

START_TEST(pin_dump)
{
	ck_assert_int_eq(parse("* io[0]: internal@00"), 0);
	ck_assert_int_eq(r.kind, ESP_R_IO_HEADER);

	ck_assert_int_eq(parse("  pin:  2, mode: digital output       "
	    "[hw: digital output      ] flags: [autostart], output, state: "
	    "on, max value: 1, info: gpio 2"), 0);
	ck_assert_int_eq(r.kind, ESP_R_PIN_DUMP);
	ck_assert_int_eq(r.pin, 2);
	ck_assert_str_eq(r.mode, "digital output");
	ck_assert_str_eq(r.flags, "autostart");
	ck_assert_int_eq(r.state, 1);

	ck_assert_int_eq(parse("  pin: 15, mode: digital input        "
	    "[hw: digital input       ] flags: [invert pullup], state: off, "
	    "max value: 1, info: gpio 15\r"), 0);
	ck_assert_int_eq(r.kind, ESP_R_PIN_DUMP);
	ck_assert_int_eq(r.pin, 15);
	ck_assert_str_eq(r.mode, "digital input");
	ck_assert_str_eq(r.flags, "invert pullup");
	ck_assert_int_eq(r.state, 0);

	/* A disabled pin has no state. */
	ck_assert_int_eq(parse("  pin:  0, mode: disabled             "
	    "[hw: disabled            ] flags: [], max value: 1, info: gpio "
	    "0"), 0);
	ck_assert_int_eq(r.kind, ESP_R_PIN_DUMP);
	ck_assert_str_eq(r.flags, "");
	ck_assert_int_eq(r.state, -1);
	/* "state: online" is not "on". */
	ck_assert_int_eq(parse("  pin:  0, mode: x [hw: x] flags: [], "
	    "state: online"), 0);
	ck_assert_int_eq(r.state, -1);
}
END_TEST

START_TEST(values_and_flags)
{
	ck_assert_int_eq(parse("digital output: [1]"), 0);
	ck_assert_int_eq(r.kind, ESP_R_VALUE);
	ck_assert_str_eq(r.mode, "digital output");
	ck_assert_int_eq(r.value, 1);
	ck_assert_int_eq(parse("digital input: [0]\r"), 0);
	ck_assert_int_eq(r.kind, ESP_R_VALUE);
	ck_assert_str_eq(r.mode, "digital input");
	ck_assert_int_eq(r.value, 0);

	ck_assert_int_eq(parse("flags for pin 0/2:autostart invert"), 0);
	ck_assert_int_eq(r.kind, ESP_R_FLAGS);
	ck_assert_int_eq(r.pin, 2);
	ck_assert_str_eq(r.flags, "autostart invert");
	ck_assert_int_eq(parse("flags for pin 0/0:"), 0);
	ck_assert_int_eq(r.kind, ESP_R_FLAGS);
	ck_assert_int_eq(r.pin, 0);
	ck_assert_str_eq(r.flags, "");
}
END_TEST

START_TEST(uart_and_keepalive)
{
	ck_assert_int_eq(parse("> baudrate[0]: 115200"), 0);
	ck_assert_int_eq(r.kind, ESP_R_BAUD);
	ck_assert_int_eq(r.value, 115200);
	ck_assert_int_eq(parse("data bits[0]: 8"), 0);
	ck_assert_int_eq(r.kind, ESP_R_DATA_BITS);
	ck_assert_int_eq(r.value, 8);
	ck_assert_int_eq(parse("> data bits[0]: 7"), 0);
	ck_assert_int_eq(r.kind, ESP_R_DATA_BITS);
	ck_assert_int_eq(r.value, 7);
	ck_assert_int_eq(parse("> stop bits[0]: 1"), 0);
	ck_assert_int_eq(r.kind, ESP_R_STOP_BITS);
	ck_assert_int_eq(r.value, 1);
	ck_assert_int_eq(parse("parity[0]: none"), 0);
	ck_assert_int_eq(r.kind, ESP_R_PARITY);
	ck_assert_str_eq(r.word, "none");
	ck_assert_int_eq(parse("> parity[0]: even"), 0);
	ck_assert_int_eq(r.kind, ESP_R_PARITY);
	ck_assert_str_eq(r.word, "even");
	ck_assert_int_eq(parse("> port: 23 \r"), 0);
	ck_assert_int_eq(r.kind, ESP_R_PORT);
	ck_assert_int_eq(r.value, 23);
	ck_assert_int_eq(parse("> empty command"), 0);
	ck_assert_int_eq(r.kind, ESP_R_EMPTY);
}
END_TEST

START_TEST(refusals)
{
	static const char *const lines[] = {
		"foo: command unknown",
		": command unknown",
		"digital input: cannot write to gpio 0",
		"invalid mode",
		"invalid mode, available modes: disabled inputd counter "
		    "outputd timer",
		"> cannot delete config (default values)",
		"> cannot set config",
		"io-flag <io> <pin> <flag>",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ck_assert_msg(parse(lines[i]) == 0, "%s", lines[i]);
		ck_assert_msg(r.kind == ESP_R_ERROR, "%s", lines[i]);
	}
}
END_TEST

START_TEST(malformed)
{
	static const char *const lines[] = {
		"",
		"\r",
		"hello",
		"> baudrate[0]: ",
		"> baudrate[0]: 115200x",
		"> baudrate[0]: -1",
		"data bits[0]: 99999999999999999999999",
		"parity[0]: mark",
		"parity[0]: ",
		"> port: twenty-three",
		"flags for pin 1/2:autostart",		/* io 1 */
		"flags for pin 0/16:autostart",		/* no such pin */
		"  pin: 16, mode: x [hw: x] flags: [], state: on",
		"  pin:  2, mode: digital output",	/* cut short */
		"  pin:  2, mode: x [hw: x] flags: [autostart",
		"digital output: [1",
		"digital output: [x]",
		": [1]",
		"digital output: [1]x",
	};
	char big[ESP_LINE_MAX + 16];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		memset(&r, 0xa5, sizeof(r));
		ck_assert_msg(parse(lines[i]) == -1, "%s", lines[i]);
		ck_assert_msg(r.kind == ESP_R_NONE, "%s", lines[i]);
	}
	/* A line longer than the driver reads is refused, not cut. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "> port: ", 8);
	memset(big + 8, '1', sizeof(big) - 9);
	ck_assert_int_eq(parse(big), -1);
	ck_assert_int_eq(r.kind, ESP_R_NONE);
}
END_TEST

START_TEST(flag_set)
{
	ck_assert_int_eq(esp8266_flag_set("autostart", "autostart"), 1);
	ck_assert_int_eq(esp8266_flag_set("autostart invert", "invert"), 1);
	ck_assert_int_eq(esp8266_flag_set("pullup autostart invert",
	    "autostart"), 1);
	ck_assert_int_eq(esp8266_flag_set("", "invert"), 0);
	ck_assert_int_eq(esp8266_flag_set("noinvert", "invert"), 0);
	ck_assert_int_eq(esp8266_flag_set("invertx pullup", "invert"), 0);
	ck_assert_int_eq(esp8266_flag_set("autostartinvert invert",
	    "autostart"), 0);
}
END_TEST

static Suite *
esp8266_suite(void)
{
	Suite *s = suite_create("esp8266");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, pin_dump);
	tcase_add_test(tc, values_and_flags);
	tcase_add_test(tc, uart_and_keepalive);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, flag_set);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(esp8266_suite)
