/*
 * check_setup.c: the setup access point's message formats
 * (firmware-pico/pico/setup_msg.c, the code the Pico runs): form values
 * decoded with every printable character kept, the page's text escaped,
 * and the DHCP server's replies byte by byte (issue 12, defect 6).
 */
#include "../../firmware-pico/pico/setup_msg.h"
#include "test.h"

START_TEST(form_values)
{
	char s[128];

	/* A WiFi password with every character the old page refused. */
	strcpy(s, "a%27b%22c%3Cd%3Ee%26f+g%2B%25");
	ck_assert_int_eq(form_decode(s), 0);
	ck_assert_str_eq(s, "a'b\"c<d>e&f g+%");
	strcpy(s, "%e2%82%ac");			/* UTF-8 is bytes */
	ck_assert_int_eq(form_decode(s), 0);
	ck_assert_str_eq(s, "\xe2\x82\xac");
	strcpy(s, "abc%2");			/* broken escapes */
	ck_assert_int_eq(form_decode(s), -1);
	strcpy(s, "abc%zz");
	ck_assert_int_eq(form_decode(s), -1);
	strcpy(s, "a%00b");			/* NUL, controls */
	ck_assert_int_eq(form_decode(s), -1);
	strcpy(s, "a%0db");
	ck_assert_int_eq(form_decode(s), -1);
	strcpy(s, "a%7fb");
	ck_assert_int_eq(form_decode(s), -1);
}
END_TEST

START_TEST(escaped)
{
	char out[64];

	ck_assert_uint_eq(html_escape(out, sizeof(out),
	    "x'><script>&\""), strlen(out));
	ck_assert_str_eq(out, "x&#39;&gt;&lt;script&gt;&amp;&quot;");
	/* Truncated on an entity boundary, never half of one. */
	ck_assert_uint_eq(html_escape(out, 7, "ab&cd"), 2);
	ck_assert_str_eq(out, "ab");
}
END_TEST

/* A DHCP request: op 1, Ethernet, xid, chaddr 02:00:00:00:00:01. */
static size_t
request(uint8_t *p, uint8_t type, const uint8_t *want)
{
	size_t n = 0;

	memset(p, 0, 300);
	p[0] = 1; p[1] = 1; p[2] = 6;
	memcpy(p + 4, "\x12\x34\x56\x78", 4);
	memcpy(p + 28, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(p + 236, "\x63\x82\x53\x63", 4);
	n = 240;
	p[n++] = 53; p[n++] = 1; p[n++] = type;
	if (want != NULL) {
		p[n++] = 50; p[n++] = 4;
		memcpy(p + n, want, 4);
		n += 4;
	}
	p[n++] = 255;
	return n;
}

START_TEST(dhcp_bytes)
{
	static uint8_t leases[DHCP_LEASES][6];
	uint8_t in[300], out[DHCP_REPLY_MAX], want[4];
	uint32_t server;
	size_t n;

	memcpy(&server, "\xc0\xa8\x04\x01", 4);	/* 192.168.4.1 */
	n = dhcp_answer(in, request(in, 1, NULL), server, leases, out);
	/* OFFER: yiaddr .16, siaddr, then the options. */
	ck_assert_uint_eq(n, 240 + 3 + 6 + 6 + 6 + 6 + 6 + 2 + 19 + 1);
	ck_assert_int_eq(out[0], 2);
	ck_assert_mem_eq(out + 4, "\x12\x34\x56\x78", 4);
	ck_assert_mem_eq(out + 16, "\xc0\xa8\x04\x10", 4);
	ck_assert_mem_eq(out + 20, "\xc0\xa8\x04\x01", 4);
	ck_assert_mem_eq(out + 28, "\x02\x00\x00\x00\x00\x01", 6);
	ck_assert_mem_eq(out + 236, "\x63\x82\x53\x63", 4);
	ck_assert_mem_eq(out + 240,
	    "\x35\x01\x02"			/* OFFER */
	    "\x36\x04\xc0\xa8\x04\x01"		/* server id */
	    "\x33\x04\x00\x00\x0e\x10"		/* lease 3600 s */
	    "\x01\x04\xff\xff\xff\x00"		/* netmask */
	    "\x03\x04\xc0\xa8\x04\x01"		/* router: the AP */
	    "\x06\x04\xc0\xa8\x04\x01"		/* DNS: the AP */
	    "\x72\x13" "http://192.168.4.1/"	/* RFC 8910 portal */
	    "\xff", n - 240);
	/* REQUEST of the address offered: ACK; of another: NAK. */
	memcpy(want, "\xc0\xa8\x04\x10", 4);
	n = dhcp_answer(in, request(in, 3, want), server, leases, out);
	ck_assert_uint_ne(n, 0);
	ck_assert_mem_eq(out + 240, "\x35\x01\x05", 3);
	memcpy(want, "\xc0\xa8\x04\x63", 4);
	n = dhcp_answer(in, request(in, 3, want), server, leases, out);
	ck_assert_mem_eq(out + 240, "\x35\x01\x06\x36\x04\xc0\xa8\x04\x01\xff",
	    10);
	ck_assert_mem_eq(out + 16, "\x00\x00\x00\x00", 4);
	/* Not a request, or cut short: no reply. */
	n = request(in, 1, NULL);
	in[0] = 2;
	ck_assert_uint_eq(dhcp_answer(in, n, server, leases, out), 0);
	ck_assert_uint_eq(dhcp_answer(in, 200, server, leases, out), 0);
}
END_TEST

static Suite *
setup_suite(void)
{
	Suite *s = suite_create("setup");
	TCase *tc = tcase_create("setup");

	tcase_add_test(tc, form_values);
	tcase_add_test(tc, escaped);
	tcase_add_test(tc, dhcp_bytes);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(setup_suite)
