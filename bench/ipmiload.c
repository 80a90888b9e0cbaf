/*
 * ipmiload.c - minimal RMCP+ (IPMI v2.0) load generator for pmbd benchmarks.
 *
 * Build: gcc -O2 -std=c17 -o build/ipmiload bench/ipmiload.c -lcrypto
 *
 * ipmiload -H host -p port -U user -P pass [-C 3|17] [-m req|setup]
 *          [-n count] [-t seconds] [-T target_addr] [-v]
 *
 * req:   one session (Open Session, RAKP1-4, Set Session Privilege ADMIN),
 *        then Get Chassis Status requests one at a time (optionally bridged
 *        through Send Message to IPMB address -T), then Close Session.
 * setup: repeated Open Session, RAKP1-4, Close Session.
 * Every reply has a 1 s timeout; a failure counts as an error and the run
 * continues (req mode re-opens the session after 3 consecutive failures).
 * -n counts attempts (successes + errors); default is -n 1000.  -v prints
 * every failure reason, -vv also hex-dumps packets and decrypted messages.
 * Output: one line of key=value pairs; exit status 1 if errors > 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

enum {
	PT_IPMI = 0x00, PT_OPEN_REQ = 0x10, PT_OPEN_RSP = 0x11,
	PT_RAKP1 = 0x12, PT_RAKP2 = 0x13, PT_RAKP3 = 0x14, PT_RAKP4 = 0x15,
	PT_ENC = 0x80, PT_AUTH = 0x40,
};

#define BUFSZ 1024
#define TIMEOUT_S 1.0
#define BMC_SA 0x20
#define SW_ID 0x81
#define ROLE_ADMIN_NAMEONLY 0x14
#define MAX_ERR_MSGS 5

struct sess {
	int fd, verbose, suite;
	int up;                 /* session established */
	int target;             /* -1: no bridging, else IPMB address for -T */
	const EVP_MD *md;
	unsigned hlen;          /* HMAC output length (20 / 32) */
	unsigned icvlen;        /* integrity / RAKP4 ICV length (12 / 16) */
	uint8_t auth_alg, integ_alg, conf_alg;
	const char *user;
	size_t ulen;
	uint8_t kuid[20];
	uint32_t csid, msid, seq;
	uint8_t k1[32], k2[32];
	uint8_t rqseq, tag;
	EVP_CIPHER_CTX *cctx;
	long nerrmsg;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return get16(p) | ((uint32_t)get16(p + 2) << 16); }

/* Report a failure reason (first few only, or all with -v). Returns -1. */
static int fail(struct sess *s, const char *fmt, ...)
{
	if (s->verbose || s->nerrmsg < MAX_ERR_MSGS) {
		va_list ap;
		va_start(ap, fmt);
		fputs("ipmiload: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
		if (!s->verbose && ++s->nerrmsg == MAX_ERR_MSGS)
			fputs("ipmiload: (further error messages suppressed)\n", stderr);
	}
	return -1;
}

static void dump(const struct sess *s, const char *dir, const uint8_t *p, size_t n)
{
	if (s->verbose < 2)
		return;
	fprintf(stderr, "%s %zu:", dir, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fputc('\n', stderr);
}

static int hmac(const struct sess *s, const uint8_t *key, size_t klen,
		const uint8_t *d, size_t n, uint8_t *out)
{
	unsigned int ol = 0;
	if (!HMAC(s->md, key, (int)klen, d, n, out, &ol) || ol != s->hlen)
		return -1;
	return 0;
}

static uint8_t cksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	while (n--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

static int xsend(struct sess *s, const uint8_t *b, size_t n)
{
	dump(s, ">>", b, n);
	for (int tries = 0; tries < 2; tries++) {
		ssize_t r = send(s->fd, b, n, 0);
		if (r == (ssize_t)n)
			return 0;
		/* ECONNREFUSED here is a stale ICMP error from an earlier send */
		if (r < 0 && errno != ECONNREFUSED && errno != EINTR)
			break;
	}
	return fail(s, "send: %s", strerror(errno));
}

/* One datagram, or -1 once the deadline passes. */
static ssize_t xrecv(struct sess *s, uint8_t *b, size_t cap, double deadline)
{
	for (;;) {
		double left = deadline - now();
		if (left <= 0)
			return -1;
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(left * 1000.0) + 1);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		ssize_t n = recv(s->fd, b, cap, MSG_DONTWAIT);
		if (n < 0)
			continue;       /* EAGAIN, EINTR, ECONNREFUSED: keep waiting */
		dump(s, "<<", b, (size_t)n);
		return n;
	}
}

static void drain(struct sess *s)
{
	uint8_t b[BUFSZ];
	while (recv(s->fd, b, sizeof b, MSG_DONTWAIT) >= 0 || errno == EINTR || errno == ECONNREFUSED)
		;
}

/* RMCP + RMCP+ session header; returns 0 and payload type/sid/payload. */
static int parse_hdr(const uint8_t *b, size_t n, uint8_t *pt, uint32_t *sid,
		     const uint8_t **pl, size_t *plen)
{
	if (n < 16 || b[0] != 0x06 || b[2] != 0xff || b[3] != 0x07 || b[4] != 0x06)
		return -1;
	*pt = b[5];
	*sid = get32(b + 6);
	*plen = get16(b + 14);
	*pl = b + 16;
	return 16 + *plen <= n ? 0 : -1;
}

static void put_hdr(uint8_t *b, uint8_t pt, uint32_t sid, uint32_t seq, size_t plen)
{
	b[0] = 0x06; b[1] = 0x00; b[2] = 0xff; b[3] = 0x07;
	b[4] = 0x06; b[5] = pt;
	put32(b + 6, sid);
	put32(b + 10, seq);
	put16(b + 14, (uint16_t)plen);
}

static int send_pre(struct sess *s, uint8_t pt, const uint8_t *pl, size_t n)
{
	uint8_t b[BUFSZ];
	put_hdr(b, pt, 0, 0, n);
	memcpy(b + 16, pl, n);
	return xsend(s, b, 16 + n);
}

/* Wait for a pre-session payload of type want with message tag `tag`. */
static ssize_t recv_pre(struct sess *s, uint8_t want, uint8_t tag, uint8_t *out, double deadline)
{
	uint8_t b[BUFSZ];
	for (;;) {
		ssize_t n = xrecv(s, b, sizeof b, deadline);
		if (n < 0)
			return fail(s, "timeout waiting for payload type 0x%02x", want);
		uint8_t pt;
		uint32_t sid;
		const uint8_t *pl;
		size_t plen;
		if (parse_hdr(b, (size_t)n, &pt, &sid, &pl, &plen) || (pt & 0x3f) != want ||
		    plen < 2 || pl[0] != tag)
			continue;       /* stale or unrelated */
		memcpy(out, pl, plen);
		return (ssize_t)plen;
	}
}

static int send_ipmi(struct sess *s, const uint8_t *msg, size_t n)
{
	uint8_t b[BUFSZ], plain[BUFSZ];
	size_t pad = (16 - (n + 1) % 16) % 16, pn = n + pad + 1;
	int l1 = 0, l2 = 0;

	if (n + 64 > sizeof plain)
		return fail(s, "message too long");
	memcpy(plain, msg, n);
	dump(s, ">> ipmi", msg, n);
	for (size_t i = 0; i < pad; i++)
		plain[n + i] = (uint8_t)(i + 1);
	plain[n + pad] = (uint8_t)pad;

	uint8_t *iv = b + 16;
	if (RAND_bytes(iv, 16) != 1 ||
	    !EVP_EncryptInit_ex(s->cctx, EVP_aes_128_cbc(), NULL, s->k2, iv) ||
	    !EVP_CIPHER_CTX_set_padding(s->cctx, 0) ||
	    !EVP_EncryptUpdate(s->cctx, iv + 16, &l1, plain, (int)pn) ||
	    !EVP_EncryptFinal_ex(s->cctx, iv + 16 + l1, &l2) || (size_t)(l1 + l2) != pn)
		return fail(s, "AES encryption failed");

	size_t plen = 16 + pn;
	if (s->seq == 0)
		s->seq = 1;
	put_hdr(b, PT_ENC | PT_AUTH | PT_IPMI, s->msid, s->seq++, plen);
	size_t off = 16 + plen;
	size_t ipad = (4 - (12 + plen + 2) % 4) % 4;
	memset(b + off, 0xff, ipad);
	off += ipad;
	b[off++] = (uint8_t)ipad;
	b[off++] = 0x07;
	uint8_t mac[EVP_MAX_MD_SIZE];
	if (hmac(s, s->k1, s->hlen, b + 4, off - 4, mac))
		return fail(s, "HMAC failed");
	memcpy(b + off, mac, s->icvlen);
	off += s->icvlen;
	return xsend(s, b, off);
}

/*
 * Next authenticated+encrypted IPMI payload for our session, decrypted into
 * out.  Packets that fail any check are dropped (reported) and we keep
 * waiting until the deadline.
 */
static ssize_t recv_ipmi(struct sess *s, uint8_t *out, double deadline)
{
	uint8_t b[BUFSZ], mac[EVP_MAX_MD_SIZE];
	for (;;) {
		ssize_t n = xrecv(s, b, sizeof b, deadline);
		if (n < 0)
			return -1;
		uint8_t pt;
		uint32_t sid;
		const uint8_t *pl;
		size_t plen, len = (size_t)n;
		if (parse_hdr(b, len, &pt, &sid, &pl, &plen) || (pt & 0x3f) != PT_IPMI ||
		    sid != s->csid)
			continue;
		if (pt != (PT_ENC | PT_AUTH)) {
			fail(s, "reply payload type 0x%02x is not authenticated+encrypted", pt);
			continue;
		}
		if (len < 16 + plen + 2 + s->icvlen) {
			fail(s, "reply too short for integrity trailer");
			continue;
		}
		size_t tail = len - s->icvlen;
		size_t ipad = b[tail - 2];
		if (b[tail - 1] != 0x07 || 16 + plen + ipad + 2 != tail || (tail - 4) % 4 != 0) {
			fail(s, "bad integrity trailer (pad %zu, next header 0x%02x)", ipad, b[tail - 1]);
			continue;
		}
		if (hmac(s, s->k1, s->hlen, b + 4, tail - 4, mac) ||
		    CRYPTO_memcmp(mac, b + tail, s->icvlen) != 0) {
			fail(s, "reply AuthCode mismatch");
			continue;
		}
		if (plen < 32 || (plen - 16) % 16 != 0) {
			fail(s, "bad encrypted payload length %zu", plen);
			continue;
		}
		int l1 = 0, l2 = 0;
		size_t cn = plen - 16;
		if (!EVP_DecryptInit_ex(s->cctx, EVP_aes_128_cbc(), NULL, s->k2, pl) ||
		    !EVP_CIPHER_CTX_set_padding(s->cctx, 0) ||
		    !EVP_DecryptUpdate(s->cctx, out, &l1, pl + 16, (int)cn) ||
		    !EVP_DecryptFinal_ex(s->cctx, out + l1, &l2) || (size_t)(l1 + l2) != cn) {
			fail(s, "AES decryption failed");
			continue;
		}
		size_t pad = out[cn - 1];
		int ok = pad < 16 && pad + 1 <= cn;
		for (size_t i = 0; ok && i < pad; i++)
			ok = out[cn - 1 - pad + i] == i + 1;
		if (!ok) {
			fail(s, "bad confidentiality pad");
			continue;
		}
		dump(s, "<< ipmi", out, cn - pad - 1);
		return (ssize_t)(cn - pad - 1);
	}
}

static size_t build_req(uint8_t *m, uint8_t rssa, uint8_t netfn, uint8_t seq,
			uint8_t cmd, const uint8_t *d, size_t dn)
{
	m[0] = rssa;
	m[1] = (uint8_t)(netfn << 2);
	m[2] = cksum(m, 2);
	m[3] = SW_ID;
	m[4] = (uint8_t)(seq << 2);
	m[5] = cmd;
	if (dn)
		memcpy(m + 6, d, dn);
	m[6 + dn] = cksum(m + 3, 3 + dn);
	return 7 + dn;
}

/* Completion code if m is the response to (netfn, cmd, seq), else -1. */
static int match_rsp(const uint8_t *m, size_t n, uint8_t netfn, uint8_t cmd, uint8_t seq)
{
	if (n < 8 || cksum(m, 3) != 0 || cksum(m + 3, n - 3) != 0)
		return -1;
	if ((m[1] >> 2) != (netfn | 1) || (m[4] >> 2) != seq || m[5] != cmd)
		return -1;
	return m[6];
}

static uint8_t next_seq(struct sess *s)
{
	uint8_t q = s->rqseq;
	s->rqseq = (uint8_t)((s->rqseq + 1) & 0x3f);
	return q;
}

/* Plain request to the BMC; returns response length (cc at rsp[6]) or -1. */
static ssize_t ipmi_cmd(struct sess *s, uint8_t netfn, uint8_t cmd,
			const uint8_t *d, size_t dn, uint8_t *rsp)
{
	uint8_t m[BUFSZ];
	uint8_t seq = next_seq(s);
	size_t n = build_req(m, BMC_SA, netfn, seq, cmd, d, dn);
	if (send_ipmi(s, m, n))
		return -1;
	double deadline = now() + TIMEOUT_S;
	for (;;) {
		ssize_t r = recv_ipmi(s, rsp, deadline);
		if (r < 0)
			return fail(s, "timeout waiting for netfn 0x%02x cmd 0x%02x seq %u",
				    netfn, cmd, seq);
		if (match_rsp(rsp, (size_t)r, netfn, cmd, seq) >= 0)
			return r;
	}
}

static int chassis_status(struct sess *s)
{
	uint8_t rsp[BUFSZ];
	if (s->target < 0) {
		ssize_t r = ipmi_cmd(s, 0x00, 0x01, NULL, 0, rsp);
		if (r < 0)
			return -1;
		if (rsp[6] != 0)
			return fail(s, "Get Chassis Status cc=0x%02x", rsp[6]);
		if (r < 11)     /* header(6) + cc + 3 data bytes + checksum */
			return fail(s, "Get Chassis Status reply too short (%zd)", r);
		return 0;
	}

	/* Send Message (track request, channel 0) wrapping Get Chassis Status */
	uint8_t inner[32], m[64];
	uint8_t seq = next_seq(s);
	inner[0] = 0x40;
	size_t in = 1 + build_req(inner + 1, (uint8_t)s->target, 0x00, seq, 0x01, NULL, 0);
	size_t n = build_req(m, BMC_SA, 0x06, seq, 0x34, inner, in);
	if (send_ipmi(s, m, n))
		return -1;
	double deadline = now() + TIMEOUT_S;
	int got_sm = 0, got_br = 0;
	while (!(got_sm && got_br)) {
		ssize_t r = recv_ipmi(s, rsp, deadline);
		if (r < 0)
			return fail(s, "bridged seq %u: timeout (send-msg rsp %s, bridged rsp %s)",
				    seq, got_sm ? "seen" : "missing", got_br ? "seen" : "missing");
		int cc = match_rsp(rsp, (size_t)r, 0x06, 0x34, seq);
		if (cc > 0)
			return fail(s, "Send Message cc=0x%02x", cc);
		if (cc == 0) {
			got_sm = 1;
			/* some BMCs embed the bridged response in the Send Message reply */
			if (r > 8 && match_rsp(rsp + 7, (size_t)r - 8, 0x00, 0x01, seq) == 0)
				got_br = 1;
			continue;
		}
		cc = match_rsp(rsp, (size_t)r, 0x00, 0x01, seq);
		if (cc > 0)
			return fail(s, "bridged Get Chassis Status cc=0x%02x", cc);
		if (cc == 0)
			got_br = 1;
	}
	return 0;
}

static int open_session(struct sess *s)
{
	uint8_t b[BUFSZ], h[BUFSZ], rc[16], rm[16], guid[16], sik[EVP_MAX_MD_SIZE];
	uint8_t mac[EVP_MAX_MD_SIZE];
	const uint8_t role = ROLE_ADMIN_NAMEONLY, ulen = (uint8_t)s->ulen;
	ssize_t n;
	size_t k;
	double dl;

	s->up = 0;
	drain(s);
	do {
		if (RAND_bytes(b, 4) != 1)
			return fail(s, "RAND_bytes failed");
		s->csid = get32(b);
	} while (s->csid == 0);

	/* Open Session Request */
	uint8_t tag = ++s->tag;
	uint8_t os[32] = { tag, 0x00, 0, 0, 0, 0, 0, 0,
			   0x00, 0, 0, 0x08, s->auth_alg, 0, 0, 0,
			   0x01, 0, 0, 0x08, s->integ_alg, 0, 0, 0,
			   0x02, 0, 0, 0x08, s->conf_alg, 0, 0, 0 };
	put32(os + 4, s->csid);
	if (send_pre(s, PT_OPEN_REQ, os, sizeof os))
		return -1;
	if ((n = recv_pre(s, PT_OPEN_RSP, tag, b, now() + TIMEOUT_S)) < 0)
		return -1;
	if (b[1] != 0)
		return fail(s, "Open Session status 0x%02x", b[1]);
	if (n < 36 || get32(b + 4) != s->csid)
		return fail(s, "bad Open Session response (len %zd)", n);
	/* records: auth at 12, integrity at 20, confidentiality at 28 */
	if (b[12] != 0x00 || (b[16] & 0x3f) != s->auth_alg ||
	    b[20] != 0x01 || (b[24] & 0x3f) != s->integ_alg ||
	    b[28] != 0x02 || (b[32] & 0x3f) != s->conf_alg)
		return fail(s, "Open Session response algorithms mismatch");
	s->msid = get32(b + 8);

	/* RAKP 1 */
	tag = ++s->tag;
	if (RAND_bytes(rc, 16) != 1)
		return fail(s, "RAND_bytes failed");
	memset(b, 0, 28);
	b[0] = tag;
	put32(b + 4, s->msid);
	memcpy(b + 8, rc, 16);
	b[24] = role;
	b[27] = ulen;
	memcpy(b + 28, s->user, ulen);
	if (send_pre(s, PT_RAKP1, b, 28 + ulen))
		return -1;

	/* RAKP 2 */
	dl = now() + TIMEOUT_S;
	if ((n = recv_pre(s, PT_RAKP2, tag, b, dl)) < 0)
		return -1;
	if (b[1] != 0)
		return fail(s, "RAKP2 status 0x%02x", b[1]);
	if ((size_t)n < 40 + s->hlen || get32(b + 4) != s->csid)
		return fail(s, "bad RAKP2 (len %zd)", n);
	memcpy(rm, b + 8, 16);
	memcpy(guid, b + 24, 16);
	put32(h, s->csid);
	put32(h + 4, s->msid);
	memcpy(h + 8, rc, 16);
	memcpy(h + 24, rm, 16);
	memcpy(h + 40, guid, 16);
	h[56] = role;
	h[57] = ulen;
	memcpy(h + 58, s->user, ulen);
	if (hmac(s, s->kuid, 20, h, 58 + ulen, mac) ||
	    CRYPTO_memcmp(mac, b + 40, s->hlen) != 0)
		return fail(s, "RAKP2 key exchange auth code mismatch (wrong password?)");

	/* SIK, K1, K2 */
	memcpy(h, rc, 16);
	memcpy(h + 16, rm, 16);
	h[32] = role;
	h[33] = ulen;
	memcpy(h + 34, s->user, ulen);
	if (hmac(s, s->kuid, 20, h, 34 + ulen, sik))
		return fail(s, "HMAC failed");
	memset(h, 0x01, 20);
	memset(h + 20, 0x02, 20);
	if (hmac(s, sik, s->hlen, h, 20, s->k1) || hmac(s, sik, s->hlen, h + 20, 20, s->k2))
		return fail(s, "HMAC failed");

	/* RAKP 3 */
	tag = ++s->tag;
	memcpy(h, rm, 16);
	put32(h + 16, s->csid);
	h[20] = role;
	h[21] = ulen;
	memcpy(h + 22, s->user, ulen);
	memset(b, 0, 8);
	b[0] = tag;
	put32(b + 4, s->msid);
	if (hmac(s, s->kuid, 20, h, 22 + ulen, b + 8))
		return fail(s, "HMAC failed");
	if (send_pre(s, PT_RAKP3, b, 8 + s->hlen))
		return -1;

	/* RAKP 4 */
	if ((n = recv_pre(s, PT_RAKP4, tag, b, now() + TIMEOUT_S)) < 0)
		return -1;
	if (b[1] != 0)
		return fail(s, "RAKP4 status 0x%02x", b[1]);
	if ((size_t)n < 8 + s->icvlen || get32(b + 4) != s->csid)
		return fail(s, "bad RAKP4 (len %zd)", n);
	memcpy(h, rc, 16);
	put32(h + 16, s->msid);
	memcpy(h + 20, guid, 16);
	k = s->icvlen;
	if (hmac(s, sik, s->hlen, h, 36, mac) || CRYPTO_memcmp(mac, b + 8, k) != 0)
		return fail(s, "RAKP4 integrity check value mismatch");
	OPENSSL_cleanse(sik, sizeof sik);

	s->seq = 1;
	s->up = 1;
	return 0;
}

static int set_priv_admin(struct sess *s)
{
	uint8_t rsp[BUFSZ], lvl = 0x04;
	ssize_t r = ipmi_cmd(s, 0x06, 0x3b, &lvl, 1, rsp);
	if (r < 0)
		return -1;
	if (rsp[6] != 0)
		return fail(s, "Set Session Privilege cc=0x%02x", rsp[6]);
	return 0;
}

static int close_session(struct sess *s)
{
	uint8_t rsp[BUFSZ], d[4];
	put32(d, s->msid);
	ssize_t r = ipmi_cmd(s, 0x06, 0x3c, d, 4, rsp);
	s->up = 0;
	if (r < 0)
		return -1;
	if (rsp[6] != 0)
		return fail(s, "Close Session cc=0x%02x", rsp[6]);
	return 0;
}

static int open_full(struct sess *s)
{
	if (open_session(s) == 0 && set_priv_admin(s) == 0)
		return 0;
	s->up = 0;
	return -1;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = "623", *pass = NULL, *mode = "req";
	long count = 0;
	double secs = 0;
	int opt, bad = 0;
	struct sess s;

	memset(&s, 0, sizeof s);
	s.suite = 3;
	s.target = -1;
	while ((opt = getopt(argc, argv, "H:p:U:P:C:m:n:t:T:vh")) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		case 'U': s.user = optarg; break;
		case 'P': pass = optarg; break;
		case 'C': s.suite = atoi(optarg); break;
		case 'm': mode = optarg; break;
		case 'n': count = strtol(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'T': s.target = (int)strtol(optarg, NULL, 0); break;
		case 'v': s.verbose++; break;
		default: bad = 1;
		}
	}
	int setup_mode = strcmp(mode, "setup") == 0;
	if (bad || !host || !s.user || !pass || (!setup_mode && strcmp(mode, "req") != 0) ||
	    (s.suite != 3 && s.suite != 17) || s.target > 0xff || count < 0 || secs < 0) {
		fputs("usage: ipmiload -H host -p port -U user -P pass [-C 3|17] [-m req|setup]\n"
		      "                [-n count] [-t seconds] [-T target_addr] [-v]\n", stderr);
		return 2;
	}
	s.ulen = strlen(s.user);
	if (s.ulen > 16 || strlen(pass) > 20) {
		fputs("ipmiload: user name max 16, password max 20 characters\n", stderr);
		return 2;
	}
	memcpy(s.kuid, pass, strlen(pass));
	if (count == 0 && secs == 0)
		count = 1000;
	if (s.suite == 3) {
		s.md = EVP_sha1(); s.hlen = 20; s.icvlen = 12;
		s.auth_alg = 0x01; s.integ_alg = 0x01; s.conf_alg = 0x01;
	} else {
		s.md = EVP_sha256(); s.hlen = 32; s.icvlen = 16;
		s.auth_alg = 0x03; s.integ_alg = 0x04; s.conf_alg = 0x01;
	}

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "ipmiload: %s: %s\n", host, gai_strerror(rc));
		return 2;
	}
	s.fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (s.fd < 0 || connect(s.fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("ipmiload: socket/connect");
		return 2;
	}
	freeaddrinfo(ai);
	s.cctx = EVP_CIPHER_CTX_new();
	if (!s.cctx)
		return 2;
	if (RAND_bytes(&s.tag, 1) != 1 || RAND_bytes(&s.rqseq, 1) != 1)
		return 2;
	s.rqseq &= 0x3f;

	long ok = 0, err = 0;
	double t0, t1;
	if (setup_mode) {
		t0 = now();
		while (secs > 0 ? now() - t0 < secs : ok + err < count) {
			if (open_session(&s) == 0 && close_session(&s) == 0)
				ok++;
			else
				err++;
		}
		t1 = now();
	} else {
		int tries = 0, consec = 0;
		while (open_full(&s) != 0) {
			if (++tries == 3) {
				fputs("ipmiload: could not establish a session\n", stderr);
				printf("mode=req suite=%d requests=0 seconds=0.000 rps=0.0 errors=%d\n",
				       s.suite, tries);
				return 1;
			}
		}
		t0 = now();
		while (secs > 0 ? now() - t0 < secs : ok + err < count) {
			if (!s.up && open_full(&s) != 0) {
				err++;
				continue;
			}
			if (chassis_status(&s) == 0) {
				ok++;
				consec = 0;
			} else {
				err++;
				if (++consec >= 3) {
					s.up = 0;       /* assume the session is gone */
					consec = 0;
				}
			}
		}
		t1 = now();
		if (s.up && close_session(&s) != 0)
			err++;
	}
	double el = t1 - t0, rate = el > 0 ? (double)ok / el : 0.0;
	printf("mode=%s suite=%d %s=%ld seconds=%.3f %s=%.1f errors=%ld\n", mode, s.suite,
	       setup_mode ? "setups" : "requests", ok, el,
	       setup_mode ? "setups_per_s" : "rps", rate, err);
	EVP_CIPHER_CTX_free(s.cctx);
	close(s.fd);
	return err ? 1 : 0;
}
