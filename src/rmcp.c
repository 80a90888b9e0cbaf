/* rmcp.c: RMCP/ASF framing and the RMCP+ integrity/confidentiality layer. */
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "ipmi.h"
#include "rmcp.h"
#include "session.h"

#define RMCP_HDR	4
#define V20_HDR		12	/* authtype .. payload length */

int
rmcp_parse(const uint8_t *p, size_t n, struct rmcp_pkt *pkt)
{
	struct buf b;
	uint8_t class, at;

	memset(pkt, 0, sizeof(*pkt));
	buf_init(&b, p, n);
	if (buf_u8(&b) != RMCP_VERSION || buf_u8(&b) != 0)
		return -1;
	(void)buf_u8(&b);		/* RMCP sequence */
	class = buf_u8(&b);
	if (b.err)
		return -1;
	if (class == RMCP_CLASS_ASF) {
		uint32_t iana = (uint32_t)buf_u8(&b) << 24;

		iana |= (uint32_t)buf_u8(&b) << 16;
		iana |= (uint32_t)buf_u8(&b) << 8;
		iana |= buf_u8(&b);
		if (iana != ASF_IANA || buf_u8(&b) != ASF_TYPE_PING)
			return -1;
		pkt->asf_tag = buf_u8(&b);
		(void)buf_u8(&b);
		if (buf_u8(&b) != 0 || buf_end(&b) != 0)
			return -1;
		pkt->kind = RMCP_ASF_PING;
		return 0;
	}
	if (class != RMCP_CLASS_IPMI)
		return -1;
	at = buf_u8(&b);
	if (at == IPMI_AUTHTYPE_NONE) {
		/* IPMI 1.5 wrapper: only session-less requests. */
		pkt->kind = RMCP_IPMI15;
		pkt->seq = buf_le32(&b);
		pkt->sid = buf_le32(&b);
		pkt->len = buf_u8(&b);
		pkt->payload = buf_take(&b, pkt->len);
		/* Some clients add one legacy pad byte. */
		if (b.err || buf_left(&b) > 1 || pkt->sid != 0 ||
		    pkt->seq != 0)
			return -1;
		return 0;
	}
	if (at != IPMI_AUTHTYPE_RMCPP)
		return -1;
	pkt->kind = RMCP_IPMI20;
	{
		uint8_t pt = buf_u8(&b);

		pkt->encrypted = (pt & IPMI_PAYLOAD_ENCRYPTED) != 0;
		pkt->authenticated = (pt & IPMI_PAYLOAD_AUTHENTICATED) != 0;
		pkt->ptype = pt & IPMI_PAYLOAD_TYPE_MASK;
	}
	if (pkt->ptype == PAYLOAD_OEM)
		return -1;		/* no OEM payloads */
	pkt->sid = buf_le32(&b);
	pkt->seq = buf_le32(&b);
	pkt->len = buf_le16(&b);
	pkt->payload = buf_take(&b, pkt->len);
	if (b.err || pkt->len == 0)
		return -1;
	if (!pkt->authenticated) {
		if (buf_end(&b) != 0 || pkt->encrypted)
			return -1;
		return 0;
	}
	{
		size_t covered = V20_HDR + pkt->len, padlen, i;
		const uint8_t *pad;

		padlen = (4 - (covered + 2) % 4) % 4;
		pad = buf_take(&b, padlen);
		if (pad == NULL)
			return -1;
		for (i = 0; i < padlen; i++)
			if (pad[i] != 0xff)
				return -1;
		if (buf_u8(&b) != padlen || buf_u8(&b) != 0x07 || b.err)
			return -1;
		pkt->signed_p = p + RMCP_HDR;
		pkt->signed_len = covered + padlen + 2;
		pkt->authcode_len = buf_left(&b);
		pkt->authcode = buf_take(&b, pkt->authcode_len);
		if (pkt->authcode == NULL || pkt->authcode_len == 0)
			return -1;
	}
	return 0;
}

int
rmcp_unwrap(struct session *s, struct rmcp_pkt *pkt, uint8_t *out)
{
	uint8_t md[CRYPTO_MAX_MD], iv[16];
	const uint8_t *ct;
	size_t ctlen, padn;

	/* Every suite we offer has integrity and confidentiality. */
	if (!pkt->authenticated || !pkt->encrypted || s->mac == NULL ||
	    s->aes == NULL)
		return -1;
	if (pkt->authcode_len != s->auth_len ||
	    crypto_mac_sign(s->mac, pkt->signed_p, pkt->signed_len, md) != 0 ||
	    !crypto_memeq(md, pkt->authcode, s->auth_len))
		return -1;
	if (pkt->len < 32 || (pkt->len - 16) % 16 != 0 ||
	    pkt->len - 16 > RMCP_PAYLOAD_MAX)
		return -1;
	memcpy(iv, pkt->payload, 16);
	ct = pkt->payload + 16;
	ctlen = pkt->len - 16;
	if (crypto_aes_cbc(s->aes, 0, iv, ct, ctlen, out) != 0)
		return -1;
	padn = out[ctlen - 1];
	if (padn > 15 || padn + 1 > ctlen)
		return -1;
	for (size_t i = 0; i < padn; i++)
		if (out[ctlen - 1 - padn + i] != i + 1)
			return -1;
	pkt->payload = out;
	pkt->len = ctlen - 1 - padn;
	return 0;
}

size_t
rmcp_pong(uint8_t tag, int ipmi, uint8_t *out, size_t cap)
{
	static const uint8_t iana[4] = { 0x00, 0x00, 0x11, 0xbe };
	struct wbuf w;

	wbuf_init(&w, out, cap);
	wbuf_u8(&w, RMCP_VERSION);
	wbuf_u8(&w, 0);
	wbuf_u8(&w, RMCP_SEQ_NOACK);
	wbuf_u8(&w, RMCP_CLASS_ASF);
	wbuf_put(&w, iana, 4);
	wbuf_u8(&w, ASF_TYPE_PONG);
	wbuf_u8(&w, tag);
	wbuf_u8(&w, 0);
	wbuf_u8(&w, 16);
	wbuf_put(&w, iana, 4);		/* IANA enterprise */
	wbuf_fill(&w, 0, 4);		/* OEM defined */
	wbuf_u8(&w, ipmi ? 0x81 : 0x01);	/* IPMI supported, ASF 1.0 */
	wbuf_u8(&w, 0x00);		/* no interactions */
	wbuf_fill(&w, 0, 6);
	return w.err ? 0 : w.len;
}

static void
rmcp_header(struct wbuf *w)
{
	wbuf_u8(w, RMCP_VERSION);
	wbuf_u8(w, 0);
	wbuf_u8(w, RMCP_SEQ_NOACK);
	wbuf_u8(w, RMCP_CLASS_IPMI);
}

size_t
rmcp_wrap15(const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
	struct wbuf w;

	if (len > 255)
		return 0;
	wbuf_init(&w, out, cap);
	rmcp_header(&w);
	wbuf_u8(&w, IPMI_AUTHTYPE_NONE);
	wbuf_le32(&w, 0);
	wbuf_le32(&w, 0);
	wbuf_u8(&w, (uint8_t)len);
	wbuf_put(&w, msg, len);
	return w.err ? 0 : w.len;
}

size_t
rmcp_wrap20(struct session *s, uint8_t ptype, const uint8_t *pl, size_t len,
    uint8_t *out, size_t cap)
{
	uint8_t iv[16], md[CRYPTO_MAX_MD], *lenp, *ct;
	size_t start, plen, padn;
	struct wbuf w;

	wbuf_init(&w, out, cap);
	rmcp_header(&w);
	start = w.len;
	wbuf_u8(&w, IPMI_AUTHTYPE_RMCPP);
	if (s == NULL) {
		wbuf_u8(&w, ptype);
		wbuf_le32(&w, 0);
		wbuf_le32(&w, 0);
		wbuf_le16(&w, (uint16_t)len);
		wbuf_put(&w, pl, len);
		return (w.err || len > 0xffff) ? 0 : w.len;
	}
	wbuf_u8(&w, ptype | IPMI_PAYLOAD_ENCRYPTED |
	    IPMI_PAYLOAD_AUTHENTICATED);
	wbuf_le32(&w, s->csid);
	wbuf_le32(&w, session_next_seq(s));
	lenp = wbuf_reserve(&w, 2);
	/* Confidentiality: IV, then data + pad 1,2,3.. + pad length. */
	padn = (16 - (len + 1) % 16) % 16;
	plen = len + padn + 1;
	if (lenp == NULL || plen > RMCP_PAYLOAD_MAX ||
	    crypto_random(iv, sizeof(iv)) != 0)
		return 0;
	wbuf_put(&w, iv, 16);
	if ((ct = wbuf_reserve(&w, plen)) == NULL)
		return 0;
	memcpy(ct, pl, len);
	for (size_t i = 0; i < padn; i++)
		ct[len + i] = (uint8_t)(i + 1);
	ct[len + padn] = (uint8_t)padn;
	if (crypto_aes_cbc(s->aes, 1, iv, ct, plen, ct) != 0)
		return 0;
	lenp[0] = (uint8_t)((plen + 16) & 0xff);
	lenp[1] = (uint8_t)((plen + 16) >> 8);
	/* Integrity pad, pad length, next header, AuthCode. */
	padn = (4 - (w.len - start + 2) % 4) % 4;
	wbuf_fill(&w, 0xff, padn);
	wbuf_u8(&w, (uint8_t)padn);
	wbuf_u8(&w, 0x07);
	if (w.err || crypto_mac_sign(s->mac, out + start, w.len - start,
	    md) != 0)
		return 0;
	wbuf_put(&w, md, s->auth_len);
	return w.err ? 0 : w.len;
}
