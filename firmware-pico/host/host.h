/*
 * host.h: the host port's pieces (pmb-node-sim): the POSIX board
 * (board_host.c) and the simulated server wired to it (server_sim.c).
 */
#ifndef PMB_HOST_H
#define PMB_HOST_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "nproto.h"

/* Host GPIO numbers (a Pico W's front-panel wiring). */
#define HOST_PIN_UART_TX	0
#define HOST_PIN_UART_RX	1
#define HOST_PIN_POWER		2
#define HOST_PIN_RESET		3
#define HOST_PIN_SENSE		4
#define HOST_PIN_LED		25
#define HOST_PINS		30

/* One event line on stdout: "<monotonic s.us> <text>". */
void	 host_event(const char *, ...) __attribute__((format(printf, 1, 2)));

/* board_host.c */
int	 board_host_init(const struct sockaddr_storage *, socklen_t,
	    const struct np_pins *);
void	 board_host_set_cause(uint8_t);
/* A reboot asked for (watchdog, NP_REBOOT): its cause + 1, or 0. */
int	 board_host_reboot_pending(void);
void	 board_host_reboot_done(void);
void	 board_host_release_all(void);	/* every output released */
void	 board_host_flash_write(uint32_t ms);	/* alarms and loop stall */

/* server_sim.c */
struct server_conf {
	uint32_t	 toggle_ms;	/* press this long toggles at release */
	uint32_t	 force_off_ms;	/* hold this long forces off */
	uint32_t	 flood;		/* bytes/s printed while on, 0 none */
	int		 on;		/* starts powered on */
};
int	 server_start(const struct server_conf *);
void	 server_button(int line, int pressed);	/* 0 power, 1 reset */
int	 server_power(void);			/* the power LED */
void	 server_uart_rx(const uint8_t *, size_t);	/* node -> server */
size_t	 server_uart_tx(uint8_t *, size_t);		/* server -> node */
void	 server_break(void);

#endif
