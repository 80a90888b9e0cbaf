/*
 * notify.h: pmbd and systemd.  notify.c is the only file that includes
 * libsystemd's headers; without systemd (no NOTIFY_SOCKET, no LISTEN_FDS,
 * no journal) every call is a no-op.
 */
#ifndef PMBD_NOTIFY_H
#define PMBD_NOTIFY_H

#include <sys/socket.h>

#include <stdint.h>

/* READY=1 with a STATUS= line. */
void	 notify_ready(const char *status);
void	 notify_status(const char *status);
void	 notify_reloading(void);
void	 notify_stopping(void);
/* The watchdog interval systemd wants WATCHDOG=1 within (µs), or 0. */
uint64_t notify_watchdog_usec(void);
void	 notify_watchdog(void);
/*
 * Socket activation: the datagram socket systemd passed for an address
 * ("ADDR:PORT" as in the configuration), or -1.  Each is taken once.
 */
int	 notify_listen_fd(const struct sockaddr *, unsigned len);
/* Is stderr connected to the journal (JOURNAL_STREAM)? */
int	 notify_journal(void);
/* A log line to the journal with fields (NULL: none). */
void	 notify_journal_send(int priority, const char *msg,
	    const char *target, const char *peer, const char *user);

#endif
