/*
 * console_tx.h: the bounded buffer between the SOL engine and a console
 * line (serial port, ESP8266 UART bridge, Pico node), shared by the
 * console drivers.  The engine offers bytes through console_write; the
 * driver takes what fits (contx_put), writes them out when the line lets
 * it (contx_flush, or contx_consume for a line of its own), and reports
 * room again with target_console_ready() when contx_ready() says so:
 * only from its own I/O callback or tick, never from console_write
 * (the rule in target.h).
 */
#ifndef PMBD_CONSOLE_TX_H
#define PMBD_CONSOLE_TX_H

#include <stddef.h>
#include <stdint.h>

#define CONTX_MAX	4096

struct contx {
	uint8_t		 buf[CONTX_MAX];
	size_t		 len;
	int		 full;		/* the last put was cut short */
};

/* Take what fits of p; the count.  Calls nothing. */
size_t	 contx_put(struct contx *, const uint8_t *, size_t);
/* The oldest n bytes went out. */
void	 contx_consume(struct contx *, size_t);
/*
 * Write what waits to fd (send() without SIGPIPE when sock): 0, or -1 on
 * an error other than EAGAIN/EINTR (errno set).
 */
int	 contx_flush(struct contx *, int fd, int sock);
/* 1, once, when a cut-short put can be retried: report it then. */
int	 contx_ready(struct contx *);
/* The line went away: what waited is gone, and nobody waits. */
void	 contx_clear(struct contx *);

#endif
