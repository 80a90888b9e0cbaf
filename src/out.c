/* out.c: what the IPMI protocol core sends, and when it wants to run. */
#include "out.h"
#include "rmcp.h"

void
out_raw(struct out *o, int ep, const struct peer *peer, const uint8_t *p,
    size_t n)
{
	if (n == 0)
		return;
	o->tx++;
	o->send(o->arg, ep, peer, p, n);
}

void
out_session(struct out *o, struct session *s, uint8_t ptype,
    const uint8_t *p, size_t n)
{
	out_raw(o, s->ep, &s->peer, o->buf,
	    rmcp_wrap20(s, ptype, p, n, o->buf, sizeof(o->buf)));
}

void
out_presession(struct out *o, int ep, const struct peer *peer, uint8_t ptype,
    const uint8_t *p, size_t n)
{
	out_raw(o, ep, peer, o->buf,
	    rmcp_wrap20(NULL, ptype, p, n, o->buf, sizeof(o->buf)));
}

void
out_pong(struct out *o, int ep, const struct peer *peer, uint8_t tag,
    int ipmi)
{
	out_raw(o, ep, peer, o->buf, rmcp_pong(tag, ipmi, o->buf,
	    sizeof(o->buf)));
}

void
out_wake(struct out *o, uint64_t now, uint64_t when)
{
	if (o->wake == NULL)
		return;
	if (o->wake_at == 0 || when < o->wake_at || o->wake_at <= now) {
		o->wake_at = when;
		o->wake(o->arg, when);
	}
}
