/*
 * notify.c: sd_notify (READY, STATUS, RELOADING, STOPPING, WATCHDOG),
 * socket activation (sd_listen_fds) and structured journal lines.  The one
 * file that sees libsystemd.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "notify.h"

#define MAX_FDS	32

static int fds_seen = -1;		/* sd_listen_fds() once */
static int fds_taken[MAX_FDS];

void
notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s\nMAINPID=%lu", status,
	    (unsigned long)getpid());
}

void
notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void
notify_reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
}

void
notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

uint64_t
notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
}

void
notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

int
notify_listen_fd(const struct sockaddr *sa, unsigned len)
{
	int n;

	if (fds_seen < 0) {
		fds_seen = sd_listen_fds(1);	/* and forget LISTEN_* */
		if (fds_seen < 0)
			fds_seen = 0;
	}
	n = fds_seen;
	if (n <= 0)
		return -1;
	for (int i = 0; i < n && i < MAX_FDS; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		if (!fds_taken[i] && sd_is_socket_sockaddr(fd, SOCK_DGRAM, sa,
		    len, -1) > 0) {
			fds_taken[i] = 1;
			return fd;
		}
	}
	return -1;
}

int
notify_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%lu:%lu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

void
notify_journal_send(int priority, const char *msg, const char *target,
    const char *peer, const char *user)
{
	char m[1100], pr[16], ft[96], fp[96], fu[64];
	struct iovec iov[6];
	int n = 0;

	snprintf(m, sizeof(m), "MESSAGE=%s", msg);
	snprintf(pr, sizeof(pr), "PRIORITY=%d", priority);
	iov[n++] = (struct iovec){ m, strlen(m) };
	iov[n++] = (struct iovec){ pr, strlen(pr) };
	iov[n++] = (struct iovec){ "SYSLOG_IDENTIFIER=pmbd", 22 };
	if (target != NULL) {
		snprintf(ft, sizeof(ft), "PMBD_TARGET=%s", target);
		iov[n++] = (struct iovec){ ft, strlen(ft) };
	}
	if (peer != NULL) {
		snprintf(fp, sizeof(fp), "PMBD_PEER=%s", peer);
		iov[n++] = (struct iovec){ fp, strlen(fp) };
	}
	if (user != NULL) {
		snprintf(fu, sizeof(fu), "PMBD_USER=%s", user);
		iov[n++] = (struct iovec){ fu, strlen(fu) };
	}
	sd_journal_sendv(iov, n);
}
