/*
 * check_sol.c: Serial-over-LAN in the core: activation (direct and
 * bridged), acknowledgements, duplicates, back-pressure, retransmission,
 * BREAK, history replay, takeover, and bad packets, through the harness.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"
#include "sol.h"

static const uint8_t act[6] = { 0x01, 0x01, 0xc6, 0, 0, 0 };

static void
sol_send(struct client *c, const uint8_t *p, size_t n)
{
	uint8_t pkt[1024];

	nout = 0;
	client_input(c, pkt, rmcp_wrap20(&c->cs, PAYLOAD_SOL, p, n, pkt,
	    sizeof(pkt)));
}

/* SOL payload of captured packet i; its length, or -1 if not SOL. */
static int
sol_reply(struct client *c, int i, uint8_t *p)
{
	struct rmcp_pkt pkt;
	uint8_t plain[512];

	ck_assert_int_lt(i, nout);
	ck_assert_int_eq(rmcp_parse(out[i], out_len[i], &pkt), 0);
	if (pkt.kind != RMCP_IPMI20 || pkt.ptype != PAYLOAD_SOL)
		return -1;
	ck_assert_int_eq(rmcp_unwrap(&c->cs, &pkt, plain), 0);
	memcpy(p, pkt.payload, pkt.len);
	return (int)pkt.len;
}

static void
set_port(int ep, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&cf.eps[ep].addr.ss;

	in->sin_family = AF_INET;
	in->sin_port = htons(port);
}

/* Admin session on t72's own endpoint with SOL active. */
static void
activate72(void)
{
	uint8_t m[64];
	size_t n;

	set_port(1, 6272);
	admin_login(1);
	request(&cl, 2, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(nout, 1);
	n = reply(&cl, 0, m);
	ck_assert_uint_eq(m[6], 0);
	ck_assert_uint_eq(n, 8 + 12);		/* exactly 12 data bytes */
	ck_assert_uint_eq(m[11] | m[12] << 8, SOL_IN_SIZE);
	ck_assert_uint_eq(m[13] | m[14] << 8, SOL_PAYLOAD_SIZE);
	ck_assert_uint_eq(m[15] | m[16] << 8, 6272);	/* port, LS first */
	ck_assert_uint_eq(m[17], 0xff);
	ck_assert_uint_eq(m[18], 0xff);
}

START_TEST(echo_and_ack)
{
	const uint8_t hi[] = { 1, 0, 0, 0, 'h', 'i' };
	const uint8_t ack1[] = { 0, 1, 2, 0 };
	uint8_t p[512];

	activate72();
	fake_con_echo = 1;
	sol_send(&cl, hi, sizeof(hi));
	ck_assert_uint_eq(fake_con_len, 2);
	ck_assert_mem_eq(fake_con_in, "hi", 2);
	ck_assert_int_eq(nout, 2);		/* ACK, then the echo */
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[0], 0);		/* ACK only */
	ck_assert_uint_eq(p[1], 1);		/* acks seq 1 */
	ck_assert_uint_eq(p[2], 2);		/* both accepted */
	ck_assert_int_eq(sol_reply(&cl, 1, p), 6);
	ck_assert_uint_eq(p[0], 1);		/* our seq 1 */
	ck_assert_uint_eq(p[1], 0);		/* no ACK riding along */
	ck_assert_mem_eq(p + 4, "hi", 2);
	/* Acknowledging it leaves nothing to send. */
	sol_send(&cl, ack1, sizeof(ack1));
	ck_assert_int_eq(nout, 0);
	now += 1000;
	tick(now);
	ck_assert_int_eq(nout, 0);		/* no retransmission */
	client_free(&cl);
}
END_TEST

START_TEST(duplicate_not_delivered_twice)
{
	const uint8_t pkt[] = { 3, 0, 0, 0, 'a', 'b', 'c' };
	uint8_t p[512];

	activate72();
	sol_send(&cl, pkt, sizeof(pkt));
	sol_send(&cl, pkt, sizeof(pkt));	/* our ACK was lost */
	ck_assert_uint_eq(fake_con_len, 3);
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[1], 3);
	ck_assert_uint_eq(p[2], 3);		/* same count again */
	client_free(&cl);
}
END_TEST

static void
packet(uint8_t *pkt, uint8_t seq, uint8_t fill)
{
	memset(pkt, 0, 4);
	pkt[0] = seq;
	memset(pkt + 4, fill, SOL_DATA_MAX);
}

START_TEST(back_pressure)
{
	uint8_t pkt[4 + SOL_DATA_MAX], p[512], ack[4] = { 0 };
	uint8_t seq = 1;
	int acked = 0;

	activate72();
	fake_con_room = 0;			/* the line takes nothing */
	for (int i = 0; i < 100; i++, seq = (uint8_t)(seq % 15 + 1)) {
		packet(pkt, seq, (uint8_t)(i + 1));
		sol_send(&cl, pkt, sizeof(pkt));
		if (nout == 0)
			break;			/* held */
		ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
		ck_assert_uint_eq(p[1], seq);
		ck_assert_uint_eq(p[2], SOL_DATA_MAX);	/* whole packets */
		ck_assert_uint_eq(p[3], 0);		/* never a NACK */
		acked++;
	}
	ck_assert_int_eq(acked, SOL_FIFO_MARK / SOL_DATA_MAX);
	sol_send(&cl, pkt, sizeof(pkt));	/* the same again: held */
	ck_assert_int_eq(nout, 0);
	pkt[0] = seq = (uint8_t)(seq % 15 + 1);	/* ipmitool's resend */
	sol_send(&cl, pkt, sizeof(pkt));
	ck_assert_int_eq(nout, 0);
	nout = 0;
	/*
	 * The FIFO is at its mark, not above: output goes, and the client
	 * that gets it while it waits (ipmitool) goes on, so its ACK takes
	 * the held packet, past the mark.
	 */
	target_console_output(&t72, now, (const uint8_t *)"output", 6);
	now += 100;
	tick(now);
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 10);
	ck_assert_mem_eq(p + 4, "output", 6);
	ack[1] = p[0];
	ack[2] = 6;
	sol_send(&cl, ack, sizeof(ack));
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[1], seq);			/* the held one */
	ck_assert_uint_gt(machine_console_queued(&t72), SOL_FIFO_MARK);
	/* Above the mark no output goes, so nothing lets the next in. */
	nout = 0;
	target_console_output(&t72, now, (const uint8_t *)"more", 4);
	now += 100;
	tick(now);
	ck_assert_int_eq(nout, 0);
	packet(pkt, seq = (uint8_t)(seq % 15 + 1), 'Z');
	sol_send(&cl, pkt, sizeof(pkt));
	ck_assert_int_eq(nout, 0);			/* held */
	/* Different characters: the client counts the held ones as
	 * delivered (it gave up waiting), so they are taken. */
	packet(pkt, seq = (uint8_t)(seq % 15 + 1), 'Y');
	sol_send(&cl, pkt, sizeof(pkt));
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[1], (uint8_t)(seq == 1 ? 15 : seq - 1));
	/* The line drains: "more" goes, and the held 'Y' is not taken by
	 * us (a client resending under a new number would get it twice) but
	 * when the client acknowledges "more". */
	fake_con_room = SIZE_MAX;
	nout = 0;
	target_console_ready(&t72, now);
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 8);
	ck_assert_mem_eq(p + 4, "more", 4);
	ck_assert_uint_eq(fake_con_len, (size_t)(acked + 2) * SOL_DATA_MAX);
	ack[1] = p[0];
	ack[2] = 4;
	sol_send(&cl, ack, sizeof(ack));
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[1], seq);			/* 'Y', taken */
	ck_assert_uint_eq(fake_con_len, (size_t)(acked + 3) * SOL_DATA_MAX);
	for (int i = 0; i <= acked; i++)
		ck_assert_uint_eq(fake_con_in[(size_t)i * SOL_DATA_MAX],
		    i + 1);
	ck_assert_uint_eq(fake_con_in[(size_t)(acked + 1) * SOL_DATA_MAX],
	    'Z');
	ck_assert_uint_eq(fake_con_in[fake_con_len - 1], 'Y');
	ck_assert_uint_eq(core->sol[0x72]->in_dropped, 0);
	client_free(&cl);
}
END_TEST

/*
 * A packet arrives above the mark while our output is in flight: ipmitool
 * ends its wait on that output and goes on, so its ACK of the output
 * takes the held packet.  A hold nobody resolves ends after 15 s: dropped
 * (never acknowledged) unless it was raced so.
 */
START_TEST(held_packet_raced_and_expired)
{
	uint8_t pkt[4 + SOL_DATA_MAX], p[512], ack[4] = { 0, 0, SOL_DATA_MAX, 0 };
	uint8_t seq = 1;
	size_t before;

	activate72();
	t72.st.sol.threshold = 1;
	fake_con_room = 0;
	while (machine_console_queued(&t72) + SOL_DATA_MAX <= SOL_FIFO_MARK) {
		packet(pkt, seq, 'a');
		sol_send(&cl, pkt, sizeof(pkt));
		seq = (uint8_t)(seq % 15 + 1);
	}
	nout = 0;
	target_console_output(&t72, now, (const uint8_t *)"out", 3);
	ck_assert_int_eq(nout, 1);		/* in flight */
	ck_assert_int_eq(sol_reply(&cl, 0, p), 7);
	packet(pkt, seq, 'r');
	sol_send(&cl, pkt, sizeof(pkt));
	ck_assert_int_eq(nout, 0);		/* held */
	before = machine_console_queued(&t72);
	ack[1] = p[0];				/* the client ACKs "out" */
	sol_send(&cl, ack, sizeof(ack));
	ck_assert_int_eq(nout, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[1], seq);		/* the held one, taken */
	ck_assert_uint_eq(machine_console_queued(&t72), before + SOL_DATA_MAX);
	/* Now one that nobody resends: dropped after 15 s, never acked. */
	seq = (uint8_t)(seq % 15 + 1);
	packet(pkt, seq, 'x');
	sol_send(&cl, pkt, sizeof(pkt));
	ck_assert_int_eq(nout, 0);
	ck_assert_uint_ne(core->sol[0x72]->pend_seq, 0);
	for (int i = 0; i < 160; i++) {
		now += 100;
		tick(now);
	}
	ck_assert_uint_eq(core->sol[0x72]->pend_seq, 0);
	ck_assert_uint_eq(machine_console_queued(&t72), before + SOL_DATA_MAX);
	client_free(&cl);
}
END_TEST

/*
 * The configured retries (7 x 100 ms) and then one a second, under the
 * same number, never dropped: the next viewer byte is the one after.
 */
START_TEST(retransmit_never_drops)
{
	const uint8_t out1[] = "boot";
	uint8_t p[512], ack[4] = { 0, 1, 4, 0 };
	int sent = 0;

	activate72();
	t72.st.sol.threshold = 1;		/* send at once */
	nout = 0;
	target_console_output(&t72, now, out1, 4);
	ck_assert_int_eq(nout, 1);
	for (int i = 0; i < 8; i++) {		/* the console never ACKs */
		nout = 0;
		now += 100;
		tick(now);
		if (nout == 1) {
			ck_assert_int_eq(sol_reply(&cl, 0, p), 8);
			ck_assert_uint_eq(p[0], 1);	/* same seq */
			ck_assert_mem_eq(p + 4, "boot", 4);
			sent++;
		}
	}
	ck_assert_int_eq(sent, 7);		/* the retry count */
	sent = 0;
	for (int i = 0; i < 50; i++) {		/* then once a second */
		nout = 0;
		now += 100;
		tick(now);
		if (nout == 1) {
			ck_assert_int_eq(sol_reply(&cl, 0, p), 8);
			ck_assert_uint_eq(p[0], 1);
			sent++;
		}
	}
	ck_assert_int_eq(sent, 5);
	ck_assert_uint_eq(core->sol[0x72]->slow_retries, 5);
	/* Acknowledged at last: what comes next follows, no overrun. */
	sol_send(&cl, ack, sizeof(ack));
	nout = 0;
	target_console_output(&t72, now, (const uint8_t *)"x", 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 5);
	ck_assert_uint_eq(p[0], 2);
	ck_assert_uint_eq(p[3] & SOL_ST_OVERRUN, 0);
	ck_assert_uint_eq(p[4], 'x');
	client_free(&cl);
}
END_TEST

/* The history wraps while the viewer does not acknowledge: overrun. */
START_TEST(overrun_flagged)
{
	uint8_t big[8192], p[512], ack[4] = { 0, 1, SOL_DATA_MAX, 0 };

	memset(big, 'o', sizeof(big));
	activate72();
	nout = 0;
	/* A driver that ignores target_console_room (the sim, a node's
	 * flood) overwrites what the viewer has not acknowledged. */
	target_console_output(&t72, now, big, sizeof(big));
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4 + SOL_DATA_MAX);
	ck_assert_uint_eq(p[3] & SOL_ST_OVERRUN, SOL_ST_OVERRUN);
	ck_assert_uint_gt(core->sol[0x72]->overrun, 0);
	sol_send(&cl, ack, sizeof(ack));
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4 + SOL_DATA_MAX);
	ck_assert_uint_eq(p[3] & SOL_ST_OVERRUN, 0);	/* told once */
	client_free(&cl);
}
END_TEST

START_TEST(break_and_bad_acks)
{
	const uint8_t brk[] = { 1, 0, 0, SOL_OP_BREAK };
	const uint8_t bogus[] = { 0, 9, 200, 0 };	/* ACK for nothing */
	uint8_t p[512];

	activate72();
	sol_send(&cl, brk, sizeof(brk));
	ck_assert_int_eq(fake_breaks, 1);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[1], 1);
	sol_send(&cl, bogus, sizeof(bogus));
	ck_assert_int_eq(nout, 0);
	ck_assert_ptr_eq(core->sol[0x72]->s, session_find(&core->st,
	    cl.cs.csid));
	client_free(&cl);
}
END_TEST

START_TEST(bad_packets)
{
	uint8_t big[4 + SOL_PAYLOAD_SIZE + 1], p[4] = { 1, 0, 0, 0 };
	uint64_t dropped;

	/* SOL on a session that never activated it. */
	admin_login(1);
	dropped = core->stats.dropped;
	sol_send(&cl, p, sizeof(p));
	ck_assert_int_eq(nout, 0);
	ck_assert_uint_eq(core->stats.dropped, dropped + 1);
	ck_assert_uint_eq(fake_con_len, 0);
	client_free(&cl);
	teardown();
	setup();
	activate72();
	/* Too big, too short: no answer, nothing written. */
	memset(big, 'A', sizeof(big));
	big[0] = 1;
	big[1] = big[2] = big[3] = 0;
	sol_send(&cl, big, sizeof(big));
	ck_assert_int_eq(nout, 0);
	sol_send(&cl, p, 3);
	ck_assert_int_eq(nout, 0);
	ck_assert_uint_eq(fake_con_len, 0);
	/* A replayed SOL packet (same session sequence) is dropped. */
	p[0] = 2;
	sol_send(&cl, p, sizeof(p));
	ck_assert_int_eq(nout, 1);
	nout = 0;
	client_input(&cl, cl.last, cl.last_len);
	ck_assert_int_eq(nout, 0);
	client_free(&cl);
}
END_TEST

START_TEST(history_replayed)
{
	uint8_t p[512];

	target_console_output(&t72, now, (const uint8_t *)"missed", 6);
	activate72();
	ck_assert_int_eq(nout, 1);		/* the reply first ... */
	nout = 0;
	now += 100;
	tick(now);
	ck_assert_int_eq(nout, 1);		/* ... then the history */
	ck_assert_int_eq(sol_reply(&cl, 0, p), 10);
	ck_assert_mem_eq(p + 4, "missed", 6);
	client_free(&cl);
}
END_TEST

START_TEST(one_instance_and_takeover)
{
	struct client other;
	uint8_t p[512], m[64];
	uint32_t owner;

	activate72();
	owner = cl.cs.csid;
	client_init(&other, 1, 41000);
	ck_assert_int_eq(login(&other, "admin", "secretpass1", 3, 0x14), 0);
	request(&other, 1, NETFN_APP, APP_SET_SESSION_PRIV,
	    (const uint8_t *)"\x04", 1);
	request(&other, 2, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&other, 0, APP_ACTIVATE_PAYLOAD),
	    CC_PAYLOAD_ACTIVE);
	request(&other, 3, NETFN_APP, APP_PAYLOAD_INFO, act, 2);
	reply(&other, 0, m);
	ck_assert_uint_eq(m[7] | m[8] << 8 | m[9] << 16 |
	    (uint32_t)m[10] << 24, owner);
	/* Ironic's "sol deactivate": the owner is told and its session ends. */
	request(&other, 4, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(nout, 3);
	ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
	ck_assert_uint_eq(p[3], SOL_ST_NACK | SOL_ST_DEACTIVATING);
	ck_assert_uint_eq(out_len[1], 28);	/* the "no IPMI" pong */
	ck_assert_uint_eq(out[1][20], 0x01);	/* IPMI not supported */
	ck_assert_int_eq(reply_cc(&other, 2, APP_DEACTIVATE_PAYLOAD), 0);
	ck_assert_ptr_null(session_find(&core->st, owner));
	request(&other, 5, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&other, 0, APP_DEACTIVATE_PAYLOAD),
	    CC_PAYLOAD_INACTIVE);
	request(&other, 6, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&other, 0, APP_ACTIVATE_PAYLOAD), 0);
	client_free(&other);
	client_free(&cl);
}
END_TEST

/* A session of user on t72's endpoint, raised to priv. */
static void
login_as(struct client *c, uint16_t port, const char *user, const char *pass,
    uint8_t priv)
{
	uint8_t p = priv;

	client_init(c, 1, port);
	ck_assert_int_eq(login(c, user, pass, 17, (uint8_t)(0x10 | priv)), 0);
	request(c, 1, NETFN_APP, APP_SET_SESSION_PRIV, &p, 1);
	ck_assert_int_eq(reply_cc(c, 0, APP_SET_SESSION_PRIV), 0);
}

/*
 * Deactivated by another session while a packet is in flight: the owner
 * is told once it has acknowledged that packet, so the next viewer gets
 * exactly what it did not; with no ACK within a second, the packet's
 * bytes go to the next viewer.
 */
START_TEST(steal_waits_for_the_last_ack)
{
	struct client other;
	uint8_t p[512], ack[4] = { 0, 1, 3, 0 };
	uint32_t owner;

	set_port(1, 6272);
	for (int round = 0; round < 2; round++) {
		activate72();
		owner = cl.cs.csid;
		t72.st.sol.threshold = 1;
		nout = 0;
		target_console_output(&t72, now, (const uint8_t *)"abc", 3);
		ck_assert_int_eq(nout, 1);		/* in flight */
		login_as(&other, 41000, "admin", "secretpass1", PRIV_ADMIN);
		request(&other, 2, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
		ck_assert_int_eq(nout, 1);		/* the reply only */
		ck_assert_int_eq(reply_cc(&other, 0, APP_DEACTIVATE_PAYLOAD),
		    0);
		ck_assert_ptr_nonnull(session_find(&core->st, owner));
		request(&other, 3, NETFN_APP, APP_PAYLOAD_STATUS, act, 1);
		reply(&other, 0, p);
		ck_assert_uint_eq(p[8], 0);		/* not active */
		if (round == 0) {
			sol_send(&cl, ack, sizeof(ack));	/* the last ACK */
			ck_assert_int_eq(nout, 2);	/* told, and the pong */
			ck_assert_int_eq(sol_reply(&cl, 0, p), 4);
			ck_assert_uint_eq(p[3], SOL_ST_NACK |
			    SOL_ST_DEACTIVATING);
		} else {
			now += 1000;			/* no ACK comes */
			nout = 0;
			tick(now);
			ck_assert_int_eq(nout, 2);
		}
		ck_assert_ptr_null(session_find(&core->st, owner));
		request(&other, 4, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
		ck_assert_int_eq(reply_cc(&other, 0, APP_ACTIVATE_PAYLOAD), 0);
		nout = 0;
		now += 100;
		tick(now);
		if (round == 0)
			ck_assert_int_eq(nout, 0);	/* "abc" was had */
		else {
			ck_assert_int_eq(nout, 1);	/* "abc" again */
			ck_assert_int_eq(sol_reply(&other, 0, p), 7);
			ck_assert_mem_eq(p + 4, "abc", 3);
		}
		client_free(&other);
		client_free(&cl);
		teardown();
		setup();
		set_port(1, 6272);
	}
}
END_TEST

/* What was acknowledged reaches the line even when the session goes. */
START_TEST(acked_input_survives_takeover)
{
	struct client other;
	uint8_t pkt[4 + SOL_DATA_MAX], in2[] = { 1, 0, 0, 0, 'n', 'e', 'w' };

	activate72();
	fake_con_room = 0;
	for (uint8_t seq = 1; seq <= 3; seq++) {
		packet(pkt, seq, (uint8_t)('a' + seq));
		sol_send(&cl, pkt, sizeof(pkt));
		ck_assert_int_eq(nout, 1);		/* acknowledged */
	}
	login_as(&other, 41000, "admin", "secretpass1", PRIV_ADMIN);
	request(&other, 2, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	request(&other, 3, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&other, 0, APP_ACTIVATE_PAYLOAD), 0);
	sol_send(&other, in2, sizeof(in2));
	fake_con_room = SIZE_MAX;
	target_console_ready(&t72, now);
	ck_assert_uint_eq(fake_con_len, 3 * SOL_DATA_MAX + 3);
	ck_assert_uint_eq(fake_con_in[0], 'b');
	ck_assert_uint_eq(fake_con_in[2 * SOL_DATA_MAX], 'd');
	ck_assert_mem_eq(fake_con_in + 3 * SOL_DATA_MAX, "new", 3);
	client_free(&other);
	client_free(&cl);
}
END_TEST

/*
 * Roles: SOL needs OPERATOR by default (a console types, BREAK included);
 * a running instance is deactivated by its own session or an
 * administrator only.
 */
START_TEST(roles)
{
	struct client viewer, op, op2, admin;

	set_port(1, 6272);
	login_as(&viewer, 41001, "viewer", "viewerpass1", PRIV_USER);
	request(&viewer, 2, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&viewer, 0, APP_ACTIVATE_PAYLOAD), CC_PRIV);
	login_as(&op, 41002, "op", "operatorpass", PRIV_OPERATOR);
	request(&op, 2, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&op, 0, APP_ACTIVATE_PAYLOAD), 0);
	request(&viewer, 3, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&viewer, 0, APP_DEACTIVATE_PAYLOAD), CC_PRIV);
	login_as(&op2, 41003, "op", "operatorpass", PRIV_OPERATOR);
	request(&op2, 2, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&op2, 0, APP_DEACTIVATE_PAYLOAD), CC_PRIV);
	ck_assert_ptr_nonnull(core->sol[0x72]->s);
	/* Its owner may. */
	request(&op, 3, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&op, 0, APP_DEACTIVATE_PAYLOAD), 0);
	ck_assert_ptr_null(core->sol[0x72]->s);
	request(&op, 4, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&op, 0, APP_ACTIVATE_PAYLOAD), 0);
	/* An administrator may. */
	login_as(&admin, 41004, "admin", "secretpass1", PRIV_ADMIN);
	request(&admin, 2, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(nout, 3);		/* op told, pong, reply */
	ck_assert_int_eq(reply_cc(&admin, 2, APP_DEACTIVATE_PAYLOAD), 0);
	ck_assert_ptr_null(core->sol[0x72]->s);
	/* Set to USER by an administrator (Set SOL Configuration 2). */
	request(&admin, 3, NETFN_TRANSPORT, TRANSPORT_SET_SOL,
	    (const uint8_t *)"\x0e\x02\xc2", 3);
	ck_assert_int_eq(reply_cc(&admin, 0, TRANSPORT_SET_SOL), 0);
	ck_assert_int_eq(npersist, 1);
	request(&viewer, 4, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&viewer, 0, APP_ACTIVATE_PAYLOAD), 0);
	client_free(&viewer);
	client_free(&op);
	client_free(&op2);
	client_free(&admin);
}
END_TEST

START_TEST(session_end_frees_sol)
{
	uint8_t sid[4];

	activate72();
	now += (uint64_t)cf.session_timeout * 1000;	/* idle */
	tick(now);
	ck_assert_ptr_null(core->sol[0x72]->s);
	client_free(&cl);
	activate72();				/* works again */
	memcpy(sid, &cl.cs.csid, 4);
	request(&cl, 3, NETFN_APP, APP_CLOSE_SESSION, sid, 4);
	ck_assert_ptr_null(core->sol[0x72]->s);
	client_free(&cl);
}
END_TEST

START_TEST(bridged_activation)
{
	const uint8_t hi[] = { 1, 0, 0, 0, 'h' };
	uint8_t m[64];
	size_t n;

	set_port(0, 6230);
	admin_login(0);
	bridged(&cl, 5, 1, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(nout, 2);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_SEND_MESSAGE), 0);
	n = reply(&cl, 1, m);
	ck_assert_uint_eq(n, 8 + 12);
	ck_assert_uint_eq(m[3], 1);		/* from target 1 */
	ck_assert_uint_eq(m[15] | m[16] << 8, 6230);
	/* SOL packets carry no address: they go to target 1. */
	sol_send(&cl, hi, sizeof(hi));
	ck_assert_uint_eq(fake_con_len, 1);
	ck_assert_ptr_nonnull(core->sol[1]->s);
	ck_assert_ptr_null(core->sol[0x72]->s);
	bridged(&cl, 6, 1, NETFN_APP, APP_DEACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&cl, 1, APP_DEACTIVATE_PAYLOAD), 0);
	ck_assert_ptr_null(core->sol[1]->s);
	client_free(&cl);
}
END_TEST

START_TEST(configuration)
{
	const uint8_t get3[4] = { 0x0e, 3, 0, 0 }, set3[4] = { 0x0e, 3, 4,
	    64 }, set8[4] = { 0x0e, 8, 1, 2 }, off[3] = { 0x0e, 1, 0 };
	uint8_t m[64];

	admin_login(1);
	request(&cl, 2, NETFN_TRANSPORT, TRANSPORT_GET_SOL, get3, 4);
	ck_assert_uint_eq(reply(&cl, 0, m), 8 + 3);
	ck_assert_uint_eq(m[7], 0x11);		/* parameter revision */
	request(&cl, 3, NETFN_TRANSPORT, TRANSPORT_SET_SOL, set3, 4);
	ck_assert_int_eq(reply_cc(&cl, 0, TRANSPORT_SET_SOL), 0);
	ck_assert_uint_eq(t72.st.sol.accum, 4);
	ck_assert_uint_eq(t72.st.sol.threshold, 64);
	ck_assert_int_eq(npersist, 1);
	request(&cl, 4, NETFN_TRANSPORT, TRANSPORT_SET_SOL, set8, 4);
	ck_assert_int_eq(reply_cc(&cl, 0, TRANSPORT_SET_SOL),
	    CC_PARAM_READ_ONLY);
	request(&cl, 5, NETFN_TRANSPORT, TRANSPORT_SET_SOL, off, 3);
	ck_assert_int_eq(reply_cc(&cl, 0, TRANSPORT_SET_SOL), 0);
	request(&cl, 6, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_ACTIVATE_PAYLOAD),
	    CC_PAYLOAD_DISABLED);
	client_free(&cl);
}
END_TEST

static Suite *
sol_suite(void)
{
	Suite *s = suite_create("sol");
	TCase *tc = tcase_create("sol");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, echo_and_ack);
	tcase_add_test(tc, duplicate_not_delivered_twice);
	tcase_add_test(tc, back_pressure);
	tcase_add_test(tc, held_packet_raced_and_expired);
	tcase_add_test(tc, retransmit_never_drops);
	tcase_add_test(tc, overrun_flagged);
	tcase_add_test(tc, break_and_bad_acks);
	tcase_add_test(tc, bad_packets);
	tcase_add_test(tc, history_replayed);
	tcase_add_test(tc, one_instance_and_takeover);
	tcase_add_test(tc, steal_waits_for_the_last_ack);
	tcase_add_test(tc, acked_input_survives_takeover);
	tcase_add_test(tc, roles);
	tcase_add_test(tc, session_end_frees_sol);
	tcase_add_test(tc, bridged_activation);
	tcase_add_test(tc, configuration);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sol_suite)
