/*
 * check_core.c: sessions, privileges, bridging, the reply cache and
 * asynchronous targets, through the test harness (harness.c).
 */
#include "harness.h"

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
	target_done(&t1, now, fake_token, CC_OK);
	ck_assert_int_eq(nout, 2);		/* both, in order */
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SEND_MESSAGE), 0);
	ck_assert_int_eq(reply_cc(&cl, 1, CHASSIS_CONTROL), 0);
	nout = 0;
	target_done(&t1, now, fake_token, CC_OK);	/* late duplicate: ignored */
	ck_assert_int_eq(nout, 0);
	/* A target that never answers: timeout code, once. */
	bridged(&cl, 4, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	ck_assert_int_eq(nout, 0);
	now += cf.target_timeout - 1;
	tick(now);
	ck_assert_int_eq(nout, 0);
	now += 1;
	tick(now);
	ck_assert_int_eq(nout, 2);
	ck_assert_int_eq(reply_cc(&cl, 1, CHASSIS_CONTROL), CC_TIMEOUT);
	nout = 0;
	target_done(&t1, now, fake_token, CC_OK);
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
	tick(now);
	ck_assert_int_eq(nout, 2);		/* C3h */
	now += 1;			/* the other entries are younger */
	for (uint8_t seq = 3; seq < 3 + SESSION_RCACHE - 1; seq++) {
		bridged(&cl, seq, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
		target_done(&t1, now, fake_token, CC_OK);
		ck_assert_int_eq(nout, 2);
	}
	bridged(&cl, 20, 1, NETFN_CHASSIS, CHASSIS_CONTROL, &off, 1);
	ck_assert_int_eq(nout, 0);		/* pending, in a reused entry */
	target_done(&t1, now, stale, CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(nout, 0);		/* not the stale answer */
	target_done(&t72, now, fake_token, CC_OK);
	ck_assert_int_eq(nout, 0);		/* nor another target's */
	target_done(&t1, now, fake_token, CC_OK);
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
	tick(now);
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
