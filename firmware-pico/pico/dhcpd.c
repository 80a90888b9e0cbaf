/*
 * dhcpd.c: the smallest DHCP server that lets a phone or laptop join the
 * setup access point: 8 leases (x.x.x.16-23) by MAC address, OFFER for
 * DISCOVER, ACK for a REQUEST of the address offered, NAK otherwise.  No
 * router and no DNS are handed out: the page is at the server's address.
 * Packets are read through the buf.h cursor like every wire format here.
 */
#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "pico/cyw43_arch.h"

#include "buf.h"
#include "port.h"

#define DHCP_MIN	236		/* fixed part */
#define DHCP_MAGIC	0x63538263u	/* 99.130.83.99, as read little-endian */
#define LEASES		8
#define LEASE_BASE	16
#define LEASE_SECS	3600

enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 };

static struct udp_pcb *pcb;
static uint32_t server;			/* network order */
static uint8_t leases[LEASES][6];

static int
lease_for(const uint8_t *mac)
{
	static const uint8_t none[6];

	for (int i = 0; i < LEASES; i++)
		if (memcmp(leases[i], mac, 6) == 0)
			return i;
	for (int i = 0; i < LEASES; i++)
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

static void
reply(const uint8_t *req, uint8_t type, uint32_t yiaddr)
{
	static uint8_t out[300];
	struct wbuf w;
	struct pbuf *p;
	uint32_t mask = PP_HTONL(0xffffff00u), lease = PP_HTONL(LEASE_SECS);
	ip_addr_t bcast;

	wbuf_init(&w, out, sizeof(out));
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
		opt(&w, 51, &lease, 4);
		opt(&w, 1, &mask, 4);
	}
	wbuf_u8(&w, 255);
	if (w.err || (p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)w.len,
	    PBUF_RAM)) == NULL)
		return;
	memcpy(p->payload, out, w.len);
	IP_ADDR4(&bcast, 255, 255, 255, 255);
	udp_sendto_if(pcb, p, &bcast, 68,
	    &cyw43_state.netif[CYW43_ITF_AP]);
	pbuf_free(p);
}

static void
on_packet(void *arg, struct udp_pcb *upcb, struct pbuf *p,
    const ip_addr_t *from, u16_t fport)
{
	static uint8_t in[548];
	struct buf b;
	uint8_t type = 0, code, n;
	uint32_t want = 0, yiaddr;
	int i;

	(void)arg;
	(void)upcb;
	(void)from;
	(void)fport;
	n = 0;
	if (p->tot_len < DHCP_MIN + 4 || p->tot_len > sizeof(in)) {
		pbuf_free(p);
		return;
	}
	buf_init(&b, in, pbuf_copy_partial(p, in, p->tot_len, 0));
	pbuf_free(p);
	if (buf_u8(&b) != 1 || buf_u8(&b) != 1 || buf_u8(&b) != 6)
		return;				/* BOOTREQUEST, Ethernet */
	buf_skip(&b, DHCP_MIN - 3);
	if (buf_le32(&b) != DHCP_MAGIC)
		return;
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
	if (b.err || (i = lease_for(in + 28)) < 0)
		return;
	yiaddr = (server & PP_HTONL(0xffffff00u)) | PP_HTONL(LEASE_BASE + i);
	if (type == DISCOVER)
		reply(in, OFFER, yiaddr);
	else if (type == REQUEST)
		reply(in, want == 0 || want == yiaddr ? ACK : NAK,
		    want == 0 || want == yiaddr ? yiaddr : 0);
}

int
dhcpd_start(uint32_t server_ip)
{
	server = server_ip;
	if (pcb != NULL)
		return 0;
	if ((pcb = udp_new()) == NULL)
		return -1;
	ip_set_option(pcb, SOF_BROADCAST);
	if (udp_bind(pcb, IP_ANY_TYPE, 67) != ERR_OK) {
		udp_remove(pcb);
		pcb = NULL;
		return -1;
	}
	udp_recv(pcb, on_packet, NULL);
	return 0;
}
