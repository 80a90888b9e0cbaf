/*
 * setup_msg.c: form values, HTML escaping and DHCP answers for the setup
 * access point (setup_msg.h).  Wire bytes go through the buf.h cursor like
 * every wire format here.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "setup_msg.h"

#define DHCP_MIN	236		/* fixed part */
#define DHCP_MAGIC	0x63538263u	/* 99.130.83.99, as read little-endian */

enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 };

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
form_decode(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			s += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		*o++ = (char)c;
	}
	*o = '\0';
	return 0;
}

size_t
html_escape(char *dst, size_t size, const char *s)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	for (; *s != '\0'; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
		    *s == '>' ? "&gt;" : *s == '"' ? "&quot;" :
		    *s == '\'' ? "&#39;" : NULL;
		size_t len = e != NULL ? strlen(e) : 1;

		if (n + len >= size)
			break;
		if (e != NULL)
			memcpy(dst + n, e, len);
		else
			dst[n] = *s;
		n += len;
	}
	dst[n] = '\0';
	return n;
}

static int
lease_for(uint8_t leases[DHCP_LEASES][6], const uint8_t *mac)
{
	static const uint8_t none[6];

	for (int i = 0; i < DHCP_LEASES; i++)
		if (memcmp(leases[i], mac, 6) == 0)
			return i;
	for (int i = 0; i < DHCP_LEASES; i++)
		if (memcmp(leases[i], none, 6) == 0) {
			memcpy(leases[i], mac, 6);
			return i;
		}
	return -1;
}

static void
opt(struct wbuf *w, uint8_t code, const void *p, uint8_t n)
{
	wbuf_u8(w, code);
	wbuf_u8(w, n);
	wbuf_put(w, p, n);
}

static size_t
reply(const uint8_t *req, uint8_t type, uint32_t yiaddr, uint32_t server,
    uint8_t *out)
{
	static const char portal[] = "http://192.168.4.1/";
	const uint8_t mask[4] = { 255, 255, 255, 0 };
	const uint8_t lease[4] = { 0, 0, DHCP_LEASE_SECS >> 8,
	    DHCP_LEASE_SECS & 0xff };
	struct wbuf w;

	wbuf_init(&w, out, DHCP_REPLY_MAX);
	wbuf_u8(&w, 2);				/* BOOTREPLY */
	wbuf_put(&w, req + 1, 3);		/* htype, hlen, hops */
	wbuf_put(&w, req + 4, 4);		/* xid */
	wbuf_fill(&w, 0, 4);			/* secs, flags */
	wbuf_fill(&w, 0, 4);			/* ciaddr */
	wbuf_put(&w, &yiaddr, 4);
	wbuf_put(&w, &server, 4);		/* siaddr */
	wbuf_fill(&w, 0, 4);			/* giaddr */
	wbuf_put(&w, req + 28, 16);		/* chaddr */
	wbuf_fill(&w, 0, 192);			/* sname, file */
	wbuf_le32(&w, DHCP_MAGIC);
	opt(&w, 53, &type, 1);
	opt(&w, 54, &server, 4);
	if (type != NAK) {
		opt(&w, 51, lease, 4);
		opt(&w, 1, mask, 4);
		/* The AP as router and DNS: a phone keeps the page's address
		 * on this network; RFC 8910 names the page. */
		opt(&w, 3, &server, 4);
		opt(&w, 6, &server, 4);
		opt(&w, 114, portal, sizeof(portal) - 1);
	}
	wbuf_u8(&w, 255);
	return w.err ? 0 : w.len;
}

size_t
dhcp_answer(const uint8_t *in, size_t len, uint32_t server,
    uint8_t leases[DHCP_LEASES][6], uint8_t *out)
{
	struct buf b;
	uint8_t type = 0, code, n;
	uint32_t want = 0, yiaddr, net;
	int i;

	if (len < DHCP_MIN + 4)
		return 0;
	buf_init(&b, in, len);
	if (buf_u8(&b) != 1 || buf_u8(&b) != 1 || buf_u8(&b) != 6)
		return 0;			/* BOOTREQUEST, Ethernet */
	buf_skip(&b, DHCP_MIN - 3);
	if (buf_le32(&b) != DHCP_MAGIC)
		return 0;
	while (!b.err && buf_left(&b) > 0 && (code = buf_u8(&b)) != 255) {
		if (code == 0)
			continue;		/* pad */
		n = buf_u8(&b);
		if (code == 53 && n == 1)
			type = buf_u8(&b);
		else if (code == 50 && n == 4)
			buf_copy(&b, &want, 4);
		else
			buf_skip(&b, n);
	}
	if (b.err || (type != DISCOVER && type != REQUEST) ||
	    (i = lease_for(leases, in + 28)) < 0)
		return 0;
	/* server and yiaddr are in network order: the host byte last. */
	memcpy(&net, (const uint8_t[4]){ 255, 255, 255, 0 }, 4);
	yiaddr = server & net;
	((uint8_t *)&yiaddr)[3] = (uint8_t)(DHCP_LEASE_BASE + i);
	if (type == DISCOVER)
		return reply(in, OFFER, yiaddr, server, out);
	if (want == 0 || want == yiaddr)
		return reply(in, ACK, yiaddr, server, out);
	return reply(in, NAK, 0, server, out);
}
