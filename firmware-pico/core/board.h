/*
 * board.h: what the node core (node*.c, link_tls.c) asks of the board.
 * One implementation per port: firmware-pico/host/board_host.c (Linux,
 * simulated pins and server), the Pico SDK port later.  Portable C17: the
 * core never sees the SDK, lwIP or POSIX, only these functions.
 *
 * Pins are GPIO numbers and levels are electrical (the core applies
 * out_active_low / sense_active_low).  Everything is called from the main
 * loop, except that an alarm's callback runs in interrupt context (a
 * hardware alarm on the Pico, a thread on the host): it may only call
 * board_pin_set() and store to the core's atomic flags.
 */
#ifndef PMB_BOARD_H
#define PMB_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Pins. */
int		 board_pin_ok(uint8_t pin);	/* a GPIO this board has */
void		 board_pin_mode(uint8_t pin, int mode);	/* enum np_pinmode */
void		 board_pin_set(uint8_t pin, int level);
int		 board_pin_get(uint8_t pin);

/*
 * One-shot alarms that fire whatever the main loop does.  Arming an armed
 * id re-arms it; cancelling is idempotent.  fn(id) runs in interrupt
 * context at most once per arming.  0, or -1 if the alarm cannot be set.
 */
#define BOARD_ALARMS	8
typedef void	 (*board_alarm_fn)(unsigned id);
int		 board_alarm_arm(unsigned id, uint32_t ms, board_alarm_fn);
void		 board_alarm_cancel(unsigned id);

/* Monotonic milliseconds (wraps; the core compares differences). */
uint32_t	 board_now_ms(void);

/* The server's console UART; both sides never block. */
size_t		 board_uart_write(const uint8_t *, size_t);	/* taken */
size_t		 board_uart_read(uint8_t *, size_t);
void		 board_uart_config(uint32_t baud, uint8_t data_bits,
		    uint8_t parity, uint8_t stop_bits);
void		 board_uart_break(uint16_t ms);

/* Watchdog: fed from node_poll() only. */
void		 board_wdt_feed(void);

/* Random 32 bits from the board's entropy source (ROSC on the Pico). */
uint32_t	 board_random(void);

/*
 * TCP to the daemon (the address is the board's configuration).  All
 * non-blocking.  connect: 0 started, -1 failed.  status: 1 connected,
 * 0 still connecting, -1 failed or closed.  send/recv: bytes, 0 would
 * block, -1 closed or failed.
 */
int		 board_tcp_connect(void);
int		 board_tcp_status(void);
long		 board_tcp_send(const uint8_t *, size_t);
long		 board_tcp_recv(uint8_t *, size_t);
void		 board_tcp_close(void);

/* Board information. */
struct board_info {
	int16_t		 temp_cdeg;
	uint16_t	 vsys_mv;
	int8_t		 rssi;
	uint32_t	 free_mem;
};
void		 board_info(struct board_info *);
const char	*board_name(void);		/* "pico_w", "host" */
uint8_t		 board_reset_cause(void);	/* enum np_reset, this boot */
/* Restart the node; on the Pico it does not return, on the host the
 * main loop re-initialises the core after node_poll() returns. */
void		 board_reboot(void);
void		 board_led(int on);

#endif
