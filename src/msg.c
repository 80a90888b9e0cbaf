/* msg.c: IPMI request/response messages and the Send Message envelope. */
#include <string.h>

#include "buf.h"
#include "ipmi.h"
#include "msg.h"

int
msg_parse(const uint8_t *p, size_t n, struct msg_req *m)
{
	struct buf b;
	uint8_t v;

	/* rsSA netFn/LUN chk1 rqSA rqSeq/LUN cmd [data] chk2 */
	if (n < 7 || buf_cksum(p, 3) != 0 || buf_cksum(p + 3, n - 3) != 0)
		return -1;
	buf_init(&b, p, n);
	m->rs_sa = buf_u8(&b);
	v = buf_u8(&b);
	m->netfn = v >> 2;
	m->rs_lun = v & 3;
	buf_skip(&b, 1);
	m->rq_sa = buf_u8(&b);
	v = buf_u8(&b);
	m->rq_seq = v >> 2;
	m->rq_lun = v & 3;
	m->cmd = buf_u8(&b);
	m->len = buf_left(&b) - 1;
	m->data = buf_take(&b, m->len);
	return b.err ? -1 : 0;
}

size_t
msg_request(const struct msg_req *m, uint8_t *out, size_t cap)
{
	struct wbuf w;

	wbuf_init(&w, out, cap);
	wbuf_u8(&w, m->rs_sa);
	wbuf_u8(&w, (uint8_t)(m->netfn << 2 | (m->rs_lun & 3)));
	if (!w.err)
		wbuf_u8(&w, buf_cksum(out, 2));
	wbuf_u8(&w, m->rq_sa);
	wbuf_u8(&w, (uint8_t)(m->rq_seq << 2 | (m->rq_lun & 3)));
	wbuf_u8(&w, m->cmd);
	wbuf_put(&w, m->data, m->len);
	if (!w.err)
		wbuf_u8(&w, buf_cksum(out + 3, w.len - 3));
	return w.err ? 0 : w.len;
}

void
msg_reply_hdr(const struct msg_req *m, uint8_t from, uint8_t hdr[MSG_HDR])
{
	hdr[0] = m->rq_sa;
	hdr[1] = (uint8_t)((m->netfn | 1) << 2 | m->rq_lun);
	hdr[2] = buf_cksum(hdr, 2);
	hdr[3] = from;
	hdr[4] = (uint8_t)(m->rq_seq << 2 | m->rs_lun);
	hdr[5] = m->cmd;
}

size_t
msg_reply(const uint8_t hdr[MSG_HDR], uint8_t cc, const uint8_t *data,
    size_t len, uint8_t *out, size_t cap)
{
	struct wbuf w;

	wbuf_init(&w, out, cap);
	wbuf_put(&w, hdr, MSG_HDR);
	wbuf_u8(&w, cc);
	wbuf_put(&w, data, len);
	if (w.err)
		return 0;
	wbuf_u8(&w, buf_cksum(out + 3, w.len - 3));
	return w.err ? 0 : w.len;
}

int
msg_bridge_parse(const uint8_t *p, size_t n, struct msg_bridge *mb)
{
	if (n < 1)
		return CC_REQ_LEN;
	mb->channel = p[0] & 0x0f;
	mb->track = p[0] >> 6;
	if (p[0] & 0x30)		/* encryption/authentication asked */
		return CC_INVALID_FIELD;
	if (mb->track > 1)
		return CC_INVALID_FIELD;
	if (n < 1 + 7)
		return CC_REQ_LEN;
	if (msg_parse(p + 1, n - 1, &mb->inner) != 0)
		return CC_INVALID_FIELD;
	return 0;
}

void
msg_bridge_reply_hdr(const struct msg_req *outer, const struct msg_req *in,
    uint8_t hdr[MSG_HDR])
{
	hdr[0] = outer->rq_sa;
	hdr[1] = (uint8_t)((in->netfn | 1) << 2 | outer->rq_lun);
	hdr[2] = buf_cksum(hdr, 2);
	hdr[3] = in->rs_sa;
	hdr[4] = (uint8_t)(outer->rq_seq << 2 | in->rs_lun);
	hdr[5] = in->cmd;
}
