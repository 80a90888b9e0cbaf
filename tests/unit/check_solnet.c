/*
 * check_solnet.c: the SOL engine end to end against scripted clients on a
 * simulated network, with a fake clock.  Two client models follow the
 * sources of the clients pmbd is used with:
 *
 *  - ipmitool (lib/ipmi_sol.c, src/plugins/lanplus/lanplus.c): reads 128
 *    characters at a time, numbers every try anew (send_sol), waits 1 s
 *    per try and 4 tries, takes any new output that arrives while it
 *    waits as the end of the wait, counts ACKs for other packets as tries,
 *    acknowledges every data packet, drops a repeated sequence number;
 *  - pyghmi (pyghmi/ipmi/console.py): sends 132 characters, resends the
 *    same packet (same number) after 0.5, 1.5, 2.5, 3.5, 4.5 s, resends
 *    at once on an ACK for another number, drops a repeated number.
 *
 * The network loses, duplicates and delays packets; the client stalls
 * (a loaded machine); the console line drains at 115200 baud with random
 * pauses (a bursty reader), either reporting room from its own I/O (the
 * rule in target.h) or from inside console_write, as the serial driver
 * used to.  Every byte both ways must arrive exactly once, in order.
 */
#include <stdlib.h>

#include "console_tx.h"
#include "harness.h"
#include "sol.h"

#define DATA_MAX	(48 * 1024)

/* ---- a random source of our own (deterministic per seed) ------------ */

static uint64_t rnd_state;

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rnd_state >> 33);
}

static int
chance(unsigned per_mille)
{
	return rnd() % 1000 < per_mille;
}

/* ---- the scenario ------------------------------------------------------ */

enum client_kind { IPMITOOL, PYGHMI };

struct scenario {
	enum client_kind kind;
	int		 rude_line;	/* room reported inside console_write */
	unsigned	 loss;		/* per mille, each direction */
	unsigned	 dup;		/* per mille */
	unsigned	 jitter;	/* ms of extra delay, at most */
	unsigned	 stall;		/* per mille per ms: the client stops */
	unsigned	 stall_ms;	/* for up to this long */
	unsigned	 pause;		/* per mille per ms: the line stops */
	unsigned	 pause_ms;
	size_t		 size;		/* bytes each way */
};

static const struct scenario *sc;

/* ---- the network ---------------------------------------------------- */

#define NQ	2048

struct npkt {
	uint64_t	 at;
	int		 to_pmbd;
	size_t		 len;
	uint8_t		 data[1024];
};

static struct npkt q[NQ];
static int nq;
static unsigned n_lost, n_dup;

/*
 * A path keeps its order (as loopback and a LAN do): a packet is never
 * delivered before one sent earlier the same way, and a duplicate follows
 * its original.  Both clients tell a copy from new data only by comparing
 * its number with the last one's, so reordering would make any BMC's
 * output print twice.
 */
static uint64_t last_at[2];

static void
net_put(int to_pmbd, const uint8_t *p, size_t n, int may_lose)
{
	int copies = 1;
	uint64_t at;

	if (may_lose && chance(sc->loss)) {
		n_lost++;
		return;
	}
	if (chance(sc->dup)) {
		copies = 2;
		n_dup++;
	}
	at = now + 1 + (sc->jitter ? rnd() % (sc->jitter + 1) : 0);
	if (at < last_at[to_pmbd])
		at = last_at[to_pmbd];
	last_at[to_pmbd] = at;
	while (copies-- > 0) {
		ck_assert_int_lt(nq, NQ);
		q[nq].at = at;
		q[nq].to_pmbd = to_pmbd;
		q[nq].len = n;
		memcpy(q[nq].data, p, n);
		nq++;
	}
}

/* The SOL payload of a datagram of pmbd's or the client's; 0 if none. */
static size_t
sol_payload(const uint8_t *b, size_t n, uint8_t *plain, const uint8_t **ret)
{
	struct rmcp_pkt pkt;

	if (rmcp_parse(b, n, &pkt) != 0 || pkt.kind != RMCP_IPMI20 ||
	    pkt.ptype != PAYLOAD_SOL || rmcp_unwrap(&cl.cs, &pkt, plain) != 0 ||
	    pkt.len < 4)
		return 0;
	*ret = pkt.payload;
	return pkt.len;
}

/*
 * pmbd's datagrams onto the network.  With ipmitool two kinds are never
 * lost, because ipmitool itself loses or doubles input when they are,
 * whatever the BMC does: our ACK of its input (it resends under a new
 * number, so the characters arrive twice) and ... see client_send().
 */
static void
net_from_pmbd(void *arg, int ep, const struct peer *p, const uint8_t *b,
    size_t n)
{
	uint8_t plain[512];
	const uint8_t *sol;
	size_t len = sol_payload(b, n, plain, &sol);
	int ack_only = len == 4 && sol[0] == 0;

	(void)arg, (void)ep, (void)p;
	net_put(0, b, n, !(sc->kind == IPMITOOL && ack_only));
}

/* ---- the console line (the server's UART and a bursty reader) ------- */

static struct contx line_tx;
static uint8_t line_got[2 * DATA_MAX];	/* room to show doubles */
static size_t line_got_len;
static uint64_t line_paused_until;
static double line_credit;

static void
line_drain(size_t max)
{
	size_t n = line_tx.len < max ? line_tx.len : max;

	ck_assert_uint_le(line_got_len + n, sizeof(line_got));
	memcpy(line_got + line_got_len, line_tx.buf, n);
	line_got_len += n;
	contx_consume(&line_tx, n);
}

static size_t
line_write(struct target_src *src, const uint8_t *p, size_t n)
{
	(void)src;
	n = contx_put(&line_tx, p, n);
	if (sc->rude_line && now >= line_paused_until) {
		/* The old serial driver: write(2) takes part at once, and
		 * room is reported from inside this call. */
		line_drain(512);
		if (contx_ready(&line_tx))
			target_console_ready(&t72, now);
	}
	return n;
}

/* One millisecond of the line: 11.52 bytes at 115200 baud. */
static void
line_step(void)
{
	if (now < line_paused_until)
		return;
	if (chance(sc->pause)) {
		line_paused_until = now + 1 + rnd() % sc->pause_ms;
		return;
	}
	line_credit += 11.52;
	if (line_credit >= 1 && line_tx.len > 0) {
		size_t k = (size_t)line_credit;

		line_credit -= (double)k;
		line_drain(k);
		if (contx_ready(&line_tx))
			target_console_ready(&t72, now);
	}
	if (line_tx.len == 0 && line_credit > 64)
		line_credit = 64;
}

static const struct target_driver line_driver = {
	.name = "line", .console_write = line_write,
};

/* ---- the machine's output --------------------------------------------- */

static uint8_t mach_out[DATA_MAX];
static size_t mach_sent;
static double mach_credit;

static void
machine_step(void)
{
	size_t room, n;

	mach_credit += 11.52;
	if (mach_credit < 1 || mach_sent == sc->size)
		return;
	room = target_console_room(&t72);
	n = (size_t)mach_credit;
	if (n > room)
		n = room;		/* the UART waits (serial_read) */
	if (n > sc->size - mach_sent)
		n = sc->size - mach_sent;
	if (n == 0)
		return;
	mach_credit -= (double)n;
	target_console_output(&t72, now, mach_out + mach_sent, n);
	mach_sent += n;
}

/* ---- the client models ------------------------------------------------ */

static uint8_t cli_in[DATA_MAX];	/* what the user types */
static size_t cli_in_off;		/* taken for sending */
static uint8_t cli_got[DATA_MAX];	/* what it printed */
static size_t cli_got_len;
static uint64_t cli_stalled_until;
static int cli_failed;

/* Sending state, shared by both models. */
static uint8_t cur[256];
static size_t cur_len;
static int sending;
static uint8_t myseq, cur_seq;
static int tries, outer_tries;
static uint64_t wait_until, sent_at;
/* Receiving state. */
static uint8_t last_rseq, last_rcount;

static int tracing;

static void
trace(const char *dir, const uint8_t *p, size_t n)
{
	if (tracing)
		fprintf(stderr, "%llu %s seq %u ack %u acc %u st %02x len %zu "
		    "%02x%02x%02x%02x\n", (unsigned long long)now, dir, p[0],
		    p[1], p[2], p[3], n - 4, n > 4 ? p[4] : 0, n > 5 ? p[5] : 0,
		    n > 6 ? p[6] : 0, n > 7 ? p[7] : 0);
}

static void
client_send(const uint8_t *p, size_t n)
{
	uint8_t pkt[1024];

	trace("c>p", p, n);
	/*
	 * ... its characters: when output reaches ipmitool while it waits
	 * for the ACK of a packet that was lost, it takes the output as the
	 * end of the wait and never sends those characters again.
	 */
	net_put(1, pkt, rmcp_wrap20(&cl.cs, PAYLOAD_SOL, p, n, pkt,
	    sizeof(pkt)), !(sc->kind == IPMITOOL && p[0] != 0 && n > 4));
}

static void
send_cur(uint8_t seq)
{
	uint8_t p[4 + 256] = { seq, 0, 0, 0 };

	memcpy(p + 4, cur, cur_len);
	client_send(p, 4 + cur_len);
	sent_at = now;
}

static void
print(const uint8_t *p, size_t n)
{
	ck_assert_uint_le(cli_got_len + n, sizeof(cli_got));
	memcpy(cli_got + cli_got_len, p, n);
	cli_got_len += n;
}

/*
 * Data from pmbd: acknowledged in full, printed unless it repeats the last
 * sequence number (then only what is new beyond the count seen).  Returns
 * how many new characters were printed.
 */
static size_t
receive_data(uint8_t seq, const uint8_t *d, size_t n)
{
	uint8_t ack[4] = { 0, seq, (uint8_t)n, 0 };
	size_t fresh = n;

	client_send(ack, 4);
	if (seq == last_rseq) {
		fresh = n > last_rcount ? n - last_rcount : 0;
		/* pyghmi skips 4 bytes too many here: never reached, since
		 * pmbd never grows a packet it resends. */
		d += n - fresh;
	}
	last_rseq = seq;
	last_rcount = (uint8_t)n;
	print(d, fresh);
	return fresh;
}

static uint8_t
next_seq(void)
{
	myseq = myseq >= 15 ? 1 : myseq + 1;
	return myseq;
}

/* ipmitool: a new send_sol for cur (a new number). */
static void
ipmitool_try(void)
{
	cur_seq = next_seq();
	tries = 0;
	wait_until = now + 1000;
	send_cur(cur_seq);
}

static void
ipmitool_packet(const uint8_t *p, size_t n)
{
	size_t fresh = 0;

	if (p[0] != 0)
		fresh = receive_data(p[0], p + 4, n - 4);
	if (p[3] & SOL_ST_DEACTIVATING)
		cli_failed = 1;
	if (!sending)
		return;
	if (p[1] == cur_seq || fresh > 0) {
		/* acknowledged, or output ended the wait: delivered */
		sending = 0;
		return;
	}
	/* Another packet: one try of send_payload's loop.  After a second,
	 * the next try resends the same datagram. */
	if (++tries >= 4) {
		sending = 0;		/* it returns this one: "delivered" */
		return;
	}
	if (now - sent_at >= 1000)
		send_cur(cur_seq);
	wait_until = now + 1000;
}

static void
ipmitool_step(void)
{
	if (sending && now >= wait_until) {	/* recv timed out */
		if (++outer_tries >= 4) {
			cli_failed = 1;		/* "Error sending SOL data" */
			return;
		}
		ipmitool_try();
	}
	if (!sending && cli_in_off < sc->size) {
		cur_len = sc->size - cli_in_off < 128 ? sc->size - cli_in_off :
		    128;
		memcpy(cur, cli_in + cli_in_off, cur_len);
		cli_in_off += cur_len;
		sending = 1;
		outer_tries = 0;
		ipmitool_try();
	}
}

/* pyghmi: the same packet again after 0.5, 1.5, 2.5, 3.5, 4.5 s. */
static void
pyghmi_send_next(void)
{
	cur_len = sc->size - cli_in_off < SOL_IN_SIZE ? sc->size - cli_in_off :
	    SOL_IN_SIZE;
	memcpy(cur, cli_in + cli_in_off, cur_len);
	cli_in_off += cur_len;
	cur_seq = next_seq();
	sending = 1;
	tries = 0;
	wait_until = now + 500;
	send_cur(cur_seq);
}

static void
pyghmi_packet(const uint8_t *p, size_t n)
{
	if (p[0] != 0)
		(void)receive_data(p[0], p + 4, n - 4);
	if (p[3] & SOL_ST_DEACTIVATING)
		cli_failed = 1;
	if (sending && p[1] == cur_seq) {
		ck_assert_uint_eq(p[2], cur_len);	/* no partial ACKs */
		sending = 0;
	} else if (sending && p[1] != 0)
		send_cur(cur_seq);		/* "a senseless retry" */
}

static void
pyghmi_step(void)
{
	if (sending && now >= wait_until) {
		if (++tries > 5) {
			cli_failed = 1;		/* "Connection lost" */
			return;
		}
		send_cur(cur_seq);
		wait_until = now + 500 + 1000ull * (uint64_t)tries;
	}
	if (!sending && cli_in_off < sc->size)
		pyghmi_send_next();
}

/* A datagram reaches the client. */
static void
client_packet(const uint8_t *b, size_t n)
{
	struct rmcp_pkt pkt;
	uint8_t plain[512];

	if (rmcp_parse(b, n, &pkt) != 0 || pkt.kind != RMCP_IPMI20 ||
	    pkt.ptype != PAYLOAD_SOL)
		return;				/* the deactivation pong */
	ck_assert_int_eq(rmcp_unwrap(&cl.cs, &pkt, plain), 0);
	ck_assert_uint_ge(pkt.len, 4);
	trace("p>c", pkt.payload, pkt.len);
	if (sc->kind == IPMITOOL)
		ipmitool_packet(pkt.payload, pkt.len);
	else
		pyghmi_packet(pkt.payload, pkt.len);
}

/* ---- the run ------------------------------------------------------------ */

static void
deliver(void)
{
	int i = 0;

	while (i < nq) {
		if (q[i].at > now || (!q[i].to_pmbd && now < cli_stalled_until)) {
			i++;
			continue;
		}
		struct npkt p = q[i];

		memmove(q + i, q + i + 1, (size_t)(nq - i - 1) * sizeof(q[0]));
		nq--;
		if (p.to_pmbd)
			core_input(core, cl.ep, &cl.peer, p.data, p.len, now);
		else
			client_packet(p.data, p.len);
	}
}

static void
run(const struct scenario *s, uint64_t seed)
{
	static const uint8_t act[6] = { 0x01, 0x01, 0xc6, 0, 0, 0 };
	struct sol *l;
	uint64_t end;

	sc = s;
	rnd_state = seed;
	tracing = getenv("SOLNET_TRACE") != NULL;
	if (tracing)
		fprintf(stderr, "=== run %s seed %llu\n", s->kind == IPMITOOL ?
		    "ipmitool" : "pyghmi", (unsigned long long)seed);
	nq = 0;
	n_lost = n_dup = 0;
	last_at[0] = last_at[1] = 0;
	memset(&line_tx, 0, sizeof(line_tx));
	line_got_len = mach_sent = cli_in_off = cli_got_len = 0;
	line_paused_until = cli_stalled_until = 0;
	line_credit = mach_credit = 0;
	cli_failed = sending = 0;
	myseq = last_rseq = last_rcount = 0;
	for (size_t i = 0; i < s->size; i++) {
		cli_in[i] = (uint8_t)rnd();
		mach_out[i] = (uint8_t)rnd();
	}
	t72.con.drv = &line_driver;
	admin_login(1);
	request(&cl, 2, NETFN_APP, APP_ACTIVATE_PAYLOAD, act, 6);
	ck_assert_int_eq(reply_cc(&cl, 0, APP_ACTIVATE_PAYLOAD), 0);
	core->out.send = net_from_pmbd;
	l = core->sol[0x72];
	end = now + 600000;
	while (now < end && !cli_failed && (line_got_len < s->size ||
	    cli_got_len < s->size)) {
		now++;
		if (now >= cli_stalled_until && chance(s->stall))
			cli_stalled_until = now + 1 + rnd() % s->stall_ms;
		deliver();
		if (now >= cli_stalled_until) {
			if (s->kind == IPMITOOL)
				ipmitool_step();
			else
				pyghmi_step();
		}
		line_step();
		machine_step();
		if (now % 10 == 0)
			tick(now);
	}
	if (cli_failed || line_got_len != s->size || cli_got_len != s->size ||
	    memcmp(line_got, cli_in, s->size) != 0 ||
	    memcmp(cli_got, mach_out, s->size) != 0) {
		size_t i = 0, j = 0;

		while (i < line_got_len && i < s->size && line_got[i] == cli_in[i])
			i++;
		while (j < cli_got_len && j < s->size && cli_got[j] == mach_out[j])
			j++;
		ck_abort_msg("%s seed %llu%s: input %zu of %zu on the line "
		    "(first difference at %zu), output %zu of %zu printed "
		    "(first difference at %zu), client %s; %u lost, %u "
		    "duplicated; in_dropped %llu overrun %llu",
		    s->kind == IPMITOOL ? "ipmitool" : "pyghmi",
		    (unsigned long long)seed, s->rude_line ? ", rude line" : "",
		    line_got_len, s->size, i, cli_got_len, s->size, j,
		    cli_failed ? "gave up" : "went on", n_lost, n_dup,
		    (unsigned long long)l->in_dropped,
		    (unsigned long long)l->overrun);
	}
	ck_assert_uint_eq(l->in_dropped, 0);
	ck_assert_uint_eq(l->overrun, 0);
	core->out.send = NULL;
	client_free(&cl);
}

/* ---- the cases -------------------------------------------------------- */

static const struct scenario clean_ipmitool = {
	IPMITOOL, 0, 0, 0, 0, 0, 1, 0, 1, 32768 };
static const struct scenario rude_ipmitool = {
	IPMITOOL, 1, 0, 0, 2, 5, 300, 20, 400, 48 * 1024 };
static const struct scenario lossy_ipmitool = {
	IPMITOOL, 0, 20, 20, 5, 5, 300, 20, 400, 32768 };
static const struct scenario rude_pyghmi = {
	PYGHMI, 1, 0, 0, 2, 5, 300, 20, 400, 48 * 1024 };
static const struct scenario lossy_pyghmi = {
	PYGHMI, 0, 30, 30, 20, 5, 300, 20, 400, 32768 };

START_TEST(ipmitool_clean)
{
	run(&clean_ipmitool, 1);
}
END_TEST

START_TEST(ipmitool_rude_line)
{
	run(&rude_ipmitool, 100 + (uint64_t)_i);
}
END_TEST

START_TEST(ipmitool_lossy)
{
	run(&lossy_ipmitool, 200 + (uint64_t)_i);
}
END_TEST

START_TEST(pyghmi_rude_line)
{
	run(&rude_pyghmi, 300 + (uint64_t)_i);
}
END_TEST

START_TEST(pyghmi_lossy)
{
	run(&lossy_pyghmi, 400 + (uint64_t)_i);
}
END_TEST

static Suite *
solnet_suite(void)
{
	Suite *s = suite_create("solnet");
	TCase *tc = tcase_create("solnet");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ipmitool_clean);
	tcase_add_loop_test(tc, ipmitool_rude_line, 0, 8);
	tcase_add_loop_test(tc, ipmitool_lossy, 0, 8);
	tcase_add_loop_test(tc, pyghmi_rude_line, 0, 8);
	tcase_add_loop_test(tc, pyghmi_lossy, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(solnet_suite)
