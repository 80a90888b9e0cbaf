/*
 * A fake of the lwIP raw TCP API, just enough to compile setup_ap.c on the
 * host (tests/unit/check_setup_ap.c records the calls).  Not lwIP.
 */
#ifndef FAKE_LWIP_TCP_H
#define FAKE_LWIP_TCP_H
#include <stddef.h>
#include <stdint.h>
typedef int8_t err_t;
typedef uint16_t u16_t;
#define ERR_OK		0
#define ERR_MEM		-1
#define ERR_VAL		-6
#define ERR_ABRT	-13
#define TCP_WRITE_FLAG_COPY 1
#define IPADDR_TYPE_V4	0
typedef struct { uint32_t addr; } ip4_addr_t;
typedef ip4_addr_t ip_addr_t;
struct netif { int dummy; };
struct pbuf { uint16_t tot_len; const char *data; };
struct tcp_pcb { int id; };
typedef err_t (*tcp_recv_fn)(void *, struct tcp_pcb *, struct pbuf *, err_t);
typedef err_t (*tcp_accept_fn)(void *, struct tcp_pcb *, err_t);
typedef err_t (*tcp_poll_fn)(void *, struct tcp_pcb *);
typedef void (*tcp_err_fn)(void *, err_t);
void	 tcp_arg(struct tcp_pcb *, void *);
void	 tcp_recv(struct tcp_pcb *, tcp_recv_fn);
void	 tcp_err(struct tcp_pcb *, tcp_err_fn);
void	 tcp_poll(struct tcp_pcb *, tcp_poll_fn, uint8_t);
void	 tcp_accept(struct tcp_pcb *, tcp_accept_fn);
err_t	 tcp_close(struct tcp_pcb *);
void	 tcp_abort(struct tcp_pcb *);
void	 tcp_recved(struct tcp_pcb *, u16_t);
u16_t	 tcp_sndbuf(struct tcp_pcb *);
err_t	 tcp_write(struct tcp_pcb *, const void *, u16_t, uint8_t);
err_t	 tcp_output(struct tcp_pcb *);
struct tcp_pcb *tcp_new_ip_type(uint8_t);
void	 tcp_bind_netif(struct tcp_pcb *, const struct netif *);
err_t	 tcp_bind(struct tcp_pcb *, const ip_addr_t *, u16_t);
struct tcp_pcb *tcp_listen_with_backlog(struct tcp_pcb *, uint8_t);
u16_t	 pbuf_copy_partial(const struct pbuf *, void *, u16_t, u16_t);
uint8_t	 pbuf_free(struct pbuf *);
#define IP4_ADDR(a, b, c, d, e) ((a)->addr = (uint32_t)((e) << 24 | (d) << 16 | (c) << 8 | (b)))
#define ip4_addr_get_u32(a) ((a)->addr)
void	 netif_set_addr(struct netif *, const ip4_addr_t *, const ip4_addr_t *,
	    const ip4_addr_t *);
#endif
