/*
 * esp8266.c: a target behind an ESP8266 relay board (ESP-01S relay module
 * and the like) running esp8266-universal-io-bridge, the setup pypmi's
 * Esp8266Bmc drives.  The relay is wired to the server's power button, an
 * input pin to its power LED, the ESP's UART to the server's console.
 *
 * This file is the command link (socket, connect, send, read, drop) and
 * the driver's entry points; the command sequence and what each reply
 * means are in esp8266_cmd.c, the reply grammar in esp8266_parse.c, the
 * options in esp8266_conf.c.
 *
 * The ESP cannot time a press here: the daemon does.  Before a press is
 * sent, the release is scheduled in this driver's state (a timerfd and the
 * core's tick drive it); the release is retried until the ESP confirms the
 * released level.  A command that gets no reply closes the link; on every
 * (re)connect the output pins are checked and released before anything
 * else.  This is weaker than the Pico's own alarm: see docs/esp8266.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "esp8266.h"
#include "ipmi.h"
#include "log.h"



/* ---- the command link ------------------------------------------------ */

static void
printable(char *dst, size_t max, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < max && s[i] != '\0'; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = '\0';
}

void
esp_arm(struct esp *e)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t when = 0;

	if (e->tfd < 0)
		return;
	/*
	 * Every pending release has its deadline: the earliest still to come
	 * (one already due goes out as soon as the command in flight is
	 * answered, and the reply re-arms this for the next one).
	 */
	for (int i = 0; i < L_MAX; i++)
		if (e->pins[i].want_release && e->pins[i].release_at > e->now &&
		    (when == 0 || e->pins[i].release_at < when))
			when = e->pins[i].release_at;
	if (e->cycle == 2 && e->cycle_at > e->now &&
	    (when == 0 || e->cycle_at < when))
		when = e->cycle_at;
	if (when != 0) {
		its.it_value.tv_sec = (time_t)(when / 1000);
		its.it_value.tv_nsec = (long)(when % 1000) * 1000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
esp_want(struct esp *e)
{
	const struct target_env *env = e->src->t->env;

	if (e->io != NULL && env->io_want != NULL)
		env->io_want(e->io, e->connected, !e->connected ||
		    e->outlen > 0);
}

void
esp_plan_answer(struct esp *e, int cc)
{
	if (e->plan.has_token)
		target_done(e->src->t, e->now, e->plan.token, cc);
	e->plan.has_token = 0;
}

/* Close the command link; every output is released first once back. */
void
esp_drop(struct esp *e, const char *why, unsigned retry_ms)
{
	const struct target_env *env = e->src->t->env;

	if (e->io != NULL && env->io_del != NULL)
		env->io_del(e->io);
	e->io = NULL;
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	if (e->plan.active) {
		/* sent and unconfirmed: nobody knows; not sent: offline */
		esp_plan_answer(e, e->cmd == C_PRESS ? CC_TIMEOUT :
		    e->incompatible ? CC_FIRMWARE : CC_NOT_SUPPORTED_STATE);
		e->plan.active = 0;
	}
	e->cycle = 0;
	for (int i = 0; i <= L_MAX; i++) {
		struct esp_pin *p = &e->pins[i];

		if (p->pin == ESP_NO_PIN)
			continue;
		p->check = 1;
		p->fix_mode = p->fix_autostart = p->fix_invert = 0;
		if (p->output) {
			p->want_release = 1;	/* whatever it was doing */
			p->release_at = 0;
			p->verify = 1;
		}
	}
	/* The ESP may have restarted, or been replaced: read it all again. */
	for (int i = 0; i < U_MAX; i++)
		e->uart[i] = e->cf->bridge_port != 0;
	e->reset_due = 0;
	if (e->ready)
		target_event(e->src->t, e->now, TARGET_EV_LINK_DOWN);
	if (e->ready || !e->down_logged)
		log_warnx("target %s: esp8266 %s:%u: %s; reconnecting in %u "
		    "ms", e->src->t->name, e->cf->host, e->cf->command_port,
		    why, retry_ms);
	e->down_logged = 1;
	e->connected = e->ready = 0;
	e->sense_valid = 0;
	e->cmd = C_NONE;
	e->outlen = e->inlen = 0;
	e->retry_at = e->now + retry_ms;
}

static void
esp_fail(struct esp *e, const char *why)
{
	unsigned b = e->backoff;

	e->backoff = b == 0 ? ESP_BACKOFF_MIN : b * 2 > ESP_BACKOFF_MAX ?
	    ESP_BACKOFF_MAX : b * 2;
	esp_drop(e, why, b == 0 ? ESP_BACKOFF_MIN : e->backoff);
}

/* A reply that is not what this firmware should say. */
void
esp_protocol(struct esp *e, const char *line, int refused)
{
	char l[128], why[320];
	int old = strstr(line, "invalid mode") != NULL ||
	    strstr(line, "command unknown") != NULL;

	printable(l, sizeof(l), line);
	log_warnx("target %s: esp8266 %s: %s \"%s\": \"%s\"%s",
	    e->src->t->name, e->cf->host, refused ? "the ESP refused" :
	    "unexpected reply to", e->cmd_text, l, old ? "; this needs "
	    "esp8266-universal-io-bridge from 2018 or later (pin modes "
	    "dinput/doutput), see docs/esp8266.md" : "");
	e->incompatible = 1;
	snprintf(why, sizeof(why), "firmware not understood");
	esp_plan_answer(e, CC_FIRMWARE);
	e->plan.active = 0;
	e->down_logged = 0;
	esp_drop(e, why, ESP_BAD_FW_MS);
}

static void
esp_flush(struct esp *e)
{
	ssize_t n;

	if (e->fd < 0 || e->outlen == 0)
		return;
	n = send(e->fd, e->out, e->outlen, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		esp_fail(e, "send failed");
		return;
	}
	memmove(e->out, e->out + n, e->outlen - (size_t)n);
	e->outlen -= (size_t)n;
}

void
esp_send(struct esp *e, enum esp_cmd cmd, int pin, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void
esp_send(struct esp *e, enum esp_cmd cmd, int pin, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->cmd_text, sizeof(e->cmd_text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 > sizeof(e->out))
		return;
	log_debug("target %s: esp8266 > %s", e->src->t->name, e->cmd_text);
	memcpy(e->out, e->cmd_text, (size_t)n);
	memcpy(e->out + n, "\r\n", 2);
	e->outlen = (size_t)n + 2;
	e->cmd = cmd;
	e->cmd_pin = pin;
	e->deadline = e->now + ESP_CMD_MS;
	esp_flush(e);
	esp_want(e);
}

static void
esp_read(struct esp *e)
{
	char buf[1024];
	ssize_t n;

	n = recv(e->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		esp_fail(e, n == 0 ? "closed by the ESP" : "receive failed");
		return;
	}
	for (ssize_t i = 0; i < n && e->fd >= 0; i++) {
		if (buf[i] == '\n') {
			e->in[e->inlen] = '\0';
			e->inlen = 0;
			esp_line(e, e->in);
		} else if (e->inlen + 1 >= sizeof(e->in)) {
			snprintf(e->cmd_text, sizeof(e->cmd_text), "%s",
			    e->cmd == C_NONE ? "(nothing)" : e->cmd_text);
			e->inlen = 0;
			esp_protocol(e, "(a line longer than 512 bytes)", 0);
		} else
			e->in[e->inlen++] = buf[i];
	}
}

static void
esp_connected(struct esp *e)
{
	int err = 0, one = 1;
	socklen_t len = sizeof(err);

	if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		char why[128];

		snprintf(why, sizeof(why), "connect: %s", strerror(err ? err :
		    errno));
		esp_fail(e, why);
		return;
	}
	setsockopt(e->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	e->connected = 1;
	e->cmd = C_NONE;
	log_debug("target %s: esp8266 %s: connected", e->src->t->name,
	    e->cf->host);
}

static void
esp_io_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct esp *e = arg;

	e->now = now;
	if (!e->connected) {
		if (writable || readable)
			esp_connected(e);
	} else {
		if (writable)
			esp_flush(e);
		if (readable && e->fd >= 0)
			esp_read(e);
	}
	if (e->fd >= 0)
		esp_poll(e);
	if (e->fd >= 0)
		esp_want(e);
}

static void
esp_timer_cb(void *arg, uint64_t now, int readable, int writable)
{
	struct esp *e = arg;
	uint64_t n;

	(void)writable;
	if (readable && read(e->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("esp8266: timerfd read failed");
	e->now = now;
	esp_poll(e);
}

static void
gai_free(struct gaicb *g)
{
	if (g == NULL)
		return;
	free((void *)(uintptr_t)g->ar_request);
	free((void *)(uintptr_t)g->ar_name);
	free(g);
}

/* The host's address: numeric at once, a name through getaddrinfo_a. */
static int
esp_resolve(struct esp *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST }, *res = NULL, *h;
	struct gaicb *list[1];
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	int rc;

	if (e->gai != NULL) {
		rc = gai_error(e->gai);
		if (rc == EAI_INPROGRESS)
			return 1;
		res = e->gai->ar_result;
		if (rc == 0 && res != NULL) {
			memcpy(&e->ss, res->ai_addr, res->ai_addrlen);
			e->sslen = res->ai_addrlen;
		}
		if (res != NULL)
			freeaddrinfo(res);
		gai_free(e->gai);
		e->gai = NULL;
		return rc == 0 && e->sslen > 0 ? 0 : -1;
	}
	if (getaddrinfo(e->cf->host, NULL, &hints, &res) == 0) {
		memcpy(&e->ss, res->ai_addr, res->ai_addrlen);
		e->sslen = res->ai_addrlen;
		freeaddrinfo(res);
		return 0;
	}
	if ((e->gai = calloc(1, sizeof(*e->gai))) == NULL)
		return -1;
	e->gai->ar_name = strdup(e->cf->host);
	if ((h = calloc(1, sizeof(*h))) != NULL)
		h->ai_socktype = SOCK_STREAM;
	e->gai->ar_request = h;
	list[0] = e->gai;
	if (e->gai->ar_name == NULL || h == NULL ||
	    getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0) {
		gai_free(e->gai);
		e->gai = NULL;
		return -1;
	}
	return 1;
}

static void
esp_connect(struct esp *e)
{
	const struct target_env *env = e->src->t->env;
	struct sockaddr_storage ss;
	int rc;

	if (e->sslen == 0) {
		if ((rc = esp_resolve(e)) == 1)
			return;		/* looking it up */
		if (rc != 0) {
			esp_fail(e, "cannot resolve the host");
			return;
		}
		if (e->con != NULL)
			esp_console_addr(e->con, &e->ss, e->sslen);
	}
	ss = e->ss;
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port =
		    htons(e->cf->command_port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons(e->cf->command_port);
	e->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (e->fd < 0) {
		esp_fail(e, "socket failed");
		return;
	}
	if (connect(e->fd, (struct sockaddr *)&ss, e->sslen) != 0 &&
	    errno != EINPROGRESS) {
		char why[128];

		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		esp_fail(e, why);
		return;
	}
	if (env->io_add != NULL && (e->io = env->io_add(env->ioarg, e->fd,
	    esp_io_cb, e)) == NULL) {
		esp_fail(e, "cannot watch the socket");
		return;
	}
	e->connected = 0;
	e->deadline = e->now + ESP_CONNECT_MS;
	esp_want(e);
}

void
esp_poll(struct esp *e)
{
	if (e->fd < 0) {
		if (e->gai != NULL || e->now >= e->retry_at)
			esp_connect(e);
		return;
	}
	if (!e->connected) {
		if (e->now >= e->deadline)
			esp_fail(e, "connect timed out");
		return;
	}
	if (e->cmd != C_NONE) {
		if (e->now >= e->deadline) {
			char why[128];

			snprintf(why, sizeof(why), "no reply to \"%s\" in %d "
			    "ms", e->cmd_text, ESP_CMD_MS);
			esp_fail(e, why);
		}
		return;
	}
	esp_next(e);
	if (e->fd >= 0)
		esp_want(e);
	esp_arm(e);
}

/* ---- the driver ------------------------------------------------------- */

static void
pin_init(struct esp_pin *p, int pin, int output, int invert)
{
	memset(p, 0, sizeof(*p));
	p->pin = pin;
	p->output = output;
	p->invert = invert;
	p->check = pin != ESP_NO_PIN;
	p->want_release = output && pin != ESP_NO_PIN;
	p->verify = p->want_release;
}

static int
esp_start(struct target_src *src, uint64_t now)
{
	const struct target_env *env = src->t->env;
	struct esp *e = calloc(1, sizeof(*e));
	const struct esp_conf *c = src->dconf;

	if (e == NULL)
		return -1;
	e->cf = c;
	e->src = src;
	e->now = now;
	e->fd = -1;
	e->tfd = -1;
	pin_init(&e->pins[L_POWER], c->power_pin, 1, c->power_invert);
	pin_init(&e->pins[L_RESET], c->reset_pin, 1, c->reset_invert);
	pin_init(&e->pins[SENSE], c->sense_pin, 0, c->sense_invert);
	if (c->bridge_port != 0)
		for (int i = 0; i < U_MAX; i++)
			e->uart[i] = 1;
	e->want_baud = c->baud;
	if (env->io_add != NULL) {
		e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
		    TFD_CLOEXEC);
		if (e->tfd >= 0 && (e->tio = env->io_add(env->ioarg, e->tfd,
		    esp_timer_cb, e)) != NULL)
			env->io_want(e->tio, 1, 0);
	}
	/* the console is ours: the same instance, or console = { ... } */
	if (c->bridge_port != 0 && src->t->con.dconf == c &&
	    src->t->con.drv == src->drv)
		e->con = esp_console_new(src, c, now);
	src->dstate = e;
	esp_connect(e);
	return 0;
}

static void
esp_stop(struct target_src *src)
{
	struct esp *e = src->dstate;
	const struct target_env *env = src->t->env;

	if (e == NULL)
		return;
	if (e->plan.active)
		esp_plan_answer(e, CC_NOT_SUPPORTED_STATE);
	e->plan.active = 0;
	e->ready = 0;
	/*
	 * A button may be held: send its release on the way out (best effort:
	 * the firmware takes one command at a time, so the first held line;
	 * the next connection releases every line before anything else).
	 */
	for (int i = 0; i < L_MAX && e->fd >= 0 && e->connected; i++) {
		const struct esp_pin *p = &e->pins[i];
		char cmd[32];
		int n;

		if (p->pin == ESP_NO_PIN || !p->want_release)
			continue;
		n = snprintf(cmd, sizeof(cmd), "iw 0 %d %d\r\n", p->pin,
		    esp_logical(p, esp_released(p)));
		if (send(e->fd, cmd, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
			log_info("target %s: esp8266: GPIO %d released on stop",
			    src->t->name, p->pin);
		break;
	}
	if (e->io != NULL && env->io_del != NULL)
		env->io_del(e->io);
	if (e->fd >= 0)
		close(e->fd);
	if (e->tio != NULL && env->io_del != NULL)
		env->io_del(e->tio);
	if (e->tfd >= 0)
		close(e->tfd);
	if (e->gai != NULL) {
		int rc = gai_cancel(e->gai);

		if (rc == EAI_ALLDONE && e->gai->ar_result != NULL)
			freeaddrinfo(e->gai->ar_result);
		if (rc == EAI_CANCELED || rc == EAI_ALLDONE)
			gai_free(e->gai);
	}
	/* else: still running in glibc's thread, which writes to it */
	for (int i = 0; i < L_MAX; i++)
		if (e->pins[i].pin != ESP_NO_PIN && e->pins[i].want_release &&
		    e->connected)
			log_warnx("target %s: esp8266: stopping while GPIO %d "
			    "may be pressed", src->t->name, e->pins[i].pin);
	esp_console_free(e->con);
	free(e);
	src->dstate = NULL;
}

static void
esp_tick(struct target_src *src, uint64_t now)
{
	struct esp *e = src->dstate;

	e->now = now;
	esp_poll(e);
	if (e->con != NULL)
		esp_console_tick(e->con, now);
}

static size_t
esp_write(struct target_src *src, const uint8_t *p, size_t n)
{
	struct esp *e = src->dstate;

	return e->con != NULL ? esp_console_write(e->con, p, n) : 0;
}

static int
esp_baud(struct target_src *src, unsigned baud)
{
	struct esp *e = src->dstate;

	if (baud < 300 || baud > 921600)
		return -1;
	e->want_baud = baud;
	if (e->uart[U_BAUD] == 0)
		e->uart[U_BAUD] = 1;	/* read it, set it if it differs */
	return 0;
}

const struct target_driver esp8266_driver = {
	.name		= "esp8266",
	.conf_new	= esp8266_conf_new,
	.conf_set	= esp8266_conf_set,
	.conf_check	= esp8266_conf_check,
	.conf_free	= esp8266_conf_free,
	.start		= esp_start,
	.stop		= esp_stop,
	.tick		= esp_tick,
	.status		= esp_status,
	.power		= esp_power,
	.console_write	= esp_write,
	.console_baud	= esp_baud,
};
