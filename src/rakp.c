/* rakp.c: RMCP+ Open Session and RAKP 1-4 for cipher suites 3 and 17. */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "core.h"
#include "crypto.h"
#include "ipmi.h"
#include "out.h"
#include "rakp.h"
#include "rmcp.h"
#include "session.h"
#include "users.h"

static const uint8_t zero_key[CONF_PASS_MAX];

struct suite {
	uint8_t		 id, auth, integ, conf;
	enum crypto_hash hash;
	uint8_t		 auth_len;	/* AuthCode and RAKP4 ICV bytes */
};

static const struct suite suites[] = {
	{ 17, AUTH_RAKP_HMAC_SHA256, INTEG_HMAC_SHA256_128, CONF_AES_CBC_128,
	    CRYPTO_SHA256, 16 },
	{ 3, AUTH_RAKP_HMAC_SHA1, INTEG_HMAC_SHA1_96, CONF_AES_CBC_128,
	    CRYPTO_SHA1, 12 },
};

static const struct suite *
suite_find(uint8_t id)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

/* Match a proposal against the enabled suites; 0 or an RMCP+ status. */
static int
suite_match(const struct conf *cf, uint8_t auth, uint8_t integ, uint8_t conf,
    const struct suite **ret)
{
	int auth_ok = 0, integ_ok = 0, conf_ok = 0;

	for (size_t i = 0; i < cf->nsuites; i++) {
		const struct suite *s = suite_find(cf->suites[i]);

		if (s == NULL)
			continue;
		if (s->auth == auth && s->integ == integ && s->conf == conf) {
			*ret = s;
			return 0;
		}
		auth_ok |= s->auth == auth;
		integ_ok |= s->integ == integ;
		conf_ok |= s->conf == conf;
	}
	if (!auth_ok)
		return RMCPP_INVALID_AUTH_ALG;
	if (!integ_ok)
		return RMCPP_INVALID_INTEG_ALG;
	if (!conf_ok)
		return RMCPP_INVALID_CONF_ALG;
	return RMCPP_NO_CIPHER_SUITE;
}

/* The peer's address without the port: floods are counted per host. */
static uint32_t
peer_src(const struct peer *p)
{
	const uint8_t *a = (const uint8_t *)&p->ss;

	if (p->ss.ss_family == AF_INET)
		return buf_fnv32(a + offsetof(struct sockaddr_in, sin_addr), 4);
	if (p->ss.ss_family == AF_INET6)
		return buf_fnv32(a + offsetof(struct sockaddr_in6, sin6_addr),
		    16);
	return 0;
}

static void
put_alg(struct wbuf *w, uint8_t type, uint8_t alg)
{
	wbuf_u8(w, type);
	wbuf_le16(w, 0);
	wbuf_u8(w, 8);
	wbuf_u8(w, alg);
	wbuf_fill(w, 0, 3);
}

static int
get_alg(struct buf *b, uint8_t type, uint8_t *alg)
{
	if (buf_u8(b) != type)
		return -1;
	buf_skip(b, 2);
	if (buf_u8(b) != 8)
		return -1;
	*alg = buf_u8(b) & 0x3f;
	buf_skip(b, 3);
	return b->err ? -1 : 0;
}

/* The 8-byte error form shared by Open Session, RAKP2 and RAKP4. */
static void
status_reply(struct core *c, int ep, const struct peer *peer, uint8_t ptype,
    uint8_t tag, uint8_t status, uint32_t csid)
{
	uint8_t out[8];
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	wbuf_u8(&w, tag);
	wbuf_u8(&w, status);
	wbuf_le16(&w, 0);
	wbuf_le32(&w, csid);
	out_presession(&c->out, ep, peer, ptype, out, w.len);
}

void
rakp_open(struct core *c, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	uint8_t tag, priv, auth, integ, conf, out[36];
	const struct suite *su = NULL;
	struct session *s;
	struct wbuf w;
	struct buf b;
	uint32_t csid;
	int st;

	buf_init(&b, p, n);
	tag = buf_u8(&b);
	priv = buf_u8(&b);
	buf_skip(&b, 2);
	csid = buf_le32(&b);
	if (n != 32 || get_alg(&b, 0, &auth) != 0 ||
	    get_alg(&b, 1, &integ) != 0 || get_alg(&b, 2, &conf) != 0) {
		if (n >= 8)
			status_reply(c, ep, peer, PAYLOAD_OPEN_RSP, tag,
			    RMCPP_ILLEGAL_PARAM, csid);
		return;
	}
	if ((st = suite_match(c->conf, auth, integ, conf, &su)) != 0) {
		log_rl(&c->rl_auth, "open session: refused algorithms "
		    "%u/%u/%u (status 0x%02x)", auth, integ, conf, st);
		status_reply(c, ep, peer, PAYLOAD_OPEN_RSP, tag,
		    (uint8_t)st, csid);
		return;
	}
	if ((priv & 0xf0) != 0 || (priv & 0x0f) > PRIV_ADMIN) {
		status_reply(c, ep, peer, PAYLOAD_OPEN_RSP, tag,
		    RMCPP_INVALID_ROLE, csid);
		return;
	}
	if (csid == 0) {
		status_reply(c, ep, peer, PAYLOAD_OPEN_RSP, tag,
		    RMCPP_INVALID_SID, csid);
		return;
	}
	if ((s = session_open(&c->st, c->now, peer_src(peer))) == NULL) {
		status_reply(c, ep, peer, PAYLOAD_OPEN_RSP, tag,
		    RMCPP_NO_RESOURCES, csid);
		return;
	}
	s->csid = csid;
	s->ep = ep;
	s->peer = *peer;
	s->suite = su->id;
	s->hash = su->hash;
	s->auth_len = su->auth_len;
	s->req_max_priv = priv & 0x0f ? priv & 0x0f : PRIV_ADMIN;

	wbuf_init(&w, out, sizeof(out));
	wbuf_u8(&w, tag);
	wbuf_u8(&w, RMCPP_OK);
	wbuf_u8(&w, s->req_max_priv);
	wbuf_u8(&w, 0);
	wbuf_le32(&w, csid);
	wbuf_le32(&w, s->sid);
	put_alg(&w, 0, su->auth);
	put_alg(&w, 1, su->integ);
	put_alg(&w, 2, su->conf);
	out_presession(&c->out, ep, peer, PAYLOAD_OPEN_RSP, out, w.len);
}

int
rakp_hmac2(enum crypto_hash h, const struct rakp_keys *k, uint8_t *out)
{
	uint8_t sids[8], ru[2] = { k->role, k->ulen };
	struct crypto_iov iov[6];
	struct wbuf w;

	wbuf_init(&w, sids, sizeof(sids));
	wbuf_le32(&w, k->csid);
	wbuf_le32(&w, k->msid);
	iov[0] = (struct crypto_iov){ sids, 8 };
	iov[1] = (struct crypto_iov){ k->rc, 16 };
	iov[2] = (struct crypto_iov){ k->rm, 16 };
	iov[3] = (struct crypto_iov){ k->guid, 16 };
	iov[4] = (struct crypto_iov){ ru, 2 };
	iov[5] = (struct crypto_iov){ k->user, k->ulen };
	return crypto_hmac(h, k->kuid, CONF_PASS_MAX, iov, 6, out);
}

int
rakp_hmac3(enum crypto_hash h, const struct rakp_keys *k, uint8_t *out)
{
	uint8_t sid[4], ru[2] = { k->role, k->ulen };
	struct crypto_iov iov[4];
	struct wbuf w;

	wbuf_init(&w, sid, sizeof(sid));
	wbuf_le32(&w, k->csid);
	iov[0] = (struct crypto_iov){ k->rm, 16 };
	iov[1] = (struct crypto_iov){ sid, 4 };
	iov[2] = (struct crypto_iov){ ru, 2 };
	iov[3] = (struct crypto_iov){ k->user, k->ulen };
	return crypto_hmac(h, k->kuid, CONF_PASS_MAX, iov, 4, out);
}

int
rakp_sik(enum crypto_hash h, const struct rakp_keys *k, uint8_t *out)
{
	uint8_t ru[2] = { k->role, k->ulen };
	struct crypto_iov iov[4];

	iov[0] = (struct crypto_iov){ k->rc, 16 };
	iov[1] = (struct crypto_iov){ k->rm, 16 };
	iov[2] = (struct crypto_iov){ ru, 2 };
	iov[3] = (struct crypto_iov){ k->user, k->ulen };
	return crypto_hmac(h, k->kg != NULL ? k->kg : k->kuid, CONF_PASS_MAX,
	    iov, 4, out);
}

int
rakp_icv4(enum crypto_hash h, const uint8_t *sik, const struct rakp_keys *k,
    uint8_t *out)
{
	uint8_t sid[4];
	struct crypto_iov iov[3];
	struct wbuf w;

	wbuf_init(&w, sid, sizeof(sid));
	wbuf_le32(&w, k->msid);
	iov[0] = (struct crypto_iov){ k->rc, 16 };
	iov[1] = (struct crypto_iov){ sid, 4 };
	iov[2] = (struct crypto_iov){ k->guid, 16 };
	return crypto_hmac(h, sik, crypto_md_len(h), iov, 3, out);
}

int
rakp_kn(enum crypto_hash h, const uint8_t *sik, uint8_t n, uint8_t *out)
{
	uint8_t cst[20];
	struct crypto_iov iov = { cst, sizeof(cst) };

	memset(cst, n, sizeof(cst));
	return crypto_hmac(h, sik, crypto_md_len(h), &iov, 1, out);
}

static void
keys_of(const struct core *c, const struct session *s,
    const struct conf_user *u, struct rakp_keys *k)
{
	k->kuid = u != NULL ? u->key : zero_key;
	k->kg = c->conf->has_kg ? c->conf->kg : NULL;
	k->csid = s->csid;
	k->msid = s->sid;
	k->rc = s->rc;
	k->rm = s->rm;
	k->guid = c->guid;
	k->role = s->role;
	k->ulen = s->user_len;
	k->user = s->user;
}

void
rakp_rakp1(struct core *c, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	uint8_t tag, role, ulen, out[8 + 32 + CRYPTO_MAX_MD], rc[16];
	const uint8_t *user;
	const struct conf_user *u;
	struct rakp_keys k;
	struct session *s;
	char esc[80];
	struct wbuf w;
	struct buf b;
	uint32_t msid;
	uint8_t st = RMCPP_OK;

	buf_init(&b, p, n);
	tag = buf_u8(&b);
	buf_skip(&b, 3);
	msid = buf_le32(&b);
	buf_copy(&b, rc, sizeof(rc));
	role = buf_u8(&b);
	buf_skip(&b, 2);
	ulen = buf_u8(&b);
	if (b.err)
		return;
	s = session_find(&c->st, msid);
	if (s == NULL || s->state == SESSION_ACTIVE ||
	    !session_same_peer(s, ep, peer)) {
		status_reply(c, ep, peer, PAYLOAD_RAKP2, tag,
		    RMCPP_INVALID_SID, 0);
		return;
	}
	user = buf_take(&b, ulen);
	if (ulen > CONF_USER_MAX || user == NULL || buf_end(&b) != 0)
		st = RMCPP_INVALID_NAME_LEN;
	else if ((role & 0xe0) != 0 || (role & 0x0f) < PRIV_USER ||
	    (role & 0x0f) > PRIV_ADMIN)
		st = RMCPP_INVALID_ROLE;
	else if (ulen == 0 || (u = users_find(c->conf, user, ulen)) == NULL)
		st = RMCPP_UNAUTH_NAME;
	else if ((role & 0x0f) > u->priv || (role & 0x0f) > s->req_max_priv)
		st = RMCPP_INVALID_ROLE;	/* pyghmi then retries lower */
	if (st != RMCPP_OK) {
		log_rl(&c->rl_auth, "login refused for user \"%s\" "
		    "(RAKP status 0x%02x)", log_escape(user, user ? ulen : 0,
		    esc, sizeof(esc)), st);
		c->stats.auth_fail++;
		status_reply(c, ep, peer, PAYLOAD_RAKP2, tag, st, s->csid);
		session_close(&c->st, s);
		return;
	}
	memcpy(s->rc, rc, 16);
	s->role = role;
	s->max_priv = role & 0x0f;
	s->user_len = ulen;
	memcpy(s->user, user, ulen);
	if (crypto_random(s->rm, sizeof(s->rm)) != 0)
		return;
	keys_of(c, s, u, &k);
	wbuf_init(&w, out, sizeof(out));
	wbuf_u8(&w, tag);
	wbuf_u8(&w, RMCPP_OK);
	wbuf_le16(&w, 0);
	wbuf_le32(&w, s->csid);
	wbuf_put(&w, s->rm, 16);
	wbuf_put(&w, c->guid, 16);
	if (rakp_hmac2(s->hash, &k, out + w.len) != 0)
		return;
	w.len += crypto_md_len(s->hash);
	s->state = SESSION_RAKP2;
	out_presession(&c->out, ep, peer, PAYLOAD_RAKP2, out, w.len);
}

void
rakp_rakp3(struct core *c, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	uint8_t tag, status, md[CRYPTO_MAX_MD], sik[CRYPTO_MAX_MD];
	uint8_t k1[CRYPTO_MAX_MD], k2[CRYPTO_MAX_MD], out[8 + 16];
	const uint8_t *code;
	const struct conf_user *u;
	struct rakp_keys k;
	struct session *s;
	char esc[80];
	struct wbuf w;
	struct buf b;
	uint32_t msid;
	size_t mdlen;

	buf_init(&b, p, n);
	tag = buf_u8(&b);
	status = buf_u8(&b);
	buf_skip(&b, 2);
	msid = buf_le32(&b);
	if (b.err)
		return;
	s = session_find(&c->st, msid);
	if (s == NULL || s->state != SESSION_RAKP2 ||
	    !session_same_peer(s, ep, peer)) {
		status_reply(c, ep, peer, PAYLOAD_RAKP4, tag,
		    RMCPP_INVALID_SID, 0);
		return;
	}
	if (status != RMCPP_OK) {	/* the console gave up */
		session_close(&c->st, s);
		return;
	}
	mdlen = crypto_md_len(s->hash);
	code = buf_take(&b, mdlen);
	u = users_find(c->conf, s->user, s->user_len);
	keys_of(c, s, u, &k);
	if (code == NULL || buf_end(&b) != 0 || u == NULL ||
	    rakp_hmac3(s->hash, &k, md) != 0 || !crypto_memeq(md, code, mdlen)) {
		log_rl(&c->rl_auth, "login failed for user \"%s\": wrong "
		    "password", log_escape(s->user, s->user_len, esc,
		    sizeof(esc)));
		c->stats.auth_fail++;
		status_reply(c, ep, peer, PAYLOAD_RAKP4, tag,
		    RMCPP_INVALID_ICV, s->csid);
		session_close(&c->st, s);
		return;
	}
	if (rakp_sik(s->hash, &k, sik) != 0 || rakp_kn(s->hash, sik, 1, k1) ||
	    rakp_kn(s->hash, sik, 2, k2) != 0 ||
	    rakp_icv4(s->hash, sik, &k, md) != 0 ||
	    (s->mac = crypto_mac_new(s->hash, k1, mdlen)) == NULL ||
	    (s->aes = crypto_aes_new(k2)) == NULL ||
	    session_activate(&c->st, s) != 0) {
		status_reply(c, ep, peer, PAYLOAD_RAKP4, tag,
		    RMCPP_NO_RESOURCES, s->csid);
		session_close(&c->st, s);
		goto out;
	}
	s->priv = PRIV_USER;
	s->last = c->now;
	c->stats.sessions++;
	wbuf_init(&w, out, sizeof(out));
	wbuf_u8(&w, tag);
	wbuf_u8(&w, RMCPP_OK);
	wbuf_le16(&w, 0);
	wbuf_le32(&w, s->csid);
	wbuf_put(&w, md, s->auth_len);
	out_presession(&c->out, ep, peer, PAYLOAD_RAKP4, out, w.len);
out:
	crypto_cleanse(sik, sizeof(sik));
	crypto_cleanse(k1, sizeof(k1));
	crypto_cleanse(k2, sizeof(k2));
}
