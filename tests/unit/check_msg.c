/* check_msg.c: IPMI messages and the Send Message (bridging) envelope,
 * against bytes captured from ipmitool, FreeIPMI and pyghmi. */
#include "ipmi.h"
#include "msg.h"
#include "test.h"

START_TEST(parse_request)
{
	uint8_t p[64];
	size_t n = test_hex("20 18 c8 81 1c 34 40 01 00 ff 81 1c 01 62 ef",
	    p, sizeof(p));
	struct msg_req m;

	ck_assert_int_eq(msg_parse(p, n, &m), 0);
	ck_assert_uint_eq(m.rs_sa, 0x20);
	ck_assert_uint_eq(m.netfn, NETFN_APP);
	ck_assert_uint_eq(m.rq_sa, 0x81);
	ck_assert_uint_eq(m.rq_seq, 7);
	ck_assert_uint_eq(m.cmd, APP_SEND_MESSAGE);
	ck_assert_uint_eq(m.len, 8);
	p[2] ^= 1;				/* header checksum */
	ck_assert_int_eq(msg_parse(p, n, &m), -1);
	p[2] ^= 1;
	p[n - 1] ^= 1;				/* body checksum */
	ck_assert_int_eq(msg_parse(p, n, &m), -1);
	ck_assert_int_eq(msg_parse(p, 6, &m), -1);	/* truncated */
}
END_TEST

/* ipmi-bridging.md 2.2: the exact reply pair ipmitool accepts. */
START_TEST(bridge_ipmitool)
{
	uint8_t p[64], out[64], want[64], hdr[MSG_HDR];
	size_t n = test_hex("20 18 c8 81 1c 34 40 01 00 ff 81 1c 01 62 ef",
	    p, sizeof(p)), len, wn;
	struct msg_req outer;
	struct msg_bridge mb;
	const uint8_t status[3] = { 0, 0, 0 };

	ck_assert_int_eq(msg_parse(p, n, &outer), 0);
	ck_assert_int_eq(msg_bridge_parse(outer.data, outer.len, &mb), 0);
	ck_assert_uint_eq(mb.channel, 0);
	ck_assert_uint_eq(mb.track, 1);
	ck_assert_uint_eq(mb.inner.rs_sa, 0x01);
	ck_assert_uint_eq(mb.inner.netfn, NETFN_CHASSIS);
	ck_assert_uint_eq(mb.inner.cmd, CHASSIS_GET_STATUS);
	ck_assert_uint_eq(mb.inner.rq_seq, outer.rq_seq);
	/* packet 1: Send Message response, exactly 8 bytes */
	msg_reply_hdr(&outer, IPMI_BMC_ADDR, hdr);
	len = msg_reply(hdr, CC_OK, NULL, 0, out, sizeof(out));
	wn = test_hex("81 1c 63 20 1c 34 00 90", want, sizeof(want));
	ck_assert_uint_eq(len, wn);
	ck_assert_mem_eq(out, want, wn);
	/* packet 2: the target's answer */
	msg_bridge_reply_hdr(&outer, &mb.inner, hdr);
	len = msg_reply(hdr, CC_OK, status, 3, out, sizeof(out));
	wn = test_hex("81 04 7b 01 1c 01 00 00 00 00 e2", want, sizeof(want));
	ck_assert_uint_eq(len, wn);
	ck_assert_mem_eq(out, want, wn);
}
END_TEST

/* FreeIPMI and pyghmi put 20h as the inner rqSA; channel 7 with -b 7. */
START_TEST(bridge_other_clients)
{
	const char *caps[] = {
		"20 18 c8 81 28 34 40 72 18 76 20 28 01 b7 e3",	/* FreeIPMI */
		"20 18 c8 81 08 34 40 72 18 76 20 08 01 d7 03",	/* pyghmi */
	};
	uint8_t p[64];

	for (size_t i = 0; i < 2; i++) {
		size_t n = test_hex(caps[i], p, sizeof(p));
		struct msg_req outer;
		struct msg_bridge mb;

		ck_assert_int_eq(msg_parse(p, n, &outer), 0);
		ck_assert_int_eq(msg_bridge_parse(outer.data, outer.len, &mb),
		    0);
		ck_assert_uint_eq(mb.inner.rs_sa, 0x72);
		ck_assert_uint_eq(mb.inner.rq_sa, 0x20);
		ck_assert_uint_eq(mb.inner.netfn, NETFN_APP);
		ck_assert_uint_eq(mb.inner.cmd, APP_GET_DEVICE_ID);
	}
}
END_TEST

START_TEST(bridge_bad)
{
	uint8_t p[16];
	struct msg_bridge mb;
	size_t n = test_hex("40 01 00 ff 81 1c 01 62", p, sizeof(p));

	ck_assert_int_eq(msg_bridge_parse(p, 0, &mb), CC_REQ_LEN);
	ck_assert_int_eq(msg_bridge_parse(p, 5, &mb), CC_REQ_LEN);
	p[n - 1] ^= 0xff;			/* inner checksum */
	ck_assert_int_eq(msg_bridge_parse(p, n, &mb), CC_INVALID_FIELD);
	p[n - 1] ^= 0xff;
	p[0] = 0x70;				/* encryption asked */
	ck_assert_int_eq(msg_bridge_parse(p, n, &mb), CC_INVALID_FIELD);
	p[0] = 0x80;				/* tracking 10b */
	ck_assert_int_eq(msg_bridge_parse(p, n, &mb), CC_INVALID_FIELD);
	p[0] = 0x07;				/* no tracking, channel 7 */
	ck_assert_int_eq(msg_bridge_parse(p, n, &mb), 0);
	ck_assert_uint_eq(mb.channel, 7);
}
END_TEST

START_TEST(request_roundtrip)
{
	const uint8_t data[] = { 0x05, 0x00, 0x00 };
	struct msg_req m = { .rs_sa = 0x20, .netfn = NETFN_CHASSIS,
	    .rq_sa = 0x81, .rq_seq = 9, .cmd = CHASSIS_GET_BOOT, .data = data,
	    .len = 3 }, back;
	uint8_t out[32];
	size_t n = msg_request(&m, out, sizeof(out));

	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(msg_parse(out, n, &back), 0);
	ck_assert_uint_eq(back.rq_seq, 9);
	ck_assert_uint_eq(back.cmd, CHASSIS_GET_BOOT);
	ck_assert_mem_eq(back.data, data, 3);
	ck_assert_uint_eq(msg_request(&m, out, 9), 0);	/* too small */
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("msg");

	tcase_add_test(tc, parse_request);
	tcase_add_test(tc, bridge_ipmitool);
	tcase_add_test(tc, bridge_other_clients);
	tcase_add_test(tc, bridge_bad);
	tcase_add_test(tc, request_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(msg_suite)
