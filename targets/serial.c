/*
 * serial.c: a console on a local serial port (a USB-serial adapter on the
 * server's COM port) through libserialport, the only file that includes it.
 * libserialport refuses pseudo-terminals (it looks every device up in
 * /sys/class/tty), so a pty (socat, ser2net, a test rig) is opened and set
 * up with termios here instead.  Either way the descriptor is read and
 * written directly, without blocking.
 *
 * Output is read as the core has room for it; input goes through a bounded
 * transmit buffer.  When the device goes away (USB unplug) the port is
 * closed and reopened every second until it is back.  It has no power
 * side: combine it with another driver through a target's
 * `console = { driver = "serial"; ... }`.
 */
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "console_tx.h"
#include "log.h"
#include "target.h"

#define SERIAL_RX	4096		/* bytes read per wakeup at most */
#define SERIAL_RETRY_MS	1000

struct serial_conf {
	char		 device[256];
	int		 baud;
	enum sp_parity	 parity;
	int		 bits;
	int		 stop;
	enum sp_flowcontrol flow;
};

struct serial {
	const struct serial_conf *cf;
	struct target_src *src;
	struct sp_port	*port;		/* NULL for a pty */
	int		 fd;		/* -1: closed */
	void		*io;
	int		 baud;		/* may be changed over IPMI */
	uint64_t	 now;
	uint64_t	 retry_at;
	uint64_t	 break_until;
	int		 paused;	/* no room in the core: not reading */
	int		 down_logged;
	struct contx	 tx;		/* input waiting for the line */
};

static void *
serial_conf_new(void)
{
	struct serial_conf *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		c->baud = 115200;
		c->parity = SP_PARITY_NONE;
		c->bits = 8;
		c->stop = 1;
		c->flow = SP_FLOWCONTROL_NONE;
	}
	return c;
}

static int
serial_conf_set(void *p, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct serial_conf *c = p;
	const char *s = v->type == CONF_STRING ? v->s : NULL;

	if (strcmp(key, "device") == 0 && s != NULL &&
	    strlen(s) < sizeof(c->device) && s[0] == '/') {
		strcpy(c->device, s);
		return 0;
	}
	if (strcmp(key, "baud") == 0 && v->type == CONF_INT &&
	    v->i >= 50 && v->i <= 4000000) {
		c->baud = (int)v->i;
		return 0;
	}
	if (strcmp(key, "data_bits") == 0 && v->type == CONF_INT &&
	    v->i >= 5 && v->i <= 8) {
		c->bits = (int)v->i;
		return 0;
	}
	if (strcmp(key, "stop_bits") == 0 && v->type == CONF_INT &&
	    (v->i == 1 || v->i == 2)) {
		c->stop = (int)v->i;
		return 0;
	}
	if (strcmp(key, "parity") == 0 && s != NULL) {
		if (strcmp(s, "none") == 0)
			c->parity = SP_PARITY_NONE;
		else if (strcmp(s, "even") == 0)
			c->parity = SP_PARITY_EVEN;
		else if (strcmp(s, "odd") == 0)
			c->parity = SP_PARITY_ODD;
		else
			goto bad;
		return 0;
	}
	if (strcmp(key, "flow") == 0 && s != NULL) {
		if (strcmp(s, "none") == 0)
			c->flow = SP_FLOWCONTROL_NONE;
		else if (strcmp(s, "rtscts") == 0)
			c->flow = SP_FLOWCONTROL_RTSCTS;
		else if (strcmp(s, "xonxoff") == 0)
			c->flow = SP_FLOWCONTROL_XONXOFF;
		else
			goto bad;
		return 0;
	}
bad:
	if (strcmp(key, "device") == 0)
		snprintf(err, errlen, "serial: device must be an absolute "
		    "path");
	else if (strcmp(key, "baud") == 0 || strcmp(key, "data_bits") == 0 ||
	    strcmp(key, "stop_bits") == 0)
		snprintf(err, errlen, "serial: %s is out of range", key);
	else if (strcmp(key, "parity") == 0)
		snprintf(err, errlen, "serial: parity is none, even or odd");
	else if (strcmp(key, "flow") == 0)
		snprintf(err, errlen, "serial: flow is none, rtscts or "
		    "xonxoff");
	else
		snprintf(err, errlen, "serial: unknown option \"%s\"", key);
	return -1;
}

static int
serial_conf_check(void *p, char *err, size_t errlen)
{
	const struct serial_conf *c = p;

	if (c->device[0] == '\0') {
		snprintf(err, errlen, "serial: device = \"/dev/...\" is "
		    "required");
		return -1;
	}
	return 0;
}

static void
serial_conf_free(void *p)
{
	free(p);
}

static void
serial_close(struct serial *s)
{
	const struct target_env *env = s->src->t->env;

	if (s->io != NULL && env->io_del != NULL)
		env->io_del(s->io);
	s->io = NULL;
	if (s->port != NULL) {
		sp_close(s->port);
		sp_free_port(s->port);
	} else if (s->fd >= 0)
		close(s->fd);
	s->port = NULL;
	s->fd = -1;
	contx_clear(&s->tx);
	s->paused = 0;
	s->retry_at = s->now + SERIAL_RETRY_MS;
}

static void
serial_lost(struct serial *s, const char *why)
{
	if (!s->down_logged)
		log_warnx("target %s: serial %s: %s; retrying every %d ms",
		    s->src->t->name, s->cf->device, why, SERIAL_RETRY_MS);
	s->down_logged = 1;
	serial_close(s);
}

static void
serial_want(struct serial *s)
{
	const struct target_env *env = s->src->t->env;

	if (s->io != NULL && env->io_want != NULL)
		env->io_want(s->io, !s->paused, s->tx.len > 0);
}

/* Write what waits; never calls the core (console_write uses it). */
static void
serial_flush(struct serial *s)
{
	if (contx_flush(&s->tx, s->fd, 0) != 0)
		serial_lost(s, "write failed");
}

static void
serial_read(struct serial *s)
{
	uint8_t buf[SERIAL_RX];
	size_t room = target_console_room(s->src->t);
	ssize_t n;

	if (room == 0) {		/* a viewer is behind: wait for it */
		log_debug("target %s: serial paused", s->src->t->name);
		s->paused = 1;
		return;
	}
	n = read(s->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0)
		serial_lost(s, "read failed");
	else if (n == 0)		/* readable but empty: hung up */
		serial_lost(s, "device hung up");
	else
		target_console_output(s->src->t, s->now, buf, (size_t)n);
}

static void
serial_io_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct serial *s = arg;

	s->now = now;
	if (writable)
		serial_flush(s);
	if (readable && s->fd >= 0)
		serial_read(s);
	if (s->fd >= 0)
		serial_want(s);
	if (contx_ready(&s->tx))		/* the engine may write again */
		target_console_ready(s->src->t, now);
}

/* A real serial port, through libserialport. */
static int
open_port(struct serial *s)
{
	const struct serial_conf *c = s->cf;

	if (sp_open(s->port, SP_MODE_READ_WRITE) != SP_OK ||
	    sp_set_baudrate(s->port, s->baud) != SP_OK ||
	    sp_set_bits(s->port, c->bits) != SP_OK ||
	    sp_set_parity(s->port, c->parity) != SP_OK ||
	    sp_set_stopbits(s->port, c->stop) != SP_OK ||
	    sp_set_flowcontrol(s->port, c->flow) != SP_OK ||
	    sp_get_port_handle(s->port, &s->fd) != SP_OK)
		return -1;
	return fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
}

static speed_t
termios_speed(int baud)
{
	static const struct { int baud; speed_t speed; } map[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
		{ 460800, B460800 }, { 921600, B921600 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].baud == baud)
			return map[i].speed;
	return B115200;
}

static int
termios_setup(const struct serial *s)
{
	const struct serial_conf *c = s->cf;
	static const tcflag_t size[] = { CS5, CS6, CS7, CS8 };
	struct termios tio;

	if (tcgetattr(s->fd, &tio) != 0)
		return -1;
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB |
	    CRTSCTS);
	tio.c_cflag |= size[c->bits - 5] | CLOCAL | CREAD;
	if (c->parity != SP_PARITY_NONE)
		tio.c_cflag |= PARENB | (c->parity == SP_PARITY_ODD ?
		    PARODD : 0);
	if (c->stop == 2)
		tio.c_cflag |= CSTOPB;
	if (c->flow == SP_FLOWCONTROL_RTSCTS)
		tio.c_cflag |= CRTSCTS;
	if (c->flow == SP_FLOWCONTROL_XONXOFF)
		tio.c_iflag |= IXON | IXOFF;
	cfsetspeed(&tio, termios_speed(s->baud));
	return tcsetattr(s->fd, TCSANOW, &tio);
}

/* A pseudo-terminal, which libserialport will not take. */
static int
open_pty(struct serial *s)
{
	s->fd = open(s->cf->device, O_RDWR | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC);
	if (s->fd < 0 || !isatty(s->fd) || termios_setup(s) != 0)
		return -1;
	return 0;
}

static int
serial_open(struct serial *s)
{
	const struct serial_conf *c = s->cf;
	const struct target_env *env = s->src->t->env;
	int rc;

	if (sp_get_port_by_name(c->device, &s->port) == SP_OK)
		rc = open_port(s);
	else {
		s->port = NULL;
		rc = open_pty(s);
	}
	if (rc != 0 || (env->io_add != NULL && (s->io = env->io_add(
	    env->ioarg, s->fd, serial_io_cb, s)) == NULL)) {
		serial_close(s);
		return -1;
	}
	if (s->down_logged)
		log_info("target %s: serial %s is back", s->src->t->name,
		    c->device);
	s->down_logged = 0;
	return 0;
}

static int
serial_start(struct target_src *src, uint64_t now)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	s->cf = src->dconf;
	s->src = src;
	s->fd = -1;
	s->baud = s->cf->baud;
	s->now = now;
	src->dstate = s;
	if (serial_open(s) != 0)
		serial_lost(s, "cannot open");	/* not fatal: it may appear */
	return 0;
}

static void
serial_stop(struct target_src *src)
{
	struct serial *s = src->dstate;

	serial_close(s);
	free(s);
	src->dstate = NULL;
}

static void
serial_tick(struct target_src *src, uint64_t now)
{
	struct serial *s = src->dstate;

	s->now = now;
	if (s->fd < 0) {
		if (now >= s->retry_at && serial_open(s) != 0)
			s->retry_at = now + SERIAL_RETRY_MS;
		return;
	}
	if (s->break_until != 0 && now >= s->break_until) {
		if (s->port != NULL)
			sp_end_break(s->port);
		else
			ioctl(s->fd, TIOCCBRK);
		s->break_until = 0;
	}
	if (s->paused && target_console_room(src->t) > 0) {
		s->paused = 0;
		serial_want(s);
	}
}

static size_t
serial_write(struct target_src *src, const uint8_t *p, size_t n)
{
	struct serial *s = src->dstate;

	if (s->fd < 0)
		return 0;		/* the line is down: kept for later */
	n = contx_put(&s->tx, p, n);
	serial_flush(s);
	if (s->fd >= 0)
		serial_want(s);
	return n;
}

static int
serial_break(struct target_src *src, unsigned ms)
{
	struct serial *s = src->dstate;

	if (s->fd < 0)
		return -1;
	if (s->port != NULL ? sp_start_break(s->port) != SP_OK :
	    ioctl(s->fd, TIOCSBRK) != 0)
		return -1;
	s->break_until = s->now + ms;
	return 0;
}

static int
serial_baud(struct target_src *src, unsigned baud)
{
	struct serial *s = src->dstate;

	s->baud = (int)baud;
	if (s->fd < 0)
		return 0;		/* used when it comes back */
	if (s->port != NULL)
		return sp_set_baudrate(s->port, s->baud) == SP_OK ? 0 : -1;
	return termios_setup(s);
}

const struct target_driver serial_driver = {
	.name		= "serial",
	.conf_new	= serial_conf_new,
	.conf_set	= serial_conf_set,
	.conf_check	= serial_conf_check,
	.conf_free	= serial_conf_free,
	.start		= serial_start,
	.stop		= serial_stop,
	.tick		= serial_tick,
	.console_write	= serial_write,
	.console_break	= serial_break,
	.console_baud	= serial_baud,
};
