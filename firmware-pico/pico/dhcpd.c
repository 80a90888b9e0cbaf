/*
 * dhcpd.c: the smallest DHCP server that lets a phone or laptop join the
 * setup access point: lwIP glue around dhcp_answer() (setup_msg.c, where
 * the leases and options are).  It listens on the access point's
 * interface only.
 */
#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "pico/cyw43_arch.h"

#include "port.h"
#include "setup_msg.h"

static struct udp_pcb *pcb;
static uint32_t server;			/* network order */
static uint8_t leases[DHCP_LEASES][6];

static void
on_packet(void *arg, struct udp_pcb *upcb, struct pbuf *p,
    const ip_addr_t *from, u16_t fport)
{
	static uint8_t in[548], out[DHCP_REPLY_MAX];
	struct pbuf *r;
	ip_addr_t bcast;
	size_t len, n;

	(void)arg;
	(void)upcb;
	(void)from;
	(void)fport;
	if (p->tot_len > sizeof(in)) {
		pbuf_free(p);
		return;
	}
	len = pbuf_copy_partial(p, in, p->tot_len, 0);
	pbuf_free(p);
	if ((n = dhcp_answer(in, len, server, leases, out)) == 0 ||
	    (r = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM)) == NULL)
		return;
	memcpy(r->payload, out, n);
	IP_ADDR4(&bcast, 255, 255, 255, 255);
	udp_sendto_if(pcb, r, &bcast, 68, &cyw43_state.netif[CYW43_ITF_AP]);
	pbuf_free(r);
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
	udp_bind_netif(pcb, &cyw43_state.netif[CYW43_ITF_AP]);
	if (udp_bind(pcb, IP_ANY_TYPE, 67) != ERR_OK) {
		dhcpd_stop();
		return -1;
	}
	udp_recv(pcb, on_packet, NULL);
	return 0;
}

void
dhcpd_stop(void)
{
	if (pcb != NULL)
		udp_remove(pcb);
	pcb = NULL;
	memset(leases, 0, sizeof(leases));
}
