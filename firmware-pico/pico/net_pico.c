/*
 * net_pico.c: board.h's TCP to pmbd with lwIP's raw API.  lwIP runs in
 * poll mode (cyw43_arch_poll() from the main loop), so its callbacks and
 * these functions never run at the same time.  Received data stays in the
 * pbuf chain lwIP gave us until board_tcp_recv() copies it out; the window
 * opens as it does.  The server may be a name: DNS first.
 */
#include <string.h>

#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "pico/cyw43_arch.h"

#include "board.h"
#include "port.h"

enum net_state { N_IDLE, N_DNS, N_CONNECTING, N_UP, N_FAILED };

static struct tcp_pcb *pcb;
static struct pbuf *rxq;		/* received, not yet read */
static enum net_state state = N_IDLE;
static char host[64];
static uint16_t port;
static ip_addr_t addr;

void
net_set_server(void)
{
	if (settings_parse_server(host, sizeof(host), &port) != 0)
		host[0] = '\0';
}

static void
drop(void)
{
	if (pcb != NULL) {
		tcp_arg(pcb, NULL);
		tcp_recv(pcb, NULL);
		tcp_err(pcb, NULL);
		tcp_sent(pcb, NULL);
		if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
		pcb = NULL;
	}
	if (rxq != NULL) {
		pbuf_free(rxq);
		rxq = NULL;
	}
}

static void
on_err(void *arg, err_t err)
{
	(void)arg;
	(void)err;
	pcb = NULL;			/* lwIP has freed it */
	state = N_FAILED;
}

static err_t
on_recv(void *arg, struct tcp_pcb *tpcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)tpcb;
	if (p == NULL || err != ERR_OK) {	/* the peer closed */
		if (p != NULL)
			pbuf_free(p);
		state = N_FAILED;
		return ERR_OK;
	}
	if (rxq == NULL)
		rxq = p;
	else
		pbuf_cat(rxq, p);
	return ERR_OK;
}

static err_t
on_connected(void *arg, struct tcp_pcb *tpcb, err_t err)
{
	(void)arg;
	(void)tpcb;
	state = err == ERR_OK ? N_UP : N_FAILED;
	return ERR_OK;
}

static void
start_connect(void)
{
	pcb = tcp_new_ip_type(IP_GET_TYPE(&addr));
	if (pcb == NULL) {
		state = N_FAILED;
		return;
	}
	tcp_arg(pcb, NULL);
	tcp_err(pcb, on_err);
	tcp_recv(pcb, on_recv);
	tcp_nagle_disable(pcb);
	if (tcp_connect(pcb, &addr, port, on_connected) != ERR_OK) {
		drop();
		state = N_FAILED;
		return;
	}
	state = N_CONNECTING;
}

static void
on_dns(const char *name, const ip_addr_t *ip, void *arg)
{
	(void)name;
	(void)arg;
	if (state != N_DNS)
		return;			/* closed meanwhile */
	if (ip == NULL) {
		state = N_FAILED;
		return;
	}
	addr = *ip;
	start_connect();
}

int
board_tcp_connect(void)
{
	board_tcp_close();
	if (host[0] == '\0' || cyw43_tcpip_link_status(&cyw43_state,
	    CYW43_ITF_STA) != CYW43_LINK_UP)
		return -1;
	state = N_DNS;
	switch (dns_gethostbyname(host, &addr, on_dns, NULL)) {
	case ERR_OK:
		start_connect();
		break;
	case ERR_INPROGRESS:
		break;
	default:
		state = N_FAILED;
	}
	return state == N_FAILED ? -1 : 0;
}

int
board_tcp_status(void)
{
	switch (state) {
	case N_UP:
		return 1;
	case N_DNS:
	case N_CONNECTING:
		return 0;
	default:
		return -1;
	}
}

long
board_tcp_send(const uint8_t *p, size_t n)
{
	u16_t room;

	if (state != N_UP || pcb == NULL)
		return -1;
	room = tcp_sndbuf(pcb);
	if (room == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 1)
		return 0;
	if (n > room)
		n = room;
	if (tcp_write(pcb, p, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
		return 0;			/* out of memory: later */
	tcp_output(pcb);
	return (long)n;
}

long
board_tcp_recv(uint8_t *p, size_t n)
{
	u16_t got;

	if (rxq == NULL)
		return state == N_UP ? 0 : -1;
	if (n > rxq->tot_len)
		n = rxq->tot_len;
	got = pbuf_copy_partial(rxq, p, (u16_t)n, 0);
	rxq = pbuf_free_header(rxq, got);
	if (pcb != NULL)
		tcp_recved(pcb, got);
	return got;
}

void
board_tcp_close(void)
{
	drop();
	state = N_IDLE;
}
